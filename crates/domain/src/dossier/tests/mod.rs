//! The state machine: hand-written journeys and property tests over random command
//! sequences.

use super::*;
use crate::access::{Actor, Grant, Role};
use crate::codes::{ProcedureCode, UnitCode};
use crate::procedure::{ApplicantKind, Channel};
use crate::unit::{Unit, UnitKind, UnitTree};
use chrono::{DateTime, Duration, TimeZone, Utc};

pub(super) fn uc(s: &str) -> UnitCode {
    UnitCode::parse(s).unwrap()
}
pub(super) const ROOT: &str = "000.00.00.H57";
pub(super) const COMMUNE: &str = "000.01.99.H57";
pub(super) const CENTRE: &str = "000.00.95.H57";
/// A second competent unit of the procedure, where a dossier may be transferred.
pub(super) const OTHER_COMMUNE: &str = "000.02.99.H57";

pub(super) fn tree() -> UnitTree {
    let u = |c: &str, p: Option<&str>, kind| Unit {
        code: uc(c),
        name: c.into(),
        kind,
        parent: p.map(uc),
        e_certified_copy: false,
        successor: None,
    };
    UnitTree::new([
        u(ROOT, None, UnitKind::Province),
        u(COMMUNE, Some(ROOT), UnitKind::Commune),
        u(CENTRE, Some(ROOT), UnitKind::ServiceCentre),
        u(OTHER_COMMUNE, Some(ROOT), UnitKind::Commune),
    ])
    .unwrap()
}

pub(super) fn actor(id: &str, role: Role, unit: &str) -> Actor {
    Actor {
        account_id: id.into(),
        grants: vec![Grant {
            role,
            unit: uc(unit),
            with_sub_units: false,
        }],
    }
}

pub(super) fn actors() -> Vec<Actor> {
    vec![
        Actor {
            account_id: "a".into(),
            grants: vec![],
        },
        actor("helper", Role::DigitalHelper, COMMUNE),
        actor("desk", Role::ReceptionOfficer, COMMUNE),
        actor("centre", Role::ReceptionOfficer, CENTRE),
        actor("spec", Role::Specialist, COMMUNE),
        actor("lead", Role::Leader, COMMUNE),
        actor("stranger", Role::Specialist, CENTRE),
        actor("spec2", Role::Specialist, OTHER_COMMUNE),
        actor("lead2", Role::Leader, OTHER_COMMUNE),
    ]
}

pub(super) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 7, 1, 0, 0).unwrap()
}

pub(super) fn created() -> (Dossier, Vec<Event>) {
    created_by("a", Role::Applicant)
}

/// The applicant `a`'s draft, started by `account` acting as `role` (a helper filing for
/// them, or `a` themselves).
pub(super) fn created_by(account: &str, role: Role) -> (Dossier, Vec<Event>) {
    let e = Event {
        dossier: "d1".into(),
        version: 1,
        at: t0(),
        by: By {
            account: account.into(),
            role,
            unit: (role != Role::Applicant).then(|| uc(COMMUNE)),
        },
        change: Change::Created {
            procedure: ProcedureCode::parse("1.001193").unwrap(),
            procedure_version: 1,
            unit: uc(COMMUNE),
            applicant: "a".into(),
            applicant_kind: ApplicantKind::Citizen,
            parent: None,
            eform_version: None,
        },
    };
    (Dossier::apply(None, &e).unwrap(), vec![e])
}

pub(super) struct Run {
    pub(super) d: Dossier,
    pub(super) events: Vec<Event>,
    pub(super) process: Process,
    pub(super) tree: UnitTree,
    /// The procedure's competent units.
    pub(super) competent: Vec<UnitCode>,
    pub(super) now: DateTime<Utc>,
}

impl Run {
    /// A dossier its applicant (`owner`) has submitted online.
    pub(super) fn submitted(owner: &Actor) -> Self {
        let mut r = Run::new();
        r.run(
            owner,
            Command::Submit {
                channel: Channel::Online,
                on_behalf: false,
            },
        )
        .unwrap();
        r
    }

    pub(super) fn new() -> Self {
        Self::from_created(created())
    }
    /// A draft the digital helper `helper` started for the applicant `a`.
    pub(super) fn drafted_by_helper() -> Self {
        Self::from_created(created_by("helper", Role::DigitalHelper))
    }
    fn from_created((d, events): (Dossier, Vec<Event>)) -> Self {
        Run {
            d,
            events,
            process: Process::standard(ProcedureCode::parse("1.001193").unwrap()),
            tree: tree(),
            competent: vec![uc(COMMUNE), uc(OTHER_COMMUNE)],
            now: t0(),
        }
    }
    pub(super) fn run(&mut self, who: &Actor, cmd: Command) -> Result<(), DossierError> {
        self.now += Duration::minutes(30);
        let ctx = Context {
            now: self.now,
            actor: who,
            tree: &self.tree,
            process: Some(&self.process),
            competent_units: &self.competent,
            max_extensions: 1,
        };
        let (by, changes) = decide(&self.d, cmd, &ctx)?;
        for change in changes {
            let e = Event {
                dossier: self.d.id.clone(),
                version: self.d.version + 1,
                at: self.now,
                by: by.clone(),
                change,
            };
            self.d = Dossier::apply(Some(self.d.clone()), &e).unwrap();
            self.events.push(e);
        }
        Ok(())
    }
}

pub(super) fn code() -> DossierCode {
    DossierCode::parse("000.01.99.H57-250107-0001").unwrap()
}

mod files;
mod journeys;
mod matrix;
mod properties;
mod transfer;
