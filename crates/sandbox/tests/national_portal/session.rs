//! Logging in, and what a service call without a live session gets.

use std::time::Duration;

use motcua_sandbox::national_portal::Options;
use serde_json::json;

use crate::{UNIT, code, healthy, portal, record};

#[tokio::test]
async fn login_gives_a_fresh_session_with_its_lifetime() {
    let p = healthy().await;
    let body = json!({"username": "motcua", "password": "sandbox"});
    let a = p.post("/login", &body).await;
    let b = p.post("/login", &body).await;
    assert_eq!(a["error_code"], 0);
    assert_eq!(a["expires_in"], 1800);
    let (sa, sb) = (
        a["session"].as_str().unwrap(),
        b["session"].as_str().unwrap(),
    );
    assert!(sa.len() >= 16, "{sa}");
    assert_ne!(sa, sb, "every login is a new session");
    // Both work.
    for (n, s) in [(1, sa), (2, sb)] {
        assert_eq!(
            p.sync(s, "False", &[record(&code(n))]).await["error_code"],
            0
        );
    }
}

#[tokio::test]
async fn wrong_credentials_get_minus_one_and_no_session() {
    let p = healthy().await;
    for (user, pass) in [
        ("motcua", "wrong"),
        ("other", "sandbox"),
        ("MOTCUA", "sandbox"),
    ] {
        let a = p
            .post("/login", &json!({"username": user, "password": pass}))
            .await;
        assert_eq!(a["error_code"], -1, "{user}/{pass}: {a}");
        assert!(a.get("session").is_none(), "{a}");
        assert!(!a["message"].as_str().unwrap().is_empty());
    }
    let a = p.post("/login", &json!({"username": "motcua"})).await;
    assert_eq!(a["error_code"], -2, "{a}");
    assert!(
        a["message"].as_str().unwrap().starts_with("password:"),
        "{a}"
    );
}

#[tokio::test]
async fn configured_credentials_replace_the_defaults() {
    let p = portal(Options {
        username: "hue".into(),
        password: "s3cret".into(),
        ..Options::default()
    })
    .await;
    let default = json!({"username": "motcua", "password": "sandbox"});
    assert_eq!(p.post("/login", &default).await["error_code"], -1);
    let mine = json!({"username": "hue", "password": "s3cret"});
    assert_eq!(p.post("/login", &mine).await["error_code"], 0);
}

#[tokio::test]
async fn a_call_without_a_live_session_gets_minus_one() {
    let p = healthy().await;
    let valid = p.login().await;
    let data = json!([record(&code(1))]);
    for session in [json!("made-up"), json!(""), json!(null), json!(42)] {
        let body = json!({"session": session, "madonvi": UNIT, "service": "DongBoHoSoMC",
                          "isUpdating": "False", "data": data});
        assert_eq!(
            p.post("/service", &body).await["error_code"],
            -1,
            "{session}"
        );
    }
    let body =
        json!({"madonvi": UNIT, "service": "DongBoHoSoMC", "isUpdating": "False", "data": data});
    assert_eq!(p.post("/service", &body).await["error_code"], -1);
    assert_eq!(
        p.dossier(&code(1)).await,
        None,
        "refused calls store nothing"
    );
    assert_eq!(
        p.sync(&valid, "False", &[record(&code(1))]).await["error_code"],
        0
    );
}

#[tokio::test]
async fn a_session_expires_after_its_ttl() {
    let p = portal(Options {
        session_ttl: Duration::from_secs(1),
        ..Options::default()
    })
    .await;
    let a = p
        .post(
            "/login",
            &json!({"username": "motcua", "password": "sandbox"}),
        )
        .await;
    assert_eq!(a["expires_in"], 1);
    let s = a["session"].as_str().unwrap().to_owned();
    assert_eq!(
        p.sync(&s, "False", &[record(&code(1))]).await["error_code"],
        0
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let late = p.sync(&s, "False", &[record(&code(2))]).await;
    assert_eq!(late["error_code"], -1, "{late}");
    assert_eq!(p.dossier(&code(2)).await, None);
    // The adapter logs in again and carries on.
    let fresh = p.login().await;
    assert_eq!(
        p.sync(&fresh, "False", &[record(&code(2))]).await["error_code"],
        0
    );
}

#[tokio::test]
async fn unit_code_and_service_are_required() {
    let p = healthy().await;
    let s = p.login().await;
    let body = json!({"session": s, "service": "DongBoHoSoMC", "isUpdating": "False",
                      "data": [record(&code(1))]});
    let a = p.post("/service", &body).await;
    assert_eq!(a["error_code"], -2);
    assert!(
        a["message"].as_str().unwrap().starts_with("madonvi:"),
        "{a}"
    );

    let a = p.call(&s, "DongBoHoSoMCX", json!({"data": []})).await;
    assert_eq!(a["error_code"], -2);
    assert!(
        a["message"].as_str().unwrap().starts_with("service:"),
        "{a}"
    );
    assert!(
        a["message"].as_str().unwrap().contains("DongBoHoSoMCX"),
        "{a}"
    );

    let a = p
        .post("/service", &json!({"session": s, "madonvi": UNIT}))
        .await;
    assert_eq!(a["error_code"], -2);
    assert!(
        a["message"].as_str().unwrap().starts_with("service:"),
        "{a}"
    );
}

#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_minus_two_over_http_200() {
    let p = healthy().await;
    for (path, body) in [
        ("/service", "not json"),
        ("/service", ""),
        ("/service", r#"{"session": "#),
        ("/login", "username=motcua&password=sandbox"),
        ("/service", "[1, 2]"),
        ("/login", "\"motcua\""),
    ] {
        let res = p.post_raw(path, body).await;
        assert_eq!(res.status(), 200, "{path} {body:?}");
        let a: serde_json::Value = res.json().await.unwrap();
        assert_eq!(a["error_code"], -2, "{path} {body:?}: {a}");
        assert!(
            a["message"].as_str().unwrap().starts_with("body:"),
            "{path} {body:?}: {a}"
        );
    }
}
