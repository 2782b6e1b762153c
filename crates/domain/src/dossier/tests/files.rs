//! Files, paper at the desk and the paper intake.

use super::*;
use crate::dossier::export::bundle_line;
use crate::dossier::files::Digitisation;
use crate::procedure::Channel;
use chrono::Duration;

pub(super) fn pdf(id: &str) -> FileRef {
    FileRef {
        id: id.into(),
        sha256: "0f".repeat(32),
        size: 1234,
        media_type: "application/pdf".into(),
        name: "Tờ khai.pdf".into(),
    }
}

fn attach(component: &str, id: &str) -> Command {
    Command::AttachFile {
        component: component.into(),
        file: pdf(id),
    }
}

fn receive(r: &mut Run, who: &Actor) {
    r.run(
        who,
        Command::Receive {
            desk: uc(COMMUNE),
            code: code(),
            due_at: t0() + Duration::days(2),
            process_version: 1,
        },
    )
    .unwrap();
}

#[test]
fn the_applicant_attaches_to_a_draft_and_to_a_supplement_only() {
    let a = actors();
    // Nobody attaches to a draft its applicant started for themselves.
    let mut own = Run::new();
    assert_eq!(
        own.run(&a[1], attach("Tờ khai", "f0")),
        Err(DossierError::Forbidden)
    );
    let mut r = Run::drafted_by_helper();
    r.run(&a[0], attach("Tờ khai", "f1")).unwrap();
    assert_eq!(r.d.component_files, 1);
    let Change::ComponentFile { component, file } = &r.events.last().unwrap().change else {
        panic!("a component file event");
    };
    assert_eq!((component.as_str(), file.sha256.len()), ("Tờ khai", 64));
    // A helper may attach to the draft they prepare; a stranger or another citizen not.
    r.run(&a[1], attach("Tờ khai", "f2")).unwrap();
    assert_eq!(r.events.last().unwrap().by.role, Role::DigitalHelper);
    let other = actor("b", Role::Applicant, COMMUNE);
    assert_eq!(
        r.run(&other, attach("Tờ khai", "f3")),
        Err(DossierError::Forbidden)
    );
    assert_eq!(
        r.run(&a[6], attach("Tờ khai", "f3")),
        Err(DossierError::Forbidden)
    );
    assert_eq!(
        r.run(&a[0], attach("  ", "f3")),
        Err(DossierError::ComponentRequired)
    );
    r.run(
        &a[0],
        Command::Submit {
            channel: Channel::Online,
            on_behalf: false,
        },
    )
    .unwrap();
    // Once submitted, the files are what was submitted.
    assert!(matches!(
        r.run(&a[0], attach("Tờ khai", "f4")),
        Err(DossierError::WrongStatus {
            command: "attach_file",
            status: "submitted"
        })
    ));
    receive(&mut r, &a[2]);
    r.run(
        &a[4],
        Command::RequestSupplement {
            items: vec!["Giấy chứng sinh".into()],
            reason: "Thiếu".into(),
        },
    )
    .unwrap();
    r.run(&a[0], attach("Giấy chứng sinh", "f5")).unwrap();
    // The helper's on-behalf right ends with the draft.
    assert_eq!(
        r.run(&a[1], attach("Giấy chứng sinh", "f6")),
        Err(DossierError::Forbidden)
    );
    assert_eq!(r.d.component_files, 3);
    assert_eq!(Dossier::replay(&r.events).as_ref(), Some(&r.d));
}

#[test]
fn content_that_is_not_an_allowed_type_is_refused() {
    let a = actors();
    let mut r = Run::new();
    let exe = FileRef {
        media_type: "application/vnd.microsoft.portable-executable".into(),
        name: "giay-to.pdf".into(),
        ..pdf("x")
    };
    assert_eq!(
        r.run(
            &a[0],
            Command::AttachFile {
                component: "Tờ khai".into(),
                file: exe
            }
        ),
        Err(DossierError::FileTypeNotAllowed)
    );
    assert_eq!(r.d.version, 1, "nothing recorded");
}

