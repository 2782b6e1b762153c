//! Who may administer what: accounts and roles, and the working calendar. Built on
//! [`authorize`] so that a unit administrator's reach is exactly the units their grant
//! covers; the extra rules here are the ones about *giving* power, which `authorize` alone
//! cannot express (a grant reaches every sub-unit it names, and some roles are only the
//! system operator's to give).

use crate::access::{
    Action, Actor, Denied, Grant, Resource, Role, authorize, role_allows, units_for,
};
use crate::codes::UnitCode;
use crate::unit::UnitTree;

/// May the actor manage accounts in `unit`? A unit administrator where their grant
/// reaches, the system operator wherever theirs does.
pub fn administers(actor: &Actor, unit: &UnitCode, tree: &UnitTree) -> bool {
    let r = Resource::Unit(unit.clone());
    authorize(actor, Action::ManageAccounts, &r, tree).is_ok()
        || authorize(actor, Action::Operate, &r, tree).is_ok()
}

/// The units the actor administers, for filtering lists in the query itself.
pub fn admin_units(actor: &Actor, tree: &UnitTree) -> Vec<UnitCode> {
    let mut out = units_for(actor, Action::ManageAccounts, tree);
    out.extend(units_for(actor, Action::Operate, tree));
    out.sort();
    out.dedup();
    out
}

/// Roles only the system operator gives: they see or run the whole province.
pub fn operator_only(role: Role) -> bool {
    matches!(role, Role::ProvinceMonitor | Role::Operator)
}

/// May the actor give (or take back) `grant`? The actor must hold the power over the
/// grant's unit, and over its whole subtree when the grant says "with sub-units" (through
/// a grant of their own that says so too, since the subtree grows when units are added or
/// merged in); the province-wide roles need the operator's own reach; nobody changes their
/// own roles.
pub fn may_manage_grant(
    actor: &Actor,
    holder: &str,
    grant: &Grant,
    tree: &UnitTree,
) -> Result<(), Denied> {
    if holder == actor.account_id || tree.get(&grant.unit).is_none() {
        return Err(Denied);
    }
    let empowers = |role: Role| {
        role != Role::Applicant
            && if operator_only(grant.role) {
                role_allows(role, Action::Operate)
            } else {
                role_allows(role, Action::ManageAccounts) || role_allows(role, Action::Operate)
            }
    };
    let ok = actor.grants.iter().any(|g| {
        empowers(g.role)
            && if grant.with_sub_units {
                g.with_sub_units && tree.is_within(&grant.unit, &g.unit)
            } else {
                g.unit == grant.unit || (g.with_sub_units && tree.is_within(&grant.unit, &g.unit))
            }
    });
    if ok { Ok(()) } else { Err(Denied) }
}

/// May the actor lock or unlock an account holding `grants`? Locking takes away every
/// role at once, so the actor must be able to take back each of them; an account without
/// any role belongs to no unit and only the operator may lock it. Nobody locks themselves.
pub fn may_manage_account(
    actor: &Actor,
    holder: &str,
    grants: &[Grant],
    tree: &UnitTree,
) -> Result<(), Denied> {
    if holder == actor.account_id {
        return Err(Denied);
    }
    if grants.is_empty() {
        return if operates_everywhere(actor, tree) {
            Ok(())
        } else {
            Err(Denied)
        };
    }
    grants
        .iter()
        .try_for_each(|g| may_manage_grant(actor, holder, g, tree))
}

/// Holds `Operate` over every top unit, i.e. over the whole tree.
fn operates_everywhere(actor: &Actor, tree: &UnitTree) -> bool {
    let mut roots = tree.iter().filter(|u| u.parent.is_none()).peekable();
    roots.peek().is_some()
        && roots.all(|u| {
            authorize(
                actor,
                Action::Operate,
                &Resource::Unit(u.code.clone()),
                tree,
            )
            .is_ok()
        })
}

