//! API tokens for integrations: issued to an account for some of its roles, with an expiry
//! at most [`MAX_TOKEN_DAYS`] ahead, only after the account's password is entered again
//! (counted against the login limits); listed and revoked by their owner. Sessions end at
//! logout.

use crate::{App, AppError, Missing};
use chrono::{DateTime, Utc};
use motcua_domain::access::Grant;
use motcua_store::accounts::{Account, TokenInfo, TokenScope};
use std::net::IpAddr;

/// The longest a token may live.
pub const MAX_TOKEN_DAYS: i64 = 366;

/// The most roles one token may carry.
pub const MAX_TOKEN_GRANTS: usize = 50;

/// What a token is asked for.
pub struct TokenRequest {
    pub name: String,
    pub expires_at: DateTime<Utc>,
    /// Each within a grant the account holds.
    pub grants: Vec<Grant>,
    pub read_only: bool,
    /// The account's password, entered again.
    pub password: String,
}

/// Issues a token; returns what is listed of it and the secret, shown once.
pub async fn create(
    app: &App,
    account: &Account,
    ip: IpAddr,
    req: TokenRequest,
    now: DateTime<Utc>,
) -> Result<(TokenInfo, String), AppError> {
    if req.name.trim().is_empty() || req.name.chars().count() > 200 {
        return Err(AppError::invalid(
            "name",
            "required",
            "Cần đặt tên cho mã truy cập (tối đa 200 ký tự).",
            "name is required (at most 200 characters).",
        ));
    }
    if req.expires_at <= now || req.expires_at > now + chrono::Duration::days(MAX_TOKEN_DAYS) {
        return Err(invalid_expiry());
    }
    if req.grants.is_empty() || req.grants.len() > MAX_TOKEN_GRANTS {
        return Err(AppError::invalid(
            "grants",
            "required",
            "Cần chọn từ 1 đến 50 vai trò cho mã truy cập.",
            "grants must list 1 to 50 of your roles.",
        ));
    }
    let tree = app.store.unit_tree().await?;
    if let Some(index) = req.grants.iter().position(|g| {
        !account
            .grants
            .iter()
            .any(|h| motcua_domain::access::grant_within(g, h, &tree))
    }) {
        return Err(AppError::GrantNotHeld { index });
    }
    // Entering the password again goes through the login's limits and checks; the caller
    // is logged in, so a wrong one is a wrong field, not a reason to log in again.
    crate::login::check_password(app, ip, &account.username, &req.password)
        .await
        .map_err(|e| match e {
            AppError::InvalidCredentials => AppError::invalid(
                "password",
                "invalid_password",
                "Mật khẩu không đúng.",
                "Wrong password.",
            ),
            other => other,
        })?;
    let scope = TokenScope {
        grants: req.grants,
        read_only: req.read_only,
    };
    Ok(app
        .store
        .create_token(&account.id, &req.name, req.expires_at, &scope)
        .await?)
}

/// The refusal of an expiry that is not in the future, or too far in it, or not a time.
pub fn invalid_expiry() -> AppError {
    AppError::invalid(
        "expires_at",
        "invalid_expiry",
        "Thời hạn phải theo RFC 3339, sau thời điểm hiện tại và không quá 366 ngày.",
        "expires_at must be RFC 3339, in the future and at most 366 days ahead.",
    )
}

/// The account's tokens.
pub async fn list(app: &App, account: &Account) -> Result<Vec<TokenInfo>, AppError> {
    Ok(app.store.tokens(&account.id).await?)
}

/// Revokes one of the account's own tokens.
pub async fn revoke(app: &App, account: &Account, id: &str) -> Result<(), AppError> {
    app.store
        .revoke_token(&account.id, id)
        .await
        .map_err(AppError::missing(Missing::Token))
}

/// Ends a session (logout).
pub async fn end_session(app: &App, secret: &str) -> Result<(), AppError> {
    Ok(app.store.revoke_session(secret).await?)
}
