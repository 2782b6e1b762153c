//! Warnings as people and integrations see them: the live index's warnings (spec
//! index-766 "Warnings"), joined with the dossiers they name (the id for the link, the step
//! and its unit), filtered to what the caller may see; and the sweep that sends each new
//! warning to the outbox once.
//!
//! Who sees what is the domain's answer: the units where the caller may read the index
//! (monitors, leaders, unit administrators) or read dossiers (officers), plus the dossiers
//! at a step the caller holds.

use crate::periods::running_and_previous_quarter;
use crate::{App, AppError, Missing};
use chrono::{DateTime, Utc};
use motcua_domain::UnitCode;
use motcua_domain::access::{Action, Actor, Resource, Role, authorize, role_allows, units_for};
use motcua_domain::dossier::{Dossier, Process};
use motcua_domain::unit::UnitTree;
use motcua_index::warnings::{Warning, WarningKind};
use motcua_store::dossiers::OutboxMessage;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The outbox topic of warning notifications.
pub const TOPIC: &str = "notification.warning";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
}

/// The process step a dossier is at, and where it is worked.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StepRef {
    pub index: usize,
    pub name: String,
    /// The role that works the step (`specialist`, `leader`, …).
    pub role: String,
    /// The unit where it is worked.
    pub unit: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DossierRef {
    pub id: String,
    pub code: String,
    pub procedure: String,
    pub status: String,
    /// The appointment as it stands (RFC 3339, +07:00).
    pub due_at: Option<String>,
    pub step: Option<StepRef>,
}

/// One warning.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WarningOut {
    /// Stable identity (`kind:subject`); a notification is sent once per key.
    pub key: String,
    /// `overdue`, `second_supplement`, `petition_overdue`, `due_soon`,
    /// `petition_due_soon`, `late_without_apology` or `rating_fell`.
    pub kind: String,
    /// `critical` or `warning`.
    pub severity: String,
    /// The kind, for people, in the language of `message`.
    pub label: String,
    pub unit: UnitRef,
    /// The dossier it is about, for dossier warnings.
    pub dossier: Option<DossierRef>,
    /// The petition it is about, for petition warnings.
    pub petition: Option<String>,
    /// The metric (or `rating`) it is about, for score warnings.
    pub metric: Option<String>,
    /// Vietnamese, or English when the client asks with `Accept-Language: en`.
    pub message: String,
    /// The page of the dossier or unit that caused it.
    pub link: Option<String>,
}

/// A warning with what deciding who sees it needs.
#[derive(Debug, Clone)]
pub struct Item {
    /// In Vietnamese, as notifications are sent; [`for_actor`] gives the reader's language.
    pub out: WarningOut,
    pub message_en: String,
    pub kind: WarningKind,
    unit: Option<UnitCode>,
    step: Option<(Role, UnitCode)>,
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// This unit's scope (the unit and its sub-units).
    pub unit: Option<UnitCode>,
    /// Only dossiers at a step this actor holds.
    pub officer: Option<Actor>,
    pub kind: Option<WarningKind>,
}

/// Whether `actor` holds `role` in `unit`: the domain's own check, asked with the actor's
/// grants of that role only.
fn holds(actor: &Actor, role: Role, unit: &UnitCode, tree: &UnitTree) -> bool {
    let only = Actor {
        account_id: actor.account_id.clone(),
        grants: actor
            .grants
            .iter()
            .filter(|g| g.role == role)
            .cloned()
            .collect(),
    };
    let resource = Resource::Unit(unit.clone());
    Action::ALL
        .into_iter()
        .any(|a| role_allows(role, a) && authorize(&only, a, &resource, tree).is_ok())
}

/// The units whose warnings a caller may see.
pub struct Visibility {
    index: HashSet<UnitCode>,
    dossiers: HashSet<UnitCode>,
}

impl Visibility {
    pub fn of(actor: &Actor, tree: &UnitTree) -> Self {
        let index: HashSet<UnitCode> = units_for(actor, Action::ReadIndex, tree)
            .into_iter()
            .collect();
        let dossiers = units_for(actor, Action::ReadDossier, tree)
            .into_iter()
            .collect();
        Self { index, dossiers }
    }
    pub fn is_empty(&self) -> bool {
        self.index.is_empty() && self.dossiers.is_empty()
    }
    pub fn unit(&self, u: &UnitCode) -> bool {
        self.index.contains(u) || self.dossiers.contains(u)
    }
}

impl Item {
    /// The warning in English, with the kind's English name (the edge knows the names).
    pub fn in_english(self, label: &str) -> WarningOut {
        WarningOut {
            label: label.to_owned(),
            message: self.message_en,
            ..self.out
        }
    }

    fn visible(&self, v: &Visibility, actor: &Actor, tree: &UnitTree) -> bool {
        let Some(unit) = &self.unit else { return false };
        if self.kind.about_dossier() {
            v.unit(unit)
                || self
                    .step
                    .as_ref()
                    .is_some_and(|(r, su)| holds(actor, *r, su, tree))
        } else {
            v.index.contains(unit)
        }
    }

