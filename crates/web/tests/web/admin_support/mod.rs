//! What the administration tests share: logged-in browsers posting page forms with the
//! session's token, and the units and procedure they work on.
#![allow(dead_code)]

use super::common;
use reqwest::Client;
use serde_json::Value;

/// A department procedure handled by one unit (Sở Tài chính), so the city-wide
/// administrator may edit it and a ward's administrator may not even see it.
pub const DEPT_PROC: &str = "2.001610";
pub const DEPT: &str = "000.00.84.H57";
pub use crate::common::COMMUNE as WARD;

pub struct Browser {
    pub c: Client,
    pub csrf: String,
}

pub async fn who(app: &common::App, user: &str) -> Browser {
    let (c, csrf) = app.login(user).await;
    Browser { c, csrf }
}

impl Browser {
    pub async fn get(&self, app: &common::App, path: &str) -> (u16, String) {
        let r = self.c.get(app.url(path)).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
    /// Posts a page form with the session's token; the status and the page (or the
    /// redirect's target).
    pub async fn post(
        &self,
        app: &common::App,
        path: &str,
        form: &[(&str, &str)],
    ) -> (u16, String) {
        let mut body: Vec<(&str, &str)> = vec![("csrf_token", &self.csrf)];
        body.extend_from_slice(form);
        let r = self.c.post(app.url(path)).form(&body).send().await.unwrap();
        let status = r.status().as_u16();
        match r.headers().get("location") {
            Some(l) => (status, l.to_str().unwrap().to_owned()),
            None => (status, r.text().await.unwrap()),
        }
    }
    pub async fn api_post(&self, app: &common::App, path: &str, body: Value) -> Value {
        let r = self
            .c
            .post(app.url(path))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        let s = r.status();
        let v: Value = r.json().await.unwrap();
        assert!(s.is_success(), "{path}: {s}: {v}");
        v
    }
}

pub async fn account_id(app: &common::App, username: &str) -> String {
    app.db
        .store
        .account_by_username(username)
        .await
        .unwrap()
        .unwrap()
}
