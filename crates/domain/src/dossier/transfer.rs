//! Transfer to another unit (chuyển hồ sơ sang đơn vị khác): the worker of a step that
//! allows it hands the dossier to another competent unit of its procedure, which starts the
//! process from its first step. The code and the receipt's appointment stay: the applicant
//! holds that receipt, and the 766 index judges against it.

use super::decide::{Command, Context, DossierError, need_reason, status_err, step_worker};
use super::model::{By, Change, Dossier};
use super::process::{Process, StepAction};
use super::status::Status;
use crate::codes::UnitCode;
use crate::unit::UnitTree;

/// The units the dossier could go to: the procedure's competent units other than its own,
/// in the given order, where the process's first step has a unit to work it (a step of the
/// parent unit needs a parent).
pub fn transfer_targets(
    d: &Dossier,
    process: &Process,
    competent_units: &[UnitCode],
    tree: &UnitTree,
) -> Vec<UnitCode> {
    competent_units
        .iter()
        .filter(|u| **u != d.unit && tree.get(u).is_some())
        .filter(|u| process.step_unit(0, u, tree).is_some())
        .cloned()
        .collect()
}

pub(super) fn decide_transfer(
    d: &Dossier,
    cmd: &Command,
    to: &UnitCode,
    reason: &str,
    ctx: &Context<'_>,
) -> Result<(By, Vec<Change>), DossierError> {
    if !matches!(d.status, Status::Received | Status::Processing) {
        return Err(status_err(cmd, d));
    }
    // The other unit's part is still open; it would be left without a parent to return to.
    if d.waiting_for_child {
        return Err(DossierError::WaitingForChild);
    }
    let (by, _) = step_worker(ctx, d, StepAction::Transfer, "transfer")?;
    if *to == d.unit {
        return Err(DossierError::TransferSameUnit);
    }
    let process = ctx
        .process
        .ok_or(DossierError::StepDoesNotAllow("transfer"))?;
    if !transfer_targets(d, process, ctx.competent_units, ctx.tree).contains(to) {
        return Err(DossierError::TransferNotCompetent);
    }
    Ok((
        by,
        vec![Change::Transferred {
            from: d.unit.clone(),
            to: to.clone(),
            reason: need_reason(reason)?,
        }],
    ))
}
