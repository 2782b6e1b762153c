//! The dead letters of the outbox on the administration pages: the operator sees a message
//! that could not be delivered, why in plain words, and sends it again with a form (no
//! JavaScript); anyone else gets 403.

use crate::common::pages::{get, hidden, login, post};
use chrono::Utc;
use motcua_app::outbox::{Message, PortalSync};

/// A national-portal message that failed its last attempt with a 503.
async fn dead_letter(app: &crate::common::App) -> String {
    let s = &app.db.store;
    let m = Message::NationalPortalSync(PortalSync {
        dossier: "d-0193".into(),
        code: None,
        status: 2,
        at: Utc::now(),
    });
    s.enqueue(&[m.row("d-0193:2:sync".into())], Utc::now())
        .await
        .unwrap();
    let c = s
        .claim_outbox(
            &["national_portal.sync".to_owned()],
            1,
            chrono::Duration::seconds(30),
            Utc::now(),
        )
        .await
        .unwrap();
    s.outbox_retry(
        &c[0],
        "HTTP 503: down for maintenance",
        Utc::now(),
        1,
        Utc::now(),
    )
    .await
    .unwrap();
    c[0].id.clone()
}

#[tokio::test]
async fn the_operator_sees_a_dead_letter_and_replays_it_others_get_403() {
    let app = crate::common::spawn().await;
    let id = dead_letter(&app).await;
    let metrics = app.ops("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("motcua_outbox_dead{topic=\"national_portal.sync\"} 1\n"),
        "{metrics}"
    );
    assert!(!metrics.contains("motcua_outbox_pending{topic=\"national_portal.sync\"}"));

    for user in ["quantri.phuong", "chuyenvien"] {
        let (c, csrf) = login(&app, user).await;
        let r = c.get(app.url("/quan-tri/hang-doi")).send().await.unwrap();
        assert_eq!(r.status(), 403, "{user}");
        let r = post(
            &c,
            &app,
            "/quan-tri/hang-doi/gui-lai",
            &[("csrf_token", &csrf), ("id", &id)],
        )
        .await;
        assert_eq!(r.status(), 403, "{user} posting");
    }
    let (c, _) = login(&app, "quantri.phuong").await;
    assert!(
        !get(&c, &app, "/quan-tri")
            .await
            .contains("/quan-tri/hang-doi")
    );
    assert_eq!(app.db.store.dead_letters(10).await.unwrap().len(), 1);

    let (op, _) = login(&app, "vanhanh").await;
    assert!(
        get(&op, &app, "/quan-tri")
            .await
            .contains("href=\"/quan-tri/hang-doi\"")
    );
    let page = get(&op, &app, "/quan-tri/hang-doi").await;
    assert!(
        page.contains("Đồng bộ Cổng dịch vụ công quốc gia"),
        "{page}"
    );
    assert!(page.contains("<code>d-0193</code>"));
    assert!(page.contains("Hệ thống nhận gặp lỗi (mã 503)."));
    assert!(
        !page.contains("down for maintenance"),
        "the peer's own text stays in the log"
    );
    assert!(page.contains("<td>1</td>"), "attempts");
    let csrf = hidden(&page, "csrf_token");
    assert_eq!(hidden(&page, "id"), id);
    // A post without the session's form token changes nothing.
    let r = post(&op, &app, "/quan-tri/hang-doi/gui-lai", &[("id", &id)]).await;
    assert_eq!(r.status(), 403);
    assert_eq!(app.db.store.dead_letters(10).await.unwrap().len(), 1);

    let form = [("csrf_token", csrf.as_str()), ("id", id.as_str())];
    let r = post(&op, &app, "/quan-tri/hang-doi/gui-lai", &form).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/quan-tri/hang-doi?ok=replayed");
    let page = get(&op, &app, "/quan-tri/hang-doi?ok=replayed").await;
    assert!(page.contains("Đã đưa thư trở lại hàng đợi"));
    assert!(page.contains("Không có thư nào bị lỗi"));
    let rows = app.db.store.outbox_rows(Utc::now()).await.unwrap();
    assert!(rows[0].dead_at.is_none() && rows[0].attempts == 0 && rows[0].delivered_at.is_none());
    let audit = app
        .db
        .store
        .audit_for(&format!("outbox:{id}"))
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert!(audit[0].actor.is_some());

    // Posting again (a double click, a reload) replays nothing more.
    let r = post(&op, &app, "/quan-tri/hang-doi/gui-lai", &form).await;
    assert_eq!(r.headers()["location"], "/quan-tri/hang-doi?ok=nothing");
    assert_eq!(
        app.db
            .store
            .audit_for(&format!("outbox:{id}"))
            .await
            .unwrap()
            .len(),
        1
    );
}
