//! The outbox worker: claims due rows, reads each back into its message, hands it to the
//! destination of its topic, and records what came of it.
//!
//! Topics without a destination are never claimed: they wait, counted in `/metrics`, until
//! one is configured. Several workers (threads or servers) may run against one database; a
//! lease keeps a row with one of them at a time, and a receiver that honours the key sees a
//! retry only once.

use crate::backoff::Backoff;
use crate::destination::{Destination, Envelope, Outcome};
use crate::webhook::Webhook;
use chrono::Utc;
use motcua_app::outbox::Message;
use motcua_store::outbox::{Claimed, Fate};
use motcua_store::{Store, StoreError};
use std::collections::BTreeMap;
use std::sync::Arc;
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
    if !motcua_app::outbox::TOPICS.contains(&topic) {
        return Err(format!(
            "{s:?}: unknown topic; one of {}",
            motcua_app::outbox::TOPICS.join(", ")
        ));
    }
    let url = reqwest::Url::parse(url.trim()).map_err(|e| format!("{s:?}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{s:?}: the URL must be http or https"));
    }
    Ok((topic.to_owned(), url))
}

#[derive(Clone)]
pub struct WorkerConfig {
    /// Topic → where its messages go.
    pub destinations: BTreeMap<String, Arc<dyn Destination>>,
    /// Rows claimed a pass.
    pub batch: usize,
    /// How long a claimed row stays with this worker; longer than a destination's timeout.
    pub lease: chrono::Duration,
    pub backoff: Backoff,
    /// Attempts before a message goes on the dead-letter list.
    pub max_attempts: i64,
    /// Wait between passes when nothing was due.
    pub idle: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            destinations: BTreeMap::new(),
            batch: 32,
            lease: chrono::Duration::seconds(60),
            backoff: Backoff::default(),
            max_attempts: 12,
            idle: Duration::from_secs(1),
        }
    }
}

impl WorkerConfig {
    /// A generic webhook per `TOPIC=URL` target, each request given `timeout`.
    pub fn with_webhooks(
        mut self,
        targets: impl IntoIterator<Item = (String, reqwest::Url)>,
        timeout: Duration,
    ) -> Result<Self, reqwest::Error> {
        for (topic, url) in targets {
            self.destinations
                .insert(topic, Arc::new(Webhook::new(url, timeout)?));
        }
        Ok(self)
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    pub claimed: usize,
    pub delivered: usize,
    /// Failed, to be tried again.
    pub retrying: usize,
    /// Put on the dead-letter list (rejected, unreadable, or out of attempts).
    pub dead: usize,
    /// Finished after the lease ran out and another worker took the row over.
    pub lease_lost: usize,
}

pub struct Worker {
    store: Store,
    topics: Vec<String>,
    config: WorkerConfig,
}

impl Worker {
    pub fn new(store: Store, config: WorkerConfig) -> Self {
        Self {
            store,
            topics: config.destinations.keys().cloned().collect(),
            config,
        }
    }

    /// Delivers one claimed row and records the outcome.
    async fn handle(&self, c: &Claimed) -> Result<Done, StoreError> {
        let now = Utc::now;
        let message = match Message::parse(&c.topic, &c.payload) {
            Ok(m) => m,
            Err(e) => {
                tracing::error!(topic = %c.topic, id = %c.id, error = %e, "outbox row does not read: dead letter");
                let f = self
                    .store
                    .outbox_dead(c, &format!("unreadable: {e}"), now())
                    .await?;
                return Ok(f.into());
            }
        };
        let Some(dest) = self.config.destinations.get(&c.topic) else {
            // Claimed only for configured topics, so this is a configuration race at most.
            self.store.outbox_release(c).await?;
            return Ok(Done::Released);
        };
        let envelope = Envelope {
            key: c.dedup_key.clone(),
            attempt: c.attempts,
            message,
        };
        Ok(match dest.deliver(&envelope).await {
            Outcome::Delivered => {
                if self.store.outbox_delivered(c, now()).await? {
                    Done::Delivered
                } else {
                    Done::Store(Fate::LeaseLost)
                }
            }
            Outcome::Retry { after, error } => {
                let wait = after.map_or_else(
                    || self.config.backoff.delay(c.attempts),
                    |a| self.config.backoff.asked(a),
                );
                let t = now();
                let f = self
                    .store
                    .outbox_retry(c, &error, t + wait, self.config.max_attempts, t)
                    .await?;
                tracing::warn!(topic = %c.topic, id = %c.id, attempts = c.attempts, error = %error, fate = ?f, "outbox delivery failed");
                f.into()
            }
            Outcome::Rejected(reason) => {
                tracing::warn!(topic = %c.topic, id = %c.id, reason = %reason, "outbox message rejected: dead letter");
                self.store.outbox_dead(c, &reason, now()).await?.into()
            }
        })
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
            match self.handle(c).await? {
                Done::Delivered => pass.delivered += 1,
                Done::Store(Fate::Retrying) => pass.retrying += 1,
                Done::Store(Fate::Dead) => pass.dead += 1,
                Done::Store(Fate::LeaseLost) => {
                    pass.lease_lost += 1;
                    tracing::warn!(topic = %c.topic, id = %c.id, "outbox lease ran out during delivery");
                }
                Done::Released => {}
            }
        }
        Ok(pass)
    }

    /// Runs passes until `stop` turns true. A pass that delivered something is followed at
    /// once by another: the next message of a dossier becomes due only when the one
    /// before it is delivered.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        if self.topics.is_empty() {
            return;
        }
        tracing::info!(topics = ?self.topics, "outbox worker started");
        while !*stop.borrow() {
            let busy = match self.run_once(&stop).await {
                Ok(p) => p.claimed == self.config.batch || p.delivered > 0,
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

/// What became of one claimed row.
enum Done {
    Delivered,
    Store(Fate),
    Released,
}

impl From<Fate> for Done {
    fn from(f: Fate) -> Self {
        Self::Store(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_a_known_topic_equals_a_url() {
        let (t, u) = parse_target("national_portal.sync=https://dvc.example.vn/api/sync").unwrap();
        assert_eq!(t, "national_portal.sync");
        assert_eq!(u.as_str(), "https://dvc.example.vn/api/sync");
        for bad in [
            "no-equals",
            "=http://x",
            "notify.applicant=ftp://x/",
            "notify.applicant=not a url",
            "fax.send=http://x/",
        ] {
            assert!(parse_target(bad).is_err(), "{bad}");
        }
    }
}
