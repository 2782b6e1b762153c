//! The files of a dossier in the API: `POST /api/v1/dossiers/{id}/files`,
//! `GET /api/v1/dossiers/{id}/files`, `GET /api/v1/files/{id}`.

use crate::AppState;
use crate::api::Path;
use crate::auth::Authenticated;
use crate::error::{ApiError, ErrorBody};
use crate::extract::version;
use crate::uploads::{component_named, components, read_multipart, serve_file};
use crate::views::DossierView;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use motcua_domain::dossier::files::file_name_for;
use motcua_store::files::{Purpose, StoredFile};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The file routes, outside the general body limit: one file (at most `limit` bytes) per
/// upload.
pub fn routes(limit: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload, list))
        .routes(routes!(download))
        .layer(DefaultBodyLimit::max(limit))
}

/// A file of a dossier as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct FileView {
    pub id: String,
    pub name: String,
    pub size: u64,
    /// Sniffed from the content: application/pdf, image/jpeg or image/png.
    pub media_type: String,
    /// Lowercase hex SHA-256 of the content.
    pub sha256: String,
    /// component or result
    pub purpose: String,
    pub component: Option<String>,
    pub uploaded_at: String,
    pub download: String,
}

impl From<&StoredFile> for FileView {
    fn from(f: &StoredFile) -> Self {
        Self {
            id: f.id.clone(),
            // Rows from before names were fixed at upload are shown as they are served.
            name: file_name_for(&f.name, &f.media_type, &f.sha256),
            size: f.size,
            media_type: f.media_type.clone(),
            sha256: f.sha256.clone(),
            purpose: f.purpose.as_str().into(),
            component: f.component.clone(),
            uploaded_at: motcua_app::time::vn_time(f.created_at),
            download: format!("/api/v1/files/{}", f.id),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UploadResult {
    pub file: FileView,
    pub dossier: DossierView,
}

/// The multipart body of an upload (documentation only; the handler streams it).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The component: its number in the procedure's list (1-based; 0 for other papers)
    /// or its exact name. Not used for results.
    component: Option<String>,
    /// component (default) or result.
    purpose: Option<String>,
    /// The dossier version the caller saw.
    version: Option<i64>,
    /// PDF, JPEG or PNG, judged by content; at most the configured size (20 MB by default).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Attaches one file to a dossier: the applicant to a component of a draft or while a
/// supplement is asked; the desk while it checks a submitted dossier; whoever may complete
/// at the current step, as a result. The type is judged by content (PDF, JPEG, PNG).
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/files", tag = "dossiers", security(("bearer" = []), ("session" = [])), params(("id" = String, Path)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = UploadResult), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, ApiError> {
    // axum's only refusal here is a body that is not multipart/form-data with a boundary.
    let mp = mp.map_err(|_| ApiError::unsupported_media_type("multipart/form-data"))?;
    let actor = auth.account.actor();
    // Refuse before storing anything when the caller may not even read the dossier.
    let d = motcua_app::dossiers::readable(&state.app, &actor, &id)
        .await?
        .state;
    motcua_app::dossiers::limits::check_room_for_files(&state.app, &d.id).await?;
    let (fields, mut files) = read_multipart(&state, mp, |_| Ok(())).await?;
    let purpose = match fields.get("purpose").map(str::trim) {
        None | Some("" | "component") => Purpose::Component,
        Some("result") => Purpose::Result,
        Some(_) => {
            return Err(ApiError::invalid(
                "purpose",
                "invalid_choice",
                "Mục đích của tệp phải là component hoặc result.",
                "purpose must be component or result.",
            ));
        }
    };
    if files.len() != 1 {
        return Err(ApiError::invalid(
            "file",
            "file_required",
            "Hãy gửi đúng một tệp.",
            "Send exactly one file in the field `file`.",
        ));
    }
    let uploaded = files.remove(0);
    let component = match purpose {
        Purpose::Result => None,
        Purpose::Component => Some(component_named(
            &components(&state.app, &d).await,
            fields.get("component").unwrap_or_default(),
        )?),
    };
    let outcome = motcua_app::dossiers::files::attach(
        &state.app,
        &actor,
        &d,
        purpose,
        component,
        uploaded.file_ref(),
        version(&fields),
    )
    .await?;
    let file = state.app.store.file(&outcome.0).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(UploadResult {
            file: FileView::from(&file),
            dossier: DossierView::from(&outcome.1),
        }),
    )
        .into_response())
}

/// The files of a dossier, for whoever may read it.
#[utoipa::path(get, path = "/api/v1/dossiers/{id}/files", operation_id = "list_files", tag = "dossiers", security(("bearer" = []), ("session" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Vec<FileView>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<axum::Json<Vec<FileView>>, ApiError> {
    let d = motcua_app::dossiers::readable(&state.app, &auth.account.actor(), &id)
        .await?
        .state;
    let files = state.app.store.dossier_files(&d.id).await?;
    Ok(axum::Json(files.iter().map(FileView::from).collect()))
}

/// Downloads a file (to the dossier's applicant, and officers of its units).
#[utoipa::path(get, path = "/api/v1/files/{id}", tag = "dossiers", security(("bearer" = []), ("session" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "The file, as an attachment, with its sniffed content type", content_type = "application/octet-stream"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn download(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    serve_file(&state, &auth.account.actor(), &id).await
}
