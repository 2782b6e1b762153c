//! What the citizen's and the officer's dossier pages both show: the summary, the timeline,
//! the documents issued and the declaration read back with the e-form's labels.

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::{self, Lang};
use motcua_domain::dossier::{Change, Dossier, Event, Rating};
use motcua_domain::eform::{Field, FieldKind};
use motcua_store::dossiers::{Document, Stored};
use serde_json::Value;
use std::collections::HashMap;

/// A readable instant: "14:05 ngày 27/11/2026".
pub fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    i18n::when(Lang::Vi, t)
}

pub struct Summary {
    /// The language the summary is written in.
    pub lang: Lang,
    pub id: String,
    pub version: i64,
    pub code: Option<String>,
    pub status: &'static str,
    pub status_label: &'static str,
    pub procedure: String,
    pub procedure_name: String,
    pub unit_name: String,
    pub submitted_at: Option<String>,
    pub received_at: Option<String>,
    pub due_at: Option<String>,
    /// Only when it differs from the first appointment (clock stops, extension).
    pub current_due_at: Option<String>,
    pub fee_due: Option<String>,
}

/// The summary in `lang`; printed legal forms ask for Vietnamese whatever the reader's.
pub async fn summary(state: &AppState, d: &Dossier, lang: Lang) -> Result<Summary, ApiError> {
    let when = |t| i18n::when(lang, t);
    let tree = state.app.store.unit_tree().await?;
    let procedure_name = state
        .app
        .store
        .procedure(&d.procedure)
        .await
        .map(|p| p.procedure.name)
        .unwrap_or_else(|_| d.procedure.to_string());
    Ok(Summary {
        lang,
        id: d.id.clone(),
        version: d.version,
        code: d.code.as_ref().map(ToString::to_string),
        status: d.status.as_str(),
        status_label: i18n::status(lang, d.status),
        procedure: d.procedure.to_string(),
        procedure_name,
        unit_name: tree
            .get(&d.unit)
            .map_or_else(|| d.unit.to_string(), |u| u.name.clone()),
        submitted_at: d.submitted_at.map(when),
        received_at: d.received_at.map(when),
        due_at: d.due_at.map(when),
        current_due_at: d.current_due_at.filter(|c| Some(*c) != d.due_at).map(when),
        fee_due: (d.fee_requested > d.fee_paid)
            .then(|| crate::pages::money(d.fee_requested - d.fee_paid)),
    })
}

pub struct TimelineRow {
    pub at: String,
    pub label: &'static str,
    pub who: String,
    pub role: &'static str,
    pub detail: Vec<Part>,
}

/// A piece of an event's particulars: the portal's words, or data (a reason, a note, a
/// unit's name: what people wrote), which an English page marks as Vietnamese.
pub struct Part {
    pub text: String,
    pub data: bool,
}

fn words(text: impl Into<String>) -> Part {
    Part {
        text: text.into(),
        data: false,
    }
}

fn data(text: impl Into<String>) -> Part {
    Part {
        text: text.into(),
        data: true,
    }
}

/// A message with its `{}` filled in order, as parts: the values keep their own kind.
fn fill(message: &str, values: Vec<Part>) -> Vec<Part> {
    let mut out = Vec::new();
    let mut pieces = message.split("{}");
    let mut values = values.into_iter();
    if let Some(first) = pieces.next() {
        out.push(words(first));
    }
    for piece in pieces {
        out.extend(values.next());
        out.push(words(piece));
    }
    out.retain(|p| !p.text.is_empty());
    out
}

