//! Recording what an outside system confirmed about a dossier (`spec/integrations.md`):
//! the adapter that heard the confirmation calls [`confirm`], which appends the dossier's
//! `confirmed` event through the same commit as every other change and hands the new line
//! to the live index. Nothing else records an outside fact.

use crate::{App, AppError, Missing};
use motcua_domain::dossier::outside::{self, Fact};
use motcua_domain::dossier::{Dossier, Event};
use motcua_store::StoreError;
use motcua_store::dossiers::Commit;

/// How often a confirmation is tried again when an officer's change lands between reading
/// the dossier and writing the event.
const ATTEMPTS: usize = 5;

/// Records `fact` of dossier `id` on its system's word. Returns whether an event was
/// recorded: false when the fact already held (a repeated confirmation) or the dossier is
/// a draft.
pub async fn confirm(
    app: &App,
    id: &str,
    fact: Fact,
    reference: Option<String>,
) -> Result<bool, AppError> {
    for _ in 0..ATTEMPTS {
        let stored = app
            .store
            .dossier(id)
            .await
            .map_err(AppError::missing(Missing::Dossier))?;
        let events = app.store.dossier_events(id).await?;
        let now = chrono::Utc::now();
        let Some(event) = outside::confirm(&stored.state, &events, fact, reference.clone(), now)
        else {
            return Ok(false);
        };
        let Some(next) = Dossier::apply(Some(stored.state.clone()), &event) else {
            return Err(AppError::Internal(
                "a confirmation does not apply to its dossier".into(),
            ));
        };
        let events: [Event; 1] = [event];
        let commit = Commit {
            expected_version: stored.state.version,
            state: &next,
            events: &events,
            outbox: &[],
            documents: &[],
            form_data: None,
            lookup_secret_hash: None,
            idempotency_key: None,
        };
        match app.store.commit_dossiers(&[commit]).await {
            Ok(()) => {
                crate::dossiers::feed_live(app, &[&next]).await;
                return Ok(true);
            }
            // Someone changed the dossier meanwhile: read it again.
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::DossierConflict)
}
