//! Units: list and search (old names included), detail with history, rename and merge.

use super::{Json, Page, Path, Query, limit};
use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiError, ErrorBody};
use axum::extract::State;
use motcua_domain::UnitCode;
use motcua_domain::bundle::UnitRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(detail))
        .routes(routes!(rename))
        .routes(routes!(merge))
}

#[derive(Serialize, ToSchema)]
pub struct UnitView {
    pub code: String,
    pub name: String,
    /// province, department, commune, service_centre, other
    pub kind: String,
    pub parent: Option<String>,
    pub e_certified_copy: bool,
    pub active: bool,
    /// The unit that took this one over, if merged.
    pub successor: Option<String>,
    /// False where the code is a placeholder awaiting the real QĐ 20/2020 code.
    pub code_verified: Option<bool>,
}

impl From<&UnitRecord> for UnitView {
    fn from(u: &UnitRecord) -> Self {
        Self {
            code: u.code.to_string(),
            name: u.name.clone(),
            kind: u.kind.as_str().into(),
            parent: u.parent.as_ref().map(ToString::to_string),
            e_certified_copy: u.e_certified_copy,
            active: u.successor.is_none(),
            successor: u.successor.as_ref().map(ToString::to_string),
            code_verified: u
                .extra
                .get("code_verified")
                .and_then(serde_json::Value::as_bool),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct UnitQuery {
    /// Words of the current or a former name, or the code; diacritics optional.
    pub q: Option<String>,
    pub limit: Option<usize>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Lists units by code, optionally matching a search.
#[utoipa::path(get, path = "/api/v1/units", operation_id = "list_units", tag = "units", params(UnitQuery),
    responses((status = 200, body = Page<UnitView>)))]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<UnitQuery>,
) -> Result<axum::Json<Page<UnitView>>, ApiError> {
    let units = match q.q.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => state.app.store.find_units(s).await?,
        None => state.app.store.units().await?,
    };
    let n = limit(q.limit);
    let after: Vec<&UnitRecord> = units
        .iter()
        .filter(|u| q.cursor.as_deref().is_none_or(|c| u.code.as_str() > c))
        .collect();
    let page: Vec<UnitView> = after.iter().take(n).map(|u| UnitView::from(*u)).collect();
    let next_cursor = (after.len() > n)
        .then(|| page.last().map(|u| u.code.clone()))
        .flatten();
    Ok(axum::Json(Page {
        items: page,
        next_cursor,
        total: Some(units.len()),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct HistoryView {
    /// renamed or merged
    pub change: String,
    pub old_name: Option<String>,
    pub new_name: Option<String>,
    pub successor: Option<String>,
    pub at: String,
}

#[derive(Serialize, ToSchema)]
pub struct UnitDetail {
    pub unit: UnitView,
    pub children: Vec<String>,
    pub history: Vec<HistoryView>,
}

pub fn parse_unit(code: &str) -> Result<UnitCode, ApiError> {
    UnitCode::parse(code).map_err(|_| {
        ApiError::invalid(
            "code",
            "invalid_unit_code",
            "Mã đơn vị không đúng dạng 000.00.31.H57.",
            "Unit code must look like 000.00.31.H57.",
        )
    })
}

/// One unit with its sub-units and history.
#[utoipa::path(get, path = "/api/v1/units/{code}", operation_id = "unit_detail", tag = "units", params(("code" = String, Path, example = "000.00.00.H57")),
    responses((status = 200, body = UnitDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<axum::Json<UnitDetail>, ApiError> {
    let code = parse_unit(&code)?;
    let unit = state
        .app
        .store
        .unit(&code)
        .await
        .map_err(|_| ApiError::not_found("đơn vị", "Unit"))?;
    let children = state
        .app
        .store
        .units()
        .await?
        .into_iter()
        .filter(|u| u.parent.as_ref() == Some(&code))
        .map(|u| u.code.to_string())
        .collect();
    let history = state
        .app
        .store
        .unit_history(&code)
        .await?
        .into_iter()
        .map(|h| HistoryView {
            change: h.change,
            old_name: h.old_name,
            new_name: h.new_name,
            successor: h.successor,
            at: motcua_app::time::vn_time(h.at),
        })
        .collect();
    Ok(axum::Json(UnitDetail {
        unit: UnitView::from(&unit),
        children,
        history,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct RenameRequest {
    pub name: String,
}

/// Renames a unit; the old name stays findable.
#[utoipa::path(post, path = "/api/v1/units/{code}/rename", tag = "units", security(("bearer" = []), ("session" = [])), request_body = RenameRequest,
    params(("code" = String, Path)),
    responses((status = 200, body = UnitView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rename(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(code): Path<String>,
    Json(req): Json<RenameRequest>,
) -> Result<axum::Json<UnitView>, ApiError> {
    let code = parse_unit(&code)?;
    let unit =
        motcua_app::catalogue::rename_unit(&state.app, &auth.account.actor(), &code, &req.name)
            .await?;
    Ok(axum::Json(UnitView::from(&unit)))
}

#[derive(Deserialize, ToSchema)]
pub struct MergeRequest {
    /// The unit that takes this one over.
    pub into: String,
}

/// Merges a unit into another; it stays findable with its successor recorded, and its
/// sub-units move to the successor.
#[utoipa::path(post, path = "/api/v1/units/{code}/merge", tag = "units", security(("bearer" = []), ("session" = [])), request_body = MergeRequest,
    params(("code" = String, Path)),
    responses((status = 200, body = UnitView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn merge(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(code): Path<String>,
    Json(req): Json<MergeRequest>,
) -> Result<axum::Json<UnitView>, ApiError> {
    let code = parse_unit(&code)?;
    let into = UnitCode::parse(&req.into).map_err(|_| {
        ApiError::invalid(
            "into",
            "invalid_unit_code",
            "Mã đơn vị không đúng dạng 000.00.31.H57.",
            "into must look like 000.00.31.H57.",
        )
    })?;
    let unit =
        motcua_app::catalogue::merge_unit(&state.app, &auth.account.actor(), &code, &into).await?;
    Ok(axum::Json(UnitView::from(&unit)))
}
