//! `GET /api/v1/index`: the 766 index from the live engine.

use super::Query;
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use motcua_index::compute::Period;
use serde::Deserialize;
use utoipa::IntoParams;

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

/// The index of Decision 766/QĐ-TTg for every unit (or one unit's scope) and a period,
/// exactly the JSON of `motcua index compute` on the exported bundle, answered from the
/// live engine's state without scanning dossiers.
#[utoipa::path(get, path = "/api/v1/index", tag = "index", params(IndexQuery),
    responses((status = 200, description = "The index, as spec/index-766.md's Output", body = Object),
        (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn index(
    State(state): State<AppState>,
    Query(q): Query<IndexQuery>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let period = Period::new(date("from", &q.from)?, date("to", &q.to)?).map_err(|e| {
        ApiError::invalid(
            "to",
            "period_reversed",
            "Ngày kết thúc phải sau ngày bắt đầu.",
            e,
        )
    })?;
    let unit = q.unit.as_deref().filter(|u| !u.is_empty());
    match state.live.output(period, unit) {
        None => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "index_not_ready",
            "Chỉ số đang được tính lại, vui lòng thử lại sau.",
            "The index is being rebuilt; try again shortly.",
        )),
        Some(Err(())) => Err(ApiError::not_found("đơn vị", "Unit")),
        Some(Ok(out)) => Ok(axum::Json(
            serde_json::to_value(out).map_err(|_| ApiError::internal())?,
        )),
    }
}
