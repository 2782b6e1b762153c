//! Server-rendered Vietnamese pages. They work without JavaScript: plain links and forms.

pub mod auth;
mod catalogue;

use crate::AppState;
use crate::error::ApiError;
use askama::Template;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(catalogue::home))
        .route("/thu-tuc", get(catalogue::search))
        .route("/thu-tuc/{code}", get(catalogue::procedure))
        .route("/dang-nhap", get(auth::login_form).post(auth::login_submit))
        .route("/dang-xuat", axum::routing::post(auth::logout_submit))
        .route("/static/app.css", get(stylesheet))
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
        .into_response()
}

/// An instant as people in Vietnam read it (RFC 3339 at +07:00).
pub fn vn_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&vn_offset())
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[allow(clippy::expect_used)]
pub fn vn_offset() -> chrono::FixedOffset {
    // 25 200 s (+07:00) is inside the ±86 400 s that FixedOffset accepts: cannot fail.
    chrono::FixedOffset::east_opt(25_200).expect("+07:00 is a valid offset")
}

/// Renders a template, or the plain error page if rendering itself fails.
pub fn render<T: Template>(t: &T, status: StatusCode) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, Html("<!doctype html><html lang=\"vi\"><title>Lỗi</title><p>Hệ thống đang gặp sự cố.</p></html>".to_owned())).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    user: Option<String>,
    csrf: String,
    heading: &'a str,
    message: &'a str,
    request_id: &'a str,
}

/// The page shown for an error outside the API: Vietnamese, with the request id.
pub fn error_page(e: &ApiError, request_id: &str) -> Response {
    let heading = match e.status {
        StatusCode::NOT_FOUND => "Không tìm thấy trang",
        StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => "Không có quyền truy cập",
        StatusCode::TOO_MANY_REQUESTS => "Quá nhiều yêu cầu",
        s if s.is_client_error() => "Yêu cầu không hợp lệ",
        _ => "Hệ thống đang gặp sự cố",
    };
    let page = ErrorPage {
        user: None,
        csrf: String::new(),
        heading,
        message: &e.vi,
        request_id,
    };
    render(&page, e.status)
}
