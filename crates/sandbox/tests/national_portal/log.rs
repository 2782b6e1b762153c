//! `GET /_sandbox/log`: every request, in order, with what it was answered, secrets masked.

use serde_json::{Value, json};

use crate::{UNIT, code, healthy, record};

#[tokio::test]
async fn the_log_lists_every_exchange_in_order_with_secrets_masked() {
    let p = healthy().await;
    let wrong = p
        .post(
            "/login",
            &json!({"username": "motcua", "password": "guess"}),
        )
        .await;
    assert_eq!(wrong["error_code"], -1);
    let session = p.login().await;
    assert_eq!(
        p.sync(&session, "False", &[record(&code(1))]).await["error_code"],
        0
    );
    let a = p.progress(&session, &[json!({"MaHoSo": code(1)})]).await;
    assert_eq!(a["error_code"], -2);
    let broken = p.post_raw("/service", "{not json").await;
    assert_eq!(broken.status(), 200);
    assert_eq!(p.post_raw("/elsewhere", "{}").await.status(), 404);

    let log = p.log().await;
    let brief: Vec<(Value, Value, Value, Value)> = log
        .iter()
        .map(|e| {
            (
                e["seq"].clone(),
                e["path"].clone(),
                e["service"].clone(),
                e["http_status"].clone(),
            )
        })
        .collect();
    assert_eq!(
        brief,
        [
            (json!(1), json!("/login"), Value::Null, json!(200)),
            (json!(2), json!("/login"), Value::Null, json!(200)),
            (
                json!(3),
                json!("/service"),
                json!("DongBoHoSoMC"),
                json!(200)
            ),
            (
                json!(4),
                json!("/service"),
                json!("CapNhatTienDoHoSoMC"),
                json!(200)
            ),
            (json!(5), json!("/service"), Value::Null, json!(200)),
            (json!(6), json!("/elsewhere"), Value::Null, json!(404)),
        ]
    );

    assert_eq!(
        log[0]["request"],
        json!({"username": "motcua", "password": "***"})
    );
    assert_eq!(log[0]["response"]["error_code"], -1);
    assert_eq!(
        log[1]["response"]["session"], "***",
        "the login's answer is masked too"
    );
    assert_eq!(log[1]["response"]["expires_in"], 1800);
    assert_eq!(log[2]["request"]["session"], "***");
    assert_eq!(log[2]["request"]["madonvi"], UNIT);
    assert_eq!(log[2]["request"]["data"][0], record(&code(1)));
    assert_eq!(log[2]["response"]["error_code"], 0);
    assert_eq!(log[3]["response"]["error_code"], -2);
    assert_eq!(log[4]["request"], Value::Null, "a body that is not JSON");
    assert_eq!(log[4]["response"]["error_code"], -2);
    assert_eq!(log[5]["response"], Value::Null);
    for e in &log {
        assert_eq!(e["method"], "POST");
        let at = e["at"].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
    }
    let text = serde_json::to_string(&log).unwrap();
    assert!(!text.contains(&session), "the session leaked into the log");
    assert!(!text.contains("guess"), "a password leaked into the log");
    assert!(
        !text.contains("\"sandbox\""),
        "a password leaked into the log"
    );
}

#[tokio::test]
async fn reading_the_sandbox_pages_is_not_logged() {
    let p = healthy().await;
    p.login().await;
    p.log().await;
    p.get("/_sandbox/dossiers").await;
    p.dossier(&code(1)).await;
    let log = p.log().await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["path"], "/login");
}

#[tokio::test]
async fn concurrent_calls_are_each_logged_once_with_distinct_numbers() {
    let p = std::sync::Arc::new(healthy().await);
    let s = p.login().await;
    let mut tasks = Vec::new();
    for n in 0..20 {
        let (p, s) = (p.clone(), s.clone());
        tasks.push(tokio::spawn(async move {
            p.sync(&s, "False", &[record(&code(n))]).await
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap()["error_code"], 0);
    }
    let log = p.log().await;
    let seqs: Vec<u64> = log.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=21).collect::<Vec<_>>());
    let (_, list) = p.get("/_sandbox/dossiers").await;
    assert_eq!(list.as_array().unwrap().len(), 20);
}
