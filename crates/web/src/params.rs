//! Parameters as both the API and the pages take them (a procedure code in the path, a
//! catalogue search in the query), parsed once with field-level errors.

use crate::error::ApiError;
use motcua_domain::procedure::OnlineLevel;
use motcua_domain::{ProcedureCode, UnitCode};
use motcua_store::procedures::SearchQuery;
use serde::Deserialize;
use utoipa::IntoParams;

/// `limit` as lists accept it: 1–200, default 50.
pub fn limit(v: Option<usize>) -> usize {
    v.unwrap_or(50).clamp(1, 200)
}

#[derive(Deserialize, IntoParams, Default)]
pub struct ProcedureQuery {
    /// Words to find, with or without diacritics ("dang ky khai sinh").
    pub q: Option<String>,
    /// Only procedures this unit handles.
    pub unit: Option<String>,
    /// Lĩnh vực, exactly as listed.
    pub field: Option<String>,
    /// none, partial or full.
    pub online_level: Option<String>,
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

/// Turns query parameters into a store query, with field-level errors.
pub fn search_query(q: &ProcedureQuery) -> Result<SearchQuery, ApiError> {
    let unit = match q.unit.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(u) => Some(UnitCode::parse(u).map_err(|_| {
            ApiError::invalid(
                "unit",
                "invalid_unit_code",
                "Mã đơn vị không đúng dạng 000.00.31.H57.",
                "unit must look like 000.00.31.H57.",
            )
        })?),
    };
    let online_level = match q.online_level.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(l) => Some(OnlineLevel::parse(l).ok_or_else(|| {
            ApiError::invalid(
                "online_level",
                "invalid_choice",
                "Mức độ trực tuyến phải là none, partial hoặc full.",
                "online_level must be none, partial or full.",
            )
        })?),
    };
    Ok(SearchQuery {
        q: q.q.clone().filter(|s| !s.trim().is_empty()),
        unit,
        field: q.field.clone().filter(|s| !s.is_empty()),
        online_level,
        limit: limit(q.limit),
        cursor: q.cursor.clone(),
    })
}

pub fn parse_code(code: &str) -> Result<ProcedureCode, ApiError> {
    ProcedureCode::parse(code).map_err(|_| {
        ApiError::invalid(
            "code",
            "invalid_procedure_code",
            "Mã thủ tục không đúng dạng 1.001193.",
            "Procedure code must look like 1.001193.",
        )
    })
}