/// The event's particulars: the fixed words in `lang`; reasons, notes and names as typed.
fn detail(c: &Change, tree: Option<&motcua_domain::unit::UnitTree>, lang: Lang) -> Vec<Part> {
    let when = |t| words(i18n::when(lang, t));
    let reason = |r: &str| fill(lang.t("dossier.detail.reason"), vec![data(r)]);
    let unit_name = |u: &motcua_domain::UnitCode| {
        data(
            tree.and_then(|t| t.get(u))
                .map_or_else(|| u.to_string(), |x| x.name.clone()),
        )
    };
    // Two sentences, one after the other.
    let then = |mut a: Vec<Part>, b: Vec<Part>| {
        a.push(words(" "));
        a.extend(b);
        a
    };
    match c {
        Change::Transferred {
            from,
            to,
            reason: r,
        } => then(
            fill(
                lang.t("dossier.detail.transferred"),
                vec![unit_name(from), unit_name(to)],
            ),
            reason(r),
        ),
        Change::Rejected { reason: r }
        | Change::SentBack { reason: r, .. }
        | Change::Stopped { reason: r } => reason(r),
        Change::SupplementRequested { items, reason: r } => then(
            fill(
                lang.t("dossier.detail.supplement"),
                vec![data(items.join("; "))],
            ),
            reason(r),
        ),
        Change::Forwarded { note: Some(n), .. } => {
            fill(lang.t("dossier.detail.note"), vec![data(n.as_str())])
        }
        Change::Withdrawn { reason: Some(r) } => reason(r),
        Change::Extended { due_at, reason: r } => then(
            fill(lang.t("dossier.detail.extended"), vec![when(*due_at)]),
            reason(r),
        ),
        Change::SupplementCompleted { due_at } => {
            fill(lang.t("dossier.detail.new_due"), vec![when(*due_at)])
        }
        Change::Received { code, due_at, .. } => fill(
            lang.t("dossier.detail.received"),
            vec![words(code.to_string()), when(*due_at)],
        ),
        Change::PaymentRequested { amount_vnd } | Change::PaymentCompleted { amount_vnd } => {
            vec![words(crate::pages::money(*amount_vnd))]
        }
        Change::Completed { results } => fill(
            lang.t("dossier.detail.results"),
            vec![data(results.join("; "))],
        ),
        Change::Returned { how } => {
            fill(lang.t("dossier.detail.returned"), vec![data(how.as_str())])
        }
        Change::ComponentFile { component, file } => vec![
            data(component.as_str()),
            words(": "),
            data(file.name.as_str()),
        ],
        Change::PaperSeen {
            component,
            reason: r,
        } => {
            let mut out = vec![data(component.as_str()), words(". ")];
            out.extend(reason(r));
            out
        }
        Change::ResultFile { file } => vec![data(file.name.as_str())],
        Change::Rated { rating, comment } => {
            let mut out = vec![words(rating_label(lang, *rating))];
            if let Some(c) = comment {
                out.push(words(": "));
                out.push(data(c.as_str()));
            }
            out
        }
        _ => Vec::new(),
    }
}

fn rating_label(lang: Lang, r: Rating) -> &'static str {
    match r {
        Rating::Satisfied => lang.t("dossier.rating.satisfied"),
        Rating::Unsatisfied => lang.t("dossier.rating.unsatisfied"),
    }
}

/// A role's name in `lang` (the domain's Vietnamese name if the catalogue lacks it).
pub fn role(lang: Lang, r: motcua_domain::access::Role) -> &'static str {
    i18n::name(lang, "dossier.role", r.as_str(), r.label_vi())
}

/// The timeline with people's names; `who` is left out for the applicant's own view of
/// officers (they see the role, which is what they can act on).
pub async fn timeline(
    state: &AppState,
    events: &[Event],
    names: bool,
    lang: Lang,
) -> Vec<TimelineRow> {
    let mut cache: HashMap<String, String> = HashMap::new();
    let tree = state.app.store.unit_tree().await.ok();
    let mut rows = Vec::new();
    for e in events {
        let who = if names {
            if !cache.contains_key(&e.by.account) {
                let n = state
                    .app
                    .store
                    .account(&e.by.account)
                    .await
                    .map_or_else(|_| e.by.account.clone(), |a| a.display_name);
                cache.insert(e.by.account.clone(), n);
            }
            cache.get(&e.by.account).cloned().unwrap_or_default()
        } else {
            String::new()
        };
        rows.push(TimelineRow {
            at: i18n::when(lang, e.at),
            label: i18n::event(lang, &e.change),
            who,
            role: role(lang, e.by.role),
            detail: detail(&e.change, tree.as_ref(), lang),
        });
    }
    rows
}

