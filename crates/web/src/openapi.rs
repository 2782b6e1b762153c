//! The OpenAPI 3.1 document, generated from the handlers' annotations. A test compares it
//! with the committed `docs/openapi.json`, so an API change without its document fails CI.

use crate::api;
use crate::dossiers::api as d;
use crate::dossiers::files;
use crate::error::{ErrorBody, ErrorDetail, FieldError};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua API",
        description = "Hệ thống thông tin giải quyết thủ tục hành chính — API cho cơ quan, ứng dụng tích hợp. Errors: {\"error\":{\"code\",\"message\",\"request_id\",\"fields\"}}; lists: keyset pagination with `limit` and `cursor`.",
        version = "1"
    ),
    paths(
        api::auth::login, api::auth::logout, api::auth::whoami,
        api::auth::list_tokens, api::auth::create_token, api::auth::revoke_token,
        api::units::list, api::units::detail, api::units::rename, api::units::merge,
        api::procedures::list, api::procedures::detail, api::procedures::versions,
        api::procedures::save_draft, api::procedures::publish, api::procedures::form,
        d::create, d::mine, d::detail, d::submit, d::save_form, d::receive, d::refuse, d::forward, d::send_back,
        d::transfer, d::request_supplement, d::supplement, d::request_payment, d::confirm_payment, d::extend,
        d::stop, d::withdraw, d::complete, d::return_result, d::rate, d::inbox, d::lookup, api::index::index,
        api::warnings::list,
        files::upload, files::list, files::download,
    ),
    components(schemas(ErrorBody, ErrorDetail, FieldError)),
    tags(
        (name = "auth", description = "Đăng nhập, phiên làm việc, mã truy cập API"),
        (name = "units", description = "Cơ quan, đơn vị và lịch sử sáp nhập, đổi tên"),
        (name = "procedures", description = "Danh mục thủ tục hành chính"),
        (name = "index", description = "Bộ chỉ số 766 theo thời gian thực"),
        (name = "dossiers", description = "Hồ sơ: nộp, tiếp nhận, xử lý, trả kết quả, tra cứu"),
    )
)]
pub struct ApiDoc;

/// The document as served and as committed.
pub fn json() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".to_owned())
}

pub async fn document() -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        json(),
    )
        .into_response()
}
