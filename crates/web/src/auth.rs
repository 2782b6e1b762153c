//! Who is calling: a browser session (cookie) or an integration (bearer token).
//!
//! Cross-site request forgery is stopped in two layers: every write that carries a cookie
//! must come from this site (`Sec-Fetch-Site`/`Origin`, checked for all routes in one
//! middleware), and session-authenticated writes must also present the session's CSRF
//! token (`x-csrf-token` header for the API, a hidden form field for pages). Cookies are
//! `HttpOnly`, `SameSite=Lax` and `Secure` when served over HTTPS.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use motcua_store::accounts::Account;

pub const SESSION_COOKIE: &str = "motcua_session";

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Via {
    Session {
        secret: String,
        csrf_token: String,
    },
    /// An API token; a read-only one may not change anything.
    Token {
        read_only: bool,
    },
}

/// The caller, if any. Handlers that need one use [`Authenticated`].
#[derive(Debug, Clone)]
pub struct MaybeAuth(pub Option<(Account, Via)>);

/// A caller who is logged in; rejects with `unauthenticated` otherwise.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub account: Account,
    pub via: Via,
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

pub(crate) fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|v| v.trim().to_owned())
}

fn is_write(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Where a session is opened: another site must not log a browser in to an account of the
/// attacker's choosing (login CSRF), so these are checked even when no cookie is sent.
const LOGIN_PATHS: [&str; 2] = ["/dang-nhap", "/api/v1/login"];

/// A write that a browser sent from another site. Requests without cookies (integrations
/// with tokens) are not at risk and pass, except logins.
pub fn cross_site_write(req: &Request) -> bool {
    if !is_write(req.method()) {
        return false;
    }
    if req.headers().get(header::COOKIE).is_none() && !LOGIN_PATHS.contains(&req.uri().path()) {
        return false;
    }
    let h = req.headers();
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    match (
        h.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        h.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some(origin), Some(host)) => {
            let origin_host = origin.split("://").nth(1).unwrap_or("");
            origin_host != host
        }
        // Old browsers send neither header; the per-session token still protects them.
        _ => false,
    }
}

impl FromRequestParts<AppState> for MaybeAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(token) = bearer(&parts.headers) {
            return match state.app.store.token_account(&token).await? {
                Some(t) => Ok(MaybeAuth(Some((
                    t.account,
                    Via::Token {
                        read_only: t.read_only,
                    },
                )))),
                None => Err(ApiError::unauthenticated()),
            };
        }
        let Some(secret) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Ok(MaybeAuth(None));
        };
        Ok(MaybeAuth(state.app.store.session(&secret).await?.map(
            |s| {
                (
                    s.account,
                    Via::Session {
                        secret,
                        csrf_token: s.csrf_token,
                    },
                )
            },
        )))
    }
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let MaybeAuth(found) = MaybeAuth::from_request_parts(parts, state).await?;
        let (account, via) = found.ok_or_else(ApiError::unauthenticated)?;
        if is_write(&parts.method) && matches!(via, Via::Token { read_only: true }) {
            return Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "token_read_only",
                "Mã truy cập này chỉ được đọc dữ liệu.",
                "This token may only read.",
            ));
        }
        // JSON writes made with a session cookie must echo the session's CSRF token. Page
        // forms check their hidden field themselves.
        if is_write(&parts.method)
            && parts.uri.path().starts_with("/api/")
            && let Via::Session { csrf_token, .. } = &via
        {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok());
            if !sent.is_some_and(|s| same_secret(s, csrf_token)) {
                return Err(ApiError::csrf());
            }
        }
        Ok(Authenticated { account, via })
    }
}

/// The `Set-Cookie` value that opens a session.
pub fn session_cookie(secret: &str, hours: i64, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        hours * 3600,
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that clears it.
pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Compares secrets sent back by the client through their digests, so that the time taken
/// depends neither on where the strings differ nor on their lengths.
pub fn same_secret(a: &str, b: &str) -> bool {
    use sha2::{Digest, Sha256};
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("s3cret-token", "s3cret-token"));
        assert!(!same_secret("s3cret-token", "s3cret-tokem"));
        assert!(!same_secret("s3cret-token", "s3cret-token "));
        assert!(!same_secret("s3cret-token", ""));
    }
}
