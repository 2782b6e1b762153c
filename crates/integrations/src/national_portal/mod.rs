//! The national portal (DVCQG) adapter: brings the portal up to date with a dossier each
//! time the outbox hands it one of the dossier's `national_portal.sync` messages.
//!
//! A message says only which dossier changed; the adapter reads the dossier as it stands
//! and sends what the portal does not have yet: the record when motcua's work changed it
//! (create, or update when the portal already has it), then the progress rows of the
//! events past the last one acknowledged, ten a call. What the portal acknowledged is kept
//! per dossier and per row (`motcua_store::national_portal`), so a retry sends nothing
//! twice; once the portal holds the record and every row, the dossier's `synced` fact is
//! recorded on its word (`motcua_app::national_portal::acknowledged`), never before.
//!
//! The portal down or slow: retry with backoff (the worker's). The portal refusing the
//! record (`-2`): the dossier is flagged for an officer with the portal's reason and the
//! message goes on the dead-letter list; the other dossiers flow on.

pub mod client;
pub mod protocol;
pub mod record;

use crate::destination::{BoxFuture, Destination, Envelope, Outcome};
use client::{Client, Unanswered};
use motcua_app::outbox::Message;
use motcua_app::{App, AppError, Missing};
use protocol::{Answer, PROGRESS_BATCH, SERVICE_PROGRESS, SERVICE_SYNC, code};
use serde_json::{Map, Value, json};

pub use client::PortalConfig;

pub struct NationalPortal {
    app: App,
    client: Client,
}

/// Why one delivery stopped short.
enum Stop {
    /// No answer: the worker tries again after its backoff.
    Retry(Unanswered),
    /// The portal will not take the dossier as it is.
    Refused(String),
    /// The portal said something the protocol does not expect here.
    Unexpected(String),
}

impl From<Unanswered> for Stop {
    fn from(u: Unanswered) -> Self {
        Stop::Retry(u)
    }
}

fn answer_text(a: &Answer) -> String {
    format!(
        "error_code {}: {}",
        a.error_code,
        a.message.as_deref().unwrap_or("")
    )
}

impl NationalPortal {
    pub fn new(app: App, config: PortalConfig) -> Result<Self, reqwest::Error> {
        Ok(Self {
            app,
            client: Client::new(config)?,
        })
    }

    async fn call(&self, service: &str, fields: Map<String, Value>) -> Result<Answer, Stop> {
        match self.client.call(service, fields).await? {
            Ok(a) => Ok(a),
            // A refused login will be refused again until an operator fixes the settings;
            // retrying keeps the messages until then, and the error says why.
            Err(login) => Err(Stop::Retry(Unanswered {
                error: format!("login refused: {}", answer_text(&login)),
                after: None,
            })),
        }
    }

    /// Sends the record: create, or update when the portal already holds it.
    async fn send_record(&self, record: &protocol::HoSo, on_portal: bool) -> Result<(), Stop> {
        let data = serde_json::to_value(record)
            .map_err(|e| Stop::Unexpected(format!("record does not serialise: {e}")))?;
        let mut updating = on_portal;
        // At most one switch each way: create → exists → update, or update → missing → create.
        for _ in 0..2 {
            let fields = json!({
                "isUpdating": if updating { "True" } else { "False" },
                "data": [data.clone()],
            });
            let Value::Object(fields) = fields else {
                unreachable!("json! of an object literal is an object")
            };
            let a = self.call(SERVICE_SYNC, fields).await?;
            match a.error_code {
                code::OK => return Ok(()),
                c if code::exists(c) && !updating => updating = true,
                code::MISSING if updating => updating = false,
                code::INVALID => return Err(Stop::Refused(answer_text(&a))),
                _ => return Err(Stop::Unexpected(answer_text(&a))),
            }
        }
        Err(Stop::Unexpected(
            "the portal says the dossier both exists and does not".into(),
        ))
    }

    async fn sync(&self, dossier: &str) -> Result<(), Stop> {
        let view = match motcua_app::national_portal::view(&self.app, dossier).await {
            Ok(Some(v)) => v,
            // Waiting at reception: the reception's own message will carry it.
            Ok(None) => return Ok(()),
            Err(AppError::NotFound(Missing::Dossier)) => {
                return Err(Stop::Unexpected(format!("no dossier {dossier}")));
            }
            Err(e) => {
                return Err(Stop::Retry(Unanswered {
                    error: format!("store: {e}"),
                    after: None,
                }));
            }
        };
        let mut state = view.state.clone();
        let version = record::record_version(&view.events);
        if !state.on_portal || state.record_version < version || state.refused.is_some() {
            match self
                .send_record(&record::build(&view), state.on_portal)
                .await
            {
                Ok(()) => {
                    state.on_portal = true;
                    state.record_version = version;
                    state.status = view.dossier.status.national_code();
                    state.refused = None;
                    state.refused_at = None;
                }
                Err(Stop::Refused(why)) => {
                    state.refused = Some(why.clone());
                    state.refused_at = Some(chrono::Utc::now());
                    self.save(&state).await?;
                    return Err(Stop::Refused(why));
                }
                Err(other) => return Err(other),
            }
        }
        let rows = record::progress(&view, state.progress_version);
        for batch in rows.chunks(PROGRESS_BATCH) {
            let data: Vec<&protocol::TienDo> = batch.iter().map(|(_, r)| r).collect();
            let Value::Object(fields) = json!({ "data": data }) else {
                unreachable!("json! of an object literal is an object")
            };
            let a = self.call(SERVICE_PROGRESS, fields).await?;
            match a.error_code {
                code::OK => {
                    if let Some((v, _)) = batch.last() {
                        state.progress_version = *v;
                    }
                    self.save(&state).await?;
                }
                code::INVALID => {
                    state.refused = Some(answer_text(&a));
                    state.refused_at = Some(chrono::Utc::now());
                    self.save(&state).await?;
                    return Err(Stop::Refused(answer_text(&a)));
                }
                _ => return Err(Stop::Unexpected(answer_text(&a))),
            }
        }
        state.acknowledged_at = Some(chrono::Utc::now());
        motcua_app::national_portal::acknowledged(
            &self.app,
            &state,
            Some(format!("{}@{}", state.ma_ho_so, state.record_version)),
        )
        .await
        .map_err(|e| {
            Stop::Retry(Unanswered {
                error: format!("store: {e}"),
                after: None,
            })
        })
    }

    async fn save(
        &self,
        state: &motcua_store::national_portal::PortalSyncState,
    ) -> Result<(), Stop> {
        motcua_app::national_portal::save(&self.app, state)
            .await
            .map_err(|e| {
                Stop::Retry(Unanswered {
                    error: format!("store: {e}"),
                    after: None,
                })
            })
    }

    async fn deliver_one(&self, e: &Envelope) -> Outcome {
        let Message::NationalPortalSync(m) = &e.message else {
            return Outcome::Rejected(format!(
                "unreadable: {} is not a national-portal message",
                e.message.topic()
            ));
        };
        match self.sync(&m.dossier).await {
            Ok(()) => Outcome::Delivered,
            Err(Stop::Retry(u)) => Outcome::Retry {
                after: u.after,
                error: u.error,
            },
            Err(Stop::Refused(why)) => Outcome::Rejected(format!("portal: {why}")),
            Err(Stop::Unexpected(why)) => Outcome::Retry {
                after: None,
                error: format!("portal: {why}"),
            },
        }
    }
}

impl Destination for NationalPortal {
    fn deliver<'a>(&'a self, e: &'a Envelope) -> BoxFuture<'a, Outcome> {
        Box::pin(self.deliver_one(e))
    }
}