#[test]
fn the_desk_digitises_a_submitted_dossier_scan_or_paper_with_a_reason() {
    let a = actors();
    let mut r = Run::submitted(&a[0]);
    let scan = Command::Digitise {
        desk: uc(COMMUNE),
        component: "Tờ khai".into(),
        how: Digitisation::Scanned { file: pdf("s1") },
    };
    // Only a reception officer at that desk.
    assert_eq!(r.run(&a[4], scan.clone()), Err(DossierError::Forbidden));
    assert_eq!(r.run(&a[3], scan.clone()), Err(DossierError::Forbidden));
    r.run(&a[2], scan).unwrap();
    assert_eq!(r.events.last().unwrap().by.unit, Some(uc(COMMUNE)));
    let paper = |reason: &str| Command::Digitise {
        desk: uc(COMMUNE),
        component: "Giấy chứng sinh".into(),
        how: Digitisation::PaperSeen {
            reason: reason.into(),
        },
    };
    assert_eq!(r.run(&a[2], paper(" ")), Err(DossierError::ReasonRequired));
    r.run(&a[2], paper("Bản chính chỉ đối chiếu, trả lại người nộp"))
        .unwrap();
    assert!(matches!(
        r.events.last().unwrap().change,
        Change::PaperSeen { .. }
    ));
    assert_eq!(r.d.component_files, 1);
    receive(&mut r, &a[2]);
    // After reception the desk no longer changes the components.
    assert!(matches!(
        r.run(&a[2], paper("x")),
        Err(DossierError::WrongStatus { .. })
    ));
}

#[test]
fn a_paper_dossier_is_taken_in_at_any_desk_of_the_province_but_not_as_online() {
    let a = actors();
    let intake = |desk: &str, channel| Command::Intake {
        desk: uc(desk),
        channel,
    };
    let mut r = Run::new();
    assert_eq!(
        r.run(&a[2], intake(COMMUNE, Channel::Online)),
        Err(DossierError::ChannelNotAtDesk)
    );
    assert_eq!(
        r.run(&a[4], intake(COMMUNE, Channel::Direct)),
        Err(DossierError::Forbidden)
    );
    // The centre's desk takes in a dossier for the commune (reception anywhere).
    r.run(&a[3], intake(CENTRE, Channel::Postal)).unwrap();
    assert_eq!(r.d.status, Status::Submitted);
    assert_eq!(r.d.channel, Some(Channel::Postal));
    assert_eq!(r.d.helper, None);
    let by = &r.events.last().unwrap().by;
    assert_eq!(
        (by.account.as_str(), by.role),
        ("centre", Role::ReceptionOfficer)
    );
    assert!(matches!(
        r.run(&a[3], intake(CENTRE, Channel::Direct)),
        Err(DossierError::WrongStatus { .. })
    ));
}

#[test]
fn results_are_attached_by_whoever_may_complete_and_show_in_the_bundle() {
    let a = actors();
    let mut r = Run::submitted(&a[0]);
    receive(&mut r, &a[2]);
    let result = || Command::AttachResult { file: pdf("kq") };
    // Step 0 is the specialist's and does not complete.
    assert_eq!(
        r.run(&a[4], result()),
        Err(DossierError::StepDoesNotAllow("attach_result"))
    );
    r.run(&a[4], Command::Forward { note: None }).unwrap();
    assert_eq!(r.run(&a[4], result()), Err(DossierError::Forbidden));
    r.run(&a[5], result()).unwrap();
    r.run(
        &a[5],
        Command::Complete {
            results: vec!["Giấy khai sinh".into()],
        },
    )
    .unwrap();
    assert_eq!(r.d.result_files, 1);
    let line = bundle_line(&r.d, &r.events, None).unwrap();
    assert!(line.result_file);
    assert!(!line.component_files, "no component had a file");
}
