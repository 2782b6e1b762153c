//! Commands and the rules that turn them into events or refuse them.
//!
//! `decide` is the only place where a dossier may change: it checks the actor's permission
//! (`access::authorize`), the status, the process step and the rules of `spec/dossier.md`,
//! and returns the changes to append. It reads no clock: `now` is given.

use super::code::DossierCode;
use super::files::{Digitisation, FileRef};
use super::model::{By, Change, Dossier, Rating};
use super::process::{Process, StepAction};
use super::status::Status;
use crate::access::{Action, Actor, Role};
use crate::codes::UnitCode;
use crate::procedure::Channel;
use crate::unit::UnitTree;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Saves the draft's components (save and resume); the data itself goes with the commit.
    SaveForm,
    Submit {
        channel: Channel,
        on_behalf: bool,
    },
    Receive {
        desk: UnitCode,
        code: DossierCode,
        due_at: DateTime<Utc>,
        process_version: i64,
    },
    Refuse {
        desk: UnitCode,
        reason: String,
    },
    Forward {
        note: Option<String>,
    },
    SendBack {
        reason: String,
    },
    /// To another competent unit of the procedure, with a written reason.
    Transfer {
        to: UnitCode,
        reason: String,
    },
    RequestSupplement {
        items: Vec<String>,
        reason: String,
    },
    /// `due_at` is the appointment moved by the stopped time (computed by the caller from
    /// the calendar, since the domain reads no clock).
    CompleteSupplement {
        due_at: DateTime<Utc>,
    },
    RequestPayment {
        amount_vnd: u64,
    },
    ConfirmPayment,
    Extend {
        due_at: DateTime<Utc>,
        reason: String,
    },
    Stop {
        reason: String,
    },
    Withdraw {
        reason: Option<String>,
    },
    Complete {
        results: Vec<String>,
    },
    Return {
        how: String,
    },
    Rate {
        rating: Rating,
        comment: Option<String>,
    },
    /// The applicant's file for a component (draft, or answering a supplement request).
    AttachFile {
        component: String,
        file: FileRef,
    },
    /// The desk records one component of a dossier it checks: scanned, or seen on paper.
    Digitise {
        desk: UnitCode,
        component: String,
        how: Digitisation,
    },
    /// A result document's file, by whoever may complete at the current step.
    AttachResult {
        file: FileRef,
    },
    /// A paper dossier handed in at a desk (or arriving by public post) is submitted.
    Intake {
        desk: UnitCode,
        channel: Channel,
    },
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::SaveForm => "save_form",
            Command::Submit { .. } => "submit",
            Command::Receive { .. } => "receive",
            Command::Refuse { .. } => "refuse",
            Command::Forward { .. } => "forward",
            Command::SendBack { .. } => "send_back",
            Command::Transfer { .. } => "transfer",
            Command::RequestSupplement { .. } => "request_supplement",
            Command::CompleteSupplement { .. } => "complete_supplement",
            Command::RequestPayment { .. } => "request_payment",
            Command::ConfirmPayment => "confirm_payment",
            Command::Extend { .. } => "extend",
            Command::Stop { .. } => "stop",
            Command::Withdraw { .. } => "withdraw",
            Command::Complete { .. } => "complete",
            Command::Return { .. } => "return",
            Command::Rate { .. } => "rate",
            Command::AttachFile { .. } => "attach_file",
            Command::Digitise { .. } => "digitise",
            Command::AttachResult { .. } => "attach_result",
            Command::Intake { .. } => "intake",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DossierError {
    #[error("not allowed for this actor")]
    Forbidden,
    #[error("{command} is not possible while the dossier is {status}")]
    WrongStatus {
        command: &'static str,
        status: &'static str,
    },
    #[error("the current process step does not allow {0}")]
    StepDoesNotAllow(&'static str),
    #[error("a written reason is required")]
    ReasonRequired,
    #[error("a supplement request must list the missing items")]
    ItemsRequired,
    #[error("the extension limit ({0}) is reached")]
    ExtensionLimit(u32),
    #[error("an extension must be asked before the due instant and move it later")]
    ExtensionTiming,
    #[error("the dossier waits for the other unit's result")]
    WaitingForChild,
    #[error("a desk receives only for units of its own province")]
    OtherProvince,
    #[error("at least one result document is required")]
    ResultRequired,
    #[error("the amount must be greater than 0")]
    AmountRequired,
    #[error("the dossier's fees would exceed the largest amount that can be recorded")]
    AmountTooLarge,
    #[error("already rated")]
    AlreadyRated,
    #[error("the file's digest, size or id is not valid")]
    InvalidFile,
    #[error("this kind of file is not accepted")]
    FileTypeNotAllowed,
    #[error("the dossier component is required")]
    ComponentRequired,
    #[error("a desk takes paper dossiers directly or by public post, not online")]
    ChannelNotAtDesk,
    #[error("the unit is not a competent unit of the procedure that could take the dossier")]
    TransferNotCompetent,
    #[error("the dossier is already at that unit")]
    TransferSameUnit,
}

/// What `decide` needs besides the dossier and the command.
pub struct Context<'a> {
    pub now: DateTime<Utc>,
    pub actor: &'a Actor,
    pub tree: &'a UnitTree,
    /// The pinned process (from reception on).
    pub process: Option<&'a Process>,
    /// The procedure's competent units (where a dossier may be transferred).
    pub competent_units: &'a [UnitCode],
    /// Extensions allowed per dossier (1 by default).
    pub max_extensions: u32,
}

