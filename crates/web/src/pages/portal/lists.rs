//! The applicant's lists: their own dossiers, and the public lookup by code and receipt
//! secret (no login, no personal data).

use crate::AppState;
use crate::error::ApiError;
use crate::i18n;
use crate::pages::shared::auth::PageUser;
use crate::pages::shared::chrome::Visitor;
use crate::pages::{login_redirect, render};
use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::Response;
use serde::Deserialize;
use std::net::SocketAddr;

pub struct MineRow {
    pub id: String,
    pub code: String,
    pub procedure: String,
    pub status_label: &'static str,
    pub due: String,
}

#[derive(Template)]
#[template(path = "my_dossiers.html")]
struct MinePage {
    user: Visitor,
    csrf: String,
    rows: Vec<MineRow>,
    /// An applicant's account, which may let a digital helper file for it.
    can_assist: bool,
    /// A consent code just created, and until when it holds.
    assist: Option<(String, String)>,
}

pub async fn mine(
    State(state): State<AppState>,
    user: PageUser,
    uri: Uri,
) -> Result<Response, ApiError> {
    mine_page(&state, &user, &uri, None).await
}

#[derive(Deserialize)]
pub struct AssistForm {
    csrf_token: String,
}

/// Creates a consent code for a community digital helper and shows it on the list.
pub async fn assist(
    State(state): State<AppState>,
    user: PageUser,
    uri: Uri,
    crate::pages::Form(f): crate::pages::Form<AssistForm>,
) -> Result<Response, ApiError> {
    let Some(account) = user.account() else {
        return Ok(login_redirect(&uri));
    };
    if !user.csrf_ok(Some(&f.csrf_token)) {
        return Err(ApiError::csrf());
    }
    let (code, until) = motcua_app::dossiers::assistance_code(&state.app, account).await?;
    let shown = (code, i18n::when(user.lang(), until));
    mine_page(
        &state,
        &user,
        &Uri::from_static("/ho-so-cua-toi"),
        Some(shown),
    )
    .await
}

async fn mine_page(
    state: &AppState,
    user: &PageUser,
    uri: &Uri,
    assist: Option<(String, String)>,
) -> Result<Response, ApiError> {
    let Some(account) = user.account() else {
        return Ok(login_redirect(uri));
    };
    let lang = user.lang();
    let list = state.app.store.applicant_dossiers(&account.id).await?;
    let mut names: std::collections::HashMap<String, String> = Default::default();
    let mut rows = Vec::new();
    for d in &list {
        let key = d.procedure.to_string();
        if !names.contains_key(&key) {
            let n = state
                .app
                .store
                .procedure(&d.procedure)
                .await
                .map_or_else(|_| key.clone(), |p| p.procedure.name);
            names.insert(key.clone(), n);
        }
        rows.push(MineRow {
            id: d.id.clone(),
            code: d
                .code
                .as_ref()
                .map_or_else(|| lang.t("mine.no_code").to_owned(), ToString::to_string),
            procedure: names.get(&key).cloned().unwrap_or(key),
            status_label: i18n::status(lang, d.status),
            due: d
                .current_due_at
                .map(|t| i18n::when(lang, t))
                .unwrap_or_default(),
        });
    }
    let can_assist = motcua_domain::access::applicant_only(&account.grants);
    let page = MinePage {
        user: user.visitor(),
        csrf: user.csrf(),
        rows,
        can_assist,
        assist,
    };
    Ok(render(&page, StatusCode::OK))
}

#[derive(Deserialize)]
pub struct LookupQuery {
    code: Option<String>,
    secret: Option<String>,
}

pub struct Found {
    code: String,
    procedure: String,
    status_label: &'static str,
    due: Option<String>,
    timeline: Vec<(String, &'static str)>,
}

#[derive(Template)]
#[template(path = "lookup.html")]
struct LookupPage {
    user: Visitor,
    csrf: String,
    code: String,
    secret: String,
    found: Option<Found>,
    error: Option<String>,
}

/// Anyone with the code and the receipt's secret sees the status, without personal data.
pub async fn lookup(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    user: PageUser,
    Query(q): Query<LookupQuery>,
) -> Result<Response, ApiError> {
    let code = q.code.unwrap_or_default().trim().to_owned();
    let secret = q.secret.unwrap_or_default().trim().to_uppercase();
    let lang = user.lang();
    let mut page = LookupPage {
        user: user.visitor(),
        csrf: user.csrf(),
        code: code.clone(),
        secret: secret.clone(),
        found: None,
        error: None,
    };
    if code.is_empty() && secret.is_empty() {
        return Ok(render(&page, StatusCode::OK));
    }
    let found = match state.lookup_dossier(addr.ip(), &code, &secret).await {
        Err(e) if e.status == StatusCode::TOO_MANY_REQUESTS => {
            // The form stays, with the reason and when to try again.
            page.error = Some(lang.pick(&e.vi, &e.en).to_owned());
            let mut r = render(&page, e.status);
            if let Some(v) = e.retry_after.and_then(|s| s.to_string().parse().ok()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return Ok(r);
        }
        other => other?,
    };
    match found {
        Some(d) => {
            let events = state.app.store.dossier_events(&d.id).await?;
            page.found = Some(Found {
                code: code.clone(),
                procedure: state
                    .app
                    .store
                    .procedure(&d.procedure)
                    .await
                    .map_or_else(|_| d.procedure.to_string(), |p| p.procedure.name),
                status_label: i18n::status(lang, d.status),
                due: d.current_due_at.map(|t| i18n::when(lang, t)),
                timeline: events
                    .iter()
                    .map(|e| (i18n::when(lang, e.at), i18n::event(lang, &e.change)))
                    .collect(),
            });
            Ok(render(&page, StatusCode::OK))
        }
        None => {
            page.error = Some(lang.t("lookup.not_found").to_owned());
            Ok(render(&page, StatusCode::NOT_FOUND))
        }
    }
}
