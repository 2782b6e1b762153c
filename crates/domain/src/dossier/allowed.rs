//! Which commands an actor may give a dossier now — the domain's own answer, so that the
//! back office's buttons (and anything else that lists what can be done) never re-derive
//! the rules. Each command is asked of [`decide`] itself, with the caller's context and
//! stand-in inputs (a reason, an amount, a result); a refusal about an input the form will
//! ask for still counts as allowed, every other refusal does not.

use super::code::{CodeGenerator, Tt01Codes};
use super::decide::{Command, Context, DossierError, decide};
use super::model::Dossier;
use crate::UnitCode;

/// What the actor may do to the dossier now, one flag per back-office action.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Allowed {
    pub receive: bool,
    pub forward: bool,
    pub send_back: bool,
    pub transfer: bool,
    pub request_supplement: bool,
    pub request_payment: bool,
    pub confirm_payment: bool,
    pub extend: bool,
    pub stop: bool,
    pub complete: bool,
    pub return_result: bool,
}

impl Allowed {
    pub fn any(&self) -> bool {
        let Allowed {
            receive,
            forward,
            send_back,
            transfer,
            request_supplement,
            request_payment,
            confirm_payment,
            extend,
            stop,
            complete,
            return_result,
        } = *self;
        receive
            || forward
            || send_back
            || transfer
            || request_supplement
            || request_payment
            || confirm_payment
            || extend
            || stop
            || complete
            || return_result
    }
}

impl DossierError {
    /// A refusal about what was given (a reason, items, an amount, a file), not about who
    /// asks or the dossier's state: a form that asks for the input makes it pass.
    pub fn about_input(&self) -> bool {
        use DossierError as E;
        matches!(
            self,
            E::ReasonRequired
                | E::ItemsRequired
                | E::ResultRequired
                | E::AmountRequired
                | E::AmountTooLarge
                | E::ComponentRequired
                | E::FileTypeNotAllowed
                | E::InvalidFile
        )
    }
}

/// Whether `decide` would accept `cmd` from the context's actor, inputs aside.
pub fn permits(d: &Dossier, cmd: Command, ctx: &Context<'_>) -> bool {
    match decide(d, cmd, ctx) {
        Ok(_) => true,
        Err(e) => e.about_input(),
    }
}

/// What the context's actor may do to `d` now. `desk` is the desk a reception would be
/// made at (one the actor holds), `transfer_to` a unit a transfer could go to; without
/// them, reception and transfer are not offered.
pub fn allowed(
    d: &Dossier,
    ctx: &Context<'_>,
    desk: Option<&UnitCode>,
    transfer_to: Option<&UnitCode>,
) -> Allowed {
    let reason = || "-".to_owned();
    let receive = desk.is_some_and(|desk| {
        // A stand-in number: the real one is taken when the reception commits.
        Tt01Codes
            .code(desk, ctx.now.date_naive(), 1)
            .is_ok_and(|code| {
                permits(
                    d,
                    Command::Receive {
                        desk: desk.clone(),
                        code,
                        due_at: ctx.now + chrono::Duration::days(1),
                        process_version: 0,
                    },
                    ctx,
                )
            })
    });
    // One day past the appointment in force (the latest an extension may name) is always a
    // later appointment; whether the time for extending has passed is the domain's answer.
    let new_due = d.current_due_at.unwrap_or(ctx.now) + chrono::Duration::days(1);
    Allowed {
        receive,
        forward: permits(d, Command::Forward { note: None }, ctx),
        send_back: permits(d, Command::SendBack { reason: reason() }, ctx),
        transfer: transfer_to.is_some_and(|to| {
            permits(
                d,
                Command::Transfer {
                    to: to.clone(),
                    reason: reason(),
                },
                ctx,
            )
        }),
        request_supplement: permits(
            d,
            Command::RequestSupplement {
                items: vec![reason()],
                reason: reason(),
            },
            ctx,
        ),
        request_payment: permits(d, Command::RequestPayment { amount_vnd: 1 }, ctx),
        confirm_payment: permits(d, Command::ConfirmPayment, ctx),
        extend: permits(
            d,
            Command::Extend {
                due_at: new_due,
                reason: reason(),
            },
            ctx,
        ),
        stop: permits(d, Command::Stop { reason: reason() }, ctx),
        complete: permits(
            d,
            Command::Complete {
                results: vec![reason()],
            },
            ctx,
        ),
        return_result: permits(d, Command::Return { how: reason() }, ctx),
    }
}
