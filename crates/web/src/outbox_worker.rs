//! The outbox worker: delivers what dossier commits queued (national-portal sync,
//! notifications, inter-agency handovers) to the URL configured for each topic, with
//! retries and an idempotency key, so nothing is lost while a peer is down.
//!
//! Each pass claims a few due rows under a lease (`Store::claim_outbox`), POSTs each
//! payload as JSON with `Idempotency-Key: <dedup key>`, and marks it delivered on a 2xx
//! answer or records the failure with an exponential backoff. Topics without a target are
//! never claimed: they wait, counted in `/metrics`, until one is configured. Several
//! workers (threads or servers) may run against one database; a lease keeps a row with
//! one of them at a time, and a receiver that honours the key sees a retry only once.

use chrono::Utc;
use motcua_store::outbox::{Backoff, Claimed};
use motcua_store::{Store, StoreError};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;
use tokio::sync::watch;

/// `TOPIC=URL`, as `motcua serve --deliver` takes it.
pub fn parse_target(s: &str) -> Result<(String, reqwest::Url), String> {
    let (topic, url) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?}: expected TOPIC=URL"))?;
    let topic = topic.trim();
    if topic.is_empty() {
        return Err(format!("{s:?}: the topic is empty"));
    }
    let url = reqwest::Url::parse(url.trim()).map_err(|e| format!("{s:?}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{s:?}: the URL must be http or https"));
    }
    Ok((topic.to_owned(), url))
}

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Topic → where to POST its messages.
    pub targets: BTreeMap<String, reqwest::Url>,
    /// Rows claimed a pass.
    pub batch: usize,
    /// How long a claimed row stays with this worker; longer than `timeout`.
    pub lease: chrono::Duration,
    pub backoff: Backoff,
    /// Wait between passes when nothing was due.
    pub idle: Duration,
    /// Per request.
    pub timeout: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            targets: BTreeMap::new(),
            batch: 32,
            lease: chrono::Duration::seconds(60),
            backoff: Backoff::default(),
            idle: Duration::from_secs(1),
            timeout: Duration::from_secs(15),
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    pub claimed: usize,
    pub delivered: usize,
    pub failed: usize,
    /// Finished after the lease ran out and another worker took the row over.
    pub lease_lost: usize,
}

pub struct Worker {
    store: Store,
    client: reqwest::Client,
    topics: Vec<String>,
    config: WorkerConfig,
}

impl Worker {
    pub fn new(store: Store, config: WorkerConfig) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("motcua/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            store,
            client,
            topics: config.targets.keys().cloned().collect(),
            config,
        })
    }

    /// POSTs one message; `Err` carries what went wrong, for `last_error`.
    async fn deliver(&self, c: &Claimed) -> Result<(), String> {
        let url = self
            .config
            .targets
            .get(&c.topic)
            .ok_or_else(|| format!("no target for topic {}", c.topic))?;
        let r = self
            .client
            .post(url.clone())
            .header("idempotency-key", &c.dedup_key)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(c.payload.clone())
            .send()
            .await
            .map_err(|e| format!("request failed: {e}"))?;
        let status = r.status();
        if status.is_success() {
            Ok(())
        } else {
            let body = r.text().await.unwrap_or_default();
            Err(format!("HTTP {}: {}", status.as_u16(), body.trim()))
        }
    }

    /// Claims what is due and delivers it. Stops early, giving the rest back, once
    /// `stop` turns true.
    pub async fn run_once(&self, stop: &watch::Receiver<bool>) -> Result<Pass, StoreError> {
        let claimed = self
            .store
            .claim_outbox(
                &self.topics,
                self.config.batch,
                self.config.lease,
                Utc::now(),
            )
            .await?;
        let mut pass = Pass {
            claimed: claimed.len(),
            ..Pass::default()
        };
        for (i, c) in claimed.iter().enumerate() {
            if *stop.borrow() {
                for rest in &claimed[i..] {
                    self.store.outbox_release(rest).await?;
                }
                break;
            }
            let kept = match self.deliver(c).await {
                Ok(()) => {
                    pass.delivered += 1;
                    self.store.outbox_delivered(c, Utc::now()).await?
                }
                Err(e) => {
                    pass.failed += 1;
                    tracing::warn!(topic = %c.topic, id = %c.id, attempts = c.attempts, error = %e, "outbox delivery failed");
                    self.store
                        .outbox_failed(c, &e, &self.config.backoff, Utc::now())
                        .await?
                }
            };
            if !kept {
                pass.lease_lost += 1;
                tracing::warn!(topic = %c.topic, id = %c.id, "outbox lease ran out during delivery");
            }
        }
        Ok(pass)
    }

    /// Runs passes until `stop` turns true; a full pass is followed at once by another.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        if self.topics.is_empty() {
            return;
        }
        tracing::info!(topics = ?self.topics, "outbox worker started");
        while !*stop.borrow() {
            let busy = match self.run_once(&stop).await {
                Ok(p) => p.claimed == self.config.batch,
                Err(e) => {
                    tracing::error!(error = %e, "outbox worker cannot reach the database");
                    false
                }
            };
            if !busy {
                tokio::select! {
                    () = tokio::time::sleep(self.config.idle) => {}
                    _ = stop.changed() => {}
                }
            }
        }
        tracing::info!("outbox worker stopped");
    }
}

/// `/metrics` lines: undelivered messages per topic.
pub(crate) fn render_pending(pending: &[(String, i64)]) -> String {
    let mut s = String::from(
        "# HELP motcua_outbox_pending Undelivered outbox messages per topic.\n# TYPE motcua_outbox_pending gauge\n",
    );
    for (topic, n) in pending {
        let t = topic.replace('\\', "\\\\").replace('"', "\\\"");
        let _ = writeln!(s, "motcua_outbox_pending{{topic=\"{t}\"}} {n}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_topic_equals_url() {
        let (t, u) = parse_target("national_portal.sync=https://dvc.example.vn/api/sync").unwrap();
        assert_eq!(t, "national_portal.sync");
        assert_eq!(u.as_str(), "https://dvc.example.vn/api/sync");
        for bad in ["no-equals", "=http://x", "t=ftp://x/", "t=not a url"] {
            assert!(parse_target(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pending_gauge_has_one_line_per_topic() {
        let s = render_pending(&[("a\"b".into(), 3), ("notify.applicant".into(), 0)]);
        assert!(s.contains("motcua_outbox_pending{topic=\"a\\\"b\"} 3\n"));
        assert!(s.contains("motcua_outbox_pending{topic=\"notify.applicant\"} 0\n"));
    }
}
