//! `GET /api/v1/warnings`: the warnings of spec index-766 as of the server's now, per unit
//! and per officer, limited to what the caller may see.

use super::Query;
use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiError, ErrorBody};
use crate::warnings::{self, Filter, WarningOut};
use axum::extract::State;
use chrono::Utc;
use motcua_domain::UnitCode;
use motcua_domain::access::{Resource, authorize};
use motcua_index::warnings::WarningKind;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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

/// The filter a query asks for, checked against what the caller may see.
pub async fn filter_for(
    state: &AppState,
    caller: &motcua_store::accounts::Account,
    unit: Option<&str>,
    officer: Option<&str>,
    kind: Option<&str>,
) -> Result<Filter, ApiError> {
    let tree = state.store.unit_tree().await?;
    let actor = caller.actor();
    let v = warnings::Visibility::of(&actor, &tree);
    if v.is_empty() {
        return Err(ApiError::forbidden());
    }
    let unit = match unit {
        None => None,
        Some(code) => {
            let code = UnitCode::parse(code)
                .ok()
                .filter(|c| tree.get(c).is_some())
                .ok_or_else(|| ApiError::not_found("đơn vị", "Unit"))?;
            // Asking for a unit is allowed where the caller reads its index or its dossiers.
            let r = Resource::Unit(code.clone());
            let index = authorize(&actor, motcua_domain::access::Action::ReadIndex, &r, &tree);
            let dossiers = authorize(
                &actor,
                motcua_domain::access::Action::ReadDossier,
                &r,
                &tree,
            );
            if index.is_err() && dossiers.is_err() {
                return Err(ApiError::forbidden());
            }
            Some(code)
        }
    };
    let officer = match officer {
        None => None,
        Some("me") => Some(actor.clone()),
        Some(name) => {
            let id = state
                .store
                .account_by_username(name)
                .await?
                .ok_or_else(|| ApiError::not_found("cán bộ", "Officer"))?;
            Some(state.store.account(&id).await?.actor())
        }
    };
    let kind = match kind {
        None => None,
        Some(k) => Some(WarningKind::parse(k).ok_or_else(|| {
            ApiError::invalid(
                "kind",
                "invalid_choice",
                "Loại cảnh báo không hợp lệ.",
                "kind is not a known warning kind.",
            )
        })?),
    };
    Ok(Filter {
        unit,
        officer,
        kind,
    })
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
    let filter = filter_for(
        &state,
        &auth.account,
        non_empty(&q.unit),
        non_empty(&q.officer),
        non_empty(&q.kind),
    )
    .await?;
    let now = Utc::now();
    let all = warnings::for_actor(
        &state,
        &auth.account.actor(),
        &filter,
        now,
        crate::i18n::Lang::of_client(&headers),
    )
    .await?;
    let total = all.len();
    let (items, next_cursor) = warnings::page(all, non_empty(&q.cursor), super::limit(q.limit));
    Ok(axum::Json(WarningsPage {
        as_of: crate::pages::vn_time(now),
        items,
        next_cursor,
        total,
    }))
}
