//! Reception of a paper dossier at the one-stop desk (`/can-bo/tiep-nhan`): the officer
//! finds the procedure, records the applicant (name, CCCD, phone) and, for each component,
//! whether it was scanned or its paper original seen and why it was not digitised; the
//! dossier is then taken in, digitised and received in one commit, and the officer prints
//! the receipt (form 01).

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::{self, Lang};
use crate::pages::office::desk_intake::take_in;
use crate::pages::portal::catalogue::UnitOption;
use crate::pages::shared::auth::{Nav, PageUser};
use crate::pages::shared::forms_render::Posted;
use crate::pages::{login_redirect, render};
use crate::uploads::{self as df};
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::access::{Action, Actor, units_for};
use motcua_domain::procedure::Procedure;
use motcua_domain::{ProcedureCode, UnitCode};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct DeskQuery {
    q: Option<String>,
    thu_tuc: Option<String>,
}

pub struct Hit {
    code: String,
    name: String,
}

pub struct ComponentInput {
    no: usize,
    name: String,
    required: bool,
    originals: u32,
    copies: u32,
    /// scan, paper or none
    choice: String,
    reason: String,
}

pub struct Chosen {
    code: String,
    name: String,
    time_limit: Option<String>,
    need_due: bool,
    units: Vec<UnitOption>,
    desks: Vec<UnitOption>,
    components: Vec<ComponentInput>,
}

/// What the officer typed, kept when the form comes back with an error.
#[derive(Default)]
pub struct Typed {
    name: String,
    cccd: String,
    phone: String,
    kind: String,
    channel: String,
    due_date: String,
}

#[derive(Template)]
#[template(path = "desk_reception.html")]
struct DeskPage {
    user: Option<Nav>,
    csrf: String,
    q: String,
    hits: Vec<Hit>,
    searched: bool,
    chosen: Option<Chosen>,
    typed: Typed,
    error: Option<String>,
    problems: Vec<String>,
    idempotency_key: String,
    max_mb: u64,
}

impl DeskPage {
    fn lang(&self) -> Lang {
        self.user
            .as_ref()
            .map(|n| n.reader.lang)
            .unwrap_or_default()
    }
}

/// The desks this officer receives at.
fn desks_of(actor: &Actor, tree: &motcua_domain::unit::UnitTree) -> Vec<UnitCode> {
    units_for(actor, Action::ReceiveDossier, tree)
}

fn unit_options(
    codes: &[UnitCode],
    tree: &motcua_domain::unit::UnitTree,
    selected: Option<&str>,
) -> Vec<UnitOption> {
    codes
        .iter()
        .map(|u| UnitOption {
            code: u.to_string(),
            name: tree
                .get(u)
                .map_or_else(|| u.to_string(), |x| x.name.clone()),
            selected: selected == Some(u.as_str()),
        })
        .collect()
}

fn chosen(
    p: &Procedure,
    tree: &motcua_domain::unit::UnitTree,
    desks: &[UnitCode],
    posted: Option<&Posted>,
    lang: Lang,
) -> Chosen {
    let get = |k: &str| posted.and_then(|p| p.get(k)).unwrap_or_default().to_owned();
    let unit_sel = posted.and_then(|p| p.get("unit")).or_else(|| {
        // A desk of the competent unit itself is the likely choice.
        p.units
            .iter()
            .find(|u| desks.contains(u))
            .map(UnitCode::as_str)
    });
    let desk_sel = posted
        .and_then(|p| p.get("desk"))
        .or_else(|| desks.first().map(UnitCode::as_str));
    Chosen {
        code: p.code.to_string(),
        name: p.name.clone(),
        time_limit: p.time_limit.as_ref().map(|t| i18n::time_limit(lang, t)),
        need_due: p.time_limit.is_none(),
        units: unit_options(&p.units, tree, unit_sel),
        desks: unit_options(desks, tree, desk_sel),
        components: p
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let c = c.component();
                let no = i + 1;
                ComponentInput {
                    no,
                    required: c.required,
                    originals: c.originals,
                    copies: c.copies,
                    choice: posted
                        .and_then(|p| p.get(&format!("choice_{no}")))
                        .unwrap_or(if c.required { "scan" } else { "none" })
                        .to_owned(),
                    reason: get(&format!("reason_{no}")),
                    name: c.name,
                }
            })
            .collect(),
    }
}

async fn officer(
    state: &AppState,
    user: &PageUser,
) -> Result<(Actor, Vec<UnitCode>, motcua_domain::unit::UnitTree), ApiError> {
    let account = user.account().ok_or_else(ApiError::unauthenticated)?;
    let actor = account.actor();
    let tree = state.app.store.unit_tree().await?;
    let desks = desks_of(&actor, &tree);
    if desks.is_empty() {
        return Err(ApiError::forbidden());
    }
    Ok((actor, desks, tree))
}

