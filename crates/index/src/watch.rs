//! The live side of warnings: which dossiers can still raise one, kept up to date by the
//! engine as the stream goes by, so that listing warnings reads those (the open dossiers and the few
//! finished late without an apology) instead of every dossier; stable names and keys for
//! warnings; and the dossiers behind a figure of the index (drill-down).

use crate::compute::Period;
use crate::facts::{Dossier, Petition, flag};
use crate::incremental::Engine;
use crate::instant::{Instant, NEVER};
use crate::warnings::{Severity, Warning, WarningKind, dossier_warnings, petition_warnings};
use motcua_calendar::Calendar;

impl WarningKind {
    /// Most urgent first: the order warnings are listed in.
    pub const ALL: [WarningKind; 7] = [
        WarningKind::Overdue,
        WarningKind::SecondSupplement,
        WarningKind::PetitionOverdue,
        WarningKind::DueSoon,
        WarningKind::PetitionDueSoon,
        WarningKind::LateWithoutApology,
        WarningKind::RatingFell,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::DueSoon => "due_soon",
            WarningKind::Overdue => "overdue",
            WarningKind::SecondSupplement => "second_supplement",
            WarningKind::LateWithoutApology => "late_without_apology",
            WarningKind::PetitionDueSoon => "petition_due_soon",
            WarningKind::PetitionOverdue => "petition_overdue",
            WarningKind::RatingFell => "rating_fell",
        }
    }

    pub fn parse(s: &str) -> Option<WarningKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Position in [`WarningKind::ALL`].
    pub fn rank(self) -> usize {
        Self::ALL
            .iter()
            .position(|&k| k == self)
            .unwrap_or(Self::ALL.len())
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            WarningKind::DueSoon => "Sắp đến hạn",
            WarningKind::Overdue => "Quá hạn",
            WarningKind::SecondSupplement => "Yêu cầu bổ sung lần hai",
            WarningKind::LateWithoutApology => "Trễ hạn chưa có thư xin lỗi",
            WarningKind::PetitionDueSoon => "Phản ánh sắp đến hạn",
            WarningKind::PetitionOverdue => "Phản ánh quá hạn",
            WarningKind::RatingFell => "Xếp loại giảm",
        }
    }

    /// The warning is about a dossier of the system (not a petition or a unit's score).
    pub fn about_dossier(self) -> bool {
        matches!(
            self,
            WarningKind::DueSoon
                | WarningKind::Overdue
                | WarningKind::SecondSupplement
                | WarningKind::LateWithoutApology
        )
    }
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

impl Warning {
    /// Stable identity: the kind and what it is about. A notification goes out once per key.
    pub fn key(&self) -> String {
        let subject = self.dossier.as_deref().unwrap_or(&self.unit);
        format!("{}:{subject}", self.kind.as_str())
    }
}

/// Whether [`dossier_warnings`] can say anything about this dossier, now or later: it is
/// open, or it finished after a second supplement request or late without an apology.
pub fn may_warn(d: &Dossier, apology: bool) -> bool {
    if d.has(flag::CHILD) || d.received == NEVER {
        return false;
    }
    if d.finish(NEVER) == NEVER {
        return true;
    }
    d.req2 != NEVER || (!d.on_time(NEVER) && !apology)
}

impl Engine {
    /// Warnings about the dossiers that may raise one (the engine keeps a bit per dossier,
    /// set by [`may_warn`] as its facts change) and the open petitions, as of `now`.
    /// Unordered.
    pub fn warnings(&self, cal: &Calendar, now: Instant) -> Vec<Warning> {
        let watched: Vec<(String, Dossier)> = self.watched_dossiers().collect();
        let mut out = dossier_warnings(
            self.catalogue(),
            cal,
            now,
            watched.iter().map(|(c, d)| (c.as_str(), d)),
            |code| self.dossier(code).is_some_and(|d| d.has(flag::APOLOGY)),
        );
        let petitions: Vec<(String, Petition)> = self.petitions().collect();
        out.extend(petition_warnings(
            self.catalogue(),
            cal,
            now,
            petitions.iter().map(|(c, p)| (c.as_str(), p)),
        ));
        out
    }
}

