//! The JSON API under `/api/v1`. Each handler: authenticate, parse, ask `domain` whether
//! the action is allowed, call `store`, answer. Conventions are those of `spec/api.md`.

pub mod auth;
pub mod dossiers;
pub mod files;
pub mod index;
pub mod procedures;
pub mod units;
pub mod warnings;

use crate::AppState;
use crate::error::ApiError;
use motcua_domain::access::{Action, Resource, authorize};
use motcua_store::accounts::Account;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;

/// Every API operation with its OpenAPI entry, registered once: each resource module lists
/// its handlers (`routes!`), and the document is what these routers collected.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(auth::routes())
        .merge(units::routes())
        .merge(procedures::routes())
        .merge(index::routes())
        .merge(warnings::routes())
        .merge(dossiers::routes())
}

/// A list page: `{"items":[…],"next_cursor":…}` plus `total` where it is cheap.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Page<T: Serialize> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<usize>,
}

pub use crate::extract::{Json, Path, Query};

/// Asks the domain; maps a refusal to `forbidden`.
pub async fn require(
    state: &AppState,
    account: &Account,
    action: Action,
    resource: &Resource,
) -> Result<(), ApiError> {
    let tree = state.app.store.unit_tree().await?;
    authorize(&account.actor(), action, resource, &tree).map_err(|_| ApiError::forbidden())
}

pub use crate::params::limit;
