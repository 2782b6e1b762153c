//! Files of a dossier over HTTP, for the API and the pages alike: reading a multipart
//! upload into the file store (checked by content and size while it streams) and serving
//! a file with the same permission as reading its dossier. The endpoints are in
//! `api::files` and the pages' forms.

use crate::AppState;
use crate::error::ApiError;
use crate::extract::Posted;
use axum::body::Body;
use axum::extract::Multipart;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_domain::access::Actor;
use motcua_domain::dossier::FileRef;
use motcua_domain::dossier::files::file_name_for;
use motcua_store::files::{Blob, UploadError};

pub use motcua_app::dossiers::files::{OTHER_COMPONENT, component_named, components, new_file};

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
pub async fn serve_file(state: &AppState, actor: &Actor, id: &str) -> Result<Response, ApiError> {
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
