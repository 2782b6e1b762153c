//! The monitoring dashboard (`/giam-sat`): the 766 index of the chosen period for the
//! province and every unit the reader may follow, in a table sortable through links, a bar
//! chart of the totals with its figures beside it, and a fragment that htmx reloads every
//! ten seconds (without JavaScript the page has a reload link and works the same).
//!
//! Figures come from the live engine (`AppState::live`), never from scanning dossiers.

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::pages::monitor::period::{self, PeriodOption, PeriodQuery};
use crate::pages::monitor::svg::{self, Bar};
use crate::pages::office::names::{self, Label, num2};
use crate::pages::shared::auth::{Nav, PageUser};
use crate::pages::{encode, login_redirect, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use motcua_domain::UnitCode;
use motcua_domain::access::{Action, units_for};
use motcua_domain::unit::UnitKind;
use motcua_index::output::{Output, UnitOut};
use serde::Deserialize;
use std::collections::HashSet;

/// Bars in the chart of totals (the table lists every unit).
const CHART_BARS: usize = 20;

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    #[serde(flatten)]
    period: PeriodQuery,
    loai: Option<String>,
    #[serde(rename = "sap-xep")]
    sap_xep: Option<String>,
    chieu: Option<String>,
}

pub struct UnitRow {
    pub code: String,
    pub name: Label,
    pub kind: &'static str,
    pub total: String,
    pub rating: Label,
    pub rank: u32,
    /// Units of the same kind, among which the rank is given.
    pub of: usize,
    pub href: String,
}

pub struct SortHead {
    pub label: &'static str,
    pub href: String,
    /// `ascending`, `descending` or `none` (for `aria-sort`).
    pub aria: &'static str,
    pub mark: &'static str,
}

/// What the live fragment shows.
pub struct Figures {
    pub lang: Lang,
    pub period_label: String,
    pub as_of: String,
    /// This page with its choices, for the reload link and htmx.
    pub here: String,
    pub province: Option<UnitRow>,
    pub chart: String,
    pub chart_rows: Vec<(Label, String)>,
    pub chart_note: String,
    pub heads: Vec<SortHead>,
    pub rows: Vec<UnitRow>,
}

#[derive(Template)]
#[template(path = "monitor.html")]
struct Dashboard {
    user: Option<Nav>,
    csrf: String,
    options: Vec<PeriodOption>,
    tu: String,
    den: String,
    kinds: Vec<(&'static str, &'static str, bool)>,
    sort: String,
    dir: String,
    error: Option<String>,
    fig: Figures,
}

#[derive(Template)]
#[template(path = "monitor_figures.html")]
struct DashboardFigures {
    fig: Figures,
}

pub fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&crate::pages::vn_offset())
        .date_naive()
}

/// When figures were computed, to the second, as people read it.
pub fn shown_at(lang: Lang, t: chrono::DateTime<Utc>) -> String {
    t.with_timezone(&crate::pages::vn_offset())
        .format(lang.t("monitor.time_at"))
        .to_string()
}

/// The htmx request for the fragment only.
pub fn wants_fragment(headers: &HeaderMap) -> bool {
    headers
        .get("hx-request")
        .is_some_and(|v| v.as_bytes() == b"true")
}

/// A page or its fragment; either way caches must keep them apart.
pub fn respond(resp: Response) -> Response {
    let mut resp = resp;
    resp.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("HX-Request"));
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// The period from the query, or the running quarter with the reason it was not taken.
pub fn period_of(
    q: &PeriodQuery,
    today: NaiveDate,
    lang: Lang,
) -> (period::Chosen, Option<String>) {
    match period::choose(q, today, lang) {
        Ok(c) => (c, None),
        Err(e) => {
            let e = lang.f("monitor.period.fallback", e.message(lang));
            let fallback = period::choose(&PeriodQuery::default(), today, lang);
            // The running quarter always has at least today.
            match fallback {
                Ok(c) => (c, Some(e)),
                Err(_) => (
                    period::Chosen {
                        period: motcua_index::compute::Period {
                            from: today,
                            to: today,
                        },
                        value: String::new(),
                        label: today.format("%d/%m/%Y").to_string(),
                        query: format!("ky=tuy-chon&tu={today}&den={today}"),
                    },
                    Some(e),
                ),
            }
        }
    }
}

