//! Accounts and roles: the accounts holding a role in the administrator's units, creating
//! one, giving and taking back a role in a unit (with or without its sub-units), locking.
//! Whether the administrator may touch a given role in a given unit is
//! `motcua_domain::admin`'s answer; the store writes the change with its audit row.

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::pages::Form;
use crate::pages::admin::{
    Admin, AuditLine, Feedback, GrantLabel, audit_lines, grant_label, post_admin,
};
use crate::pages::office::names;
use crate::pages::render;
use crate::pages::shared::auth::{Nav, PageUser};
use crate::pages::shared::forms_render::Posted;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::AppError;
use motcua_domain::UnitCode;
use motcua_domain::access::{Grant, Role};
use motcua_domain::admin::{admin_units, may_manage_account, may_manage_grant};
use motcua_store::accounts::{Account, check_password_policy, check_username};
use serde::Deserialize;

const LIST_LIMIT: usize = 200;

/// A refusal of the app the page shows on the account's page (a status and a message), or
/// one it leaves to the error page.
fn refusal(lang: Lang, e: AppError, forbidden: &str) -> Result<(StatusCode, String), AppError> {
    match e {
        AppError::Forbidden => Ok((StatusCode::FORBIDDEN, forbidden.to_owned())),
        AppError::GrantExists => Ok((
            StatusCode::CONFLICT,
            lang.t("admin.accounts.already_granted").to_owned(),
        )),
        AppError::NotFound(motcua_app::Missing::Grant) => Ok((
            StatusCode::NOT_FOUND,
            lang.t("admin.accounts.no_such_grant").to_owned(),
        )),
        other => Err(other),
    }
}

pub struct Opt {
    value: String,
    label: String,
}

/// The roles and units this administrator can give, for the forms' drop-downs.
fn grant_options(a: &Admin) -> (Vec<Opt>, Vec<Opt>) {
    let units = admin_units(&a.actor, &a.tree);
    let roles = Role::ALL
        .into_iter()
        .filter(|r| {
            units.iter().any(|u| {
                let g = Grant {
                    role: *r,
                    unit: u.clone(),
                    with_sub_units: false,
                };
                may_manage_grant(&a.actor, "", &g, &a.tree).is_ok()
            })
        })
        .map(|r| Opt {
            value: r.as_str().into(),
            label: names::role(a.lang, r).into(),
        })
        .collect();
    let units = units
        .iter()
        .map(|u| Opt {
            value: u.to_string(),
            label: a.unit_name(u),
        })
        .collect();
    (roles, units)
}

pub struct AccountRow {
    id: String,
    username: String,
    display_name: String,
    locked: bool,
    roles: Vec<GrantLabel>,
}

fn row(a: &Admin, x: Account) -> AccountRow {
    AccountRow {
        roles: x
            .grants
            .iter()
            .map(|g| grant_label(a.lang, &a.tree, g))
            .collect(),
        id: x.id,
        username: x.username,
        display_name: x.display_name,
        locked: x.locked,
    }
}

/// What the create form holds, to show again when it is refused.
#[derive(Default)]
pub struct NewAccount {
    username: String,
    display_name: String,
    role: String,
    unit: String,
    with_sub_units: bool,
}

#[derive(Template)]
#[template(path = "admin_accounts.html")]
struct ListPage {
    user: Option<Nav>,
    csrf: String,
    lang: Lang,
    fb: Feedback,
    q: String,
    citizens: bool,
    rows: Vec<AccountRow>,
    limited: bool,
    roles: Vec<Opt>,
    units: Vec<Opt>,
    new: NewAccount,
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    /// Include citizens' accounts (applicants only) in the list.
    nguoi_dan: Option<String>,
    ok: Option<String>,
}

