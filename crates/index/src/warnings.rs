//! Warnings of the live system (spec "Warnings"), as pure functions of the engine's state
//! and an instant `now` passed in. Each warning names its unit and the dossier, petition or
//! metric that caused it, with a message in Vietnamese (notifications, pages) and one in
//! English (the pages' and the API's second language).
//!
//! Step-level warnings (a step due or overdue) need per-step deadlines, which the bundle and
//! the engine do not carry; they belong with the dossier process model.

use crate::catalogue::Catalogue;
use crate::facts::{Dossier, Petition, flag};
use crate::instant::{Instant, NEVER, from_datetime, to_datetime};
use crate::output::Output;
use motcua_calendar::{Calendar, DueMode, DurationUnit, TimeLimit};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    DueSoon,
    Overdue,
    SecondSupplement,
    LateWithoutApology,
    PetitionDueSoon,
    PetitionOverdue,
    RatingFell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Critical,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub unit: String,
    /// Dossier code or petition id, when one caused it.
    pub dossier: Option<String>,
    /// Metric or rating, when the unit's score caused it.
    pub metric: Option<String>,
    pub kind: WarningKind,
    pub severity: Severity,
    pub message: String,
    pub message_en: String,
}

fn show(t: Instant) -> String {
    to_datetime(t).format("%H:%M ngày %d/%m/%Y").to_string()
}

fn show_en(t: Instant) -> String {
    to_datetime(t).format("%H:%M on %d/%m/%Y").to_string()
}

/// `now` plus one working day of working time: "due within one working day".
fn one_working_day_after(cal: &Calendar, now: Instant) -> Instant {
    match TimeLimit::whole(1, DurationUnit::WorkingDays) {
        Ok(l) => from_datetime(cal.due(to_datetime(now), l, DueMode::WorkingTime)).unwrap_or(NEVER),
        Err(_) => now,
    }
}

/// Warnings about dossiers as of `now`. `has_apology(code)` says whether an apology letter
/// (form 04) is on record for a dossier.
pub fn dossier_warnings<'a>(
    cat: &Catalogue,
    cal: &Calendar,
    now: Instant,
    dossiers: impl IntoIterator<Item = (&'a str, &'a Dossier)>,
    has_apology: impl Fn(&str) -> bool,
) -> Vec<Warning> {
    let soon = one_working_day_after(cal, now);
    // Events at `now` have happened: look at the state just after it.
    let after = now.saturating_add(1);
    let mut out = Vec::new();
    for (code, d) in dossiers {
        if d.has(flag::CHILD) || d.received == NEVER || d.received > now {
            continue;
        }
        let unit = cat.unit(d.unit).code.clone();
        let mut push = |kind, severity, message: String, message_en: String| {
            out.push(Warning {
                unit: unit.clone(),
                dossier: Some(code.to_owned()),
                metric: None,
                kind,
                severity,
                message,
                message_en,
            })
        };
        let second = d.req2 < after;
        if second {
            push(
                WarningKind::SecondSupplement,
                Severity::Critical,
                format!("Hồ sơ {code} bị yêu cầu bổ sung lần thứ hai: được tính là trễ hạn"),
                format!("Dossier {code} was asked for a second supplement: it counts as late"),
            );
        }
        let finish = d.finish(after);
        if finish != NEVER {
            if !d.on_time(after) && !has_apology(code) {
                push(
                    WarningKind::LateWithoutApology,
                    Severity::Warning,
                    format!("Hồ sơ {code} giải quyết trễ hạn nhưng chưa có thư xin lỗi (mẫu 04)"),
                    format!("Dossier {code} was settled late and has no apology letter (form 04)"),
                );
            }
            continue;
        }
        if second || d.due == NEVER {
            continue;
        }
        // A pending supplement request stops the clock; a completed one moves the due
        // instant by the pause.
        let due = if d.req1 < after {
            if d.supp_done >= after {
                continue;
            }
            d.due.saturating_add(d.supp_done - d.req1)
        } else {
            d.due
        };
        if now > due {
            push(
                WarningKind::Overdue,
                Severity::Critical,
                format!("Hồ sơ {code} đã quá hạn trả kết quả ({})", show(due)),
                format!("Dossier {code} is past its due date ({})", show_en(due)),
            );
        } else if due <= soon {
            push(
                WarningKind::DueSoon,
                Severity::Warning,
                format!("Hồ sơ {code} sắp đến hạn trả kết quả ({})", show(due)),
                format!("Dossier {code} is due soon ({})", show_en(due)),
            );
        }
    }
    out
}

/// Warnings about open petitions as of `now`.
pub fn petition_warnings<'a>(
    cat: &Catalogue,
    cal: &Calendar,
    now: Instant,
    petitions: impl IntoIterator<Item = (&'a str, &'a Petition)>,
) -> Vec<Warning> {
    let soon = one_working_day_after(cal, now);
    let mut out = Vec::new();
    for (id, p) in petitions {
        if p.resolved <= now || p.received > now {
            continue;
        }
        let (kind, severity, message, message_en) = if now > p.deadline {
            (
                WarningKind::PetitionOverdue,
                Severity::Critical,
                format!(
                    "Phản ánh, kiến nghị {id} đã quá hạn xử lý ({})",
                    show(p.deadline)
                ),
                format!(
                    "Petition {id} is past its deadline ({})",
                    show_en(p.deadline)
                ),
            )
        } else if p.deadline <= soon {
            (
                WarningKind::PetitionDueSoon,
                Severity::Warning,
                format!(
                    "Phản ánh, kiến nghị {id} sắp đến hạn xử lý ({})",
                    show(p.deadline)
                ),
                format!("Petition {id} is due soon ({})", show_en(p.deadline)),
            )
        } else {
            continue;
        };
        out.push(Warning {
            unit: cat.unit(p.unit).code.clone(),
            dossier: Some(id.to_owned()),
            metric: None,
            kind,
            severity,
            message,
            message_en,
        });
    }
    out
}

