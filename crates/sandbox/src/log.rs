//! The request log every sandbox serves at `GET /_sandbox/log`: what arrived, in order, and
//! what it was answered, so that a test can check what an adapter really sent.

use std::collections::VecDeque;

use chrono::{SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;

/// How many entries are kept; older ones are dropped first. Enough for a long rehearsal,
/// small enough that a sandbox left running does not grow without end.
pub const CAPACITY: usize = 100_000;

/// What the log shows instead of a secret.
pub const MASK: &str = "***";

/// Keys whose values are secrets wherever they appear, in requests and in answers (the
/// login's answer carries the session).
const SECRET_KEYS: [&str; 2] = ["password", "session"];

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Entry {
    /// 1 for the first request the sandbox received; it keeps counting when old entries
    /// are dropped, so a gap shows that some were.
    pub seq: u64,
    /// When the request was handled, RFC 3339 in UTC.
    pub at: String,
    pub method: String,
    pub path: String,
    /// The `service` named in the body, when there is one.
    pub service: Option<String>,
    /// The JSON body with its secrets masked; null when the body was not JSON.
    pub request: Value,
    pub http_status: u16,
    /// The JSON answer with its secrets masked; null when the answer was not JSON (an
    /// injected fault).
    pub response: Value,
}

#[derive(Debug)]
pub struct RequestLog {
    entries: VecDeque<Entry>,
    next_seq: u64,
    capacity: usize,
}

impl Default for RequestLog {
    fn default() -> Self {
        Self::with_capacity(CAPACITY)
    }
}

impl RequestLog {
    pub fn with_capacity(capacity: usize) -> Self {
        RequestLog {
            entries: VecDeque::new(),
            next_seq: 1,
            capacity: capacity.max(1),
        }
    }

    /// Appends one exchange; the caller holds the sandbox's lock for the whole exchange, so
    /// the log's order is the order in which requests were handled.
    pub fn record(
        &mut self,
        method: &str,
        path: &str,
        request: Option<&Value>,
        http_status: u16,
        response: Option<&Value>,
    ) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        let service = request
            .and_then(|r| r.get("service"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        if self.entries.len() >= self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back(Entry {
            seq,
            at: Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
            method: method.to_owned(),
            path: path.to_owned(),
            service,
            request: request.map(masked).unwrap_or(Value::Null),
            http_status,
            response: response.map(masked).unwrap_or(Value::Null),
        });
        seq
    }

    pub fn entries(&self) -> impl ExactSizeIterator<Item = &Entry> {
        self.entries.iter()
    }
}

/// A copy of `value` with the value of every secret key, at any depth, replaced by [`MASK`].
pub fn masked(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if SECRET_KEYS.contains(&k.as_str()) {
                        Value::String(MASK.to_owned())
                    } else {
                        masked(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(masked).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_masked_at_any_depth_and_nothing_else() {
        let v = json!({
            "username": "motcua", "password": "p", "session": "s",
            "data": [{"session": {"deep": 1}, "MaHoSo": "X"}],
        });
        assert_eq!(
            masked(&v),
            json!({
                "username": "motcua", "password": "***", "session": "***",
                "data": [{"session": "***", "MaHoSo": "X"}],
            })
        );
    }

    #[test]
    fn keeps_the_last_entries_and_counts_on() {
        let mut log = RequestLog::with_capacity(3);
        for i in 0..5 {
            let body = json!({"service": format!("S{i}")});
            log.record("POST", "/service", Some(&body), 200, None);
        }
        let kept: Vec<_> = log
            .entries()
            .map(|e| (e.seq, e.service.clone().unwrap_or_default()))
            .collect();
        assert_eq!(kept, [(3, "S2".into()), (4, "S3".into()), (5, "S4".into())]);
    }

    #[test]
    fn no_service_without_a_string_one() {
        let mut log = RequestLog::default();
        log.record("POST", "/service", Some(&json!({"service": 5})), 200, None);
        log.record("POST", "/service", None, 200, None);
        let entries: Vec<_> = log.entries().collect();
        assert!(entries.iter().all(|e| e.service.is_none()));
        assert_eq!(entries[0].request, json!({"service": 5}));
        assert!(entries[1].request.is_null());
    }
}