async fn list_page(
    state: &AppState,
    a: Admin,
    (q, citizens): (String, bool),
    fb: Feedback,
    new: NewAccount,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let units = admin_units(&a.actor, &a.tree);
    if units.is_empty() {
        return Err(ApiError::forbidden());
    }
    let accounts = state
        .app
        .store
        .accounts_in_units(a.filter(&units), Some(&q), !citizens, LIST_LIMIT)
        .await?;
    let (roles, unit_opts) = grant_options(&a);
    let page = ListPage {
        lang: a.lang,
        fb,
        limited: accounts.len() >= LIST_LIMIT,
        rows: accounts.into_iter().map(|x| row(&a, x)).collect(),
        q,
        citizens,
        roles,
        units: unit_opts,
        new,
        user: a.nav,
        csrf: a.csrf,
    };
    Ok(render(&page, status))
}

pub async fn list(
    State(state): State<AppState>,
    a: Admin,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let fb = Feedback::from_query(a.lang, q.ok.as_deref());
    let search = (q.q.unwrap_or_default(), q.nguoi_dan.is_some());
    list_page(&state, a, search, fb, NewAccount::default(), StatusCode::OK).await
}

/// The grant a form describes, or why it cannot be read.
fn posted_grant(lang: Lang, p: &Posted) -> Result<Grant, &'static str> {
    let role = p
        .get("role")
        .and_then(Role::parse)
        .ok_or_else(|| lang.t("admin.accounts.choose_role"))?;
    let unit = UnitCode::parse(p.get("unit").unwrap_or_default())
        .map_err(|_| lang.t("admin.accounts.choose_unit"))?;
    Ok(Grant {
        role,
        unit,
        with_sub_units: p.get("with_sub_units").is_some(),
    })
}

fn out_of_scope(lang: Lang) -> &'static str {
    lang.t("admin.accounts.out_of_scope")
}

