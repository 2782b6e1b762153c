//! `GET /api/v1/index`: the 766 index from the live engine.

use super::Query;
use crate::AppState;
use crate::auth::MaybeAuth;
use crate::error::{ApiError, ErrorBody};
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use motcua_index::compute::Period;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(index))
}

#[derive(Deserialize, IntoParams)]
pub struct IndexQuery {
    /// First day of the period, YYYY-MM-DD.
    pub from: String,
    /// Last day of the period (inclusive), YYYY-MM-DD.
    pub to: String,
    /// Only this unit's scope (the unit and its sub-units).
    pub unit: Option<String>,
}

fn date(field: &str, s: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        ApiError::invalid(
            field,
            "invalid_date",
            "Ngày không đúng định dạng YYYY-MM-DD.",
            format!("{field} must be YYYY-MM-DD."),
        )
    })
}

/// The shortest period the public view answers: a month, so that nobody follows a small
/// commune's few dossiers day by day.
const PUBLIC_MIN_DAYS: i64 = 28;

/// The index of Decision 766/QĐ-TTg for every unit (or one unit's scope) and a period,
/// exactly the JSON of `motcua index compute` on the exported bundle, answered from the
/// live engine's state without scanning dossiers.
///
/// **What is public.** Anyone may read, for periods of at least 28 days, each unit's total,
/// rating, rank and group scores — the figures the national portal publishes for every
/// province. The metrics behind them (numerators and denominators: exact counts of
/// dossiers, which for a small commune and a short period can point at a person) are
/// given only to a caller who may read the index of the unit asked for (a monitor, a
/// leader, a unit administrator), for any period; for them the answer is exactly the CLI's.
#[utoipa::path(get, path = "/api/v1/index", tag = "index", params(IndexQuery),
    responses((status = 200, description = "The index, as spec/index-766.md's Output; without `metrics` in the public view", body = Object),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn index(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    Query(q): Query<IndexQuery>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let from = date("from", &q.from)?;
    let to = date("to", &q.to)?;
    let period = Period::new(from, to).map_err(|e| {
        ApiError::invalid(
            "to",
            "period_reversed",
            "Ngày kết thúc phải sau ngày bắt đầu.",
            e,
        )
    })?;
    let unit = q.unit.as_deref().filter(|u| !u.is_empty());
    let full = match &auth {
        Some((account, _)) => reads_index_of(&state, &account.actor(), unit).await?,
        None => false,
    };
    if !full && (to - from).num_days() + 1 < PUBLIC_MIN_DAYS {
        return Err(ApiError::invalid(
            "from",
            "period_too_short",
            "Số liệu công khai được tính theo kỳ từ 28 ngày trở lên.",
            "The public figures cover periods of at least 28 days.",
        ));
    }
    let mut out = live_output(&state, period, unit)?;
    if !full {
        public_view(&mut out);
    }
    Ok(axum::Json(out))
}

/// Whether the actor may read the index of `unit` (every root of the tree without one).
async fn reads_index_of(
    state: &AppState,
    actor: &motcua_domain::access::Actor,
    unit: Option<&str>,
) -> Result<bool, ApiError> {
    use motcua_domain::access::{Action, Resource, authorize};
    let tree = state.app.store.unit_tree().await?;
    let targets: Vec<motcua_domain::UnitCode> = match unit {
        Some(u) => match motcua_domain::UnitCode::parse(u) {
            Ok(c) => vec![c],
            Err(_) => return Ok(false),
        },
        None => tree
            .iter()
            .filter(|u| u.parent.is_none())
            .map(|u| u.code.clone())
            .collect(),
    };
    Ok(!targets.is_empty()
        && targets
            .into_iter()
            .all(|u| authorize(actor, Action::ReadIndex, &Resource::Unit(u), &tree).is_ok()))
}

/// Leaves the scores and drops the metrics' counts.
fn public_view(out: &mut serde_json::Value) {
    let units = out
        .get_mut("units")
        .and_then(serde_json::Value::as_array_mut);
    for u in units.into_iter().flatten() {
        let groups = u
            .get_mut("groups")
            .and_then(serde_json::Value::as_array_mut);
        for g in groups.into_iter().flatten() {
            if let Some(g) = g.as_object_mut() {
                g.remove("metrics");
            }
        }
    }
}

fn live_output(
    state: &AppState,
    period: Period,
    unit: Option<&str>,
) -> Result<serde_json::Value, ApiError> {
    match state.app.live.output(period, unit) {
        None => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "index_not_ready",
            "Chỉ số đang được tính lại, vui lòng thử lại sau.",
            "The index is being rebuilt; try again shortly.",
        )),
        Some(Err(())) => Err(ApiError::not_found("đơn vị", "Unit")),
        Some(Ok(out)) => serde_json::to_value(out).map_err(|_| ApiError::internal()),
    }
}
