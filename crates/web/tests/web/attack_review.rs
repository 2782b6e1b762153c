//! The findings of the attack review of main, each as the attack was made: every one of
//! these failed on the reviewed code.

use serde_json::{Value, json};

/// 40 wrong passwords for one account from one address, all at once: the limit counts each
/// before its password is checked, so at most five are checked and the rest get 429 (the
/// review saw 99 × 401 and never 429).
#[tokio::test]
async fn parallel_guesses_reach_at_most_the_limit_of_password_checks() {
    let app = crate::common::spawn().await;
    let c = reqwest::Client::new();
    let mut tasks = Vec::new();
    for i in 0..40 {
        let c = c.clone();
        let url = app.url("/api/v1/login");
        tasks.push(tokio::spawn(async move {
            c.post(url)
                .json(&json!({"username": "vanhanh", "password": format!("doan-sai-{i}")}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert!(checked <= 5, "{checked} passwords checked: {statuses:?}");
    assert_eq!(checked + limited, 40, "{statuses:?}");
    // The right password now waits too.
    let r = c
        .post(app.url("/api/v1/login"))
        .json(&json!({"username": "vanhanh", "password": crate::common::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
}

/// Logging in successfully gives the attempt back: one person logging in and out all day
/// from a desk's shared address is never throttled.
#[tokio::test]
async fn successful_logins_do_not_use_up_the_limit() {
    let app = crate::common::spawn().await;
    for _ in 0..8 {
        app.login("tiepnhan").await;
    }
}

/// Another site cannot log a browser in to the attacker's account (login CSRF): the login
/// form and the API refuse a cross-site POST even without a cookie.
#[tokio::test]
async fn cross_site_login_is_refused() {
    let app = crate::common::spawn().await;
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = [
        ("username", "congdan"),
        ("password", crate::common::PASSWORD),
        ("next", "/"),
    ];
    let r = c
        .post(app.url("/dang-nhap"))
        .header("origin", "https://ke-gian.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("set-cookie").is_none());
    let r = c
        .post(app.url("/api/v1/login"))
        .header("sec-fetch-site", "cross-site")
        .json(&json!({"username": "congdan", "password": crate::common::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "csrf_failed");
    // From this site it works, as does a client that is not a browser.
    let r = c
        .post(app.url("/dang-nhap"))
        .header("sec-fetch-site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers().get("set-cookie").is_some());
}

use crate::common::COMMUNE;
const OTHER_COMMUNE: &str = "000.02.99.H57";

/// A draft by `who` (optionally on behalf of `for_`, with their consent code); its id.
async fn draft(
    app: &crate::common::App,
    who: &(reqwest::Client, String),
    for_: Option<(&str, &str)>,
) -> String {
    // A procedure without an e-form, so that an empty declaration submits.
    let mut body = json!({"procedure": "1.004194", "unit": COMMUNE});
    if let Some((u, code)) = for_ {
        body["on_behalf_of"] = json!(u);
        body["consent_code"] = json!(code);
    }
    let d = app.post_ok(who, "/api/v1/dossiers", body).await;
    d["dossier"]["id"].as_str().unwrap().to_owned()
}

async fn status_of(app: &crate::common::App, who: &(reqwest::Client, String), id: &str) -> u16 {
    who.0
        .get(app.url(&format!("/api/v1/dossiers/{id}")))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Refused receptions take no number: 30 calls of a citizen on their own draft, then the
/// desk's reception is still the day's first (the review moved it from 0030 to 0131).
#[tokio::test]
async fn refused_receptions_use_up_no_numbers() {
    let app = crate::common::spawn().await;
    let citizen = app.login("congdan").await;
    let id = draft(&app, &citizen, None).await;
    let receive = format!("/api/v1/dossiers/{id}/receive");
    for _ in 0..30 {
        let (s, _) = app
            .post_json(&citizen, &receive, json!({"desk": COMMUNE}))
            .await;
        assert!(s >= 400, "a citizen received their own draft");
    }
    app.post_ok(
        &citizen,
        &format!("/api/v1/dossiers/{id}/submit"),
        json!({"form_data": {}}),
    )
    .await;
    let (s, _) = app
        .post_json(&citizen, &receive, json!({"desk": COMMUNE}))
        .await;
    assert_eq!(s, 403);
    let desk = app.login("tiepnhan").await;
    let r = app.post_ok(&desk, &receive, json!({"desk": COMMUNE})).await;
    let code = r["dossier"]["code"].as_str().unwrap();
    assert!(code.ends_with("-0001"), "{code}");
}

/// What one may not read, one may not act on: another commune's desk cannot refuse a
/// submitted dossier (refusal is final), a helper cannot fill in or submit a citizen's own
/// draft, and officers do not see drafts at all.
#[tokio::test]
async fn acting_needs_the_right_to_read() {
    use motcua_domain::access::Role;
    let app = crate::common::spawn().await;
    app.add_account(
        "tiepnhan.khac",
        Role::ReceptionOfficer,
        OTHER_COMMUNE,
        false,
    )
    .await;
    let citizen = app.login("congdan").await;
    let id = draft(&app, &citizen, None).await;
    let helper = app.login("tocongnghe").await;
    let desk = app.login("tiepnhan").await;
    // The citizen's own draft: nobody else reads, fills in or submits it.
    for (who, name) in [(&helper, "helper"), (&desk, "desk")] {
        assert_eq!(status_of(&app, who, &id).await, 404, "{name} reads a draft");
        let (s, b) = app
            .post_json(
                who,
                &format!("/api/v1/dossiers/{id}/form"),
                json!({"form_data": {"child_full_name": "Ghi đè"}}),
            )
            .await;
        assert_eq!(
            (s, b["error"]["code"].as_str()),
            (404, Some("not_found")),
            "{name}"
        );
        let (s, _) = app
            .post_json(
                who,
                &format!("/api/v1/dossiers/{id}/submit"),
                json!({"on_behalf": true}),
            )
            .await;
        assert_eq!(s, 404, "{name} submits a citizen's draft");
    }
    let d = app.db.store.dossier(&id).await.unwrap();
    assert_eq!(d.state.version, 1, "the draft did not move");

    // Submitted: the neighbouring commune's desk neither reads nor refuses it.
    app.post_ok(
        &citizen,
        &format!("/api/v1/dossiers/{id}/submit"),
        json!({"form_data": {}}),
    )
    .await;
    let other = app.login("tiepnhan.khac").await;
    assert_eq!(status_of(&app, &other, &id).await, 404);
    let (s, _) = app
        .post_json(
            &other,
            &format!("/api/v1/dossiers/{id}/refuse"),
            json!({"desk": OTHER_COMMUNE, "reason": "Thiếu giấy tờ"}),
        )
        .await;
    assert_eq!(s, 404);
    let d = app.db.store.dossier(&id).await.unwrap();
    assert_eq!(d.state.status.as_str(), "submitted");
    // Its own commune's desk reads it.
    assert_eq!(status_of(&app, &desk, &id).await, 200);
}

/// Filing on behalf: only for an applicant's account who consented (a code they created),
/// the same answer for an official, a name nobody has and a missing or wrong code (no
/// probing), and only for callers who may file for others.
#[tokio::test]
async fn on_behalf_filing_only_for_applicants_who_asked_for_it() {
    let app = crate::common::spawn().await;
    let helper = app.login("tocongnghe").await;
    let citizen = app.login("congdan").await;
    let consent = app
        .post_ok(&citizen, "/api/v1/assistance-codes", json!({}))
        .await;
    let code = consent["code"].as_str().unwrap().to_owned();
    let mut answers = Vec::new();
    for (name, with) in [
        ("lanhdao", code.as_str()),
        ("khong-co-ai", code.as_str()),
        ("tocongnghe", code.as_str()),
        ("congdan", ""),
        ("congdan", "ABCD-EFGH"),
        ("congdan2", code.as_str()),
    ] {
        let (s, b) = app.post_json(&helper,
            "/api/v1/dossiers",
            json!({"procedure": "1.001193", "unit": COMMUNE, "on_behalf_of": name, "consent_code": with}),
        )
        .await;
        answers.push((
            s,
            b["error"]["fields"][0]["code"].clone(),
            b["error"]["message"].clone(),
        ));
    }
    assert_eq!(answers[0].0, 422);
    assert_eq!(answers[0].1, "applicant_not_eligible", "{answers:?}");
    assert!(
        answers
            .iter()
            .all(|a| a.1 == answers[0].1 && a.2 == answers[0].2),
        "{answers:?}"
    );
    // A citizen cannot file in another citizen's name, even with the code; an official has
    // no consent code to give.
    let other = app.login("congdan2").await;
    let (s, _) = app.post_json(&other,
        "/api/v1/dossiers",
        json!({"procedure": "1.001193", "unit": COMMUNE, "on_behalf_of": "congdan", "consent_code": code}),
    )
    .await;
    assert_eq!(s, 403);
    let (s, _) = app
        .post_json(&helper, "/api/v1/assistance-codes", json!({}))
        .await;
    assert_eq!(s, 403);
    // For a citizen: the helper fills in and submits the draft it started; it counts as
    // online with the helper recorded, and then belongs to the citizen alone.
    let id = draft(&app, &helper, Some(("congdan", code.as_str()))).await;
    assert_eq!(status_of(&app, &helper, &id).await, 200);
    app.post_ok(
        &helper,
        &format!("/api/v1/dossiers/{id}/form"),
        json!({"form_data": {}}),
    )
    .await;
    let r = app
        .post_ok(
            &helper,
            &format!("/api/v1/dossiers/{id}/submit"),
            json!({"on_behalf": true, "channel": "direct"}),
        )
        .await;
    assert_eq!(r["dossier"]["channel"], "online");
    let d = app.db.store.dossier(&id).await.unwrap().state;
    let helper_id = app
        .db
        .store
        .account_by_username("tocongnghe")
        .await
        .unwrap();
    assert_eq!(d.helper, helper_id);
    let owner = app.login("congdan").await;
    assert_eq!(status_of(&app, &owner, &id).await, 200);
    assert_eq!(status_of(&app, &helper, &id).await, 404);
}

/// Tokens: every one expires within a year, names some of its owner's roles, needs the
/// password again, and a read-only one changes nothing.
#[tokio::test]
async fn tokens_are_scoped_expiring_and_minted_with_the_password() {
    let app = crate::common::spawn().await;
    let desk = app.login("tiepnhan").await;
    let soon = (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339();
    let mine = json!([{"role": "reception_officer", "unit": COMMUNE}]);
    let cases = [
        (
            json!({"name": "t", "password": crate::common::PASSWORD, "grants": mine}),
            422,
            "expires_at missing",
        ),
        (
            json!({"name": "t", "expires_at": "2020-01-01T00:00:00+07:00", "password": crate::common::PASSWORD, "grants": mine}),
            422,
            "past expiry",
        ),
        (
            json!({"name": "t", "expires_at": (chrono::Utc::now() + chrono::Duration::days(400)).to_rfc3339(), "password": crate::common::PASSWORD, "grants": mine}),
            422,
            "beyond a year",
        ),
        (
            json!({"name": "t", "expires_at": soon, "password": crate::common::PASSWORD, "grants": []}),
            422,
            "no scope",
        ),
        (
            json!({"name": "t", "expires_at": soon, "password": crate::common::PASSWORD, "grants": [{"role": "leader", "unit": COMMUNE}]}),
            422,
            "a role not held",
        ),
        (
            json!({"name": "t", "expires_at": soon, "password": crate::common::PASSWORD, "grants": [{"role": "reception_officer", "unit": COMMUNE, "with_sub_units": true}]}),
            422,
            "wider than held",
        ),
        (
            json!({"name": "t", "expires_at": soon, "password": "sai-mat-khau", "grants": mine}),
            422,
            "wrong password",
        ),
    ];
    for (body, want, what) in cases {
        let (s, b) = app.post_json(&desk, "/api/v1/tokens", body).await;
        assert_eq!(s, want, "{what}: {b}");
    }
    let (s, b) = app.post_json(&desk,
        "/api/v1/tokens",
        json!({"name": "Báo cáo", "expires_at": soon, "password": crate::common::PASSWORD, "grants": mine, "read_only": true}),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["info"]["read_only"], true);
    let token = b["token"].as_str().unwrap().to_owned();
    let citizen = app.login("congdan").await;
    let id = draft(&app, &citizen, None).await;
    app.post_ok(
        &citizen,
        &format!("/api/v1/dossiers/{id}/submit"),
        json!({"form_data": {}}),
    )
    .await;
    let plain = reqwest::Client::new();
    let r = plain
        .get(app.url(&format!("/api/v1/dossiers/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "a read-only token reads");
    let r = plain
        .post(app.url(&format!("/api/v1/dossiers/{id}/receive")))
        .bearer_auth(&token)
        .json(&json!({"desk": COMMUNE}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["error"]["code"], "token_read_only");
}

/// The index's public view: scores and ratings for periods of a month or more, without the
/// counts behind them; the counts, for any period, to those who may read the unit's index.
#[tokio::test]
async fn the_public_index_shows_scores_not_small_counts() {
    let app = crate::common::spawn().await;
    let today = chrono::Utc::now()
        .with_timezone(&motcua_calendar::VIETNAM_OFFSET)
        .date_naive();
    let day = app.url(&format!("/api/v1/index?from={today}&to={today}"));
    let r = reqwest::get(&day).await.unwrap();
    assert_eq!(r.status(), 422);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["error"]["fields"][0]["code"], "period_too_short", "{b}");
    let month = today - chrono::Duration::days(30);
    let url = app.url(&format!("/api/v1/index?from={month}&to={today}"));
    let public: Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    let first = &public["units"][0];
    assert!(
        first["total"].is_number() && first["rating"].is_string(),
        "{first}"
    );
    assert!(first["groups"][0]["score"].is_number());
    assert!(first["groups"][0].get("metrics").is_none(), "{first}");
    // A leader of the commune reads its counts, even for one day; not the province's.
    let (leader, _) = app.login("lanhdao").await;
    let commune: Value = leader
        .get(format!("{day}&unit={COMMUNE}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        commune["units"][0]["groups"][0]["metrics"].is_array(),
        "{commune}"
    );
    let province = leader
        .get(&url)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert!(province["units"][0]["groups"][0].get("metrics").is_none());
}

/// Two servers on one database (their own connection pools, as two processes have) share
/// one count of attempts: five wrong passwords at one, and the sixth at the other waits.
#[tokio::test]
async fn servers_on_one_database_share_the_login_limit() {
    let app = crate::common::spawn().await;
    let store = motcua_store::Store::connect(&app.db.url_for_process())
        .await
        .unwrap();
    let files = tempfile::tempdir().unwrap();
    let config = motcua_web::Config {
        files_dir: files.path().to_owned(),
        ..Default::default()
    };
    let state = motcua_web::AppState::load(store, config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other = format!("http://{}", listener.local_addr().unwrap());
    let (_stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(motcua_web::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let c = reqwest::Client::new();
    let wrong = json!({"username": "vanhanh", "password": "sai-mat-khau"});
    for _ in 0..5 {
        let r = c
            .post(app.url("/api/v1/login"))
            .json(&wrong)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
    let r = c
        .post(format!("{other}/api/v1/login"))
        .json(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
}

/// The applicant creates the consent code on their list of dossiers, without JavaScript.
#[tokio::test]
async fn the_consent_code_is_created_on_the_applicants_page() {
    let app = crate::common::spawn().await;
    let (c, _) = crate::common::pages::login(&app, "congdan").await;
    let page = crate::common::pages::get(&c, &app, "/ho-so-cua-toi").await;
    assert!(
        page.contains("action=\"/ho-so-cua-toi/ma-nop-ho\""),
        "{page}"
    );
    let token = crate::common::pages::hidden(&page, "csrf_token");
    let r = crate::common::pages::post(
        &c,
        &app,
        "/ho-so-cua-toi/ma-nop-ho",
        &[("csrf_token", token.as_str())],
    )
    .await;
    assert_eq!(r.status(), 200);
    let shown = r.text().await.unwrap();
    let code = shown
        .split("<strong>")
        .nth(1)
        .and_then(|s| s.split("</strong>").next())
        .unwrap()
        .to_owned();
    assert_eq!(code.len(), 9, "{code}");
    // The helper files with it.
    let helper = app.login("tocongnghe").await;
    draft(&app, &helper, Some(("congdan", code.as_str()))).await;
    // An official's list offers no code.
    let (c, _) = crate::common::pages::login(&app, "tiepnhan").await;
    let page = crate::common::pages::get(&c, &app, "/ho-so-cua-toi").await;
    assert!(!page.contains("ma-nop-ho"));
}
