//! Logging in and out from the pages, and the shared login rule (rate limit + password).

use crate::AppState;
use crate::auth::{MaybeAuth, Via, clear_cookie, same_secret, session_cookie};
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::pages::Form;
use crate::pages::render;
use crate::pages::shared::chrome::{Reader, Visitor};
use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_store::accounts::Account;
use serde::Deserialize;
use std::net::SocketAddr;

/// The reader as pages need them: their language and, when logged in, the account and
/// the form token.
pub struct PageUser(Option<(Account, Option<String>)>, Reader);

/// What the header shows of the logged-in person: the name and the links their roles open,
/// with the reader's language.
pub struct Nav {
    pub reader: Reader,
    pub name: String,
    pub citizen: bool,
    pub officer: bool,
    /// Reads the 766 index somewhere (monitors, leaders, unit administrators).
    pub monitor: bool,
    pub admin: bool,
}

impl PageUser {
    pub fn nav(&self) -> Option<Nav> {
        use motcua_domain::access::{Action, Role, role_allows};
        self.0.as_ref().map(|(a, _)| Nav {
            reader: self.1.clone(),
            name: a.display_name.clone(),
            citizen: a
                .grants
                .iter()
                .any(|g| matches!(g.role, Role::Applicant | Role::DigitalHelper)),
            officer: a.grants.iter().any(|g| {
                matches!(
                    g.role,
                    Role::ReceptionOfficer | Role::Specialist | Role::Leader
                )
            }),
            monitor: a
                .grants
                .iter()
                .any(|g| role_allows(g.role, Action::ReadIndex)),
            admin: a.grants.iter().any(|g| {
                g.role != Role::Applicant
                    && [
                        Action::ManageAccounts,
                        Action::EditCatalogue,
                        Action::Operate,
                    ]
                    .into_iter()
                    .any(|x| role_allows(g.role, x))
            }),
        })
    }
    /// The frame of a page anyone may see.
    pub fn visitor(&self) -> Visitor {
        Visitor {
            reader: self.1.clone(),
            nav: self.nav(),
        }
    }
    pub fn lang(&self) -> Lang {
        self.1.lang
    }
    pub fn account(&self) -> Option<&Account> {
        self.0.as_ref().map(|(a, _)| a)
    }
    /// A page form carries the session's token; a bearer-token caller sends no cookie, so
    /// no other site can make its browser post for it.
    pub fn csrf_ok(&self, sent: Option<&str>) -> bool {
        match &self.0 {
            Some((_, Some(token))) => sent.is_some_and(|s| same_secret(s, token)),
            Some((_, None)) => true,
            None => false,
        }
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
        let reader = Reader::of(&parts.method, &parts.uri, &parts.headers);
        Ok(PageUser(
            a.map(|(account, via)| {
                let csrf = match via {
                    Via::Session { csrf_token, .. } => Some(csrf_token),
                    Via::Token { .. } => None,
                };
                (account, csrf)
            }),
            reader,
        ))
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    user: Visitor,
    csrf: String,
    username: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only a path on this site: `//host` and `/\\host` would leave it.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

pub async fn login_form(user: PageUser, Query(q): Query<NextQuery>) -> Response {
    render(
        &LoginPage {
            user: user.visitor(),
            csrf: user.csrf(),
            username: String::new(),
            next: safe_next(q.next.as_deref()),
            error: None,
        },
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn login_submit(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    match motcua_app::login::log_in(&state.app, addr.ip(), &f.username, &f.password).await {
        Ok((_, secret)) => (
            [(
                header::SET_COOKIE,
                session_cookie(
                    &secret,
                    state.config.session_hours,
                    state.config.secure_cookies,
                ),
            )],
            Redirect::to(&safe_next(f.next.as_deref())),
        )
            .into_response(),
        Err(e) => {
            let e = ApiError::from(e);
            let lang = Lang::of_reader(&headers);
            let next = safe_next(f.next.as_deref());
            // A switch of language goes back to the empty form, keeping where to go next.
            let here = format!("/dang-nhap?next={}", crate::pages::encode(&next));
            let mut r = render(
                &LoginPage {
                    user: Visitor {
                        reader: Reader::at(lang, here),
                        nav: None,
                    },
                    csrf: String::new(),
                    username: f.username,
                    next,
                    error: Some(lang.pick(&e.vi, &e.en).to_owned()),
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
        motcua_app::tokens::end_session(&state.app, &secret).await?;
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
