//! Carrying out a dossier command: load, let the domain decide, build the events, the
//! documents and the outbox rows, commit them in one transaction.
//!
//! Handlers (API and pages) call [`execute`] (or [`execute_all`] for several commands in
//! one commit) and [`create`]; nothing else changes a dossier.

use crate::{App, AppError, FieldError};
use chrono::{DateTime, Utc};
use motcua_domain::access::Actor;
use motcua_domain::dossier::{
    By, Change, CodeGenerator, Command, Context, Dossier, Event, Process, Tt01Codes, decide,
};
use motcua_store::dossiers::{Commit, Document, OutboxMessage};
use motcua_store::files::NewFile;

pub use super::effects::secret_hash;
use super::effects::{documents_for, new_secret, outbox_for};

/// What a caller asks for, before the service fills in what only it can know (the code, the
/// appointment, the moved due date).
#[derive(Clone)]
pub enum Request {
    /// Save a draft's components (save and resume).
    SaveForm {
        form_data: serde_json::Value,
    },
    /// Submit, optionally with the final components; an e-form is validated first.
    Submit {
        channel: motcua_domain::procedure::Channel,
        on_behalf: bool,
        form_data: Option<serde_json::Value>,
    },
    /// `due_at` only where the procedure has no time limit in the catalogue.
    Receive {
        desk: motcua_domain::UnitCode,
        due_at: Option<DateTime<Utc>>,
    },
    /// The applicant supplied everything (with corrected components, if any).
    CompleteSupplement {
        form_data: Option<serde_json::Value>,
    },
    Other(Command),
}

/// The dossier's e-form (the pinned one, see `crate::eforms`), if it has one, validated
/// server-side with errors per field (Vietnamese and English). Returns the normalised data to store.
pub fn validate_form(
    form: Option<&motcua_domain::eform::CheckedForm>,
    data: &serde_json::Value,
    today: chrono::NaiveDate,
) -> Result<serde_json::Value, AppError> {
    let Some(form) = form else {
        return Ok(data.clone());
    };
    form.validate(data, today)
        .map(|n| n.into_value())
        .map_err(|errors| {
            AppError::FormInvalid(
                errors
                    .into_iter()
                    .map(|f| FieldError {
                        field: format!("form_data.{}", f.field),
                        code: serde_json::to_value(f.code)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default(),
                        message_vi: Some(f.message_vi),
                        message_en: Some(f.message_en),
                    })
                    .collect(),
            )
        })
}

pub struct Outcome {
    pub dossier: Dossier,
    /// The secret for public lookup, shown once on the receipt.
    pub lookup_secret: Option<String>,
}

/// The process a dossier follows: the pinned version, or the latest published one, or the
/// standard two-step process where the procedure has none yet.
pub async fn process_for(app: &App, d: &Dossier) -> Result<(i64, Process), AppError> {
    Ok(app
        .store
        .process(d.procedure.as_str(), d.process_version)
        .await?
        .unwrap_or_else(|| (0, Process::standard(d.procedure.clone()))))
}

/// Turns decided changes into numbered events and the new state.
fn record(d: &Dossier, by: &By, changes: Vec<Change>, now: DateTime<Utc>) -> (Dossier, Vec<Event>) {
    let mut state = d.clone();
    let mut events = Vec::new();
    for change in changes {
        let e = Event {
            dossier: d.id.clone(),
            version: state.version + 1,
            at: now,
            by: by.clone(),
            change,
        };
        // apply only refuses a Created event on an existing dossier, which decide never yields.
        state = Dossier::apply(Some(state.clone()), &e).unwrap_or(state);
        events.push(e);
    }
    (state, events)
}

