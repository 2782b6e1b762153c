//! Dossiers over HTTP: the applicant's, the officer's and the public's endpoints, all going
//! through [`service::execute`].

pub mod api;
mod effects;
mod errors;
pub mod files;
pub mod limits;
pub mod service;
pub mod views;
