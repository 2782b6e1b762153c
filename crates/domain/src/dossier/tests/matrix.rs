//! The authorization matrix.

use super::*;
use crate::access::{Actor, Grant, Role};
use crate::procedure::Channel;
use chrono::Duration;

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
            // Nobody else fills in a draft its applicant started.
            &["owner"],
        ),
        (
            "save_form_of_a_helper_draft",
            Box::new(Run::drafted_by_helper),
            Command::SaveForm,
            &["owner", "helper"],
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
            // The review's finding: a helper submitted a citizen's own draft.
            &[],
        ),
        (
            "submit_on_behalf_of_a_helper_draft",
            Box::new(Run::drafted_by_helper),
            Command::Submit {
                channel: Channel::Direct,
                on_behalf: true,
            },
            &["helper"],
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
            "transfer",
            Box::new(|| at(2)),
            Command::Transfer {
                to: uc(OTHER_COMMUNE),
                reason: "Không thuộc địa bàn".into(),
            },
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
