//! Warnings as people and integrations see them: joined with their dossiers, shown only to
//! who may see them, and sent to the outbox once.

use crate::support::*;
use chrono::{Duration, Utc};
use motcua_app::dossiers::{self, Request};
use motcua_app::warnings::{Filter, TOPIC, filter_for, for_actor, sweep};
use motcua_app::{AppError, Missing};
use motcua_domain::access::Role;
use motcua_domain::dossier::Dossier;
use std::collections::HashSet;

/// A birth registration received with an appointment two hours from now: due soon.
async fn due_in_two_hours(f: &Fixture) -> Dossier {
    let d = f.submitted(BIRTH).await;
    let receive = Request::Receive {
        desk: unit(COMMUNE),
        due_at: Some(Utc::now() + Duration::hours(2)),
    };
    dossiers::execute(&f.app, &f.desk, &d.id, None, receive)
        .await
        .unwrap()
        .dossier
}

#[tokio::test]
async fn a_dossier_due_soon_is_shown_with_its_step_to_who_may_see_it() {
    let f = fixture().await;
    let soon = due_in_two_hours(&f).await;
    // Five working days away: no warning.
    f.received(MARRIAGE).await;
    let code = soon.code.clone().unwrap().to_string();
    let now = Utc::now();

    let items = for_actor(&f.app, &f.leader, &Filter::default(), now)
        .await
        .unwrap();
    let keys: Vec<&str> = items.iter().map(|i| i.out.key.as_str()).collect();
    assert_eq!(items.len(), 1, "{keys:?}");
    let w = &items[0].out;
    assert_eq!(w.kind, "due_soon");
    assert_eq!(w.unit.code, COMMUNE);
    let d = w.dossier.as_ref().unwrap();
    assert_eq!(
        (d.id.as_str(), d.code.as_str()),
        (soon.id.as_str(), code.as_str())
    );
    assert_eq!(d.status, "received");
    let step = d.step.as_ref().unwrap();
    assert_eq!(
        (step.index, step.role.as_str(), step.unit.as_str()),
        (0, "specialist", COMMUNE)
    );
    assert_eq!(
        w.link.as_deref(),
        Some(format!("/can-bo/ho-so/{}", soon.id).as_str())
    );

    // An officer of another commune sees nothing of it; an applicant may not ask at all.
    let elsewhere = account(
        &f.db,
        "chuyenvien.khac",
        Role::Specialist,
        "000.02.99.H57",
        false,
    )
    .await;
    assert!(
        for_actor(&f.app, &elsewhere, &Filter::default(), now)
            .await
            .unwrap()
            .is_empty()
    );
    let r = filter_for(&f.app, &f.citizen, None, None, None).await;
    assert!(matches!(r, Err(AppError::Forbidden)), "{:?}", r.err());
}

#[tokio::test]
async fn filters_are_checked_against_what_the_caller_may_see() {
    let f = fixture().await;
    let soon = due_in_two_hours(&f).await;
    let now = Utc::now();
    // The unit asked for must exist and be the caller's to read.
    let r = filter_for(&f.app, &f.leader, Some("000.02.99.H57"), None, None).await;
    assert!(matches!(r, Err(AppError::Forbidden)), "{:?}", r.err());
    let r = filter_for(&f.app, &f.leader, Some("999.99.99.H57"), None, None).await;
    assert!(
        matches!(r, Err(AppError::NotFound(Missing::Unit))),
        "{:?}",
        r.err()
    );
    let r = filter_for(&f.app, &f.leader, None, Some("khong-ai-ca"), None).await;
    assert!(
        matches!(r, Err(AppError::NotFound(Missing::Account))),
        "{:?}",
        r.err()
    );
    let r = filter_for(&f.app, &f.leader, None, None, Some("late")).await;
    assert!(matches!(r, Err(AppError::Invalid(_))), "{:?}", r.err());

    // The dossier is at the specialist's step: "mine" keeps it for the specialist, and a
    // filter on the leader (who holds the next step) drops it.
    let mine = filter_for(&f.app, &f.specialist, None, Some("me"), Some("due_soon"))
        .await
        .unwrap();
    let items = for_actor(&f.app, &f.specialist, &mine, now).await.unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].out.dossier.as_ref().unwrap().id, soon.id);
    let leaders = filter_for(&f.app, &f.leader, None, Some("lanhdao"), None)
        .await
        .unwrap();
    assert!(
        for_actor(&f.app, &f.leader, &leaders, now)
            .await
            .unwrap()
            .is_empty()
    );
    let overdue = filter_for(&f.app, &f.leader, Some(COMMUNE), None, Some("overdue"))
        .await
        .unwrap();
    assert!(
        for_actor(&f.app, &f.leader, &overdue, now)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn each_warning_is_sent_to_the_outbox_once() {
    let f = fixture().await;
    let soon = due_in_two_hours(&f).await;
    let now = Utc::now();
    let mut sent = HashSet::new();
    assert_eq!(sweep(&f.app, now, &mut sent).await.unwrap(), 1);
    let rows = f.db.store.outbox_topic(TOPIC).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1["dossier"]["id"], soon.id.as_str());
    assert_eq!(rows[0].1["kind"], "due_soon");
    // Again in this process: nothing to write. In another process (nothing remembered):
    // the outbox refuses the same key.
    assert_eq!(sweep(&f.app, now, &mut sent).await.unwrap(), 0);
    assert_eq!(sweep(&f.app, now, &mut HashSet::new()).await.unwrap(), 0);
    assert_eq!(f.db.store.outbox_topic(TOPIC).await.unwrap().len(), 1);
}