    fn wanted(&self, f: &Filter, tree: &UnitTree) -> bool {
        if f.kind.is_some_and(|k| k != self.kind) {
            return false;
        }
        if let Some(scope) = &f.unit
            && !self.unit.as_ref().is_some_and(|u| tree.is_within(u, scope))
        {
            return false;
        }
        match &f.officer {
            None => true,
            Some(o) => self
                .step
                .as_ref()
                .is_some_and(|(r, su)| holds(o, *r, su, tree)),
        }
    }
}

/// The filter a query asks for, checked against what the caller may see.
pub async fn filter_for(
    app: &App,
    actor: &Actor,
    unit: Option<&str>,
    officer: Option<&str>,
    kind: Option<&str>,
) -> Result<Filter, AppError> {
    let tree = app.store.unit_tree().await?;
    let v = Visibility::of(actor, &tree);
    if v.is_empty() {
        return Err(AppError::Forbidden);
    }
    let unit = match unit {
        None => None,
        Some(code) => {
            let code = UnitCode::parse(code)
                .ok()
                .filter(|c| tree.get(c).is_some())
                .ok_or(AppError::NotFound(Missing::Unit))?;
            // Asking for a unit is allowed where the caller reads its index or its dossiers.
            let r = Resource::Unit(code.clone());
            let index = authorize(actor, motcua_domain::access::Action::ReadIndex, &r, &tree);
            let dossiers = authorize(actor, motcua_domain::access::Action::ReadDossier, &r, &tree);
            if index.is_err() && dossiers.is_err() {
                return Err(AppError::Forbidden);
            }
            Some(code)
        }
    };
    let officer = match officer {
        None => None,
        Some("me") => Some(actor.clone()),
        Some(name) => {
            let id = app
                .store
                .account_by_username(name)
                .await?
                .ok_or(AppError::NotFound(Missing::Account))?;
            Some(app.store.account(&id).await?.actor())
        }
    };
    let kind = match kind {
        None => None,
        Some(k) => Some(WarningKind::parse(k).ok_or_else(|| {
            AppError::invalid(
                "kind",
                "invalid_choice",
                "Loại cảnh báo không hợp lệ.",
                "kind is not a known warning kind.",
            )
        })?),
    };
    Ok(Filter {
        unit,
        officer,
        kind,
    })
}

/// Every current warning that `keep` keeps (dossiers and petitions as of `now`; with
/// `ratings`, also units whose rating for the running quarter fell below the previous
/// quarter's), joined with the dossiers they name, most urgent first. `keep` sees the
/// bare warning, before any dossier is read.
pub async fn current(
    app: &App,
    now: DateTime<Utc>,
    ratings: bool,
    keep: impl Fn(&Warning) -> bool,
) -> Result<Vec<Item>, AppError> {
    let mut raw = app.live.warnings(now).ok_or(AppError::IndexNotReady)?;
    if ratings {
        let (running, previous) = running_and_previous_quarter(crate::time::vn_date(now));
        raw.extend(
            app.live
                .rating_warnings(running, previous)
                .unwrap_or_default(),
        );
    }
    raw.retain(|w| keep(w));
    let codes: Vec<&str> = raw
        .iter()
        .filter(|w| w.kind.about_dossier())
        .filter_map(|w| w.dossier.as_deref())
        .collect();
    let dossiers: HashMap<String, Dossier> = app
        .store
        .dossiers_by_codes(&codes)
        .await?
        .into_iter()
        .filter_map(|d| d.code.as_ref().map(|c| c.to_string()).map(|c| (c, d)))
        .collect();
    let tree = app.store.unit_tree().await?;
    let mut processes: HashMap<(String, Option<i64>), Process> = HashMap::new();
    let mut items = Vec::with_capacity(raw.len());
    for w in raw {
        let d = w
            .dossier
            .as_deref()
            .filter(|_| w.kind.about_dossier())
            .and_then(|c| dossiers.get(c));
        let step = match d {
            Some(d) => step_of(app, &mut processes, d, &tree).await?,
            None => None,
        };
        items.push(item(w, d, step, &tree));
    }
    items.sort_by(|a, b| order(a).cmp(&order(b)));
    Ok(items)
}

fn order(i: &Item) -> (usize, &str) {
    (i.kind.rank(), i.out.key.as_str())
}

/// The step a dossier is at, with its resolved unit.
async fn step_of(
    app: &App,
    cache: &mut HashMap<(String, Option<i64>), Process>,
    d: &Dossier,
    tree: &UnitTree,
) -> Result<Option<(usize, String, Role, UnitCode)>, AppError> {
    let Some(i) = d.step else { return Ok(None) };
    let key = (d.procedure.to_string(), d.process_version);
    if !cache.contains_key(&key) {
        let (_, p) = crate::dossiers::process_for(app, d).await?;
        cache.insert(key.clone(), p);
    }
    Ok(cache.get(&key).and_then(|p| {
        let s = p.steps.get(i)?;
        Some((i, s.name.clone(), s.role, p.step_unit(i, &d.unit, tree)?))
    }))
}

