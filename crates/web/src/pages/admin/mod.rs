//! The administration pages under `/quan-tri`: catalogue versions, process definitions,
//! e-forms, accounts and roles, the working calendar. A unit administrator works in the
//! units their grant covers, the system operator everywhere; everyone else gets the 403
//! page. Every permission question is the domain's (`access::authorize`,
//! `motcua_domain::admin`); these pages only ask it and show the answer.

pub(crate) mod accounts;
pub(crate) mod calendar;
pub(crate) mod catalogue;
pub(crate) mod catalogue_diff;
pub(crate) mod catalogue_form;
pub(crate) mod eforms;
pub(crate) mod outbox;
pub(crate) mod processes;

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::pages::monitor::svg::esc;
use crate::pages::office::names;
use crate::pages::shared::auth::{Nav, PageUser};
use crate::pages::shared::forms_render::Posted;
use crate::pages::{login_redirect, render};
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
    use self::{accounts as acc, calendar as cal, catalogue as cat};
    use self::{eforms as ef, processes as pr};
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
        .route("/quan-tri/hang-doi", get(outbox::show))
        .route("/quan-tri/hang-doi/gui-lai", post(outbox::replay))
}

/// The administrator behind a request, with what every page needs.
pub struct Admin {
    pub lang: Lang,
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

/// A role held in a unit, as people read it: the role in the reader's language, the
/// unit's name as it is (Vietnamese).
pub struct GrantLabel {
    lang: Lang,
    role: &'static str,
    unit: String,
    with_sub_units: bool,
}

impl GrantLabel {
    /// The label as HTML, the unit's name marked `lang="vi"` on an English page.
    pub fn html(&self) -> String {
        let unit = if self.lang.is_en() {
            format!(r#"<span lang="vi">{}</span>"#, esc(&self.unit))
        } else {
            esc(&self.unit)
        };
        let sub = if self.with_sub_units {
            esc(self.lang.t("admin.with_sub_units"))
        } else {
            String::new()
        };
        format!("{} – {unit}{sub}", esc(self.role))
    }
}

pub fn grant_label(lang: Lang, tree: &UnitTree, g: &Grant) -> GrantLabel {
    GrantLabel {
        lang,
        role: names::role(lang, g.role),
        unit: unit_name(tree, &g.unit),
        with_sub_units: g.with_sub_units,
    }
}

async fn admin_of(state: &AppState, user: &PageUser) -> Result<Option<Admin>, ApiError> {
    let Some(account) = user.account() else {
        return Ok(None);
    };
    let tree = state.app.store.unit_tree().await?;
    let actor = account.actor();
    if !may_administer(&actor, &tree) {
        return Err(ApiError::forbidden());
    }
    Ok(Some(Admin {
        lang: user.lang(),
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
    pub fn from_query(lang: Lang, ok: Option<&str>) -> Self {
        Self {
            ok: ok.and_then(|ok| flash(lang, ok)),
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
fn flash(lang: Lang, ok: &str) -> Option<&'static str> {
    Some(match ok {
        "draft_saved" => lang.t("admin.flash.draft_saved"),
        "published" => lang.t("admin.flash.published"),
        "process_saved" => lang.t("admin.flash.process_saved"),
        "process_published" => lang.t("admin.flash.process_published"),
        "eform_saved" => lang.t("admin.flash.eform_saved"),
        "eform_published" => lang.t("admin.flash.eform_published"),
        "account_created" => lang.t("admin.flash.account_created"),
        "granted" => lang.t("admin.flash.granted"),
        "revoked" => lang.t("admin.flash.revoked"),
        "locked" => lang.t("admin.flash.locked"),
        "unlocked" => lang.t("admin.flash.unlocked"),
        "row_saved" => lang.t("admin.flash.row_saved"),
        "row_removed" => lang.t("admin.flash.row_removed"),
        _ => return None,
    })
}

/// A date and time at +07:00 for tables: "07/01/2025 14:35".
pub fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&crate::pages::vn_offset())
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

fn action_label(lang: Lang, a: &str) -> &'static str {
    match a {
        "procedure.import" => lang.t("admin.audit.procedure_import"),
        "procedure.save_draft" => lang.t("admin.audit.procedure_save_draft"),
        "procedure.publish" => lang.t("admin.audit.procedure_publish"),
        "process.save_draft" => lang.t("admin.audit.process_save_draft"),
        "process.publish" => lang.t("admin.audit.process_publish"),
        "eform.save_draft" => lang.t("admin.audit.eform_save_draft"),
        "eform.publish" => lang.t("admin.audit.eform_publish"),
        "account.create" => lang.t("admin.audit.account_create"),
        "account.grant" => lang.t("admin.audit.account_grant"),
        "account.revoke" => lang.t("admin.audit.account_revoke"),
        "account.lock" => lang.t("admin.audit.account_lock"),
        "account.unlock" => lang.t("admin.audit.account_unlock"),
        "calendar.put_rows" => lang.t("admin.audit.calendar_put_rows"),
        "calendar.delete_row" => lang.t("admin.audit.calendar_delete_row"),
        _ => lang.t("admin.audit.other"),
    }
}

/// The audit rows about `target`, newest first, with account names instead of ids.
pub async fn audit_lines(
    state: &AppState,
    lang: Lang,
    target: &str,
) -> Result<Vec<AuditLine>, ApiError> {
    let rows = state.app.store.audit_for(target).await?;
    let mut out = Vec::new();
    for r in rows.into_iter().rev().take(50) {
        let actor = match &r.actor {
            Some(id) => match state.app.store.account(id).await {
                Ok(a) => a.username,
                Err(_) => id.clone(),
            },
            None => lang.t("admin.system").to_owned(),
        };
        out.push(AuditLine {
            at: when(r.at),
            actor,
            action: action_label(lang, &r.action),
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
    lang: Lang,
    grants: Vec<GrantLabel>,
    accounts: bool,
    catalogue: bool,
    calendar_edit: bool,
    outbox: bool,
}

pub async fn overview(State(_state): State<AppState>, a: Admin) -> Result<Response, ApiError> {
    let page = OverviewPage {
        grants: a
            .account
            .grants
            .iter()
            .map(|g| grant_label(a.lang, &a.tree, g))
            .collect(),
        lang: a.lang,
        accounts: !admin_units(&a.actor, &a.tree).is_empty(),
        catalogue: !a.catalogue_units().is_empty(),
        calendar_edit: may_edit_calendar(&a.actor, &a.tree).is_ok(),
        outbox: motcua_domain::admin::may_operate_outbox(&a.actor, &a.tree).is_ok(),
        user: a.nav,
        csrf: a.csrf,
    };
    Ok(render(&page, StatusCode::OK))
}
