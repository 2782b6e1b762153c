//! The gateway's client: one session, refreshed before it runs out, and one call that
//! tells a transport failure (try again later) from the portal's answer.

use super::protocol::{Answer, code};
use reqwest::Url;
use serde_json::{Map, Value, json};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Where the gateway is and who this system is there.
#[derive(Clone)]
pub struct PortalConfig {
    pub url: Url,
    pub auth_path: String,
    pub service_path: String,
    pub username: String,
    pub password: String,
    /// `madonvi`: the province's unit code at the portal.
    pub agency: String,
    pub timeout: Duration,
}

impl std::fmt::Debug for PortalConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortalConfig")
            .field("url", &self.url.as_str())
            .field("auth_path", &self.auth_path)
            .field("service_path", &self.service_path)
            .field("username", &self.username)
            .field("password", &"***")
            .field("agency", &self.agency)
            .finish()
    }
}

/// A call that got no answer from the portal: worth another try later. The text's first
/// word says which kind (`motcua_app::outbox::Failure::of`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unanswered {
    pub error: String,
    pub after: Option<Duration>,
}

struct Session {
    token: String,
    refresh_at: Option<Instant>,
}

pub struct Client {
    http: reqwest::Client,
    config: PortalConfig,
    session: Mutex<Option<Session>>,
}

fn join(base: &Url, path: &str) -> Result<Url, Unanswered> {
    let mut s = base.as_str().trim_end_matches('/').to_owned();
    s.push('/');
    s.push_str(path.trim_start_matches('/'));
    Url::parse(&s).map_err(|e| Unanswered {
        error: format!("config: {e}"),
        after: None,
    })
}

impl Client {
    pub fn new(config: PortalConfig) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("motcua/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            config,
            session: Mutex::new(None),
        })
    }

    pub fn config(&self) -> &PortalConfig {
        &self.config
    }

    async fn post(&self, path: &str, body: &Value) -> Result<Answer, Unanswered> {
        let r = self
            .http
            .post(join(&self.config.url, path)?)
            .json(body)
            .send()
            .await
            .map_err(|e| Unanswered {
                error: format!(
                    "{}: {e}",
                    if e.is_timeout() {
                        "timeout"
                    } else {
                        "unreachable"
                    }
                ),
                after: None,
            })?;
        let status = r.status();
        if !status.is_success() {
            return Err(Unanswered {
                error: format!("HTTP {}: the gateway did not answer", status.as_u16()),
                after: None,
            });
        }
        let bytes = r.bytes().await.map_err(|e| Unanswered {
            error: format!("unreachable: {e}"),
            after: None,
        })?;
        // An answer that is not the portal's JSON is a gateway in trouble, not a verdict
        // on the record: it changes nothing and is tried again.
        serde_json::from_slice(&bytes).map_err(|e| Unanswered {
            error: format!("HTTP {}: not the portal's answer ({e})", status.as_u16()),
            after: None,
        })
    }

    /// A valid session token: the kept one, or a new login when there is none or it is
    /// due for refresh.
    async fn token(&self, fresh: bool) -> Result<Result<String, Answer>, Unanswered> {
        let mut s = self.session.lock().await;
        if !fresh
            && let Some(kept) = s.as_ref()
            && kept.refresh_at.is_none_or(|at| Instant::now() < at)
        {
            return Ok(Ok(kept.token.clone()));
        }
        let a = self
            .post(
                &self.config.auth_path,
                &json!({"username": self.config.username, "password": self.config.password}),
            )
            .await?;
        match (a.error_code, &a.session) {
            (code::OK, Some(token)) if !token.is_empty() => {
                // Refreshed at 80 % of its life, so that a call never carries a token
                // that runs out on the way.
                let refresh_at = a
                    .expires_in
                    .map(|secs| Instant::now() + Duration::from_millis(secs * 800));
                *s = Some(Session {
                    token: token.clone(),
                    refresh_at,
                });
                Ok(Ok(token.clone()))
            }
            _ => {
                *s = None;
                Ok(Err(a))
            }
        }
    }

    /// Calls `service` with `fields`; logs in first when needed, and once more when the
    /// portal says the session is no longer valid. `Ok(Err(answer))` is a failed login.
    pub async fn call(
        &self,
        service: &str,
        fields: Map<String, Value>,
    ) -> Result<Result<Answer, Answer>, Unanswered> {
        let mut fresh = false;
        loop {
            let token = match self.token(fresh).await? {
                Ok(t) => t,
                Err(refused) => return Ok(Err(refused)),
            };
            let mut body = Map::new();
            body.insert("session".into(), Value::String(token));
            body.insert("madonvi".into(), Value::String(self.config.agency.clone()));
            body.insert("service".into(), Value::String(service.to_owned()));
            body.extend(fields.clone());
            let a = self
                .post(&self.config.service_path, &Value::Object(body))
                .await?;
            if a.error_code == code::SESSION && !fresh {
                fresh = true;
                continue;
            }
            return Ok(Ok(a));
        }
    }
}