/// A child dossier for an inter-agency step, submitted to the other unit on the parent's
/// applicant's behalf.
fn child_of(
    parent: &Dossier,
    unit: &motcua_domain::UnitCode,
    procedure: &motcua_domain::ProcedureCode,
    by: &By,
    now: DateTime<Utc>,
) -> Result<(Dossier, Vec<Event>), AppError> {
    let id = uuid::Uuid::now_v7().to_string();
    let created = Event {
        dossier: id.clone(),
        version: 1,
        at: now,
        by: by.clone(),
        change: Change::Created {
            procedure: procedure.clone(),
            procedure_version: 0,
            unit: unit.clone(),
            applicant: parent.applicant.clone(),
            applicant_kind: parent.applicant_kind,
            parent: Some(parent.id.clone()),
            // The other unit's part has no declaration of its own.
            eform_version: None,
        },
    };
    let submitted = Event {
        dossier: id,
        version: 2,
        at: now,
        by: by.clone(),
        change: Change::Submitted {
            channel: motcua_domain::procedure::Channel::Online,
            helper: None,
        },
    };
    let d = Dossier::replay([&created, &submitted])
        .ok_or_else(|| AppError::Internal("a new child dossier does not replay".into()))?;
    Ok((d, vec![created, submitted]))
}

/// Executes one command against dossier `id`, whose version the caller saw.
pub async fn execute(
    app: &App,
    actor: &Actor,
    id: &str,
    expected_version: Option<i64>,
    req: Request,
) -> Result<Outcome, AppError> {
    let target = Target::Stored {
        id,
        expected_version,
    };
    execute_all(app, actor, target, vec![req], Vec::new()).await
}

/// Where [`execute_all`] applies its commands.
pub enum Target<'a> {
    /// A stored dossier, at the version the caller saw (if they say).
    Stored {
        id: &'a str,
        expected_version: Option<i64>,
    },
    /// A dossier the same commit creates (a paper dossier taken in at the desk): its
    /// `created` event and the data kept beside it.
    New {
        created: Box<Event>,
        form_data: serde_json::Value,
        idempotency_key: Option<motcua_store::dossiers::Idempotency<'a>>,
    },
}

/// What preparing the commands produced besides them.
#[derive(Default)]
struct Filled {
    lookup_secret: Option<String>,
    form: Option<serde_json::Value>,
    /// A reception's desk and day, whose next number the commit takes.
    numbering: Option<(motcua_domain::UnitCode, chrono::NaiveDate)>,
}

fn reception_code(
    desk: &motcua_domain::UnitCode,
    day: chrono::NaiveDate,
    seq: u32,
) -> Result<motcua_domain::dossier::DossierCode, AppError> {
    Tt01Codes
        .code(desk, day, seq)
        .map_err(|_| AppError::CodeSequenceFull)
}

/// Decides the commands one after the other, each against the state the previous one left.
fn decide_all(
    d: Dossier,
    cmds: &[Command],
    ctx: &Context<'_>,
    now: DateTime<Utc>,
) -> Result<(Dossier, Vec<Event>), AppError> {
    let mut next = d;
    let mut events = Vec::new();
    for cmd in cmds {
        let (by, changes) = decide(&next, cmd.clone(), ctx)?;
        let (after, evs) = record(&next, &by, changes, now);
        next = after;
        events.extend(evs);
    }
    Ok((next, events))
}

