//! The web crate's integration tests, one binary: each module starts the real app on
//! port 0 against a real database (SQLite, or PostgreSQL with `MOTCUA_TEST_DATABASE_URL`)
//! and uses it as a client would. One binary links the app once instead of once a file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin_support;
mod common;
mod lang_support;

mod admin;
mod admin_catalogue;
mod admin_outbox;
mod api;
mod attack_review;
mod desk;
mod dossiers;
mod eforms;
mod errors;
mod files;
mod index_live;
mod index_snapshot;
mod limits;
mod live_follows;
mod monitor;
mod national_portal;
mod net;
mod pages;
mod pages_dossiers;
mod pages_lang;
mod pages_lang_dossier;
mod pages_lang_office;
mod pages_lang_office_admin;
mod pages_review;
mod transfer;
