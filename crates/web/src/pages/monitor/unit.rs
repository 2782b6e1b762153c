//! One unit's 766 index (`/giam-sat/don-vi/{code}`): total, rating, rank, the six groups
//! (a chart with its table beside it), every metric with numerator, denominator, ratio and
//! score, its sub-units; and the drill-down from a figure to the dossiers behind it
//! (`…/ho-so?hinh=tre-han`), each linking to the back-office dossier page.

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::{self, Lang};
use crate::pages::monitor::dashboard::{
    UnitRow, kind_counts, live_output, period_of, respond, today, unit_row, wants_fragment,
};
use crate::pages::monitor::period::{self, PeriodOption, PeriodQuery};
use crate::pages::monitor::svg::{self, Bar};
use crate::pages::office::names::{self, Label, num2};
use crate::pages::shared::auth::{Nav, PageUser};
use crate::pages::{encode, login_redirect, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use chrono::{DateTime, Utc};
use motcua_domain::UnitCode;
use motcua_domain::access::{Action, Resource, authorize};
use motcua_index::output::UnitOut;
use motcua_index::watch::Behind;
use motcua_store::monitor::{PeriodBasis, PeriodQuery as Candidates};
use serde::Deserialize;
use std::collections::HashMap;

fn slug(b: Behind) -> &'static str {
    match b {
        Behind::Received => "tiep-nhan",
        Behind::Handled => "giai-quyet",
        Behind::Late => "tre-han",
        Behind::Supplemented => "bo-sung",
        Behind::NotSatisfied => "chua-hai-long",
    }
}

fn label(lang: Lang, b: Behind) -> &'static str {
    match b {
        Behind::Received => lang.t("monitor.behind.received"),
        Behind::Handled => lang.t("monitor.behind.handled"),
        Behind::Late => lang.t("monitor.behind.late"),
        Behind::Supplemented => lang.t("monitor.behind.supplemented"),
        Behind::NotSatisfied => lang.t("monitor.behind.not_satisfied"),
    }
}

/// The lists of dossiers behind a metric's figures.
fn drills(metric: &str) -> &'static [Behind] {
    match metric {
        "PROGRESS_ON_TIME" => &[Behind::Handled, Behind::Late, Behind::Supplemented],
        "DOSSIER_RECEIVING_SATISFACTION" => &[Behind::NotSatisfied],
        "DOSSIER_SYNC"
        | "ONLINE_DOSSIERS"
        | "SO_HOA_GIAY_TO_GIAI_QUYET"
        | "REUSED_DIGITIZED_DATA"
        | "SYNCED_WITH_DVCQG_PERSONAL_STORAGE" => &[Behind::Received],
        _ => &[],
    }
}

/// How many dossiers the index counts behind a figure, where a metric says it.
fn expected(b: Behind, u: &UnitOut) -> Option<i64> {
    let m = |code: &str| {
        u.groups
            .iter()
            .flat_map(|g| &g.metrics)
            .find(|m| m.code == code)
    };
    match b {
        Behind::Received => m("DOSSIER_SYNC").map(|m| m.denominator),
        Behind::Handled => m("PROGRESS_ON_TIME").map(|m| m.denominator),
        Behind::Late => m("PROGRESS_ON_TIME").map(|m| m.denominator - m.numerator),
        Behind::NotSatisfied => {
            m("DOSSIER_RECEIVING_SATISFACTION").map(|m| m.denominator - m.numerator)
        }
        Behind::Supplemented => None,
    }
}

pub struct Drill {
    pub label: &'static str,
    pub href: String,
    pub count: Option<i64>,
}

pub struct MetricRow {
    pub code: String,
    /// The index definition's name: Vietnamese only.
    pub name: Label,
    pub numerator: i64,
    pub denominator: i64,
    pub ratio: String,
    pub score: String,
    pub max: u32,
    pub drills: Vec<Drill>,
    /// Which outside system confirms the facts the metric reads, and whether this
    /// deployment is connected to it: a low score explains itself.
    pub source: Option<Source>,
}

pub struct Source {
    pub text: String,
    pub connected: bool,
}