/// What only the service can fill in before the domain decides (the code, the appointment,
/// the moved due date, the validated declaration).
async fn prepare(
    app: &App,
    d: &Dossier,
    stored_form: &serde_json::Value,
    req: Request,
    pv: i64,
    now: DateTime<Utc>,
    filled: &mut Filled,
) -> Result<Command, AppError> {
    let today = now.with_timezone(&crate::time::VIETNAM_OFFSET).date_naive();
    Ok(match req {
        Request::Other(c) => c,
        Request::SaveForm { form_data } => {
            filled.form = Some(form_data);
            Command::SaveForm
        }
        Request::Submit {
            channel,
            on_behalf,
            form_data,
        } => {
            let data = form_data.unwrap_or_else(|| stored_form.clone());
            let form = app.eforms.pinned(&app.store, d).await?;
            filled.form = Some(validate_form(form.as_deref(), &data, today)?);
            Command::Submit { channel, on_behalf }
        }
        Request::CompleteSupplement { form_data } => {
            if let Some(data) = form_data {
                let form = app.eforms.pinned(&app.store, d).await?;
                filled.form = Some(validate_form(form.as_deref(), &data, today)?);
            }
            let stopped = d.clock_stopped_at.unwrap_or(now);
            let current = d.current_due_at.unwrap_or(now);
            // The appointment moves by the time the clock stood still.
            Command::CompleteSupplement {
                due_at: current + (now - stopped),
            }
        }
        Request::Receive { desk, due_at } => {
            let procedure = app.store.procedure(&d.procedure).await?.procedure;
            let due_at = match (procedure.time_limit, due_at) {
                (_, Some(given)) if given > now => given,
                (Some(limit), _) => app.calendar.due_after(now, &limit),
                (None, _) => {
                    return Err(AppError::invalid(
                        "due_at",
                        "due_at_required",
                        "Thủ tục chưa có thời hạn giải quyết trong danh mục: cần nhập ngày hẹn trả.",
                        "The procedure has no time limit in the catalogue: give due_at.",
                    ));
                }
            };
            // A provisional number: the domain decides on it first, and only a reception
            // it accepts takes the day's next number (see `execute_all`).
            let code = reception_code(&desk, today, 1)?;
            filled.numbering = Some((desk.clone(), today));
            filled.lookup_secret = Some(new_secret());
            Command::Receive {
                desk,
                code,
                due_at,
                process_version: pv,
            }
        }
    })
}

/// How often a command on a stored dossier is tried when its commit lost a race.
const ATTEMPTS: usize = 3;

/// Executes commands one after the other, each against the state the previous one left,
/// and commits every event with the rows of the `files` they name in one transaction:
/// all or nothing (a desk intake with its scans and its receipt, a result with its file).
///
/// An outside system's confirmation can land between reading the dossier and committing
/// (the portal's acknowledgement arrives at any moment): the commit then fails on the
/// version, and the command is tried again on the dossier as it now stands. The version
/// the caller saw is checked again on each try, so a real change by someone else is still
/// a conflict.
pub async fn execute_all(
    app: &App,
    actor: &Actor,
    target: Target<'_>,
    reqs: Vec<Request>,
    files: Vec<NewFile>,
) -> Result<Outcome, AppError> {
    let Target::Stored {
        id,
        expected_version,
    } = target
    else {
        return execute_once(app, actor, target, reqs, files).await;
    };
    let mut attempt = 1;
    loop {
        let target = Target::Stored {
            id,
            expected_version,
        };
        match execute_once(app, actor, target, reqs.clone(), files.clone()).await {
            Err(AppError::DossierConflict) if attempt < ATTEMPTS => attempt += 1,
            other => return other,
        }
    }
}