pub struct DocRow {
    pub form: String,
    pub title: String,
    pub at: String,
    pub lines: Vec<DocLine>,
}

pub struct DocLine {
    pub label: &'static str,
    pub value: String,
    /// The lookup code, which the page sets apart to be copied.
    pub secret: bool,
    /// What an officer wrote (items, reasons, results): Vietnamese text.
    pub typed: bool,
}

fn flat(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(flat).collect::<Vec<_>>().join("; "),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The documents issued, labelled in `lang`. A document's stored title is the legal form's
/// Vietnamese name; an English reader gets the name of that form from the catalogue.
pub fn documents(docs: &[Document], lang: Lang) -> Vec<DocRow> {
    const KEYS: [(&str, &str); 8] = [
        ("code", "dossier.doc_line.code"),
        ("procedure", "dossier.doc_line.procedure"),
        ("due_at", "dossier.doc_line.due_at"),
        ("lookup_secret", "dossier.doc_line.lookup_secret"),
        ("items", "dossier.doc_line.items"),
        ("new_due_at", "dossier.doc_line.new_due_at"),
        ("reason", "dossier.doc_line.reason"),
        ("results", "dossier.doc_line.results"),
    ];
    docs.iter()
        .map(|d| DocRow {
            form: if d.form == "kq" {
                lang.t("dossier.doc.result_form").to_owned()
            } else {
                lang.f("dossier.doc.form_no", &d.form)
            },
            title: match lang {
                Lang::Vi => d.title.clone(),
                Lang::En => lang
                    .lookup(&format!("dossier.doc.{}", d.form))
                    .map_or_else(|| d.title.clone(), str::to_owned),
            },
            at: i18n::when(lang, d.created_at),
            lines: KEYS
                .iter()
                .filter_map(|(k, l)| {
                    d.body
                        .get(*k)
                        .map(flat)
                        .filter(|s| !s.is_empty())
                        .map(|s| DocLine {
                            label: lang.lookup(l).unwrap_or(l),
                            value: readable_instant(k, s, lang),
                            secret: *k == "lookup_secret",
                            typed: matches!(*k, "items" | "reason" | "results"),
                        })
                })
                .collect(),
        })
        .collect()
}

/// Documents keep instants as RFC 3339 (what a machine reads back); people read them as
/// "17:00 ngày 30/11/2026".
fn readable_instant(key: &str, value: String, lang: Lang) -> String {
    if !key.ends_with("_at") {
        return value;
    }
    chrono::DateTime::parse_from_rfc3339(&value)
        .map_or(value, |t| i18n::when(lang, t.with_timezone(&chrono::Utc)))
}

pub struct DataRow {
    pub label: String,
    pub value: String,
    /// The label is the e-form's (Vietnamese), not the portal's.
    pub form_label: bool,
    /// The value is what was typed or chosen, not the portal's "Yes"/"No".
    pub typed: bool,
}

pub(crate) fn shown(f: &Field, v: &Value, lang: Lang) -> String {
    let choice = |s: &str| {
        f.choices
            .iter()
            .find(|c| c.value == s)
            .map_or_else(|| s.to_owned(), |c| c.label.clone())
    };
    match (f.kind, v) {
        (FieldKind::Checkbox, Value::Bool(true)) => lang.t("common.yes").to_owned(),
        (FieldKind::Checkbox, _) => lang.t("common.no").to_owned(),
        (FieldKind::Choice, Value::String(s)) => choice(s),
        (FieldKind::MultiChoice, Value::Array(a)) => a
            .iter()
            .map(|x| choice(&flat(x)))
            .collect::<Vec<_>>()
            .join("; "),
        (FieldKind::MoneyVnd, Value::Number(n)) => n
            .as_u64()
            .map_or_else(|| n.to_string(), crate::pages::money),
        (FieldKind::Date, Value::String(s)) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_or_else(|_| s.clone(), |d| d.format("%d/%m/%Y").to_string()),
        _ => flat(v),
    }
}

pub(crate) fn rows_of(
    fields: &[Field],
    data: &Value,
    prefix: &str,
    lang: Lang,
    out: &mut Vec<DataRow>,
) {
    for f in fields {
        let Some(v) = data.get(&f.name) else { continue };
        if f.kind == FieldKind::Group {
            for (k, item) in v.as_array().into_iter().flatten().enumerate() {
                rows_of(
                    &f.fields,
                    item,
                    &format!("{prefix}{} {}: ", f.label, k + 1),
                    lang,
                    out,
                );
            }
        } else {
            out.push(DataRow {
                label: format!("{prefix}{}", f.label),
                value: shown(f, v, lang),
                form_label: true,
                typed: f.kind != FieldKind::Checkbox,
            });
        }
    }
}

/// The stored answers labelled as on the form the dossier pinned; without an e-form, the
/// note.
pub async fn form_data(state: &AppState, s: &Stored, lang: Lang) -> Result<Vec<DataRow>, ApiError> {
    let mut out = Vec::new();
    match state.app.eforms.pinned(&state.app.store, &s.state).await? {
        Some(form) => rows_of(&form.definition().fields, &s.form_data, "", lang, &mut out),
        None => {
            if let Some(n) = s.form_data.get("note").map(flat).filter(|n| !n.is_empty()) {
                out.push(DataRow {
                    label: lang.t("dossier.applicant_note").to_owned(),
                    value: n,
                    form_label: false,
                    typed: true,
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{data, fill, readable_instant, words};
    use crate::i18n::Lang;

    #[test]
    fn document_instants_read_as_vietnamese_dates() {
        assert_eq!(
            readable_instant("due_at", "2026-11-30T17:00:00+07:00".into(), Lang::Vi),
            "17:00 ngày 30/11/2026"
        );
        // An instant in another offset is shown in Vietnam's time.
        assert_eq!(
            readable_instant("new_due_at", "2026-11-30T03:00:00Z".into(), Lang::Vi),
            "10:00 ngày 30/11/2026"
        );
        // Other keys and unparseable values pass through untouched.
        assert_eq!(
            readable_instant("reason", "2026-11-30".into(), Lang::Vi),
            "2026-11-30"
        );
        assert_eq!(
            readable_instant("due_at", "sắp tới".into(), Lang::Vi),
            "sắp tới"
        );
        // An English reader reads the same date with English words around it.
        assert_eq!(
            readable_instant("due_at", "2026-11-30T17:00:00+07:00".into(), Lang::En),
            "17:00 on 30/11/2026"
        );
    }

    #[test]
    fn particulars_keep_data_apart_from_the_words() {
        let parts = fill(
            "Transferred from {} to {}.",
            vec![data("Phường {} An Cựu"), data("Phường Thuận Hóa")],
        );
        let text: String = parts.iter().map(|p| p.text.as_str()).collect();
        // A value that holds "{}" is not filled again.
        assert_eq!(
            text,
            "Transferred from Phường {} An Cựu to Phường Thuận Hóa."
        );
        let kinds: Vec<bool> = parts.iter().map(|p| p.data).collect();
        assert_eq!(kinds, [false, true, false, true, false]);
        let parts = fill("Lý do: {}", vec![words("x")]);
        assert_eq!(parts.len(), 2, "no empty piece after the last value");
    }
}
