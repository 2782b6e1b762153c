//! Turning the posted reception form into the dossier's commands: the applicant, the
//! appointment, and per component a scan or the reason it stays on paper. Nothing is
//! written unless every part is right (see [`take_in`]).

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::pages::shared::forms_render::Posted;
use crate::uploads::{self as df, OTHER_COMPONENT, Uploaded};
use motcua_app::dossiers::{self as service, Request, Target};
use motcua_domain::UnitCode;
use motcua_domain::access::{Actor, Role};
use motcua_domain::dossier::files::{ApplicantError, DeskApplicant, missing_required};
use motcua_domain::dossier::{By, Change, Command, Digitisation, Event};
use motcua_domain::procedure::{ApplicantKind, Channel, Procedure};
use motcua_store::files::{NewFile, Purpose};
use motcua_store::procedures::Published;

fn applicant_problem(e: ApplicantError) -> ApiError {
    let (field, code, vi) = match e {
        ApplicantError::NameRequired => (
            "applicant_name",
            "required",
            "Hãy nhập họ, chữ đệm và tên người nộp hồ sơ.",
        ),
        ApplicantError::InvalidCccd => (
            "applicant_cccd",
            "invalid_cccd",
            "Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số.",
        ),
        ApplicantError::InvalidPhone => (
            "applicant_phone",
            "invalid_phone",
            "Số điện thoại không đúng (10 hoặc 11 chữ số, bắt đầu bằng 0).",
        ),
    };
    ApiError::invalid(field, code, vi, e.to_string())
}

/// The date typed for the appointment, as the end of that working day in Vietnam.
fn due_date(p: &Posted) -> Result<Option<chrono::DateTime<chrono::Utc>>, ApiError> {
    let Some(s) = p.text("due_date") else {
        return Ok(None);
    };
    chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(17, 0, 0))
        .and_then(|t| t.and_local_timezone(crate::pages::vn_offset()).single())
        .map(|t| Some(t.with_timezone(&chrono::Utc)))
        .ok_or_else(|| {
            ApiError::invalid(
                "due_date",
                "invalid_date",
                "Ngày hẹn trả không đúng dạng ngày/tháng/năm.",
                "Not a date.",
            )
        })
}

/// The commands, file rows and problems of the component part of the form.
struct Components {
    reqs: Vec<Request>,
    rows: Vec<NewFile>,
    covered: Vec<String>,
    problems: Vec<String>,
}

fn read_components(
    p: &Procedure,
    posted: &Posted,
    files: &[Uploaded],
    desk: &UnitCode,
    dossier: &str,
    officer: &str,
    lang: Lang,
) -> Components {
    let mut out = Components {
        reqs: Vec::new(),
        rows: Vec::new(),
        covered: Vec::new(),
        problems: Vec::new(),
    };
    let names: Vec<(usize, String)> = p
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| (i + 1, c.name().to_owned()))
        .chain([(0, OTHER_COMPONENT.to_owned())])
        .collect();
    for (no, name) in names {
        let scans: Vec<&Uploaded> = files
            .iter()
            .filter(|f| f.field == format!("scan_{no}"))
            .collect();
        let choice =
            posted
                .get(&format!("choice_{no}"))
                .unwrap_or(if no == 0 { "scan" } else { "none" });
        // A chosen file means "scanned", whatever the radio button says.
        if !scans.is_empty() {
            for f in scans {
                let file = f.file_ref();
                out.rows.push(df::new_file(
                    &file,
                    dossier,
                    Purpose::Component,
                    Some(name.clone()),
                    officer,
                ));
                out.reqs.push(Request::Other(Command::Digitise {
                    desk: desk.clone(),
                    component: name.clone(),
                    how: Digitisation::Scanned { file },
                }));
            }
            out.covered.push(name);
            continue;
        }
        match choice {
            "scan" if no > 0 => {
                out.problems
                    .push(lang.f2("desk.problem.scan_without_file", no, &name))
            }
            "paper" => {
                let reason = posted.text(&format!("reason_{no}")).unwrap_or_default();
                if reason.is_empty() {
                    out.problems
                        .push(lang.f2("desk.problem.paper_without_reason", no, &name));
                } else {
                    out.reqs.push(Request::Other(Command::Digitise {
                        desk: desk.clone(),
                        component: name.clone(),
                        how: Digitisation::PaperSeen { reason },
                    }));
                    out.covered.push(name);
                }
            }
            _ => {}
        }
    }
    out
}

pub(crate) type Refusal = (ApiError, Vec<String>);

