//! The one write path of dossiers: the journey from draft to returned result with what
//! each step writes beside its events, and the answers a caller gets when something is off.

use crate::support::*;
use motcua_app::dossiers::{self, NewDraft, Request};
use motcua_app::{AppError, Missing, Settings};
use motcua_calendar::DueMode;
use motcua_domain::access::Role;
use motcua_domain::dossier::{Command, DossierError, LimitError, Status};
use motcua_domain::procedure::{ApplicantKind, Channel};
use serde_json::json;

fn other(cmd: Command) -> Request {
    Request::Other(cmd)
}

#[tokio::test]
async fn a_dossier_goes_from_draft_to_returned_result_with_its_documents_and_outbox() {
    let f = fixture().await;
    let app = &f.app;
    let d = f.draft(BIRTH).await;
    assert_eq!((d.status, d.version), (Status::Draft, 1));

    // Save and resume, then submit with what was saved.
    let saved = dossiers::execute(
        app,
        &f.citizen,
        &d.id,
        Some(1),
        Request::SaveForm {
            form_data: birth_form(),
        },
    )
    .await
    .unwrap()
    .dossier;
    let submit = Request::Submit {
        channel: Channel::Online,
        on_behalf: false,
        form_data: None,
    };
    let d = dossiers::execute(app, &f.citizen, &d.id, Some(saved.version), submit)
        .await
        .unwrap()
        .dossier;
    assert_eq!(d.status, Status::Submitted);
    let stored = f.db.store.dossier(&d.id).await.unwrap();
    assert_eq!(
        stored.form_data["child_full_name"],
        birth_form()["child_full_name"]
    );
    // The applicant is told nothing of their own submission.
    let rows = f.db.store.outbox_rows(chrono::Utc::now()).await.unwrap();
    assert!(
        rows.iter().all(|r| r.topic != "notify.applicant"),
        "{rows:?}"
    );

    // The desk receives it: a code of the desk and day, a receipt with a lookup secret,
    // and an appointment counted on the calendar in force.
    let receive = Request::Receive {
        desk: unit(COMMUNE),
        due_at: None,
    };
    let out = dossiers::execute(app, &f.desk, &d.id, Some(d.version), receive)
        .await
        .unwrap();
    let d = out.dossier;
    let secret = out.lookup_secret.expect("a lookup secret on reception");
    assert_eq!(secret.len(), 8);
    let received_at = d.received_at.unwrap();
    let code = d.code.clone().unwrap().to_string();
    let day = vn_day(received_at).format("%y%m%d").to_string();
    assert_eq!(code, format!("{COMMUNE}-{day}-0001"));
    let limit =
        f.db.store
            .procedure(&procedure(BIRTH))
            .await
            .unwrap()
            .procedure
            .time_limit
            .unwrap();
    let calendar = f.db.store.calendar().await.unwrap();
    let expected_due = calendar
        .due(
            received_at.with_timezone(&motcua_calendar::VIETNAM_OFFSET),
            limit,
            DueMode::EndOfDay,
        )
        .with_timezone(&chrono::Utc);
    assert_eq!(d.current_due_at, Some(expected_due));
    assert!(calendar.is_working_day(vn_day(expected_due)));
    assert_eq!(d.desk, Some(unit(COMMUNE)));

    let documents = f.db.store.documents(&d.id).await.unwrap();
    assert_eq!(documents.len(), 1);
    assert_eq!(documents[0].form, "01");
    assert_eq!(documents[0].body["code"], code.as_str());
    assert_eq!(documents[0].body["lookup_secret"], secret.as_str());
    let notify = f.db.store.outbox_topic("notify.applicant").await.unwrap();
    assert_eq!(notify.len(), 1);
    assert_eq!(notify[0].0, format!("{}:{}:notify", d.id, d.version));
    assert_eq!(notify[0].1["applicant"], f.citizen.account_id.as_str());
    assert_eq!(notify[0].1["event"], "received");
    // The portal hears of the submission, then of the reception with its code.
    let sync =
        f.db.store
            .outbox_topic("national_portal.sync")
            .await
            .unwrap();
    let keys: Vec<&str> = sync.iter().map(|s| s.0.as_str()).collect();
    let key = |v: i64| format!("{}:{v}:sync", d.id);
    assert_eq!(keys, [key(d.version - 1), key(d.version)], "{sync:?}");
    assert_eq!(sync[1].1["code"], code.as_str());

    // The leader may not complete while the specialist examines it.
    let complete = || {
        other(Command::Complete {
            results: vec!["Giấy khai sinh bản chính".into()],
        })
    };
    let early = dossiers::execute(app, &f.leader, &d.id, Some(d.version), complete()).await;
    assert!(
        matches!(early, Err(AppError::Dossier(_))),
        "{:?}",
        early.err()
    );
    let d = dossiers::execute(
        app,
        &f.specialist,
        &d.id,
        Some(d.version),
        other(Command::Forward { note: None }),
    )
    .await
    .unwrap()
    .dossier;
    assert_eq!(d.step, Some(1));
    let d = dossiers::execute(app, &f.leader, &d.id, Some(d.version), complete())
        .await
        .unwrap()
        .dossier;
    assert_eq!(d.status, Status::Completed);
    let d = dossiers::execute(
        app,
        &f.desk,
        &d.id,
        Some(d.version),
        other(Command::Return {
            how: "Trả trực tiếp tại bộ phận một cửa".into(),
        }),
    )
    .await
    .unwrap()
    .dossier;
    assert_eq!(d.status, Status::Returned);

    let kinds: Vec<&str> =
        f.db.store
            .dossier_events(&d.id)
            .await
            .unwrap()
            .iter()
            .map(|e| e.change.kind())
            .collect::<Vec<_>>()
            .into_iter()
            .collect();
    assert_eq!(
        kinds,
        [
            "created",
            "form_saved",
            "submitted",
            "received",
            "forwarded",
            "completed",
            "returned"
        ]
    );
    let forms: Vec<String> =
        f.db.store
            .documents(&d.id)
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.form)
            .collect();
    assert_eq!(forms, ["01", "kq"]);
    // The applicant hears of the reception and the result; the portal of every change
    // after reception.
    let notify = f.db.store.outbox_topic("notify.applicant").await.unwrap();
    let events: Vec<&str> = notify
        .iter()
        .map(|n| n.1["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["received", "completed"]);
    let sync =
        f.db.store
            .outbox_topic("national_portal.sync")
            .await
            .unwrap();
    let synced: Vec<String> = sync.into_iter().map(|s| s.0).collect();
    let expected: Vec<String> = (3..=7).map(|v| format!("{}:{v}:sync", d.id)).collect();
    assert_eq!(synced, expected, "every change from the submission on");
}

#[tokio::test]
async fn receptions_of_one_desk_and_day_are_numbered_in_order() {
    let f = fixture().await;
    let a = f.received(MARRIAGE).await;
    let b = f.received(BIRTH).await;
    let (a, b) = (a.code.unwrap().to_string(), b.code.unwrap().to_string());
    assert!(a.ends_with("-0001"), "{a}");
    assert!(b.ends_with("-0002"), "{b}");
    assert_eq!(a[..a.len() - 4], b[..b.len() - 4]);
}

#[tokio::test]
async fn a_retried_create_returns_the_first_draft_and_another_body_is_refused() {
    let f = fixture().await;
    let (p, u) = (procedure(BIRTH), unit(COMMUNE));
    let create = |data: serde_json::Value| {
        let f = &f;
        let (p, u) = (p.clone(), u.clone());
        async move {
            dossiers::create(
                &f.app,
                &f.citizen,
                NewDraft {
                    applicant: &f.citizen.account_id,
                    procedure: &p,
                    unit: &u,
                    applicant_kind: ApplicantKind::Citizen,
                    form_data: &data,
                    idempotency_key: Some("k-1"),
                },
            )
            .await
        }
    };
    let (first, again) = create(json!({"b": 1, "a": "Nguyễn Văn An"})).await.unwrap();
    assert!(!again);
    // The same request with its keys in another order is the same request.
    let (second, again) = create(json!({"a": "Nguyễn Văn An", "b": 1})).await.unwrap();
    assert!(again);
    assert_eq!(second.id, first.id);
    let reused = create(json!({"a": "Trần Văn Bình"})).await;
    assert!(
        matches!(reused, Err(AppError::IdempotencyKeyReused)),
        "{:?}",
        reused.err()
    );
    assert_eq!(
        f.db.store.open_drafts(&f.citizen.account_id).await.unwrap(),
        1
    );
}

#[tokio::test]
async fn a_key_retried_by_someone_else_does_not_hand_them_the_applicants_draft() {
    let f = fixture().await;
    // A digital helper of another commune, who may not file at the applicant's commune.
    let helper = account(
        &f.db,
        "tocongnghe",
        Role::DigitalHelper,
        "000.02.99.H57",
        false,
    )
    .await;
    let (p, u) = (procedure(BIRTH), unit(COMMUNE));
    let data = json!({});
    let new = |key| NewDraft {
        applicant: &f.citizen.account_id,
        procedure: &p,
        unit: &u,
        applicant_kind: ApplicantKind::Citizen,
        form_data: &data,
        idempotency_key: key,
    };
    let (mine, _) = dossiers::create(&f.app, &f.citizen, new(Some("k-1")))
        .await
        .unwrap();
    // Without the key the helper is refused ...
    let refused = dossiers::create(&f.app, &helper, new(None)).await;
    assert!(
        matches!(refused, Err(AppError::Forbidden)),
        "{:?}",
        refused.err()
    );
    // ... and with the applicant's key it must not be handed the applicant's draft.
    let retried = dossiers::create(&f.app, &helper, new(Some("k-1"))).await;
    match retried {
        Err(AppError::IdempotencyKeyReused) => {}
        Ok((d, _)) => panic!("the helper got the applicant's draft {}", d.id),
        Err(e) => panic!("{e:?}"),
    }
    // The applicant's own retry still finds it.
    let (again, existed) = dossiers::create(&f.app, &f.citizen, new(Some("k-1")))
        .await
        .unwrap();
    assert!(existed);
    assert_eq!(again.id, mine.id);
    // A helper of the applicant's commune who started a draft for them gets it back on a
    // retry.
    let local = account(
        &f.db,
        "tocongnghe.phuong",
        Role::DigitalHelper,
        COMMUNE,
        false,
    )
    .await;
    let (theirs, existed) = dossiers::create(&f.app, &local, new(Some("k-2")))
        .await
        .unwrap();
    assert!(!existed);
    assert_eq!(theirs.helper.as_deref(), Some(local.account_id.as_str()));
    let (again, existed) = dossiers::create(&f.app, &local, new(Some("k-2")))
        .await
        .unwrap();
    assert!(existed);
    assert_eq!(again.id, theirs.id);
}

#[tokio::test]
async fn who_may_not_read_a_dossier_is_told_it_does_not_exist() {
    let f = fixture().await;
    let d = f.submitted(BIRTH).await;
    let elsewhere = account(
        &f.db,
        "chuyenvien.khac",
        Role::Specialist,
        "000.02.99.H57",
        false,
    )
    .await;
    let neighbour = account(&f.db, "congdan2", Role::Applicant, COMMUNE, false).await;
    for who in [&elsewhere, &neighbour] {
        let read = dossiers::readable(&f.app, who, &d.id).await;
        assert!(matches!(read, Err(AppError::NotFound(Missing::Dossier))));
        // What one may not read, one may not change: the same answer, nothing written.
        let withdraw = other(Command::Withdraw { reason: None });
        let r = dossiers::execute(&f.app, who, &d.id, Some(d.version), withdraw).await;
        assert!(
            matches!(r, Err(AppError::NotFound(Missing::Dossier))),
            "{:?}",
            r.err()
        );
    }
    let missing = dossiers::readable(&f.app, &f.citizen, "no-such-dossier").await;
    assert!(matches!(missing, Err(AppError::NotFound(Missing::Dossier))));
    assert_eq!(
        f.db.store.dossier(&d.id).await.unwrap().state.version,
        d.version
    );
    // Their own applicant and the desk do read it.
    assert!(dossiers::readable(&f.app, &f.citizen, &d.id).await.is_ok());
    assert!(dossiers::readable(&f.app, &f.desk, &d.id).await.is_ok());
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_and_writes_nothing() {
    let f = fixture().await;
    let d = f.submitted(BIRTH).await;
    let receive = || Request::Receive {
        desk: unit(COMMUNE),
        due_at: None,
    };
    let r = dossiers::execute(&f.app, &f.desk, &d.id, Some(d.version - 1), receive()).await;
    assert!(matches!(r, Err(AppError::DossierConflict)), "{:?}", r.err());
    let stored = f.db.store.dossier(&d.id).await.unwrap().state;
    assert_eq!(
        (stored.status, stored.version),
        (Status::Submitted, d.version)
    );
    assert!(f.db.store.documents(&d.id).await.unwrap().is_empty());
    // The refused reception took no number: the next one is the day's first.
    let d = dossiers::execute(&f.app, &f.desk, &d.id, Some(d.version), receive())
        .await
        .unwrap()
        .dossier;
    assert!(d.code.unwrap().to_string().ends_with("-0001"));
}

#[tokio::test]
async fn a_refused_command_takes_no_reception_number() {
    let f = fixture().await;
    let d = f.submitted(BIRTH).await;
    // The specialist may not receive: the domain refuses before a number is taken.
    let receive = || Request::Receive {
        desk: unit(COMMUNE),
        due_at: None,
    };
    let r = dossiers::execute(&f.app, &f.specialist, &d.id, None, receive()).await;
    assert!(
        matches!(r, Err(AppError::Dossier(DossierError::Forbidden))),
        "{:?}",
        r.err()
    );
    let d = dossiers::execute(&f.app, &f.desk, &d.id, None, receive())
        .await
        .unwrap()
        .dossier;
    assert!(d.code.unwrap().to_string().ends_with("-0001"));
}

#[tokio::test]
async fn limits_are_applied_before_anything_is_written() {
    let mut settings = Settings::default();
    settings.limits.open_drafts = 2;
    settings.limits.text_chars = 20;
    settings.limits.form_data_depth = 3;
    let f = fixture_with(settings).await;
    // An officer's text past the limit, on a dossier the officer may act on.
    let d = f.received(MARRIAGE).await;
    let supplement = other(Command::RequestSupplement {
        items: vec!["Bản sao giấy chứng nhận kết hôn".into()],
        reason: "Thiếu bản sao giấy chứng nhận kết hôn đã cấp trước đây".into(),
    });
    let r = dossiers::execute(&f.app, &f.specialist, &d.id, None, supplement).await;
    let Err(AppError::Limit(LimitError::TextTooLong { max_chars, .. })) = r else {
        panic!("{:?}", r.err());
    };
    assert_eq!(max_chars, 20);
    assert_eq!(
        f.db.store.dossier(&d.id).await.unwrap().state.version,
        d.version
    );
    f.draft(MARRIAGE).await;
    let d = f.draft(BIRTH).await;
    let p = procedure(BIRTH);
    let u = unit(COMMUNE);
    let data = json!({});
    let third = dossiers::create(
        &f.app,
        &f.citizen,
        NewDraft {
            applicant: &f.citizen.account_id,
            procedure: &p,
            unit: &u,
            applicant_kind: ApplicantKind::Citizen,
            form_data: &data,
            idempotency_key: None,
        },
    )
    .await;
    assert!(
        matches!(
            third,
            Err(AppError::Limit(LimitError::TooManyDrafts { max: 2 }))
        ),
        "{:?}",
        third.err()
    );

    let deep = Request::SaveForm {
        form_data: json!({"a": {"b": {"c": {"d": 1}}}}),
    };
    let r = dossiers::execute(&f.app, &f.citizen, &d.id, None, deep).await;
    assert!(
        matches!(
            r,
            Err(AppError::Limit(LimitError::FormDataTooDeep {
                max_depth: 3
            }))
        ),
        "{:?}",
        r.err()
    );
    assert_eq!(f.db.store.dossier(&d.id).await.unwrap().state.version, 1);
}

#[tokio::test]
async fn a_supplement_moves_the_appointment_by_the_time_the_clock_stood_still() {
    let f = fixture().await;
    let d = f.received(MARRIAGE).await;
    let due = d.current_due_at.unwrap();
    let d = dossiers::execute(
        &f.app,
        &f.specialist,
        &d.id,
        None,
        other(Command::RequestSupplement {
            items: vec!["Bản sao giấy chứng nhận kết hôn".into()],
            reason: "Thiếu giấy tờ".into(),
        }),
    )
    .await
    .unwrap()
    .dossier;
    assert_eq!(d.status, Status::SupplementRequested);
    let stopped = d.clock_stopped_at.unwrap();
    let form02 = f.db.store.documents(&d.id).await.unwrap();
    assert_eq!(form02.last().unwrap().form, "02");
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let d = dossiers::execute(
        &f.app,
        &f.citizen,
        &d.id,
        None,
        Request::CompleteSupplement { form_data: None },
    )
    .await
    .unwrap()
    .dossier;
    // Stored times are kept to the microsecond: compare within a millisecond.
    let events = f.db.store.dossier_events(&d.id).await.unwrap();
    let resumed_at = events.last().unwrap().at;
    let stored = f.db.store.dossier(&d.id).await.unwrap().state;
    let moved = stored.current_due_at.unwrap() - (due + (resumed_at - stopped));
    assert!(moved.num_milliseconds().abs() < 1, "{moved}");
    assert!(d.current_due_at.unwrap() > due);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receptions_at_the_same_moment_take_distinct_numbers() {
    let f = fixture().await;
    let mut submitted = Vec::new();
    for code in [BIRTH, MARRIAGE, BIRTH, MARRIAGE] {
        submitted.push(f.submitted(code).await);
    }
    let receive = |id: String| {
        let (app, desk) = (f.app.clone(), f.desk.clone());
        tokio::spawn(async move {
            let req = Request::Receive {
                desk: unit(COMMUNE),
                due_at: None,
            };
            dossiers::execute(&app, &desk, &id, None, req).await
        })
    };
    let tasks: Vec<_> = submitted.iter().map(|d| receive(d.id.clone())).collect();
    let mut codes = Vec::new();
    for t in tasks {
        let d = t.await.unwrap().unwrap().dossier;
        codes.push(d.code.unwrap().to_string());
    }
    let mut seqs: Vec<String> = codes.iter().map(|c| c[c.len() - 4..].to_owned()).collect();
    seqs.sort();
    assert_eq!(seqs, ["0001", "0002", "0003", "0004"], "{codes:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_two_officers_acting_on_one_version_one_wins_and_the_other_is_told() {
    let f = fixture().await;
    let d = f.received(MARRIAGE).await;
    let act = |cmd: Command| {
        let (app, who, id, v) = (f.app.clone(), f.specialist.clone(), d.id.clone(), d.version);
        tokio::spawn(async move { dossiers::execute(&app, &who, &id, Some(v), other(cmd)).await })
    };
    let a = act(Command::Forward { note: None });
    let b = act(Command::RequestSupplement {
        items: vec!["Bản sao giấy chứng nhận kết hôn".into()],
        reason: "Thiếu giấy tờ".into(),
    });
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    let won = [&a, &b].iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "{:?} {:?}", a.as_ref().err(), b.as_ref().err());
    let lost = if a.is_err() { a } else { b };
    assert!(
        matches!(lost, Err(AppError::DossierConflict)),
        "{:?}",
        lost.err()
    );
    let events = f.db.store.dossier_events(&d.id).await.unwrap();
    assert_eq!(events.len() as i64, d.version + 1);
}
