//! The store against a real database: SQLite by default, PostgreSQL when
//! `MOTCUA_TEST_DATABASE_URL` says so (CI runs both).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use motcua_domain::access::{Grant, Role};
use motcua_domain::bundle::{parse_procedures, parse_units};
use motcua_domain::procedure::VersionStatus;
use motcua_domain::{ProcedureCode, UnitCode};
use motcua_store::StoreError;
use motcua_store::procedures::SearchQuery;
use motcua_store::testing::TestDb;

const UNITS: &str = r#"{"code":"000.00.00.H57","name":"Ủy ban nhân dân thành phố Huế","kind":"province","parent":null,"e_certified_copy":false}
{"code":"000.00.83.H57","name":"Sở Tư pháp","kind":"department","parent":"000.00.00.H57","e_certified_copy":false,"code_verified":false}
{"code":"000.01.99.H57","name":"Phường An Cựu","kind":"commune","parent":"000.00.00.H57","e_certified_copy":true}
"#;

const PROCEDURES: &str = r#"{"code":"1.001193","name":"Đăng ký khai sinh","units":["000.01.99.H57"],"online_level":"full","full_online_eligible":true,"time_limit":{"value":1,"unit":"working_days"},"field":"Hộ tịch"}
{"code":"1.004884","name":"Đăng ký lại khai sinh","units":["000.01.99.H57"],"online_level":"partial","field":"Hộ tịch"}
{"code":"2.000806","name":"Đăng ký kết hôn có yếu tố nước ngoài","units":["000.00.83.H57"],"field":"Hộ tịch"}
{"code":"1.013225","name":"Cấp giấy phép xây dựng","units":["000.00.83.H57","000.01.99.H57"],"field":"Xây dựng"}
"#;

fn c(s: &str) -> UnitCode {
    UnitCode::parse(s).unwrap()
}
fn p(s: &str) -> ProcedureCode {
    ProcedureCode::parse(s).unwrap()
}

async fn loaded() -> TestDb {
    let db = TestDb::new().await.expect("test database");
    let units: Vec<_> = parse_units("units.jsonl", UNITS)
        .records
        .into_iter()
        .map(|r| r.1)
        .collect();
    let procs: Vec<_> = parse_procedures("procedures.jsonl", PROCEDURES)
        .records
        .into_iter()
        .map(|r| r.1)
        .collect();
    let r = db
        .store
        .import_catalogue(&units, &procs, Some("test"))
        .await
        .unwrap();
    assert_eq!((r.units, r.procedures_published), (3, 4));
    db
}

#[tokio::test]
async fn migrations_are_current_and_idempotent() {
    let db = TestDb::new().await.unwrap();
    assert_eq!(db.store.pending_migrations().await.unwrap(), 0);
    assert_eq!(db.store.migrate().await.unwrap(), 0);
}

#[tokio::test]
async fn import_export_round_trip_is_byte_identical() {
    let db = loaded().await;
    let (u1, p1) = db.store.export_catalogue().await.unwrap();
    assert!(
        u1.contains("\"code_verified\":false"),
        "extra fields survive: {u1}"
    );
    // Importing the export changes nothing and exports the same bytes.
    let units: Vec<_> = parse_units("u", &u1)
        .records
        .into_iter()
        .map(|r| r.1)
        .collect();
    let procs: Vec<_> = parse_procedures("p", &p1)
        .records
        .into_iter()
        .map(|r| r.1)
        .collect();
    let r = db
        .store
        .import_catalogue(&units, &procs, None)
        .await
        .unwrap();
    assert_eq!(r.procedures_unchanged, 4);
    assert_eq!(r.procedures_published, 0);
    let (u2, p2) = db.store.export_catalogue().await.unwrap();
    assert_eq!(u1, u2);
    assert_eq!(p1, p2);
}