async fn execute_once(
    app: &App,
    actor: &Actor,
    target: Target<'_>,
    reqs: Vec<Request>,
    files: Vec<NewFile>,
) -> Result<Outcome, AppError> {
    super::limits::check_requests(app, &target, &reqs, &files).await?;
    let mut idempotency_key = None;
    let (d, stored_form, mut events, expected) = match target {
        Target::Stored {
            id,
            expected_version,
        } => {
            // What one may not read, one may not change: the same answer as a read.
            let stored = super::readable(app, actor, id).await?;
            if let Some(seen) = expected_version
                && seen != stored.state.version
            {
                // An outside confirmation that came since (the portal's acknowledgement)
                // does not make what the caller saw stale; a change of the work does.
                let events = app.store.dossier_events(id).await?;
                if seen > stored.state.version
                    || !motcua_domain::dossier::outside::seen_still_holds(seen, &events)
                {
                    return Err(AppError::DossierConflict);
                }
            }
            let v = stored.state.version;
            (stored.state, stored.form_data, Vec::new(), v)
        }
        Target::New {
            created,
            form_data,
            idempotency_key: key,
        } => {
            idempotency_key = key;
            let d = Dossier::apply(None, &created)
                .ok_or_else(|| AppError::Internal("a created event does not apply".into()))?;
            (d, form_data, vec![*created], 0)
        }
    };
    let now = Utc::now();
    let tree = app.store.unit_tree().await?;
    let (pv, process) = process_for(app, &d).await?;
    let mut filled = Filled {
        form: (expected == 0).then(|| stored_form.clone()),
        ..Filled::default()
    };
    // Only a transfer needs the procedure's competent units: the others skip the lookup.
    let competent_units = if reqs
        .iter()
        .any(|r| matches!(r, Request::Other(Command::Transfer { .. })))
    {
        app.store.procedure(&d.procedure).await?.procedure.units
    } else {
        Vec::new()
    };
    let ctx = Context {
        now,
        actor,
        tree: &tree,
        process: Some(&process),
        competent_units: &competent_units,
        max_extensions: app.settings.max_extensions,
    };
    let created_events = events.len();
    let mut next = d.clone();
    let mut cmds = Vec::with_capacity(reqs.len());
    for req in reqs {
        let cmd = prepare(app, &next, &stored_form, req, pv, now, &mut filled).await?;
        let (by, changes) = decide(&next, cmd.clone(), &ctx)?;
        let (after, evs) = record(&next, &by, changes, now);
        next = after;
        events.extend(evs);
        cmds.push(cmd);
    }
    // The domain accepted every command; only now does a reception take its number, in
    // the transaction that commits it, and the same commands are decided again with it.
    let numbered = match &filled.numbering {
        Some((desk, day)) => {
            let numbered = app.store.number_reception(desk, *day).await?;
            let code = reception_code(desk, *day, numbered.seq)?;
            for cmd in &mut cmds {
                if let Command::Receive { code: c, .. } = cmd {
                    *c = code.clone();
                }
            }
            let (after, evs) = decide_all(d, &cmds, &ctx, now)?;
            next = after;
            events.truncate(created_events);
            events.extend(evs);
            Some(numbered)
        }
        None => None,
    };

    let Filled {
        lookup_secret,
        form: new_form,
        ..
    } = filled;
    let documents: Vec<Document> = events
        .iter()
        .filter_map(|e| documents_for(&next, e, lookup_secret.as_deref()))
        .collect();
    let outbox: Vec<OutboxMessage> = events
        .iter()
        .flat_map(|e| outbox_for(&next, e, &tree))
        .collect();
    let hash = lookup_secret.as_deref().map(secret_hash);
    let mut commits_owned: Vec<(Dossier, Vec<Event>, i64)> = Vec::new();
    for e in &events {
        if let Change::ChildRequested {
            unit, procedure, ..
        } = &e.change
        {
            let (child, child_events) = child_of(&next, unit, procedure, &e.by, now)?;
            commits_owned.push((child, child_events, 0));
        }
        // A finished child lets its parent go on.
        if matches!(e.change, Change::Completed { .. } | Change::Stopped { .. })
            && let Some(parent_id) = &next.parent
            && let Ok(parent) = app.store.dossier(parent_id).await
            && parent.state.waiting_for_child
        {
            let p = parent.state;
            let (pn, pe) = record(
                &p,
                &e.by,
                vec![Change::ChildFinished {
                    child: next.id.clone(),
                }],
                now,
            );
            commits_owned.push((pn, pe, p.version));
        }
    }
    let mut commits = vec![Commit {
        expected_version: expected,
        state: &next,
        events: &events,
        outbox: &outbox,
        documents: &documents,
        form_data: new_form.as_ref(),
        lookup_secret_hash: hash.as_deref(),
        idempotency_key,
    }];
    for (s, ev, v) in &commits_owned {
        commits.push(Commit {
            expected_version: *v,
            state: s,
            events: ev,
            outbox: &[],
            documents: &[],
            form_data: None,
            lookup_secret_hash: None,
            idempotency_key: None,
        });
    }
    let committed = match numbered {
        Some(n) => app.store.commit_numbered(n, &commits, &files).await,
        None => app.store.commit_dossiers_with_files(&commits, &files).await,
    };
    committed.map_err(|e| match e {
        motcua_store::StoreError::Conflict(_) => AppError::DossierConflict,
        other => other.into(),
    })?;
    let mut changed = vec![&next];
    changed.extend(commits_owned.iter().map(|(d, _, _)| d));
    feed_live(app, &changed).await;
    Ok(Outcome {
        dossier: next,
        lookup_secret,
    })
}

