//! The applicant's pages: start a dossier from a procedure, fill and submit the e-form,
//! follow it, answer a supplement request, withdraw, rate; the list of one's dossiers; the
//! public lookup by code and receipt secret. Every change goes through `service::execute`.

use crate::AppState;
use crate::error::{ApiError, FieldError};
use crate::i18n::Lang;
use crate::pages::Form;
use crate::pages::office::dossier_view::{self, DataRow, DocRow, Summary, TimelineRow};
use crate::pages::shared::auth::{Nav, PageUser};
use crate::pages::shared::forms_render::{
    ErrorLink, Posted, SectionView, read_posted, render_form,
};
use crate::pages::{login_redirect, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::dossiers::{self as service, NewDraft, Request};
use motcua_domain::dossier::{Change, Command, Rating, Status};
use motcua_domain::procedure::ApplicantKind;
use motcua_domain::{ProcedureCode, UnitCode};
use motcua_store::dossiers::Stored;
use serde::Deserialize;
use serde_json::{Value, json};

/// What to tell the reader after an action: the success note, or the refusal.
#[derive(Default)]
pub struct Feedback {
    pub ok: Option<&'static str>,
    pub error: Option<String>,
    pub fields: Vec<FieldError>,
}

impl Feedback {
    pub fn ok(q: &OkQuery, lang: Lang) -> Self {
        Feedback {
            ok: q
                .ok
                .as_deref()
                .and_then(|ok| crate::pages::flash_in(lang, ok)),
            ..Default::default()
        }
    }
    /// The refusal in the reader's language, its messages per e-form field too (they
    /// name the fields by the form's labels, which are Vietnamese).
    pub fn failed(e: ApiError, lang: Lang) -> (Self, StatusCode) {
        let message = match lang {
            Lang::Vi => e.vi,
            Lang::En => e.en,
        };
        (
            Feedback {
                ok: None,
                error: Some(message),
                fields: e.fields.into_iter().map(|f| f.in_lang(lang)).collect(),
            },
            e.status,
        )
    }
}

#[derive(Deserialize)]
pub struct OkQuery {
    pub ok: Option<String>,
}

pub fn version_of(p: &Posted) -> Option<i64> {
    p.get("version").and_then(|v| v.trim().parse().ok())
}

pub(crate) async fn load(state: &AppState, id: &str) -> Result<Stored, ApiError> {
    state
        .app
        .store
        .dossier(id)
        .await
        .map_err(|_| ApiError::not_found("hồ sơ", "Dossier"))
}

/// Starts a draft from the procedure page. The idempotency key was printed in the form, so
/// a double click (or a resent post) finds the first draft instead of making a second.
pub async fn create(
    State(state): State<AppState>,
    user: PageUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let p = Posted(f);
    let code = p.text("procedure").unwrap_or_default();
    let procedure =
        ProcedureCode::parse(&code).map_err(|_| ApiError::not_found("thủ tục", "Procedure"))?;
    let Some(account) = user.account() else {
        return Ok(Redirect::to(&format!(
            "/dang-nhap?next={}",
            crate::pages::encode(&format!("/thu-tuc/{procedure}"))
        ))
        .into_response());
    };
    if !user.csrf_ok(p.get("csrf_token")) {
        return Err(ApiError::csrf());
    }
    let unit = UnitCode::parse(&p.text("unit").unwrap_or_default()).map_err(|_| {
        ApiError::invalid(
            "unit",
            "required",
            "Hãy chọn cơ quan giải quyết.",
            "Choose the competent unit.",
        )
    })?;
    let key = p.text("idempotency_key").filter(|k| k.len() <= 200);
    let empty = json!({});
    let new = NewDraft {
        applicant: &account.id,
        procedure: &procedure,
        unit: &unit,
        applicant_kind: ApplicantKind::Citizen,
        form_data: &empty,
        idempotency_key: key.as_deref(),
    };
    let (d, _) = service::create(&state.app, &account.actor(), new).await?;
    Ok(Redirect::to(&format!("/ho-so/{}?ok=created", d.id)).into_response())
}

#[derive(Template)]
#[template(path = "dossier_draft.html")]
struct DraftPage {
    user: Option<Nav>,
    csrf: String,
    s: Summary,
    fb: Feedback,
    form_title: Option<String>,
    sections: Vec<SectionView>,
    errors: Vec<ErrorLink>,
    note: String,
    files: crate::pages::office::desk_files::FilesPanel,
}

impl DraftPage {
    fn lang(&self) -> Lang {
        self.s.lang
    }
}

#[derive(Template)]
#[template(path = "dossier.html")]
struct DossierPage {
    user: Option<Nav>,
    csrf: String,
    s: Summary,
    fb: Feedback,
    data: Vec<DataRow>,
    timeline: Vec<TimelineRow>,
    docs: Vec<DocRow>,
    /// The items of the pending supplement request.
    supplement: Option<(Vec<String>, String)>,
    can_withdraw: bool,
    can_rate: bool,
    files: crate::pages::office::desk_files::FilesPanel,
}

impl DossierPage {
    fn lang(&self) -> Lang {
        self.s.lang
    }
}

/// The applicant's page for their dossier; `posted` is what they just typed (kept on error).
pub(crate) async fn page(
    state: &AppState,
    user: &PageUser,
    stored: &Stored,
    fb: Feedback,
    posted: Option<Value>,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let d = &stored.state;
    let lang = user.lang();
    let s = dossier_view::summary(state, d, lang).await?;
    let actor = user
        .account()
        .map(|a| a.actor())
        .ok_or_else(ApiError::unauthenticated)?;
    let events = state.app.store.dossier_events(&d.id).await?;
    let files = crate::pages::office::desk_files::panel(state, &actor, d, &events, lang).await?;
    if d.status == Status::Draft {
        let data = posted.unwrap_or_else(|| stored.form_data.clone());
        let form = state.app.eforms.pinned(&state.app.store, d).await?;
        let (sections, mut errors) = match &form {
            Some(f) => render_form(f.definition(), &data, &fb.fields),
            None => (
                Vec::new(),
                crate::pages::shared::forms_render::summary(&fb.fields),
            ),
        };
        if errors.is_empty()
            && let Some(e) = &fb.error
        {
            errors.push(ErrorLink {
                id: "to-khai".into(),
                message: e.clone(),
            });
        }
        let page = DraftPage {
            user: user.nav(),
            csrf: user.csrf(),
            s,
            form_title: form.as_ref().map(|f| f.title().to_owned()),
            note: data
                .get("note")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            fb,
            sections,
            errors,
            files,
        };
        return Ok(render(&page, status));
    }
    let supplement = (d.status == Status::SupplementRequested)
        .then(|| {
            events.iter().rev().find_map(|e| match &e.change {
                Change::SupplementRequested { items, reason } => {
                    Some((items.clone(), reason.clone()))
                }
                _ => None,
            })
        })
        .flatten();
    let page = DossierPage {
        user: user.nav(),
        csrf: user.csrf(),
        data: dossier_view::form_data(state, stored, lang).await?,
        timeline: dossier_view::timeline(state, &events, false, lang).await,
        docs: dossier_view::documents(&state.app.store.documents(&d.id).await?, lang),
        supplement,
        can_withdraw: !d.status.is_terminal() && d.status != Status::Completed,
        can_rate: d.status == Status::Returned && d.rating.is_none(),
        files,
        s,
        fb,
    };
    Ok(render(&page, status))
}

/// Officers who open an applicant's link go to their own view of it.
pub(crate) async fn own(state: &AppState, user: &PageUser, id: &str) -> Result<Stored, Response> {
    let Some(account) = user.account() else {
        return Err(ApiError::unauthenticated().into_response());
    };
    let stored = motcua_app::dossiers::readable(&state.app, &account.actor(), id)
        .await
        .map_err(|e| ApiError::from(e).into_response())?;
    if stored.state.applicant == account.id {
        Ok(stored)
    } else {
        Err(Redirect::to(&format!("/can-bo/ho-so/{id}")).into_response())
    }
}

pub async fn show(
    State(state): State<AppState>,
    user: PageUser,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
) -> Result<Response, ApiError> {
    if user.account().is_none() {
        return Ok(login_redirect(&uri));
    }
    let stored = match own(&state, &user, &id).await {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    page(
        &state,
        &user,
        &stored,
        Feedback::ok(&q, user.lang()),
        None,
        StatusCode::OK,
    )
    .await
}

/// "Lưu nháp" keeps whatever was typed. "Nộp hồ sơ" checks the declaration first: when
/// it holds, the checked answers are saved and the applicant goes on to the review page,
/// where "Xác nhận nộp hồ sơ" submits (`portal_review`); when not, the errors come back at
/// the fields and nothing is saved.
pub async fn save_or_submit(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let p = Posted(f);
    if !user.csrf_ok(p.get("csrf_token")) {
        return Err(ApiError::csrf());
    }
    let stored = match own(&state, &user, &id).await {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let Some(account) = user.account() else {
        return Err(ApiError::unauthenticated());
    };
    let form = state
        .app
        .eforms
        .pinned(&state.app.store, &stored.state)
        .await?;
    let data = match &form {
        Some(form) => read_posted(form.definition(), &p),
        None => match p.text("note") {
            Some(n) => json!({ "note": n }),
            None => json!({}),
        },
    };
    let review = p.get("action") == Some("submit");
    let result = if review {
        // The domain's own check, the same one the submission makes again: the review
        // page then shows the answers exactly as they will be submitted.
        match service::validate_form(form.as_deref(), &data, crate::pages::vn_today()) {
            Ok(checked) => {
                let req = Request::SaveForm { form_data: checked };
                service::execute(&state.app, &account.actor(), &id, version_of(&p), req)
                    .await
                    .map_err(ApiError::from)
            }
            Err(e) => Err(e.into()),
        }
    } else {
        let req = Request::SaveForm {
            form_data: data.clone(),
        };
        service::execute(&state.app, &account.actor(), &id, version_of(&p), req)
            .await
            .map_err(ApiError::from)
    };
    match result {
        Ok(_) if review => Ok(Redirect::to(&format!("/ho-so/{id}/xem-lai")).into_response()),
        Ok(_) => Ok(Redirect::to(&format!("/ho-so/{id}?ok=saved")).into_response()),
        Err(e) => {
            let stored = load(&state, &id).await?;
            let (fb, status) = Feedback::failed(e, user.lang());
            page(&state, &user, &stored, fb, Some(data), status).await
        }
    }
}

/// The applicant's actions on a submitted dossier: supplement, withdraw, rate.
pub async fn act(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, action)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let p = Posted(f);
    if !user.csrf_ok(p.get("csrf_token")) {
        return Err(ApiError::csrf());
    }
    let stored = match own(&state, &user, &id).await {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let Some(account) = user.account() else {
        return Err(ApiError::unauthenticated());
    };
    let req = match action.as_str() {
        "bo-sung" => Ok((
            "supplemented",
            Request::CompleteSupplement { form_data: None },
        )),
        // Without JavaScript there is no confirm dialog: the tick box is the confirmation.
        "rut" if p.get("confirm").is_none() => Err(ApiError::invalid(
            "confirm",
            "required",
            "Hãy đánh dấu ô xác nhận để rút hồ sơ.",
            "Tick the confirmation to withdraw.",
        )),
        "rut" => Ok((
            "withdrawn",
            Request::Other(Command::Withdraw {
                reason: p.text("reason"),
            }),
        )),
        "danh-gia" => match p.get("rating") {
            Some("satisfied") => Ok(Rating::Satisfied),
            Some("unsatisfied") => Ok(Rating::Unsatisfied),
            _ => Err(ApiError::invalid(
                "rating",
                "required",
                "Hãy chọn Hài lòng hoặc Không hài lòng.",
                "Choose a rating.",
            )),
        }
        .map(|rating| {
            (
                "rated",
                Request::Other(Command::Rate {
                    rating,
                    comment: p.text("comment"),
                }),
            )
        }),
        _ => return Err(ApiError::not_found("thao tác", "Action")),
    };
    let result = match req {
        Ok((ok, req)) => service::execute(&state.app, &account.actor(), &id, version_of(&p), req)
            .await
            .map_err(ApiError::from)
            .map(|_| ok),
        Err(e) => Err(e),
    };
    match result {
        Ok(ok) => Ok(Redirect::to(&format!("/ho-so/{id}?ok={ok}")).into_response()),
        Err(e) => {
            let stored = load(&state, &stored.state.id).await?;
            let (fb, status) = Feedback::failed(e, user.lang());
            page(&state, &user, &stored, fb, None, status).await
        }
    }
}
