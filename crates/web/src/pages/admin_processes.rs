//! Process definitions (quy trình số) of a procedure: every version with its steps (role,
//! unit relative to the competent one, share of the time limit, allowed actions,
//! inter-agency hand-over), the draft edited as JSON, and publication after the domain's
//! `Process::check`.

use super::admin::{Admin, Feedback, OkQuery, post_admin, unit_name, when};
use super::admin_catalogue::{Proc, procedure_for};
use super::auth::{Nav, PageUser};
use super::forms_render::Posted;
use super::render;
use crate::AppState;
use crate::error::ApiError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::dossier::process::ProcessError;
use motcua_domain::dossier::{Process, StepAction, StepUnit};
use motcua_domain::procedure::{DurationUnit, VersionStatus};
use motcua_domain::unit::UnitTree;
use motcua_store::StoreError;
use motcua_store::admin_catalogue::ProcessVersion;

/// One problem in the JSON or in the definition, with where it is.
pub struct Problem {
    pub at: String,
    pub message: String,
}

pub struct StepRow {
    number: usize,
    name: String,
    role: &'static str,
    unit: String,
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

fn action_vi(a: StepAction) -> &'static str {
    match a {
        StepAction::Forward => "Chuyển bước tiếp",
        StepAction::SendBack => "Trả lại bước trước",
        StepAction::RequestSupplement => "Yêu cầu bổ sung",
        StepAction::RequestPayment => "Yêu cầu nộp phí",
        StepAction::Extend => "Gia hạn (văn bản xin lỗi)",
        StepAction::Stop => "Dừng xử lý",
        StepAction::Complete => "Hoàn thành",
        StepAction::Transfer => "Chuyển đơn vị khác",
    }
}

fn step_unit_vi(u: &StepUnit, tree: &UnitTree) -> String {
    match u {
        StepUnit::Competent => "Đơn vị giải quyết hồ sơ".into(),
        StepUnit::Parent => "Đơn vị cấp trên trực tiếp của đơn vị giải quyết".into(),
        StepUnit::Named { unit } => unit_name(tree, unit),
    }
}

/// The Vietnamese message of a refusal, with the step it is about.
pub fn process_error_vi(e: &ProcessError) -> Problem {
    let step = |i: &usize| format!("Bước {} (steps[{i}])", i + 1);
    let (at, message) = match e {
        ProcessError::NoSteps => ("steps".into(), "Quy trình cần ít nhất một bước.".into()),
        ProcessError::EmptyName(i) => (step(i), "Tên bước đang để trống.".into()),
        ProcessError::NoActions(i) => (step(i), "Bước chưa cho phép thao tác nào.".into()),
        ProcessError::LastCannotComplete => (
            "steps".into(),
            "Bước cuối phải cho phép “Hoàn thành” (complete).".into(),
        ),
        ProcessError::CompleteBeforeLast(i) => (
            step(i),
            "Chỉ bước cuối mới được “Hoàn thành” (complete).".into(),
        ),
        ProcessError::ForwardFromLast(i) => (
            step(i),
            "Bước cuối không có bước tiếp để “Chuyển bước tiếp” (forward).".into(),
        ),
        ProcessError::SendBackFromFirst(i) => (
            step(i),
            "Bước đầu không có bước trước để “Trả lại” (send_back).".into(),
        ),
        ProcessError::UnknownUnit(i, u) => (step(i), format!("Đơn vị {u} không tồn tại.")),
        ProcessError::InterAgencyWithoutForward(i) => (
            step(i),
            "Bước liên thông phải cho phép “Chuyển bước tiếp” (forward) để đi tiếp khi đơn vị kia xử lý xong.".into(),
        ),
    };
    Problem { at, message }
}