/// May the actor change the working calendar? It is one calendar for the whole
/// deployment, so only the operator of every top unit may.
pub fn may_edit_calendar(actor: &Actor, tree: &UnitTree) -> Result<(), Denied> {
    if operates_everywhere(actor, tree) {
        Ok(())
    } else {
        Err(Denied)
    }
}

/// May the actor see the outbox's dead letters and replay them? The outbox is one for the
/// whole deployment (every unit's messages), so only the operator of every top unit may.
pub fn may_operate_outbox(actor: &Actor, tree: &UnitTree) -> Result<(), Denied> {
    if operates_everywhere(actor, tree) {
        Ok(())
    } else {
        Err(Denied)
    }
}

/// May the actor open the administration pages at all?
pub fn may_administer(actor: &Actor, tree: &UnitTree) -> bool {
    !admin_units(actor, tree).is_empty()
        || !units_for(actor, Action::EditCatalogue, tree).is_empty()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::unit::{Unit, UnitKind};

    fn code(s: &str) -> UnitCode {
        UnitCode::parse(s).unwrap()
    }
    fn unit(c: &str, parent: Option<&str>) -> Unit {
        Unit {
            code: code(c),
            name: c.into(),
            kind: UnitKind::Other,
            parent: parent.map(code),
            e_certified_copy: false,
            successor: None,
        }
    }
    /// Root, a department, two communes below the department, one beside it.
    fn tree() -> UnitTree {
        UnitTree::new([
            unit("000.00.00.H57", None),
            unit("000.00.31.H57", Some("000.00.00.H57")),
            unit("000.01.31.H57", Some("000.00.31.H57")),
            unit("000.02.31.H57", Some("000.00.31.H57")),
            unit("000.00.32.H57", Some("000.00.00.H57")),
        ])
        .unwrap()
    }
    fn actor(role: Role, unit: &str, sub: bool) -> Actor {
        Actor {
            account_id: "me".into(),
            grants: vec![grant(role, unit, sub)],
        }
    }
    fn grant(role: Role, unit: &str, with_sub_units: bool) -> Grant {
        Grant {
            role,
            unit: code(unit),
            with_sub_units,
        }
    }

    #[test]
    fn unit_admin_gives_roles_only_inside_their_scope() {
        let t = tree();
        let a = actor(Role::UnitAdmin, "000.00.31.H57", false);
        let ok = |g: Grant| may_manage_grant(&a, "other", &g, &t).is_ok();
        assert!(ok(grant(Role::Specialist, "000.00.31.H57", false)));
        assert!(ok(grant(Role::UnitAdmin, "000.00.31.H57", false)));
        // Without sub-units in their own grant, neither a sub-unit nor "with sub-units".
        assert!(!ok(grant(Role::Specialist, "000.01.31.H57", false)));
        assert!(!ok(grant(Role::Specialist, "000.00.31.H57", true)));
        assert!(!ok(grant(Role::Specialist, "000.00.32.H57", false)));
        let b = actor(Role::UnitAdmin, "000.00.31.H57", true);
        assert!(may_manage_grant(&b, "x", &grant(Role::Leader, "000.00.31.H57", true), &t).is_ok());
        assert!(
            may_manage_grant(&b, "x", &grant(Role::Leader, "000.00.00.H57", false), &t).is_err()
        );
        // A leaf today may have sub-units tomorrow: "with sub-units" needs the same reach.
        let leaf = actor(Role::UnitAdmin, "000.00.32.H57", false);
        let wide = grant(Role::Specialist, "000.00.32.H57", true);
        assert!(may_manage_grant(&leaf, "x", &wide, &t).is_err());
        let wide_admin = actor(Role::UnitAdmin, "000.00.32.H57", true);
        assert!(may_manage_grant(&wide_admin, "x", &wide, &t).is_ok());
    }

    /// The rule agrees with `authorize`: whatever a unit administrator may give, they
    /// themselves may manage accounts in every unit it reaches.
    #[test]
    fn what_is_given_lies_within_the_givers_reach() {
        let t = tree();
        let units: Vec<UnitCode> = t.iter().map(|u| u.code.clone()).collect();
        for own in &units {
            for own_sub in [false, true] {
                let a = actor(Role::UnitAdmin, own.as_str(), own_sub);
                for target in &units {
                    for sub in [false, true] {
                        for role in Role::ALL {
                            let g = Grant {
                                role,
                                unit: target.clone(),
                                with_sub_units: sub,
                            };
                            if may_manage_grant(&a, "x", &g, &t).is_ok() {
                                assert!(!operator_only(role));
                                let reach = if sub {
                                    t.scope(target)
                                } else {
                                    vec![target.clone()]
                                };
                                assert!(reach.iter().all(|u| administers(&a, u, &t)));
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn province_roles_are_the_operators_to_give() {
        let t = tree();
        let admin = actor(Role::UnitAdmin, "000.00.00.H57", true);
        let op = actor(Role::Operator, "000.00.00.H57", true);
        for role in [Role::Operator, Role::ProvinceMonitor] {
            let g = grant(role, "000.00.31.H57", false);
            assert!(may_manage_grant(&admin, "x", &g, &t).is_err(), "{role:?}");
            assert!(may_manage_grant(&op, "x", &g, &t).is_ok(), "{role:?}");
        }
        // The operator administers accounts everywhere they operate.
        assert!(administers(&op, &code("000.02.31.H57"), &t));
        assert_eq!(admin_units(&op, &t).len(), t.len());
    }

    #[test]
    fn nobody_changes_their_own_roles_or_locks_themselves() {
        let t = tree();
        let op = actor(Role::Operator, "000.00.00.H57", true);
        let g = grant(Role::Leader, "000.00.31.H57", false);
        assert!(may_manage_grant(&op, "me", &g, &t).is_err());
        assert!(may_manage_account(&op, "me", &op.grants, &t).is_err());
        assert!(may_manage_account(&op, "x", &[], &t).is_ok());
    }

    #[test]
    fn locking_needs_every_role_of_the_account() {
        let t = tree();
        let a = actor(Role::UnitAdmin, "000.00.31.H57", true);
        let inside = [grant(Role::Specialist, "000.01.31.H57", false)];
        let across = [
            grant(Role::Specialist, "000.01.31.H57", false),
            grant(Role::Leader, "000.00.32.H57", false),
        ];
        assert!(may_manage_account(&a, "x", &inside, &t).is_ok());
        assert!(may_manage_account(&a, "x", &across, &t).is_err());
        assert!(may_manage_account(&a, "x", &[], &t).is_err());
    }

    #[test]
    fn only_the_operator_of_the_whole_tree_edits_the_calendar() {
        let t = tree();
        assert!(may_edit_calendar(&actor(Role::Operator, "000.00.00.H57", true), &t).is_ok());
        assert!(may_edit_calendar(&actor(Role::Operator, "000.00.31.H57", true), &t).is_err());
        assert!(may_edit_calendar(&actor(Role::UnitAdmin, "000.00.00.H57", true), &t).is_err());
        assert!(may_operate_outbox(&actor(Role::Operator, "000.00.00.H57", true), &t).is_ok());
        assert!(may_operate_outbox(&actor(Role::Operator, "000.00.31.H57", true), &t).is_err());
        assert!(may_operate_outbox(&actor(Role::UnitAdmin, "000.00.00.H57", true), &t).is_err());
        assert!(may_administer(
            &actor(Role::UnitAdmin, "000.01.31.H57", false),
            &t
        ));
        assert!(!may_administer(
            &actor(Role::Leader, "000.00.00.H57", true),
            &t
        ));
        assert!(!may_administer(
            &actor(Role::Applicant, "000.00.00.H57", true),
            &t
        ));
    }
}
