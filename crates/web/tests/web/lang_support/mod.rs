//! What the language tests of the office pages share: a cookie-keeping browser that chooses
//! its language with the header's switch, posts page forms with the session's token, and
//! reads pages back.
#![allow(dead_code)]

use super::common;
use reqwest::Client;

pub type Who = (Client, String);

/// The page, with askama's escaped `&` read back.
pub async fn page(c: &Client, url: String) -> (u16, String) {
    let r = c.get(url).send().await.unwrap();
    (
        r.status().as_u16(),
        r.text().await.unwrap().replace("&#38;", "&"),
    )
}

pub async fn fragment(c: &Client, url: String) -> String {
    let r = c
        .get(url)
        .header("hx-request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

pub use common::pages::choose;

/// Posts a page form with the session's token: the status and the page, or the redirect.
pub async fn submit(
    app: &common::App,
    who: &Who,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    let mut body: Vec<(&str, &str)> = vec![("csrf_token", &who.1)];
    body.extend_from_slice(form);
    let r = who.0.post(app.url(path)).form(&body).send().await.unwrap();
    let status = r.status().as_u16();
    match r.headers().get("location") {
        Some(l) => (status, l.to_str().unwrap().to_owned()),
        None => (status, r.text().await.unwrap().replace("&#38;", "&")),
    }
}

pub fn has_all(page: &str, what: &[&str]) {
    for w in what {
        assert!(page.contains(w), "missing {w:?}");
    }
}

pub fn has_none(page: &str, what: &[&str]) {
    for w in what {
        assert!(!page.contains(w), "still there: {w:?}");
    }
}

/// An English page whose main content is English, not the frame around Vietnamese.
pub fn english(page: &str) {
    assert!(page.contains("<html lang=\"en\">"), "{}", &page[..200]);
    assert!(page.contains("<main id=\"noi-dung\" class=\"wrap\">"));
}

/// A Vietnamese page marks nothing as Vietnamese again: `lang="vi"` is the page's own.
pub fn vietnamese(page: &str) {
    assert!(page.contains("<html lang=\"vi\">"));
    assert_eq!(page.matches("lang=\"vi\"").count(), 1, "marks under vi");
}
