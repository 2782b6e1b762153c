//! The administration pages under `/quan-tri`: catalogue versions, process definitions,
//! e-forms, accounts and roles, the working calendar. A unit administrator works in the
//! units their grant covers, the system operator everywhere; everyone else gets the 403
//! page. Every permission question is the domain's (`access::authorize`,
//! `motcua_domain::admin`); these pages only ask it and show the answer.

use super::auth::{Nav, PageUser};
use super::forms_render::Posted;
use super::{login_redirect, render};
use crate::AppState;
use crate::error::ApiError;
use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use motcua_domain::UnitCode;
use motcua_domain::access::{Action, Actor, Grant, units_for};
use motcua_domain::admin::{admin_units, may_administer, may_edit_calendar};
use motcua_domain::unit::UnitTree;
use motcua_store::accounts::Account;

pub fn routes() -> Router<AppState> {
    use super::{admin_accounts as acc, admin_calendar as cal, admin_catalogue as cat};
    use super::{admin_eforms as ef, admin_processes as pr};
    Router::new()
        .route("/quan-tri", get(overview))
        .route("/quan-tri/thu-tuc", get(cat::list))
        .route("/quan-tri/thu-tuc/{code}", get(cat::show))
        .route(
            "/quan-tri/thu-tuc/{code}/ban-nhap",
            get(cat::edit_form).post(cat::save),
        )
        .route(
            "/quan-tri/thu-tuc/{code}/phien-ban/{version}/cong-bo",
            post(cat::publish),
        )
        .route(
            "/quan-tri/thu-tuc/{code}/quy-trinh",
            get(pr::show).post(pr::save),
        )
        .route(
            "/quan-tri/thu-tuc/{code}/quy-trinh/{version}/cong-bo",
            post(pr::publish),
        )
        .route(
            "/quan-tri/thu-tuc/{code}/bieu-mau",
            get(ef::show).post(ef::save),
        )
        .route(
            "/quan-tri/thu-tuc/{code}/bieu-mau/{version}/cong-bo",
            post(ef::publish),
        )
        .route("/quan-tri/tai-khoan", get(acc::list).post(acc::create))
        .route("/quan-tri/tai-khoan/{id}", get(acc::show))
        .route("/quan-tri/tai-khoan/{id}/{action}", post(acc::act))
        .route("/quan-tri/lich", get(cal::show))
        .route("/quan-tri/lich/{action}", post(cal::act))
}

/// The administrator behind a request, with what every page needs.
pub struct Admin {
    pub account: Account,
    pub actor: Actor,
    pub tree: UnitTree,
    pub nav: Option<Nav>,
    pub csrf: String,
}

impl Admin {
    /// Units the administrator may edit catalogue entries in (every unit for the operator).
    pub fn catalogue_units(&self) -> Vec<UnitCode> {
        units_for(&self.actor, Action::EditCatalogue, &self.tree)
    }
    /// `None` when the list covers the whole tree, so queries need no filter.
    pub fn filter<'a>(&self, units: &'a [UnitCode]) -> Option<&'a [UnitCode]> {
        (units.len() < self.tree.len()).then_some(units)
    }
    pub fn unit_name(&self, code: &UnitCode) -> String {
        unit_name(&self.tree, code)
    }
}

pub fn unit_name(tree: &UnitTree, code: &UnitCode) -> String {
    tree.get(code)
        .map_or_else(|| code.to_string(), |u| format!("{} ({code})", u.name))
}

/// A role held in a unit, as people read it.
pub fn grant_label(tree: &UnitTree, g: &Grant) -> String {
    format!(
        "{} – {}{}",
        g.role.label_vi(),
        unit_name(tree, &g.unit),
        if g.with_sub_units {
            " và các đơn vị trực thuộc"
        } else {
            ""
        }
    )
}

async fn admin_of(state: &AppState, user: &PageUser) -> Result<Option<Admin>, ApiError> {
    let Some(account) = user.account() else {
        return Ok(None);
    };
    let tree = state.store.unit_tree().await?;
    let actor = account.actor();
    if !may_administer(&actor, &tree) {
        return Err(ApiError::forbidden());
    }
    Ok(Some(Admin {
        account: account.clone(),
        actor,
        tree,
        nav: user.nav(),
        csrf: user.csrf(),
    }))
}

