//! `GET /api/v1/warnings`: the warnings of spec index-766 as of the server's now, per unit
//! and per officer, limited to what the caller may see.

use super::Query;
use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiError, ErrorBody};
use crate::warnings::{WarningOut, page, spoken};
use axum::extract::State;
use chrono::Utc;
use motcua_app::warnings;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

#[derive(Deserialize, IntoParams)]
pub struct WarningsQuery {
    /// Only this unit's scope (the unit and its sub-units).
    pub unit: Option<String>,
    /// Only dossiers at a step this officer (user name, or `me`) holds.
    pub officer: Option<String>,
    /// Only this kind: `overdue`, `second_supplement`, `petition_overdue`, `due_soon`,
    /// `petition_due_soon`, `late_without_apology`, `rating_fell`.
    pub kind: Option<String>,
    /// At most this many (1–200, default 50).
    pub limit: Option<usize>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A page of warnings, most urgent first.
#[derive(Serialize, ToSchema)]
pub struct WarningsPage {
    /// The instant the warnings are as of (RFC 3339, +07:00).
    pub as_of: String,
    pub items: Vec<WarningOut>,
    pub next_cursor: Option<String>,
    /// How many match in all.
    pub total: usize,
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Warnings as of now (spec index-766 "Warnings"): dossiers due within one working day or
/// overdue, second supplement requests, dossiers finished late without an apology letter,
/// petitions near or past their deadline, units whose rating for the running quarter fell
/// a band. Monitors see their province, leaders and unit administrators their units,
/// officers the dossiers of their units and at steps they hold.
#[utoipa::path(get, path = "/api/v1/warnings", operation_id = "list_warnings", tag = "index", security(("bearer" = []), ("session" = [])), params(WarningsQuery),
    responses((status = 200, body = WarningsPage),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Authenticated,
    headers: axum::http::HeaderMap,
    Query(q): Query<WarningsQuery>,
) -> Result<axum::Json<WarningsPage>, ApiError> {
    let actor = auth.account.actor();
    let filter = warnings::filter_for(
        &state.app,
        &actor,
        non_empty(&q.unit),
        non_empty(&q.officer),
        non_empty(&q.kind),
    )
    .await?;
    let now = Utc::now();
    let all = spoken(
        warnings::for_actor(&state.app, &actor, &filter, now).await?,
        crate::i18n::Lang::of_client(&headers),
    );
    let total = all.len();
    let (items, next_cursor) = page(all, non_empty(&q.cursor), super::limit(q.limit));
    Ok(axum::Json(WarningsPage {
        as_of: motcua_app::time::vn_time(now),
        items,
        next_cursor,
        total,
    }))
}