/// The live output for a period, or the "being rebuilt" error.
pub fn live_output(
    state: &AppState,
    period: motcua_index::compute::Period,
    unit: Option<&str>,
) -> Result<Output, ApiError> {
    match state.app.live.output(period, unit) {
        None => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "index_not_ready",
            "Chỉ số đang được tính lại, vui lòng thử lại sau.",
            "The index is being rebuilt.",
        )),
        Some(Err(())) => Err(ApiError::not_found("đơn vị", "Unit")),
        Some(Ok(o)) => Ok(o),
    }
}

/// How many units of each kind the ranks are among.
pub fn kind_counts(out: &Output) -> impl Fn(UnitKind) -> usize + '_ {
    move |k| out.units.iter().filter(|u| u.kind == k).count()
}

pub fn unit_row(lang: Lang, u: &UnitOut, of: usize, period_query: &str) -> UnitRow {
    UnitRow {
        code: u.code.clone(),
        name: Label::data(lang, &u.name),
        kind: names::unit_kind(lang, u.kind),
        total: num2(lang, u.total),
        rating: names::rating(lang, &u.rating),
        rank: u.rank,
        of,
        href: format!("/giam-sat/don-vi/{}?{period_query}", u.code),
    }
}

const SORTS: [&str; 4] = ["ten", "loai", "diem", "hang"];

fn sort_label(lang: Lang, key: &str) -> &'static str {
    match key {
        "ten" => lang.t("monitor.unit"),
        "loai" => lang.t("monitor.kind"),
        "hang" => lang.t("monitor.rank"),
        _ => lang.t("monitor.total"),
    }
}

fn sort_units(units: &mut [&UnitOut], by: &str, descending: bool) {
    units.sort_by(|a, b| {
        let o = match by {
            "ten" => a.name.cmp(&b.name),
            "loai" => a.kind.as_str().cmp(b.kind.as_str()),
            "hang" => (a.kind.as_str(), a.rank).cmp(&(b.kind.as_str(), b.rank)),
            _ => a.total.total_cmp(&b.total),
        };
        let o = if descending { o.reverse() } else { o };
        // Ties keep a fixed order: by name, then code.
        o.then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.code.cmp(&b.code))
    });
}

