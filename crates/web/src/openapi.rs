//! The OpenAPI 3.1 document, generated from the handlers' annotations. A test compares it
//! with the committed `docs/openapi.json`, so an API change without its document fails CI.

use crate::api;
use crate::error::{ErrorBody, ErrorDetail, FieldError};
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua API",
        description = "Hệ thống thông tin giải quyết thủ tục hành chính — API cho cơ quan, ứng dụng tích hợp. Errors: {\"error\":{\"code\",\"message\",\"request_id\",\"fields\"}}; lists: keyset pagination with `limit` and `cursor`.",
        version = "1"
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

/// What every operation can answer besides what its handler says, so that the document
/// lists every status a client may see: the errors the edge gives before a handler runs
/// (a body too large, not JSON, not of the expected shape; a parameter that does not
/// parse; no credentials; a cross-site write), decided from the operation's own
/// parameters, body and security. Also the two ways of authenticating.
struct CommonErrors;

/// The security requirement of an operation that needs a caller: a bearer token, or the
/// session cookie (with `x-csrf-token` on writes).
pub const BEARER: &str = "bearer";
pub const SESSION: &str = "session";

impl Modify for CommonErrors {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A token from POST /api/v1/tokens."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            SESSION,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::SESSION_COOKIE,
                "The session cookie set by POST /api/v1/login; writes also send its csrf_token as x-csrf-token.",
            ))),
        );
        link_created_dossier(doc);
        for item in doc.paths.paths.values_mut() {
            let ops = [
                (false, item.get.as_mut()),
                (true, item.post.as_mut()),
                (true, item.put.as_mut()),
                (true, item.patch.as_mut()),
                (true, item.delete.as_mut()),
            ];
            for (write, op) in ops {
                if let Some(op) = op {
                    add_common_errors(op, write);
                }
            }
        }
    }
}

/// Links from a created draft to every operation on it (`id` from the answer's
/// `dossier.id`), so a client, or a fuzzer's stateful phase, can follow them.
fn link_created_dossier(doc: &mut utoipa::openapi::OpenApi) {
    let targets: Vec<String> = doc
        .paths
        .paths
        .iter()
        .filter(|(path, _)| path.starts_with("/api/v1/dossiers/{id}"))
        .flat_map(|(_, item)| [item.get.as_ref(), item.post.as_ref()])
        .flatten()
        .filter_map(|op| op.operation_id.clone())
        .collect();
    let Some(create) = doc
        .paths
        .paths
        .get_mut("/api/v1/dossiers")
        .and_then(|item| item.post.as_mut())
    else {
        return;
    };
    for status in ["200", "201"] {
        if let Some(RefOr::T(response)) = create.responses.responses.get_mut(status) {
            for id in &targets {
                let link = LinkBuilder::new()
                    .operation_id(id)
                    .parameter("id", "$response.body#/dossier/id")
                    .build();
                response.links.insert(id.clone(), link.into());
            }
        }
    }
}

fn add_common_errors(op: &mut Operation, write: bool) {
    let params = op.parameters.as_deref().unwrap_or_default();
    let has_path = params.iter().any(|p| p.parameter_in == ParameterIn::Path);
    let has_query = params.iter().any(|p| p.parameter_in == ParameterIn::Query);
    let has_body = op.request_body.is_some();
    let authenticated = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let rules: [(bool, &str, &str); 6] = [
        (
            has_path || has_body,
            "400",
            "bad_request: a path parameter that is not UTF-8 once decoded, or a body that could not be read.",
        ),
        (
            authenticated,
            "401",
            "unauthenticated: no session or token, or one that expired or was revoked.",
        ),
        (
            write,
            "403",
            "csrf_failed: a write with the session cookie from another site or without x-csrf-token; forbidden where the caller's roles do not allow it.",
        ),
        (
            has_body,
            "413",
            "payload_too_large: the body is over the limit (2 MiB for JSON).",
        ),
        (
            has_body,
            "415",
            "unsupported_media_type: the body is not of the content type the operation reads.",
        ),
        (
            has_body || has_query,
            "422",
            "validation_failed or invalid_body: a parameter or the body does not parse or is not valid; `fields` says which.",
        ),
    ];
    for (applies, status, description) in rules {
        if applies && !op.responses.responses.contains_key(status) {
            op.responses
                .responses
                .insert(status.to_owned(), error_response(description).into());
        }
    }
}

fn error_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
}

/// The document: the description above with every operation the API's routers registered
/// (`api::routes`, the file routes), then the errors every operation can answer.
fn collected() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(api::routes())
        .merge(api::files::routes(0))
        .split_for_parts();
    CommonErrors.modify(&mut doc);
    doc
}

/// The document as served and as committed.
pub fn json() -> String {
    let doc = collected()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".to_owned());
    // utoipa 5 writes a link's target as `operation_id`, which no client reads; OpenAPI
    // spells it `operationId`. Only links have a string-valued key of that name (an
    // operation's own id is already written `operationId`).
    doc.replace("\"operation_id\": \"", "\"operationId\": \"")
}

pub async fn document() -> axum::response::Response {
    use axum::response::IntoResponse;
    // The document depends only on the code: built once, on the first request.
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        DOCUMENT.get_or_init(json).as_str(),
    )
        .into_response()
}
