//! Transfer to another competent unit: who may, where to, and what stays.

use super::*;
use crate::access::Role;
use chrono::Duration;

/// Received at the commune; step 0 (the specialist's examination) allows transfer.
fn received() -> Run {
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
    r
}

fn transfer(to: &str, reason: &str) -> Command {
    Command::Transfer {
        to: uc(to),
        reason: reason.into(),
    }
}

#[test]
fn the_new_unit_starts_over_with_the_same_code_and_appointment() {
    let a = actors();
    let mut r = received();
    let (code_before, due_before) = (r.d.code.clone(), r.d.due_at);
    r.run(&a[4], transfer(OTHER_COMMUNE, "  Địa bàn của phường khác "))
        .unwrap();
    assert_eq!(r.d.unit, uc(OTHER_COMMUNE));
    assert_eq!((r.d.status, r.d.step), (Status::Processing, Some(0)));
    assert_eq!((r.d.code.clone(), r.d.due_at), (code_before, due_before));
    assert_eq!(
        r.d.desk,
        Some(uc(COMMUNE)),
        "the receiving desk stays on record"
    );
    let last = r.events.last().unwrap();
    assert_eq!(last.change.kind(), "transferred");
    assert_eq!(
        last.change,
        Change::Transferred {
            from: uc(COMMUNE),
            to: uc(OTHER_COMMUNE),
            reason: "Địa bàn của phường khác".into(),
        }
    );
    assert_eq!(last.by.unit, Some(uc(COMMUNE)));
    // The old unit's officers no longer work it; the new unit's do, from the first step.
    assert_eq!(
        r.run(&a[4], Command::Forward { note: None }),
        Err(DossierError::Forbidden)
    );
    r.run(&a[7], Command::Forward { note: None }).unwrap();
    r.run(
        &a[8],
        Command::Complete {
            results: vec!["Giấy khai sinh".into()],
        },
    )
    .unwrap();
    assert_eq!(r.d.status, Status::Completed);
    assert_eq!(Dossier::replay(&r.events).as_ref(), Some(&r.d));
    // The bundle line counts it where it was handled.
    let line = export::bundle_line(&r.d, &r.events, None).unwrap();
    assert_eq!(line.unit, OTHER_COMMUNE);
    assert_eq!(line.code, "000.01.99.H57-250107-0001");
    assert!(line.events.iter().all(|e| e.kind != "transferred"));
}

#[test]
fn refusals_change_nothing() {
    let a = actors();
    let r0 = received();
    let cases: Vec<(usize, Command, DossierError)> = vec![
        (
            4,
            transfer(CENTRE, "Không thuộc thẩm quyền"),
            DossierError::TransferNotCompetent,
        ),
        (
            4,
            transfer(ROOT, "Không thuộc thẩm quyền"),
            DossierError::TransferNotCompetent,
        ),
        (
            4,
            transfer(COMMUNE, "Không thuộc thẩm quyền"),
            DossierError::TransferSameUnit,
        ),
        (
            4,
            transfer(OTHER_COMMUNE, " \n "),
            DossierError::ReasonRequired,
        ),
        // Not the step's worker: the desk, the other unit, a stranger.
        (2, transfer(OTHER_COMMUNE, "x"), DossierError::Forbidden),
        (7, transfer(OTHER_COMMUNE, "x"), DossierError::Forbidden),
        (6, transfer(OTHER_COMMUNE, "x"), DossierError::Forbidden),
    ];
    for (who, cmd, err) in cases {
        let mut r = Run {
            d: r0.d.clone(),
            events: r0.events.clone(),
            process: r0.process.clone(),
            tree: r0.tree.clone(),
            competent: r0.competent.clone(),
            now: r0.now,
        };
        assert_eq!(r.run(&a[who], cmd.clone()), Err(err), "{cmd:?} by {who}");
        assert_eq!((&r.d, r.events.len()), (&r0.d, r0.events.len()));
    }
}

#[test]
fn only_from_a_step_that_allows_it_while_processing() {
    let a = actors();
    let mut r = received();
    r.run(&a[4], Command::Forward { note: None }).unwrap();
    // The leader's signing step of the standard process does not transfer.
    assert_eq!(
        r.run(&a[5], transfer(OTHER_COMMUNE, "Sai địa bàn")),
        Err(DossierError::StepDoesNotAllow("transfer"))
    );
    // Not while the clock is stopped for a supplement, nor before reception or after.
    let mut r = received();
    r.run(
        &a[4],
        Command::RequestSupplement {
            items: vec!["Tờ khai".into()],
            reason: "Thiếu".into(),
        },
    )
    .unwrap();
    assert!(matches!(
        r.run(&a[4], transfer(OTHER_COMMUNE, "Sai địa bàn")),
        Err(DossierError::WrongStatus {
            command: "transfer",
            ..
        })
    ));
    let mut r = Run::submitted(&a[0]);
    assert!(matches!(
        r.run(&a[4], transfer(OTHER_COMMUNE, "Sai địa bàn")),
        Err(DossierError::WrongStatus { .. })
    ));
    // Nor without a process, nor to a unit whose first step has nobody to work it.
    let mut r = received();
    r.process.steps[0].unit = StepUnit::Parent;
    r.competent.push(uc(ROOT));
    assert_eq!(
        r.run(
            &actor("p", Role::Specialist, ROOT),
            transfer(ROOT, "Lên cấp trên")
        ),
        Err(DossierError::TransferNotCompetent)
    );
}

#[test]
fn a_transfer_opens_a_new_visit_on_the_control_sheet() {
    let a = actors();
    let mut r = received();
    r.run(&a[4], transfer(OTHER_COMMUNE, "Sai địa bàn"))
        .unwrap();
    let sheet = control::control_sheet(
        &r.events,
        &r.process,
        &motcua_calendar::Calendar::vietnam(),
        r.now,
    );
    assert_eq!(sheet.visits.len(), 2);
    assert_eq!(
        (sheet.visits[0].step, sheet.visits[0].left_kind),
        (0, Some("transferred"))
    );
    assert_eq!((sheet.visits[1].step, sheet.visits[1].left_kind), (0, None));
    assert_eq!(sheet.visits[1].handed_by.account, "spec");
}

#[test]
fn targets_are_the_other_competent_units() {
    let r = received();
    assert_eq!(
        transfer_targets(&r.d, &r.process, &r.competent, &r.tree),
        vec![uc(OTHER_COMMUNE)]
    );
    // A competent unit missing from the tree is no target.
    let competent = vec![uc(COMMUNE), uc("000.03.99.H57"), uc(OTHER_COMMUNE)];
    assert_eq!(
        transfer_targets(&r.d, &r.process, &competent, &r.tree),
        vec![uc(OTHER_COMMUNE)]
    );
}