/// Creates a draft for the caller, or on behalf of another applicant (digital helper). An
/// idempotency key makes a retried create return the first draft.
/// A draft to create.
pub struct NewDraft<'a> {
    /// The applicant's account id (the caller's, or another's for a helper).
    pub applicant: &'a str,
    pub procedure: &'a motcua_domain::ProcedureCode,
    pub unit: &'a motcua_domain::UnitCode,
    pub applicant_kind: motcua_domain::procedure::ApplicantKind,
    pub form_data: &'a serde_json::Value,
    pub idempotency_key: Option<&'a str>,
}

pub async fn create(
    app: &App,
    actor: &Actor,
    new: NewDraft<'_>,
) -> Result<(Dossier, bool), AppError> {
    let NewDraft {
        applicant,
        procedure,
        unit,
        applicant_kind,
        form_data,
        idempotency_key,
    } = new;
    super::limits::check_form_data(app, form_data)?;
    let fingerprint =
        super::limits::request_fingerprint(procedure.as_str(), unit.as_str(), applicant, form_data);
    let idempotency_key = idempotency_key.map(|key| motcua_store::dossiers::Idempotency {
        key,
        fingerprint: &fingerprint,
    });
    if let Some(k) = idempotency_key
        && let Some(existing) = app
            .store
            .dossier_by_idempotency_key(applicant, k.key)
            .await?
    {
        super::limits::same_request(&existing, k.fingerprint)?;
        return Ok((retried(app, actor, &existing.id).await?, true));
    }
    let published = app.store.procedure(procedure).await.map_err(|_| {
        AppError::invalid(
            "procedure",
            "unknown_procedure",
            "Thủ tục không có trong danh mục.",
            "Unknown procedure.",
        )
    })?;
    if !published.procedure.units.contains(unit) {
        return Err(AppError::invalid(
            "unit",
            "not_competent",
            "Đơn vị này không có thẩm quyền giải quyết thủ tục.",
            "The unit is not competent for this procedure.",
        ));
    }
    // Who starts the draft: the applicant, or someone filing on their behalf in the role
    // that lets them (recorded as the draft's helper until it is submitted).
    let role = if applicant == actor.account_id {
        motcua_domain::access::Role::Applicant
    } else {
        let tree = app.store.unit_tree().await?;
        motcua_domain::access::grant_for(
            actor,
            motcua_domain::access::Action::SubmitOnBehalf,
            unit,
            None,
            &tree,
        )
        .map(|g| g.role)
        .ok_or(AppError::Forbidden)?
    };
    let open = app.store.open_drafts(applicant).await?;
    app.settings.limits.new_draft(open)?;
    let eform = app.eforms.in_force(&app.store, procedure).await?;
    let form_data =
        &crate::eforms::prefilled(&app.store, applicant, eform.form.as_deref(), form_data).await;
    let now = Utc::now();
    let id = uuid::Uuid::now_v7().to_string();
    let by = By {
        account: actor.account_id.clone(),
        role,
        unit: (role != motcua_domain::access::Role::Applicant).then(|| unit.clone()),
    };
    let e = Event {
        dossier: id,
        version: 1,
        at: now,
        by,
        change: Change::Created {
            procedure: procedure.clone(),
            procedure_version: published.version,
            unit: unit.clone(),
            applicant: applicant.to_owned(),
            applicant_kind,
            parent: None,
            eform_version: eform.version,
        },
    };
    let d = Dossier::apply(None, &e)
        .ok_or_else(|| AppError::Internal("a created event does not apply".into()))?;
    let events = [e];
    let commit = Commit {
        expected_version: 0,
        state: &d,
        events: &events,
        outbox: &[],
        documents: &[],
        form_data: Some(form_data),
        lookup_secret_hash: None,
        idempotency_key,
    };
    match app.store.commit_dossiers(&[commit]).await {
        Ok(()) => Ok((d, false)),
        // Two retries raced: the other one created it.
        Err(motcua_store::StoreError::Conflict(_)) if idempotency_key.is_some() => {
            let key = idempotency_key.map(|k| k.key).unwrap_or_default();
            let existing = app
                .store
                .dossier_by_idempotency_key(applicant, key)
                .await?
                .ok_or(AppError::DossierConflict)?;
            super::limits::same_request(&existing, &fingerprint)?;
            Ok((retried(app, actor, &existing.id).await?, true))
        }
        Err(e) => Err(e.into()),
    }
}