fn item(
    w: Warning,
    d: Option<&Dossier>,
    step: Option<(usize, String, Role, UnitCode)>,
    tree: &UnitTree,
) -> Item {
    let unit = UnitCode::parse(&w.unit).ok();
    let unit_name = unit
        .as_ref()
        .and_then(|u| tree.get(u))
        .map_or_else(|| w.unit.clone(), |u| u.name.clone());
    let dossier = d.map(|d| DossierRef {
        id: d.id.clone(),
        code: d
            .code
            .as_ref()
            .map_or_else(|| d.id.clone(), ToString::to_string),
        procedure: d.procedure.to_string(),
        status: d.status.as_str().to_owned(),
        due_at: d.current_due_at.map(crate::time::vn_time),
        step: step.as_ref().map(|(i, name, role, unit)| StepRef {
            index: *i,
            name: name.clone(),
            role: role.as_str().to_owned(),
            unit: unit.to_string(),
        }),
    });
    let link = match (&dossier, w.kind) {
        (Some(d), _) => Some(format!("/can-bo/ho-so/{}", d.id)),
        (None, WarningKind::RatingFell) => Some(format!("/giam-sat/don-vi/{}", w.unit)),
        _ => None,
    };
    let petition = matches!(
        w.kind,
        WarningKind::PetitionDueSoon | WarningKind::PetitionOverdue
    )
    .then(|| w.dossier.clone())
    .flatten();
    Item {
        out: WarningOut {
            key: w.key(),
            kind: w.kind.as_str().to_owned(),
            severity: w.severity.as_str().to_owned(),
            label: w.kind.label_vi().to_owned(),
            unit: UnitRef {
                code: w.unit.clone(),
                name: unit_name,
            },
            dossier,
            petition,
            metric: w.metric.clone(),
            message: w.message,
            link,
        },
        message_en: w.message_en,
        kind: w.kind,
        unit,
        step: step.map(|(_, _, r, u)| (r, u)),
    }
}

/// The warnings `actor` may see that `filter` asks for, most urgent first (in Vietnamese;
/// [`Item::in_english`] gives the other language).
pub async fn for_actor(
    app: &App,
    actor: &Actor,
    filter: &Filter,
    now: DateTime<Utc>,
) -> Result<Vec<Item>, AppError> {
    let tree = app.store.unit_tree().await?;
    let v = Visibility::of(actor, &tree);
    let ratings = !v.index.is_empty() && filter.officer.is_none();
    // The kind and the unit are the bare warning's own: filter before reading dossiers.
    let scope = filter.unit.clone();
    let keep = |w: &Warning| {
        filter.kind.is_none_or(|k| k == w.kind)
            && scope
                .as_ref()
                .is_none_or(|s| UnitCode::parse(&w.unit).is_ok_and(|u| tree.is_within(&u, s)))
    };
    Ok(current(app, now, ratings, keep)
        .await?
        .into_iter()
        .filter(|i| i.visible(&v, actor, &tree) && i.wanted(filter, &tree))
        .collect())
}

/// The outbox row of a warning. Dossier warnings are sent once per dossier and kind; a
/// unit's rating once per unit and running quarter.
pub fn message(item: &Item, now: DateTime<Utc>) -> OutboxMessage {
    let mut dedup_key = format!("warning:{}", item.out.key);
    if item.kind == WarningKind::RatingFell {
        let (running, _) = running_and_previous_quarter(crate::time::vn_date(now));
        dedup_key.push_str(&format!(":{}", running.from));
    }
    crate::outbox::Message::Warning(Box::new(item.out.clone())).row(dedup_key)
}

/// Sends every current warning not sent before to the outbox. Idempotent: a warning's
/// row is keyed by its dedup key, so running it again adds nothing. `sent` remembers the
/// keys already enqueued by this process so that a steady state costs no writes; it is
/// pruned to the current warnings each time. Returns how many rows were added.
pub async fn sweep(
    app: &App,
    now: DateTime<Utc>,
    sent: &mut HashSet<String>,
) -> Result<u64, AppError> {
    let items = current(app, now, true, |_| true).await?;
    let messages: Vec<OutboxMessage> = items.iter().map(|i| message(i, now)).collect();
    let fresh: Vec<OutboxMessage> = messages
        .iter()
        .filter(|m| !sent.contains(&m.dedup_key))
        .cloned()
        .collect();
    let added = app.store.enqueue_once(&fresh).await?;
    *sent = messages.into_iter().map(|m| m.dedup_key).collect();
    Ok(added)
}

/// Runs [`sweep`] every `every`, for as long as the runtime lives.
pub fn spawn_sweeper(app: App, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut sent = HashSet::new();
        loop {
            tick.tick().await;
            match sweep(&app, Utc::now(), &mut sent).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(added = n, "warnings sent to the outbox"),
                Err(e) => tracing::warn!(error = %e, "warning sweep failed"),
            }
        }
    })
}