/// The dossiers behind a figure of the index for a period (each judged by the same rules
/// as the figure, so the list and the count agree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behind {
    /// R: received in the period.
    Received,
    /// D: handled in the period (PROGRESS_ON_TIME's denominator).
    Handled,
    /// In D and late.
    Late,
    /// In D with a supplement request before the period's end.
    Supplemented,
    /// In D and late, `unsatisfied` or `complained` (what DOSSIER_RECEIVING_SATISFACTION
    /// takes away).
    NotSatisfied,
}

impl Behind {
    pub const ALL: [Behind; 5] = [
        Behind::Received,
        Behind::Handled,
        Behind::Late,
        Behind::Supplemented,
        Behind::NotSatisfied,
    ];

    /// Whether the dossier counts in this figure of the period.
    pub fn matches(self, d: &Dossier, period: Period) -> bool {
        if d.has(flag::CHILD) {
            return false;
        }
        let (s, e) = (period.start(), period.end());
        match self {
            Behind::Received => d.in_r(s, e),
            Behind::Handled => d.in_d(s, e),
            Behind::Late => d.in_d(s, e) && !d.on_time(e),
            Behind::Supplemented => d.in_d(s, e) && d.req1 < e,
            Behind::NotSatisfied => {
                d.in_d(s, e)
                    && (!d.on_time(e) || d.has(flag::UNSATISFIED) || d.has(flag::COMPLAINED))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::catalogue::Catalogue;
    use crate::facts::{EventKind, w};
    use crate::incremental::DossierFact;
    use crate::instant::parse_rfc3339;

    const UNITS: &str = r#"{"code":"000.00.31.H57","name":"Sở Tư pháp","kind":"department","parent":null,"e_certified_copy":false}"#;
    const PROCS: &str = r#"{"code":"1.001193","name":"Khai sinh","units":["000.00.31.H57"]}"#;

    fn t(s: &str) -> Instant {
        parse_rfc3339(&format!("2025-{s}+07:00")).unwrap()
    }
    fn d(due: &str) -> Dossier {
        Dossier::new(0, 0, t("03-03T08:00:00"), t(due), 0)
    }

    #[test]
    fn kinds_round_trip_and_keys_are_stable() {
        for k in WarningKind::ALL {
            assert_eq!(WarningKind::parse(k.as_str()), Some(k));
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::json!(k.as_str())
            );
        }
        assert!(WarningKind::Overdue.rank() < WarningKind::DueSoon.rank());
        let w = Warning {
            unit: "U".into(),
            dossier: Some("C-1".into()),
            metric: None,
            kind: WarningKind::Overdue,
            severity: Severity::Critical,
            message: String::new(),
            message_en: String::new(),
        };
        assert_eq!(w.key(), "overdue:C-1");
        let r = Warning {
            dossier: None,
            kind: WarningKind::RatingFell,
            ..w
        };
        assert_eq!(r.key(), "rating_fell:U");
    }

    #[test]
    fn only_dossiers_that_can_warn_are_watched() {
        let open = d("03-10T17:00:00");
        assert!(may_warn(&open, false));
        let on_time =
            d("03-10T17:00:00").with_events([(EventKind::Completed, t("03-05T09:00:00"))]);
        assert!(!may_warn(&on_time, false));
        let late = d("03-04T17:00:00").with_events([(EventKind::Completed, t("03-05T09:00:00"))]);
        assert!(may_warn(&late, false));
        assert!(!may_warn(&late, true), "an apology on record settles it");
        let twice = d("03-10T17:00:00").with_events([
            (EventKind::SupplementRequested, t("03-03T10:00:00")),
            (EventKind::SupplementRequested, t("03-04T10:00:00")),
            (EventKind::Completed, t("03-05T09:00:00")),
        ]);
        assert!(
            may_warn(&twice, true),
            "a second request warns whatever else"
        );
        let mut child = open;
        child.flags |= flag::CHILD;
        assert!(!may_warn(&child, false));
    }

    #[test]
    fn watched_dossiers_follow_the_stream_and_agree_with_a_full_scan() {
        let cat = Catalogue::parse(UNITS, PROCS).unwrap();
        let cal = Calendar::vietnam();
        let mut engine = Engine::new(cat);
        let now = t("03-04T15:00:00");
        let late = d("03-03T11:00:00").with_events([(EventKind::Completed, t("03-04T09:00:00"))]);
        let mut apologised = late.with_events([(EventKind::Extended, t("03-03T10:00:00"))]);
        apologised.flags |= flag::APOLOGY;
        let records = [
            ("A", d("03-05T09:00:00")),
            ("B", d("03-04T11:00:00")),
            ("C", d("03-20T17:00:00")),
            ("E", late),
            ("F", apologised),
            // Not the usual code form: kept in the code arena, watched all the same.
            ("000.00.31.H57-250304-0001", d("03-04T12:00:00")),
        ];
        for (code, dossier) in records {
            engine
                .apply(DossierFact::Record {
                    code: code.into(),
                    dossier,
                })
                .unwrap();
        }
        // C is open and quiet now but may warn later; F is settled by its apology.
        assert_eq!(engine.watched(), 5);
        let mut got: Vec<String> = engine
            .warnings(&cal, now)
            .iter()
            .map(Warning::key)
            .collect();
        got.sort();
        let everything: Vec<(String, Dossier)> = engine.dossiers().collect();
        let mut all: Vec<String> = dossier_warnings(
            engine.catalogue(),
            &cal,
            now,
            everything.iter().map(|(c, d)| (c.as_str(), d)),
            |c| c == "F",
        )
        .iter()
        .map(Warning::key)
        .collect();
        all.sort();
        assert_eq!(got, all);
        assert_eq!(
            got,
            [
                "due_soon:A",
                "late_without_apology:E",
                "overdue:000.00.31.H57-250304-0001",
                "overdue:B"
            ]
        );

        // B finishes on time after all (it was overdue only as a warning): it leaves.
        let b = d("03-04T11:00:00").with_events([(EventKind::Completed, t("03-04T10:00:00"))]);
        engine
            .apply(DossierFact::Record {
                code: "B".into(),
                dossier: b,
            })
            .unwrap();
        assert_eq!(engine.watched(), 4);
        // E's extension (and so its apology letter) arrives as an event: E leaves too.
        engine
            .apply(DossierFact::Event {
                code: "E".into(),
                kind: EventKind::Extended,
                at: t("03-04T16:00:00"),
            })
            .unwrap();
        assert_eq!(engine.watched(), 3);
        assert!(engine.dossier("E").unwrap().has(flag::APOLOGY));
    }

    #[test]
    fn behind_agrees_with_the_weights() {
        let p = Period::new(
            chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
            chrono::NaiveDate::from_ymd_opt(2025, 3, 31).unwrap(),
        )
        .unwrap();
        let cases = [
            d("04-10T17:00:00"),
            d("03-04T17:00:00").with_events([(EventKind::Completed, t("03-05T09:00:00"))]),
            d("04-10T17:00:00").with_events([
                (EventKind::SupplementRequested, t("03-03T10:00:00")),
                (EventKind::SupplementCompleted, t("03-04T10:00:00")),
            ]),
            Dossier::new(
                0,
                0,
                t("02-03T08:00:00"),
                t("02-04T08:00:00"),
                flag::UNSATISFIED,
            )
            .with_events([(EventKind::Completed, t("02-05T09:00:00"))]),
            Dossier::new(0, 0, t("02-03T08:00:00"), t("02-04T08:00:00"), 0),
        ];
        let (s, e) = (p.start(), p.end());
        let mut weights = [0i64; w::LEN];
        for c in &cases {
            c.weights(s, e, &mut weights);
        }
        let count = |b: Behind| cases.iter().filter(|c| b.matches(c, p)).count() as i64;
        assert_eq!(count(Behind::Received), weights[w::R]);
        assert_eq!(count(Behind::Handled), weights[w::D]);
        assert_eq!(count(Behind::Late), weights[w::D] - weights[w::D_ON_TIME]);
        assert_eq!(count(Behind::NotSatisfied), weights[w::D_BAD]);
        assert_eq!(count(Behind::Supplemented), 1);
        // The carried-over open dossier is handled (and late) in March; the one finished in
        // February is not in March at all.
        assert_eq!(count(Behind::Received), 3);
        assert_eq!(count(Behind::Handled), 4);
        assert_eq!(count(Behind::Late), 2);
    }
}
