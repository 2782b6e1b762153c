//! Who may do what, where. Every role is held *in a unit*, with or without its sub-units;
//! nobody acts outside the units they hold a role in, and an applicant reaches only their
//! own records. One function decides: [`authorize`]. Handlers never test roles themselves.

use crate::codes::UnitCode;
use crate::unit::UnitTree;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Applicant,
    DigitalHelper,
    ReceptionOfficer,
    Specialist,
    Leader,
    UnitAdmin,
    ProvinceMonitor,
    Operator,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Applicant,
        Role::DigitalHelper,
        Role::ReceptionOfficer,
        Role::Specialist,
        Role::Leader,
        Role::UnitAdmin,
        Role::ProvinceMonitor,
        Role::Operator,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Applicant => "applicant",
            Role::DigitalHelper => "digital_helper",
            Role::ReceptionOfficer => "reception_officer",
            Role::Specialist => "specialist",
            Role::Leader => "leader",
            Role::UnitAdmin => "unit_admin",
            Role::ProvinceMonitor => "province_monitor",
            Role::Operator => "operator",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
    pub fn label_vi(self) -> &'static str {
        match self {
            Role::Applicant => "Người nộp hồ sơ",
            Role::DigitalHelper => "Thành viên Tổ Công nghệ số cộng đồng",
            Role::ReceptionOfficer => "Cán bộ tiếp nhận (Bộ phận Một cửa)",
            Role::Specialist => "Chuyên viên xử lý",
            Role::Leader => "Lãnh đạo",
            Role::UnitAdmin => "Quản trị đơn vị",
            Role::ProvinceMonitor => "Giám sát, theo dõi (cấp tỉnh)",
            Role::Operator => "Vận hành hệ thống",
        }
    }
}

/// A role held in a unit. `with_sub_units` extends it to every descendant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub unit: UnitCode,
    pub with_sub_units: bool,
}

/// The one acting: an account and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub account_id: String,
    pub grants: Vec<Grant>,
}

/// What the actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read a dossier in full (components, personal data).
    ReadDossier,
    /// Create or submit a dossier for oneself.
    SubmitOwnDossier,
    /// Submit online on behalf of an applicant (community digital helper, desk guide).
    SubmitOnBehalf,
    /// Receive, refuse, digitise, return results at the one-stop desk.
    ReceiveDossier,
    /// Work a process step.
    ProcessDossier,
    /// Approve and sign.
    ApproveDossier,
    /// Read the 766 index, warnings and reports of a unit.
    ReadIndex,
    /// Draft and edit catalogue entries, processes and e-forms.
    EditCatalogue,
    /// Publish a catalogue version or an e-form version (the operator, a second pair of
    /// eyes after the unit administrator who drafted it).
    PublishCatalogue,
    /// Publish a procedure's process definition. A unit administrator may, but only where
    /// their grants reach every competent unit: the one process serves all of them.
    PublishProcess,
    /// Create accounts and give roles inside a unit.
    ManageAccounts,
    /// Rename or merge units, edit the calendar, import bundles, issue API tokens.
    Operate,
}

impl Action {
    pub const ALL: [Action; 12] = [
        Action::ReadDossier,
        Action::SubmitOwnDossier,
        Action::SubmitOnBehalf,
        Action::ReceiveDossier,
        Action::ProcessDossier,
        Action::ApproveDossier,
        Action::ReadIndex,
        Action::EditCatalogue,
        Action::PublishCatalogue,
        Action::PublishProcess,
        Action::ManageAccounts,
        Action::Operate,
    ];
}

/// What the action is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// Something that belongs to a unit (a dossier's competent unit, an account's unit).
    Unit(UnitCode),
    /// A dossier: its competent unit and the applicant's account.
    Dossier { unit: UnitCode, applicant: String },
    /// A catalogue entry handled by these units.
    Procedure { units: Vec<UnitCode> },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not allowed")]
pub struct Denied;

