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
use axum::Router;
use axum::routing::{delete, get, post};
use motcua_domain::access::{Action, Resource, authorize};
use motcua_store::accounts::Account;
use serde::Serialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(crate::openapi::document))
        .route("/api/v1/login", post(auth::login))
        .route("/api/v1/logout", post(auth::logout))
        .route("/api/v1/whoami", get(auth::whoami))
        .route(
            "/api/v1/tokens",
            get(auth::list_tokens).post(auth::create_token),
        )
        .route("/api/v1/tokens/{id}", delete(auth::revoke_token))
        .route("/api/v1/units", get(units::list))
        .route("/api/v1/units/{code}", get(units::detail))
        .route("/api/v1/units/{code}/rename", post(units::rename))
        .route("/api/v1/units/{code}/merge", post(units::merge))
        .route("/api/v1/procedures", get(procedures::list))
        .route("/api/v1/procedures/{code}", get(procedures::detail))
        .route("/api/v1/procedures/{code}/form", get(procedures::form))
        .route(
            "/api/v1/procedures/{code}/versions",
            get(procedures::versions),
        )
        .route(
            "/api/v1/procedures/{code}/draft",
            post(procedures::save_draft),
        )
        .route(
            "/api/v1/procedures/{code}/versions/{version}/publish",
            post(procedures::publish),
        )
        .route("/api/v1/index", get(index::index))
        .route("/api/v1/warnings", get(warnings::list))
        .merge(dossier_routes())
}

fn dossier_routes() -> Router<AppState> {
    use crate::api::dossiers as d;
    Router::new()
        .route("/api/v1/dossiers", get(d::mine).post(d::create))
        .route("/api/v1/assistance-codes", post(d::create_assistance_code))
        .route("/api/v1/dossiers/{id}", get(d::detail))
        .route("/api/v1/dossiers/{id}/submit", post(d::submit))
        .route("/api/v1/dossiers/{id}/form", post(d::save_form))
        .route("/api/v1/dossiers/{id}/receive", post(d::receive))
        .route("/api/v1/dossiers/{id}/refuse", post(d::refuse))
        .route("/api/v1/dossiers/{id}/forward", post(d::forward))
        .route("/api/v1/dossiers/{id}/send-back", post(d::send_back))
        .route("/api/v1/dossiers/{id}/transfer", post(d::transfer))
        .route(
            "/api/v1/dossiers/{id}/request-supplement",
            post(d::request_supplement),
        )
        .route("/api/v1/dossiers/{id}/supplement", post(d::supplement))
        .route(
            "/api/v1/dossiers/{id}/request-payment",
            post(d::request_payment),
        )
        .route(
            "/api/v1/dossiers/{id}/confirm-payment",
            post(d::confirm_payment),
        )
        .route("/api/v1/dossiers/{id}/extend", post(d::extend))
        .route("/api/v1/dossiers/{id}/stop", post(d::stop))
        .route("/api/v1/dossiers/{id}/withdraw", post(d::withdraw))
        .route("/api/v1/dossiers/{id}/complete", post(d::complete))
        .route("/api/v1/dossiers/{id}/return", post(d::return_result))
        .route("/api/v1/dossiers/{id}/rate", post(d::rate))
        .route("/api/v1/inbox", get(d::inbox))
        .route("/api/v1/lookup", get(d::lookup))
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