pub async fn dashboard(
    State(state): State<AppState>,
    user: PageUser,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, ApiError> {
    let Some(account) = user.account() else {
        return Ok(login_redirect(&uri));
    };
    let tree = state.app.store.unit_tree().await?;
    let visible: HashSet<UnitCode> = units_for(&account.actor(), Action::ReadIndex, &tree)
        .into_iter()
        .collect();
    if visible.is_empty() {
        return Err(ApiError::forbidden());
    }
    let lang = user.lang();
    let today = today();
    let (chosen, error) = period_of(&q.period, today, lang);
    let out = live_output(&state, chosen.period, None)?;
    let of = kind_counts(&out);
    let kind = q.loai.as_deref().and_then(UnitKind::parse);
    let sort = q
        .sap_xep
        .as_deref()
        .filter(|s| SORTS.contains(s))
        .unwrap_or("diem")
        .to_owned();
    let descending = match q.chieu.as_deref() {
        Some("tang") => false,
        Some("giam") => true,
        // Names read best A to Z, ranks from the first; scores from the highest.
        _ => sort == "diem",
    };
    let dir = if descending { "giam" } else { "tang" };
    let seen = |u: &&UnitOut| {
        UnitCode::parse(&u.code).is_ok_and(|c| visible.contains(&c))
            && kind.is_none_or(|k| u.kind == k)
    };
    let mut units: Vec<&UnitOut> = out.units.iter().filter(seen).collect();
    sort_units(&mut units, &sort, descending);
    let kind_q = kind.map(UnitKind::as_str).unwrap_or_default();
    let base = format!("/giam-sat?{}&loai={}", chosen.query, encode(kind_q));
    let heads = SORTS
        .iter()
        .map(|&key| {
            let active = key == sort;
            let next_desc = if active { !descending } else { key == "diem" };
            SortHead {
                label: sort_label(lang, key),
                href: format!(
                    "{base}&sap-xep={key}&chieu={}",
                    if next_desc { "giam" } else { "tang" }
                ),
                aria: match (active, descending) {
                    (false, _) => "none",
                    (true, true) => "descending",
                    (true, false) => "ascending",
                },
                mark: match (active, descending) {
                    (false, _) => "",
                    (true, true) => " ▼",
                    (true, false) => " ▲",
                },
            }
        })
        .collect();
    let rows: Vec<UnitRow> = units
        .iter()
        .map(|u| unit_row(lang, u, of(u.kind), &chosen.query))
        .collect();
    let province = out
        .units
        .iter()
        .find(|u| {
            u.kind == UnitKind::Province
                && UnitCode::parse(&u.code).is_ok_and(|c| visible.contains(&c))
        })
        .map(|u| unit_row(lang, u, of(u.kind), &chosen.query));
    let charted: Vec<&UnitOut> = units.iter().take(CHART_BARS).copied().collect();
    let fig = Figures {
        lang,
        period_label: chosen.label.clone(),
        as_of: shown_at(lang, Utc::now()),
        here: format!("{base}&sap-xep={sort}&chieu={dir}"),
        province,
        chart: totals_chart(lang, &charted, &chosen.label),
        chart_rows: charted
            .iter()
            .map(|u| (Label::data(lang, &u.name), num2(lang, u.total)))
            .collect(),
        chart_note: if units.len() > CHART_BARS {
            lang.f("monitor.chart_note_first", CHART_BARS)
        } else {
            lang.t("monitor.chart_note_all").to_owned()
        },
        heads,
        rows,
    };
    if wants_fragment(&headers) {
        return Ok(respond(render(&DashboardFigures { fig }, StatusCode::OK)));
    }
    let page = Dashboard {
        user: user.nav(),
        csrf: user.csrf(),
        options: period::options(today, &chosen.value, lang),
        tu: chosen.period.from.to_string(),
        den: chosen.period.to.to_string(),
        kinds: UnitKind::ALL
            .iter()
            .map(|k| (k.as_str(), names::unit_kind(lang, *k), Some(*k) == kind))
            .collect(),
        sort,
        dir: dir.to_owned(),
        error,
        fig,
    };
    Ok(respond(render(&page, StatusCode::OK)))
}

fn totals_chart(lang: Lang, units: &[&UnitOut], period: &str) -> String {
    let bars: Vec<Bar> = units
        .iter()
        .map(|u| Bar {
            label: u.name.clone(),
            label_vi: lang.is_en(),
            value: u.total,
            max: 100.0,
            text: num2(lang, u.total),
        })
        .collect();
    let best = units.iter().max_by(|a, b| a.total.total_cmp(&b.total));
    let worst = units.iter().min_by(|a, b| a.total.total_cmp(&b.total));
    let desc = match (best, worst) {
        (Some(b), Some(w)) => {
            let one = |u: &UnitOut| lang.f2("monitor.chart_unit", &u.name, num2(lang, u.total));
            lang.t("monitor.chart_totals_desc")
                .replacen("{}", &units.len().to_string(), 1)
                .replacen("{}", &one(b), 1)
                .replacen("{}", &one(w), 1)
        }
        _ => lang.t("monitor.chart_empty").to_owned(),
    };
    svg::bars(
        "bieu-do-tong",
        &lang.f("monitor.chart_totals_title", period),
        &desc,
        &bars,
    )
}

/// The dashboard's own small stylesheet.
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../static/monitor.css"),
    )
        .into_response()
}

/// htmx 2 (0BSD licence), vendored so that nothing loads from elsewhere. Pages link it with
/// its version in the query string, so a year's cache is safe across upgrades.
pub async fn htmx() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        include_bytes!("../../../static/htmx.min.js").as_slice(),
    )
        .into_response()
}
