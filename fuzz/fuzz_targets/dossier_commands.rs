//! The dossier state machine under random commands by random people.
//!
//! A world built from the demo data (Huế's units, procedures and processes, plus the
//! standard process); the input picks the process, the competent unit, the actors and
//! their grants, and a sequence of commands with their arguments, each a little later than
//! the one before. Every command goes through `decide`; what it accepts is appended with
//! `apply`, as the store does.
//!
//! Invariants: `decide` never accepts without a change; `apply` never refuses what `decide`
//! produced; each event raises the version by exactly one; a terminal dossier accepts
//! nothing but the one rating of a returned dossier; the clock is stopped exactly while a
//! supplement is pending; the receipt's code and appointment never change once issued; the
//! dossier stays at a competent unit; extensions stay within the limit; a finished dossier
//! says when; every event survives its JSON (the store keeps them so); and replaying the
//! events gives the same state.
#![no_main]

use std::sync::OnceLock;

use chrono::{DateTime, Duration, TimeZone, Utc};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use motcua_domain::access::{Actor, Grant, Role};
use motcua_domain::bundle::{parse_procedures, parse_units};
use motcua_domain::codes::{ProcedureCode, UnitCode};
use motcua_domain::dossier::{
    By, Change, Command, Context, Digitisation, Dossier, DossierCode, Event, FileRef, Process,
    Rating, Status, decide,
};
use motcua_domain::procedure::{ApplicantKind, Channel};
use motcua_domain::unit::UnitTree;