pub(crate) async fn take_in(
    state: &AppState,
    actor: &Actor,
    desks: &[UnitCode],
    published: &Published,
    posted: &Posted,
    files: &[Uploaded],
    lang: Lang,
) -> Result<String, Refusal> {
    let procedure = &published.procedure;
    let plain = |e: ApiError| (e, Vec::new());
    let desk = UnitCode::parse(posted.get("desk").unwrap_or_default())
        .ok()
        .filter(|d| desks.contains(d))
        .ok_or_else(|| {
            plain(ApiError::invalid(
                "desk",
                "required",
                "Hãy chọn Bộ phận Một cửa tiếp nhận.",
                "Choose the desk.",
            ))
        })?;
    let unit = UnitCode::parse(posted.get("unit").unwrap_or_default())
        .ok()
        .filter(|u| procedure.units.contains(u))
        .ok_or_else(|| {
            plain(ApiError::invalid(
                "unit",
                "not_competent",
                "Hãy chọn cơ quan có thẩm quyền giải quyết thủ tục.",
                "Choose a competent unit.",
            ))
        })?;
    let channel = match posted.get("channel") {
        Some("postal") => Channel::Postal,
        _ => Channel::Direct,
    };
    let kind = match posted.get("applicant_kind") {
        Some("business") => ApplicantKind::Business,
        Some("household_business") => ApplicantKind::HouseholdBusiness,
        _ => ApplicantKind::Citizen,
    };
    let applicant = DeskApplicant::parse(
        posted.get("applicant_name").unwrap_or_default(),
        posted.get("applicant_cccd").unwrap_or_default(),
        posted.get("applicant_phone").unwrap_or_default(),
    )
    .map_err(|e| plain(applicant_problem(e)))?;
    let form_data = serde_json::json!({
        "applicant": applicant,
        "note": format!("Hồ sơ giấy tiếp nhận tại Bộ phận Một cửa. Người nộp: {}.", applicant.name),
    });
    let fingerprint = motcua_app::dossiers::limits::request_fingerprint(
        procedure.code.as_str(),
        unit.as_str(),
        &applicant.key(),
        &form_data,
    );
    let key = posted.text("idempotency_key").filter(|k| k.len() <= 200);
    // The same form posted twice (a double click, a resend): the first dossier's receipt;
    // the same key with another applicant or unit is refused rather than answered with it.
    if let Some(k) = &key
        && let Ok(Some(existing)) = state
            .app
            .store
            .dossier_by_idempotency_key(&applicant.key(), k)
            .await
    {
        motcua_app::dossiers::limits::same_request(&existing, &fingerprint)
            .map_err(|e| plain(e.into()))?;
        return Ok(existing.id);
    }
    let due_at = due_date(posted).map_err(plain)?;
    let id = uuid::Uuid::now_v7().to_string();
    let parts = read_components(
        procedure,
        posted,
        files,
        &desk,
        &id,
        &actor.account_id,
        lang,
    );
    let required: Vec<String> = procedure
        .components
        .iter()
        .map(|c| c.component())
        .filter(|c| c.required)
        .map(|c| c.name)
        .collect();
    let mut problems = parts.problems;
    for m in missing_required(required.iter().map(String::as_str), &parts.covered) {
        problems.push(lang.f("desk.problem.missing", m));
    }
    if !problems.is_empty() {
        return Err((
            ApiError::invalid(
                "components",
                "incomplete",
                "Hồ sơ chưa đủ thành phần để tiếp nhận.",
                "The dossier is not complete.",
            ),
            problems,
        ));
    }
    // The declaration is on paper, but the dossier pins the e-form in force like any other,
    // so whoever reads it later sees the same form whichever way it came in.
    let eform = state
        .app
        .eforms
        .in_force(&state.app.store, &procedure.code)
        .await
        .map_err(|e| plain(e.into()))?;
    let created = Event {
        dossier: id.clone(),
        version: 1,
        at: chrono::Utc::now(),
        by: By {
            account: actor.account_id.clone(),
            role: Role::ReceptionOfficer,
            unit: Some(desk.clone()),
        },
        change: Change::Created {
            procedure: procedure.code.clone(),
            procedure_version: published.version,
            unit,
            applicant: applicant.key(),
            applicant_kind: kind,
            parent: None,
            eform_version: eform.version,
        },
    };
    let mut reqs = vec![Request::Other(Command::Intake {
        desk: desk.clone(),
        channel,
    })];
    reqs.extend(parts.reqs);
    reqs.push(Request::Receive { desk, due_at });
    let target = Target::New {
        created: Box::new(created),
        form_data,
        idempotency_key: key
            .as_deref()
            .map(|key| motcua_store::dossiers::Idempotency {
                key,
                fingerprint: &fingerprint,
            }),
    };
    let out = service::execute_all(&state.app, actor, target, reqs, parts.rows)
        .await
        .map_err(ApiError::from)
        .map_err(plain)?;
    Ok(out.dossier.id)
}
