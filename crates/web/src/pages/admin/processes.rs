//! Process definitions (quy trình số) of a procedure: every version with its steps (role,
//! unit relative to the competent one, share of the time limit, allowed actions,
//! inter-agency hand-over), the draft edited as JSON, and publication after the domain's
//! `Process::check`.

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::{self, Lang};
use crate::pages::Form;
use crate::pages::admin::catalogue::{Proc, posted_for, procedure_for};
use crate::pages::admin::{Admin, Feedback, OkQuery, unit_name, when};
use crate::pages::office::names;
use crate::pages::render;
use crate::pages::shared::auth::{Nav, PageUser};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::AppError;
use motcua_domain::dossier::process::ProcessError;
use motcua_domain::dossier::{Process, StepAction, StepUnit};
use motcua_domain::procedure::{DurationUnit, VersionStatus};
use motcua_domain::unit::UnitTree;
use motcua_store::admin_catalogue::ProcessVersion;

/// One problem in the JSON or in the definition, with where it is.
pub struct Problem {
    pub at: String,
    pub message: String,
}

pub struct StepRow {
    number: usize,
    /// Data, in Vietnamese.
    name: String,
    role: &'static str,
    unit: String,
    /// The unit is a named unit (data, Vietnamese) rather than a relation.
    unit_vi: bool,
    hours: u32,
    share: String,
    actions: String,
    inter_agency: String,
}

pub struct VersionView {
    version: i64,
    draft: bool,
    created: String,
    published: String,
    steps: Vec<StepRow>,
    total_hours: u32,
    total_share: String,
}

#[derive(Template)]
#[template(path = "admin_process.html")]
struct ProcessPage {
    user: Option<Nav>,
    csrf: String,
    lang: Lang,
    fb: Feedback,
    code: String,
    name: String,
    time_limit: String,
    versions: Vec<VersionView>,
    standard: bool,
    draft: Option<i64>,
    can_edit: bool,
    can_publish: bool,
    text: String,
    problems: Vec<Problem>,
}

fn action_name(lang: Lang, a: StepAction) -> &'static str {
    match a {
        StepAction::Forward => lang.t("admin.process.action.forward"),
        StepAction::SendBack => lang.t("admin.process.action.send_back"),
        StepAction::RequestSupplement => lang.t("admin.process.action.request_supplement"),
        StepAction::RequestPayment => lang.t("admin.process.action.request_payment"),
        StepAction::Extend => lang.t("admin.process.action.extend"),
        StepAction::Stop => lang.t("admin.process.action.stop"),
        StepAction::Complete => lang.t("admin.process.action.complete"),
        StepAction::Transfer => lang.t("admin.process.action.transfer"),
    }
}

fn step_unit(lang: Lang, u: &StepUnit, tree: &UnitTree) -> String {
    match u {
        StepUnit::Competent => lang.t("admin.process.unit.competent").into(),
        StepUnit::Parent => lang.t("admin.process.unit.parent").into(),
        StepUnit::Named { unit } => unit_name(tree, unit),
    }
}

/// The reader's message for a refusal, with the step it is about.
pub fn process_error(lang: Lang, e: &ProcessError) -> Problem {
    let step = |i: &usize| lang.f2("admin.process.step_at", i + 1, i);
    let (at, message) = match e {
        ProcessError::NoSteps => (
            "steps".into(),
            lang.t("admin.process.error.no_steps").into(),
        ),
        ProcessError::EmptyName(i) => (step(i), lang.t("admin.process.error.empty_name").into()),
        ProcessError::NoActions(i) => (step(i), lang.t("admin.process.error.no_actions").into()),
        ProcessError::LastCannotComplete => (
            "steps".into(),
            lang.t("admin.process.error.last_cannot_complete").into(),
        ),
        ProcessError::CompleteBeforeLast(i) => (
            step(i),
            lang.t("admin.process.error.complete_before_last").into(),
        ),
        ProcessError::ForwardFromLast(i) => (
            step(i),
            lang.t("admin.process.error.forward_from_last").into(),
        ),
        ProcessError::SendBackFromFirst(i) => (
            step(i),
            lang.t("admin.process.error.send_back_from_first").into(),
        ),
        ProcessError::UnknownUnit(i, u) => (step(i), lang.f("admin.process.error.unknown_unit", u)),
        ProcessError::InterAgencyWithoutForward(i) => (
            step(i),
            lang.t("admin.process.error.inter_agency_without_forward")
                .into(),
        ),
    };
    Problem { at, message }
}

/// Reads the posted JSON: a syntax or shape error with its line and column, a definition
/// for another procedure, or the process.
pub fn parse_process(lang: Lang, text: &str, p: &Proc) -> Result<Process, Problem> {
    let process: Process = serde_json::from_str(text).map_err(|e| Problem {
        at: lang.f2("admin.process.line_column", e.line(), e.column()),
        message: match e.classify() {
            serde_json::error::Category::Syntax => lang.f("admin.process.error.syntax", &e),
            serde_json::error::Category::Eof => lang.t("admin.process.error.eof").to_owned(),
            _ => lang.f("admin.process.error.shape", &e),
        },
    })?;
    if process.procedure != p.code {
        return Err(Problem {
            at: "procedure".into(),
            message: lang.f("admin.process.error.other_procedure", &p.code),
        });
    }
    Ok(process)
}

/// Working hours of the procedure's time limit, when it is counted in working time.
fn limit_hours(p: &Proc, day_hours: u32) -> Option<u32> {
    let t = p.latest.time_limit?;
    let thousandths = u64::from(t.thousandths());
    let hours = match t.unit() {
        DurationUnit::WorkingDays => thousandths * u64::from(day_hours) / 1000,
        DurationUnit::Hours => thousandths / 1000,
        DurationUnit::Days | DurationUnit::Months => return None,
    };
    u32::try_from(hours).ok().filter(|h| *h > 0)
}