pub(super) fn status_err(c: &Command, d: &Dossier) -> DossierError {
    DossierError::WrongStatus {
        command: c.name(),
        status: d.status.as_str(),
    }
}

pub(super) fn need_reason(r: &str) -> Result<String, DossierError> {
    let r = crate::text::nfc(r);
    if r.is_empty() {
        Err(DossierError::ReasonRequired)
    } else {
        Ok(r)
    }
}

/// The grant the actor acts under for `action` on `unit`: the first that covers it.
fn acting(
    ctx: &Context<'_>,
    action: Action,
    unit: &UnitCode,
    role: Option<Role>,
) -> Result<By, DossierError> {
    let g = crate::access::grant_for(ctx.actor, action, unit, role, ctx.tree)
        .ok_or(DossierError::Forbidden)?;
    Ok(By {
        account: ctx.actor.account_id.clone(),
        role: g.role,
        unit: Some(unit.clone()),
    })
}

fn as_applicant(ctx: &Context<'_>, d: &Dossier) -> Result<By, DossierError> {
    if ctx.actor.account_id != d.applicant {
        return Err(DossierError::Forbidden);
    }
    Ok(By {
        account: d.applicant.clone(),
        role: Role::Applicant,
        unit: None,
    })
}

/// The helper who created this draft for its applicant, still allowed to file on their
/// behalf: nobody fills in or submits a draft someone else started for themselves.
fn as_helper(ctx: &Context<'_>, d: &Dossier) -> Result<By, DossierError> {
    if d.helper.as_deref() != Some(ctx.actor.account_id.as_str()) {
        return Err(DossierError::Forbidden);
    }
    acting(ctx, Action::SubmitOnBehalf, &d.unit, None)
}

/// The step worker: holds the step's role in the step's unit, and the step allows `a`.
pub(super) fn step_worker(
    ctx: &Context<'_>,
    d: &Dossier,
    a: StepAction,
    name: &'static str,
) -> Result<(By, usize), DossierError> {
    let process = ctx.process.ok_or(DossierError::StepDoesNotAllow(name))?;
    let i = d.step.ok_or(DossierError::StepDoesNotAllow(name))?;
    let step = process
        .steps
        .get(i)
        .ok_or(DossierError::StepDoesNotAllow(name))?;
    let unit = process
        .step_unit(i, &d.unit, ctx.tree)
        .ok_or(DossierError::StepDoesNotAllow(name))?;
    let action = match step.role {
        Role::Leader if a == StepAction::Complete => Action::ApproveDossier,
        Role::ReceptionOfficer => Action::ReceiveDossier,
        _ => Action::ProcessDossier,
    };
    let by = acting(ctx, action, &unit, Some(step.role))?;
    if !step.actions.contains(&a) {
        return Err(DossierError::StepDoesNotAllow(name));
    }
    Ok((by, i))
}

