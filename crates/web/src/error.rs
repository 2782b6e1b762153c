//! The one error type at the HTTP edge.
//!
//! Handlers return [`ApiError`]; it becomes the body of `spec/api.md`
//! (`{"error":{"code","message","request_id","fields"}}`) in a middleware that knows the
//! request id and the reader's language. `code` is stable snake_case; `message` is
//! Vietnamese unless the client asked for English; internal details go to the log only.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    /// For people, naming the field by its label: Vietnamese, or English when the
    /// client asked for it and the message has an English form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The English form of `message`; [`render`] and the pages choose between them.
    #[serde(skip)]
    pub message_en: Option<String>,
}

impl FieldError {
    /// The message in `lang`: its English form if it has one, else the Vietnamese.
    pub fn in_lang(mut self, lang: crate::i18n::Lang) -> Self {
        if lang.is_en()
            && let Some(en) = self.message_en.take()
        {
            self.message = Some(en);
        }
        self
    }
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub vi: String,
    pub en: String,
    pub fields: Vec<FieldError>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        vi: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            vi: vi.into(),
            en: en.into(),
            fields: Vec::new(),
            retry_after: None,
        }
    }
    pub fn not_found(what_vi: &str, what_en: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("Không tìm thấy {what_vi}."),
            format!("{what_en} not found."),
        )
    }
    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Vui lòng đăng nhập.",
            "Please log in.",
        )
    }
    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Bạn không có quyền thực hiện thao tác này.",
            "You are not allowed to do this.",
        )
    }
    pub fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "csrf_failed",
            "Phiên làm việc không hợp lệ, vui lòng tải lại trang.",
            "The request failed the cross-site check; reload the page.",
        )
    }
    pub fn invalid(field: &str, code: &str, vi: impl Into<String>, en: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            vi,
            en,
        );
        e.fields.push(FieldError {
            field: field.into(),
            code: code.into(),
            message: None,
            message_en: None,
        });
        e
    }
    pub fn conflict(code: &'static str, vi: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, vi, en)
    }
    pub fn rate_limited(retry_after: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Quá nhiều lần thử. Vui lòng thử lại sau.",
            "Too many attempts. Try again later.",
        );
        e.retry_after = Some(retry_after);
        e
    }
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Hệ thống đang gặp sự cố. Vui lòng thử lại sau.",
            "Something went wrong on our side. Please try again later.",
        )
    }
    pub fn bad_request() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Yêu cầu không hợp lệ.",
            "The request is malformed.",
        )
    }
    /// No route at this address (the router's fallback).
    pub fn no_route() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Không tìm thấy địa chỉ này.",
            "Nothing is at this address.",
        )
    }
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "Địa chỉ này không nhận phương thức yêu cầu đã dùng.",
            "This address does not accept the request's method.",
        )
    }
    pub fn payload_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "Nội dung gửi lên quá lớn.",
            "The request body is too large.",
        )
    }
    pub fn unsupported_media_type(expected: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("Nội dung gửi lên phải có dạng {expected}."),
            format!("The request body must be {expected}."),
        )
    }

    /// What a bare error status stands for. axum and tower answer some requests before any
    /// handler of ours runs (an extractor's rejection on a page, a body over the limit, an
    /// unknown method, a panic), with plain text or nothing; the middleware turns those into
    /// this so that they leave in the one shape too.
    pub fn of_status(status: StatusCode) -> Self {
        match status {
            StatusCode::UNAUTHORIZED => Self::unauthenticated(),
            StatusCode::FORBIDDEN => Self::forbidden(),
            StatusCode::NOT_FOUND => Self::no_route(),
            StatusCode::METHOD_NOT_ALLOWED => Self::method_not_allowed(),
            StatusCode::PAYLOAD_TOO_LARGE => Self::payload_too_large(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::new(
                status,
                "unsupported_media_type",
                "Kiểu nội dung gửi lên không được hỗ trợ.",
                "The request body's content type is not supported.",
            ),
            StatusCode::UNPROCESSABLE_ENTITY => Self::new(
                status,
                "validation_failed",
                "Dữ liệu gửi lên không hợp lệ.",
                "The data sent is not valid.",
            ),
            s if s.is_server_error() => Self {
                status: s,
                ..Self::internal()
            },
            s => Self {
                status: s,
                ..Self::bad_request()
            },
        }
    }
}

impl From<motcua_store::StoreError> for ApiError {
    fn from(e: motcua_store::StoreError) -> Self {
        use motcua_store::StoreError as S;
        match e {
            S::NotFound => Self::not_found("dữ liệu", "Resource"),
            S::Conflict(m) => {
                tracing::info!(reason = %m, "conflict");
                Self::conflict(
                    "conflict",
                    "Dữ liệu đã thay đổi hoặc đã tồn tại.",
                    "The data changed or already exists.",
                )
            }
            S::Invalid(m) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "Dữ liệu không hợp lệ.",
                format!("Invalid input: {m}"),
            ),
            other => {
                tracing::error!(error = %other, "storage failure");
                Self::internal()
            }
        }
    }
}

/// Carried from a handler to the rendering middleware.
#[derive(Clone)]
pub struct PendingError(pub ApiError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = self.status.into_response();
        r.extensions_mut().insert(PendingError(self));
        r
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code clients key on.
    pub code: String,
    /// Human message, Vietnamese unless `Accept-Language: en`.
    pub message: String,
    pub request_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

/// Renders a pending error as the JSON body, with the request id.
pub fn render(e: &ApiError, request_id: &str, lang: crate::i18n::Lang) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: e.code.into(),
            message: lang.pick(&e.vi, &e.en).to_owned(),
            request_id: request_id.into(),
            fields: e.fields.iter().map(|f| f.clone().in_lang(lang)).collect(),
        },
    };
    let mut r = (e.status, axum::Json(body)).into_response();
    if let Some(s) = e.retry_after
        && let Ok(v) = s.to_string().parse()
    {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_statuses_become_errors_with_stable_codes() {
        let cases = [
            (StatusCode::BAD_REQUEST, "bad_request"),
            (StatusCode::NOT_FOUND, "not_found"),
            (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
            (StatusCode::LENGTH_REQUIRED, "bad_request"),
            // A panic caught under the middleware leaves an empty 500.
            (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
            (StatusCode::BAD_GATEWAY, "internal_error"),
        ];
        for (status, code) in cases {
            let e = ApiError::of_status(status);
            assert_eq!((e.status, e.code), (status, code));
            assert!(!e.vi.is_empty() && !e.en.is_empty());
        }
    }
}
