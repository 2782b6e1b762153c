//! The state machine: hand-written journeys and property tests over random command
//! sequences.

use super::*;
use crate::access::{Actor, Grant, Role};
use crate::codes::{ProcedureCode, UnitCode};
use crate::procedure::{ApplicantKind, Channel};
use crate::unit::{Unit, UnitKind, UnitTree};
use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;

fn uc(s: &str) -> UnitCode {
    UnitCode::parse(s).unwrap()
}
const ROOT: &str = "000.00.00.H57";
const COMMUNE: &str = "000.01.99.H57";
const CENTRE: &str = "000.00.95.H57";

fn tree() -> UnitTree {
    let u = |c: &str, p: Option<&str>, kind| Unit {
        code: uc(c),
        name: c.into(),
        kind,
        parent: p.map(uc),
        e_certified_copy: false,
        successor: None,
    };
    UnitTree::new([
        u(ROOT, None, UnitKind::Province),
        u(COMMUNE, Some(ROOT), UnitKind::Commune),
        u(CENTRE, Some(ROOT), UnitKind::ServiceCentre),
    ])
    .unwrap()
}

fn actor(id: &str, role: Role, unit: &str) -> Actor {
    Actor {
        account_id: id.into(),
        grants: vec![Grant {
            role,
            unit: uc(unit),
            with_sub_units: false,
        }],
    }
}

fn actors() -> Vec<Actor> {
    vec![
        Actor {
            account_id: "a".into(),
            grants: vec![],
        },
        actor("helper", Role::DigitalHelper, COMMUNE),
        actor("desk", Role::ReceptionOfficer, COMMUNE),
        actor("centre", Role::ReceptionOfficer, CENTRE),
        actor("spec", Role::Specialist, COMMUNE),
        actor("lead", Role::Leader, COMMUNE),
        actor("stranger", Role::Specialist, CENTRE),
    ]
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 7, 1, 0, 0).unwrap()
}

fn created() -> (Dossier, Vec<Event>) {
    let e = Event {
        dossier: "d1".into(),
        version: 1,
        at: t0(),
        by: By {
            account: "a".into(),
            role: Role::Applicant,
            unit: None,
        },
        change: Change::Created {
            procedure: ProcedureCode::parse("1.001193").unwrap(),
            procedure_version: 1,
            unit: uc(COMMUNE),
            applicant: "a".into(),
            applicant_kind: ApplicantKind::Citizen,
            parent: None,
        },
    };
    (Dossier::apply(None, &e).unwrap(), vec![e])
}

struct Run {
    d: Dossier,
    events: Vec<Event>,
    process: Process,
    tree: UnitTree,
    now: DateTime<Utc>,
}

impl Run {
    fn new() -> Self {
        let (d, events) = created();
        Run {
            d,
            events,
            process: Process::standard(ProcedureCode::parse("1.001193").unwrap()),
            tree: tree(),
            now: t0(),
        }
    }
    fn run(&mut self, who: &Actor, cmd: Command) -> Result<(), DossierError> {
        self.now += Duration::minutes(30);
        let ctx = Context {
            now: self.now,
            actor: who,
            tree: &self.tree,
            process: Some(&self.process),
            max_extensions: 1,
        };
        let (by, changes) = decide(&self.d, cmd, &ctx)?;
        for change in changes {
            let e = Event {
                dossier: self.d.id.clone(),
                version: self.d.version + 1,
                at: self.now,
                by: by.clone(),
                change,
            };
            self.d = Dossier::apply(Some(self.d.clone()), &e).unwrap();
            self.events.push(e);
        }
        Ok(())
    }
}

fn code() -> DossierCode {
    DossierCode::parse("000.01.99.H57-250107-0001").unwrap()
}

