//! The officers' side (cán bộ): the one-stop desk's intake and receipts, the inbox of
//! dossiers to handle, each dossier's page with the actions the domain allows, the control
//! sheet, results and files.

pub(crate) mod action_forms;
pub(crate) mod desk;
pub(crate) mod desk_files;
pub(crate) mod desk_intake;
pub(crate) mod desk_sheet;
pub(crate) mod dossier_view;
pub(crate) mod inbox;
pub(crate) mod names;
pub(crate) mod portal_sync;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/can-bo", get(inbox::inbox))
        .route("/can-bo/ho-so/{id}", get(inbox::show))
        .route("/can-bo/ho-so/{id}/phieu-tiep-nhan", get(inbox::receipt))
        .route("/can-bo/ho-so/{id}/phieu-kiem-soat", get(desk_sheet::show))
        .route("/can-bo/ho-so/{id}/{action}", post(inbox::act))
}
