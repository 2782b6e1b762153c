//! The control sheet (form 06, Phiếu kiểm soát quá trình giải quyết hồ sơ): the dossier's
//! passage through the steps of its process, derived from the event log alone, with each
//! step's deadline from the calendar and whether it was kept.
//!
//! A step's deadline is its share of the time limit (working hours) counted from the
//! instant the step received the dossier; time the clock stood still for a supplement
//! request during the step is added, as it is for the dossier's appointment. The dossier as
//! a whole is judged against the receipt's appointment moved by supplements only: an
//! extension (form 04) does not make a late dossier timely.

use super::model::{By, Change, Event};
use super::process::Process;
use chrono::{DateTime, Duration, Utc};
use motcua_calendar::{Calendar, DueMode, DurationUnit, TimeLimit, VIETNAM_OFFSET};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeliness {
    /// Handed over on a day before the deadline's day.
    Early,
    OnTime,
    Late,
    /// Still at this step, deadline not passed.
    Running,
    /// Still at this step, deadline passed.
    Overdue,
    /// The step has no share of the time limit.
    NoLimit,
}

impl Timeliness {
    /// The words of the form: "Trước hạn / Đúng hạn / Quá hạn".
    pub fn label_vi(self) -> &'static str {
        match self {
            Timeliness::Early => "Trước hạn",
            Timeliness::OnTime => "Đúng hạn",
            Timeliness::Late => "Quá hạn",
            Timeliness::Running => "Đang giải quyết, trong hạn",
            Timeliness::Overdue => "Đang giải quyết, đã quá hạn",
            Timeliness::NoLimit => "Không quy định thời hạn riêng",
        }
    }
    pub fn is_late(self) -> bool {
        matches!(self, Timeliness::Late | Timeliness::Overdue)
    }
}

/// One stay of the dossier at a step (a step sent back to is visited again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepVisit {
    pub step: usize,
    pub entered_at: DateTime<Utc>,
    /// Who handed the dossier to this step.
    pub handed_by: By,
    pub left_at: Option<DateTime<Utc>>,
    pub left_by: Option<By>,
    /// The event kind that ended the stay (forwarded, sent_back, completed, …).
    pub left_kind: Option<&'static str>,
    pub due_at: Option<DateTime<Utc>>,
    pub timeliness: Timeliness,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ControlSheet {
    pub received_at: Option<DateTime<Utc>>,
    pub received_by: Option<By>,
    pub visits: Vec<StepVisit>,
    /// The appointment the dossier is judged against.
    pub judged_due: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    /// None before reception, and for a dossier that ended without a result.
    pub overall: Option<Timeliness>,
}

