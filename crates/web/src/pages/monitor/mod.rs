//! The monitors' pages: the 766 index by unit with its charts and tables, a unit's figures
//! and dossiers, the warnings, and the periods they are read over.

pub(crate) mod dashboard;
pub(crate) mod period;
pub(crate) mod svg;
pub(crate) mod unit;
pub(crate) mod warnings;

use crate::AppState;
use axum::Router;
use axum::routing::get;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/giam-sat", get(dashboard::dashboard))
        .route("/giam-sat/canh-bao", get(warnings::page))
        .route("/giam-sat/don-vi/{code}", get(unit::unit_page))
        .route("/giam-sat/don-vi/{code}/ho-so", get(unit::dossiers))
        .route("/static/monitor.css", get(dashboard::stylesheet))
        .route("/static/htmx.min.js", get(dashboard::htmx))
}