struct World {
    tree: UnitTree,
    /// (process, its procedure's competent units in the tree; never empty)
    processes: Vec<(Process, Vec<UnitCode>)>,
    /// Units people hold grants in and desks receive at, the first ones competent.
    units: Vec<UnitCode>,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let units = parse_units("units.jsonl", include_str!("../../demo/hue/units.jsonl"));
        let tree = UnitTree::new(units.records.iter().map(|(_, u)| u.unit())).unwrap();
        let procedures = parse_procedures(
            "procedures.jsonl",
            include_str!("../../demo/hue/procedures.jsonl"),
        );
        let competent_of = |code: &ProcedureCode| -> Vec<UnitCode> {
            procedures
                .records
                .iter()
                .find(|(_, p)| &p.code == code)
                .map(|(_, p)| {
                    p.units
                        .iter()
                        .filter(|u| tree.get(u).is_some())
                        .take(3)
                        .cloned()
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut processes = Vec::new();
        let birth = ProcedureCode::parse("1.001193").unwrap();
        processes.push(Process::standard(birth));
        for line in include_str!("../../demo/hue/processes.jsonl").lines() {
            let p: Process = serde_json::from_str(line).unwrap();
            if p.check(&tree).is_ok() {
                processes.push(p);
            }
        }
        let processes: Vec<_> = processes
            .into_iter()
            .map(|p| {
                let c = competent_of(&p.procedure);
                (p, c)
            })
            .filter(|(_, c)| !c.is_empty())
            .collect();
        assert!(processes.len() > 3, "the demo processes load");
        let mut pool: Vec<UnitCode> = Vec::new();
        for (_, c) in &processes {
            for u in c {
                let parent = tree.get(u).and_then(|x| x.parent.clone());
                for x in std::iter::once(u.clone()).chain(parent) {
                    if !pool.contains(&x) {
                        pool.push(x);
                    }
                }
            }
        }
        // A service centre and a unit of another province (desks that may not receive).
        for u in tree.iter() {
            if u.code.as_str().contains(".95.") && !pool.contains(&u.code) {
                pool.push(u.code.clone());
            }
        }
        pool.push(UnitCode::parse("000.00.00.H48").unwrap());
        World {
            tree,
            processes,
            units: pool,
        }
    })
}

#[derive(Arbitrary, Debug)]
enum Text {
    Reason,
    Blank,
    Other(String),
}

impl Text {
    fn get(&self) -> String {
        match self {
            Text::Reason => "Hồ sơ thiếu giấy tờ".into(),
            Text::Blank => " \u{200b}\t".into(),
            Text::Other(s) => s.clone(),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct File {
    good_digest: bool,
    size: u8,
    media: u8,
    name: String,
}

impl File {
    fn get(&self) -> FileRef {
        FileRef {
            id: if self.size == 1 {
                String::new()
            } else {
                "0190f0c2-file".into()
            },
            sha256: if self.good_digest {
                "ab".repeat(32)
            } else {
                "AB".repeat(31)
            },
            size: u64::from(self.size),
            media_type: ["application/pdf", "image/png", "image/jpeg", "text/html"]
                [usize::from(self.media % 4)]
            .into(),
            name: self.name.clone(),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Cmd {
    SaveForm,
    Submit {
        channel: u8,
        on_behalf: bool,
    },
    Receive {
        desk: u8,
        code: bool,
        due_minutes: i32,
        process_version: i8,
    },
    Refuse {
        desk: u8,
        reason: Text,
    },
    Forward {
        note: Option<String>,
    },
    SendBack {
        reason: Text,
    },
    Transfer {
        to: u8,
        reason: Text,
    },
    RequestSupplement {
        items: Vec<Text>,
        reason: Text,
    },
    CompleteSupplement {
        due_minutes: i32,
    },
    RequestPayment {
        amount_vnd: u64,
    },
    ConfirmPayment,
    Extend {
        due_minutes: i32,
        reason: Text,
    },
    Stop {
        reason: Text,
    },
    Withdraw {
        reason: Option<Text>,
    },
    Complete {
        results: Vec<Text>,
    },
    Return {
        how: Text,
    },
    Rate {
        satisfied: bool,
        comment: Option<String>,
    },
    AttachFile {
        component: Text,
        file: File,
    },
    Digitise {
        desk: u8,
        component: Text,
        scanned: Option<File>,
        reason: Text,
    },
    AttachResult {
        file: File,
    },
    Intake {
        desk: u8,
        channel: u8,
    },
}

fn channel(c: u8) -> Channel {
    [Channel::Online, Channel::Direct, Channel::Postal][usize::from(c % 3)]
}

impl Cmd {
    fn command(&self, w: &World, now: DateTime<Utc>) -> Command {
        let unit = |i: &u8| w.units[usize::from(*i) % w.units.len()].clone();
        let at = |m: &i32| now + Duration::minutes(i64::from(*m));
        match self {
            Cmd::SaveForm => Command::SaveForm,
            Cmd::Submit {
                channel: c,
                on_behalf,
            } => Command::Submit {
                channel: channel(*c),
                on_behalf: *on_behalf,
            },
            Cmd::Receive {
                desk,
                code,
                due_minutes,
                process_version,
            } => Command::Receive {
                code: DossierCode::parse(if *code {
                    "000.01.99.H57-250107-0001"
                } else {
                    "000.00.95.H57-250107-0042"
                })
                .unwrap(),
                desk: unit(desk),
                due_at: at(due_minutes),
                process_version: i64::from(*process_version),
            },
            Cmd::Refuse { desk, reason } => Command::Refuse {
                desk: unit(desk),
                reason: reason.get(),
            },
            Cmd::Forward { note } => Command::Forward { note: note.clone() },
            Cmd::SendBack { reason } => Command::SendBack {
                reason: reason.get(),
            },
            Cmd::Transfer { to, reason } => Command::Transfer {
                to: unit(to),
                reason: reason.get(),
            },
            Cmd::RequestSupplement { items, reason } => Command::RequestSupplement {
                items: items.iter().map(Text::get).collect(),
                reason: reason.get(),
            },
            Cmd::CompleteSupplement { due_minutes } => Command::CompleteSupplement {
                due_at: at(due_minutes),
            },
            Cmd::RequestPayment { amount_vnd } => Command::RequestPayment {
                amount_vnd: *amount_vnd,
            },
            Cmd::ConfirmPayment => Command::ConfirmPayment,
            Cmd::Extend {
                due_minutes,
                reason,
            } => Command::Extend {
                due_at: at(due_minutes),
                reason: reason.get(),
            },
            Cmd::Stop { reason } => Command::Stop {
                reason: reason.get(),
            },
            Cmd::Withdraw { reason } => Command::Withdraw {
                reason: reason.as_ref().map(Text::get),
            },
            Cmd::Complete { results } => Command::Complete {
                results: results.iter().map(Text::get).collect(),
            },
            Cmd::Return { how } => Command::Return { how: how.get() },
            Cmd::Rate { satisfied, comment } => Command::Rate {
                rating: if *satisfied {
                    Rating::Satisfied
                } else {
                    Rating::Unsatisfied
                },
                comment: comment.clone(),
            },
            Cmd::AttachFile { component, file } => Command::AttachFile {
                component: component.get(),
                file: file.get(),
            },
            Cmd::Digitise {
                desk,
                component,
                scanned,
                reason,
            } => Command::Digitise {
                desk: unit(desk),
                component: component.get(),
                how: match scanned {
                    Some(f) => Digitisation::Scanned { file: f.get() },
                    None => Digitisation::PaperSeen {
                        reason: reason.get(),
                    },
                },
            },
            Cmd::AttachResult { file } => Command::AttachResult { file: file.get() },
            Cmd::Intake { desk, channel: c } => Command::Intake {
                desk: unit(desk),
                channel: channel(*c),
            },
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Person {
    /// 0: the applicant; otherwise an account of its own.
    account: u8,
    grants: Vec<(u8, u8, bool)>,
}

#[derive(Arbitrary, Debug)]
struct Step {
    who: u8,
    minutes_later: u16,
    cmd: Cmd,
}

#[derive(Arbitrary, Debug)]
struct Input {
    process: u8,
    unit: u8,
    max_extensions: u8,
    people: Vec<Person>,
    steps: Vec<Step>,
}

fuzz_target!(|input: Input| {
    let w = world();
    let (process, competent) = &w.processes[usize::from(input.process) % w.processes.len()];
    let people: Vec<Actor> = std::iter::once(Actor {
        account_id: "applicant".into(),
        grants: vec![],
    })
    .chain(input.people.iter().take(8).map(|p| {
        Actor {
            account_id: if p.account == 0 {
                "applicant".into()
            } else {
                format!("acc{}", p.account)
            },
            grants: p
                .grants
                .iter()
                .take(3)
                .map(|&(role, unit, with_sub_units)| Grant {
                    role: Role::ALL[usize::from(role) % Role::ALL.len()],
                    unit: w.units[usize::from(unit) % w.units.len()].clone(),
                    with_sub_units,
                })
                .collect(),
        }
    }))
    .collect();
    let max_extensions = u32::from(input.max_extensions % 3);
    let mut now = Utc.with_ymd_and_hms(2025, 1, 7, 1, 0, 0).unwrap();
    let created = Event {
        dossier: "d1".into(),
        version: 1,
        at: now,
        by: By {
            account: "applicant".into(),
            role: Role::Applicant,
            unit: None,
        },
        change: Change::Created {
            procedure: process.procedure.clone(),
            procedure_version: 1,
            unit: competent[usize::from(input.unit) % competent.len()].clone(),
            applicant: "applicant".into(),
            applicant_kind: ApplicantKind::Citizen,
            parent: None,
            eform_version: None,
        },
    };
    let mut d = Dossier::apply(None, &created).unwrap();
    let mut events = vec![created];
    let mut code = None;
    let mut appointment = None;

    for step in input.steps.iter().take(64) {
        now += Duration::minutes(i64::from(step.minutes_later));
        let actor = &people[usize::from(step.who) % people.len()];
        let cmd = step.cmd.command(w, now);
        let name = cmd.name();
        let ctx = Context {
            now,
            actor,
            tree: &w.tree,
            process: Some(process),
            competent_units: competent,
            max_extensions,
        };
        let before = d.clone();
        let Ok((by, changes)) = decide(&d, cmd, &ctx) else {
            continue;
        };
        assert!(!changes.is_empty(), "{name} accepted without a change");
        if before.status.is_terminal() {
            assert!(
                name == "rate" && before.status == Status::Returned && before.rating.is_none(),
                "{name} accepted on a {} dossier",
                before.status.as_str()
            );
        }
        for change in changes {
            let e = Event {
                dossier: d.id.clone(),
                version: d.version + 1,
                at: now,
                by: by.clone(),
                change,
            };
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), e, "{json}");
            let next = Dossier::apply(Some(d.clone()), &e)
                .unwrap_or_else(|| panic!("apply refused {} after {name}", e.change.kind()));
            assert_eq!(next.version, d.version + 1);
            d = next;
            events.push(e);
        }
        if before.status.is_terminal() {
            assert_eq!(d.status, before.status, "{name} left a terminal status");
        }
        assert_eq!(
            d.clock_stopped_at.is_some(),
            d.status == Status::SupplementRequested
        );
        if let Some(c) = &d.code {
            assert_eq!(code.get_or_insert_with(|| c.clone()), c, "the code changed");
        }
        if let Some(due) = d.due_at {
            assert_eq!(
                *appointment.get_or_insert(due),
                due,
                "the appointment changed"
            );
        }
        assert!(competent.contains(&d.unit), "{} is not competent", d.unit);
        assert!(d.extensions <= max_extensions);
        if d.status.is_terminal() || d.status == Status::Completed {
            assert!(d.finished_at.is_some());
        }
        assert_eq!(d.version as usize, events.len());
        assert_eq!(
            Dossier::replay(&events).as_ref(),
            Some(&d),
            "replay differs"
        );
    }
});
