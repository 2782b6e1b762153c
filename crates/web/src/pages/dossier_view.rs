//! What the citizen's and the officer's dossier pages both show: the summary, the timeline,
//! the documents issued and the declaration read back with the e-form's labels.

use crate::AppState;
use crate::dossiers::views::label;
use crate::error::ApiError;
use motcua_domain::dossier::{Change, Dossier, Event, Rating};
use motcua_domain::eform::{Field, FieldKind};
use motcua_store::dossiers::{Document, Stored};
use serde_json::Value;
use std::collections::HashMap;

/// A readable instant: "14:05 ngày 27/11/2026".
pub fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    crate::i18n::when(crate::i18n::Lang::Vi, t)
}

pub struct Summary {
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

pub async fn summary(state: &AppState, d: &Dossier) -> Result<Summary, ApiError> {
    let tree = state.store.unit_tree().await?;
    let procedure_name = state
        .store
        .procedure(&d.procedure)
        .await
        .map(|p| p.procedure.name)
        .unwrap_or_else(|_| d.procedure.to_string());
    Ok(Summary {
        id: d.id.clone(),
        version: d.version,
        code: d.code.as_ref().map(ToString::to_string),
        status: d.status.as_str(),
        status_label: d.status.label_vi(),
        procedure: d.procedure.to_string(),
        procedure_name,
        unit_name: tree
            .get(&d.unit)
            .map_or_else(|| d.unit.to_string(), |u| u.name.clone()),
        submitted_at: d.submitted_at.map(when),
        received_at: d.received_at.map(when),
        due_at: d.due_at.map(when),
        current_due_at: d.current_due_at.filter(|c| Some(*c) != d.due_at).map(when),
        fee_due: (d.fee_requested > d.fee_paid).then(|| super::money(d.fee_requested - d.fee_paid)),
    })
}

pub struct TimelineRow {
    pub at: String,
    pub label: &'static str,
    pub who: String,
    pub role: &'static str,
    pub detail: String,
}

fn detail(c: &Change, tree: Option<&motcua_domain::unit::UnitTree>) -> String {
    let unit_name = |u: &motcua_domain::UnitCode| {
        tree.and_then(|t| t.get(u))
            .map_or_else(|| u.to_string(), |x| x.name.clone())
    };
    match c {
        Change::Transferred { from, to, reason } => format!(
            "Chuyển hồ sơ từ {} sang {}. Lý do: {reason}",
            unit_name(from),
            unit_name(to)
        ),
        Change::Rejected { reason }
        | Change::SentBack { reason, .. }
        | Change::Stopped { reason } => format!("Lý do: {reason}"),
        Change::SupplementRequested { items, reason } => {
            format!("Cần bổ sung: {}. Lý do: {reason}", items.join("; "))
        }
        Change::Forwarded { note: Some(n), .. } => format!("Ghi chú: {n}"),
        Change::Withdrawn { reason: Some(r) } => format!("Lý do: {r}"),
        Change::Extended { due_at, reason } => {
            format!("Hẹn lại: {}. Lý do: {reason}", when(*due_at))
        }
        Change::SupplementCompleted { due_at } => format!("Ngày hẹn trả mới: {}", when(*due_at)),
        Change::Received { code, due_at, .. } => {
            format!("Mã hồ sơ {code}, hẹn trả {}", when(*due_at))
        }
        Change::PaymentRequested { amount_vnd } | Change::PaymentCompleted { amount_vnd } => {
            super::money(*amount_vnd)
        }
        Change::Completed { results } => format!("Kết quả: {}", results.join("; ")),
        Change::Returned { how } => format!("Hình thức trả: {how}"),
        Change::ComponentFile { component, file } => format!("{component}: {}", file.name),
        Change::PaperSeen { component, reason } => format!("{component}. Lý do: {reason}"),
        Change::ResultFile { file } => file.name.clone(),
        Change::Rated { rating, comment } => {
            let r = match rating {
                Rating::Satisfied => "Hài lòng",
                Rating::Unsatisfied => "Không hài lòng",
            };
            match comment {
                Some(c) => format!("{r}: {c}"),
                None => r.to_owned(),
            }
        }
        _ => String::new(),
    }
}

/// The timeline with people's names; `who` is left out for the applicant's own view of
/// officers (they see the role, which is what they can act on).
pub async fn timeline(state: &AppState, events: &[Event], names: bool) -> Vec<TimelineRow> {
    let mut cache: HashMap<String, String> = HashMap::new();
    let tree = state.store.unit_tree().await.ok();
    let mut rows = Vec::new();
    for e in events {
        let who = if names {
            if !cache.contains_key(&e.by.account) {
                let n = state
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
            at: when(e.at),
            label: label(&e.change),
            who,
            role: e.by.role.label_vi(),
            detail: detail(&e.change, tree.as_ref()),
        });
    }
    rows
}

pub struct DocRow {
    pub form: String,
    pub title: String,
    pub at: String,
    pub lines: Vec<(&'static str, String)>,
}

fn flat(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(flat).collect::<Vec<_>>().join("; "),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

pub fn documents(docs: &[Document]) -> Vec<DocRow> {
    const KEYS: [(&str, &str); 8] = [
        ("code", "Mã hồ sơ"),
        ("procedure", "Thủ tục"),
        ("due_at", "Ngày hẹn trả kết quả"),
        ("lookup_secret", "Mã tra cứu"),
        ("items", "Giấy tờ cần bổ sung"),
        ("new_due_at", "Ngày hẹn trả mới"),
        ("reason", "Lý do"),
        ("results", "Văn bản kết quả"),
    ];
    docs.iter()
        .map(|d| DocRow {
            form: if d.form == "kq" {
                "Kết quả".to_owned()
            } else {
                format!("Mẫu {}", d.form)
            },
            title: d.title.clone(),
            at: when(d.created_at),
            lines: KEYS
                .iter()
                .filter_map(|(k, l)| {
                    d.body
                        .get(*k)
                        .map(flat)
                        .filter(|s| !s.is_empty())
                        .map(|s| (*l, readable_instant(k, s)))
                })
                .collect(),
        })
        .collect()
}

/// Documents keep instants as RFC 3339 (what a machine reads back); people read them as
/// "17:00 ngày 30/11/2026".
fn readable_instant(key: &str, value: String) -> String {
    if !key.ends_with("_at") {
        return value;
    }
    chrono::DateTime::parse_from_rfc3339(&value)
        .map_or(value, |t| when(t.with_timezone(&chrono::Utc)))
}

pub struct DataRow {
    pub label: String,
    pub value: String,
}

pub(super) fn shown(f: &Field, v: &Value) -> String {
    let choice = |s: &str| {
        f.choices
            .iter()
            .find(|c| c.value == s)
            .map_or_else(|| s.to_owned(), |c| c.label.clone())
    };
    match (f.kind, v) {
        (FieldKind::Checkbox, Value::Bool(true)) => "Có".to_owned(),
        (FieldKind::Checkbox, _) => "Không".to_owned(),
        (FieldKind::Choice, Value::String(s)) => choice(s),
        (FieldKind::MultiChoice, Value::Array(a)) => a
            .iter()
            .map(|x| choice(&flat(x)))
            .collect::<Vec<_>>()
            .join("; "),
        (FieldKind::MoneyVnd, Value::Number(n)) => {
            n.as_u64().map_or_else(|| n.to_string(), super::money)
        }
        (FieldKind::Date, Value::String(s)) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_or_else(|_| s.clone(), |d| d.format("%d/%m/%Y").to_string()),
        _ => flat(v),
    }
}

pub(super) fn rows_of(fields: &[Field], data: &Value, prefix: &str, out: &mut Vec<DataRow>) {
    for f in fields {
        let Some(v) = data.get(&f.name) else { continue };
        if f.kind == FieldKind::Group {
            for (k, item) in v.as_array().into_iter().flatten().enumerate() {
                rows_of(
                    &f.fields,
                    item,
                    &format!("{prefix}{} {}: ", f.label, k + 1),
                    out,
                );
            }
        } else {
            out.push(DataRow {
                label: format!("{prefix}{}", f.label),
                value: shown(f, v),
            });
        }
    }
}

/// The stored answers labelled as on the form the dossier pinned; without an e-form, the
/// note.
pub async fn form_data(state: &AppState, s: &Stored) -> Result<Vec<DataRow>, ApiError> {
    let mut out = Vec::new();
    match state.eforms.pinned(&state.store, &s.state).await? {
        Some(form) => rows_of(&form.definition().fields, &s.form_data, "", &mut out),
        None => {
            if let Some(n) = s.form_data.get("note").map(flat).filter(|n| !n.is_empty()) {
                out.push(DataRow {
                    label: "Ghi chú của người nộp".to_owned(),
                    value: n,
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::readable_instant;

    #[test]
    fn document_instants_read_as_vietnamese_dates() {
        assert_eq!(
            readable_instant("due_at", "2026-11-30T17:00:00+07:00".into()),
            "17:00 ngày 30/11/2026"
        );
        // An instant in another offset is shown in Vietnam's time.
        assert_eq!(
            readable_instant("new_due_at", "2026-11-30T03:00:00Z".into()),
            "10:00 ngày 30/11/2026"
        );
        // Other keys and unparseable values pass through untouched.
        assert_eq!(
            readable_instant("reason", "2026-11-30".into()),
            "2026-11-30"
        );
        assert_eq!(readable_instant("due_at", "sắp tới".into()), "sắp tới");
    }
}
