//! What the API shows of a dossier.

use motcua_domain::dossier::{Change, Dossier, Event};
use motcua_store::dossiers::Document;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct DossierView {
    pub id: String,
    pub code: Option<String>,
    pub version: i64,
    /// draft, submitted, received, refused, processing, supplement_requested,
    /// payment_requested, withdrawn, stopped, completed, returned
    pub status: String,
    pub status_label: String,
    /// The national portal's TrangThaiHoSo code.
    pub national_status: Option<u8>,
    pub procedure: String,
    /// The e-form version the declaration follows (`GET /api/v1/procedures/{code}/form?version=`);
    /// null for the built-in form.
    pub eform_version: Option<i64>,
    pub unit: String,
    pub desk: Option<String>,
    pub channel: Option<String>,
    pub parent: Option<String>,
    pub step: Option<usize>,
    pub submitted_at: Option<String>,
    pub received_at: Option<String>,
    /// The appointment on the receipt.
    pub due_at: Option<String>,
    /// The appointment after clock stops and an extension.
    pub current_due_at: Option<String>,
    pub supplement_requests: u32,
    pub extensions: u32,
    pub waiting_for_inter_agency: bool,
    pub finished_at: Option<String>,
    pub rating: Option<String>,
}

fn t(x: Option<chrono::DateTime<chrono::Utc>>) -> Option<String> {
    x.map(motcua_app::time::vn_time)
}

impl From<&Dossier> for DossierView {
    fn from(d: &Dossier) -> Self {
        Self {
            id: d.id.clone(),
            code: d.code.as_ref().map(ToString::to_string),
            version: d.version,
            status: d.status.as_str().into(),
            status_label: d.status.label_vi().into(),
            national_status: d.status.national_code(),
            procedure: d.procedure.to_string(),
            eform_version: d.eform_version,
            unit: d.unit.to_string(),
            desk: d.desk.as_ref().map(ToString::to_string),
            channel: d.channel.map(|c| {
                serde_json::to_value(c)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            }),
            parent: d.parent.clone(),
            step: d.step,
            submitted_at: t(d.submitted_at),
            received_at: t(d.received_at),
            due_at: t(d.due_at),
            current_due_at: t(d.current_due_at),
            supplement_requests: d.supplement_requests,
            extensions: d.extensions,
            waiting_for_inter_agency: d.waiting_for_child,
            finished_at: t(d.finished_at),
            rating: d.rating.map(|r| {
                serde_json::to_value(r)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            }),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TimelineEntry {
    pub version: i64,
    pub at: String,
    pub kind: String,
    /// Vietnamese description for people.
    pub label: String,
    /// Who acted (omitted in the public lookup).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub detail: Option<serde_json::Value>,
}

pub fn label(c: &Change) -> &'static str {
    c.label_vi()
}

/// The timeline; `public` leaves out who acted and what they wrote.
pub fn timeline(events: &[Event], public: bool) -> Vec<TimelineEntry> {
    events
        .iter()
        .map(|e| TimelineEntry {
            version: e.version,
            at: motcua_app::time::vn_time(e.at),
            kind: e.change.kind().into(),
            label: label(&e.change).into(),
            by: (!public).then(|| e.by.account.clone()),
            role: (!public).then(|| e.by.role.as_str().to_owned()),
            detail: (!public).then(|| serde_json::to_value(&e.change).unwrap_or_default()),
        })
        .collect()
}

#[derive(Serialize, ToSchema)]
pub struct DocumentView {
    pub id: String,
    /// 01 receipt, 02 supplement request, 03 refusal, 04 apology and extension, 05 stop notice, kq result
    pub form: String,
    pub title: String,
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
    pub created_at: String,
}

impl From<&Document> for DocumentView {
    fn from(d: &Document) -> Self {
        Self {
            id: d.id.clone(),
            form: d.form.clone(),
            title: d.title.clone(),
            body: d.body.clone(),
            created_at: motcua_app::time::vn_time(d.created_at),
        }
    }
}
