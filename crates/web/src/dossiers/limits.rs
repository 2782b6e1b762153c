//! The limits of a dossier and an applicant (`motcua_domain::dossier::Limits`, numbers in
//! `Config::limits`) applied to requests before anything is written, and the fingerprint
//! that tells a retried create from another request under the same idempotency key.

use super::service::{Request, Target};
use crate::AppState;
use crate::error::{ApiError, FieldError};
use axum::http::StatusCode;
use motcua_domain::dossier::LimitError;
use motcua_store::dossiers::KeyedDossier;
use motcua_store::files::NewFile;
use sha2::{Digest, Sha256};

fn mb(bytes: u64) -> u64 {
    bytes.div_ceil(1024 * 1024)
}

/// A passed limit as the API answers it: 413 for size, 422 otherwise, the limit's code at
/// the top and on the field it is about.
pub fn limit_error(e: LimitError) -> ApiError {
    let (vi, en) = match &e {
        // Not a limit but a malformed request: the usual validation answer.
        LimitError::FormDataNotObject => {
            return ApiError::invalid(
                "form_data",
                e.code(),
                "Dữ liệu tờ khai (form_data) phải là một đối tượng JSON.",
                "form_data must be a JSON object.",
            );
        }
        LimitError::FormDataTooLarge { max_bytes } => {
            let kib = max_bytes / 1024;
            (
                format!("Dữ liệu tờ khai quá lớn: tối đa {kib} KiB."),
                format!("form_data is too large: at most {kib} KiB."),
            )
        }
        LimitError::FormDataTooDeep { max_depth } => (
            format!("Dữ liệu tờ khai lồng nhau quá sâu: tối đa {max_depth} cấp."),
            format!("form_data nests too deeply: at most {max_depth} levels."),
        ),
        LimitError::TooManyDrafts { max } => (
            format!(
                "Tài khoản đã có {max} hồ sơ nháp chưa nộp. Hãy nộp hoặc rút bớt hồ sơ nháp trước khi tạo hồ sơ mới."
            ),
            format!(
                "The account already holds {max} unsubmitted drafts; submit or withdraw some first."
            ),
        ),
        LimitError::TooManyFiles { max } => (
            format!("Hồ sơ đã đủ số tệp cho phép: tối đa {max} tệp."),
            format!("The dossier holds the most files allowed: {max}."),
        ),
        LimitError::FilesTooLarge { max_bytes } => {
            let mb = mb(*max_bytes);
            (
                format!("Tổng dung lượng tệp của hồ sơ vượt quá {mb} MB."),
                format!("The dossier's files would exceed {mb} MB together."),
            )
        }
        LimitError::TextTooLong { field, max_chars } => (
            format!("Nội dung “{field}” quá dài: tối đa {max_chars} ký tự."),
            format!("{field} is too long: at most {max_chars} characters."),
        ),
        LimitError::TooManyItems { field, max } => (
            format!("Danh sách “{field}” quá dài: tối đa {max} mục."),
            format!("{field} has too many entries: at most {max}."),
        ),
    };
    let status = if e.too_large() {
        StatusCode::PAYLOAD_TOO_LARGE
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut out = ApiError::new(status, e.code(), vi.clone(), en.clone());
    out.fields.push(FieldError {
        field: e.field(),
        code: e.code().to_owned(),
        message: Some(vi),
        message_en: Some(en),
    });
    out
}

/// A declaration as sent, within the limits ([`limit_error`] otherwise).
pub fn check_form_data(state: &AppState, data: &serde_json::Value) -> Result<(), ApiError> {
    state.config.limits.form_data(data).map_err(limit_error)
}

/// Whether the dossier may take any more files at all, asked before an upload is stored.
pub async fn check_room_for_files(state: &AppState, dossier: &str) -> Result<(), ApiError> {
    let (held, bytes) = state.store.dossier_file_totals(dossier).await?;
    state
        .config
        .limits
        .files(held, bytes, &[])
        .map_err(limit_error)
}

/// Every limit a batch of requests can pass: the declarations they carry, the officers'
/// text, and the files they would add to the dossier.
pub async fn check_requests(
    state: &AppState,
    target: &Target<'_>,
    reqs: &[Request],
    files: &[NewFile],
) -> Result<(), ApiError> {
    let limits = &state.config.limits;
    for r in reqs {
        match r {
            Request::SaveForm { form_data }
            | Request::Submit {
                form_data: Some(form_data),
                ..
            }
            | Request::CompleteSupplement {
                form_data: Some(form_data),
            } => check_form_data(state, form_data)?,
            Request::Other(cmd) => limits.command(cmd).map_err(limit_error)?,
            _ => {}
        }
    }
    if files.is_empty() {
        return Ok(());
    }
    let (held, bytes) = match target {
        Target::Stored { id, .. } => state.store.dossier_file_totals(id).await?,
        Target::New { .. } => (0, 0),
    };
    let adding: Vec<u64> = files.iter().map(|f| f.file.size).collect();
    limits.files(held, bytes, &adding).map_err(limit_error)
}

/// JSON with object keys sorted and no spaces: the same value always gives the same text,
/// whatever order or spacing it was sent in. Depth is bounded by [`check_form_data`] first.
fn canonical(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            let mut entries: Vec<_> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                canonical(v, out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, v) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(v, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// The SHA-256 (hex) of what makes a create request what it is: the procedure, the unit,
/// the applicant and the declaration, normalised.
pub fn request_fingerprint(
    procedure: &str,
    unit: &str,
    applicant: &str,
    form_data: &serde_json::Value,
) -> String {
    let mut text = String::new();
    for part in [procedure, unit, applicant] {
        text.push_str(&serde_json::Value::String(part.to_owned()).to_string());
        text.push('\n');
    }
    canonical(form_data, &mut text);
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The key's first use was this same request, or the answer for a key reused with another
/// one (as the IETF Idempotency-Key draft asks: 422). A dossier from before fingerprints
/// were kept is taken as the same request.
pub fn same_request(existing: &KeyedDossier, fingerprint: &str) -> Result<(), ApiError> {
    match &existing.fingerprint {
        Some(f) if f != fingerprint => {
            let mut e = ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "Khóa chống lặp (Idempotency-Key) này đã được dùng cho một yêu cầu khác. Hãy dùng khóa mới cho yêu cầu mới.",
                "This Idempotency-Key was already used with a different request; use a new key for a new request.",
            );
            e.fields.push(FieldError {
                field: "Idempotency-Key".into(),
                code: "idempotency_key_reused".into(),
                message: None,
                message_en: None,
            });
            Err(e)
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fingerprints_ignore_key_order_and_see_every_part() {
        let a = json!({"b": 1, "a": {"y": [1, 2], "x": "ế"}});
        let b: serde_json::Value =
            serde_json::from_str(r#"{ "a": {"x": "ế", "y": [1,2]}, "b": 1 }"#).unwrap();
        let f = request_fingerprint("1.001193", "000.01.99.H57", "u1", &a);
        assert_eq!(
            f,
            request_fingerprint("1.001193", "000.01.99.H57", "u1", &b)
        );
        assert_eq!(f.len(), 64);
        assert_ne!(
            f,
            request_fingerprint("1.001194", "000.01.99.H57", "u1", &a)
        );
        assert_ne!(
            f,
            request_fingerprint("1.001193", "000.02.99.H57", "u1", &a)
        );
        assert_ne!(
            f,
            request_fingerprint("1.001193", "000.01.99.H57", "u2", &a)
        );
        assert_ne!(
            f,
            request_fingerprint("1.001193", "000.01.99.H57", "u1", &json!({"b": 2}))
        );
        // Parts cannot run into each other.
        assert_ne!(
            request_fingerprint("a\nb", "c", "d", &json!({})),
            request_fingerprint("a", "b\nc", "d", &json!({}))
        );
    }
}
