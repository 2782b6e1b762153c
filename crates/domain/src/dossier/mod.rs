//! Dossiers (hồ sơ): statuses, codes, processes, and the state machine of
//! `spec/dossier.md` as pure functions over events.

pub mod allowed;
pub mod code;
pub mod control;
pub mod decide;
pub mod export;
pub mod files;
pub mod import;
pub mod limits;
pub mod model;
pub mod outside;
pub mod process;
pub mod status;
pub mod transfer;

pub use allowed::{Allowed, allowed, permits};
pub use code::{CodeGenerator, DossierCode, Tt01Codes};
pub use decide::{Command, Context, DossierError, decide};
pub use files::{DeskApplicant, Digitisation, FileRef};
pub use limits::{LimitError, Limits};
pub use model::{By, Change, Dossier, Event, Rating};
pub use process::{InterAgency, Process, Step, StepAction, StepUnit};
pub use status::Status;
pub use transfer::transfer_targets;

#[cfg(test)]
mod tests;
