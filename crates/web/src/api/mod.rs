//! The JSON API under `/api/v1`. Each handler: authenticate, parse, ask `domain` whether
//! the action is allowed, call `store`, answer. Conventions are those of `spec/api.md`.

pub mod auth;
pub mod procedures;
pub mod units;

use crate::AppState;
use crate::error::ApiError;
use axum::Router;
use axum::extract::FromRequest;
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
}

/// A list page: `{"items":[…],"next_cursor":…}` plus `total` where it is cheap.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Page<T: Serialize> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<usize>,
}

/// JSON body extractor whose rejection is our error shape (not axum's plain text).
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(rej) => {
                let detail = rej.body_text();
                Err(ApiError::new(
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_body",
                    "Nội dung yêu cầu không đúng định dạng JSON mong đợi.",
                    format!("The request body is not the expected JSON: {detail}"),
                ))
            }
        }
    }
}

/// Asks the domain; maps a refusal to `forbidden`.
pub async fn require(
    state: &AppState,
    account: &Account,
    action: Action,
    resource: &Resource,
) -> Result<(), ApiError> {
    let tree = state.store.unit_tree().await?;
    authorize(&account.actor(), action, resource, &tree).map_err(|_| ApiError::forbidden())
}

/// `limit` as the API accepts it: 1–200, default 50.
pub fn limit(v: Option<usize>) -> usize {
    v.unwrap_or(50).clamp(1, 200)
}