/// The outside systems behind a metric, said plainly (None for a metric motcua's own
/// records decide).
fn source(
    lang: Lang,
    kind: Option<motcua_index::definition::MetricKind>,
    connected: &[motcua_domain::dossier::outside::System],
) -> Option<Source> {
    let mut systems: Vec<motcua_domain::dossier::outside::System> = Vec::new();
    for f in kind?.outside_facts() {
        if !systems.contains(&f.system()) {
            systems.push(f.system());
        }
    }
    systems.first()?;
    let all_on = systems.iter().all(|s| connected.contains(s));
    let names = systems
        .iter()
        .map(|s| lang.t(system_key(*s)))
        .collect::<Vec<_>>()
        .join(", ");
    Some(Source {
        text: if all_on {
            lang.f("monitor.source.connected", names)
        } else {
            lang.f("monitor.source.not_connected", names)
        },
        connected: all_on,
    })
}

fn system_key(s: motcua_domain::dossier::outside::System) -> &'static str {
    use motcua_domain::dossier::outside::System as S;
    match s {
        S::NationalPortal => "system.national_portal",
        S::Payment => "system.payment",
        S::Eid => "system.eid",
        S::DataStore => "system.data_store",
    }
}

pub struct GroupRow {
    pub key: String,
    pub name: Label,
    pub score: String,
    pub max: u32,
    pub share: String,
    pub metrics: Vec<MetricRow>,
}

pub struct UnitFigures {
    pub lang: Lang,
    pub period_label: String,
    pub as_of: String,
    pub here: String,
    pub unit: UnitRow,
    pub chart: String,
    pub groups: Vec<GroupRow>,
    pub children: Vec<UnitRow>,
}

#[derive(Template)]
#[template(path = "monitor_unit.html")]
struct UnitPage {
    user: Option<Nav>,
    csrf: String,
    options: Vec<PeriodOption>,
    tu: String,
    den: String,
    error: Option<String>,
    fig: UnitFigures,
}

#[derive(Template)]
#[template(path = "monitor_unit_figures.html")]
struct UnitFiguresPart {
    fig: UnitFigures,
}

/// The unit, if it exists and the reader may follow its index.
async fn readable_unit(
    state: &AppState,
    user: &PageUser,
    code: &str,
) -> Result<(UnitCode, motcua_domain::unit::UnitTree), ApiError> {
    let tree = state.app.store.unit_tree().await?;
    let unit = UnitCode::parse(code)
        .ok()
        .filter(|c| tree.get(c).is_some())
        .ok_or_else(|| ApiError::not_found("đơn vị", "Unit"))?;
    let actor = user.account().map(|a| a.actor());
    let allowed = actor.is_some_and(|a| {
        authorize(&a, Action::ReadIndex, &Resource::Unit(unit.clone()), &tree).is_ok()
    });
    if !allowed {
        return Err(ApiError::forbidden());
    }
    Ok((unit, tree))
}

fn percent(lang: Lang, r: Option<f64>) -> String {
    r.map_or_else(
        || "–".to_owned(),
        |r| format!("{} %", num2(lang, r * 100.0)),
    )
}

