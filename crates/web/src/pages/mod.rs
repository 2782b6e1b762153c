//! Server-rendered pages, Vietnamese first with English second (`chrome`, `crate::i18n`). They work without JavaScript: plain links and forms.

mod admin;
mod admin_accounts;
mod admin_calendar;
mod admin_catalogue;
mod admin_catalogue_diff;
mod admin_catalogue_form;
mod admin_eforms;
mod admin_outbox;
mod admin_processes;
pub mod auth;
mod backoffice;
mod backoffice_forms;
mod catalogue;
pub(crate) mod chrome;
mod desk;
mod form;
pub use form::Form;
mod desk_files;
mod desk_intake;
mod desk_sheet;
mod dossier_view;
pub(crate) mod forms_render;
mod monitor;
pub(crate) mod monitor_period;
mod monitor_svg;
mod monitor_unit;
mod monitor_warnings;
pub(crate) mod office_names;
mod portal_dossiers;
mod portal_lists;
mod portal_review;

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Lang;
use askama::Template;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(catalogue::home))
        .route("/thu-tuc", get(catalogue::search))
        .route("/thu-tuc/{code}", get(catalogue::procedure))
        .route("/ngon-ngu", get(chrome::switch))
        .route("/dang-nhap", get(auth::login_form).post(auth::login_submit))
        .route("/dang-xuat", axum::routing::post(auth::logout_submit))
        .route("/ho-so", post(portal_dossiers::create))
        .route("/ho-so/{id}", get(portal_dossiers::show))
        .route("/ho-so/{id}/to-khai", post(portal_dossiers::save_or_submit))
        .route("/ho-so/{id}/xem-lai", get(portal_review::show))
        .route("/ho-so/{id}/xac-nhan", post(portal_review::confirm))
        .route("/ho-so/{id}/{action}", post(portal_dossiers::act))
        .route("/ho-so-cua-toi", get(portal_lists::mine))
        .route("/ho-so-cua-toi/ma-nop-ho", post(portal_lists::assist))
        .route("/tra-cuu", get(portal_lists::lookup))
        .route("/can-bo", get(backoffice::inbox))
        .route("/can-bo/ho-so/{id}", get(backoffice::show))
        .route(
            "/can-bo/ho-so/{id}/phieu-tiep-nhan",
            get(backoffice::receipt),
        )
        .route("/can-bo/ho-so/{id}/phieu-kiem-soat", get(desk_sheet::show))
        .route("/can-bo/ho-so/{id}/{action}", post(backoffice::act))
        .route("/static/app.css", get(stylesheet))
        .route("/static/upload.js", get(upload_script))
        .merge(admin::routes())
        .merge(monitor_routes())
}

fn monitor_routes() -> Router<AppState> {
    Router::new()
        .route("/giam-sat", get(monitor::dashboard))
        .route("/giam-sat/canh-bao", get(monitor_warnings::page))
        .route("/giam-sat/don-vi/{code}", get(monitor_unit::unit_page))
        .route("/giam-sat/don-vi/{code}/ho-so", get(monitor_unit::dossiers))
        .route("/static/monitor.css", get(monitor::stylesheet))
        .route("/static/htmx.min.js", get(monitor::htmx))
}

/// The page forms that carry files, with the upload body limit `limit` (one file) instead
/// of the general one; the desk's form carries a scan per component.
pub fn upload_routes(limit: usize) -> Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    Router::new()
        .route(
            "/can-bo/tiep-nhan",
            get(desk::form)
                .post(desk::receive)
                .layer(DefaultBodyLimit::max(limit.saturating_mul(10))),
        )
        .route(
            "/ho-so/{id}/tep",
            post(desk_files::upload).layer(DefaultBodyLimit::max(limit)),
        )
        .route(
            "/can-bo/ho-so/{id}/ket-qua",
            post(desk_files::complete).layer(DefaultBodyLimit::max(limit)),
        )
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

/// The upload progress script (ours, see the file): progressive enhancement of the
/// multipart forms, which work without it.
async fn upload_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/upload.js"),
    )
        .into_response()
}

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An amount in đồng, grouped by thousands as Vietnamese write it: "1.500.000 đồng".
pub fn money(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    format!("{out} đồng")
}

/// The note shown after a successful action, in the reader's language.
pub fn flash_in(lang: Lang, ok: &str) -> Option<&'static str> {
    // `ok` comes from the address bar: only the words of a known key make a message.
    ok.bytes()
        .all(|b| b.is_ascii_lowercase() || b == b'_')
        .then(|| lang.lookup(&format!("flash.{ok}")))
        .flatten()
}

/// Sends someone who is not logged in to the login page, coming back here afterwards.
pub fn login_redirect(uri: &axum::http::Uri) -> Response {
    let here = uri.path_and_query().map_or("/", |p| p.as_str());
    axum::response::Redirect::to(&format!("/dang-nhap?next={}", encode(here))).into_response()
}

pub use motcua_app::time::vn_offset;

/// Today's date in Vietnam, the day e-form dates are checked against.
pub fn vn_today() -> chrono::NaiveDate {
    motcua_app::time::vn_date(chrono::Utc::now())
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
    user: chrome::Visitor,
    csrf: String,
    lang: Lang,
    heading: &'static str,
    message: &'a str,
    request_id: &'a str,
}

/// The page shown for an error outside the API, in the reader's language, with the
/// request id.
pub fn error_page(e: &ApiError, request_id: &str, reader: chrome::Reader) -> Response {
    let lang = reader.lang;
    let heading = lang.t(match e.status {
        StatusCode::NOT_FOUND => "error.not_found",
        StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => "error.forbidden",
        StatusCode::TOO_MANY_REQUESTS => "error.too_many",
        s if s.is_client_error() => "error.bad_request",
        _ => "error.internal",
    });
    let page = ErrorPage {
        user: chrome::Visitor { reader, nav: None },
        csrf: String::new(),
        lang,
        heading,
        message: lang.pick(&e.vi, &e.en),
        request_id,
    };
    render(&page, e.status)
}
