//! The generic webhook: POST the message's JSON to one URL with `Idempotency-Key`.
//!
//! 2xx is delivered. 408, 425, 429 and 5xx, a network error or a timeout are worth another
//! try (after `Retry-After` when the answer has one). Any other answer will not change by
//! sending the same body again: rejected.

use crate::destination::{BoxFuture, Destination, Envelope, Outcome};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Webhook {
    client: reqwest::Client,
    url: reqwest::Url,
}

/// Text of an answer's body kept for the operator, at most this many bytes.
const BODY_KEPT: usize = 1024;

impl Webhook {
    pub fn new(url: reqwest::Url, timeout: Duration) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("motcua/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { client, url })
    }

    async fn post(&self, e: &Envelope) -> Outcome {
        let r = match self
            .client
            .post(self.url.clone())
            .header("idempotency-key", &e.key)
            .header(CONTENT_TYPE, "application/json")
            .body(e.message.payload().to_string())
            .send()
            .await
        {
            Ok(r) => r,
            Err(err) => {
                let kind = if err.is_timeout() {
                    "timeout"
                } else {
                    "unreachable"
                };
                return Outcome::Retry {
                    after: None,
                    error: format!("{kind}: {err}"),
                };
            }
        };
        let status = r.status();
        if status.is_success() {
            return Outcome::Delivered;
        }
        let after = retry_after(r.headers(), chrono::Utc::now());
        let error = format!("HTTP {}: {}", status.as_u16(), body_start(r).await);
        if retryable(status) {
            Outcome::Retry { after, error }
        } else {
            Outcome::Rejected(error)
        }
    }
}

impl Destination for Webhook {
    fn deliver<'a>(&'a self, e: &'a Envelope) -> BoxFuture<'a, Outcome> {
        Box::pin(self.post(e))
    }
}

fn retryable(s: StatusCode) -> bool {
    s.is_server_error()
        || matches!(
            s,
            StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_EARLY | StatusCode::TOO_MANY_REQUESTS
        )
}

/// `Retry-After` as seconds or as an HTTP date (RFC 9110 §10.2.3); a date in the past is 0.
fn retry_after(h: &HeaderMap, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let v = h.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    Some((at.to_utc() - now).to_std().unwrap_or(Duration::ZERO))
}

/// The start of an answer's body, for the operator; never more than [`BODY_KEPT`] bytes
/// read, whatever the receiver sends.
async fn body_start(mut r: reqwest::Response) -> String {
    let mut buf = Vec::new();
    while buf.len() < BODY_KEPT {
        match r.chunk().await {
            Ok(Some(c)) => buf.extend_from_slice(&c),
            _ => break,
        }
    }
    buf.truncate(BODY_KEPT);
    String::from_utf8_lossy(&buf).trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_is_seconds_or_a_date() {
        let now = chrono::DateTime::parse_from_rfc3339("2025-01-07T08:00:00Z")
            .unwrap()
            .to_utc();
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h, now), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static("120"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(120)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Tue, 07 Jan 2025 08:01:30 GMT"),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(90)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Tue, 07 Jan 2025 07:00:00 GMT"),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h, now), None);
    }

    #[test]
    fn which_answers_are_worth_another_try() {
        for s in [408, 425, 429, 500, 502, 503, 504] {
            assert!(retryable(StatusCode::from_u16(s).unwrap()), "{s}");
        }
        for s in [400, 401, 403, 404, 409, 410, 413, 422, 301] {
            assert!(!retryable(StatusCode::from_u16(s).unwrap()), "{s}");
        }
    }
}
