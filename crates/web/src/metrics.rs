//! A few Prometheus counters kept in atomics. A full metrics registry would be one more
//! global; these are per server instance, which also keeps parallel tests apart.

use axum::http::{Method, StatusCode};
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 8] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
pub struct Metrics {
    by_class: [AtomicU64; 5],
    writes: AtomicU64,
    buckets: [AtomicU64; 8],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Metrics {
    pub fn observe(&self, method: &Method, status: StatusCode, took: Duration) {
        let class = (status.as_u16() / 100).clamp(1, 5) as usize - 1;
        self.by_class[class].fetch_add(1, Ordering::Relaxed);
        if !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
            self.writes.fetch_add(1, Ordering::Relaxed);
        }
        let secs = took.as_secs_f64();
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(
            u64::try_from(took.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// Prometheus text exposition format.
    pub fn render(&self, extra: &[(&str, &str, i64)]) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# HELP motcua_http_requests_total HTTP responses by status class."
        );
        let _ = writeln!(s, "# TYPE motcua_http_requests_total counter");
        for (i, c) in self.by_class.iter().enumerate() {
            let _ = writeln!(
                s,
                "motcua_http_requests_total{{class=\"{}xx\"}} {}",
                i + 1,
                c.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            s,
            "# HELP motcua_http_writes_total Requests with a write method."
        );
        let _ = writeln!(s, "# TYPE motcua_http_writes_total counter");
        let _ = writeln!(
            s,
            "motcua_http_writes_total {}",
            self.writes.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            s,
            "# HELP motcua_http_request_duration_seconds Time to respond."
        );
        let _ = writeln!(s, "# TYPE motcua_http_request_duration_seconds histogram");
        for (i, b) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                s,
                "motcua_http_request_duration_seconds_bucket{{le=\"{b}\"}} {}",
                self.buckets[i].load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(
            s,
            "motcua_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            s,
            "motcua_http_request_duration_seconds_sum {}",
            self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(s, "motcua_http_request_duration_seconds_count {count}");
        for (name, help, v) in extra {
            let _ = writeln!(s, "# HELP {name} {help}");
            let _ = writeln!(s, "# TYPE {name} gauge");
            let _ = writeln!(s, "{name} {v}");
        }
        s
    }
}
