//! Health, readiness and metrics for operators and their monitoring.
//!
//! `/healthz` is public. `/readyz` and `/metrics` tell more (schema state, outbox backlog,
//! traffic): on the public listener they answer only to `Authorization: Bearer <ops
//! token>` and are 404 otherwise, like a path that does not exist; on the operators' own
//! listener (`serve_ops`) they need no token.

use crate::AppState;
use crate::auth::same_secret;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).merge(
        Router::new()
            .route("/readyz", get(readyz))
            .route("/metrics", get(metrics))
            .layer(middleware::from_fn_with_state(state.clone(), require_token)),
    )
}

/// The three routes without a token, for a listener of their own.
pub fn private_routes(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(state)
}

async fn require_token(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let given = crate::auth::bearer(req.headers());
    match (&state.config.ops_token, given) {
        (Some(want), Some(given)) if !want.is_empty() && same_secret(want, &given) => {
            next.run(req).await
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// The database answers and its schema is current.
async fn readyz(State(state): State<AppState>) -> Response {
    let db = state.app.store.ping().await.is_ok();
    let pending = state.app.store.pending_migrations().await.ok();
    let ready = db && pending == Some(0);
    // Informative only: a peer being down does not make this server unready.
    let outbox: Option<std::collections::BTreeMap<String, i64>> = state
        .app
        .store
        .outbox_pending()
        .await
        .ok()
        .map(|v| v.into_iter().collect());
    let body = serde_json::json!({
        "ready": ready,
        "database": if db { "ok" } else { "unreachable" },
        "pending_migrations": pending,
        "outbox_pending": outbox,
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(body)).into_response()
}

/// A gauge with one line per topic.
fn by_topic(name: &str, help: &str, counts: &[(String, i64)]) -> String {
    use std::fmt::Write as _;
    let mut s = format!("# HELP {name} {help}\n# TYPE {name} gauge\n");
    for (topic, n) in counts {
        let t = topic.replace('\\', "\\\\").replace('"', "\\\"");
        let _ = writeln!(s, "{name}{{topic=\"{t}\"}} {n}");
    }
    s
}

async fn metrics(State(state): State<AppState>) -> Response {
    let procedures = state
        .app
        .store
        .published_procedures()
        .await
        .map(|p| p.len() as i64)
        .unwrap_or(-1);
    let units = state
        .app
        .store
        .units()
        .await
        .map(|u| u.len() as i64)
        .unwrap_or(-1);
    let body = state.metrics.render(&[
        (
            "motcua_catalogue_procedures",
            "Published procedures in the catalogue.",
            procedures,
        ),
        ("motcua_units", "Units in the unit tree.", units),
    ]) + &by_topic(
        "motcua_outbox_pending",
        "Undelivered outbox messages per topic that will still be tried.",
        &state.app.store.outbox_pending().await.unwrap_or_default(),
    ) + &by_topic(
        "motcua_outbox_dead",
        "Outbox messages on the dead-letter list per topic, waiting for an operator.",
        &state
            .app
            .store
            .outbox_dead_counts()
            .await
            .unwrap_or_default(),
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_topic_gauge_has_one_escaped_line_per_topic() {
        let s = super::by_topic(
            "motcua_outbox_pending",
            "x",
            &[("a\"b".into(), 3), ("notify.applicant".into(), 0)],
        );
        assert!(s.contains("motcua_outbox_pending{topic=\"a\\\"b\"} 3\n"));
        assert!(s.contains("motcua_outbox_pending{topic=\"notify.applicant\"} 0\n"));
    }
}
