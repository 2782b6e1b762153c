//! The outbox's dead letters: messages to outside systems (national portal, notifications,
//! inter-agency handovers, warnings) that failed too often or were refused. The operator
//! sees what, for which dossier, how many attempts, why in plain words and since when, and
//! sends one or every one of a topic again. Asking who may, listing and replaying are the
//! app's (`motcua_app::outbox`); this page only shows and posts.

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::pages::Form;
use crate::pages::admin::{Admin, Feedback, post_admin, when};
use crate::pages::render;
use crate::pages::shared::auth::{Nav, PageUser};
use crate::pages::shared::forms_render::Posted;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::outbox::{self as outbox, Failure};
use motcua_store::outbox::Replay;
use serde::Deserialize;

/// The list shows the most recent ones; more than this means an outage to fix first.
const SHOWN: usize = 200;

pub struct DeadView {
    id: String,
    topic: &'static str,
    dossier: Option<String>,
    attempts: i64,
    reason: String,
    dead_at: String,
}

/// A dossier whose record the national portal refused, waiting for someone to put it right.
pub struct RefusedView {
    id: String,
    code: String,
    why: String,
    since: String,
}

pub struct TopicView {
    topic: String,
    label: &'static str,
    count: usize,
}

#[derive(Template)]
#[template(path = "admin_outbox.html")]
struct OutboxPage {
    user: Option<Nav>,
    csrf: String,
    lang: Lang,
    fb: Feedback,
    rows: Vec<DeadView>,
    topics: Vec<TopicView>,
    refused: Vec<RefusedView>,
    on_portal: i64,
    /// Whether the national portal's adapter is configured at all.
    portal_connected: bool,
}

#[derive(Deserialize)]
pub struct OkQuery {
    ok: Option<String>,
}

fn topic_label(lang: Lang, topic: &str) -> &'static str {
    match topic {
        outbox::NATIONAL_PORTAL_SYNC => lang.t("admin.outbox.topic.sync"),
        outbox::NOTIFY_APPLICANT => lang.t("admin.outbox.topic.notify"),
        outbox::INTER_AGENCY_HANDOVER => lang.t("admin.outbox.topic.handover"),
        outbox::WARNING => lang.t("admin.outbox.topic.warning"),
        _ => lang.t("admin.outbox.topic.other"),
    }
}

fn reason(lang: Lang, last_error: Option<&str>) -> String {
    match Failure::of(last_error.unwrap_or_default()) {
        Failure::Unreachable => lang.t("admin.outbox.why.unreachable").into(),
        Failure::TimedOut => lang.t("admin.outbox.why.timeout").into(),
        Failure::Busy => lang.t("admin.outbox.why.busy").into(),
        Failure::ReceiverError(c) => lang.f("admin.outbox.why.receiver_error", c),
        Failure::Refused(c) => lang.f("admin.outbox.why.refused", c),
        Failure::Unreadable => lang.t("admin.outbox.why.unreadable").into(),
        Failure::Portal { code, message } => lang.f2("admin.outbox.why.portal", code, message),
        Failure::Other => lang.t("admin.outbox.why.other").into(),
    }
}

pub async fn show(
    State(state): State<AppState>,
    a: Admin,
    Query(q): Query<OkQuery>,
) -> Result<Response, ApiError> {
    let lang = a.lang;
    let dead = outbox::dead_letters(&state.app, &a.actor, SHOWN).await?;
    let (refused, portal) = motcua_app::national_portal::queue(&state.app, &a.actor, SHOWN).await?;
    let refused = refused
        .into_iter()
        .map(|s| RefusedView {
            since: s.refused_at.map(when).unwrap_or_default(),
            why: s.refused.unwrap_or_default(),
            code: s.ma_ho_so,
            id: s.dossier_id,
        })
        .collect();
    let mut topics: Vec<TopicView> = Vec::new();
    for d in &dead {
        match topics.iter_mut().find(|t| t.topic == d.topic) {
            Some(t) => t.count += 1,
            None => topics.push(TopicView {
                topic: d.topic.clone(),
                label: topic_label(lang, &d.topic),
                count: 1,
            }),
        }
    }
    let rows = dead
        .into_iter()
        .map(|d| DeadView {
            topic: topic_label(lang, &d.topic),
            reason: reason(lang, d.last_error.as_deref()),
            dossier: d.dossier,
            attempts: d.attempts,
            dead_at: when(d.dead_at),
            id: d.id,
        })
        .collect();
    let fb = match q.ok.as_deref() {
        Some("replayed") => Feedback {
            ok: Some(lang.t("admin.outbox.replayed")),
            ..Feedback::default()
        },
        Some("nothing") => Feedback {
            ok: Some(lang.t("admin.outbox.nothing")),
            ..Feedback::default()
        },
        _ => Feedback::default(),
    };
    let page = OutboxPage {
        lang,
        fb,
        rows,
        topics,
        refused,
        on_portal: portal.on_portal,
        portal_connected: state
            .config
            .connected
            .contains(&motcua_domain::dossier::outside::System::NationalPortal),
        user: a.nav,
        csrf: a.csrf,
    };
    Ok(render(&page, StatusCode::OK))
}

/// Replays the dead letter `id`, or every one of `topic`. Posting twice is harmless: what
/// is no longer dead is left alone.
pub async fn replay(
    State(state): State<AppState>,
    user: PageUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let posted = Posted(f);
    let a = post_admin(&state, &user, &posted).await?;
    let which = match (posted.get("id"), posted.get("topic")) {
        (Some(id), _) if !id.is_empty() => Replay::One(id),
        (_, Some(topic)) if !topic.is_empty() => Replay::Topic(topic),
        _ => return Err(ApiError::not_found("thư", "Message")),
    };
    let n = outbox::replay(&state.app, &a.actor, which).await?;
    let ok = if n > 0 { "replayed" } else { "nothing" };
    Ok(Redirect::to(&format!("/quan-tri/hang-doi?ok={ok}")).into_response())
}
