//! Where a topic's messages go: one [`Destination`] per outside system.

use motcua_app::outbox::Message;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A message on its way, with what a receiver needs to deduplicate it.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// The receiver's idempotency key: the same for every attempt of one message.
    pub key: String,
    /// This attempt's number, from 1.
    pub attempt: i64,
    pub message: Message,
}

/// What a destination made of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Try again: after `after` when the receiver said so, else after the backoff.
    /// `error` is kept for the operator, its first word saying which kind of failure
    /// (`motcua_app::outbox::Failure::of`).
    Retry {
        after: Option<Duration>,
        error: String,
    },
    /// The receiver will not take it as it is: straight to the dead-letter list.
    Rejected(String),
}

/// An outside system that takes messages.
pub trait Destination: Send + Sync {
    fn deliver<'a>(&'a self, e: &'a Envelope) -> BoxFuture<'a, Outcome>;
}
