//! The review step of an online submission: after "Nộp hồ sơ" has checked and saved the
//! declaration, `GET /ho-so/{id}/xem-lai` shows everything the applicant is about to send
//! (the answers with the form's labels, the attached files, the components still without
//! one), and `POST /ho-so/{id}/xac-nhan` submits it at the version that page showed.
//!
//! This is presentation only: the submission goes through `service::execute`, whose
//! `Submit` validates the declaration again and lets the domain decide.

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::pages::Form;
use crate::pages::office::desk_files::FileRow;
use crate::pages::office::dossier_view::{self, DataRow, Summary};
use crate::pages::portal::dossiers::{Feedback, load, own, page, version_of};
use crate::pages::shared::auth::{Nav, PageUser};
use crate::pages::shared::forms_render::Posted;
use crate::pages::{login_redirect, render};
use crate::uploads as df;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::dossiers::{self as service, Request};
use motcua_domain::dossier::files::missing_required;
use motcua_domain::dossier::{Change, Status};
use motcua_domain::eform::{Field, FieldKind, FormDefinition};
use motcua_domain::procedure::Channel;
use motcua_store::dossiers::Stored;
use serde_json::Value;

/// One answer; a repeatable group has its filled rows instead of a value.
pub struct Entry {
    pub label: String,
    pub value: String,
    pub rows: Vec<GroupRow>,
    /// The value is what was typed or chosen (not the portal's "Yes"/"No", not a group).
    pub typed: bool,
    /// The label is the e-form's (Vietnamese), not the portal's.
    pub form_label: bool,
}

/// One filled row of a group ("Người làm chứng 1") with its answers.
pub struct GroupRow {
    pub title: String,
    pub values: Vec<DataRow>,
}

pub struct ReviewSection {
    pub title: String,
    pub entries: Vec<Entry>,
}

#[derive(Template)]
#[template(path = "dossier_review.html")]
struct ReviewPage {
    user: Option<Nav>,
    csrf: String,
    s: Summary,
    error: Option<String>,
    form_title: Option<String>,
    sections: Vec<ReviewSection>,
    files: Vec<FileRow>,
    /// Required components without a file.
    missing: Vec<String>,
    /// Optional components without a file.
    optional: Vec<String>,
}

fn blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn entry(f: &Field, v: &Value, lang: Lang) -> Entry {
    if f.kind != FieldKind::Group {
        return Entry {
            label: f.label.clone(),
            value: dossier_view::shown(f, v, lang),
            rows: Vec::new(),
            typed: f.kind != FieldKind::Checkbox,
            form_label: true,
        };
    }
    let rows = v
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(k, item)| {
            let mut values = Vec::new();
            dossier_view::rows_of(&f.fields, item, "", lang, &mut values);
            GroupRow {
                title: format!("{} {}", f.label, k + 1),
                values,
            }
        })
        .filter(|r| !r.values.is_empty())
        .collect();
    Entry {
        label: f.label.clone(),
        value: String::new(),
        rows,
        typed: false,
        form_label: true,
    }
}

/// The entered answers of `data`, section by section as the form lays them out; fields left
/// blank and sections with nothing entered are left out.
pub fn review_sections(def: &FormDefinition, data: &Value, lang: Lang) -> Vec<ReviewSection> {
    let section = |title: String, fields: Vec<&Field>| ReviewSection {
        title,
        entries: fields
            .into_iter()
            .filter_map(|f| {
                data.get(&f.name)
                    .filter(|v| !blank(v))
                    .map(|v| entry(f, v, lang))
            })
            .filter(|e| !(e.value.is_empty() && e.rows.is_empty()))
            .collect(),
    };
    let sections = if def.sections.is_empty() {
        vec![section(String::new(), def.fields.iter().collect())]
    } else {
        def.sections
            .iter()
            .map(|s| {
                let fields = s
                    .fields
                    .iter()
                    .filter_map(|n| def.fields.iter().find(|f| f.name == *n))
                    .collect();
                section(s.title.clone(), fields)
            })
            .collect()
    };
    sections
        .into_iter()
        .filter(|s| !s.entries.is_empty())
        .collect()
}

async fn review_page(
    state: &AppState,
    user: &PageUser,
    stored: &Stored,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let d = &stored.state;
    let lang = user.lang();
    let actor = user
        .account()
        .map(|a| a.actor())
        .ok_or_else(ApiError::unauthenticated)?;
    let form = state.app.eforms.pinned(&state.app.store, d).await?;
    let sections = match &form {
        Some(f) => review_sections(f.definition(), &stored.form_data, lang),
        None => {
            let note = stored
                .form_data
                .get("note")
                .and_then(Value::as_str)
                .map(str::trim)
                .unwrap_or_default();
            let entries = (!note.is_empty())
                .then(|| Entry {
                    label: lang.t("draft.note").to_owned(),
                    value: note.to_owned(),
                    rows: Vec::new(),
                    typed: true,
                    form_label: false,
                })
                .into_iter()
                .collect();
            vec![ReviewSection {
                title: String::new(),
                entries,
            }]
            .into_iter()
            .filter(|s| !s.entries.is_empty())
            .collect()
        }
    };
    let events = state.app.store.dossier_events(&d.id).await?;
    let files = crate::pages::office::desk_files::panel(state, &actor, d, &events, lang)
        .await?
        .components;
    // The declaration on this page holds (else the draft went back to its errors), so
    // the component its form stands in for needs no file.
    let covered: Vec<String> = files
        .iter()
        .map(|f| f.component.clone())
        .chain(form.as_ref().and_then(|f| f.component()).map(str::to_owned))
        .collect();
    let listed = df::components(&state.app, d).await;
    let missing = missing_required(
        listed.iter().filter(|c| c.1).map(|c| c.0.as_str()),
        &covered,
    );
    let optional = listed
        .iter()
        .filter(|(name, required)| !required && !covered.contains(name))
        .map(|(name, _)| name.clone())
        .collect();
    let page = ReviewPage {
        user: user.nav(),
        csrf: user.csrf(),
        s: dossier_view::summary(state, d, lang).await?,
        error,
        form_title: form.as_ref().map(|f| f.title().to_owned()),
        sections,
        files,
        missing,
        optional,
    };
    Ok(render(&page, status))
}

