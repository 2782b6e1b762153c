//! Dossiers over HTTP: the applicant's, the officer's and the public's endpoints, all going
//! through the app's one write path (`motcua_app::dossiers::execute`).

pub mod api;
mod errors;
pub mod files;
pub mod views;
