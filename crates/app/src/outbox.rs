//! The messages a committed change sends to the outside world, typed: one variant per
//! outbox topic, one struct per payload. They are written as outbox rows in the commit that
//! caused them (see `dossiers::effects`) and read back by the deliverer
//! (`motcua-integrations`). The topic strings and the JSON are the rows' format, shared with
//! every receiver, so a field is renamed only with its receivers.
//!
//! Also the operator's side of the outbox: the dead-letter list and replaying from it.

use crate::warnings::WarningOut;
use crate::{App, AppError};
use chrono::{DateTime, Utc};
use motcua_domain::access::Actor;
use motcua_domain::dossier::DossierCode;
use motcua_domain::{ProcedureCode, UnitCode};
use motcua_store::dossiers::OutboxMessage;
use motcua_store::outbox::{DeadLetter, Replay};
use serde::{Deserialize, Serialize};

pub const NATIONAL_PORTAL_SYNC: &str = "national_portal.sync";
pub const NOTIFY_APPLICANT: &str = "notify.applicant";
pub const INTER_AGENCY_HANDOVER: &str = "inter_agency.handover";
pub use crate::warnings::TOPIC as WARNING;

/// Every topic a message may have.
pub const TOPICS: [&str; 4] = [
    NATIONAL_PORTAL_SYNC,
    NOTIFY_APPLICANT,
    INTER_AGENCY_HANDOVER,
    WARNING,
];

/// A dossier's new status for the national portal (DVCQG), by its national status number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalSync {
    pub dossier: String,
    /// `None` before the dossier is received (no code yet).
    pub code: Option<DossierCode>,
    /// `Status::national_code`.
    pub status: u8,
    pub at: DateTime<Utc>,
}

/// Tell the applicant that something happened to their dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicantNotification {
    pub dossier: String,
    /// The applicant's account.
    pub applicant: String,
    /// The event's kind (`Change::kind`): `received`, `completed`, …
    pub event: String,
}

/// Part of a dossier handed to a unit outside this system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    /// The dossier that asks for the part.
    pub parent: String,
    pub unit: UnitCode,
    pub procedure: ProcedureCode,
}

/// One outbox message.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    NationalPortalSync(PortalSync),
    ApplicantNotification(ApplicantNotification),
    InterAgencyHandover(Handover),
    Warning(Box<WarningOut>),
}

/// Why a stored row is not a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("unknown topic {0:?}")]
    UnknownTopic(String),
    #[error("the payload of {topic} does not parse: {error}")]
    Payload { topic: String, error: String },
}

impl Message {
    pub fn topic(&self) -> &'static str {
        match self {
            Self::NationalPortalSync(_) => NATIONAL_PORTAL_SYNC,
            Self::ApplicantNotification(_) => NOTIFY_APPLICANT,
            Self::InterAgencyHandover(_) => INTER_AGENCY_HANDOVER,
            Self::Warning(_) => WARNING,
        }
    }

    /// The dossier whose messages of a topic go out in order; warnings have none.
    pub fn dossier(&self) -> Option<&str> {
        match self {
            Self::NationalPortalSync(m) => Some(&m.dossier),
            Self::ApplicantNotification(m) => Some(&m.dossier),
            Self::InterAgencyHandover(m) => Some(&m.parent),
            Self::Warning(_) => None,
        }
    }

    /// The JSON the row carries and a receiver gets.
    pub fn payload(&self) -> serde_json::Value {
        let v = match self {
            Self::NationalPortalSync(m) => serde_json::to_value(m),
            Self::ApplicantNotification(m) => serde_json::to_value(m),
            Self::InterAgencyHandover(m) => serde_json::to_value(m),
            Self::Warning(m) => serde_json::to_value(m),
        };
        // Plain structs of strings, numbers and options: serialising them cannot fail.
        v.unwrap_or(serde_json::Value::Null)
    }

    /// The row to write, keyed by `dedup_key` (the receiver's idempotency key).
    pub fn row(&self, dedup_key: String) -> OutboxMessage {
        OutboxMessage {
            topic: self.topic().to_owned(),
            dedup_key,
            payload: self.payload(),
            dossier: self.dossier().map(str::to_owned),
        }
    }

    /// A stored row read back.
    pub fn parse(topic: &str, payload: &str) -> Result<Self, ParseError> {
        fn de<T: serde::de::DeserializeOwned>(topic: &str, payload: &str) -> Result<T, ParseError> {
            serde_json::from_str(payload).map_err(|e| ParseError::Payload {
                topic: topic.to_owned(),
                error: e.to_string(),
            })
        }
        Ok(match topic {
            NATIONAL_PORTAL_SYNC => Self::NationalPortalSync(de(topic, payload)?),
            NOTIFY_APPLICANT => Self::ApplicantNotification(de(topic, payload)?),
            INTER_AGENCY_HANDOVER => Self::InterAgencyHandover(de(topic, payload)?),
            WARNING => Self::Warning(Box::new(de(topic, payload)?)),
            other => return Err(ParseError::UnknownTopic(other.to_owned())),
        })
    }
}

