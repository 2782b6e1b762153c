//! The JSON API under `/api/v1`. Each handler: authenticate, parse, ask `domain` whether
//! the action is allowed, call `store`, answer. Conventions are those of `spec/api.md`.

pub mod auth;
pub mod index;
pub mod procedures;
pub mod units;
pub mod warnings;

use crate::AppState;
use crate::error::ApiError;
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
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
    use crate::dossiers::api as d;
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

/// JSON body extractor whose rejection is our error shape (not axum's plain text).
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        use axum::extract::rejection::JsonRejection as R;
        match axum::Json::<serde_json::Value>::from_request(req, state).await {
            // PostgreSQL refuses a NUL in text (a storage error, so a 500); no field of
            // ours may hold one.
            Ok(axum::Json(v)) if has_nul(&v) => Err(ApiError::invalid(
                "body",
                "invalid_character",
                "Nội dung yêu cầu chứa ký tự không hợp lệ.",
                "The body contains a NUL character.",
            )),
            Ok(axum::Json(v)) => serde_json::from_value(v).map(Json).map_err(|e| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_body",
                    "Nội dung yêu cầu không đúng định dạng JSON mong đợi.",
                    format!("The request body is not the expected JSON: {e}"),
                )
            }),
            Err(R::MissingJsonContentType(_)) => {
                Err(ApiError::unsupported_media_type("application/json"))
            }
            Err(rej @ (R::JsonDataError(_) | R::JsonSyntaxError(_))) => {
                let detail = rej.body_text();
                Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_body",
                    "Nội dung yêu cầu không đúng định dạng JSON mong đợi.",
                    format!("The request body is not the expected JSON: {detail}"),
                ))
            }
            // The body could not be read: over the limit (a chunked body is only found to
            // be while it streams), or cut off.
            Err(rej) if rej.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::payload_too_large())
            }
            Err(_) => Err(ApiError::bad_request()),
        }
    }
}

/// Whether a NUL character is in any string or key of a JSON value.
fn has_nul(v: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    match v {
        V::String(s) => s.contains('\0'),
        V::Array(items) => items.iter().any(has_nul),
        V::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        V::Null | V::Bool(_) | V::Number(_) => false,
    }
}

/// Query string extractor: a parameter that does not parse (or a required one that is
/// missing) is a 422 naming it, like the handlers' own checks, not axum's plain-text 400.
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(Query)
            .map_err(|e| {
                let path = e.path().to_string();
                invalid_parameter(&path, &e.into_inner().to_string())
            })
    }
}

/// A parameter (of the query or the path) that does not parse. serde reports a missing
/// field at the enclosing struct, so its name is read from the message.
fn invalid_parameter(path: &str, message: &str) -> ApiError {
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|m| m.split_once('`'))
        .map(|(name, _)| name);
    let (field, code) = match missing {
        Some(name) => (name, "required"),
        None => (path, "invalid"),
    };
    ApiError::invalid(
        field,
        code,
        format!("Tham số {field} thiếu hoặc không hợp lệ."),
        format!("Parameter {field} is missing or invalid: {message}"),
    )
}

/// Path parameter extractor with our error shape: a parameter of the wrong type is a 422
/// naming it; a path that is not UTF-8 once decoded is a 400.
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        use axum::extract::path::ErrorKind as K;
        use axum::extract::rejection::PathRejection as R;
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(R::FailedToDeserializePathParams(e)) => match e.kind() {
                K::ParseErrorAtKey { key, .. } | K::DeserializeError { key, .. } => {
                    Err(invalid_parameter(key, &e.body_text()))
                }
                // A tuple of parameters names the failing one by its place in the route.
                K::ParseErrorAtIndex { index, .. } => {
                    let raw = axum::extract::RawPathParams::from_request_parts(parts, state).await;
                    let key = raw
                        .ok()
                        .and_then(|r| r.iter().nth(*index).map(|(k, _)| k.to_owned()))
                        .unwrap_or_else(|| index.to_string());
                    Err(invalid_parameter(&key, &e.body_text()))
                }
                K::InvalidUtf8InPathParam { .. } => Err(ApiError::bad_request()),
                _ if e.status().is_client_error() => Err(ApiError::bad_request()),
                _ => {
                    tracing::error!(error = %e.body_text(), "path parameters do not fit the handler");
                    Err(ApiError::internal())
                }
            },
            Err(e) => {
                tracing::error!(error = %e.body_text(), "path parameters missing");
                Err(ApiError::internal())
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
    let tree = state.app.store.unit_tree().await?;
    authorize(&account.actor(), action, resource, &tree).map_err(|_| ApiError::forbidden())
}

pub use crate::params::limit;
