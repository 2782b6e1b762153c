//! motcua's outside systems: delivering the transactional outbox, and the adapters of the
//! national systems it delivers to (the national portal, `national_portal`).
//!
//! Dossier commits write typed messages (`motcua_app::outbox::Message`) as outbox rows. The
//! [`worker::Worker`] claims due rows under a lease, reads each back into its message (a row
//! that does not read is dead at once, never a panic), and hands it to the
//! [`Destination`] configured for its topic. A destination answers delivered, retry (after
//! a backoff with jitter, or when the receiver said with `Retry-After`), or rejected. After
//! a bounded number of attempts, or at once when rejected, the row goes on the dead-letter
//! list, where an operator sees it and replays it (`motcua_app::outbox::replay`). A
//! dossier's messages of one topic go out in the order they were written (the claim takes
//! only the first undelivered one of each dossier).
//!
//! Nothing here serves HTTP: it is a client of the outside systems only.

pub mod backoff;
pub mod destination;
pub mod national_portal;
pub mod webhook;
pub mod worker;

pub use backoff::Backoff;
pub use destination::{BoxFuture, Destination, Envelope, Outcome};
pub use webhook::Webhook;
pub use worker::{Pass, Worker, WorkerConfig, parse_target};

/// How long one delivery request may take unless configured otherwise.
pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);
