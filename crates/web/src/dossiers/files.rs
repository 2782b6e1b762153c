//! Files of a dossier over HTTP: reading a multipart upload into the file store (checked
//! by content and size while it streams), attaching it through the domain, listing and
//! downloading with the same permission as reading the dossier.
//!
//! `POST /api/v1/dossiers/{id}/files`, `GET /api/v1/dossiers/{id}/files`,
//! `GET /api/v1/files/{id}` (and `/tep/{id}` for the pages, with HTML errors).

use super::views::DossierView;
use crate::AppState;
use crate::api::Path;
use crate::auth::{Authenticated, MaybeAuth};
use crate::error::{ApiError, ErrorBody};
use crate::pages::shared::forms_render::Posted;
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use motcua_domain::access::Actor;
use motcua_domain::dossier::FileRef;
use motcua_domain::dossier::files::file_name_for;
use motcua_store::files::{Blob, Purpose, StoredFile, UploadError};
use serde::Serialize;
use utoipa::ToSchema;

pub use motcua_app::dossiers::files::{
    OTHER_COMPONENT, attach_command, component_named, components, new_file,
};

/// The upload routes, outside the general 2 MiB body limit: one file per request here,
/// many scans at once at the desk.
pub fn routes(state: &AppState) -> Router<AppState> {
    let one = usize::try_from(state.config.max_file_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(1024 * 1024);
    Router::new()
        .route(
            "/api/v1/dossiers/{id}/files",
            post(upload).layer(DefaultBodyLimit::max(one)).get(list),
        )
        .route("/api/v1/files/{id}", get(download))
        .route("/tep/{id}", get(download_page))
        .merge(crate::pages::upload_routes(one))
}

pub fn type_not_allowed(sniffed: Option<&str>) -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "file_type_not_allowed",
        "Tệp không đúng định dạng cho phép. Chỉ nhận tệp PDF, JPEG hoặc PNG (kiểm tra theo nội dung tệp, không theo tên tệp).",
        format!(
            "Only PDF, JPEG and PNG files are accepted (judged by content{}).",
            sniffed.map_or_else(String::new, |s| format!("; this one is {s}"))
        ),
    )
}

pub fn too_large(max: u64) -> ApiError {
    let mb = max / (1024 * 1024);
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "file_too_large",
        format!("Tệp quá lớn. Mỗi tệp tối đa {mb} MB."),
        format!("The file is too large; at most {mb} MB per file."),
    )
}

fn upload_error(e: UploadError) -> ApiError {
    match e {
        UploadError::TooLarge { max } => too_large(max),
        UploadError::TypeNotAllowed { sniffed } => type_not_allowed(sniffed.as_deref()),
        UploadError::Empty => ApiError::invalid(
            "file",
            "file_empty",
            "Tệp rỗng, không có nội dung.",
            "The file is empty.",
        ),
        UploadError::Store(e) => {
            tracing::error!(error = %e, "file store failure");
            ApiError::internal()
        }
    }
}

fn multipart_error(e: axum::extract::multipart::MultipartError, max: u64) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(max)
    } else {
        ApiError::invalid(
            "file",
            "invalid_multipart",
            "Không đọc được tệp gửi lên, vui lòng gửi lại.",
            format!("The multipart body could not be read: {}", e.body_text()),
        )
    }
}

/// A file stored from an upload, waiting to be attached.
pub struct Uploaded {
    /// The form field it came in.
    pub field: String,
    pub name: String,
    pub blob: Blob,
    /// Shared by the files of one request: when the last is dropped, the request is over.
    _sweep: std::sync::Arc<Sweep>,
}

/// The blobs one request's uploads created. When the request is over (its handler
/// returned, whatever the outcome, or its client went away), those that no committed row
/// names are removed: an upload refused after it was stored (not allowed, wrong state,
/// over a limit, a lost race, a failed commit) leaves nothing on disk.
struct Sweep {
    state: AppState,
    created: std::sync::Mutex<Vec<String>>,
}

impl Drop for Sweep {
    fn drop(&mut self) {
        let created = match self.created.get_mut() {
            Ok(v) => std::mem::take(v),
            Err(poisoned) => std::mem::take(poisoned.into_inner()),
        };
        if created.is_empty() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let state = self.state.clone();
        runtime.spawn(async move {
            for sha in created {
                if let Err(e) = state.app.files.discard_unused(&state.app.store, &sha).await {
                    tracing::warn!(blob = %sha, error = %e, "could not remove an unused upload");
                }
            }
        });
    }
}

impl Uploaded {
    pub fn file_ref(&self) -> FileRef {
        FileRef {
            id: uuid::Uuid::now_v7().to_string(),
            sha256: self.blob.sha256.clone(),
            size: self.blob.size,
            media_type: self.blob.media_type.clone(),
            name: self.name.clone(),
        }
    }
}

/// A file the store refused (its type, its size, or nothing in it), with why.
pub struct Refused {
    /// The form field it came in.
    pub field: String,
    pub name: String,
    pub error: ApiError,
}

/// What a multipart body held: its text fields, the files stored, the files refused.
pub struct ReadForm {
    pub fields: Posted,
    pub files: Vec<Uploaded>,
    pub refused: Vec<Refused>,
}