/// Which actions a role allows (in the units it is held in).
pub fn role_allows(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::Applicant => matches!(action, SubmitOwnDossier),
        Role::DigitalHelper => matches!(action, SubmitOnBehalf),
        Role::ReceptionOfficer => matches!(action, ReadDossier | ReceiveDossier | SubmitOnBehalf),
        Role::Specialist => matches!(action, ReadDossier | ProcessDossier),
        Role::Leader => matches!(
            action,
            ReadDossier | ProcessDossier | ApproveDossier | ReadIndex
        ),
        Role::UnitAdmin => matches!(
            action,
            EditCatalogue | PublishProcess | ManageAccounts | ReadIndex
        ),
        Role::ProvinceMonitor => matches!(action, ReadIndex),
        Role::Operator => matches!(
            action,
            Operate | PublishCatalogue | PublishProcess | EditCatalogue
        ),
    }
}

fn covers(grant: &Grant, unit: &UnitCode, tree: &UnitTree) -> bool {
    if grant.with_sub_units {
        tree.is_within(unit, &grant.unit)
    } else {
        &grant.unit == unit
    }
}

/// The single permission check. Time and state rules (is the dossier at this step?) are the
/// state machine's; this answers only "may this actor do this kind of thing here".
pub fn authorize(
    actor: &Actor,
    action: Action,
    resource: &Resource,
    tree: &UnitTree,
) -> Result<(), Denied> {
    let allowed = match resource {
        Resource::Dossier { unit, applicant } => {
            let own = *applicant == actor.account_id;
            actor.grants.iter().any(|g| {
                role_allows(g.role, action)
                    && if g.role == Role::Applicant {
                        // An applicant's grant is where they live; it never opens
                        // anybody else's dossier.
                        own
                    } else {
                        covers(g, unit, tree)
                    }
            }) || (own && matches!(action, Action::ReadDossier | Action::SubmitOwnDossier))
        }
        Resource::Unit(unit) => actor.grants.iter().any(|g| {
            g.role != Role::Applicant && role_allows(g.role, action) && covers(g, unit, tree)
        }),
        Resource::Procedure { units } => {
            !units.is_empty()
                && units.iter().all(|u| {
                    actor.grants.iter().any(|g| {
                        g.role != Role::Applicant
                            && role_allows(g.role, action)
                            && covers(g, u, tree)
                    })
                })
        }
    };
    if allowed { Ok(()) } else { Err(Denied) }
}

/// Whether the actor may read a dossier — and so act on it at all: what one may not read,
/// one may not change either. Its applicant; while it is a draft, the helper who started
/// it for the applicant; once submitted, an officer whose grants reach its competent unit
/// or the desk that received it. Officers never see drafts: nothing is filed yet.
pub fn may_read_dossier(actor: &Actor, d: &crate::dossier::Dossier, tree: &UnitTree) -> bool {
    if d.applicant == actor.account_id {
        return true;
    }
    if d.status == crate::dossier::Status::Draft {
        return d.helper.as_deref() == Some(actor.account_id.as_str())
            && authorize(
                actor,
                Action::SubmitOnBehalf,
                &Resource::Unit(d.unit.clone()),
                tree,
            )
            .is_ok();
    }
    let on = |unit: &UnitCode| {
        authorize(
            actor,
            Action::ReadDossier,
            &Resource::Dossier {
                unit: unit.clone(),
                applicant: d.applicant.clone(),
            },
            tree,
        )
        .is_ok()
    };
    on(&d.unit) || d.desk.as_ref().is_some_and(on)
}

/// The grant with which the actor does `action` in `unit` (optionally only in `role`): the
/// first that allows it there. Some exactly when [`authorize`] allows it on the unit.
pub fn grant_for<'a>(
    actor: &'a Actor,
    action: Action,
    unit: &UnitCode,
    role: Option<Role>,
    tree: &UnitTree,
) -> Option<&'a Grant> {
    actor.grants.iter().find(|g| {
        g.role != Role::Applicant
            && role.is_none_or(|r| g.role == r)
            && role_allows(g.role, action)
            && covers(g, unit, tree)
    })
}

/// An account that is a citizen's or a business's and nothing else: the only kind that
/// may be filed for by a helper, or give a helper its consent.
pub fn applicant_only(grants: &[Grant]) -> bool {
    !grants.is_empty() && grants.iter().all(|g| g.role == Role::Applicant)
}

