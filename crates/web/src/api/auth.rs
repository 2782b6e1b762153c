//! Login, logout, who am I, and API tokens.

use super::{Json, Path};
use crate::AppState;
use crate::auth::{Authenticated, MaybeAuth, Via, clear_cookie, session_cookie};
use crate::error::{ApiError, ErrorBody};
use axum::extract::{ConnectInfo, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_domain::access::Grant;
use motcua_store::accounts::{Account, TokenInfo};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::ToSchema;

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
        crate::pages::auth::log_in(&state, addr.ip(), &req.username, &req.password).await?;
    let session = state
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
        state.store.revoke_session(secret).await?;
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
    pub expires_at: Option<String>,
    pub revoked: bool,
}

fn token_view(t: &TokenInfo) -> TokenView {
    TokenView {
        id: t.id.clone(),
        name: t.name.clone(),
        created_at: crate::pages::vn_time(t.created_at),
        expires_at: t.expires_at.map(crate::pages::vn_time),
        revoked: t.revoked,
    }
}

/// The caller's API tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "auth", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<TokenView>), (status = 401, body = ErrorBody)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<axum::Json<Vec<TokenView>>, ApiError> {
    let tokens = state.store.tokens(&auth.account.id).await?;
    Ok(axum::Json(tokens.iter().map(token_view).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct CreateToken {
    pub name: String,
    /// RFC 3339; none = until revoked.
    pub expires_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    /// Shown once; send as `Authorization: Bearer <token>`.
    pub token: String,
    pub info: TokenView,
}

/// Issues a token that acts with the caller's roles, for an integration. Only a browser
/// session may issue one: a token cannot mint more tokens.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "auth", security(("bearer" = []), ("session" = [])), request_body = CreateToken,
    responses((status = 201, body = CreatedToken), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    auth: Authenticated,
    Json(req): Json<CreateToken>,
) -> Result<Response, ApiError> {
    if matches!(auth.via, Via::Token) {
        return Err(ApiError::forbidden());
    }
    let expires_at = match req.expires_at.as_deref() {
        None => None,
        Some(s) => Some(
            chrono::DateTime::parse_from_rfc3339(s)
                .map_err(|_| {
                    ApiError::invalid(
                        "expires_at",
                        "invalid_datetime",
                        "Thời hạn không đúng định dạng RFC 3339.",
                        "expires_at must be RFC 3339.",
                    )
                })?
                .with_timezone(&chrono::Utc),
        ),
    };
    if req.name.trim().is_empty() {
        return Err(ApiError::invalid(
            "name",
            "required",
            "Cần đặt tên cho mã truy cập.",
            "name is required.",
        ));
    }
    let (info, token) = state
        .store
        .create_token(&auth.account.id, &req.name, expires_at)
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(CreatedToken {
            token,
            info: token_view(&info),
        }),
    )
        .into_response())
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
    state.store.revoke_token(&auth.account.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
