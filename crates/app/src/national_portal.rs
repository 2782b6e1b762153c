//! The national portal's side of a dossier: what the adapter reads to bring the portal up
//! to date, what it records when the portal answered, and what officers and operators see
//! of it. The protocol itself lives in `motcua-integrations` (`docs/national-portal.md`).

use crate::{App, AppError};
use motcua_domain::access::Actor;
use motcua_domain::dossier::outside::Fact;
use motcua_domain::dossier::{Dossier, Event, Status};
use motcua_domain::procedure::Procedure;
use motcua_store::files::StoredFile;
use motcua_store::national_portal::{PortalSyncCounts, PortalSyncState};
use std::collections::BTreeMap;

/// Everything the portal's record and progress rows of one dossier are made of.
#[derive(Debug, Clone)]
pub struct SyncView {
    pub dossier: Dossier,
    pub events: Vec<Event>,
    pub procedure: Procedure,
    /// The name of the unit that handles it.
    pub unit_name: String,
    pub applicant_name: Option<String>,
    /// The walk-in applicant's CCCD, as the desk recorded it.
    pub applicant_cccd: Option<String>,
    pub files: Vec<StoredFile>,
    /// The display names of the accounts that acted on it (the progress rows' officers).
    pub people: BTreeMap<String, String>,
    /// The names of the units they acted in.
    pub units: BTreeMap<String, String>,
    /// What the portal has acknowledged so far.
    pub state: PortalSyncState,
}

/// The `MaHoSo` the portal knows a dossier by: its code. A dossier still waiting at
/// reception has none yet and is sent once received (the code is the receipt's, and a
/// record sent under another key would stay on the portal as a second dossier); one that
/// ended before reception (refused, withdrawn) never gets a code and goes by its id.
pub fn portal_key(d: &Dossier) -> Option<String> {
    match (&d.code, d.status) {
        (Some(code), _) => Some(code.to_string()),
        (None, Status::Refused | Status::Withdrawn) => Some(d.id.clone()),
        (None, _) => None,
    }
}

/// What the adapter needs for dossier `id`, or None when the portal cannot take it yet.
pub async fn view(app: &App, id: &str) -> Result<Option<SyncView>, AppError> {
    let stored = app
        .store
        .dossier(id)
        .await
        .map_err(AppError::missing(crate::Missing::Dossier))?;
    let Some(key) = portal_key(&stored.state) else {
        return Ok(None);
    };
    let d = &stored.state;
    let events = app.store.dossier_events(id).await?;
    let procedure = match app
        .store
        .procedure_version(&d.procedure, d.procedure_version)
        .await
    {
        Ok(p) => p,
        // A dossier imported without its version's record: the published one names it.
        Err(_) => app.store.procedure(&d.procedure).await?.procedure,
    };
    let tree = app.store.unit_tree().await?;
    let unit_name = tree
        .get(&d.unit)
        .map_or_else(|| d.unit.to_string(), |u| u.name.clone());
    let applicant_name = crate::dossiers::applicant_name(app, &stored).await;
    let applicant_cccd = d.applicant.strip_prefix("cccd:").map(str::to_owned);
    let files = app.store.dossier_files(id).await?;
    let mut people = BTreeMap::new();
    let mut units = BTreeMap::new();
    for e in &events {
        if !people.contains_key(&e.by.account)
            && let Ok(a) = app.store.account(&e.by.account).await
        {
            people.insert(e.by.account.clone(), a.display_name);
        }
        if let Some(u) = e.by.unit.as_ref().and_then(|c| tree.get(c)) {
            units.insert(u.code.to_string(), u.name.clone());
        }
    }
    let state = app
        .store
        .portal_sync(id)
        .await?
        .unwrap_or_else(|| PortalSyncState::new(id, &key));
    Ok(Some(SyncView {
        dossier: stored.state,
        events,
        procedure,
        unit_name,
        applicant_name,
        applicant_cccd,
        files,
        people,
        units,
        state,
    }))
}

/// Keeps what the portal acknowledged so far (progress rows taken, a refusal).
pub async fn save(app: &App, state: &PortalSyncState) -> Result<(), AppError> {
    Ok(app.store.save_portal_sync(state).await?)
}

/// The portal took the dossier's record and every progress row up to now: the state is
/// kept, and the dossier's `synced` fact recorded (once) on the portal's word.
pub async fn acknowledged(
    app: &App,
    state: &PortalSyncState,
    reference: Option<String>,
) -> Result<(), AppError> {
    app.store.save_portal_sync(state).await?;
    crate::outside::confirm(app, &state.dossier_id, Fact::Synced, reference).await?;
    Ok(())
}

/// What the portal knows of a dossier, for an officer who may read it.
pub async fn state_of(
    app: &App,
    actor: &Actor,
    id: &str,
) -> Result<Option<PortalSyncState>, AppError> {
    crate::dossiers::readable(app, actor, id).await?;
    Ok(app.store.portal_sync(id).await?)
}

/// The portal's queue as operators see it: dossiers whose record it refused (most recent
/// first, at most `limit`) and the counts.
pub async fn queue(
    app: &App,
    actor: &Actor,
    limit: usize,
) -> Result<(Vec<PortalSyncState>, PortalSyncCounts), AppError> {
    let tree = app.store.unit_tree().await?;
    motcua_domain::admin::may_operate_outbox(actor, &tree).map_err(|_| AppError::Forbidden)?;
    Ok((
        app.store.portal_sync_refused(limit).await?,
        app.store.portal_sync_counts().await?,
    ))
}
