//! Logging in and out from the pages, and the shared login rule (rate limit + password).

use super::render;
use crate::AppState;
use crate::auth::{MaybeAuth, Via, clear_cookie, same_secret, session_cookie};
use crate::error::ApiError;
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_store::accounts::Account;
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};

/// The logged-in person as pages need them: a name for the header and the form token.
pub struct PageUser(Option<(Account, Option<String>)>);

impl PageUser {
    pub fn name(&self) -> Option<String> {
        self.0.as_ref().map(|(a, _)| a.display_name.clone())
    }
    pub fn csrf(&self) -> String {
        self.0
            .as_ref()
            .and_then(|(_, c)| c.clone())
            .unwrap_or_default()
    }
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let MaybeAuth(a) = MaybeAuth::from_request_parts(parts, state)
            .await
            .unwrap_or(MaybeAuth(None));
        Ok(PageUser(a.map(|(account, via)| {
            let csrf = match via {
                Via::Session { csrf_token, .. } => Some(csrf_token),
                Via::Token => None,
            };
            (account, csrf)
        })))
    }
}

/// Checks the rate limit and the password; opens a session. Used by the page and the API.
pub async fn log_in(
    state: &AppState,
    ip: IpAddr,
    username: &str,
    password: &str,
) -> Result<(Account, String), ApiError> {
    let now = std::time::Instant::now();
    state
        .limiter
        .check(ip, username, now)
        .map_err(ApiError::rate_limited)?;
    match state.store.check_login(username, password).await? {
        Some(account) => {
            state.limiter.succeed(ip, username);
            let secret = state
                .store
                .create_session(
                    &account.id,
                    chrono::Duration::hours(state.config.session_hours),
                )
                .await?;
            Ok((account, secret))
        }
        None => {
            state.limiter.fail(ip, username, now);
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "Tên đăng nhập hoặc mật khẩu không đúng.",
                "Wrong user name or password.",
            ))
        }
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    user: Option<String>,
    csrf: String,
    username: String,
    error: Option<String>,
}

pub async fn login_form(user: PageUser) -> Response {
    render(
        &LoginPage {
            user: user.name(),
            csrf: user.csrf(),
            username: String::new(),
            error: None,
        },
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

pub async fn login_submit(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(f): Form<LoginForm>,
) -> Response {
    match log_in(&state, addr.ip(), &f.username, &f.password).await {
        Ok((_, secret)) => (
            [(
                header::SET_COOKIE,
                session_cookie(
                    &secret,
                    state.config.session_hours,
                    state.config.secure_cookies,
                ),
            )],
            Redirect::to("/"),
        )
            .into_response(),
        Err(e) => {
            let mut r = render(
                &LoginPage {
                    user: None,
                    csrf: String::new(),
                    username: f.username,
                    error: Some(e.vi.clone()),
                },
                e.status,
            );
            if let Some(s) = e.retry_after
                && let Ok(v) = s.to_string().parse()
            {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
    }
}

#[derive(Deserialize)]
pub struct LogoutForm {
    csrf_token: String,
}

pub async fn logout_submit(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    Form(f): Form<LogoutForm>,
) -> Result<Response, ApiError> {
    if let Some((_, Via::Session { secret, csrf_token })) = auth {
        if !same_secret(&f.csrf_token, &csrf_token) {
            return Err(ApiError::csrf());
        }
        state.store.revoke_session(&secret).await?;
    }
    Ok((
        [(
            header::SET_COOKIE,
            clear_cookie(state.config.secure_cookies),
        )],
        Redirect::to("/"),
    )
        .into_response())
}
