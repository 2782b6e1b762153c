//! The officers' pages: the inbox, a dossier with exactly the actions this officer may take
//! at its step, and the printable receipt (form 01). Actions go through `service::execute`.

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::{self, Lang};
use crate::pages::Form;
use crate::pages::office::dossier_view::{self, DataRow, DocRow, Summary, TimelineRow};
use crate::pages::portal::catalogue::UnitOption;
use crate::pages::portal::dossiers::{Feedback, OkQuery, version_of};
use crate::pages::shared::auth::{Nav, PageUser};
use crate::pages::shared::forms_render::Posted;
use crate::pages::{encode, login_redirect, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use motcua_app::dossiers as service;
use motcua_domain::access::{Action, Actor, units_for};
use motcua_domain::dossier::{Dossier, Status};
use motcua_store::dossiers::{InboxCounts, InboxFilter, Stored};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct InboxQuery {
    status: Option<String>,
    due: Option<String>,
    cursor: Option<String>,
    ok: Option<String>,
}

pub struct InboxRow {
    id: String,
    code: String,
    procedure: String,
    status_label: &'static str,
    due: String,
    late: bool,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    user: Option<Nav>,
    csrf: String,
    fb: Feedback,
    counts: InboxCounts,
    statuses: Vec<(&'static str, &'static str, bool)>,
    due: String,
    rows: Vec<InboxRow>,
    next: Option<String>,
}

impl InboxPage {
    fn lang(&self) -> Lang {
        self.user
            .as_ref()
            .map(|n| n.reader.lang)
            .unwrap_or_default()
    }
}

const STATUSES: [Status; 7] = [
    Status::Submitted,
    Status::Received,
    Status::Processing,
    Status::SupplementRequested,
    Status::PaymentRequested,
    Status::Completed,
    Status::Returned,
];

pub async fn inbox(
    State(state): State<AppState>,
    user: PageUser,
    uri: Uri,
    Query(q): Query<InboxQuery>,
) -> Result<Response, ApiError> {
    let Some(account) = user.account() else {
        return Ok(login_redirect(&uri));
    };
    let lang = user.lang();
    let tree = state.app.store.unit_tree().await?;
    let units = units_for(&account.actor(), Action::ReadDossier, &tree);
    if units.is_empty() {
        return Err(ApiError::forbidden());
    }
    let status = q
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(Status::parse);
    let now = Utc::now();
    let due = q.due.clone().unwrap_or_default();
    let due_before = match due.as_str() {
        "soon" => Some(motcua_app::time::end_of_day(now, 1)),
        "overdue" => Some(now),
        _ => None,
    };
    let desks = units_for(&account.actor(), Action::ReceiveDossier, &tree);
    let filter = InboxFilter {
        units: units.clone(),
        desks: desks.clone(),
        status,
        procedure: None,
        due_before,
        limit: 25,
        cursor: q.cursor.clone().filter(|c| !c.is_empty()),
    };
    let (items, next_cursor) = state.app.store.inbox(&filter).await?;
    let counts = state
        .app
        .store
        .inbox_counts(&units, &desks, now, motcua_app::time::end_of_day(now, 0))
        .await?;
    let mut rows = Vec::new();
    for d in &items {
        rows.push(InboxRow {
            id: d.id.clone(),
            code: d
                .code
                .as_ref()
                .map_or_else(|| lang.t("mine.no_code").to_owned(), ToString::to_string),
            procedure: state
                .app
                .store
                .procedure(&d.procedure)
                .await
                .map_or_else(|_| d.procedure.to_string(), |p| p.procedure.name),
            status_label: i18n::status(lang, d.status),
            due: d
                .current_due_at
                .map(|t| i18n::when(lang, t))
                .unwrap_or_default(),
            late: d.current_due_at.is_some_and(|t| t < now) && !d.status.is_terminal(),
        });
    }
    let status_q = status.map(|s| s.as_str()).unwrap_or_default();
    let next = next_cursor.map(|c| {
        format!(
            "/can-bo?status={}&due={}&cursor={}",
            encode(status_q),
            encode(&due),
            encode(&c)
        )
    });
    let page = InboxPage {
        user: user.nav(),
        csrf: user.csrf(),
        fb: Feedback::ok(&OkQuery { ok: q.ok.clone() }, lang),
        counts,
        statuses: STATUSES
            .iter()
            .map(|s| (s.as_str(), i18n::status(lang, *s), Some(*s) == status))
            .collect(),
        due,
        rows,
        next,
    };
    Ok(render(&page, StatusCode::OK))
}

#[derive(Default)]
pub struct Actions {
    receive: bool,
    desks: Vec<UnitOption>,
    need_due: bool,
    forward: bool,
    send_back: bool,
    transfer: bool,
    /// The procedure's other competent units, for the transfer form.
    transfer_units: Vec<UnitOption>,
    supplement: bool,
    payment: bool,
    confirm_payment: bool,
    extend: bool,
    stop: bool,
    complete: bool,
    return_result: bool,
}

impl Actions {
    fn any(&self) -> bool {
        self.receive
            || self.forward
            || self.send_back
            || self.transfer
            || self.supplement
            || self.payment
            || self.confirm_payment
            || self.extend
            || self.stop
            || self.complete
            || self.return_result
    }
}

/// The buttons for this officer: the domain's answer to what they may do now (a dry run of
/// its decision, `motcua_domain::dossier::allowed`), with the choices the forms offer.
async fn actions(state: &AppState, actor: &Actor, d: &Dossier) -> Result<Actions, ApiError> {
    let tree = state.app.store.unit_tree().await?;
    let mut a = Actions::default();
    let mut desks = Vec::new();
    if d.status == Status::Submitted {
        desks = units_for(actor, Action::ReceiveDossier, &tree)
            .into_iter()
            .filter(|u| u.province() == d.unit.province())
            .collect();
        a.desks = desks
            .iter()
            .map(|u| UnitOption {
                code: u.to_string(),
                name: tree
                    .get(u)
                    .map_or_else(|| u.to_string(), |x| x.name.clone()),
                selected: *u == d.unit,
            })
            .collect();
        a.need_due = state
            .app
            .store
            .procedure(&d.procedure)
            .await
            .map(|p| p.procedure.time_limit.is_none())
            .unwrap_or(true);
    }
    let mut targets = Vec::new();
    if d.step.is_some() && !d.status.is_terminal() {
        let (_, process) = service::process_for(&state.app, d).await?;
        let competent = state
            .app
            .store
            .procedure(&d.procedure)
            .await?
            .procedure
            .units;
        targets = motcua_domain::dossier::transfer_targets(d, &process, &competent, &tree);
    }
    let may = service::allowed(&state.app, actor, d, desks.first(), targets.first()).await?;
    a.receive = may.receive;
    a.forward = may.forward;
    a.send_back = may.send_back;
    a.transfer = may.transfer;
    if a.transfer {
        a.transfer_units = targets
            .into_iter()
            .map(|u| UnitOption {
                name: tree
                    .get(&u)
                    .map_or_else(|| u.to_string(), |x| x.name.clone()),
                code: u.to_string(),
                selected: false,
            })
            .collect();
    }
    a.supplement = may.request_supplement;
    a.payment = may.request_payment;
    a.extend = may.extend;
    a.stop = may.stop;
    a.complete = may.complete;
    a.confirm_payment = may.confirm_payment;
    a.return_result = may.return_result;
    Ok(a)
}

#[derive(Template)]
#[template(path = "office_dossier.html")]
struct OfficePage {
    user: Option<Nav>,
    csrf: String,
    s: Summary,
    fb: Feedback,
    a: Actions,
    data: Vec<DataRow>,
    timeline: Vec<TimelineRow>,
    docs: Vec<DocRow>,
    files: crate::pages::office::desk_files::FilesPanel,
    portal: crate::pages::office::portal_sync::PortalView,
}

impl OfficePage {
    fn lang(&self) -> Lang {
        self.s.lang
    }
}

/// The dossier, if this officer may read it; otherwise "not found", as the API answers.
async fn readable(state: &AppState, actor: &Actor, id: &str) -> Result<Stored, ApiError> {
    Ok(motcua_app::dossiers::readable_as_officer(&state.app, actor, id).await?)
}

pub(crate) async fn page(
    state: &AppState,
    user: &PageUser,
    actor: &Actor,
    stored: &Stored,
    fb: Feedback,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let d = &stored.state;
    let lang = user.lang();
    let events = state.app.store.dossier_events(&d.id).await?;
    let page = OfficePage {
        user: user.nav(),
        csrf: user.csrf(),
        s: dossier_view::summary(state, d, lang).await?,
        fb,
        a: actions(state, actor, d).await?,
        data: dossier_view::form_data(state, stored, lang).await?,
        timeline: dossier_view::timeline(state, &events, true, lang).await,
        docs: dossier_view::documents(&state.app.store.documents(&d.id).await?, lang),
        files: crate::pages::office::desk_files::panel(state, actor, d, &events, lang).await?,
        portal: crate::pages::office::portal_sync::view(state, actor, d, &events, lang).await?,
    };
    Ok(render(&page, status))
}

pub async fn show(
    State(state): State<AppState>,
    user: PageUser,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
) -> Result<Response, ApiError> {
    let Some(account) = user.account() else {
        return Ok(login_redirect(&uri));
    };
    let actor = account.actor();
    let stored = readable(&state, &actor, &id).await?;
    page(
        &state,
        &user,
        &actor,
        &stored,
        Feedback::ok(&q, user.lang()),
        StatusCode::OK,
    )
    .await
}

pub async fn act(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, action)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let p = Posted(f);
    let Some(account) = user.account() else {
        return Err(ApiError::unauthenticated());
    };
    if !user.csrf_ok(p.get("csrf_token")) {
        return Err(ApiError::csrf());
    }
    let actor = account.actor();
    readable(&state, &actor, &id).await?;
    let result = match crate::pages::office::action_forms::request(&action, &p) {
        Ok((ok, req)) => match service::execute(&state.app, &actor, &id, version_of(&p), req).await
        {
            Ok(_) => Ok(ok),
            // Gone, or no longer this officer's to read: the 404 page, not the dossier's.
            Err(e @ motcua_app::AppError::NotFound(_)) => return Err(e.into()),
            Err(e) => Err(ApiError::from(e)),
        },
        Err(e) => Err(e),
    };
    match result {
        // A dossier transferred away may no longer be this officer's to read.
        Ok(ok) if readable(&state, &actor, &id).await.is_err() => {
            Ok(Redirect::to(&format!("/can-bo?ok={ok}")).into_response())
        }
        Ok(ok) => Ok(Redirect::to(&format!("/can-bo/ho-so/{id}?ok={ok}")).into_response()),
        Err(e) => {
            let stored = readable(&state, &actor, &id).await?;
            let (fb, status) = Feedback::failed(e, user.lang());
            page(&state, &user, &actor, &stored, fb, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage {
    user: Option<Nav>,
    csrf: String,
    s: Summary,
    applicant: String,
    desk: String,
    secret: String,
    components: Vec<String>,
}

impl ReceiptPage {
    /// The reader's language, for the page around the form; the form itself is Vietnamese.
    fn lang(&self) -> Lang {
        self.user
            .as_ref()
            .map(|n| n.reader.lang)
            .unwrap_or_default()
    }
}

/// Form 01, to print and hand to the applicant at the desk.
pub async fn receipt(
    State(state): State<AppState>,
    user: PageUser,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let Some(account) = user.account() else {
        return Ok(login_redirect(&uri));
    };
    let stored = readable(&state, &account.actor(), &id).await?;
    let d = &stored.state;
    let docs = state.app.store.documents(&d.id).await?;
    let form01 = docs
        .iter()
        .find(|x| x.form == "01")
        .ok_or_else(|| ApiError::not_found("giấy tiếp nhận của hồ sơ", "Receipt"))?;
    let tree = state.app.store.unit_tree().await?;
    let components = state
        .app
        .store
        .procedure(&d.procedure)
        .await
        .map(|p| {
            p.procedure
                .components
                .iter()
                .map(|c| c.name().to_owned())
                .collect()
        })
        .unwrap_or_default();
    let page = ReceiptPage {
        user: user.nav(),
        csrf: user.csrf(),
        // Form 01 is a Vietnamese legal document, whatever the reader's language.
        s: dossier_view::summary(&state, d, Lang::Vi).await?,
        applicant: crate::pages::office::desk::applicant_name(&state, &stored).await,
        desk: d
            .desk
            .as_ref()
            .map(|u| {
                tree.get(u)
                    .map_or_else(|| u.to_string(), |x| x.name.clone())
            })
            .unwrap_or_default(),
        secret: form01
            .body
            .get("lookup_secret")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned(),
        components,
    };
    Ok(render(&page, StatusCode::OK))
}
