//! The printable control sheet (form 06, Phiếu kiểm soát quá trình giải quyết hồ sơ): who
//! handed the dossier to whom and when, each step's deadline and whether it was kept,
//! derived from the event log by `domain::dossier::control`.

use crate::AppState;
use crate::error::ApiError;
use crate::pages::office::dossier_view::{self, Summary, when};
use crate::pages::shared::auth::{Nav, PageUser};
use crate::pages::{login_redirect, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use chrono::Utc;
use motcua_app::dossiers as service;
use motcua_domain::dossier::control::{Timeliness, control_sheet};
use motcua_domain::dossier::{By, Change};
use std::collections::HashMap;

pub struct SheetRow {
    no: usize,
    /// The unit and the step (or the desk).
    unit: String,
    step: String,
    received: String,
    handed: String,
    handed_by: String,
    due: String,
    result: &'static str,
    late: bool,
}

/// A component as the desk recorded it: its scan, or the paper original seen.
pub struct ComponentLine {
    name: String,
    how: &'static str,
    detail: String,
}

fn component_lines(events: &[motcua_domain::dossier::Event]) -> Vec<ComponentLine> {
    events
        .iter()
        .filter_map(|e| match &e.change {
            Change::ComponentFile { component, file } => Some(ComponentLine {
                name: component.clone(),
                how: "Bản điện tử",
                detail: format!(
                    "{} ({})",
                    file.name,
                    crate::pages::office::desk_files::human_size(file.size)
                ),
            }),
            Change::PaperSeen { component, reason } => Some(ComponentLine {
                name: component.clone(),
                how: "Bản giấy gốc đã kiểm tra, chưa số hóa",
                detail: format!("Lý do: {reason}"),
            }),
            _ => None,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "control_sheet.html")]
struct SheetPage {
    user: Option<Nav>,
    csrf: String,
    s: Summary,
    applicant: String,
    desk: String,
    partners: Vec<String>,
    rows: Vec<SheetRow>,
    components: Vec<ComponentLine>,
    judged_due: String,
    overall: Option<(&'static str, bool)>,
    printed_at: String,
}

impl SheetPage {
    /// The reader's language, for the page around the form; the form itself is Vietnamese.
    fn lang(&self) -> crate::i18n::Lang {
        self.user
            .as_ref()
            .map(|n| n.reader.lang)
            .unwrap_or_default()
    }
}

/// People's names by account, looked up once each.
struct Names(HashMap<String, String>);

impl Names {
    async fn of(&mut self, state: &AppState, by: &By) -> String {
        if let Some(n) = self.0.get(&by.account) {
            return n.clone();
        }
        let n = state
            .app
            .store
            .account(&by.account)
            .await
            .map_or_else(|_| by.account.clone(), |a| a.display_name);
        self.0.insert(by.account.clone(), n.clone());
        n
    }
}

/// `GET /can-bo/ho-so/{id}/phieu-kiem-soat`.
pub async fn show(
    State(state): State<AppState>,
    user: PageUser,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let Some(account) = user.account() else {
        return Ok(login_redirect(&uri));
    };
    let actor = account.actor();
    let stored = motcua_app::dossiers::readable_as_officer(&state.app, &actor, &id).await?;
    let d = &stored.state;
    let tree = state.app.store.unit_tree().await?;
    if d.received_at.is_none() {
        return Err(ApiError::not_found(
            "phiếu kiểm soát của hồ sơ (hồ sơ chưa được tiếp nhận)",
            "Control sheet",
        ));
    }
    let events = state.app.store.dossier_events(&d.id).await?;
    let (_, process) = service::process_for(&state.app, d).await?;
    let now = Utc::now();
    let sheet = control_sheet(&events, &process, &state.app.calendar.current(), now);

    let mut names = Names(HashMap::new());
    let unit_name = |u: &motcua_domain::UnitCode| {
        tree.get(u)
            .map_or_else(|| u.to_string(), |x| x.name.clone())
    };
    let desk = d.desk.as_ref().map(unit_name).unwrap_or_default();
    let mut rows = Vec::new();
    if let (Some(at), Some(by)) = (sheet.received_at, &sheet.received_by) {
        rows.push(SheetRow {
            no: 1,
            unit: desk.clone(),
            step: "Bộ phận Một cửa tiếp nhận hồ sơ".into(),
            received: when(at),
            handed: when(at),
            handed_by: names.of(&state, by).await,
            due: String::new(),
            result: Timeliness::OnTime.label_vi(),
            late: false,
        });
    }
    for v in &sheet.visits {
        let step = process.steps.get(v.step);
        let unit = process
            .step_unit(v.step, &d.unit, &tree)
            .map(|u| unit_name(&u))
            .unwrap_or_default();
        let handed_by = match &v.left_by {
            Some(b) => names.of(&state, b).await,
            None => String::new(),
        };
        rows.push(SheetRow {
            no: rows.len() + 1,
            unit,
            step: step.map_or_else(
                || format!("Bước {}", v.step + 1),
                |s| format!("{} ({})", s.name, s.role.label_vi()),
            ),
            received: when(v.entered_at),
            handed: v.left_at.map_or_else(|| "Đang xử lý".to_owned(), when),
            handed_by,
            due: v.due_at.map(when).unwrap_or_default(),
            result: v.timeliness.label_vi(),
            late: v.timeliness.is_late(),
        });
    }
    if sheet.returned_at.or(sheet.completed_at).is_some() {
        rows.push(SheetRow {
            no: rows.len() + 1,
            unit: desk.clone(),
            step: if sheet.returned_at.is_some() {
                "Trả kết quả cho người nộp".into()
            } else {
                "Nhận kết quả, chờ trả".into()
            },
            received: sheet.completed_at.map(when).unwrap_or_default(),
            handed: sheet.returned_at.map(when).unwrap_or_default(),
            handed_by: String::new(),
            due: sheet.judged_due.map(when).unwrap_or_default(),
            result: sheet.overall.map_or("", Timeliness::label_vi),
            late: sheet.overall.is_some_and(Timeliness::is_late),
        });
    }
    let partners = events
        .iter()
        .filter_map(|e| match &e.change {
            Change::ChildRequested { unit, .. } => Some(unit_name(unit)),
            _ => None,
        })
        .collect();
    let page = SheetPage {
        user: user.nav(),
        csrf: user.csrf(),
        // Form 06 is a Vietnamese legal document, whatever the reader's language.
        s: dossier_view::summary(&state, d, crate::i18n::Lang::Vi).await?,
        applicant: crate::pages::office::desk::applicant_name(&state, &stored).await,
        desk,
        partners,
        rows,
        components: component_lines(&events),
        judged_due: sheet.judged_due.map(when).unwrap_or_default(),
        overall: sheet.overall.map(|t| (t.label_vi(), t.is_late())),
        printed_at: when(now),
    };
    Ok(render(&page, StatusCode::OK))
}