pub async fn create(
    State(state): State<AppState>,
    user: PageUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let posted = Posted(f);
    let a = post_admin(&state, &user, &posted).await?;
    let lang = a.lang;
    let username = posted.text("username").unwrap_or_default().to_lowercase();
    let display_name = posted.text("display_name").unwrap_or_default();
    let password = posted.get("password").unwrap_or_default().to_owned();
    let new = NewAccount {
        username: username.clone(),
        display_name: display_name.clone(),
        role: posted.get("role").unwrap_or_default().into(),
        unit: posted.get("unit").unwrap_or_default().into(),
        with_sub_units: posted.get("with_sub_units").is_some(),
    };
    let mut problems = Vec::new();
    if check_username(&username).is_err() {
        problems.push(lang.t("admin.accounts.bad_username").to_owned());
    }
    if display_name.is_empty() {
        problems.push(lang.t("admin.accounts.no_display_name").to_owned());
    }
    if check_password_policy(&username, &password).is_err() {
        problems.push(lang.t("admin.accounts.bad_password").to_owned());
    }
    let grant = match posted_grant(lang, &posted) {
        Ok(g) => {
            if may_manage_grant(&a.actor, "", &g, &a.tree).is_err() {
                problems.push(out_of_scope(lang).to_owned());
            }
            Some(g)
        }
        Err(m) => {
            problems.push(m.to_owned());
            None
        }
    };
    let refuse = |problems| Feedback::error(lang.t("admin.accounts.not_created"), problems);
    let Some(grant) = grant.filter(|_| problems.is_empty()) else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        let search = (String::new(), false);
        return list_page(&state, a, search, refuse(problems), new, status).await;
    };
    match motcua_app::accounts::create(
        &state.app,
        &a.actor,
        &username,
        &display_name,
        &password,
        grant,
    )
    .await
    {
        Ok(created) => Ok(Redirect::to(&format!(
            "/quan-tri/tai-khoan/{}?ok=account_created",
            created.id
        ))
        .into_response()),
        Err(AppError::UsernameTaken) => {
            let fb = refuse(vec![lang.f("admin.accounts.username_taken", &username)]);
            let search = (String::new(), false);
            list_page(&state, a, search, fb, new, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

pub struct GrantRow {
    label: GrantLabel,
    role: &'static str,
    unit: String,
    with_sub_units: bool,
    can_revoke: bool,
}

#[derive(Template)]
#[template(path = "admin_account.html")]
struct AccountPage {
    user: Option<Nav>,
    csrf: String,
    lang: Lang,
    fb: Feedback,
    id: String,
    username: String,
    display_name: String,
    locked: bool,
    can_lock: bool,
    grants: Vec<GrantRow>,
    roles: Vec<Opt>,
    units: Vec<Opt>,
    audit: Vec<AuditLine>,
}

/// The account, if the administrator has any business with it (`app::accounts::visible`).
async fn visible(state: &AppState, a: &Admin, id: &str) -> Result<Account, ApiError> {
    motcua_app::accounts::visible(&state.app, &a.actor, id)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => ApiError::not_found("tài khoản", "Account"),
            other => other.into(),
        })
}

async fn account_page(
    state: &AppState,
    a: Admin,
    x: Account,
    fb: Feedback,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let (roles, units) = grant_options(&a);
    let page = AccountPage {
        lang: a.lang,
        fb,
        can_lock: may_manage_account(&a.actor, &x.id, &x.grants, &a.tree).is_ok(),
        grants: x
            .grants
            .iter()
            .map(|g| GrantRow {
                label: grant_label(a.lang, &a.tree, g),
                role: g.role.as_str(),
                unit: g.unit.to_string(),
                with_sub_units: g.with_sub_units,
                can_revoke: may_manage_grant(&a.actor, &x.id, g, &a.tree).is_ok(),
            })
            .collect(),
        roles,
        units,
        audit: audit_lines(state, a.lang, &x.id).await?,
        id: x.id,
        username: x.username,
        display_name: x.display_name,
        locked: x.locked,
        user: a.nav,
        csrf: a.csrf,
    };
    Ok(render(&page, status))
}

#[derive(Deserialize)]
pub struct OkQuery {
    ok: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    a: Admin,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
) -> Result<Response, ApiError> {
    let x = visible(&state, &a, &id).await?;
    let fb = Feedback::from_query(a.lang, q.ok.as_deref());
    account_page(&state, a, x, fb, StatusCode::OK).await
}

/// `cap-quyen` (grant), `thu-hoi` (revoke), `khoa` (lock), `mo-khoa` (unlock).
pub async fn act(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, action)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let posted = Posted(f);
    let a = post_admin(&state, &user, &posted).await?;
    let x = visible(&state, &a, &id).await?;
    let lang = a.lang;
    let app = &state.app;
    let done = match action.as_str() {
        "cap-quyen" | "thu-hoi" => match posted_grant(lang, &posted) {
            Err(m) => Err(Ok((StatusCode::UNPROCESSABLE_ENTITY, m.to_owned()))),
            Ok(g) if action == "cap-quyen" => {
                motcua_app::accounts::give_role(app, &a.actor, &x, &g)
                    .await
                    .map(|()| "granted")
                    .map_err(|e| refusal(lang, e, out_of_scope(lang)))
            }
            Ok(g) => motcua_app::accounts::take_role(app, &a.actor, &x, &g)
                .await
                .map(|()| "revoked")
                .map_err(|e| refusal(lang, e, out_of_scope(lang))),
        },
        "khoa" | "mo-khoa" => {
            let lock = action == "khoa";
            motcua_app::accounts::set_locked(app, &a.actor, &x, lock)
                .await
                .map(|()| if lock { "locked" } else { "unlocked" })
                .map_err(|e| refusal(lang, e, lang.t("admin.accounts.cannot_lock")))
        }
        _ => return Err(ApiError::not_found("thao tác", "Action")),
    };
    let result: Result<&str, (StatusCode, String)> = match done {
        Ok(ok) => Ok(ok),
        Err(Ok(shown)) => Err(shown),
        Err(Err(e)) => return Err(e.into()),
    };
    match result {
        Ok(ok) => {
            Ok(Redirect::to(&format!("/quan-tri/tai-khoan/{}?ok={ok}", x.id)).into_response())
        }
        Err((status, m)) => {
            let x = visible(&state, &a, &id).await?;
            let fb = Feedback::error(m, Vec::new());
            account_page(&state, a, x, fb, status).await
        }
    }
}
