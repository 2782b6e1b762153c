//! What a committed event causes besides itself: the document the applicant can read
//! (forms 01–05 and the result) and the outbox rows (national-portal sync, notification,
//! inter-agency handover). Written in the same transaction as the event.

use motcua_domain::dossier::{Change, Dossier, Event};
use motcua_store::dossiers::{Document, OutboxMessage};
use sha2::{Digest, Sha256};

pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub(super) fn new_secret() -> String {
    use rand::Rng;
    // Eight characters without look-alikes (0/O, 1/I/L), easy to read off a printed receipt.
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut rng = rand::thread_rng();
    (0..8)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

pub(super) fn documents_for(d: &Dossier, e: &Event, secret: Option<&str>) -> Option<Document> {
    let (form, title, body) = match &e.change {
        Change::Received { code, due_at, .. } => (
            "01",
            "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            serde_json::json!({"code": code, "due_at": crate::time::vn_time(*due_at), "lookup_secret": secret, "procedure": d.procedure}),
        ),
        Change::SupplementRequested { items, reason } => (
            "02",
            "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            serde_json::json!({"items": items, "reason": reason}),
        ),
        Change::Rejected { reason } => (
            "03",
            "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
            serde_json::json!({"reason": reason}),
        ),
        Change::Extended { due_at, reason } => (
            "04",
            "Văn bản xin lỗi và hẹn lại ngày trả kết quả",
            serde_json::json!({"new_due_at": crate::time::vn_time(*due_at), "reason": reason}),
        ),
        Change::Stopped { reason } => (
            "05",
            "Thông báo dừng xử lý hồ sơ",
            serde_json::json!({"reason": reason}),
        ),
        Change::Completed { results } => (
            "kq",
            "Kết quả giải quyết thủ tục hành chính",
            serde_json::json!({"results": results}),
        ),
        _ => return None,
    };
    Some(Document {
        id: uuid::Uuid::now_v7().to_string(),
        form: form.into(),
        title: title.into(),
        body,
        created_at: e.at,
    })
}

pub(super) fn outbox_for(d: &Dossier, e: &Event) -> Vec<OutboxMessage> {
    let mut out = Vec::new();
    if let Some(code) = d.status.national_code()
        && !matches!(e.change, Change::Created { .. } | Change::Rated { .. })
    {
        out.push(OutboxMessage {
            topic: "national_portal.sync".into(),
            dedup_key: format!("{}:{}:sync", e.dossier, e.version),
            payload: serde_json::json!({"dossier": e.dossier, "code": d.code, "status": code, "at": e.at}),
        });
    }
    if matches!(
        e.change,
        Change::Received { .. }
            | Change::Rejected { .. }
            | Change::SupplementRequested { .. }
            | Change::PaymentRequested { .. }
            | Change::Extended { .. }
            | Change::Transferred { .. }
            | Change::Stopped { .. }
            | Change::Completed { .. }
    ) {
        out.push(OutboxMessage {
            topic: "notify.applicant".into(),
            dedup_key: format!("{}:{}:notify", e.dossier, e.version),
            payload: serde_json::json!({"dossier": e.dossier, "applicant": d.applicant, "event": e.change.kind()}),
        });
    }
    if let Change::ChildRequested {
        unit, procedure, ..
    } = &e.change
    {
        out.push(OutboxMessage {
            topic: "inter_agency.handover".into(),
            dedup_key: format!("{}:{}:handover", e.dossier, e.version),
            payload: serde_json::json!({"parent": e.dossier, "unit": unit, "procedure": procedure}),
        });
    }
    out
}