/// Reads a multipart body: text fields into `Posted`, file fields streamed into the file
/// store. `gate` is asked before the first file is stored (a page form's token comes
/// first in the form, so a forged post stores nothing). An empty file input (no file
/// chosen) is skipped. A refused file does not stop the reading, so a page can come back
/// with everything else that was typed; a broken body or a failing store does.
pub async fn read_multipart_all(
    state: &AppState,
    mut mp: Multipart,
    gate: impl Fn(&Posted) -> Result<(), ApiError>,
) -> Result<ReadForm, ApiError> {
    let max = state.app.files.max_bytes();
    let mut out = ReadForm {
        fields: Posted(Vec::new()),
        files: Vec::new(),
        refused: Vec::new(),
    };
    let sweep = std::sync::Arc::new(Sweep {
        state: state.clone(),
        created: std::sync::Mutex::new(Vec::new()),
    });
    let mut gated = false;
    while let Some(mut field) = mp.next_field().await.map_err(|e| multipart_error(e, max))? {
        let name = field.name().unwrap_or_default().to_owned();
        let Some(file_name) = field.file_name().map(str::to_owned) else {
            let text = field.text().await.map_err(|e| multipart_error(e, max))?;
            out.fields.0.push((name, text));
            continue;
        };
        if !gated {
            gate(&out.fields)?;
            gated = true;
        }
        let mut up = state.app.files.upload();
        let mut any = false;
        let mut refusal = None;
        loop {
            let chunk = match field.chunk().await {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(e) => {
                    up.abort().await;
                    return Err(multipart_error(e, max));
                }
            };
            any |= !chunk.is_empty();
            // Once refused, the rest of this file is read past, not stored.
            if refusal.is_none()
                && let Err(e) = up.write(&chunk).await
            {
                refusal = Some(e);
            }
        }
        if !any && file_name.is_empty() {
            up.abort().await;
            continue;
        }
        let result = match refusal {
            Some(e) => {
                up.abort().await;
                Err(e)
            }
            None => up.finish().await,
        };
        match result {
            Ok(blob) => {
                if blob.created
                    && let Ok(mut created) = sweep.created.lock()
                {
                    created.push(blob.sha256.clone());
                }
                out.files.push(Uploaded {
                    field: name,
                    name: file_name,
                    blob,
                    _sweep: sweep.clone(),
                });
            }
            Err(e @ UploadError::Store(_)) => return Err(upload_error(e)),
            Err(e) => out.refused.push(Refused {
                field: name,
                name: file_name,
                error: upload_error(e),
            }),
        }
    }
    Ok(out)
}

/// [`read_multipart_all`] for forms that take nothing when a file is refused: the first
/// refusal is the answer.
pub async fn read_multipart(
    state: &AppState,
    mp: Multipart,
    gate: impl Fn(&Posted) -> Result<(), ApiError>,
) -> Result<(Posted, Vec<Uploaded>), ApiError> {
    let read = read_multipart_all(state, mp, gate).await?;
    match read.refused.into_iter().next() {
        Some(r) => Err(r.error),
        None => Ok((read.fields, read.files)),
    }
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

pub fn version(p: &Posted) -> Option<i64> {
    p.get("version").and_then(|v| v.trim().parse().ok())
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

/// `filename*` of RFC 6266 / 5987, with an ASCII fallback for old clients.
fn disposition(name: &str) -> String {
    let ascii: String = motcua_domain::text::fold_vi(name)
        .chars()
        .map(|c| if c == ' ' { '-' } else { c })
        .collect();
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    let fallback = if ext.is_empty() || ascii.ends_with(&format!("-{ext}")) {
        ascii.trim_end_matches(&format!("-{ext}")).to_owned() + "." + ext
    } else {
        ascii
    };
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// Serves a file to whoever may read its dossier: as an attachment, with the type sniffed
/// at upload and `nosniff`, so a browser never renders it as something else.
async fn serve_file(state: &AppState, actor: &Actor, id: &str) -> Result<Response, ApiError> {
    let not_found = || ApiError::not_found("tệp", "File");
    let f = state.app.store.file(id).await.map_err(|_| not_found())?;
    // Not even whether it exists, to anyone who may not read the dossier.
    motcua_app::dossiers::readable(&state.app, actor, &f.dossier)
        .await
        .map_err(|_| not_found())?;
    let blob = state.app.files.open(&f.sha256).await.map_err(|e| {
        tracing::error!(file = %f.id, error = %e, "a file row without its blob");
        ApiError::internal()
    })?;
    let mut r = Body::from_stream(blob.into_stream()).into_response();
    let h = r.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k, v: &str| {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(k, v);
        }
    };
    // The type and the name's extension both come from the sniffed content, never from
    // what the uploader called it: a PDF/HTML polyglot named `poly.html` leaves as
    // `poly.pdf`, `application/pdf`.
    let media_type = if motcua_domain::dossier::files::media_type_allowed(&f.media_type) {
        f.media_type.as_str()
    } else {
        "application/octet-stream"
    };
    let name = file_name_for(&f.name, media_type, &f.sha256);
    set(h, header::CONTENT_TYPE, media_type);
    set(h, header::CONTENT_LENGTH, &f.size.to_string());
    set(h, header::CONTENT_DISPOSITION, &disposition(&name));
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::CACHE_CONTROL, "private, no-store");
    set(h, header::ETAG, &format!("\"{}\"", f.sha256));
    Ok(r)
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

/// The same for the pages: a visitor who is not logged in goes to the login page.
async fn download_page(
    State(state): State<AppState>,
    MaybeAuth(who): MaybeAuth,
    uri: axum::http::Uri,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    match who {
        Some((account, _)) => serve_file(&state, &account.actor(), &id).await,
        None => Ok(crate::pages::login_redirect(&uri)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispositions_keep_vietnamese_names_and_an_ascii_fallback() {
        assert_eq!(
            disposition("Giấy khai sinh.pdf"),
            "attachment; filename=\"giay-khai-sinh.pdf\"; filename*=UTF-8''Gi%E1%BA%A5y%20khai%20sinh.pdf"
        );
    }
}
