//! Warnings as HTTP shows them (API and pages alike): the app's warnings in the reader's
//! language, their documented shape, and paging by cursor.

use crate::i18n::Lang;
use motcua_app::warnings::{self as app, Item};
use motcua_index::warnings::WarningKind;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
}

/// The process step a dossier is at, and where it is worked.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct StepRef {
    pub index: usize,
    pub name: String,
    /// The role that works the step (`specialist`, `leader`, …).
    pub role: String,
    /// The unit where it is worked.
    pub unit: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
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
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
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

/// Field by field, so that a field added to the app's warning must be added here (and to
/// the documented schema) too.
impl From<app::WarningOut> for WarningOut {
    fn from(w: app::WarningOut) -> Self {
        let app::WarningOut {
            key,
            kind,
            severity,
            label,
            unit,
            dossier,
            petition,
            metric,
            message,
            link,
        } = w;
        Self {
            key,
            kind,
            severity,
            label,
            unit: UnitRef {
                code: unit.code,
                name: unit.name,
            },
            dossier: dossier.map(|d| {
                let app::DossierRef {
                    id,
                    code,
                    procedure,
                    status,
                    due_at,
                    step,
                } = d;
                DossierRef {
                    id,
                    code,
                    procedure,
                    status,
                    due_at,
                    step: step.map(|s| StepRef {
                        index: s.index,
                        name: s.name,
                        role: s.role,
                        unit: s.unit,
                    }),
                }
            }),
            petition,
            metric,
            message,
            link,
        }
    }
}

/// The warnings in the reader's language.
pub fn spoken(items: Vec<Item>, lang: Lang) -> Vec<WarningOut> {
    items
        .into_iter()
        .map(|i| match lang {
            Lang::Vi => i.out.into(),
            Lang::En => {
                let label = crate::pages::office::names::warning_kind(lang, i.kind);
                i.in_english(label).into()
            }
        })
        .collect()
}

/// The items after `cursor` (a key), at most `limit`, and the next cursor.
pub fn page(
    items: Vec<WarningOut>,
    cursor: Option<&str>,
    limit: usize,
) -> (Vec<WarningOut>, Option<String>) {
    let start = cursor.map_or(0, |c| {
        let rank = c
            .split_once(':')
            .and_then(|(k, _)| WarningKind::parse(k))
            .map_or(usize::MAX, WarningKind::rank);
        items.partition_point(|w| {
            let r = WarningKind::parse(&w.kind).map_or(usize::MAX, WarningKind::rank);
            (r, w.key.as_str()) <= (rank, c)
        })
    });
    let rest: Vec<WarningOut> = items.into_iter().skip(start).collect();
    let next = (rest.len() > limit)
        .then(|| rest.get(limit - 1).map(|w| w.key.clone()))
        .flatten();
    (rest.into_iter().take(limit).collect(), next)
}
