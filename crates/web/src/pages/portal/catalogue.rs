//! The public catalogue: home, search, and the procedure page with its public parts.

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::{self, Lang};
use crate::pages::shared::auth::PageUser;
use crate::pages::shared::chrome::Visitor;
use crate::pages::{encode, money, render};
use crate::params::{ProcedureQuery, parse_code, search_query};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::procedure::{OnlineLevel, Procedure};

pub struct FieldOption {
    pub name: String,
    pub count: i64,
    pub selected: bool,
}

pub struct UnitOption {
    pub code: String,
    pub name: String,
    pub selected: bool,
}

pub struct Row {
    pub code: String,
    pub name: String,
    pub field: Option<String>,
    pub time_limit: String,
    pub level_class: &'static str,
    pub level_label: &'static str,
}

fn level(lang: Lang, p: &Procedure) -> (&'static str, &'static str) {
    (
        p.online_level.map_or("unknown", OnlineLevel::as_str),
        i18n::level(lang, p.online_level),
    )
}

fn time_limit_text(lang: Lang, p: &Procedure) -> String {
    p.time_limit.map_or_else(
        || lang.t("catalogue.no_time_limit").to_owned(),
        |t| lang.f("catalogue.time_limit", i18n::time_limit(lang, &t)),
    )
}

const LEVELS: [OnlineLevel; 3] = [OnlineLevel::Full, OnlineLevel::Partial, OnlineLevel::None];

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    user: Visitor,
    csrf: String,
    levels: Vec<(&'static str, &'static str, usize)>,
    total: usize,
    fields: Vec<FieldOption>,
}

pub async fn home(State(state): State<AppState>, user: PageUser) -> Result<Response, ApiError> {
    let lang = user.lang();
    let all = state.app.store.published_procedures().await?;
    let levels = LEVELS
        .iter()
        .map(|l| {
            (
                l.as_str(),
                i18n::level(lang, Some(*l)),
                all.iter().filter(|p| p.online_level == Some(*l)).count(),
            )
        })
        .collect();
    let fields = state
        .app
        .store
        .procedure_fields()
        .await?
        .into_iter()
        .map(|(name, count)| FieldOption {
            name,
            count,
            selected: false,
        })
        .collect();
    Ok(render(
        &Home {
            user: user.visitor(),
            csrf: user.csrf(),
            levels,
            total: all.len(),
            fields,
        },
        StatusCode::OK,
    ))
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct Catalogue {
    user: Visitor,
    csrf: String,
    q: String,
    fields: Vec<FieldOption>,
    levels: Vec<(&'static str, &'static str, bool)>,
    units: Vec<UnitOption>,
    items: Vec<Row>,
    total: usize,
    next: Option<String>,
    error: Option<String>,
}

pub async fn search(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<ProcedureQuery>,
) -> Result<Response, ApiError> {
    let lang = user.lang();
    let (page, error) = match search_query(&q) {
        Ok(sq) => (Some(state.app.store.search_procedures(&sq).await?), None),
        Err(e) => (None, Some(lang.pick(&e.vi, &e.en).to_owned())),
    };
    let fields = state
        .app
        .store
        .procedure_fields()
        .await?
        .into_iter()
        .map(|(name, count)| FieldOption {
            selected: q.field.as_deref() == Some(name.as_str()),
            name,
            count,
        })
        .collect();
    let units = state
        .app
        .store
        .units()
        .await?
        .into_iter()
        .filter(|u| u.successor.is_none())
        .map(|u| UnitOption {
            selected: q.unit.as_deref() == Some(u.code.as_str()),
            code: u.code.to_string(),
            name: u.name,
        })
        .collect();
    let levels = LEVELS
        .iter()
        .map(|l| {
            (
                l.as_str(),
                i18n::level(lang, Some(*l)),
                q.online_level.as_deref() == Some(l.as_str()),
            )
        })
        .collect();
    let (items, total, next) = match page {
        None => (Vec::new(), 0, None),
        Some(page) => {
            let next = page.next_cursor.as_ref().map(|c| {
                let mut href = format!("/thu-tuc?cursor={}", encode(c));
                for (k, v) in [
                    ("q", &q.q),
                    ("field", &q.field),
                    ("unit", &q.unit),
                    ("online_level", &q.online_level),
                ] {
                    if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                        href.push_str(&format!("&{k}={}", encode(v)));
                    }
                }
                href
            });
            let items = page
                .items
                .iter()
                .map(|p| {
                    let (level_class, level_label) = level(lang, &p.procedure);
                    Row {
                        code: p.procedure.code.to_string(),
                        name: p.procedure.name.clone(),
                        field: p.procedure.field.clone(),
                        time_limit: time_limit_text(lang, &p.procedure),
                        level_class,
                        level_label,
                    }
                })
                .collect();
            (items, page.total, next)
        }
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render(
        &Catalogue {
            user: user.visitor(),
            csrf: user.csrf(),
            q: q.q.clone().unwrap_or_default(),
            fields,
            levels,
            units,
            items,
            total,
            next,
            error,
        },
        status,
    ))
}