#[test]
fn whole_journey_with_one_supplement() {
    let a = actors();
    let mut r = Run::new();
    r.run(
        &a[0],
        Command::Submit {
            channel: Channel::Online,
            on_behalf: false,
        },
    )
    .unwrap();
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
    let mut r = Run::new();
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
    let mut r = Run::new();
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
    ]
    .prop_flat_map(|c| (0..7usize, Just(c)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn random_sequences_keep_the_invariants(cmds in proptest::collection::vec(any_command(), 0..40)) {
        let a = actors();
        let mut r = Run::new();
        let mut received_due = None;
        for (who, cmd) in cmds {
            let before = r.d.clone();
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
    let mut r = Run::new();
    r.run(
        &a[0],
        Command::Submit {
            channel: Channel::Online,
            on_behalf: false,
        },
    )
    .unwrap();
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
    let line = export::bundle_line(&r.d, &r.events, None, export::OutsideFacts::default()).unwrap();
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
    assert!(export::bundle_line(&draft, &events, None, export::OutsideFacts::default()).is_none());
}

/// Every command × every kind of actor, at a status where the command is legal: exactly the
/// expected actors may do it; everybody else is refused for who they are, not for the
/// dossier's state.
#[test]
fn authorization_matrix() {
    let root = |id: &str, role| Actor {
        account_id: id.into(),
        grants: vec![Grant {
            role,
            unit: uc(ROOT),
            with_sub_units: true,
        }],
    };
    let mut people: Vec<(&str, Actor)> = actors()
        .into_iter()
        .map(|a| {
            let name = match a.account_id.as_str() {
                "a" => "owner",
                other => Box::leak(other.to_owned().into_boxed_str()),
            };
            (name, a)
        })
        .collect();
    people.push((
        "other_applicant",
        Actor {
            account_id: "b".into(),
            grants: vec![],
        },
    ));
    people.push(("operator", root("op", Role::Operator)));
    people.push(("monitor", root("mon", Role::ProvinceMonitor)));
    people.push(("unit_admin", root("adm", Role::UnitAdmin)));

    let due = t0() + Duration::days(3);
    let a = actors();
    // Runs that reach each status (by the right people).
    let at = |steps: usize| {
        let mut r = Run::new();
        let path: Vec<(usize, Command)> = vec![
            (
                0,
                Command::Submit {
                    channel: Channel::Online,
                    on_behalf: false,
                },
            ),
            (
                2,
                Command::Receive {
                    desk: uc(COMMUNE),
                    code: code(),
                    due_at: due,
                    process_version: 1,
                },
            ),
            (4, Command::Forward { note: None }),
            (
                5,
                Command::Complete {
                    results: vec!["Giấy khai sinh".into()],
                },
            ),
            (
                2,
                Command::Return {
                    how: "Trực tiếp".into(),
                },
            ),
        ];
        for (who, cmd) in path.into_iter().take(steps) {
            r.run(&a[who], cmd).unwrap();
        }
        r
    };
    let supplement = || {
        let mut r = at(2);
        r.run(
            &a[4],
            Command::RequestSupplement {
                items: vec!["Tờ khai".into()],
                reason: "Thiếu".into(),
            },
        )
        .unwrap();
        r
    };
    type Case<'a> = (
        &'static str,
        Box<dyn Fn() -> Run + 'a>,
        Command,
        &'static [&'static str],
    );
    let cases: Vec<Case<'_>> = vec![
        (
            "save_form",
            Box::new(|| at(0)),
            Command::SaveForm,
            &["owner", "helper", "desk"],
        ),
        (
            "submit",
            Box::new(|| at(0)),
            Command::Submit {
                channel: Channel::Online,
                on_behalf: false,
            },
            &["owner"],
        ),
        (
            "submit_on_behalf",
            Box::new(|| at(0)),
            Command::Submit {
                channel: Channel::Direct,
                on_behalf: true,
            },
            &["helper", "desk"],
        ),
        (
            "receive_here",
            Box::new(|| at(1)),
            Command::Receive {
                desk: uc(COMMUNE),
                code: code(),
                due_at: due,
                process_version: 1,
            },
            &["desk"],
        ),
        (
            "receive_centre",
            Box::new(|| at(1)),
            Command::Receive {
                desk: uc(CENTRE),
                code: code(),
                due_at: due,
                process_version: 1,
            },
            &["centre"],
        ),
        (
            "refuse",
            Box::new(|| at(1)),
            Command::Refuse {
                desk: uc(COMMUNE),
                reason: "Sai thẩm quyền".into(),
            },
            &["desk"],
        ),
        (
            "forward",
            Box::new(|| at(2)),
            Command::Forward { note: None },
            &["spec"],
        ),
        (
            "request_supplement",
            Box::new(|| at(2)),
            Command::RequestSupplement {
                items: vec!["x".into()],
                reason: "y".into(),
            },
            &["spec"],
        ),
        (
            "extend",
            Box::new(|| at(2)),
            Command::Extend {
                due_at: due + Duration::days(2),
                reason: "z".into(),
            },
            &["spec"],
        ),
        (
            "stop",
            Box::new(|| at(2)),
            Command::Stop { reason: "z".into() },
            &["spec"],
        ),
        (
            "withdraw",
            Box::new(|| at(2)),
            Command::Withdraw { reason: None },
            &["owner"],
        ),
        (
            "complete",
            Box::new(|| at(3)),
            Command::Complete {
                results: vec!["kq".into()],
            },
            &["lead"],
        ),
        (
            "send_back",
            Box::new(|| at(3)),
            Command::SendBack {
                reason: "xem lại".into(),
            },
            &["lead"],
        ),
        (
            "complete_supplement",
            Box::new(supplement),
            Command::CompleteSupplement { due_at: due },
            &["owner", "desk"],
        ),
        (
            "return",
            Box::new(|| at(4)),
            Command::Return {
                how: "Trực tiếp".into(),
            },
            &["desk"],
        ),
        (
            "rate",
            Box::new(|| at(5)),
            Command::Rate {
                rating: Rating::Satisfied,
                comment: None,
            },
            &["owner"],
        ),
    ];
    for (name, setup, cmd, allowed) in &cases {
        for (who, actor) in &people {
            let mut r = setup();
            let result = r.run(actor, cmd.clone());
            let expected = allowed.contains(who);
            assert_eq!(result.is_ok(), expected, "{name} by {who}: {result:?}");
            if let Err(e) = result {
                assert!(
                    matches!(
                        e,
                        DossierError::Forbidden | DossierError::StepDoesNotAllow(_)
                    ),
                    "{name} by {who} refused for the wrong reason: {e:?}"
                );
            }
        }
    }
}