fn share(hours: u32, of: Option<u32>) -> String {
    match of {
        Some(total) => format!(
            "{} %",
            (u64::from(hours) * 100 + u64::from(total) / 2) / u64::from(total)
        ),
        None => "–".into(),
    }
}

fn view(lang: Lang, v: &ProcessVersion, tree: &UnitTree, limit: Option<u32>) -> VersionView {
    let steps: Vec<StepRow> = v
        .process
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| StepRow {
            number: i + 1,
            name: s.name.clone(),
            role: names::role(lang, s.role),
            unit: step_unit(lang, &s.unit, tree),
            unit_vi: lang.is_en() && matches!(s.unit, StepUnit::Named { .. }),
            hours: s.hours,
            share: share(s.hours, limit),
            actions: s
                .actions
                .iter()
                .map(|a| action_name(lang, *a))
                .collect::<Vec<_>>()
                .join(", "),
            inter_agency: s.inter_agency.as_ref().map_or_else(String::new, |x| {
                lang.f2(
                    "admin.process.inter_agency",
                    step_unit(lang, &x.unit, tree),
                    &x.procedure,
                )
            }),
        })
        .collect();
    let total_hours = steps.iter().map(|s| s.hours).sum();
    VersionView {
        version: v.version,
        draft: v.status == VersionStatus::Draft,
        created: when(v.created_at),
        published: v.published_at.map(when).unwrap_or_default(),
        total_share: share(total_hours, limit),
        total_hours,
        steps,
    }
}

fn pretty(p: &Process) -> String {
    serde_json::to_string_pretty(p).unwrap_or_default()
}

async fn page(
    state: &AppState,
    a: Admin,
    p: Proc,
    fb: Feedback,
    text: Option<String>,
    mut problems: Vec<Problem>,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let versions = state.app.store.process_versions(&p.code).await?;
    let day_hours = u32::try_from(
        state
            .app
            .calendar
            .current()
            .windows()
            .day_length()
            .num_hours(),
    )
    .unwrap_or(8);
    let limit = limit_hours(&p, day_hours);
    let draft = versions
        .iter()
        .find(|v| v.status == VersionStatus::Draft)
        .map(|v| v.version);
    // The editor starts from the open draft, else the version in force, else the
    // standard two-step process every procedure without its own definition follows.
    let start = versions
        .last()
        .map(|v| v.process.clone())
        .unwrap_or_else(|| Process::standard(p.code.clone()));
    if problems.is_empty()
        && text.is_none()
        && draft.is_some()
        && let Err(e) = start.check(&a.tree)
    {
        problems.push(process_error(a.lang, &e));
    }
    let lang = a.lang;
    let page = ProcessPage {
        lang,
        fb,
        code: p.code.to_string(),
        name: p.name.clone(),
        time_limit: p.latest.time_limit.map_or_else(
            || lang.t("admin.process.no_time_limit").into(),
            |t| i18n::time_limit(lang, &t),
        ),
        standard: versions.is_empty(),
        versions: versions
            .iter()
            .rev()
            .map(|v| view(lang, v, &a.tree, limit))
            .collect(),
        draft,
        can_edit: p.can_edit,
        can_publish: p.can_publish_process,
        text: text.unwrap_or_else(|| pretty(&start)),
        problems,
        user: a.nav,
        csrf: a.csrf,
    };
    Ok(render(&page, status))
}

pub async fn show(
    State(state): State<AppState>,
    a: Admin,
    Path(code): Path<String>,
    Query(q): Query<OkQuery>,
) -> Result<Response, ApiError> {
    let p = procedure_for(&state, &a, &code).await?;
    let fb = Feedback::from_query(a.lang, q.ok.as_deref());
    page(&state, a, p, fb, None, Vec::new(), StatusCode::OK).await
}

pub async fn save(
    State(state): State<AppState>,
    user: PageUser,
    Path(code): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (a, p, posted) = posted_for(&state, &user, &code, f, |p| p.can_edit).await?;
    let text = posted.get("definition").unwrap_or_default().to_owned();
    match parse_process(a.lang, &text, &p) {
        Ok(process) => {
            motcua_app::procedures::save_process(&state.app, &a.actor, &process).await?;
            Ok(Redirect::to(&format!(
                "/quan-tri/thu-tuc/{}/quy-trinh?ok=process_saved",
                p.code
            ))
            .into_response())
        }
        Err(problem) => {
            let fb = Feedback::error(a.lang.t("admin.process.not_saved"), Vec::new());
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            page(&state, a, p, fb, Some(text), vec![problem], status).await
        }
    }
}

pub async fn publish(
    State(state): State<AppState>,
    user: PageUser,
    Path((code, version)): Path<(String, i64)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (a, p, _) = posted_for(&state, &user, &code, f, |p| p.can_publish_process).await?;
    let result =
        motcua_app::procedures::publish_process(&state.app, &a.actor, &p.code, version).await;
    let (fb, problems) = match result {
        Ok(Ok(())) => {
            return Ok(Redirect::to(&format!(
                "/quan-tri/thu-tuc/{}/quy-trinh?ok=process_published",
                p.code
            ))
            .into_response());
        }
        Ok(Err(e)) => (
            Feedback::error(a.lang.f("admin.process.not_published", version), Vec::new()),
            vec![process_error(a.lang, &e)],
        ),
        Err(AppError::VersionAlreadyPublished) => (
            Feedback::error(
                a.lang.f("admin.process.already_published", version),
                Vec::new(),
            ),
            Vec::new(),
        ),
        Err(e) => return Err(e.into()),
    };
    page(
        &state,
        a,
        p,
        fb,
        None,
        problems,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}
