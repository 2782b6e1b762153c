//! Property tests over random command sequences, and the bundle line.

use super::*;
use crate::procedure::Channel;
use chrono::Duration;

use proptest::prelude::*;

fn any_command() -> impl Strategy<Value = (usize, Command)> {
    let due = t0() + Duration::days(2);
    prop_oneof![
        Just(Command::Submit {
            channel: Channel::Online,
            on_behalf: false
        }),
        Just(Command::Submit {
            channel: Channel::Direct,
            on_behalf: true
        }),
        Just(Command::Receive {
            desk: uc(COMMUNE),
            code: code(),
            due_at: due,
            process_version: 1
        }),
        Just(Command::Receive {
            desk: uc(CENTRE),
            code: code(),
            due_at: due,
            process_version: 1
        }),
        Just(Command::Refuse {
            desk: uc(COMMUNE),
            reason: "Không thuộc thẩm quyền".into()
        }),
        Just(Command::Forward { note: None }),
        Just(Command::SendBack {
            reason: "Xem lại".into()
        }),
        Just(Command::Transfer {
            to: uc(OTHER_COMMUNE),
            reason: "Không thuộc địa bàn".into()
        }),
        Just(Command::Transfer {
            to: uc(COMMUNE),
            reason: "Trả về đơn vị cũ".into()
        }),
        Just(Command::Transfer {
            to: uc(CENTRE),
            reason: "Không có thẩm quyền".into()
        }),
        Just(Command::Transfer {
            to: uc(OTHER_COMMUNE),
            reason: " ".into()
        }),
        Just(Command::RequestSupplement {
            items: vec!["Tờ khai".into()],
            reason: "Thiếu".into()
        }),
        Just(Command::CompleteSupplement {
            due_at: due + Duration::hours(1)
        }),
        Just(Command::RequestPayment { amount_vnd: 8_000 }),
        Just(Command::ConfirmPayment),
        Just(Command::Extend {
            due_at: due + Duration::days(5),
            reason: "Xác minh".into()
        }),
        Just(Command::Stop {
            reason: "Không đủ điều kiện".into()
        }),
        Just(Command::Withdraw { reason: None }),
        Just(Command::Complete {
            results: vec!["Giấy khai sinh".into()]
        }),
        Just(Command::Return {
            how: "Trực tiếp".into()
        }),
        Just(Command::Rate {
            rating: Rating::Unsatisfied,
            comment: None
        }),
        Just(Command::AttachFile {
            component: "Tờ khai".into(),
            file: super::files::pdf("f")
        }),
        Just(Command::Digitise {
            desk: uc(COMMUNE),
            component: "Tờ khai".into(),
            how: crate::dossier::Digitisation::PaperSeen {
                reason: "Bản chính".into()
            }
        }),
        Just(Command::AttachResult {
            file: super::files::pdf("k")
        }),
        Just(Command::Intake {
            desk: uc(CENTRE),
            channel: Channel::Direct
        }),
    ]
    .prop_flat_map(|c| (0..actors().len(), Just(c)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn random_sequences_keep_the_invariants(cmds in proptest::collection::vec(any_command(), 0..40)) {
        let a = actors();
        let mut r = Run::new();
        let mut received_due = None;
        let mut received_code = None;
        for (who, cmd) in cmds {
            let before = r.d.clone();
            let transfer_to = match &cmd {
                Command::Transfer { to, .. } => Some(to.clone()),
                _ => None,
            };
            let result = r.run(&a[who], cmd);
            if before.status.is_terminal() {
                // Terminal is final.
                prop_assert!(result.is_err());
            }
            if result.is_err() {
                prop_assert_eq!(&r.d, &before, "a refused command changes nothing");
            }
            // The clock is stopped exactly while a supplement is pending.
            prop_assert_eq!(r.d.clock_stopped_at.is_some(), r.d.status == Status::SupplementRequested);
            // Every change is an event: the version counts them, and replay gives the state.
            prop_assert_eq!(r.d.version as usize, r.events.len());
            let replayed = Dossier::replay(&r.events);
            prop_assert_eq!(replayed.as_ref(), Some(&r.d));
            // The receipt's appointment never moves once issued.
            if let Some(due) = r.d.due_at {
                prop_assert_eq!(*received_due.get_or_insert(due), due);
            }
            // Nor does its code, wherever the dossier goes.
            if let Some(c) = &r.d.code {
                prop_assert_eq!(received_code.get_or_insert_with(|| c.clone()), c);
            }
            // It is always at one of the procedure's competent units.
            prop_assert!(r.competent.contains(&r.d.unit));
            if let (Some(to), true) = (transfer_to, result.is_ok()) {
                // Only the step worker at the old unit could; the new unit starts over.
                prop_assert!(to != before.unit);
                prop_assert_eq!(&r.d.unit, &to);
                prop_assert_eq!(r.d.step, Some(0));
                prop_assert_eq!(r.d.status, Status::Processing);
                prop_assert!(r.competent.contains(&to));
            }
            prop_assert!(r.d.extensions <= 1);
            if r.d.status.is_terminal() || r.d.status == Status::Completed {
                prop_assert!(r.d.finished_at.is_some());
            }
        }
    }
}

#[test]
fn bundle_line_follows_the_events() {
    let a = actors();
    let mut r = Run::submitted(&a[0]);
    let due = t0() + Duration::days(1);
    r.run(
        &a[2],
        Command::Receive {
            desk: uc(COMMUNE),
            code: code(),
            due_at: due,
            process_version: 1,
        },
    )
    .unwrap();
    r.run(
        &a[4],
        Command::RequestSupplement {
            items: vec!["Tờ khai".into()],
            reason: "Thiếu".into(),
        },
    )
    .unwrap();
    r.run(
        &a[0],
        Command::CompleteSupplement {
            due_at: due + Duration::hours(1),
        },
    )
    .unwrap();
    r.run(&a[4], Command::Forward { note: None }).unwrap();
    r.run(
        &a[5],
        Command::Complete {
            results: vec!["Giấy khai sinh".into()],
        },
    )
    .unwrap();
    r.run(
        &a[2],
        Command::Return {
            how: "Trực tuyến".into(),
        },
    )
    .unwrap();
    r.run(
        &a[0],
        Command::Rate {
            rating: Rating::Satisfied,
            comment: None,
        },
    )
    .unwrap();
    let line = export::bundle_line(&r.d, &r.events, None).unwrap();
    let json = serde_json::to_value(&line).unwrap();
    assert_eq!(json["code"], "000.01.99.H57-250107-0001");
    assert_eq!(json["channel"], "online");
    assert_eq!(json["due_at"], "2025-01-08T08:00:00+07:00");
    let kinds: Vec<&str> = line.events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            "supplement_requested",
            "supplement_completed",
            "completed",
            "returned"
        ]
    );
    assert_eq!(json["rating"], "satisfied");
    // Keys come in the spec's order.
    let text = serde_json::to_string(&line).unwrap();
    assert!(text.starts_with(r#"{"code":"000.01.99.H57-250107-0001","procedure":"1.001193","unit":"000.01.99.H57","parent":null,"channel":"online""#), "{text}");
    // A draft is not a dossier of the bundle.
    let (draft, events) = created();
    assert!(export::bundle_line(&draft, &events, None).is_none());
}