#[allow(clippy::too_many_arguments)]
async fn show_form(
    state: &AppState,
    user: &PageUser,
    q: String,
    procedure: Option<&Procedure>,
    posted: Option<&Posted>,
    error: Option<String>,
    problems: Vec<String>,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let (_, desks, tree) = officer(state, user).await?;
    let searched = !q.trim().is_empty();
    let hits = if searched && procedure.is_none() {
        let sq = motcua_store::procedures::SearchQuery {
            q: Some(q.clone()),
            limit: 20,
            ..Default::default()
        };
        state
            .app
            .store
            .search_procedures(&sq)
            .await?
            .items
            .into_iter()
            .map(|p| Hit {
                code: p.procedure.code.to_string(),
                name: p.procedure.name,
            })
            .collect()
    } else {
        Vec::new()
    };
    let get = |k: &str| posted.and_then(|p| p.get(k)).unwrap_or_default().to_owned();
    let page = DeskPage {
        user: user.nav(),
        csrf: user.csrf(),
        q,
        hits,
        searched,
        chosen: procedure.map(|p| chosen(p, &tree, &desks, posted, user.lang())),
        typed: Typed {
            name: get("applicant_name"),
            cccd: get("applicant_cccd"),
            phone: get("applicant_phone"),
            kind: get("applicant_kind"),
            channel: get("channel"),
            due_date: get("due_date"),
        },
        error,
        problems,
        idempotency_key: posted
            .and_then(|p| p.get("idempotency_key"))
            .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned),
        max_mb: state.app.files.max_bytes() / (1024 * 1024),
    };
    Ok(render(&page, status))
}

/// `GET /can-bo/tiep-nhan`: search a procedure, then the reception form for it.
pub async fn form(
    State(state): State<AppState>,
    user: PageUser,
    uri: Uri,
    Query(q): Query<DeskQuery>,
) -> Result<Response, ApiError> {
    if user.account().is_none() {
        return Ok(login_redirect(&uri));
    }
    let procedure = match q.thu_tuc.as_deref().filter(|c| !c.is_empty()) {
        Some(code) => {
            let code = ProcedureCode::parse(code)
                .map_err(|_| ApiError::not_found("thủ tục", "Procedure"))?;
            Some(
                state
                    .app
                    .store
                    .procedure(&code)
                    .await
                    .map_err(|_| ApiError::not_found("thủ tục", "Procedure"))?
                    .procedure,
            )
        }
        None => None,
    };
    let query = q.q.unwrap_or_default();
    show_form(
        &state,
        &user,
        query,
        procedure.as_ref(),
        None,
        None,
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /can-bo/tiep-nhan`: takes in, digitises and receives the paper dossier at once.
pub async fn receive(
    State(state): State<AppState>,
    user: PageUser,
    mp: Multipart,
) -> Result<Response, ApiError> {
    let (actor, desks, _) = officer(&state, &user).await?;
    let read = df::read_multipart_all(&state, mp, |p| {
        if user.csrf_ok(p.get("csrf_token")) {
            Ok(())
        } else {
            Err(ApiError::csrf())
        }
    })
    .await?;
    let (posted, files) = (read.fields, read.files);
    if !user.csrf_ok(posted.get("csrf_token")) {
        return Err(ApiError::csrf());
    }
    let code = ProcedureCode::parse(posted.get("procedure").unwrap_or_default())
        .map_err(|_| ApiError::not_found("thủ tục", "Procedure"))?;
    let published = state
        .app
        .store
        .procedure(&code)
        .await
        .map_err(|_| ApiError::not_found("thủ tục", "Procedure"))?;
    let procedure = &published.procedure;
    let lang = user.lang();
    let again = |e: ApiError, problems: Vec<String>| {
        let status = e.status;
        let mut message = lang.pick(&e.vi, &e.en).to_owned();
        if !files.is_empty() || !read.refused.is_empty() {
            message.push(' ');
            message.push_str(lang.t("desk.choose_files_again"));
        }
        (message, problems, status)
    };
    // A refused scan sends the form back with everything typed, saying which file.
    if let Some(first) = read.refused.first() {
        let problems = read
            .refused
            .iter()
            .map(|r| refused_problem(procedure, r, lang))
            .collect();
        let (message, problems, status) = again(first.error.clone(), problems);
        return show_form(
            &state,
            &user,
            String::new(),
            Some(procedure),
            Some(&posted),
            Some(message),
            problems,
            status,
        )
        .await;
    }
    match take_in(&state, &actor, &desks, &published, &posted, &files, lang).await {
        Ok(id) => Ok(Redirect::to(&format!("/can-bo/ho-so/{id}/phieu-tiep-nhan")).into_response()),
        Err((e, problems)) => {
            let (message, problems, status) = again(e, problems);
            show_form(
                &state,
                &user,
                String::new(),
                Some(procedure),
                Some(&posted),
                Some(message),
                problems,
                status,
            )
            .await
        }
    }
}

/// "Thành phần 1 (Tờ khai…): tệp “x.pdf” bị từ chối: …", for the list under the message.
fn refused_problem(p: &Procedure, r: &df::Refused, lang: Lang) -> String {
    let no: Option<usize> = r.field.strip_prefix("scan_").and_then(|n| n.parse().ok());
    let which = match no {
        Some(0) => lang.t("dossier.file.other_component").to_owned(),
        Some(n) => p.components.get(n - 1).map_or_else(
            || lang.f("desk.component_no", n),
            |c| lang.f2("desk.component_named", n, c.name()),
        ),
        None => lang.t("desk.attachment").to_owned(),
    };
    format!(
        "{which}: {} {}",
        lang.f("desk.file_refused", &r.name),
        lang.pick(&r.error.vi, &r.error.en)
    )
}

/// The applicant's name for printed forms: the account's, or the one the desk recorded.
pub async fn applicant_name(state: &AppState, stored: &motcua_store::dossiers::Stored) -> String {
    motcua_app::dossiers::applicant_name(&state.app, stored)
        .await
        .unwrap_or_else(|| "Người nộp hồ sơ".to_owned())
}