/// Decides a command: the changes to append (with who made them), or why not.
pub fn decide(
    d: &Dossier,
    cmd: Command,
    ctx: &Context<'_>,
) -> Result<(By, Vec<Change>), DossierError> {
    use Status::*;
    let working = matches!(d.status, Received | Processing);
    match &cmd {
        Command::AttachFile { .. }
        | Command::Digitise { .. }
        | Command::AttachResult { .. }
        | Command::Intake { .. } => super::files::decide_files(d, &cmd, ctx, || {
            step_worker(ctx, d, StepAction::Complete, "attach_result").map(|(by, _)| by)
        }),
        Command::SaveForm => {
            if d.status != Draft {
                return Err(status_err(&cmd, d));
            }
            let by = as_applicant(ctx, d).or_else(|_| as_helper(ctx, d))?;
            Ok((by, vec![Change::FormSaved]))
        }
        Command::Submit { channel, on_behalf } => {
            if d.status != Draft {
                return Err(status_err(&cmd, d));
            }
            if *on_behalf {
                let by = as_helper(ctx, d)?;
                // A helper-assisted submission counts as online, whatever the helper says.
                let channel = if by.role == Role::DigitalHelper {
                    Channel::Online
                } else {
                    *channel
                };
                let helper = Some(by.account.clone());
                Ok((by, vec![Change::Submitted { channel, helper }]))
            } else {
                let by = as_applicant(ctx, d)?;
                Ok((
                    by,
                    vec![Change::Submitted {
                        channel: *channel,
                        helper: None,
                    }],
                ))
            }
        }
        Command::Receive {
            desk,
            code,
            due_at,
            process_version,
        } => {
            if d.status != Submitted {
                return Err(status_err(&cmd, d));
            }
            if desk.province() != d.unit.province() {
                return Err(DossierError::OtherProvince);
            }
            let by = acting(ctx, Action::ReceiveDossier, desk, None)?;
            Ok((
                by,
                vec![Change::Received {
                    code: code.clone(),
                    desk: desk.clone(),
                    due_at: *due_at,
                    process_version: *process_version,
                }],
            ))
        }
        Command::Refuse { desk, reason } => {
            if d.status != Submitted {
                return Err(status_err(&cmd, d));
            }
            let by = acting(ctx, Action::ReceiveDossier, desk, None)?;
            Ok((
                by,
                vec![Change::Rejected {
                    reason: need_reason(reason)?,
                }],
            ))
        }
        Command::Forward { note } => {
            if !working {
                return Err(status_err(&cmd, d));
            }
            if d.waiting_for_child {
                return Err(DossierError::WaitingForChild);
            }
            let (by, i) = step_worker(ctx, d, StepAction::Forward, "forward")?;
            let mut changes = vec![Change::Forwarded {
                from_step: i,
                to_step: i + 1,
                note: note.clone(),
            }];
            // Entering an inter-agency step hands the work to the other unit.
            if let Some(next) = ctx.process.and_then(|p| p.steps.get(i + 1))
                && let Some(ia) = &next.inter_agency
            {
                let unit = ia
                    .unit
                    .resolve(&d.unit, ctx.tree)
                    .ok_or(DossierError::StepDoesNotAllow("forward"))?;
                changes.push(Change::ChildRequested {
                    step: i + 1,
                    unit,
                    procedure: ia.procedure.clone(),
                });
            }
            Ok((by, changes))
        }
        Command::SendBack { reason } => {
            if !working {
                return Err(status_err(&cmd, d));
            }
            let (by, i) = step_worker(ctx, d, StepAction::SendBack, "send_back")?;
            Ok((
                by,
                vec![Change::SentBack {
                    from_step: i,
                    to_step: i.saturating_sub(1),
                    reason: need_reason(reason)?,
                }],
            ))
        }
        Command::Transfer { to, reason } => {
            super::transfer::decide_transfer(d, &cmd, to, reason, ctx)
        }
        Command::RequestSupplement { items, reason } => {
            if !working {
                return Err(status_err(&cmd, d));
            }
            let (by, _) = step_worker(ctx, d, StepAction::RequestSupplement, "request_supplement")?;
            let items: Vec<String> = items
                .iter()
                .map(|i| crate::text::nfc(i))
                .filter(|i| !i.is_empty())
                .collect();
            if items.is_empty() {
                return Err(DossierError::ItemsRequired);
            }
            Ok((
                by,
                vec![Change::SupplementRequested {
                    items,
                    reason: need_reason(reason)?,
                }],
            ))
        }
        Command::CompleteSupplement { due_at } => {
            if d.status != SupplementRequested {
                return Err(status_err(&cmd, d));
            }
            let by = as_applicant(ctx, d).or_else(|_| {
                acting(
                    ctx,
                    Action::ReceiveDossier,
                    d.desk.as_ref().unwrap_or(&d.unit),
                    None,
                )
            })?;
            Ok((by, vec![Change::SupplementCompleted { due_at: *due_at }]))
        }
        Command::RequestPayment { amount_vnd } => {
            if !working {
                return Err(status_err(&cmd, d));
            }
            if *amount_vnd == 0 {
                return Err(DossierError::AmountRequired);
            }
            let (by, _) = step_worker(ctx, d, StepAction::RequestPayment, "request_payment")?;
            // The dossier keeps a running total of what was asked; it must not wrap round.
            if d.fee_requested.checked_add(*amount_vnd).is_none() {
                return Err(DossierError::AmountTooLarge);
            }
            Ok((
                by,
                vec![Change::PaymentRequested {
                    amount_vnd: *amount_vnd,
                }],
            ))
        }
        Command::ConfirmPayment => {
            if d.status != PaymentRequested {
                return Err(status_err(&cmd, d));
            }
            let by = acting(
                ctx,
                Action::ReceiveDossier,
                d.desk.as_ref().unwrap_or(&d.unit),
                None,
            )?;
            Ok((
                by,
                vec![Change::PaymentCompleted {
                    amount_vnd: d.fee_requested.saturating_sub(d.fee_paid),
                }],
            ))
        }
        Command::Extend { due_at, reason } => {
            if !working && d.status != SupplementRequested && d.status != PaymentRequested {
                return Err(status_err(&cmd, d));
            }
            let (by, _) = step_worker(ctx, d, StepAction::Extend, "extend")?;
            if d.extensions >= ctx.max_extensions {
                return Err(DossierError::ExtensionLimit(ctx.max_extensions));
            }
            let current = d.current_due_at.ok_or(DossierError::ExtensionTiming)?;
            if ctx.now >= current || *due_at <= current {
                return Err(DossierError::ExtensionTiming);
            }
            Ok((
                by,
                vec![Change::Extended {
                    due_at: *due_at,
                    reason: need_reason(reason)?,
                }],
            ))
        }
        Command::Stop { reason } => {
            if !working && d.status != SupplementRequested && d.status != PaymentRequested {
                return Err(status_err(&cmd, d));
            }
            let (by, _) = step_worker(ctx, d, StepAction::Stop, "stop")?;
            Ok((
                by,
                vec![Change::Stopped {
                    reason: need_reason(reason)?,
                }],
            ))
        }
        Command::Withdraw { reason } => {
            if d.status.is_terminal() || d.status == Completed {
                return Err(status_err(&cmd, d));
            }
            let by = as_applicant(ctx, d)?;
            Ok((
                by,
                vec![Change::Withdrawn {
                    reason: reason
                        .as_deref()
                        .map(crate::text::nfc)
                        .filter(|r| !r.is_empty()),
                }],
            ))
        }
        Command::Complete { results } => {
            if !working {
                return Err(status_err(&cmd, d));
            }
            if d.waiting_for_child {
                return Err(DossierError::WaitingForChild);
            }
            let (by, _) = step_worker(ctx, d, StepAction::Complete, "complete")?;
            let results: Vec<String> = results
                .iter()
                .map(|r| crate::text::nfc(r))
                .filter(|r| !r.is_empty())
                .collect();
            if results.is_empty() {
                return Err(DossierError::ResultRequired);
            }
            Ok((by, vec![Change::Completed { results }]))
        }
        Command::Return { how } => {
            if d.status != Completed {
                return Err(status_err(&cmd, d));
            }
            // The result goes back through the desk that received it, or online.
            let desk = d.desk.clone().unwrap_or_else(|| d.unit.clone());
            let by = acting(ctx, Action::ReceiveDossier, &desk, None)?;
            Ok((
                by,
                vec![Change::Returned {
                    how: need_reason(how)?,
                }],
            ))
        }
        Command::Rate { rating, comment } => {
            if d.status != Returned {
                return Err(status_err(&cmd, d));
            }
            if d.rating.is_some() {
                return Err(DossierError::AlreadyRated);
            }
            let by = as_applicant(ctx, d)?;
            Ok((
                by,
                vec![Change::Rated {
                    rating: *rating,
                    comment: comment
                        .as_deref()
                        .map(crate::text::nfc)
                        .filter(|c| !c.is_empty()),
                }],
            ))
        }
    }
}
