//! Login, logout, who am I, and API tokens.

use super::{Json, Path};
use crate::AppState;
use crate::auth::{Authenticated, MaybeAuth, Via, clear_cookie, session_cookie};
use crate::error::{ApiError, ErrorBody};
use axum::extract::{ConnectInfo, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_domain::UnitCode;
use motcua_domain::access::{Grant, Role};
use motcua_store::accounts::{Account, TokenInfo};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Login, logout, the caller, API tokens.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(whoami))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct GrantView {
    /// applicant, digital_helper, reception_officer, specialist, leader, unit_admin, province_monitor, operator
    pub role: String,
    pub unit: String,
    pub with_sub_units: bool,
}

#[derive(Serialize, ToSchema)]
pub struct AccountView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub grants: Vec<GrantView>,
}

impl From<&Account> for AccountView {
    fn from(a: &Account) -> Self {
        Self {
            id: a.id.clone(),
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            grants: a.grants.iter().map(grant_view).collect(),
        }
    }
}

fn grant_view(g: &Grant) -> GrantView {
    GrantView {
        role: g.role.as_str().into(),
        unit: g.unit.to_string(),
        with_sub_units: g.with_sub_units,
    }
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    pub account: AccountView,
    /// Send back as `x-csrf-token` on every write made with the session cookie.
    pub csrf_token: String,
}

/// Logs in with a user name and password; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Json(req): Json<LoginRequest>,
) -> Result<Response, ApiError> {
    let (account, secret) =
        motcua_app::login::log_in(&state.app, addr.ip(), &req.username, &req.password).await?;
    let session = state
        .app
        .store
        .session(&secret)
        .await?
        .ok_or_else(ApiError::internal)?;
    let body = LoginResponse {
        account: AccountView::from(&account),
        csrf_token: session.csrf_token,
    };
    let cookie = session_cookie(
        &secret,
        state.config.session_hours,
        state.config.secure_cookies,
    );
    Ok(([(header::SET_COOKIE, cookie)], axum::Json(body)).into_response())
}

/// Ends the current session.
#[utoipa::path(post, path = "/api/v1/logout", tag = "auth", security(("bearer" = []), ("session" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Response, ApiError> {
    if let Via::Session { secret, .. } = &auth.via {
        motcua_app::tokens::end_session(&state.app, secret).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(
            header::SET_COOKIE,
            clear_cookie(state.config.secure_cookies),
        )],
    )
        .into_response())
}

/// The caller's account and roles.
#[utoipa::path(get, path = "/api/v1/whoami", tag = "auth", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = AccountView), (status = 401, body = ErrorBody)))]
pub async fn whoami(MaybeAuth(auth): MaybeAuth) -> Result<axum::Json<AccountView>, ApiError> {
    let (account, _) = auth.ok_or_else(ApiError::unauthenticated)?;
    Ok(axum::Json(AccountView::from(&account)))
}

#[derive(Serialize, ToSchema)]
pub struct TokenView {
    pub id: String,
    pub name: String,
    pub created_at: String,
    /// Null only for tokens issued before expiry became required.
    pub expires_at: Option<String>,
    pub revoked: bool,
    /// The roles and units the token acts with (null: every role of the account, for
    /// tokens issued before scopes existed).
    pub grants: Option<Vec<GrantView>>,
    pub read_only: bool,
}

fn token_view(t: &TokenInfo) -> TokenView {
    TokenView {
        id: t.id.clone(),
        name: t.name.clone(),
        created_at: motcua_app::time::vn_time(t.created_at),
        expires_at: t.expires_at.map(motcua_app::time::vn_time),
        revoked: t.revoked,
        grants: t
            .scope
            .as_ref()
            .map(|s| s.grants.iter().map(grant_view).collect()),
        read_only: t.scope.as_ref().is_some_and(|s| s.read_only),
    }
}

/// The caller's API tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "auth", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<TokenView>), (status = 401, body = ErrorBody)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<axum::Json<Vec<TokenView>>, ApiError> {
    let tokens = motcua_app::tokens::list(&state.app, &auth.account).await?;
    Ok(axum::Json(tokens.iter().map(token_view).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct ScopeGrant {
    /// One of the caller's roles.
    pub role: String,
    /// A unit where the caller holds that role (or below it, where held with sub-units).
    pub unit: String,
    #[serde(default)]
    pub with_sub_units: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct CreateToken {
    pub name: String,
    /// RFC 3339, in the future and at most 366 days ahead: every token expires.
    pub expires_at: String,
    /// The caller's password again: a stolen session alone cannot mint a lasting token.
    pub password: String,
    /// The roles and units the token acts with: each one the caller holds. At least one.
    pub grants: Vec<ScopeGrant>,
    /// A token that may only read (monitoring, reporting).
    #[serde(default)]
    pub read_only: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    /// Shown once; send as `Authorization: Bearer <token>`.
    pub token: String,
    pub info: TokenView,
}

/// Issues a token for an integration, scoped to some of the caller's roles and units and
/// expiring. Only a browser session may issue one (a token cannot mint more tokens), and
/// only with the caller's password entered again; the password check counts against the
/// same limits as a login.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "auth", security(("bearer" = []), ("session" = [])), request_body = CreateToken,
    responses((status = 201, body = CreatedToken), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    auth: Authenticated,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Json(req): Json<CreateToken>,
) -> Result<Response, ApiError> {
    if matches!(auth.via, Via::Token { .. }) {
        return Err(ApiError::forbidden());
    }
    let expires_at = chrono::DateTime::parse_from_rfc3339(&req.expires_at)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| motcua_app::tokens::invalid_expiry())?;
    let grants = parse_grants(&req.grants)?;
    let asked = motcua_app::tokens::TokenRequest {
        name: req.name,
        expires_at,
        grants,
        read_only: req.read_only,
        password: req.password,
    };
    let now = chrono::Utc::now();
    let (info, token) =
        motcua_app::tokens::create(&state.app, &auth.account, addr.ip(), asked, now).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(CreatedToken {
            token,
            info: token_view(&info),
        }),
    )
        .into_response())
}

/// The asked-for grants as roles in units; whether the caller holds them is the app's
/// question.
fn parse_grants(asked: &[ScopeGrant]) -> Result<Vec<Grant>, ApiError> {
    let bad = |i: usize, code: &'static str, vi: &str, en: &str| {
        let mut e = ApiError::invalid(
            "grants",
            code,
            "Phạm vi của mã truy cập không hợp lệ.",
            "The token's scope is not valid.",
        );
        e.fields = vec![crate::error::FieldError {
            field: format!("grants[{i}]"),
            code: code.into(),
            message: Some(vi.into()),
            message_en: Some(en.into()),
        }];
        e
    };
    asked
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let role = Role::parse(&g.role)
                .ok_or_else(|| bad(i, "unknown_role", "Vai trò không tồn tại.", "Unknown role."))?;
            let unit = UnitCode::parse(&g.unit).map_err(|_| {
                bad(
                    i,
                    "invalid_unit_code",
                    "Mã đơn vị không đúng dạng.",
                    "Malformed unit code.",
                )
            })?;
            Ok(Grant {
                role,
                unit,
                with_sub_units: g.with_sub_units,
            })
        })
        .collect()
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "auth", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    motcua_app::tokens::revoke(&state.app, &auth.account, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
