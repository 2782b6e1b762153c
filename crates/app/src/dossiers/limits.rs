//! The limits of a dossier and an applicant (`motcua_domain::dossier::Limits`, numbers in
//! `Settings::limits`) applied to requests before anything is written, and the fingerprint
//! that tells a retried create from another request under the same idempotency key.

use super::service::{Request, Target};
use crate::{App, AppError};
use motcua_store::dossiers::KeyedDossier;
use motcua_store::files::NewFile;
use sha2::{Digest, Sha256};

/// A declaration as sent, within the limits (a `LimitError` otherwise).
pub fn check_form_data(app: &App, data: &serde_json::Value) -> Result<(), AppError> {
    app.settings.limits.form_data(data).map_err(AppError::from)
}

/// Whether the dossier may take any more files at all, asked before an upload is stored.
pub async fn check_room_for_files(app: &App, dossier: &str) -> Result<(), AppError> {
    let (held, bytes) = app.store.dossier_file_totals(dossier).await?;
    app.settings
        .limits
        .files(held, bytes, &[])
        .map_err(AppError::from)
}

/// Every limit a batch of requests can pass: the declarations they carry, the officers'
/// text, and the files they would add to the dossier.
pub async fn check_requests(
    app: &App,
    target: &Target<'_>,
    reqs: &[Request],
    files: &[NewFile],
) -> Result<(), AppError> {
    let limits = &app.settings.limits;
    for r in reqs {
        match r {
            Request::SaveForm { form_data }
            | Request::Submit {
                form_data: Some(form_data),
                ..
            }
            | Request::CompleteSupplement {
                form_data: Some(form_data),
            } => check_form_data(app, form_data)?,
            Request::Other(cmd) => limits.command(cmd).map_err(AppError::from)?,
            _ => {}
        }
    }
    if files.is_empty() {
        return Ok(());
    }
    let (held, bytes) = match target {
        Target::Stored { id, .. } => app.store.dossier_file_totals(id).await?,
        Target::New { .. } => (0, 0),
    };
    let adding: Vec<u64> = files.iter().map(|f| f.file.size).collect();
    limits.files(held, bytes, &adding).map_err(AppError::from)
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
pub fn same_request(existing: &KeyedDossier, fingerprint: &str) -> Result<(), AppError> {
    match &existing.fingerprint {
        Some(f) if f != fingerprint => Err(AppError::IdempotencyKeyReused),
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
