//! The citizens' and businesses' pages: the catalogue of procedures, their dossiers from
//! draft to result, the review before submission, their list and the public lookup.

pub(crate) mod catalogue;
pub(crate) mod dossiers;
pub(crate) mod lists;
pub(crate) mod review;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(catalogue::home))
        .route("/thu-tuc", get(catalogue::search))
        .route("/thu-tuc/{code}", get(catalogue::procedure))
        .route("/ho-so", post(dossiers::create))
        .route("/ho-so/{id}", get(dossiers::show))
        .route("/ho-so/{id}/to-khai", post(dossiers::save_or_submit))
        .route("/ho-so/{id}/xem-lai", get(review::show))
        .route("/ho-so/{id}/xac-nhan", post(review::confirm))
        .route("/ho-so/{id}/{action}", post(dossiers::act))
        .route("/ho-so-cua-toi", get(lists::mine))
        .route("/ho-so-cua-toi/ma-nop-ho", post(lists::assist))
        .route("/tra-cuu", get(lists::lookup))
}
