//! Hand-written journeys through the state machine.

use super::*;
use crate::access::{Actor, Role};
use crate::codes::ProcedureCode;
use crate::procedure::Channel;
use chrono::Duration;

#[test]
fn whole_journey_with_one_supplement() {
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
    assert_eq!(r.d.status, Status::Received);
    // The reception officer is not the step's specialist.
    assert_eq!(
        r.run(&a[2], Command::Forward { note: None }),
        Err(DossierError::Forbidden)
    );
    assert_eq!(
        r.run(
            &a[4],
            Command::RequestSupplement {
                items: vec![],
                reason: "Thiếu giấy chứng sinh".into()
            }
        ),
        Err(DossierError::ItemsRequired)
    );
    r.run(
        &a[4],
        Command::RequestSupplement {
            items: vec!["Giấy chứng sinh".into()],
            reason: "Thiếu".into(),
        },
    )
    .unwrap();
    assert!(r.d.clock_stopped_at.is_some());
    r.run(
        &a[0],
        Command::CompleteSupplement {
            due_at: due + Duration::hours(2),
        },
    )
    .unwrap();
    assert_eq!(r.d.current_due_at, Some(due + Duration::hours(2)));
    assert_eq!(r.d.due_at, Some(due), "the receipt's date never moves");
    r.run(&a[4], Command::Forward { note: None }).unwrap();
    // The specialist cannot sign; the leader completes.
    assert_eq!(
        r.run(
            &a[4],
            Command::Complete {
                results: vec!["Giấy khai sinh".into()]
            }
        ),
        Err(DossierError::Forbidden)
    );
    r.run(
        &a[5],
        Command::Complete {
            results: vec!["Giấy khai sinh".into()],
        },
    )
    .unwrap();
    assert!(matches!(
        r.run(&a[0], Command::Withdraw { reason: None }),
        Err(DossierError::WrongStatus { .. })
    ));
    r.run(
        &a[2],
        Command::Return {
            how: "Trả trực tuyến".into(),
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
    assert_eq!(
        r.run(
            &a[0],
            Command::Rate {
                rating: Rating::Satisfied,
                comment: None
            }
        ),
        Err(DossierError::AlreadyRated)
    );
    assert_eq!(Dossier::replay(&r.events), Some(r.d.clone()));
    assert_eq!(r.d.version as usize, r.events.len());
}

#[test]
fn desk_anywhere_in_the_province_receives_and_helpers_count_as_online() {
    let a = actors();
    let mut r = Run::drafted_by_helper();
    r.run(
        &a[1],
        Command::Submit {
            channel: Channel::Direct,
            on_behalf: true,
        },
    )
    .unwrap();
    assert_eq!(r.d.channel, Some(Channel::Online));
    assert_eq!(r.d.helper.as_deref(), Some("helper"));
    r.run(
        &a[3],
        Command::Receive {
            desk: uc(CENTRE),
            code: code(),
            due_at: t0(),
            process_version: 1,
        },
    )
    .unwrap();
    assert_eq!(r.d.desk, Some(uc(CENTRE)));
    assert_eq!(r.d.unit, uc(COMMUNE));
}

#[test]
fn refusal_stop_and_extension_rules() {
    let a = actors();
    let mut r = Run::submitted(&a[0]);
    assert_eq!(
        r.run(
            &a[2],
            Command::Refuse {
                desk: uc(COMMUNE),
                reason: "  ".into()
            }
        ),
        Err(DossierError::ReasonRequired)
    );
    let mut r2 = Run::new();
    r2.run(
        &a[0],
        Command::Submit {
            channel: Channel::Online,
            on_behalf: false,
        },
    )
    .unwrap();
    let due = t0() + Duration::days(3);
    r2.run(
        &a[2],
        Command::Receive {
            desk: uc(COMMUNE),
            code: code(),
            due_at: due,
            process_version: 1,
        },
    )
    .unwrap();
    assert_eq!(
        r2.run(
            &a[4],
            Command::Extend {
                due_at: due - Duration::hours(1),
                reason: "x".into()
            }
        ),
        Err(DossierError::ExtensionTiming)
    );
    r2.run(
        &a[4],
        Command::Extend {
            due_at: due + Duration::days(2),
            reason: "Cần xác minh thêm".into(),
        },
    )
    .unwrap();
    assert_eq!(
        r2.run(
            &a[4],
            Command::Extend {
                due_at: due + Duration::days(4),
                reason: "lần hai".into()
            }
        ),
        Err(DossierError::ExtensionLimit(1))
    );
    assert_eq!(
        r2.run(&a[4], Command::Stop { reason: "".into() }),
        Err(DossierError::ReasonRequired)
    );
    r2.run(
        &a[4],
        Command::Stop {
            reason: "Người yêu cầu không đủ điều kiện".into(),
        },
    )
    .unwrap();
    assert!(r2.d.status.is_terminal());
}

#[test]
fn strangers_and_other_applicants_are_refused() {
    let a = actors();
    let mut r = Run::new();
    let other = Actor {
        account_id: "b".into(),
        grants: vec![],
    };
    assert_eq!(
        r.run(
            &other,
            Command::Submit {
                channel: Channel::Online,
                on_behalf: false
            }
        ),
        Err(DossierError::Forbidden)
    );
    r.run(
        &a[0],
        Command::Submit {
            channel: Channel::Online,
            on_behalf: false,
        },
    )
    .unwrap();
    assert_eq!(
        r.run(
            &a[6],
            Command::Receive {
                desk: uc(COMMUNE),
                code: code(),
                due_at: t0(),
                process_version: 1
            }
        ),
        Err(DossierError::Forbidden)
    );
    assert_eq!(
        r.run(
            &a[2],
            Command::Receive {
                desk: uc("000.00.31.H46"),
                code: code(),
                due_at: t0(),
                process_version: 1
            }
        ),
        Err(DossierError::OtherProvince)
    );
}

#[test]
fn inter_agency_step_waits_for_the_child() {
    let a = actors();
    let mut r = Run::new();
    r.process.steps.insert(
        1,
        Step {
            name: "Đăng ký thường trú (liên thông)".into(),
            role: Role::Specialist,
            unit: StepUnit::Competent,
            hours: 0,
            actions: vec![StepAction::Forward],
            inter_agency: Some(InterAgency {
                unit: StepUnit::Named { unit: uc(CENTRE) },
                procedure: ProcedureCode::parse("1.004222").unwrap(),
            }),
        },
    );
    r.process.check(&r.tree).unwrap();
    r.run(
        &a[0],
        Command::Submit {
            channel: Channel::Online,
            on_behalf: false,
        },
    )
    .unwrap();
    r.run(
        &a[2],
        Command::Receive {
            desk: uc(COMMUNE),
            code: code(),
            due_at: t0(),
            process_version: 1,
        },
    )
    .unwrap();
    r.run(&a[4], Command::Forward { note: None }).unwrap();
    assert!(r.d.waiting_for_child);
    assert!(matches!(
        r.events.last().unwrap().change,
        Change::ChildRequested { .. }
    ));
    assert_eq!(
        r.run(&a[4], Command::Forward { note: None }),
        Err(DossierError::WaitingForChild)
    );
}

#[test]
fn malformed_processes_are_refused() {
    let t = tree();
    let mut p = Process::standard(ProcedureCode::parse("1.001193").unwrap());
    p.steps[1].actions.retain(|a| *a != StepAction::Complete);
    assert_eq!(p.check(&t), Err(process::ProcessError::LastCannotComplete));
    let mut p = Process::standard(ProcedureCode::parse("1.001193").unwrap());
    p.steps[0].actions.push(StepAction::SendBack);
    assert_eq!(
        p.check(&t),
        Err(process::ProcessError::SendBackFromFirst(0))
    );
    p.steps.clear();
    assert_eq!(p.check(&t), Err(process::ProcessError::NoSteps));
}

#[test]
fn the_e_form_version_is_pinned_by_the_created_event() {
    let (_, mut events) = created();
    let Change::Created { eform_version, .. } = &mut events[0].change else {
        unreachable!("created() starts with the created event");
    };
    *eform_version = Some(3);
    let mut r = Run::new();
    r.d = Dossier::apply(None, &events[0]).unwrap();
    r.events = events;
    let a = actors();
    r.run(
        &a[0],
        Command::Submit {
            channel: Channel::Online,
            on_behalf: false,
        },
    )
    .unwrap();
    assert_eq!(r.d.eform_version, Some(3), "later events keep the pin");
    assert_eq!(Dossier::replay(&r.events), Some(r.d.clone()));

    // Stored as JSON: the pin survives, and events and states written before it existed
    // read as the built-in form.
    let json = serde_json::to_value(&r.events[0]).unwrap();
    assert_eq!(json["change"]["eform_version"], 3);
    let mut old = json.clone();
    old["change"]
        .as_object_mut()
        .unwrap()
        .remove("eform_version");
    let old: Event = serde_json::from_value(old).unwrap();
    assert_eq!(Dossier::apply(None, &old).unwrap().eform_version, None);
    let mut state = serde_json::to_value(&r.d).unwrap();
    state.as_object_mut().unwrap().remove("eform_version");
    let state: Dossier = serde_json::from_value(state).unwrap();
    assert_eq!(state.eform_version, None);
    // A dossier without a pin writes no field at all, as before.
    let (_, plain) = created();
    let json = serde_json::to_value(&plain[0]).unwrap();
    assert!(json["change"].get("eform_version").is_none());
}

/// Found by fuzzing (fuzz/ dossier_commands): two payment requests whose sum passes
/// u64::MAX overflowed the dossier's running total, a panic in debug builds and a total
/// wrapped round to a small fee in release ones.
#[test]
fn payment_requests_never_overflow_the_fee_total() {
    let a = actors();
    let mut r = Run::submitted(&a[0]);
    r.run(
        &a[2],
        Command::Receive {
            desk: uc(COMMUNE),
            code: code(),
            due_at: t0() + Duration::days(3),
            process_version: 1,
        },
    )
    .unwrap();
    let big = u64::MAX / 2 + 1;
    r.run(&a[4], Command::RequestPayment { amount_vnd: big })
        .unwrap();
    r.run(&a[2], Command::ConfirmPayment).unwrap();
    assert_eq!(
        r.run(&a[4], Command::RequestPayment { amount_vnd: big }),
        Err(DossierError::AmountTooLarge)
    );
    assert_eq!((r.d.fee_requested, r.d.fee_paid), (big, big));
    // What is left below the limit may still be asked.
    r.run(
        &a[4],
        Command::RequestPayment {
            amount_vnd: u64::MAX - big,
        },
    )
    .unwrap();
    assert_eq!(r.d.fee_requested, u64::MAX);
    // A stored history that adds past the limit (not one decide produces) replays without
    // a panic, at the limit.
    let mut e = r.events.last().unwrap().clone();
    e.version += 1;
    let d = Dossier::apply(Some(r.d.clone()), &e).unwrap();
    assert_eq!(d.fee_requested, u64::MAX);
}