pub async fn unit_page(
    State(state): State<AppState>,
    user: PageUser,
    uri: Uri,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, ApiError> {
    if user.account().is_none() {
        return Ok(login_redirect(&uri));
    }
    let (unit, tree) = readable_unit(&state, &user, &code).await?;
    let lang = user.lang();
    let today = today();
    let (chosen, error) = period_of(&q, today, lang);
    let out = live_output(&state, chosen.period, None)?;
    let of = kind_counts(&out);
    let u = out
        .units
        .iter()
        .find(|u| u.code == unit.as_str())
        .ok_or_else(|| ApiError::not_found("đơn vị", "Unit"))?;
    let def = state.app.live.definition();
    let names: HashMap<&str, &str> = def
        .metrics()
        .map(|m| (m.code.as_str(), m.name.as_str()))
        .chain(def.groups.iter().map(|g| (g.key.as_str(), g.name.as_str())))
        .collect();
    let name_vi = |k: &str| {
        names
            .get(k)
            .map_or_else(|| k.to_owned(), |s| (*s).to_owned())
    };
    // Groups have names in both languages; metrics keep the definition's Vietnamese.
    let group_name = |k: &str| names::group(lang, k, &name_vi(k));
    let metric_name = |k: &str| Label::data(lang, name_vi(k));
    let base = format!("/giam-sat/don-vi/{}", unit);
    let groups: Vec<GroupRow> = u
        .groups
        .iter()
        .map(|g| GroupRow {
            key: g.key.clone(),
            name: group_name(&g.key),
            score: num2(lang, g.score),
            max: g.max,
            share: percent(lang, (g.max > 0).then(|| g.score / f64::from(g.max))),
            metrics: g
                .metrics
                .iter()
                .map(|m| MetricRow {
                    source: source(
                        lang,
                        def.metrics().find(|d| d.code == m.code).map(|d| d.kind),
                        &state.config.connected,
                    ),
                    code: m.code.clone(),
                    name: metric_name(&m.code),
                    numerator: m.numerator,
                    denominator: m.denominator,
                    ratio: percent(lang, m.ratio),
                    score: num2(lang, m.score),
                    max: m.max,
                    drills: drills(&m.code)
                        .iter()
                        .map(|&b| Drill {
                            label: label(lang, b),
                            href: format!("{base}/ho-so?hinh={}&{}", slug(b), chosen.query),
                            count: expected(b, u),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let bars: Vec<Bar> = u
        .groups
        .iter()
        .map(|g| {
            let name = group_name(&g.key);
            Bar {
                label_vi: name.vi,
                label: name.text,
                value: g.score,
                max: f64::from(g.max),
                text: format!("{}/{}", num2(lang, g.score), g.max),
            }
        })
        .collect();
    let weakest = u.groups.iter().min_by(|a, b| {
        (a.score / f64::from(a.max.max(1))).total_cmp(&(b.score / f64::from(b.max.max(1))))
    });
    let desc = lang.f2(
        "monitor.chart_groups_desc",
        num2(lang, u.total),
        weakest.map_or_else(String::new, |g| {
            let score = format!("{}/{}", num2(lang, g.score), g.max);
            lang.f2("monitor.chart_weakest", group_name(&g.key), score)
        }),
    );
    let chart = svg::bars(
        "bieu-do-nhom",
        &lang.f2("monitor.chart_groups_title", &u.name, &chosen.label),
        &desc,
        &bars,
    );
    let children: Vec<UnitRow> = out
        .units
        .iter()
        .filter(|c| {
            UnitCode::parse(&c.code)
                .ok()
                .and_then(|cc| tree.get(&cc))
                .is_some_and(|t| t.parent.as_ref() == Some(&unit))
        })
        .map(|c| unit_row(lang, c, of(c.kind), &chosen.query))
        .collect();
    let fig = UnitFigures {
        lang,
        period_label: chosen.label.clone(),
        as_of: crate::pages::monitor::dashboard::shown_at(lang, Utc::now()),
        here: format!("{base}?{}", chosen.query),
        unit: unit_row(lang, u, of(u.kind), &chosen.query),
        chart,
        groups,
        children,
    };
    if wants_fragment(&headers) {
        return Ok(respond(render(&UnitFiguresPart { fig }, StatusCode::OK)));
    }
    let page = UnitPage {
        user: user.nav(),
        csrf: user.csrf(),
        options: period::options(today, &chosen.value, lang),
        tu: chosen.period.from.to_string(),
        den: chosen.period.to.to_string(),
        error,
        fig,
    };
    Ok(respond(render(&page, StatusCode::OK)))
}

#[derive(Deserialize)]
pub struct DrillQuery {
    #[serde(flatten)]
    period: PeriodQuery,
    hinh: Option<String>,
    sau: Option<String>,
}

pub struct DossierRow {
    pub id: String,
    pub code: String,
    /// Data, in Vietnamese.
    pub procedure: String,
    pub unit: String,
    pub received: String,
    pub due: String,
    pub finished: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "monitor_dossiers.html")]
struct DossiersPage {
    user: Option<Nav>,
    csrf: String,
    lang: Lang,
    unit_name: String,
    unit_href: String,
    title: &'static str,
    period_label: String,
    count: Option<i64>,
    others: Vec<Drill>,
    rows: Vec<DossierRow>,
    next: Option<String>,
}

/// Rows on one page of a drill-down.
const PAGE: usize = 50;
/// Candidates read from the store at a time.
const BATCH: usize = 200;

fn instant(t: motcua_index::instant::Instant) -> DateTime<Utc> {
    DateTime::from_timestamp_nanos(t)
}

pub async fn dossiers(
    State(state): State<AppState>,
    user: PageUser,
    uri: Uri,
    Path(code): Path<String>,
    Query(q): Query<DrillQuery>,
) -> Result<Response, ApiError> {
    if user.account().is_none() {
        return Ok(login_redirect(&uri));
    }
    let (unit, tree) = readable_unit(&state, &user, &code).await?;
    let lang = user.lang();
    let behind = Behind::ALL
        .into_iter()
        .find(|b| Some(slug(*b)) == q.hinh.as_deref())
        .unwrap_or(Behind::Late);
    let (chosen, _) = period_of(&q.period, today(), lang);
    let period = chosen.period;
    let scope = tree.scope(&unit);
    let mut after: Option<(i64, String)> = q
        .sau
        .as_deref()
        .and_then(|c| c.split_once('_'))
        .and_then(|(a, id)| Some((a.parse().ok()?, id.to_owned())));
    let mut found = Vec::new();
    'scan: loop {
        let batch = state
            .app
            .store
            .period_candidates(&Candidates {
                units: &scope,
                start: instant(period.start()),
                end: instant(period.end()),
                basis: match behind {
                    Behind::Received => PeriodBasis::Received,
                    _ => PeriodBasis::Handled,
                },
                after: after.clone(),
                limit: BATCH,
            })
            .await?;
        let n = batch.len();
        let codes: Vec<String> = batch
            .iter()
            .map(|c| {
                c.dossier
                    .code
                    .as_ref()
                    .map_or_else(|| c.dossier.id.clone(), ToString::to_string)
            })
            .collect();
        let refs: Vec<&str> = codes.iter().map(String::as_str).collect();
        let judged = state.app.live.behind(&refs, behind, period);
        for (c, yes) in batch.into_iter().zip(judged) {
            after = Some(c.position.clone());
            if yes {
                found.push(c);
                if found.len() > PAGE {
                    break 'scan;
                }
            }
        }
        if n < BATCH {
            break;
        }
    }
    let next = (found.len() > PAGE).then(|| {
        let (at, id) = &found[PAGE - 1].position;
        format!(
            "/giam-sat/don-vi/{unit}/ho-so?hinh={}&{}&sau={}",
            slug(behind),
            chosen.query,
            encode(&format!("{at}_{id}"))
        )
    });
    found.truncate(PAGE);
    let mut names: HashMap<String, String> = HashMap::new();
    let mut rows = Vec::with_capacity(found.len());
    for c in found {
        let d = c.dossier;
        let key = d.procedure.to_string();
        if !names.contains_key(&key) {
            let name = state
                .app
                .store
                .procedure(&d.procedure)
                .await
                .map_or_else(|_| key.clone(), |p| p.procedure.name);
            names.insert(key.clone(), name);
        }
        rows.push(DossierRow {
            code: d
                .code
                .as_ref()
                .map_or_else(|| d.id.clone(), ToString::to_string),
            id: d.id,
            procedure: names.get(&key).cloned().unwrap_or(key),
            unit: tree
                .get(&d.unit)
                .map_or_else(|| d.unit.to_string(), |u| u.name.clone()),
            received: d
                .received_at
                .map(|t| i18n::when(lang, t))
                .unwrap_or_default(),
            due: d.due_at.map(|t| i18n::when(lang, t)).unwrap_or_default(),
            finished: d
                .finished_at
                .map(|t| i18n::when(lang, t))
                .unwrap_or_default(),
            status: i18n::status(lang, d.status),
        });
    }
    let out = live_output(&state, period, Some(unit.as_str()))?;
    let u = out.units.iter().find(|u| u.code == unit.as_str());
    let base = format!("/giam-sat/don-vi/{unit}");
    let page = DossiersPage {
        user: user.nav(),
        csrf: user.csrf(),
        lang,
        unit_name: u.map_or_else(|| unit.to_string(), |u| u.name.clone()),
        unit_href: format!("{base}?{}", chosen.query),
        title: label(lang, behind),
        period_label: chosen.label.clone(),
        count: u.and_then(|u| expected(behind, u)),
        others: Behind::ALL
            .into_iter()
            .filter(|b| *b != behind)
            .map(|b| Drill {
                label: label(lang, b),
                href: format!("{base}/ho-so?hinh={}&{}", slug(b), chosen.query),
                count: u.and_then(|u| expected(b, u)),
            })
            .collect(),
        rows,
        next,
    };
    Ok(respond(render(&page, StatusCode::OK)))
}
