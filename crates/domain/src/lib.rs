//! The rules of motcua, free of I/O: codes, units, the procedure catalogue, accounts and
//! permissions, the data bundle. Every function here is deterministic; time is passed in.

pub mod access;
pub mod admin;
pub mod bundle;
pub mod codes;
pub mod dossier;
pub mod eform;
pub mod procedure;
pub mod search;
pub mod text;
pub mod unit;

pub use codes::{Cccd, CodeError, ProcedureCode, UnitCode};
