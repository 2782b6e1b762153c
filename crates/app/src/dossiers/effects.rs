//! What a committed event causes besides itself: the document the applicant can read
//! (forms 01–05 and the result) and the outbox rows (national-portal sync, notification,
//! inter-agency handover). Written in the same transaction as the event.

use crate::outbox::{ApplicantNotification, Handover, Message, PortalSync};
use motcua_domain::dossier::{Change, Dossier, Event};
use motcua_domain::unit::UnitTree;
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

/// The messages an event sends out. A part handed to a unit of this system is not sent
/// outside: its child dossier is created here, in the same commit, and that unit works it
/// in its own inbox; only a unit outside the tree gets an inter-agency handover.
pub(super) fn outbox_for(d: &Dossier, e: &Event, tree: &UnitTree) -> Vec<OutboxMessage> {
    let mut out = Vec::new();
    // A confirmation is the portal's own answer (or another system's): sending it back
    // would only echo it, and an acknowledgement would then ask for another.
    if let Some(status) = d.status.national_code()
        && !matches!(
            e.change,
            Change::Created { .. } | Change::Rated { .. } | Change::Confirmed { .. }
        )
    {
        let m = Message::NationalPortalSync(PortalSync {
            dossier: e.dossier.clone(),
            code: d.code.clone(),
            status,
            at: e.at,
        });
        out.push(m.row(format!("{}:{}:sync", e.dossier, e.version)));
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
        let m = Message::ApplicantNotification(ApplicantNotification {
            dossier: e.dossier.clone(),
            applicant: d.applicant.clone(),
            event: e.change.kind().to_owned(),
        });
        out.push(m.row(format!("{}:{}:notify", e.dossier, e.version)));
    }
    if let Change::ChildRequested {
        unit, procedure, ..
    } = &e.change
        && tree.get(unit).is_none()
    {
        let m = Message::InterAgencyHandover(Handover {
            parent: e.dossier.clone(),
            unit: unit.clone(),
            procedure: procedure.clone(),
        });
        out.push(m.row(format!("{}:{}:handover", e.dossier, e.version)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_domain::access::Role;
    use motcua_domain::dossier::By;
    use motcua_domain::procedure::ApplicantKind;
    use motcua_domain::unit::{Unit, UnitKind};
    use motcua_domain::{ProcedureCode, UnitCode};

    fn code(s: &str) -> UnitCode {
        UnitCode::parse(s).unwrap()
    }

    fn event(version: i64, change: Change) -> Event {
        Event {
            dossier: "d1".into(),
            version,
            at: chrono::Utc::now(),
            by: By {
                account: "officer".into(),
                role: Role::Specialist,
                unit: Some(code("000.00.31.H57")),
            },
            change,
        }
    }

    #[test]
    fn a_part_for_a_unit_of_this_system_is_not_sent_outside_one_for_another_is() {
        let tree = UnitTree::new([Unit {
            code: code("000.00.31.H57"),
            name: "Sở Tư pháp".into(),
            kind: UnitKind::Department,
            parent: None,
            e_certified_copy: false,
            successor: None,
        }])
        .unwrap();
        let d = Dossier::apply(
            None,
            &event(
                1,
                Change::Created {
                    procedure: ProcedureCode::parse("1.001193").unwrap(),
                    procedure_version: 1,
                    unit: code("000.00.31.H57"),
                    applicant: "a1".into(),
                    applicant_kind: ApplicantKind::Citizen,
                    parent: None,
                    eform_version: None,
                },
            ),
        )
        .unwrap();
        let child = |unit: &str| {
            event(
                5,
                Change::ChildRequested {
                    step: 1,
                    unit: code(unit),
                    procedure: ProcedureCode::parse("2.000815").unwrap(),
                },
            )
        };
        let topics = |e: &Event| -> Vec<String> {
            outbox_for(&d, e, &tree)
                .into_iter()
                .map(|m| m.topic)
                .filter(|t| t != "national_portal.sync")
                .collect()
        };
        assert!(topics(&child("000.00.31.H57")).is_empty(), "a unit here");
        let outside = outbox_for(&d, &child("000.00.12.H58"), &tree);
        let handover: Vec<_> = outside
            .iter()
            .filter(|m| m.topic == "inter_agency.handover")
            .collect();
        assert_eq!(handover.len(), 1, "a unit of another system");
        assert_eq!(handover[0].dedup_key, "d1:5:handover");
        assert_eq!(handover[0].dossier.as_deref(), Some("d1"));
        assert_eq!(
            handover[0].payload,
            serde_json::json!({"parent": "d1", "unit": "000.00.12.H58", "procedure": "2.000815"})
        );
    }
}