/// For a page: the administrator, the login page for someone not logged in, or 403.
impl FromRequestParts<AppState> for Admin {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let user = PageUser::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match admin_of(state, &user).await {
            Ok(Some(a)) => Ok(a),
            Ok(None) => Err(login_redirect(&parts.uri)),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// For a form post: the administrator, after the session's form token is checked.
pub async fn post_admin(state: &AppState, user: &PageUser, p: &Posted) -> Result<Admin, ApiError> {
    if user.account().is_none() {
        return Err(ApiError::unauthenticated());
    }
    if !user.csrf_ok(p.get("csrf_token")) {
        return Err(ApiError::csrf());
    }
    admin_of(state, user)
        .await?
        .ok_or_else(ApiError::unauthenticated)
}

/// What to tell the administrator after an action.
#[derive(Default)]
pub struct Feedback {
    pub ok: Option<&'static str>,
    pub error: Option<String>,
    pub items: Vec<String>,
}

impl Feedback {
    pub fn from_query(ok: Option<&str>) -> Self {
        Self {
            ok: ok.and_then(flash),
            ..Self::default()
        }
    }
    pub fn error(message: impl Into<String>, items: Vec<String>) -> Self {
        Self {
            ok: None,
            error: Some(message.into()),
            items,
        }
    }
}

#[derive(serde::Deserialize)]
pub struct OkQuery {
    pub ok: Option<String>,
}

/// The note shown after a successful action (`?ok=…` on the redirect).
fn flash(ok: &str) -> Option<&'static str> {
    Some(match ok {
        "draft_saved" => {
            "Đã lưu bản nháp. Bản nháp chưa hiển thị cho người dân cho đến khi được công bố."
        }
        "published" => "Đã công bố phiên bản. Trang thủ tục công khai hiển thị phiên bản này.",
        "process_saved" => "Đã lưu bản nháp quy trình.",
        "process_published" => {
            "Đã công bố quy trình. Hồ sơ tiếp nhận từ nay đi theo quy trình này."
        }
        "eform_saved" => "Đã lưu bản nháp biểu mẫu điện tử.",
        "eform_published" => "Đã công bố biểu mẫu điện tử.",
        "account_created" => "Đã tạo tài khoản.",
        "granted" => "Đã cấp quyền.",
        "revoked" => "Đã thu hồi quyền.",
        "locked" => "Đã khóa tài khoản và kết thúc mọi phiên đăng nhập của tài khoản.",
        "unlocked" => "Đã mở khóa tài khoản.",
        "row_saved" => "Đã lưu ngày vào lịch làm việc. Hạn giải quyết tính từ nay theo lịch mới.",
        "row_removed" => "Đã xóa dòng lịch. Hạn giải quyết tính từ nay theo lịch mới.",
        _ => return None,
    })
}

/// A date and time at +07:00 for tables: "07/01/2025 14:35".
pub fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&super::vn_offset())
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

/// One line of an audit trail, as the pages show it.
pub struct AuditLine {
    pub at: String,
    pub actor: String,
    pub action: &'static str,
    pub detail: String,
}

fn action_label(a: &str) -> &'static str {
    match a {
        "procedure.import" => "Nhập từ gói dữ liệu",
        "procedure.save_draft" => "Lưu bản nháp thủ tục",
        "procedure.publish" => "Công bố phiên bản thủ tục",
        "process.save_draft" => "Lưu bản nháp quy trình",
        "process.publish" => "Công bố quy trình",
        "eform.save_draft" => "Lưu bản nháp biểu mẫu",
        "eform.publish" => "Công bố biểu mẫu",
        "account.create" => "Tạo tài khoản",
        "account.grant" => "Cấp quyền",
        "account.revoke" => "Thu hồi quyền",
        "account.lock" => "Khóa tài khoản",
        "account.unlock" => "Mở khóa tài khoản",
        "calendar.put_rows" => "Lưu ngày vào lịch",
        "calendar.delete_row" => "Xóa dòng lịch",
        _ => "Thay đổi khác",
    }
}

/// The audit rows about `target`, newest first, with account names instead of ids.
pub async fn audit_lines(state: &AppState, target: &str) -> Result<Vec<AuditLine>, ApiError> {
    let rows = state.store.audit_for(target).await?;
    let mut out = Vec::new();
    for r in rows.into_iter().rev().take(50) {
        let actor = match &r.actor {
            Some(id) => match state.store.account(id).await {
                Ok(a) => a.username,
                Err(_) => id.clone(),
            },
            None => "hệ thống".to_owned(),
        };
        out.push(AuditLine {
            at: when(r.at),
            actor,
            action: action_label(&r.action),
            detail: r.detail.to_string(),
        });
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "admin.html")]
struct OverviewPage {
    user: Option<Nav>,
    csrf: String,
    grants: Vec<String>,
    accounts: bool,
    catalogue: bool,
    calendar_edit: bool,
}

pub async fn overview(State(_state): State<AppState>, a: Admin) -> Result<Response, ApiError> {
    let page = OverviewPage {
        grants: a
            .account
            .grants
            .iter()
            .map(|g| grant_label(&a.tree, g))
            .collect(),
        accounts: !admin_units(&a.actor, &a.tree).is_empty(),
        catalogue: !a.catalogue_units().is_empty(),
        calendar_edit: may_edit_calendar(&a.actor, &a.tree).is_ok(),
        user: a.nav,
        csrf: a.csrf,
    };
    Ok(render(&page, StatusCode::OK))
}
