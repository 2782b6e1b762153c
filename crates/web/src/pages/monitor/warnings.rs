//! The warnings page (`/giam-sat/canh-bao`): the same list as `GET /api/v1/warnings`, for
//! people, filtered by unit, kind and "at my steps", each linking to its dossier or unit.

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::pages::monitor::dashboard::{respond, wants_fragment};
use crate::pages::office::names;
use crate::pages::shared::auth::{Nav, PageUser};
use crate::pages::{encode, login_redirect, render};
use crate::warnings::{WarningOut, page as page_of, spoken};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use chrono::Utc;
use motcua_app::warnings::{self, Visibility};
use motcua_domain::access::Role;
use motcua_index::warnings::WarningKind;
use serde::Deserialize;

const PAGE: usize = 50;

#[derive(Deserialize, Default)]
pub struct WarningsQuery {
    #[serde(rename = "don-vi")]
    don_vi: Option<String>,
    loai: Option<String>,
    #[serde(rename = "cua-toi")]
    cua_toi: Option<String>,
    sau: Option<String>,
}

pub struct Row {
    pub severity: &'static str,
    pub severity_class: &'static str,
    pub label: String,
    /// Data, in Vietnamese.
    pub unit: String,
    /// In the reader's language.
    pub message: String,
    pub link: Option<String>,
    pub subject: String,
    /// The step's name (data, Vietnamese) and the role that works it.
    pub step: Option<(String, &'static str)>,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct WarningsFigures {
    pub lang: Lang,
    pub here: String,
    pub as_of: String,
    pub total: usize,
    pub rows: Vec<Row>,
    pub next: Option<String>,
}

#[derive(Template)]
#[template(path = "monitor_warnings.html")]
struct WarningsPage {
    user: Option<Nav>,
    csrf: String,
    units: Vec<Choice>,
    kinds: Vec<Choice>,
    mine: bool,
    fig: WarningsFigures,
}

#[derive(Template)]
#[template(path = "monitor_warnings_list.html")]
struct WarningsList {
    fig: WarningsFigures,
}

fn role_label(lang: Lang, role: &str) -> &'static str {
    Role::parse(role).map_or("", |r| names::role(lang, r))
}

fn row(lang: Lang, w: WarningOut) -> Row {
    let (severity, severity_class) = match w.severity.as_str() {
        "critical" => (lang.t("monitor.severity.critical"), "sev-critical"),
        _ => (lang.t("monitor.severity.warning"), "sev-warning"),
    };
    let subject = match (&w.dossier, &w.petition) {
        (Some(d), _) => d.code.clone(),
        (None, Some(p)) => lang.f("monitor.petition", p),
        (None, None) => lang.t("monitor.unit_score").to_owned(),
    };
    let step = w
        .dossier
        .as_ref()
        .and_then(|d| d.step.as_ref())
        .map(|s| (s.name.clone(), role_label(lang, &s.role)));
    Row {
        severity,
        severity_class,
        label: w.label,
        unit: w.unit.name,
        message: w.message,
        link: w.link,
        subject,
        step,
    }
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub async fn page(
    State(state): State<AppState>,
    user: PageUser,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<WarningsQuery>,
) -> Result<Response, ApiError> {
    let Some(account) = user.account() else {
        return Ok(login_redirect(&uri));
    };
    let lang = user.lang();
    let mine = q.cua_toi.as_deref() == Some("1");
    let unit = non_empty(&q.don_vi);
    let kind = non_empty(&q.loai);
    let actor = account.actor();
    let filter = warnings::filter_for(&state.app, &actor, unit, mine.then_some("me"), kind).await?;
    let now = Utc::now();
    let all = spoken(
        warnings::for_actor(&state.app, &actor, &filter, now).await?,
        lang,
    );
    let total = all.len();
    let (items, next) = page_of(all, non_empty(&q.sau), PAGE);
    let query = format!(
        "don-vi={}&loai={}&cua-toi={}",
        encode(unit.unwrap_or_default()),
        encode(kind.unwrap_or_default()),
        if mine { "1" } else { "" }
    );
    let fig = WarningsFigures {
        lang,
        here: format!(
            "/giam-sat/canh-bao?{query}&sau={}",
            encode(non_empty(&q.sau).unwrap_or_default())
        ),
        as_of: crate::pages::monitor::dashboard::shown_at(lang, now),
        total,
        rows: items.into_iter().map(|w| row(lang, w)).collect(),
        next: next.map(|c| format!("/giam-sat/canh-bao?{query}&sau={}", encode(&c))),
    };
    if wants_fragment(&headers) {
        return Ok(respond(render(&WarningsList { fig }, StatusCode::OK)));
    }
    let tree = state.app.store.unit_tree().await?;
    let v = Visibility::of(&account.actor(), &tree);
    let units = tree
        .iter()
        .filter(|u| v.unit(&u.code))
        .map(|u| Choice {
            value: u.code.to_string(),
            label: u.name.clone(),
            selected: Some(u.code.as_str()) == unit,
        })
        .collect();
    let kinds = WarningKind::ALL
        .into_iter()
        .map(|k| Choice {
            value: k.as_str().to_owned(),
            label: names::warning_kind(lang, k).to_owned(),
            selected: Some(k.as_str()) == kind,
        })
        .collect();
    let page = WarningsPage {
        user: user.nav(),
        csrf: user.csrf(),
        units,
        kinds,
        mine,
        fig,
    };
    Ok(respond(render(&page, StatusCode::OK)))
}
