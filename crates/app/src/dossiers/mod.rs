//! Dossiers: the one write path ([`execute`], [`execute_all`], [`create`]) that every
//! caller (API, pages, imports) goes through, its effects and limits, and the reads that
//! come with it.

mod effects;
pub mod files;
pub mod limits;
mod service;

pub use effects::secret_hash;
pub(crate) use service::feed_live;
pub use service::{
    NewDraft, Outcome, Request, Target, allowed, create, execute, execute_all, process_for,
    validate_form,
};

use crate::{App, AppError, Missing};
use motcua_domain::access::Actor;
use motcua_store::dossiers::Stored;

/// A dossier as stored, if `actor` may read it; otherwise the same `NotFound` as for a
/// dossier that does not exist, so nobody learns that one they may not see exists.
pub async fn readable(app: &App, actor: &Actor, id: &str) -> Result<Stored, AppError> {
    let stored = app
        .store
        .dossier(id)
        .await
        .map_err(AppError::missing(Missing::Dossier))?;
    let tree = app.store.unit_tree().await?;
    if motcua_domain::access::may_read_dossier(actor, &stored.state, &tree) {
        Ok(stored)
    } else {
        Err(AppError::NotFound(Missing::Dossier))
    }
}

/// A dossier as stored, for an officer's page: readable by `actor`, and not their own as
/// the applicant (an officer who is also the applicant uses the portal's page).
pub async fn readable_as_officer(app: &App, actor: &Actor, id: &str) -> Result<Stored, AppError> {
    let stored = readable(app, actor, id).await?;
    if stored.state.applicant == actor.account_id {
        return Err(AppError::NotFound(Missing::Dossier));
    }
    Ok(stored)
}

/// A consent code an applicant gives a digital helper who files for them (valid for an
/// hour); only an applicant's account may make one.
pub async fn assistance_code(
    app: &App,
    account: &motcua_store::accounts::Account,
) -> Result<(String, chrono::DateTime<chrono::Utc>), AppError> {
    if !motcua_domain::access::applicant_only(&account.grants) {
        return Err(AppError::Forbidden);
    }
    Ok(app
        .store
        .create_assistance_code(&account.id, chrono::Utc::now())
        .await?)
}

/// The applicant's name as forms and the national portal give it: the account's, or the
/// one the desk recorded for a walk-in applicant.
pub async fn applicant_name(app: &App, stored: &Stored) -> Option<String> {
    if let Ok(a) = app.store.account(&stored.state.applicant).await {
        return Some(a.display_name);
    }
    stored
        .form_data
        .get("applicant")
        .and_then(|a| a.get("name"))
        .and_then(|n| n.as_str())
        .map(str::to_owned)
}