/// Units whose rating for the running period is in a lower band than for the previous one.
pub fn rating_warnings(
    def: &crate::definition::Definition,
    current: &Output,
    previous: &Output,
) -> Vec<Warning> {
    let num = |x: f64| format!("{x:.2}").replace('.', ",");
    current
        .units
        .iter()
        .filter_map(|u| {
            let before = previous.units.iter().find(|p| p.code == u.code)?;
            let (now_band, then_band) =
                (def.band_index(&u.rating)?, def.band_index(&before.rating)?);
            (now_band > then_band).then(|| Warning {
                unit: u.code.clone(),
                dossier: None,
                metric: Some("rating".to_owned()),
                kind: WarningKind::RatingFell,
                severity: Severity::Warning,
                message: format!(
                    "Điểm kỳ này {} ({}) thấp hơn một bậc xếp loại so với kỳ trước {} ({})",
                    num(u.total),
                    u.rating,
                    num(before.total),
                    before.rating
                ),
                // The bands' names are the definition's (Vietnamese); the pages name them.
                message_en: format!(
                    "This period's score {:.2} is a rating band below the last period's {:.2}",
                    u.total, before.total
                ),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::EventKind;
    use crate::instant::parse_rfc3339;

    const UNITS: &str = r#"{"code":"000.00.31.H57","name":"Sở Tư pháp","kind":"department","parent":null,"e_certified_copy":false}"#;
    const PROCS: &str = r#"{"code":"1.001193","name":"Khai sinh","units":["000.00.31.H57"]}"#;

    fn t(s: &str) -> Instant {
        parse_rfc3339(&format!("2025-{s}+07:00")).unwrap()
    }

    #[test]
    fn dossier_warnings_as_of_now() {
        let cat = Catalogue::parse(UNITS, PROCS).unwrap();
        let cal = Calendar::vietnam();
        let now = t("03-04T15:00:00");
        let d = |due: &str| Dossier::new(0, 0, t("03-03T08:00:00"), t(due), 0);
        let soon = d("03-05T09:00:00");
        let late = d("03-04T11:00:00");
        let paused = d("03-04T11:00:00")
            .with_events([(EventKind::SupplementRequested, t("03-03T10:00:00"))]);
        let twice = d("03-10T11:00:00").with_events([
            (EventKind::SupplementRequested, t("03-03T10:00:00")),
            (EventKind::SupplementRequested, t("03-04T10:00:00")),
        ]);
        let done_late =
            d("03-03T11:00:00").with_events([(EventKind::Completed, t("03-04T09:00:00"))]);
        let later = d("03-20T17:00:00");
        let all = [
            ("A", &soon),
            ("B", &late),
            ("C", &paused),
            ("D", &twice),
            ("E", &done_late),
            ("F", &later),
        ];
        let w = dossier_warnings(&cat, &cal, now, all, |c| c == "X");
        let got: Vec<(&str, WarningKind)> = w
            .iter()
            .map(|w| (w.dossier.as_deref().unwrap(), w.kind))
            .collect();
        assert_eq!(
            got,
            [
                ("A", WarningKind::DueSoon),
                ("B", WarningKind::Overdue),
                ("D", WarningKind::SecondSupplement),
                ("E", WarningKind::LateWithoutApology),
            ]
        );
        assert_eq!(
            w[1].message,
            "Hồ sơ B đã quá hạn trả kết quả (11:00 ngày 04/03/2025)"
        );
        assert_eq!(
            w[1].message_en,
            "Dossier B is past its due date (11:00 on 04/03/2025)"
        );
        assert_eq!(w[1].unit, "000.00.31.H57");
        // With an apology on record, no warning for E.
        let w = dossier_warnings(&cat, &cal, now, [("E", &done_late)], |c| c == "E");
        assert!(w.is_empty());
    }

    #[test]
    fn petition_warnings_as_of_now() {
        let cat = Catalogue::parse(UNITS, PROCS).unwrap();
        let cal = Calendar::vietnam();
        let now = t("03-04T15:00:00");
        let p = |deadline: &str, resolved: Instant| Petition {
            received: t("03-01T08:00:00"),
            deadline: t(deadline),
            resolved,
            unit: 0,
            flags: 0,
        };
        let (a, b, c) = (
            p("03-05T09:00:00", NEVER),
            p("03-04T09:00:00", NEVER),
            p("03-04T09:00:00", t("03-04T08:00:00")),
        );
        let w = petition_warnings(&cat, &cal, now, [("A", &a), ("B", &b), ("C", &c)]);
        let kinds: Vec<WarningKind> = w.iter().map(|w| w.kind).collect();
        assert_eq!(
            kinds,
            [WarningKind::PetitionDueSoon, WarningKind::PetitionOverdue]
        );
    }
}