/// Whether `narrow` gives nothing that `wide` does not: the same role, in the same unit or
/// (where `wide` reaches sub-units) below it, reaching sub-units only where `wide` does.
pub fn grant_within(narrow: &Grant, wide: &Grant, tree: &UnitTree) -> bool {
    narrow.role == wide.role
        && if wide.with_sub_units {
            tree.is_within(&narrow.unit, &wide.unit)
        } else {
            narrow.unit == wide.unit && !narrow.with_sub_units
        }
}

/// What a scoped credential (an API token) may do: the grants of its scope that the
/// account still holds. Taking a role away from the account takes it from its tokens too.
pub fn scoped(held: &[Grant], scope: &[Grant], tree: &UnitTree) -> Vec<Grant> {
    scope
        .iter()
        .filter(|s| held.iter().any(|h| grant_within(s, h, tree)))
        .cloned()
        .collect()
}

/// Units in which the actor may do `action`, for filtering lists in the query itself.
pub fn units_for(actor: &Actor, action: Action, tree: &UnitTree) -> Vec<UnitCode> {
    let mut out: Vec<UnitCode> = actor
        .grants
        .iter()
        .filter(|g| g.role != Role::Applicant && role_allows(g.role, action))
        .flat_map(|g| {
            if g.with_sub_units {
                tree.scope(&g.unit)
            } else {
                vec![g.unit.clone()]
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::unit::{Unit, UnitKind};
    use proptest::prelude::*;

    /// A tree: root 000.00.00.H57, departments 000.00.3d.H57, below each two sub-units.
    fn tree() -> UnitTree {
        let mut units = vec![unit("000.00.00.H57", None)];
        for d in 1..=3 {
            let dep = format!("000.00.3{d}.H57");
            units.push(unit(&dep, Some("000.00.00.H57")));
            for s in 1..=2 {
                units.push(unit(&format!("000.0{s}.3{d}.H57"), Some(&dep)));
            }
        }
        UnitTree::new(units).unwrap()
    }
    fn unit(code: &str, parent: Option<&str>) -> Unit {
        Unit {
            code: UnitCode::parse(code).unwrap(),
            name: code.into(),
            kind: UnitKind::Other,
            parent: parent.map(|p| UnitCode::parse(p).unwrap()),
            e_certified_copy: false,
            successor: None,
        }
    }

    fn any_unit() -> impl Strategy<Value = UnitCode> {
        let t = tree();
        let codes: Vec<UnitCode> = t.iter().map(|u| u.code.clone()).collect();
        proptest::sample::select(codes)
    }
    fn any_grant() -> impl Strategy<Value = Grant> {
        (
            proptest::sample::select(Role::ALL.to_vec()),
            any_unit(),
            any::<bool>(),
        )
            .prop_map(|(role, unit, with_sub_units)| Grant {
                role,
                unit,
                with_sub_units,
            })
    }
    fn any_action() -> impl Strategy<Value = Action> {
        proptest::sample::select(Action::ALL.to_vec())
    }

    proptest! {
        /// No role reaches a unit outside the units (and sub-units, when granted so) it is held in.
        #[test]
        fn no_access_outside_granted_units(
            grants in proptest::collection::vec(any_grant(), 0..4),
            action in any_action(),
            target in any_unit(),
        ) {
            let t = tree();
            let actor = Actor { account_id: "a".into(), grants: grants.clone() };
            let inside = grants.iter().any(|g| g.role != Role::Applicant && covers(g, &target, &t));
            if authorize(&actor, action, &Resource::Unit(target.clone()), &t).is_ok() {
                prop_assert!(inside);
                prop_assert!(grants.iter().any(|g| role_allows(g.role, action)));
            }
            let other = Resource::Dossier { unit: target, applicant: "someone-else".into() };
            if authorize(&actor, action, &other, &t).is_ok() {
                prop_assert!(inside);
            }
        }

        /// An applicant alone reaches only their own dossiers, wherever they are.
        #[test]
        fn applicant_reaches_only_own_records(
            home in any_unit(),
            action in any_action(),
            target in any_unit(),
            sub in any::<bool>(),
        ) {
            let t = tree();
            let actor = Actor {
                account_id: "me".into(),
                grants: vec![Grant { role: Role::Applicant, unit: home, with_sub_units: sub }],
            };
            let theirs = Resource::Dossier { unit: target.clone(), applicant: "you".into() };
            prop_assert!(authorize(&actor, action, &theirs, &t).is_err());
            prop_assert!(authorize(&actor, action, &Resource::Unit(target.clone()), &t).is_err());
            let mine = Resource::Dossier { unit: target, applicant: "me".into() };
            prop_assert_eq!(
                authorize(&actor, action, &mine, &t).is_ok(),
                matches!(action, Action::ReadDossier | Action::SubmitOwnDossier)
            );
        }

        /// A scoped credential never allows more than the account that holds it, on any
        /// unit or dossier, whatever scope was asked for.
        #[test]
        fn a_scope_never_widens(
            held in proptest::collection::vec(any_grant(), 0..4),
            scope in proptest::collection::vec(any_grant(), 0..4),
            action in any_action(),
            target in any_unit(),
        ) {
            let t = tree();
            let full = Actor { account_id: "a".into(), grants: held.clone() };
            let narrow = Actor { account_id: "a".into(), grants: scoped(&held, &scope, &t) };
            for r in [
                Resource::Unit(target.clone()),
                Resource::Dossier { unit: target.clone(), applicant: "b".into() },
                Resource::Dossier { unit: target.clone(), applicant: "a".into() },
            ] {
                if authorize(&narrow, action, &r, &t).is_ok() {
                    prop_assert!(authorize(&full, action, &r, &t).is_ok());
                }
            }
            // Asking for exactly what one holds keeps all of it.
            prop_assert_eq!(scoped(&held, &held, &t), held);
        }

        /// The list filter and the single check agree.
        #[test]
        fn units_for_matches_authorize(
            grants in proptest::collection::vec(any_grant(), 0..4),
            action in any_action(),
        ) {
            let t = tree();
            let actor = Actor { account_id: "a".into(), grants };
            let allowed = units_for(&actor, action, &t);
            for u in t.iter() {
                prop_assert_eq!(
                    allowed.contains(&u.code),
                    authorize(&actor, action, &Resource::Unit(u.code.clone()), &t).is_ok()
                );
            }
        }
    }

    #[test]
    fn sub_units_only_when_granted() {
        let t = tree();
        let dep = UnitCode::parse("000.00.31.H57").unwrap();
        let sub = UnitCode::parse("000.01.31.H57").unwrap();
        let mut actor = Actor {
            account_id: "o".into(),
            grants: vec![Grant {
                role: Role::ReceptionOfficer,
                unit: dep.clone(),
                with_sub_units: false,
            }],
        };
        let r = Resource::Unit(sub.clone());
        assert!(
            authorize(
                &actor,
                Action::ReceiveDossier,
                &Resource::Unit(dep.clone()),
                &t
            )
            .is_ok()
        );
        assert!(authorize(&actor, Action::ReceiveDossier, &r, &t).is_err());
        actor.grants[0].with_sub_units = true;
        assert!(authorize(&actor, Action::ReceiveDossier, &r, &t).is_ok());
        assert!(authorize(&actor, Action::ApproveDossier, &r, &t).is_err());
    }

    #[test]
    fn catalogue_edit_needs_every_competent_unit() {
        let t = tree();
        let actor = Actor {
            account_id: "admin".into(),
            grants: vec![Grant {
                role: Role::UnitAdmin,
                unit: UnitCode::parse("000.00.31.H57").unwrap(),
                with_sub_units: true,
            }],
        };
        let inside = Resource::Procedure {
            units: vec![UnitCode::parse("000.01.31.H57").unwrap()],
        };
        let across = Resource::Procedure {
            units: vec![
                UnitCode::parse("000.01.31.H57").unwrap(),
                UnitCode::parse("000.01.32.H57").unwrap(),
            ],
        };
        assert!(authorize(&actor, Action::EditCatalogue, &inside, &t).is_ok());
        assert!(authorize(&actor, Action::EditCatalogue, &across, &t).is_err());
        assert!(authorize(&actor, Action::PublishCatalogue, &inside, &t).is_err());
        // The process of a procedure only this admin's unit handles is theirs to publish;
        // one shared with a unit beyond their grants is not.
        assert!(authorize(&actor, Action::PublishProcess, &inside, &t).is_ok());
        assert!(authorize(&actor, Action::PublishProcess, &across, &t).is_err());
    }
}
