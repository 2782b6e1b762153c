//! What the national portal knows of a dossier, as its officers see it on the dossier
//! page: whether it was sent, acknowledged, is waiting, or was refused (and why, in the
//! portal's words), so that nobody has to ask the operator whether a dossier "went up".

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Lang;
use motcua_domain::access::Actor;
use motcua_domain::dossier::outside::System;
use motcua_domain::dossier::{Dossier, Event};

/// One line of the dossier page's "Cổng DVCQG" section.
pub struct PortalView {
    pub text: String,
    /// The portal refused the record: shown as a problem to fix.
    pub refused: bool,
}

pub async fn view(
    state: &AppState,
    actor: &Actor,
    d: &Dossier,
    events: &[Event],
    lang: Lang,
) -> Result<PortalView, ApiError> {
    let plain = |key: &'static str| PortalView {
        text: lang.t(key).to_owned(),
        refused: false,
    };
    if !state.config.connected.contains(&System::NationalPortal) {
        return Ok(plain("office.portal.off"));
    }
    if motcua_app::national_portal::portal_key(d).is_none() {
        return Ok(plain("office.portal.after_reception"));
    }
    let Some(s) = motcua_app::national_portal::state_of(&state.app, actor, &d.id).await? else {
        return Ok(plain("office.portal.waiting"));
    };
    if let Some(why) = &s.refused {
        let at = s
            .refused_at
            .map(crate::pages::admin::when)
            .unwrap_or_default();
        return Ok(PortalView {
            text: lang.f2("office.portal.refused", at, why),
            refused: true,
        });
    }
    // Confirmations are motcua's record of the portal's word, not work the portal lacks.
    let latest = events
        .iter()
        .filter(|e| e.change.kind() != "confirmed")
        .map(|e| e.version)
        .max()
        .unwrap_or(0);
    let behind = !s.on_portal || s.record_version < latest || s.progress_version < latest;
    Ok(match (s.acknowledged_at, behind) {
        (Some(at), false) => PortalView {
            text: lang.f("office.portal.synced", crate::pages::admin::when(at)),
            refused: false,
        },
        (Some(at), true) => PortalView {
            text: lang.f("office.portal.behind", crate::pages::admin::when(at)),
            refused: false,
        },
        (None, _) => plain("office.portal.waiting"),
    })
}