#[tokio::test]
async fn import_with_broken_tree_writes_nothing() {
    let db = TestDb::new().await.unwrap();
    let units: Vec<_> = parse_units(
        "u",
        r#"{"code":"000.00.83.H57","name":"Sở","kind":"department","parent":"000.00.00.H57","e_certified_copy":false}"#,
    )
    .records
    .into_iter()
    .map(|r| r.1)
    .collect();
    assert!(matches!(
        db.store.import_catalogue(&units, &[], None).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(db.store.units().await.unwrap().is_empty());
}

#[tokio::test]
async fn search_ignores_diacritics_and_ranks_exact_first() {
    let db = loaded().await;
    let page = db
        .store
        .search_procedures(&SearchQuery {
            q: Some("dang ky khai sinh".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let codes: Vec<&str> = page
        .items
        .iter()
        .map(|p| p.procedure.code.as_str())
        .collect();
    assert_eq!(codes, vec!["1.001193", "1.004884"]);

    let by_unit = db
        .store
        .search_procedures(&SearchQuery {
            unit: Some(c("000.00.83.H57")),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(by_unit.total, 2);

    let full = db
        .store
        .search_procedures(&SearchQuery {
            q: Some("ĐĂNG KÝ".into()),
            online_level: Some(motcua_domain::procedure::OnlineLevel::Full),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(full.total, 1);
}

#[tokio::test]
async fn search_pages_with_a_cursor() {
    let db = loaded().await;
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = db
            .store
            .search_procedures(&SearchQuery {
                q: Some("dang ky".into()),
                limit: 1,
                cursor: cursor.clone(),
                ..Default::default()
            })
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|p| p.procedure.code.to_string()));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0], "1.001193");
    let mut dedup = seen.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), 3);
}

#[tokio::test]
async fn published_versions_are_never_edited() {
    let db = loaded().await;
    let mut proc = db.store.procedure(&p("1.001193")).await.unwrap().procedure;
    proc.name = "Đăng ký khai sinh (bản sửa)".into();
    let v = db.store.save_draft(&proc, Some("admin")).await.unwrap();
    assert_eq!(v, 2);
    // The public still sees version 1 until the draft is published.
    assert_eq!(
        db.store
            .procedure(&p("1.001193"))
            .await
            .unwrap()
            .procedure
            .name,
        "Đăng ký khai sinh"
    );
    // Saving again edits the same draft.
    assert_eq!(db.store.save_draft(&proc, Some("admin")).await.unwrap(), 2);
    db.store
        .publish(&p("1.001193"), 2, Some("admin"))
        .await
        .unwrap();
    assert!(matches!(
        db.store.publish(&p("1.001193"), 2, Some("admin")).await,
        Err(StoreError::Conflict(_))
    ));
    let versions = db.store.procedure_versions(&p("1.001193")).await.unwrap();
    assert_eq!(versions.len(), 2);
    assert!(
        versions
            .iter()
            .all(|v| v.status == VersionStatus::Published)
    );
    assert_eq!(
        db.store
            .procedure_version(&p("1.001193"), 1)
            .await
            .unwrap()
            .name,
        "Đăng ký khai sinh"
    );
    // The next save opens version 3 rather than touching 2.
    assert_eq!(db.store.save_draft(&proc, None).await.unwrap(), 3);
    assert_eq!(db.store.audit_for("1.001193").await.unwrap().len(), 5);
}

#[tokio::test]
async fn unit_rename_and_merge_keep_history() {
    let db = loaded().await;
    let tree = db.store.unit_tree().await.unwrap();
    let change = tree
        .rename(&c("000.00.83.H57"), "Sở Tư pháp thành phố Huế")
        .unwrap();
    db.store
        .apply_unit_change(&change, Some("op"))
        .await
        .unwrap();
    // The old name still finds the unit.
    let found = db.store.find_units("so tu phap").await.unwrap();
    assert_eq!(found.len(), 1);
    let found_old = db.store.find_units("Sở Tư pháp").await.unwrap();
    assert_eq!(found_old[0].name, "Sở Tư pháp thành phố Huế");

    let tree = db.store.unit_tree().await.unwrap();
    let change = tree
        .merge(&c("000.01.99.H57"), &c("000.00.83.H57"))
        .unwrap();
    db.store
        .apply_unit_change(&change, Some("op"))
        .await
        .unwrap();
    let tree = db.store.unit_tree().await.unwrap();
    assert_eq!(
        tree.current(&c("000.01.99.H57")).unwrap().code,
        c("000.00.83.H57")
    );
    assert_eq!(
        db.store
            .unit_history(&c("000.01.99.H57"))
            .await
            .unwrap()
            .len(),
        1
    );
    // Applying the same merge again is a conflict, not a second history row.
    assert!(matches!(
        db.store.apply_unit_change(&change, Some("op")).await,
        Err(StoreError::Conflict(_))
    ));
}

#[tokio::test]
async fn accounts_sessions_and_tokens() {
    let db = loaded().await;
    let grants = vec![Grant {
        role: Role::ReceptionOfficer,
        unit: c("000.01.99.H57"),
        with_sub_units: false,
    }];
    let a = db
        .store
        .create_account(
            "tiepnhan.ancuu",
            "Nguyễn Văn A",
            "mat-khau-rat-dai",
            &grants,
            None,
        )
        .await
        .unwrap();
    assert!(matches!(
        db.store
            .create_account("tiepnhan.ancuu", "B", "mat-khau-rat-dai", &[], None)
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        db.store
            .create_account("short", "B", "ngan", &[], None)
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(
        db.store
            .check_login("tiepnhan.ancuu", "sai-mat-khau!")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        db.store
            .check_login("khong.co", "mat-khau-rat-dai")
            .await
            .unwrap()
            .is_none()
    );
    let ok = db
        .store
        .check_login("TiepNhan.AnCuu", "mat-khau-rat-dai")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ok.grants, grants);

    let secret = db
        .store
        .create_session(&a.id, chrono::Duration::hours(8))
        .await
        .unwrap();
    let s = db.store.session(&secret).await.unwrap().unwrap();
    assert_eq!(s.account.username, "tiepnhan.ancuu");
    assert_eq!(
        s.account.grants, grants,
        "grants come back with the session"
    );
    assert_eq!(s.csrf_token.len(), 64);
    // Two grants: still one account, both grants.
    let second = Grant {
        role: Role::Specialist,
        unit: c("000.01.99.H57"),
        with_sub_units: false,
    };
    db.store.add_grant(&a.id, &second, None).await.unwrap();
    let s = db.store.session(&secret).await.unwrap().unwrap();
    assert_eq!(s.account.grants.len(), 2);
    assert!(s.account.grants.contains(&second));
    // An account without any grant still has its session.
    let bare = db
        .store
        .create_account("khong.quyen", "Không Quyền", "mat-khau-rat-dai", &[], None)
        .await
        .unwrap();
    let bare_secret = db
        .store
        .create_session(&bare.id, chrono::Duration::hours(1))
        .await
        .unwrap();
    let s = db.store.session(&bare_secret).await.unwrap().unwrap();
    assert_eq!(
        (s.account.id.as_str(), s.account.grants.len()),
        (bare.id.as_str(), 0)
    );
    // A locked account's session and token open nothing.
    let later = chrono::Utc::now() + chrono::Duration::days(30);
    let no_scope = motcua_store::accounts::TokenScope {
        grants: Vec::new(),
        read_only: true,
    };
    let (_, bare_token) = db
        .store
        .create_token(&bare.id, "thử", later, &no_scope)
        .await
        .unwrap();
    assert!(db.store.token_account(&bare_token).await.unwrap().is_some());
    db.store
        .set_account_locked(&bare.id, true, None)
        .await
        .unwrap();
    assert!(db.store.session(&bare_secret).await.unwrap().is_none());
    assert!(db.store.token_account(&bare_token).await.unwrap().is_none());
    db.store.revoke_session(&secret).await.unwrap();
    assert!(db.store.session(&secret).await.unwrap().is_none());
    let expired = db
        .store
        .create_session(&a.id, chrono::Duration::seconds(-1))
        .await
        .unwrap();
    assert!(db.store.session(&expired).await.unwrap().is_none());

    let (info, token) = db
        .store
        .create_token(
            &a.id,
            "Cổng DVCQG",
            later,
            &motcua_store::accounts::TokenScope {
                grants: a.grants.clone(),
                read_only: false,
            },
        )
        .await
        .unwrap();
    assert!(token.starts_with("mc_"));
    let t = db.store.token_account(&token).await.unwrap().unwrap();
    assert_eq!(
        (t.account.id.as_str(), &t.account.grants),
        (a.id.as_str(), &a.grants)
    );
    db.store.revoke_token(&a.id, &info.id).await.unwrap();
    assert!(db.store.token_account(&token).await.unwrap().is_none());
    assert!(matches!(
        db.store.revoke_token(&a.id, &info.id).await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test]
async fn calendar_rows_seed_once_and_override_the_shipped_ones() {
    let db = TestDb::new().await.unwrap();
    let shipped = motcua_calendar::shipped_rows();
    assert_eq!(db.store.seed_calendar().await.unwrap(), shipped.len());
    assert_eq!(
        db.store.seed_calendar().await.unwrap(),
        0,
        "seeding twice adds nothing"
    );
    let day = chrono::NaiveDate::from_ymd_opt(2027, 6, 15).unwrap();
    assert!(db.store.calendar().await.unwrap().is_working_day(day));
    // An administrator records next year's official extra day off.
    let row = motcua_calendar::DayRow {
        date: day,
        working: false,
        reason: "Nghỉ bù theo thông báo (ví dụ)".into(),
        source: "Thông báo của Bộ Nội vụ năm 2027".into(),
    };
    db.store
        .put_calendar_rows(std::slice::from_ref(&row), Some("admin"))
        .await
        .unwrap();
    assert!(!db.store.calendar().await.unwrap().is_working_day(day));
    // A row without its source is refused, and nothing is written.
    let mut bad = row.clone();
    bad.date = chrono::NaiveDate::from_ymd_opt(2027, 6, 16).unwrap();
    bad.source = " ".into();
    assert!(matches!(
        db.store.put_calendar_rows(&[bad], None).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(
        db.store.calendar_rows().await.unwrap().len(),
        shipped.len() + 1
    );
}