/// `GET /ho-so/{id}/xem-lai`: the review of a draft whose declaration holds. A draft that
/// does not (opened here directly, or the form changed) goes back to its errors; a dossier
/// already submitted to its own page.
pub async fn show(
    State(state): State<AppState>,
    user: PageUser,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    if user.account().is_none() {
        return Ok(login_redirect(&uri));
    }
    let stored = match own(&state, &user, &id).await {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    if stored.state.status != Status::Draft {
        return Ok(Redirect::to(&format!("/ho-so/{id}")).into_response());
    }
    let form = state
        .app
        .eforms
        .pinned(&state.app.store, &stored.state)
        .await?;
    if let Err(e) =
        service::validate_form(form.as_deref(), &stored.form_data, crate::pages::vn_today())
    {
        let (fb, _) = Feedback::failed(e.into(), user.lang());
        return page(&state, &user, &stored, fb, None, StatusCode::OK).await;
    }
    review_page(&state, &user, &stored, None, StatusCode::OK).await
}

/// Whether the event right after version `seen` is this account's submission: the same
/// confirmation posted twice (a double click, a resend) finds its own submission there.
async fn submitted_after(
    state: &AppState,
    id: &str,
    seen: i64,
    account: &str,
) -> Result<bool, ApiError> {
    let events = state.app.store.dossier_events(id).await?;
    Ok(events.iter().any(|e| {
        e.version == seen + 1
            && e.by.account == account
            && matches!(e.change, Change::Submitted { .. })
    }))
}

/// `POST /ho-so/{id}/xac-nhan`: submits the draft at the version the review showed.
pub async fn confirm(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let p = Posted(f);
    if !user.csrf_ok(p.get("csrf_token")) {
        return Err(ApiError::csrf());
    }
    if let Err(r) = own(&state, &user, &id).await {
        return Ok(r);
    }
    let Some(account) = user.account() else {
        return Err(ApiError::unauthenticated());
    };
    let seen = version_of(&p);
    let req = Request::Submit {
        channel: Channel::Online,
        on_behalf: false,
        form_data: None,
    };
    let done = Redirect::to(&format!("/ho-so/{id}?ok=submitted")).into_response();
    let e = match service::execute(&state.app, &account.actor(), &id, seen, req)
        .await
        .map_err(ApiError::from)
    {
        Ok(_) => return Ok(done),
        Err(e) => e,
    };
    if let Some(v) = seen
        && submitted_after(&state, &id, v, &account.id).await?
    {
        return Ok(done);
    }
    let stored = load(&state, &id).await?;
    if stored.state.status == Status::Draft && e.status == StatusCode::CONFLICT {
        // Most likely the applicant's own change in another window: show the draft as it
        // is now, to be checked again before confirming.
        let message = user.lang().t("review.conflict");
        return review_page(
            &state,
            &user,
            &stored,
            Some(message.to_owned()),
            StatusCode::CONFLICT,
        )
        .await;
    }
    let (fb, status) = Feedback::failed(e, user.lang());
    page(&state, &user, &stored, fb, None, status).await
}

#[cfg(test)]
mod tests {
    use super::review_sections;
    use serde_json::json;

    #[test]
    fn entered_answers_by_section_with_labels_choices_and_group_rows() {
        let form = motcua_domain::eform::builtin("1.001193").unwrap();
        let data = json!({
            "child_full_name": "Nguyễn Văn An",
            "requester_relationship": "mother",
            "child_birth_date": "2025-01-02",
            "requester_phone": "",
            "witnesses": [{"full_name": "Lê B", "cccd": "046190001234"}],
            "commitment": true,
        });
        let sections = review_sections(form.definition(), &data, crate::i18n::Lang::Vi);
        let all: Vec<_> = sections.iter().flat_map(|s| &s.entries).collect();
        let find = |label: &str| all.iter().find(|e| e.label.starts_with(label)).unwrap();
        assert_eq!(find("Họ, chữ đệm, tên của trẻ").value, "Nguyễn Văn An");
        // A choice reads as its label, a date as people write it.
        assert_eq!(find("Quan hệ với người được khai sinh").value, "Mẹ");
        assert_eq!(find("Ngày, tháng, năm sinh của trẻ").value, "02/01/2025");
        assert_eq!(find("Tôi cam đoan").value, "Có");
        // Blank answers are not listed.
        assert!(!all.iter().any(|e| e.label.starts_with("Số điện thoại")));
        let w = all.iter().find(|e| !e.rows.is_empty()).unwrap();
        assert_eq!(w.rows.len(), 1);
        assert_eq!(w.rows[0].title, format!("{} 1", w.label));
        assert!(w.rows[0].values.iter().any(|v| v.value == "Lê B"));
        // Sections keep the form's order and have titles.
        assert!(sections.iter().all(|s| !s.title.is_empty()));
    }
}
