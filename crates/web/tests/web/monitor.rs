//! The monitoring side: the warnings API and its outbox notifications, the dashboard pages
//! with their drill-down, and who may see what. Dossiers are driven through the real API;
//! "late" is made real by an appointment a few seconds away.

use chrono::{Duration, Utc};
use motcua_domain::access::Role;
use serde_json::{Value, json};
use std::collections::HashSet;

use crate::common::COMMUNE;
const OTHER: &str = "000.02.99.H57";
const PROCEDURE: &str = "1.004194";

type Who = (reqwest::Client, String);

/// The app with a province monitor and a desk in a second commune.
async fn app() -> crate::common::App {
    let app = crate::common::spawn().await;
    app.add_account("giamsat", Role::ProvinceMonitor, "000.00.00.H57", true)
        .await;
    app.add_account("tiepnhan.khac", Role::ReceptionOfficer, OTHER, false)
        .await;
    app
}

async fn get(who: &Who, url: String) -> (u16, String) {
    let r = who.0.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn warnings(app: &crate::common::App, who: &Who, query: &str) -> Value {
    let (s, body) = get(who, app.url(&format!("/api/v1/warnings{query}"))).await;
    assert_eq!(s, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

async fn finish(app: &crate::common::App, id: &str) {
    let specialist = app.login("chuyenvien").await;
    let leader = app.login("lanhdao").await;
    app.post_ok(
        &specialist,
        &format!("/api/v1/dossiers/{id}/forward"),
        json!({"note": "Đủ điều kiện"}),
    )
    .await;
    app.post_ok(
        &leader,
        &format!("/api/v1/dossiers/{id}/complete"),
        json!({"results": ["Xác nhận đăng ký tạm trú"]}),
    )
    .await;
}

fn keys_for(w: &Value, code: &str) -> Vec<String> {
    w["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["dossier"]["code"] == code)
        .map(|i| i["kind"].as_str().unwrap().to_owned())
        .collect()
}

fn codes(w: &Value) -> HashSet<String> {
    w["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["dossier"]["code"].as_str().map(str::to_owned))
        .collect()
}

/// The `<td class="num">` cells of the table row that starts with `marker`.
fn row_cells(html: &str, marker: &str) -> Vec<String> {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not in page"));
    let row = &html[start..];
    let row = &row[..row.find("</tr>").unwrap()];
    row.split("<td class=\"num\"")
        .skip(1)
        .map(|c| {
            let c = &c[c.find('>').unwrap() + 1..];
            c[..c.find("</td>").unwrap()].to_owned()
        })
        .collect()
}

/// PROGRESS_ON_TIME's (numerator, denominator) on a unit page.
fn progress(html: &str) -> (i64, i64) {
    let c = row_cells(html, "<tr id=\"m-PROGRESS_ON_TIME\">");
    (c[0].parse().unwrap(), c[1].parse().unwrap())
}

#[tokio::test]
async fn a_late_dossier_moves_warnings_figures_and_drill_down() {
    let app = app().await;
    let monitor = app.login("giamsat").await;
    let desk = app.login("tiepnhan").await;
    let unit_page = app.url(&format!("/giam-sat/don-vi/{COMMUNE}"));
    let (s, before) = get(&monitor, unit_page.clone()).await;
    assert_eq!(s, 200);
    assert_eq!(progress(&before), (0, 0));

    // Due in three seconds: within one working day, so "due soon" at once.
    let due = Utc::now() + Duration::seconds(3);
    let (id, code) = app.received(&desk, PROCEDURE, COMMUNE, Some(due)).await;
    let w = warnings(&app, &monitor, "").await;
    assert_eq!(keys_for(&w, &code), ["due_soon"]);
    let item = w["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["dossier"]["code"] == code.as_str())
        .unwrap();
    assert_eq!(item["key"], format!("due_soon:{code}"));
    assert_eq!(item["unit"]["code"], COMMUNE);
    assert_eq!(item["dossier"]["id"], id.as_str());
    assert_eq!(item["link"], format!("/can-bo/ho-so/{id}"));
    assert_eq!(item["dossier"]["step"]["role"], "specialist");
    assert_eq!(item["dossier"]["step"]["unit"], COMMUNE);

    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
    let w = warnings(&app, &monitor, "").await;
    assert_eq!(keys_for(&w, &code), ["overdue"]);
    let overdue = warnings(&app, &monitor, "?kind=overdue").await;
    assert!(codes(&overdue).contains(&code));
    assert!(
        overdue["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["kind"] == "overdue")
    );
    // The same warning in each language: Vietnamese by default, English when asked.
    let message = |w: &Value| {
        let i = w["items"].as_array().unwrap().iter();
        let item = i.clone().find(|i| i["dossier"]["code"] == code.as_str());
        let item = item.unwrap();
        (
            item["label"].as_str().unwrap().to_owned(),
            item["message"].as_str().unwrap().to_owned(),
        )
    };
    let (label, vi) = message(&overdue);
    assert_eq!(label, "Quá hạn");
    assert!(
        vi.starts_with(&format!("Hồ sơ {code} đã quá hạn trả kết quả (")),
        "{vi}"
    );
    let r = monitor
        .0
        .get(app.url("/api/v1/warnings?kind=overdue"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    let (label, en) = message(&r.json().await.unwrap());
    assert_eq!(label, "Overdue");
    assert!(
        en.starts_with(&format!("Dossier {code} is past its due date (")),
        "{en}"
    );
    assert!(en.contains(" on "), "{en}");

    // Finished late, without an apology letter: the figure and the warning follow.
    finish(&app, &id).await;
    let w = warnings(&app, &monitor, "").await;
    assert_eq!(keys_for(&w, &code), ["late_without_apology"]);
    let (_, after) = get(&monitor, unit_page.clone()).await;
    assert_eq!(progress(&after), (0, 1), "handled in the period, late");

    // The drill-down lists exactly that dossier, linking to the back office.
    let (s, late) = get(
        &monitor,
        app.url(&format!("/giam-sat/don-vi/{COMMUNE}/ho-so?hinh=tre-han")),
    )
    .await;
    assert_eq!(s, 200);
    assert!(late.contains(&format!("<a href=\"/can-bo/ho-so/{id}\">{code}</a>")));
    assert!(late.contains("<strong id=\"so-ho-so\">1</strong>"));
    let (_, received_list) = get(
        &monitor,
        app.url(&format!("/giam-sat/don-vi/{COMMUNE}/ho-so?hinh=tiep-nhan")),
    )
    .await;
    assert!(received_list.contains(&code));
    let (_, supplemented) = get(
        &monitor,
        app.url(&format!("/giam-sat/don-vi/{COMMUNE}/ho-so?hinh=bo-sung")),
    )
    .await;
    assert!(!supplemented.contains(&code), "no supplement was requested");

    // A second dossier handled on time raises the commune's total on the dashboard.
    let row = format!("<tr data-unit=\"{COMMUNE}\">");
    let (_, dash) = get(&monitor, app.url("/giam-sat")).await;
    let total_before: f64 = row_cells(&dash, &row)[0].replace(',', ".").parse().unwrap();
    let (id2, _) = app.received(&desk, PROCEDURE, COMMUNE, None).await;
    finish(&app, &id2).await;
    let (_, dash) = get(&monitor, app.url("/giam-sat")).await;
    let total_after: f64 = row_cells(&dash, &row)[0].replace(',', ".").parse().unwrap();
    assert!(total_after > total_before, "{total_before} → {total_after}");
    let (_, after) = get(&monitor, unit_page).await;
    assert_eq!(progress(&after), (1, 2));

    // The htmx refresh gets the figures alone, the same figure in it.
    let r = monitor
        .0
        .get(app.url("/giam-sat?sap-xep=ten&chieu=tang"))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["vary"], "HX-Request");
    let part = r.text().await.unwrap();
    assert!(part.starts_with("<section id=\"so-lieu\""));
    assert!(!part.contains("<html"));
    assert_eq!(
        row_cells(&part, &row)[0]
            .replace(',', ".")
            .parse::<f64>()
            .unwrap(),
        total_after
    );
}

#[tokio::test]
async fn dashboard_sorts_without_script_and_serves_its_assets() {
    let app = app().await;
    let monitor = app.login("giamsat").await;
    let (s, page) = get(&monitor, app.url("/giam-sat")).await;
    assert_eq!(s, 200);
    assert!(page.contains("<html lang=\"vi\">"));
    assert!(page.contains("hx-trigger=\"every 10s\""));
    assert!(page.contains("Tải lại số liệu"));
    assert!(page.contains("role=\"img\""));
    assert!(page.contains("<caption>Số liệu của biểu đồ</caption>"));
    // The running quarter is chosen by default.
    let chosen = &page[page.find(" selected>").unwrap()..];
    let chosen = &chosen[..chosen.find("</option>").unwrap()];
    assert!(chosen.starts_with(" selected>Quý ") && chosen.ends_with("(đến hôm nay)"));
    assert!(page.contains("href=\"/giam-sat\">Giám sát 766</a>"));
    // Sorted by name, A to Z, through a plain link; the header says so.
    let (_, by_name) = get(&monitor, app.url("/giam-sat?sap-xep=ten&chieu=tang")).await;
    assert!(by_name.contains("aria-sort=\"ascending\""));
    let names: Vec<&str> = by_name
        .split("<tr data-unit=\"")
        .skip(1)
        .map(|r| {
            let a = &r[r.find("<a href=").unwrap()..];
            let a = &a[a.find('>').unwrap() + 1..];
            &a[..a.find("</a>").unwrap()]
        })
        .collect();
    assert!(names.len() > 10);
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    // Only departments.
    let (_, deps) = get(&monitor, app.url("/giam-sat?loai=department")).await;
    assert!(!deps.contains(&format!("<tr data-unit=\"{COMMUNE}\">")));
    assert!(deps.contains("<tr data-unit=\"000.00.82.H57\">"));
    // A custom range and a bad one.
    let (s, custom) = get(
        &monitor,
        app.url("/giam-sat?ky=tuy-chon&tu=2025-01-01&den=2025-03-31"),
    )
    .await;
    assert_eq!(s, 200);
    assert!(custom.contains("Kết quả Từ 01/01/2025 đến 31/03/2025"));
    let (s, bad) = get(
        &monitor,
        app.url("/giam-sat?ky=tuy-chon&tu=2025-03-31&den=2025-01-01"),
    )
    .await;
    assert_eq!(s, 200);
    assert!(bad.contains("role=\"alert\""));

    let r = reqwest::get(app.url("/static/htmx.min.js")).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age=31536000")
    );
    assert!(r.text().await.unwrap().starts_with("var htmx="));
    let css = reqwest::get(app.url("/static/monitor.css")).await.unwrap();
    assert_eq!(css.status(), 200);
}

#[tokio::test]
async fn each_sees_only_their_units() {
    let app = app().await;
    let desk = app.login("tiepnhan").await;
    let other_desk = app.login("tiepnhan.khac").await;
    let soon = Utc::now() + Duration::hours(1);
    let (_, mine) = app.received(&desk, PROCEDURE, COMMUNE, Some(soon)).await;
    let (_, theirs) = app
        .received(&other_desk, PROCEDURE, OTHER, Some(soon))
        .await;

    // Nobody logged in: the API says 401, the page sends to the login.
    let anon = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = anon.get(app.url("/api/v1/warnings")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = anon.get(app.url("/giam-sat")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/dang-nhap?next=")
    );
    // A citizen is refused everywhere.
    let citizen = app.login("congdan").await;
    for path in [
        "/api/v1/warnings",
        "/giam-sat",
        "/giam-sat/canh-bao",
        "/giam-sat/don-vi/000.00.00.H57",
    ] {
        let (s, _) = get(&citizen, app.url(path)).await;
        assert_eq!(s, 403, "{path}");
    }

    // The monitor sees both communes; an officer only their own.
    let monitor = app.login("giamsat").await;
    let all = codes(&warnings(&app, &monitor, "").await);
    assert!(all.contains(&mine) && all.contains(&theirs));
    let scoped = codes(&warnings(&app, &monitor, &format!("?unit={OTHER}")).await);
    assert!(scoped.contains(&theirs) && !scoped.contains(&mine));
    let specialist = app.login("chuyenvien").await;
    let seen = codes(&warnings(&app, &specialist, "").await);
    assert!(seen.contains(&mine) && !seen.contains(&theirs));
    let (s, _) = get(
        &specialist,
        app.url(&format!("/api/v1/warnings?unit={OTHER}")),
    )
    .await;
    assert_eq!(s, 403);
    let other_specialist = app.login("chuyenvien.khac").await;
    let seen = codes(&warnings(&app, &other_specialist, "").await);
    assert!(seen.contains(&theirs) && !seen.contains(&mine));

    // Per officer: the dossiers at a step they hold.
    let at_step = codes(&warnings(&app, &monitor, "?officer=chuyenvien").await);
    assert!(at_step.contains(&mine) && !at_step.contains(&theirs));
    let leader = codes(&warnings(&app, &monitor, "?officer=lanhdao").await);
    assert!(!leader.contains(&mine), "the leader's step is the next one");
    let me = codes(&warnings(&app, &specialist, "?officer=me").await);
    assert!(me.contains(&mine));
    let (s, _) = get(&monitor, app.url("/api/v1/warnings?officer=khongco")).await;
    assert_eq!(s, 404);
    let (s, body) = get(&monitor, app.url("/api/v1/warnings?kind=nonsense")).await;
    assert_eq!(s, 422);
    assert!(body.contains("invalid_choice"));

    // The officer's warnings page works; the dashboard is for index readers only.
    let (s, page) = get(&specialist, app.url("/giam-sat/canh-bao")).await;
    assert_eq!(s, 200);
    assert!(page.contains(&mine) && !page.contains(&theirs));
    assert!(!page.contains("Tổng quan các đơn vị"));
    let (s, _) = get(&specialist, app.url("/giam-sat")).await;
    assert_eq!(s, 403);

    // A commune's administrator follows the index of that commune only.
    let admin = app.login("quantri.phuong").await;
    let (s, page) = get(&admin, app.url("/giam-sat")).await;
    assert_eq!(s, 200);
    assert!(page.contains(&format!("<tr data-unit=\"{COMMUNE}\">")));
    assert!(!page.contains(&format!("<tr data-unit=\"{OTHER}\">")));
    let (s, _) = get(&admin, app.url(&format!("/giam-sat/don-vi/{OTHER}"))).await;
    assert_eq!(s, 403);
    let (s, _) = get(&admin, app.url(&format!("/giam-sat/don-vi/{COMMUNE}"))).await;
    assert_eq!(s, 200);
}

/// Makes the JSON of one dossier's warnings independent of ids, codes and clocks.
fn stable(w: &Value, id: &str, code: &str) -> Value {
    let mut items: Vec<Value> = w["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["dossier"]["code"] == code)
        .cloned()
        .collect();
    for i in &mut items {
        i["dossier"]["due_at"] = json!("[due_at]");
        let m = i["message"].as_str().unwrap();
        let m = m[..m.find(" (").unwrap_or(m.len())].to_owned();
        i["message"] = json!(m);
    }
    let text = serde_json::to_string(&json!({ "items": items }))
        .unwrap()
        .replace(id, "[id]")
        .replace(code, "[code]");
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn warnings_json_shape() {
    let app = app().await;
    let desk = app.login("tiepnhan").await;
    let monitor = app.login("giamsat").await;
    let (id, code) = app
        .received(
            &desk,
            PROCEDURE,
            COMMUNE,
            Some(Utc::now() + Duration::hours(1)),
        )
        .await;
    let w = warnings(&app, &monitor, "?limit=1").await;
    assert!(w["as_of"].as_str().unwrap().ends_with("+07:00"));
    assert_eq!(w["items"].as_array().unwrap().len(), 1);
    let all = warnings(&app, &monitor, "").await;
    assert_eq!(w["total"], all["total"]);
    insta::assert_json_snapshot!("warnings_json", stable(&all, &id, &code));
}

#[tokio::test]
async fn pages_of_warnings_follow_the_cursor() {
    let app = app().await;
    let desk = app.login("tiepnhan").await;
    let monitor = app.login("giamsat").await;
    let soon = Some(Utc::now() + Duration::hours(1));
    let mut made = HashSet::new();
    for _ in 0..3 {
        made.insert(app.received(&desk, PROCEDURE, COMMUNE, soon).await.1);
    }
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let q = if cursor.is_empty() {
            "?limit=2".to_owned()
        } else {
            format!("?limit=2&cursor={cursor}")
        };
        let w = warnings(&app, &monitor, &q).await;
        for i in w["items"].as_array().unwrap() {
            seen.push(i["key"].as_str().unwrap().to_owned());
        }
        match w["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no warning twice");
    for code in &made {
        assert!(seen.contains(&format!("due_soon:{code}")));
    }
}

#[tokio::test]
async fn the_sweep_sends_each_warning_once() {
    let app = app().await;
    let desk = app.login("tiepnhan").await;
    let (id, code) = app.received(&desk, PROCEDURE, COMMUNE, None).await;
    let due = app
        .db
        .store
        .dossier(&id)
        .await
        .unwrap()
        .state
        .due_at
        .unwrap();
    // A second server on the same database, as after a restart.
    let state = motcua_web::AppState::load(app.db.store.clone(), motcua_web::Config::default())
        .await
        .unwrap();
    let rows = |all: Vec<(String, Value)>| -> Vec<(String, Value)> {
        all.into_iter()
            .filter(|(k, _)| k.ends_with(&code))
            .collect()
    };

    let mut sent = HashSet::new();
    let before_due = due - Duration::minutes(30);
    let added = motcua_app::warnings::sweep(&state.app, before_due, &mut sent)
        .await
        .unwrap();
    assert!(added >= 1);
    let topic = motcua_app::warnings::TOPIC;
    let first = rows(app.db.store.outbox_topic(topic).await.unwrap());
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0].0, format!("warning:due_soon:{code}"));
    assert_eq!(first[0].1["kind"], "due_soon");
    assert_eq!(first[0].1["link"], format!("/can-bo/ho-so/{id}"));
    assert_eq!(first[0].1["dossier"]["step"]["role"], "specialist");

    // Again, by this process and by a fresh one: nothing new.
    let again = motcua_app::warnings::sweep(&state.app, before_due, &mut sent)
        .await
        .unwrap();
    assert_eq!(again, 0);
    let fresh = motcua_app::warnings::sweep(&state.app, before_due, &mut HashSet::new())
        .await
        .unwrap();
    assert_eq!(fresh, 0);

    // Past the appointment it is overdue: one more row, once.
    let later = due + Duration::days(2);
    motcua_app::warnings::sweep(&state.app, later, &mut sent)
        .await
        .unwrap();
    motcua_app::warnings::sweep(&state.app, later, &mut HashSet::new())
        .await
        .unwrap();
    let keys: Vec<String> = rows(app.db.store.outbox_topic(topic).await.unwrap())
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        keys,
        [
            format!("warning:due_soon:{code}"),
            format!("warning:overdue:{code}")
        ]
    );
    assert!(state.app.live.watched() >= 1);
}