pub struct ComponentRow {
    pub name: String,
    pub required: bool,
    pub originals: u32,
    pub copies: u32,
    pub form: Option<String>,
}

#[derive(Template)]
#[template(path = "procedure.html")]
struct ProcedurePage {
    user: Visitor,
    csrf: String,
    code: String,
    name: String,
    field: Option<String>,
    level_class: &'static str,
    level_label: &'static str,
    version: i64,
    published_at: String,
    unverified: String,
    steps: Vec<String>,
    channels: Vec<&'static str>,
    time_note: Option<String>,
    components: Vec<ComponentRow>,
    time_limit: String,
    applicants: Vec<&'static str>,
    authority: Option<String>,
    units: Vec<String>,
    /// The competent units to choose from when starting a dossier.
    unit_options: Vec<UnitOption>,
    /// Fresh for each rendering of the form, so one form makes at most one draft.
    idempotency_key: String,
    result: Option<String>,
    fees: Vec<String>,
    fee_summary: String,
    legal_basis: Vec<String>,
}

/// Names of the record fields a province may flag as unverified.
fn field_label(lang: Lang, f: &str) -> &str {
    let key = match f {
        "online_level" | "full_online_eligible" => "online_level",
        other => other,
    };
    lang.lookup(&format!("record.{key}")).unwrap_or(f)
}

pub async fn procedure(
    State(state): State<AppState>,
    user: PageUser,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let code = parse_code(&code).map_err(|_| ApiError::not_found("thủ tục", "Procedure"))?;
    let published = state
        .app
        .store
        .procedure(&code)
        .await
        .map_err(|_| ApiError::not_found("thủ tục", "Procedure"))?;
    let p = &published.procedure;
    let tree = state.app.store.unit_tree().await?;
    let lang = user.lang();
    let (level_class, level_label) = level(lang, p);
    let mut unverified: Vec<&str> = p.unverified.iter().map(|f| field_label(lang, f)).collect();
    unverified.dedup();
    let fees: Vec<String> = p
        .fees
        .iter()
        .map(|f| {
            let amount = f
                .amount_vnd
                .map_or_else(|| "mức thu do Hội đồng nhân dân quy định".to_owned(), money);
            match &f.note {
                Some(n) if !n.is_empty() => format!("{}: {amount} ({n})", f.name),
                _ => format!("{}: {amount}", f.name),
            }
        })
        .collect();
    let fee_summary = match p.has_fee {
        Some(false) => lang.t("procedure.no_fee").to_owned(),
        _ => lang.t("common.missing").to_owned(),
    };
    let page = ProcedurePage {
        user: user.visitor(),
        csrf: user.csrf(),
        code: p.code.to_string(),
        name: p.name.clone(),
        field: p.field.clone(),
        level_class,
        level_label,
        version: published.version,
        // For people, as on the dossier pages ("11:22 ngày 27/11/2026"), not RFC 3339.
        published_at: i18n::when(lang, published.published_at),
        unverified: unverified.join(", "),
        steps: p.steps.clone(),
        channels: p.channels.iter().map(|c| i18n::channel(lang, *c)).collect(),
        time_note: p.time_note.clone(),
        components: p
            .components
            .iter()
            .map(|c| {
                let c = c.component();
                ComponentRow {
                    name: c.name,
                    required: c.required,
                    originals: c.originals,
                    copies: c.copies,
                    form: c.form,
                }
            })
            .collect(),
        time_limit: p.time_limit.map_or_else(
            || lang.t("common.missing").to_owned(),
            |t| i18n::time_limit(lang, &t),
        ),
        applicants: p
            .applicant_kinds
            .iter()
            .map(|a| i18n::applicant(lang, *a))
            .collect(),
        authority: p.authority.clone(),
        units: p
            .units
            .iter()
            .map(|u| {
                tree.get(u)
                    .map_or_else(|| u.to_string(), |x| x.name.clone())
            })
            .collect(),
        unit_options: p
            .units
            .iter()
            .map(|u| UnitOption {
                code: u.to_string(),
                name: tree
                    .get(u)
                    .map_or_else(|| u.to_string(), |x| x.name.clone()),
                selected: p.units.len() == 1,
            })
            .collect(),
        idempotency_key: uuid::Uuid::now_v7().to_string(),
        result: p.result.clone().filter(|r| !r.is_empty()),
        fees,
        fee_summary,
        legal_basis: p.legal_basis.clone(),
    };
    Ok(render(&page, StatusCode::OK))
}