fn judge(
    done: Option<DateTime<Utc>>,
    due: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Timeliness {
    let Some(due) = due else {
        return Timeliness::NoLimit;
    };
    match done {
        Some(t) if t > due => Timeliness::Late,
        Some(t)
            if t.with_timezone(&VIETNAM_OFFSET).date_naive()
                < due.with_timezone(&VIETNAM_OFFSET).date_naive() =>
        {
            Timeliness::Early
        }
        Some(_) => Timeliness::OnTime,
        None if now > due => Timeliness::Overdue,
        None => Timeliness::Running,
    }
}

struct Open {
    step: usize,
    entered_at: DateTime<Utc>,
    handed_by: By,
    stopped: Duration,
}

fn step_due(
    process: &Process,
    calendar: &Calendar,
    open: &Open,
    stop_since: Option<DateTime<Utc>>,
    until: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let hours = process.steps.get(open.step)?.hours;
    let limit = TimeLimit::whole(hours, DurationUnit::Hours).ok()?;
    let base = calendar
        .due(
            open.entered_at.with_timezone(&VIETNAM_OFFSET),
            limit,
            DueMode::WorkingTime,
        )
        .with_timezone(&Utc);
    // A stop still running at `until` counts up to it.
    let running = stop_since.map_or(Duration::zero(), |s| until - s);
    Some(base + open.stopped + running)
}

/// Derives form 06 from a dossier's events (in version order). `now` judges the steps
/// still open.
pub fn control_sheet(
    events: &[Event],
    process: &Process,
    calendar: &Calendar,
    now: DateTime<Utc>,
) -> ControlSheet {
    let mut sheet = ControlSheet::default();
    let mut open: Option<Open> = None;
    let mut stop_since: Option<DateTime<Utc>> = None;
    let mut ended_without_result = false;
    let close = |sheet: &mut ControlSheet,
                 open: &mut Option<Open>,
                 stop_since: Option<DateTime<Utc>>,
                 e: &Event| {
        if let Some(o) = open.take() {
            let due_at = step_due(process, calendar, &o, stop_since, e.at);
            sheet.visits.push(StepVisit {
                step: o.step,
                entered_at: o.entered_at,
                handed_by: o.handed_by,
                left_at: Some(e.at),
                left_by: Some(e.by.clone()),
                left_kind: Some(e.change.kind()),
                due_at,
                timeliness: judge(Some(e.at), due_at, now),
            });
        }
    };
    for e in events {
        match &e.change {
            Change::Received { due_at, .. } => {
                sheet.received_at = Some(e.at);
                sheet.received_by = Some(e.by.clone());
                sheet.judged_due = Some(*due_at);
                open = Some(Open {
                    step: 0,
                    entered_at: e.at,
                    handed_by: e.by.clone(),
                    stopped: Duration::zero(),
                });
            }
            Change::Forwarded { .. } | Change::SentBack { .. } | Change::Transferred { .. } => {
                // A transfer starts the new unit's process from its first step.
                let to_step = match &e.change {
                    Change::Forwarded { to_step, .. } | Change::SentBack { to_step, .. } => {
                        *to_step
                    }
                    _ => 0,
                };
                close(&mut sheet, &mut open, stop_since, e);
                open = Some(Open {
                    step: to_step,
                    entered_at: e.at,
                    handed_by: e.by.clone(),
                    stopped: Duration::zero(),
                });
            }
            Change::SupplementRequested { .. } => stop_since = Some(e.at),
            Change::SupplementCompleted { due_at } => {
                if let (Some(s), Some(o)) = (stop_since.take(), open.as_mut()) {
                    o.stopped += e.at - s;
                }
                sheet.judged_due = Some(*due_at);
            }
            Change::Completed { .. } => {
                close(&mut sheet, &mut open, stop_since, e);
                sheet.completed_at = Some(e.at);
            }
            Change::Stopped { .. } | Change::Withdrawn { .. } | Change::Rejected { .. } => {
                close(&mut sheet, &mut open, stop_since, e);
                ended_without_result = sheet.completed_at.is_none();
            }
            Change::Returned { .. } => sheet.returned_at = Some(e.at),
            _ => {}
        }
    }
    if let Some(o) = open {
        let due_at = step_due(process, calendar, &o, stop_since, now);
        sheet.visits.push(StepVisit {
            step: o.step,
            entered_at: o.entered_at,
            handed_by: o.handed_by,
            left_at: None,
            left_by: None,
            left_kind: None,
            due_at,
            timeliness: judge(None, due_at, now),
        });
    }
    if sheet.received_at.is_some() && !ended_without_result {
        sheet.overall = Some(judge(sheet.completed_at, sheet.judged_due, now));
    }
    sheet
}

#[cfg(test)]
mod tests {
    use super::super::tests::{COMMUNE, Run, actor, code};
    use super::*;
    use crate::access::Role;
    use crate::dossier::{Command, Step, StepAction, StepUnit};
    use chrono::TimeZone;

    fn local(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        VIETNAM_OFFSET
            .with_ymd_and_hms(2025, 1, d, h, m, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    /// Received at 09:00 on Tuesday 7/1/2025 (each command runs 30 minutes after the
    /// last), due three days later; step 0 has 4 working hours, step 1 none.
    fn received() -> Run {
        let mut r = Run::submitted(&actor("a", Role::Applicant, COMMUNE));
        r.process.steps = vec![
            Step {
                name: "Thẩm định".into(),
                role: Role::Specialist,
                unit: StepUnit::Competent,
                hours: 4,
                actions: vec![StepAction::Forward, StepAction::RequestSupplement],
                inter_agency: None,
            },
            Step {
                name: "Ký".into(),
                role: Role::Leader,
                unit: StepUnit::Competent,
                hours: 0,
                actions: vec![StepAction::Complete, StepAction::SendBack],
                inter_agency: None,
            },
        ];
        let desk = actor("desk", Role::ReceptionOfficer, COMMUNE);
        r.run(
            &desk,
            Command::Receive {
                desk: desk.grants[0].unit.clone(),
                code: code(),
                due_at: local(10, 17, 0),
                process_version: 1,
            },
        )
        .unwrap();
        assert_eq!(r.now, local(7, 9, 0));
        r
    }

    #[test]
    fn steps_forwarded_in_time_and_completed_early() {
        let mut r = received();
        r.run(
            &actor("spec", Role::Specialist, COMMUNE),
            Command::Forward { note: None },
        )
        .unwrap();
        r.run(
            &actor("lead", Role::Leader, COMMUNE),
            Command::Complete {
                results: vec!["Giấy khai sinh".into()],
            },
        )
        .unwrap();
        let sheet = control_sheet(&r.events, &r.process, &Calendar::vietnam(), r.now);
        assert_eq!(sheet.received_at, Some(local(7, 9, 0)));
        assert_eq!(sheet.visits.len(), 2);
        let first = &sheet.visits[0];
        assert_eq!((first.step, first.left_kind), (0, Some("forwarded")));
        // 09:00–11:30 is 2.5 working hours, the other 1.5 run from 13:00.
        assert_eq!(first.due_at, Some(local(7, 14, 30)));
        assert_eq!(first.left_at, Some(local(7, 9, 30)));
        // Left on the deadline's own day: on time, not early.
        assert_eq!(first.timeliness, Timeliness::OnTime);
        assert_eq!(first.left_by.as_ref().unwrap().account, "spec");
        let second = &sheet.visits[1];
        assert_eq!((second.step, second.left_kind), (1, Some("completed")));
        assert_eq!(second.timeliness, Timeliness::NoLimit);
        assert_eq!(second.handed_by.account, "spec");
        assert_eq!(sheet.completed_at, Some(local(7, 10, 0)));
        assert_eq!(sheet.overall, Some(Timeliness::Early));
    }

    #[test]
    fn a_supplement_stop_moves_the_step_deadline_and_an_open_step_turns_overdue() {
        let mut r = received();
        r.run(
            &actor("spec", Role::Specialist, COMMUNE),
            Command::RequestSupplement {
                items: vec!["Bản sao CCCD".into()],
                reason: "Thiếu".into(),
            },
        )
        .unwrap();
        assert_eq!(r.now, local(7, 9, 30));
        let cal = Calendar::vietnam();
        // Two days on, the stop still runs, and the step's deadline runs with it.
        let sheet = control_sheet(&r.events, &r.process, &cal, local(9, 9, 30));
        assert_eq!(sheet.visits[0].due_at, Some(local(9, 14, 30)));
        assert_eq!(sheet.visits[0].timeliness, Timeliness::Running);
        r.now = local(9, 9, 30);
        r.run(
            &actor("a", Role::Applicant, COMMUNE),
            Command::CompleteSupplement {
                due_at: local(13, 17, 0),
            },
        )
        .unwrap();
        // Stopped from 7/1 09:30 to 9/1 10:00: the step's 14:30 moves by 2 days 30 minutes.
        let sheet = control_sheet(&r.events, &r.process, &cal, local(9, 14, 0));
        assert_eq!(sheet.visits[0].due_at, Some(local(9, 15, 0)));
        assert_eq!(sheet.visits[0].timeliness, Timeliness::Running);
        let sheet = control_sheet(&r.events, &r.process, &cal, local(9, 15, 1));
        assert_eq!(sheet.visits[0].timeliness, Timeliness::Overdue);
        assert!(sheet.visits[0].timeliness.is_late());
        // The dossier is judged against the appointment the supplement moved.
        assert_eq!(sheet.judged_due, Some(local(13, 17, 0)));
        assert_eq!(sheet.overall, Some(Timeliness::Running));
        let sheet = control_sheet(&r.events, &r.process, &cal, local(14, 8, 0));
        assert_eq!(sheet.overall, Some(Timeliness::Overdue));
    }

    #[test]
    fn nothing_before_reception_and_no_verdict_without_a_result() {
        let r = Run::submitted(&actor("a", Role::Applicant, COMMUNE));
        let sheet = control_sheet(&r.events, &r.process, &Calendar::vietnam(), r.now);
        assert!(sheet.visits.is_empty());
        assert_eq!(sheet.overall, None);
        let mut r = received();
        r.run(
            &actor("a", Role::Applicant, COMMUNE),
            Command::Withdraw { reason: None },
        )
        .unwrap();
        let sheet = control_sheet(&r.events, &r.process, &Calendar::vietnam(), r.now);
        assert_eq!(sheet.visits[0].left_kind, Some("withdrawn"));
        assert_eq!(sheet.overall, None);
    }
}
