//! The pages as a browser without JavaScript uses them: log in through the form, read the
//! form token off a page, post a form and follow its redirect; the birth declaration.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use super::App;
use reqwest::Client;

pub use super::COMMUNE;

/// Logs in through the page form, and reads the form token from a page.
pub async fn login(app: &App, user: &str) -> (Client, String) {
    let c = app.browser();
    let r = c
        .post(app.url("/dang-nhap"))
        .form(&[("username", user), ("password", super::PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "login {user}");
    let home = get(&c, app, "/").await;
    (c, hidden(&home, "csrf_token"))
}

pub async fn get(c: &Client, app: &App, path: &str) -> String {
    let r = c.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 200, "GET {path}");
    r.text().await.unwrap()
}

/// The value of the first hidden field `name` on the page.
pub fn hidden(page: &str, name: &str) -> String {
    let at = format!("name=\"{name}\" value=\"");
    let i = page
        .find(&at)
        .unwrap_or_else(|| panic!("no {name} in {page}"))
        + at.len();
    page[i..].split('"').next().unwrap().to_owned()
}

pub async fn post(c: &Client, app: &App, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    c.post(app.url(path)).form(form).send().await.unwrap()
}

/// Posts a form and follows the 303 back to the page, returning it.
pub async fn act(c: &Client, app: &App, path: &str, form: &[(&str, &str)]) -> String {
    let r = post(c, app, path, form).await;
    let status = r.status();
    let loc = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    let Some(loc) = loc else {
        panic!("{path}: {status}: {}", r.text().await.unwrap());
    };
    assert_eq!(status, 303, "{path}");
    get(c, app, &loc).await
}

pub fn birth_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("requester_full_name", "Nguyễn Thị Hoa"),
        ("requester_cccd", "046195000123"),
        (
            "requester_address",
            "12 Phan Đình Phùng, phường An Cựu, thành phố Huế",
        ),
        ("requester_phone", "0912345678"),
        ("requester_relationship", "mother"),
        ("child_full_name", "Nguyễn Văn An"),
        ("child_birth_date", "2025-01-02"),
        ("child_gender", "male"),
        ("child_ethnicity", "Kinh"),
        ("child_nationality", "Việt Nam"),
        ("child_birth_place", "Bệnh viện Trung ương Huế"),
        ("child_home_town", "Thừa Thiên Huế"),
        ("mother_full_name", "Nguyễn Thị Hoa"),
        ("mother_birth_year", "1995"),
        ("mother_ethnicity", "Kinh"),
        ("mother_nationality", "vn"),
        ("mother_cccd", "046195000123"),
        (
            "mother_address",
            "12 Phan Đình Phùng, phường An Cựu, thành phố Huế",
        ),
        ("father_undetermined", "true"),
        ("birth_proof", "birth_certificate"),
        ("birth_certificate_number", "GCS-2025-0001"),
        ("witnesses[0].full_name", ""),
        ("witnesses[1].full_name", ""),
        ("commitment", "true"),
    ]
}

/// The draft's id from the redirect after creating it.
pub async fn start(app: &App, c: &Client) -> String {
    let page = get(c, app, "/thu-tuc/1.001193").await;
    assert!(page.contains("Nộp hồ sơ trực tuyến"));
    let csrf = hidden(&page, "csrf_token");
    let key = hidden(&page, "idempotency_key");
    let form = [
        ("csrf_token", csrf.as_str()),
        ("procedure", "1.001193"),
        ("unit", COMMUNE),
        ("idempotency_key", key.as_str()),
    ];
    let mut ids = Vec::new();
    // A double click posts the same form twice: one draft.
    for _ in 0..2 {
        let r = post(c, app, "/ho-so", &form).await;
        assert_eq!(r.status(), 303);
        let loc = r.headers()["location"].to_str().unwrap().to_owned();
        ids.push(
            loc.trim_start_matches("/ho-so/")
                .split('?')
                .next()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(ids[0], ids[1]);
    ids.remove(0)
}

/// Chooses `lang` with the header's switch, as a browser without JavaScript follows it.
pub async fn choose(app: &App, c: &Client, lang: &str) {
    let r = c
        .get(app.url(&format!("/ngon-ngu?lang={lang}&next=%2F")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
}
