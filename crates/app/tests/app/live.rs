//! The live index is the offline computation on an export, at every moment: after dossiers
//! in every state, and after a restart that starts from the saved image.

use crate::support::*;
use motcua_app::App;
use motcua_app::dossiers::{self, Request};
use motcua_domain::dossier::{Command, Rating};
use motcua_store::files::FileStore;

fn other(cmd: Command) -> Request {
    Request::Other(cmd)
}

#[tokio::test]
async fn the_live_index_equals_the_index_of_an_export() {
    let f = fixture().await;
    let app = &f.app;
    let period = last_30_days();
    assert_eq!(f.live(period), f.offline(period).await);

    // One returned and rated, one refused at the desk, one waiting for papers, one
    // withdrawn before reception, one still being examined.
    let d = f.received(BIRTH).await;
    let forward = other(Command::Forward { note: None });
    dossiers::execute(app, &f.specialist, &d.id, None, forward)
        .await
        .unwrap();
    let complete = other(Command::Complete {
        results: vec!["Giấy khai sinh".into()],
    });
    dossiers::execute(app, &f.leader, &d.id, None, complete)
        .await
        .unwrap();
    let give = other(Command::Return {
        how: "Trả trực tiếp".into(),
    });
    dossiers::execute(app, &f.desk, &d.id, None, give)
        .await
        .unwrap();
    let rate = other(Command::Rate {
        rating: Rating::Satisfied,
        comment: None,
    });
    dossiers::execute(app, &f.citizen, &d.id, None, rate)
        .await
        .unwrap();

    let d = f.submitted(MARRIAGE).await;
    let refuse = other(Command::Refuse {
        desk: unit(COMMUNE),
        reason: "Không thuộc thẩm quyền".into(),
    });
    dossiers::execute(app, &f.desk, &d.id, None, refuse)
        .await
        .unwrap();

    let d = f.received(MARRIAGE).await;
    let supplement = other(Command::RequestSupplement {
        items: vec!["Bản sao giấy chứng nhận kết hôn".into()],
        reason: "Thiếu giấy tờ".into(),
    });
    dossiers::execute(app, &f.specialist, &d.id, None, supplement)
        .await
        .unwrap();

    let d = f.submitted(BIRTH).await;
    let withdraw = other(Command::Withdraw { reason: None });
    dossiers::execute(app, &f.citizen, &d.id, None, withdraw)
        .await
        .unwrap();

    f.received(MARRIAGE).await;

    let live = f.live(period);
    assert_eq!(live, f.offline(period).await);

    // A restart reads the saved image and the dossiers changed since, and answers the same.
    let again = App::load(
        f.db.store.clone(),
        FileStore::in_memory(1024),
        Default::default(),
    )
    .await
    .unwrap();
    let built = again.live.built().unwrap();
    assert!(built.from_image && built.replayed > 0, "{built:?}");
    let restarted =
        serde_json::to_value(again.live.output(period, None).unwrap().unwrap()).unwrap();
    assert_eq!(restarted, live);
    // One unit's scope, and an unknown unit.
    assert!(matches!(
        app.live.output(period, Some(COMMUNE)),
        Some(Ok(_))
    ));
    assert!(matches!(
        app.live.output(period, Some("999.99.99.H57")),
        Some(Err(()))
    ));
}
