//! A procedure as its administrators work on it: its versions, who may do what with it, and
//! the drafts and publications of its process definition and its e-form. The catalogue
//! record's own draft and publication are in [`crate::catalogue`].

use crate::{App, AppError, Missing};
use motcua_domain::access::{Action, Actor, Resource, authorize};
use motcua_domain::dossier::Process;
use motcua_domain::dossier::process::ProcessError;
use motcua_domain::eform::DefinitionError;
use motcua_domain::procedure::{Procedure, VersionStatus};
use motcua_domain::unit::UnitTree;
use motcua_domain::{ProcedureCode, UnitCode};
use motcua_store::StoreError;
use motcua_store::procedures::VersionInfo;

/// A procedure with its versions and the actor's rights over it.
pub struct Administered {
    pub code: ProcedureCode,
    pub versions: Vec<VersionInfo>,
    /// The newest version, draft or published.
    pub latest: Procedure,
    /// The newest published version's number.
    pub published: Option<i64>,
    /// The units of the published version (the ones dossiers reach), else the latest's.
    pub units: Vec<UnitCode>,
    /// Editing needs the right in every competent unit, before and after the change.
    pub can_edit: bool,
    pub can_publish: bool,
    /// The process serves the units of the published version.
    pub can_publish_process: bool,
}

impl Administered {
    /// The number of the open draft, if the newest version is one.
    pub fn draft(&self) -> Option<i64> {
        self.versions
            .last()
            .filter(|v| v.status == VersionStatus::Draft)
            .map(|v| v.version)
    }

    pub fn latest_version(&self) -> i64 {
        self.versions.last().map_or(0, |v| v.version)
    }
}

/// The procedure if one of its units is among those the actor administers the catalogue
/// for; otherwise `NotFound` for an unknown code and `Forbidden` for a known one.
pub async fn administered(
    app: &App,
    actor: &Actor,
    code: &ProcedureCode,
    catalogue_units: &[UnitCode],
) -> Result<(Administered, UnitTree), AppError> {
    let versions = app.store.procedure_versions(code).await?;
    let last = versions
        .last()
        .ok_or(AppError::NotFound(Missing::Procedure))?;
    let latest = app.store.procedure_version(code, last.version).await?;
    let published = versions
        .iter()
        .rev()
        .find(|v| v.status == VersionStatus::Published)
        .map(|v| v.version);
    let units = match published {
        Some(v) if v != last.version => app.store.procedure_version(code, v).await?.units,
        _ => latest.units.clone(),
    };
    if !units.iter().any(|u| catalogue_units.contains(u)) {
        return Err(AppError::Forbidden);
    }
    let tree = app.store.unit_tree().await?;
    let allowed = |action, units: &[UnitCode]| {
        authorize(
            actor,
            action,
            &Resource::Procedure {
                units: units.to_vec(),
            },
            &tree,
        )
        .is_ok()
    };
    let can_edit =
        allowed(Action::EditCatalogue, &units) && allowed(Action::EditCatalogue, &latest.units);
    let can_publish = allowed(Action::PublishCatalogue, &latest.units);
    let can_publish_process = allowed(Action::PublishProcess, &units);
    Ok((
        Administered {
            code: code.clone(),
            versions,
            latest,
            published,
            units,
            can_edit,
            can_publish,
            can_publish_process,
        },
        tree,
    ))
}

/// What the actor may do with the procedure, asked again at the moment of the write (the
/// page that offered the button may be old).
async fn rights(
    app: &App,
    actor: &Actor,
    code: &ProcedureCode,
) -> Result<(Administered, UnitTree), AppError> {
    let tree = app.store.unit_tree().await?;
    let mine = motcua_domain::access::units_for(actor, Action::EditCatalogue, &tree);
    administered(app, actor, code, &mine).await
}

/// Saves the procedure's process definition as a draft; returns its version.
pub async fn save_process(app: &App, actor: &Actor, process: &Process) -> Result<i64, AppError> {
    let (p, _) = rights(app, actor, &process.procedure).await?;
    if !p.can_edit {
        return Err(AppError::Forbidden);
    }
    Ok(app
        .store
        .save_process_draft(process, Some(&actor.account_id))
        .await?)
}

/// Publishes a process draft; `Ok(Err(_))` when the definition does not fit the procedure
/// or the unit tree.
pub async fn publish_process(
    app: &App,
    actor: &Actor,
    code: &ProcedureCode,
    version: i64,
) -> Result<Result<(), ProcessError>, AppError> {
    let (p, tree) = rights(app, actor, code).await?;
    if !p.can_publish_process {
        return Err(AppError::Forbidden);
    }
    app.store
        .publish_process_draft(code, version, &tree, Some(&actor.account_id))
        .await
        .map_err(published_error)
}

/// Saves the procedure's e-form definition (its text) as a draft; returns its version.
pub async fn save_eform(
    app: &App,
    actor: &Actor,
    code: &ProcedureCode,
    definition: &str,
) -> Result<i64, AppError> {
    let (p, _) = rights(app, actor, code).await?;
    if !p.can_edit {
        return Err(AppError::Forbidden);
    }
    Ok(app
        .store
        .save_eform_draft(code, definition, Some(&actor.account_id))
        .await?)
}

/// Publishes an e-form draft; `Ok(Err(_))` lists what is wrong with the definition.
pub async fn publish_eform(
    app: &App,
    actor: &Actor,
    code: &ProcedureCode,
    version: i64,
) -> Result<Result<(), Vec<DefinitionError>>, AppError> {
    let (p, _) = rights(app, actor, code).await?;
    if !p.can_publish {
        return Err(AppError::Forbidden);
    }
    app.store
        .publish_eform_draft(code, version, Some(&actor.account_id))
        .await
        .map_err(published_error)
}

fn published_error(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => AppError::VersionAlreadyPublished,
        StoreError::NotFound => AppError::NotFound(Missing::Version),
        other => other.into(),
    }
}