/// What went wrong with a dead letter, in terms an operator can act on. Read from the
/// error text the deliverer keeps (`last_error`), whose first word says which it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The receiver could not be reached (connection refused, DNS, TLS).
    Unreachable,
    /// No answer in time.
    TimedOut,
    /// The receiver asked to slow down (429).
    Busy,
    /// The receiver failed (5xx, 408, 425).
    ReceiverError(u16),
    /// The receiver refused the message (another 4xx): it will refuse it again unchanged.
    Refused(u16),
    /// The stored row is not a message this version knows (unknown topic, bad payload).
    Unreadable,
    /// The national portal answered with an error code of its protocol, and its message
    /// (the portal's own words, e.g. which field it refused).
    Portal {
        code: i64,
        message: String,
    },
    Other,
}

impl Failure {
    pub fn of(last_error: &str) -> Self {
        let (head, _) = last_error.split_once(':').unwrap_or((last_error, ""));
        if let Some(code) = head.strip_prefix("HTTP ") {
            return match code.trim().parse::<u16>() {
                Ok(429) => Self::Busy,
                Ok(c @ (408 | 425 | 500..=599)) => Self::ReceiverError(c),
                Ok(c @ 400..=499) => Self::Refused(c),
                Ok(c) => Self::ReceiverError(c),
                Err(_) => Self::Other,
            };
        }
        if head == "portal"
            && let Some((code, message)) = last_error
                .get(head.len() + 1..)
                .and_then(|rest| rest.trim().strip_prefix("error_code "))
                .and_then(|rest| rest.split_once(':'))
            && let Ok(code) = code.trim().parse::<i64>()
        {
            return Self::Portal {
                code,
                message: message.trim().to_owned(),
            };
        }
        match head {
            "unreachable" => Self::Unreachable,
            "timeout" => Self::TimedOut,
            "unreadable" => Self::Unreadable,
            _ => Self::Other,
        }
    }
}

/// The outbox is one for the whole deployment: only the operator over every unit sees it.
async fn operator(app: &App, actor: &Actor) -> Result<(), AppError> {
    let tree = app.store.unit_tree().await?;
    motcua_domain::admin::may_operate_outbox(actor, &tree).map_err(|_| AppError::Forbidden)
}

/// The dead-letter list, most recently dead first (at most `limit`).
pub async fn dead_letters(
    app: &App,
    actor: &Actor,
    limit: usize,
) -> Result<Vec<DeadLetter>, AppError> {
    operator(app, actor).await?;
    Ok(app.store.dead_letters(limit).await?)
}

/// Puts one dead letter, or every one of a topic, back in the queue with its attempts
/// reset. Replaying what is no longer dead does nothing; returns how many went back.
pub async fn replay(app: &App, actor: &Actor, which: Replay<'_>) -> Result<u64, AppError> {
    operator(app, actor).await?;
    Ok(app
        .store
        .replay_dead(which, Some(&actor.account_id), Utc::now())
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_reads_back_from_its_row_and_the_json_keeps_its_shape() {
        let m = Message::NationalPortalSync(PortalSync {
            dossier: "d1".into(),
            code: None,
            status: 2,
            at: DateTime::parse_from_rfc3339("2025-01-07T03:00:00Z")
                .unwrap()
                .to_utc(),
        });
        let row = m.row("d1:2:sync".into());
        assert_eq!(row.topic, "national_portal.sync");
        assert_eq!(row.dossier.as_deref(), Some("d1"));
        assert_eq!(
            row.payload.to_string(),
            r#"{"at":"2025-01-07T03:00:00Z","code":null,"dossier":"d1","status":2}"#
        );
        assert_eq!(
            Message::parse(&row.topic, &row.payload.to_string()).unwrap(),
            m
        );
        let h = Message::parse(
            "inter_agency.handover",
            r#"{"parent":"p","unit":"000.00.31.H57","procedure":"1.001193"}"#,
        )
        .unwrap();
        assert_eq!(h.dossier(), Some("p"));
    }

    #[test]
    fn an_unknown_topic_or_a_bad_payload_is_an_error_not_a_panic() {
        assert_eq!(
            Message::parse("fax.send", "{}"),
            Err(ParseError::UnknownTopic("fax.send".into()))
        );
        for bad in [
            "",
            "[]",
            r#"{"dossier":"d"}"#,
            r#"{"parent":"p","unit":"nope","procedure":"1.001193"}"#,
        ] {
            assert!(
                matches!(
                    Message::parse("inter_agency.handover", bad),
                    Err(ParseError::Payload { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn failures_are_told_by_the_first_word_of_the_error() {
        assert_eq!(Failure::of("HTTP 503: down"), Failure::ReceiverError(503));
        assert_eq!(Failure::of("HTTP 429: slow down"), Failure::Busy);
        assert_eq!(Failure::of("HTTP 422: bad field"), Failure::Refused(422));
        assert_eq!(Failure::of("timeout: after 15 s"), Failure::TimedOut);
        assert_eq!(
            Failure::of("unreachable: connection refused"),
            Failure::Unreachable
        );
        assert_eq!(
            Failure::of("unreadable: unknown topic"),
            Failure::Unreadable
        );
        assert_eq!(Failure::of("something else"), Failure::Other);
        assert_eq!(
            Failure::of("portal: error_code -2: MaTTHC: \"1.004194\" không có"),
            Failure::Portal {
                code: -2,
                message: "MaTTHC: \"1.004194\" không có".into()
            }
        );
        // Not the portal's answer: nothing of it is shown.
        assert_eq!(
            Failure::of("portal: record does not serialise: key must be a string"),
            Failure::Other
        );
    }
}
