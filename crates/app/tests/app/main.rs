//! The use cases of `motcua-app` called directly, without HTTP, on a real database (SQLite,
//! or PostgreSQL when `MOTCUA_TEST_DATABASE_URL` is set). One binary, so that the store and
//! the index are linked once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod calendar;
mod catalogue;
mod dossiers;
mod eforms;
mod live;
mod login;
mod periods;
mod procedures;
mod support;
mod warnings;
