//! Extractors whose rejections are our error shape (a 422 naming the parameter, not
//! axum's plain text), for the API and the pages alike.

use crate::error::ApiError;
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;

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

/// Text fields of a posted form (urlencoded or the text parts of a multipart body).
/// Keeps repeated names (check boxes).
pub struct Posted(pub Vec<(String, String)>);

impl Posted {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    /// A trimmed, non-blank value.
    pub fn text(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }
    /// Non-blank lines of a textarea, one item each.
    pub fn lines(&self, name: &str) -> Vec<String> {
        self.get(name)
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// The dossier version a form was read at (`version`), for the optimistic check.
pub fn version(p: &Posted) -> Option<i64> {
    p.get("version").and_then(|v| v.trim().parse().ok())
}
