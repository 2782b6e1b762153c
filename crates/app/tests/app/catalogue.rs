//! Publications, renames and merges through the app: who may, and the live index carrying
//! the change before the call returns.

use crate::support::*;
use motcua_app::catalogue::{merge_unit, publish, rename_unit};
use motcua_app::{AppError, Missing};
use motcua_domain::access::Role;

/// A new draft version of the marriage re-registration, handled by one more unit.
async fn draft_with_one_more_unit(f: &Fixture) -> i64 {
    let code = procedure(MARRIAGE);
    let mut p = f.db.store.procedure(&code).await.unwrap().procedure;
    let other =
        f.db.store
            .units()
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.code)
            .find(|c| c.as_str() != PROVINCE && !p.units.contains(c))
            .expect("a unit that does not handle the procedure yet");
    p.units.push(other);
    f.db.store.save_draft(&p, None).await.unwrap()
}

#[tokio::test]
async fn a_publication_reaches_the_live_index_and_cannot_happen_twice() {
    let f = fixture().await;
    let period = last_30_days();
    f.received(MARRIAGE).await;
    let version = draft_with_one_more_unit(&f).await;
    let before = f.offline(period).await;
    assert_eq!(f.live(period), before);

    publish(&f.app, &f.operator, &procedure(MARRIAGE), version)
        .await
        .unwrap();
    let after = f.offline(period).await;
    assert_ne!(after, before, "the publication changes the figures");
    assert_eq!(f.live(period), after, "the live index has it on return");
    assert_eq!(
        f.db.store
            .procedure(&procedure(MARRIAGE))
            .await
            .unwrap()
            .version,
        version
    );

    let again = publish(&f.app, &f.operator, &procedure(MARRIAGE), version).await;
    assert!(
        matches!(again, Err(AppError::VersionAlreadyPublished)),
        "{:?}",
        again.err()
    );
    let missing = publish(&f.app, &f.operator, &procedure(MARRIAGE), version + 5).await;
    assert!(
        matches!(missing, Err(AppError::NotFound(Missing::Version))),
        "{:?}",
        missing.err()
    );
}

#[tokio::test]
async fn only_who_may_publish_for_every_unit_of_the_draft_publishes() {
    let f = fixture().await;
    let version = draft_with_one_more_unit(&f).await;
    let local_operator = account(&f.db, "vanhanh.phuong", Role::Operator, COMMUNE, false).await;
    for who in [&f.admin, &f.commune_admin, &local_operator, &f.leader] {
        let r = publish(&f.app, who, &procedure(MARRIAGE), version).await;
        assert!(matches!(r, Err(AppError::Forbidden)), "{:?}", r.err());
    }
    // Nothing was published: the operator of every unit still can.
    assert_ne!(
        f.db.store
            .procedure(&procedure(MARRIAGE))
            .await
            .unwrap()
            .version,
        version
    );
    publish(&f.app, &f.operator, &procedure(MARRIAGE), version)
        .await
        .unwrap();
}

#[tokio::test]
async fn renames_and_merges_need_the_right_to_operate_every_unit_involved() {
    let f = fixture().await;
    let period = last_30_days();
    f.received(MARRIAGE).await;
    let commune = unit(COMMUNE);
    let neighbour = unit("000.02.99.H57");
    let local_operator = account(&f.db, "vanhanh.phuong", Role::Operator, COMMUNE, false).await;

    for who in [&f.admin, &f.commune_admin, &f.leader] {
        let r = rename_unit(&f.app, who, &commune, "Phường mới").await;
        assert!(matches!(r, Err(AppError::Forbidden)), "{:?}", r.err());
    }
    let r = rename_unit(&f.app, &local_operator, &neighbour, "Phường bên cạnh").await;
    assert!(matches!(r, Err(AppError::Forbidden)), "{:?}", r.err());
    // Merging needs both: the local operator operates the successor, not the neighbour.
    let r = merge_unit(&f.app, &local_operator, &neighbour, &commune).await;
    assert!(matches!(r, Err(AppError::Forbidden)), "{:?}", r.err());
    assert!(
        f.db.store
            .unit(&neighbour)
            .await
            .unwrap()
            .successor
            .is_none()
    );

    // Their own unit they may rename, and the figures carry the new name at once.
    let before = f.live(period);
    let renamed = rename_unit(&f.app, &local_operator, &commune, "Phường Thuận Hóa mới")
        .await
        .unwrap();
    assert_eq!(renamed.name, "Phường Thuận Hóa mới");
    let after = f.live(period);
    assert_ne!(after, before);
    assert_eq!(after, f.offline(period).await);
    // A rename to the same name is the tree's refusal, not a silent success.
    let same = rename_unit(&f.app, &local_operator, &commune, "Phường Thuận Hóa mới").await;
    assert!(matches!(same, Err(AppError::Unit(_))), "{:?}", same.err());

    let merged = merge_unit(&f.app, &f.operator, &neighbour, &commune)
        .await
        .unwrap();
    assert_eq!(merged.successor, Some(commune.clone()));
    assert_eq!(f.live(period), f.offline(period).await);
    // Into itself: refused by the tree.
    let r = merge_unit(&f.app, &f.operator, &commune, &commune).await;
    assert!(matches!(r, Err(AppError::Unit(_))), "{:?}", r.err());
}