/// Reads the posted JSON: a syntax or shape error with its line and column, a definition
/// for another procedure, or the process.
pub fn parse_process(text: &str, p: &Proc) -> Result<Process, Problem> {
    let process: Process = serde_json::from_str(text).map_err(|e| Problem {
        at: format!("Dòng {}, cột {}", e.line(), e.column()),
        message: match e.classify() {
            serde_json::error::Category::Syntax => format!("Sai cú pháp JSON ({e})."),
            serde_json::error::Category::Eof => "JSON kết thúc giữa chừng.".to_owned(),
            _ => format!("Sai cấu trúc quy trình ({e})."),
        },
    })?;
    if process.procedure != p.code {
        return Err(Problem {
            at: "procedure".into(),
            message: format!("Trường procedure phải là mã của thủ tục này ({}).", p.code),
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

fn view(v: &ProcessVersion, tree: &UnitTree, limit: Option<u32>) -> VersionView {
    let steps: Vec<StepRow> = v
        .process
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| StepRow {
            number: i + 1,
            name: s.name.clone(),
            role: s.role.label_vi(),
            unit: step_unit_vi(&s.unit, tree),
            hours: s.hours,
            share: share(s.hours, limit),
            actions: s
                .actions
                .iter()
                .map(|a| action_vi(*a))
                .collect::<Vec<_>>()
                .join(", "),
            inter_agency: s.inter_agency.as_ref().map_or_else(String::new, |x| {
                format!("{} – thủ tục {}", step_unit_vi(&x.unit, tree), x.procedure)
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
    let versions = state.store.process_versions(&p.code).await?;
    let day_hours =
        u32::try_from(state.calendar.current().windows().day_length().num_hours()).unwrap_or(8);
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
        problems.push(process_error_vi(&e));
    }
    let page = ProcessPage {
        fb,
        code: p.code.to_string(),
        name: p.name.clone(),
        time_limit: p.latest.time_limit.map_or_else(
            || "chưa có thông tin".into(),
            |t| motcua_domain::procedure::time_limit_label_vi(&t),
        ),
        standard: versions.is_empty(),
        versions: versions
            .iter()
            .rev()
            .map(|v| view(v, &a.tree, limit))
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
    let fb = Feedback::from_query(q.ok.as_deref());
    page(&state, a, p, fb, None, Vec::new(), StatusCode::OK).await
}

pub async fn save(
    State(state): State<AppState>,
    user: PageUser,
    Path(code): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let posted = Posted(f);
    let a = post_admin(&state, &user, &posted).await?;
    let p = procedure_for(&state, &a, &code).await?;
    if !p.can_edit {
        return Err(ApiError::forbidden());
    }
    let text = posted.get("definition").unwrap_or_default().to_owned();
    match parse_process(&text, &p) {
        Ok(process) => {
            state
                .store
                .save_process_draft(&process, Some(&a.account.id))
                .await?;
            Ok(Redirect::to(&format!(
                "/quan-tri/thu-tuc/{}/quy-trinh?ok=process_saved",
                p.code
            ))
            .into_response())
        }
        Err(problem) => {
            let fb = Feedback::error(
                "Bản nháp chưa được lưu: nội dung quy trình có lỗi.",
                Vec::new(),
            );
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
    let posted = Posted(f);
    let a = post_admin(&state, &user, &posted).await?;
    let p = procedure_for(&state, &a, &code).await?;
    if !p.can_publish_process {
        return Err(ApiError::forbidden());
    }
    let result = state
        .store
        .publish_process_draft(&p.code, version, &a.tree, Some(&a.account.id))
        .await;
    let (fb, problems) = match result {
        Ok(Ok(())) => {
            return Ok(Redirect::to(&format!(
                "/quan-tri/thu-tuc/{}/quy-trinh?ok=process_published",
                p.code
            ))
            .into_response());
        }
        Ok(Err(e)) => (
            Feedback::error(
                format!("Chưa công bố được phiên bản {version}: quy trình có lỗi."),
                Vec::new(),
            ),
            vec![process_error_vi(&e)],
        ),
        Err(StoreError::Conflict(_)) => (
            Feedback::error(
                format!(
                    "Phiên bản {version} đã được công bố hoặc đã có phiên bản mới hơn được công bố."
                ),
                Vec::new(),
            ),
            Vec::new(),
        ),
        Err(StoreError::NotFound) => return Err(ApiError::not_found("phiên bản", "Version")),
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