/// The draft a retried create names. A key is the applicant's: someone else sending it
/// (a helper who may not file there, say) is not handed a dossier they may not read, and is
/// told the key is taken rather than whether a dossier stands behind it.
async fn retried(app: &App, actor: &Actor, id: &str) -> Result<Dossier, AppError> {
    match super::readable(app, actor, id).await {
        Ok(stored) => Ok(stored.state),
        Err(AppError::NotFound(_)) => Err(AppError::IdempotencyKeyReused),
        Err(e) => Err(e),
    }
}

/// Hands the committed dossiers' current bundle lines to the live index. The states are
/// the ones just committed; only their event histories are read back (a line needs every
/// event). A failure to read is logged, not returned: the change itself is committed.
pub(crate) async fn feed_live(app: &App, committed: &[&Dossier]) {
    for d in committed {
        let Ok(events) = app.store.dossier_events(&d.id).await else {
            tracing::warn!(dossier = %d.id, "could not read a committed dossier back for the index");
            continue;
        };
        let parent = match &d.parent {
            Some(p) => app
                .store
                .dossier(p)
                .await
                .ok()
                .and_then(|p| p.state.code.map(|c| c.to_string()).or(Some(p.state.id))),
            None => None,
        };
        if let Some(line) = motcua_domain::dossier::export::bundle_line(d, &events, parent) {
            app.live.observe(&line);
        }
    }
}

/// What `actor` may do to `d` now, as the domain answers it with the same context the
/// write path decides with (the pinned process, the competent units, the extension limit).
/// `desk` and `transfer_to` are the desk a reception would be made at and a unit a transfer
/// could go to, where the caller offers one.
pub async fn allowed(
    app: &App,
    actor: &Actor,
    d: &Dossier,
    desk: Option<&motcua_domain::UnitCode>,
    transfer_to: Option<&motcua_domain::UnitCode>,
) -> Result<motcua_domain::dossier::Allowed, AppError> {
    let tree = app.store.unit_tree().await?;
    let (_, process) = process_for(app, d).await?;
    let competent_units = match transfer_to {
        Some(_) => app.store.procedure(&d.procedure).await?.procedure.units,
        None => Vec::new(),
    };
    let ctx = Context {
        now: Utc::now(),
        actor,
        tree: &tree,
        process: Some(&process),
        competent_units: &competent_units,
        max_extensions: app.settings.max_extensions,
    };
    Ok(motcua_domain::dossier::allowed(d, &ctx, desk, transfer_to))
}
