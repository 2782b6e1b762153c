//! The procedure catalogue: search, detail, versions, drafts and publication.

use super::{Json, Path, Query};
use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiError, ErrorBody};
pub use crate::params::{ProcedureQuery, parse_code, search_query};
use axum::extract::State;
use axum::http::StatusCode;
use motcua_domain::procedure::Procedure;
use motcua_store::procedures::Published;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(detail))
        .routes(routes!(form))
        .routes(routes!(versions))
        .routes(routes!(save_draft))
        .routes(routes!(publish))
}

#[derive(Serialize, ToSchema)]
pub struct TimeLimitView {
    /// A decimal number as text, e.g. "3" or "0.5".
    pub value: String,
    /// hours, working_days, days, months
    pub unit: String,
    /// For people, in Vietnamese: "3 ngày làm việc".
    pub label: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProcedureSummary {
    pub code: String,
    pub name: String,
    pub field: Option<String>,
    /// none, partial, full; null where not known
    pub online_level: Option<String>,
    pub time_limit: Option<TimeLimitView>,
    pub units: usize,
    pub version: i64,
}

pub fn time_limit_view(p: &Procedure) -> Option<TimeLimitView> {
    p.time_limit.map(|t| TimeLimitView {
        value: t.value_string(),
        unit: t.unit().as_str().to_owned(),
        label: motcua_domain::procedure::time_limit_label_vi(&t),
    })
}

fn summary(p: &Published) -> ProcedureSummary {
    ProcedureSummary {
        code: p.procedure.code.to_string(),
        name: p.procedure.name.clone(),
        field: p.procedure.field.clone(),
        online_level: p.procedure.online_level.map(|l| l.as_str().into()),
        time_limit: time_limit_view(&p.procedure),
        units: p.procedure.units.len(),
        version: p.version,
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProcedurePage {
    pub items: Vec<ProcedureSummary>,
    pub next_cursor: Option<String>,
    pub total: usize,
}

/// Searches the published catalogue, ignoring diacritics (đ counts as d); best match first.
#[utoipa::path(get, path = "/api/v1/procedures", operation_id = "list_procedures", tag = "procedures", params(ProcedureQuery),
    responses((status = 200, body = ProcedurePage), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ProcedureQuery>,
) -> Result<axum::Json<ProcedurePage>, ApiError> {
    let page = state
        .app
        .store
        .search_procedures(&search_query(&q)?)
        .await?;
    Ok(axum::Json(ProcedurePage {
        items: page.items.iter().map(summary).collect(),
        next_cursor: page.next_cursor,
        total: page.total,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ProcedureDetail {
    pub version: i64,
    pub published_at: String,
    /// The full record, in the bundle's `procedures.jsonl` form plus the public parts
    /// (steps, channels, components, fees, applicant_kinds, result, legal_basis).
    #[schema(value_type = Object)]
    pub procedure: Procedure,
}

/// The published version of one procedure.
#[utoipa::path(get, path = "/api/v1/procedures/{code}", operation_id = "procedure_detail", tag = "procedures",
    params(("code" = String, Path, example = "1.001193")),
    responses((status = 200, body = ProcedureDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<axum::Json<ProcedureDetail>, ApiError> {
    let code = parse_code(&code)?;
    let p = state
        .app
        .store
        .procedure(&code)
        .await
        .map_err(|_| ApiError::not_found("thủ tục", "Procedure"))?;
    Ok(axum::Json(ProcedureDetail {
        version: p.version,
        published_at: motcua_app::time::vn_time(p.published_at),
        procedure: p.procedure,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct VersionView {
    pub version: i64,
    /// draft or published
    pub status: String,
    pub created_at: String,
    pub published_at: Option<String>,
}

/// Every version of a procedure, drafts included.
#[utoipa::path(get, path = "/api/v1/procedures/{code}/versions", tag = "procedures",
    params(("code" = String, Path)),
    responses((status = 200, body = Vec<VersionView>), (status = 422, body = ErrorBody)))]
pub async fn versions(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<axum::Json<Vec<VersionView>>, ApiError> {
    let code = parse_code(&code)?;
    let v = state.app.store.procedure_versions(&code).await?;
    Ok(axum::Json(
        v.into_iter()
            .map(|v| VersionView {
                version: v.version,
                status: v.status.as_str().into(),
                created_at: motcua_app::time::vn_time(v.created_at),
                published_at: v.published_at.map(motcua_app::time::vn_time),
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct DraftSaved {
    pub version: i64,
}

/// Saves a draft version (edits the open draft, or opens one). Needs the catalogue-editing
/// role in every competent unit of the procedure.
#[utoipa::path(post, path = "/api/v1/procedures/{code}/draft", tag = "procedures", security(("bearer" = []), ("session" = [])),
    params(("code" = String, Path)),
    request_body(content = Object, description = "The full procedure record"),
    responses((status = 200, body = DraftSaved), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_draft(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(code): Path<String>,
    Json(p): Json<Procedure>,
) -> Result<axum::Json<DraftSaved>, ApiError> {
    let code = parse_code(&code)?;
    if p.code != code {
        return Err(ApiError::invalid(
            "code",
            "mismatch",
            "Mã thủ tục trong nội dung khác mã trên đường dẫn.",
            "The body's code differs from the path's.",
        ));
    }
    let version = motcua_app::catalogue::save_draft(&state.app, &auth.account.actor(), p).await?;
    Ok(axum::Json(DraftSaved { version }))
}

/// Publishes a draft version; from then on it is never edited.
#[utoipa::path(post, path = "/api/v1/procedures/{code}/versions/{version}/publish", tag = "procedures", security(("bearer" = []), ("session" = [])),
    params(("code" = String, Path), ("version" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish(
    State(state): State<AppState>,
    auth: Authenticated,
    Path((code, version)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    let code = parse_code(&code)?;
    motcua_app::catalogue::publish(&state.app, &auth.account.actor(), &code, version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub struct FormQuery {
    /// A published version, e.g. the `eform_version` a dossier pinned; the version in
    /// force when absent.
    pub version: Option<i64>,
}

/// The e-form (biểu mẫu điện tử) of a procedure, for clients that render it: fields,
/// types, required, choices, patterns, conditions, Vietnamese labels and help.
///
/// Without `version`, the one a dossier created now would use: the latest version the
/// province published, else the built-in form. `version` in the body is the published
/// version, and absent for the built-in form (a dossier's `eform_version` is null then).
#[utoipa::path(get, path = "/api/v1/procedures/{code}/form", tag = "procedures",
    params(("code" = String, Path, example = "1.001193"), FormQuery),
    responses((status = 200, description = "The form definition", body = Object), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn form(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<FormQuery>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let code = parse_code(&code)?;
    let not_found = || ApiError::not_found("biểu mẫu điện tử của thủ tục", "E-form");
    let (version, form) = match q.version {
        Some(v) => (
            Some(v),
            state
                .app
                .eforms
                .published(&state.app.store, &code, v)
                .await?,
        ),
        None => {
            let f = state.app.eforms.in_force(&state.app.store, &code).await?;
            (f.version, f.form)
        }
    };
    let form = form.ok_or_else(not_found)?;
    let mut definition = form.definition().clone();
    // The version the store gave it, not whatever number its author wrote inside.
    definition.version = version.and_then(|v| u32::try_from(v).ok());
    Ok(axum::Json(
        serde_json::to_value(definition).map_err(|_| ApiError::internal())?,
    ))
}
