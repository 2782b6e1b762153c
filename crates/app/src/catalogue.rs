//! Changes of the catalogue and of the units, written once for the API and the pages. Each
//! reaches the live index before it returns: the index's catalogue (units, their order and
//! names, the procedures per unit) is the one the bundle export carries, so the live
//! figures equal `motcua index compute` on an export made right after.

use crate::{App, AppError, Missing};
use motcua_domain::access::{Action, Actor, Resource, authorize};
use motcua_domain::bundle::UnitRecord;
use motcua_domain::{ProcedureCode, UnitCode};
use motcua_store::StoreError;

/// Saves a draft version of a procedure (edits the open draft, or opens one) and returns
/// its number. The record is normalised first; every unit it names must exist; the actor
/// needs the catalogue-editing right in every unit the draft names and, for a procedure
/// already in the catalogue, in every unit it names now (nobody takes a procedure away
/// from a unit they do not edit for).
pub async fn save_draft(
    app: &App,
    actor: &Actor,
    draft: motcua_domain::procedure::Procedure,
) -> Result<i64, AppError> {
    let draft = draft.normalised()?;
    let tree = app.store.unit_tree().await?;
    let unknown: Vec<UnitCode> = draft
        .units
        .iter()
        .filter(|u| tree.get(u).is_none())
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(AppError::UnknownUnits(unknown));
    }
    let edit = |units: Vec<UnitCode>| {
        authorize(
            actor,
            Action::EditCatalogue,
            &Resource::Procedure { units },
            &tree,
        )
        .map_err(|_| AppError::Forbidden)
    };
    edit(draft.units.clone())?;
    match app.store.procedure(&draft.code).await {
        Ok(current) => edit(current.procedure.units)?,
        Err(StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(app
        .store
        .save_draft(&draft, Some(&actor.account_id))
        .await?)
}

/// Publishes a saved draft version of a procedure. Whoever may publish for every unit the
/// draft names may do it; a version already published is `VersionAlreadyPublished`.
pub async fn publish(
    app: &App,
    actor: &Actor,
    code: &ProcedureCode,
    version: i64,
) -> Result<(), AppError> {
    let draft = app
        .store
        .procedure_version(code, version)
        .await
        .map_err(AppError::missing(Missing::Version))?;
    let tree = app.store.unit_tree().await?;
    authorize(
        actor,
        Action::PublishCatalogue,
        &Resource::Procedure { units: draft.units },
        &tree,
    )
    .map_err(|_| AppError::Forbidden)?;
    match app
        .store
        .publish(code, version, Some(&actor.account_id))
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Err(AppError::VersionAlreadyPublished),
        Err(e) => return Err(e.into()),
    }
    app.catalogue_changed().await
}

/// Renames a unit (its old name stays findable).
pub async fn rename_unit(
    app: &App,
    actor: &Actor,
    code: &UnitCode,
    name: &str,
) -> Result<UnitRecord, AppError> {
    let tree = app.store.unit_tree().await?;
    operate(actor, code, &tree)?;
    let change = tree.rename(code, name)?;
    app.store
        .apply_unit_change(&change, Some(&actor.account_id))
        .await?;
    app.catalogue_changed().await?;
    Ok(app.store.unit(code).await?)
}

/// Merges a unit into another (the 2025 reform): it stays findable with its successor
/// recorded, and its sub-units move to the successor. Needs the right to operate both.
pub async fn merge_unit(
    app: &App,
    actor: &Actor,
    code: &UnitCode,
    into: &UnitCode,
) -> Result<UnitRecord, AppError> {
    let tree = app.store.unit_tree().await?;
    operate(actor, code, &tree)?;
    operate(actor, into, &tree)?;
    let change = tree.merge(code, into)?;
    app.store
        .apply_unit_change(&change, Some(&actor.account_id))
        .await?;
    app.catalogue_changed().await?;
    Ok(app.store.unit(code).await?)
}

fn operate(
    actor: &Actor,
    unit: &UnitCode,
    tree: &motcua_domain::unit::UnitTree,
) -> Result<(), AppError> {
    authorize(actor, Action::Operate, &Resource::Unit(unit.clone()), tree)
        .map_err(|_| AppError::Forbidden)
}
