//! Checking `visible_if` / `required_if`: shape, the fields they name, the values they
//! compare with, and loops.
//!
//! A condition may only name a field that comes *before* it: among its siblings, or — for a
//! field inside a group — before the group in the enclosing list. The form then reads top to
//! bottom, and validation decides each field with everything it depends on already decided,
//! in one pass. A forward reference is refused; one that closes a loop (a field that, through
//! conditions, depends on itself) is reported as a cycle instead, since that is the problem to
//! fix.

use super::check::Checker;
use super::compiled::{Cond, Ref, parse_iso_date};
use super::definition::{Condition, Field, FieldKind};
use super::errors::DefinitionErrorCode as E;
use super::values;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// One list of sibling fields around the field being checked, and where in it we are (for an
/// enclosing list: where the group is).
#[derive(Clone, Copy)]
pub(crate) struct Level<'a> {
    pub fields: &'a [Field],
    pub pos: usize,
    pub ids: &'a [usize],
}

/// Dependencies between fields, numbered in document order, to tell forward references that
/// close a loop from those that merely point down the form.
#[derive(Default)]
pub(crate) struct Links {
    next: usize,
    subs: BTreeMap<usize, Vec<usize>>,
    edges: BTreeMap<usize, BTreeSet<usize>>,
    /// (error index, from, to): a `forward_reference` already reported, maybe a cycle.
    forward: Vec<(usize, usize, usize)>,
    names: BTreeMap<usize, String>,
}

impl Links {
    pub fn assign_ids(&mut self, fields: &[Field]) -> Vec<usize> {
        let mut ids = Vec::with_capacity(fields.len());
        for f in fields {
            let id = self.take(&f.name);
            if f.kind == FieldKind::Group {
                let subs = f.fields.iter().map(|s| self.take(&s.name)).collect();
                self.subs.insert(id, subs);
            }
            ids.push(id);
        }
        ids
    }

    fn take(&mut self, name: &str) -> usize {
        let id = self.next;
        self.next += 1;
        self.names.insert(id, name.to_owned());
        id
    }

    pub fn sub_ids(&self, group: usize) -> Vec<usize> {
        self.subs.get(&group).cloned().unwrap_or_default()
    }

    /// A path of dependencies from `from` to `to`, both included, if there is one.
    fn path(&self, from: usize, to: usize) -> Option<Vec<usize>> {
        let mut stack = vec![vec![from]];
        let mut seen = BTreeSet::new();
        while let Some(trail) = stack.pop() {
            let here = *trail.last()?;
            if here == to {
                return Some(trail);
            }
            if !seen.insert(here) {
                continue;
            }
            for next in self.edges.get(&here).into_iter().flatten() {
                let mut t = trail.clone();
                t.push(*next);
                stack.push(t);
            }
        }
        None
    }

    /// Turns each reported forward reference that closes a loop into `condition_cycle`.
    pub fn report_loops(&self, c: &mut Checker) {
        for &(at, from, to) in &self.forward {
            if let Some(trail) = self.path(to, from) {
                let mut names: Vec<&str> = vec![self.name(from)];
                names.extend(trail.iter().map(|id| self.name(*id)));
                if let Some(e) = c.errors.get_mut(at) {
                    e.code = E::ConditionCycle;
                    e.detail = format!("conditions form a loop: {}", names.join(" → "));
                }
            }
        }
    }

    fn name(&self, id: usize) -> &str {
        self.names.get(&id).map_or("?", String::as_str)
    }
}

enum Found<'a> {
    Before {
        up: usize,
        field: &'a Field,
        id: usize,
    },
    /// The field itself, or the group it sits in.
    Itself,
    After {
        field: &'a Field,
        id: usize,
    },
    Unknown,
}

fn find<'a>(name: &str, chain: &[Level<'a>]) -> Found<'a> {
    for (up, level) in chain.iter().enumerate() {
        if let Some(j) = level.fields.iter().position(|f| f.name == name) {
            let field = &level.fields[j];
            let id = level.ids.get(j).copied().unwrap_or(usize::MAX);
            return match j.cmp(&level.pos) {
                std::cmp::Ordering::Less => Found::Before { up, field, id },
                std::cmp::Ordering::Equal => Found::Itself,
                std::cmp::Ordering::Greater => Found::After { field, id },
            };
        }
    }
    Found::Unknown
}

/// Whether a condition value can ever equal a normalised value of `target`.
fn value_fits(target: &Field, v: &Value) -> bool {
    use FieldKind as K;
    let same_str = |out: Option<String>| out.is_some_and(|o| v.as_str() == Some(o.as_str()));
    match target.kind {
        K::Choice | K::MultiChoice => v
            .as_str()
            .is_some_and(|s| target.choices.iter().any(|c| c.value == s)),
        K::Checkbox => v.is_boolean(),
        K::Number => v.is_i64(),
        K::MoneyVnd => v.as_i64().is_some_and(|n| n >= 0),
        K::Date => v.as_str().and_then(parse_iso_date).is_some(),
        K::Text | K::Textarea => v.as_str().is_some_and(|s| {
            !s.is_empty()
                && values::normalise_text(s, target.kind == K::Textarea)
                    .ok()
                    .as_deref()
                    == Some(s)
        }),
        K::Cccd => same_str(values::cccd(v).ok()),
        K::Phone => same_str(v.as_str().and_then(values::phone)),
        K::Email => same_str(v.as_str().and_then(values::email)),
        K::UnitCode => same_str(values::unit_code(v).ok()),
        K::Group => false,
    }
}

const SHAPE: &str = "a condition is exactly one of: {field, equals}, {field, in}, {field, filled}, {all}, {any}, {not}";

impl Checker {
    pub(crate) fn condition(
        &mut self,
        c: &Condition,
        path: &str,
        chain: &[Level<'_>],
        links: &mut Links,
    ) -> Option<Cond> {
        let tests = [c.equals.is_some(), c.one_of.is_some(), c.filled.is_some()]
            .iter()
            .filter(|b| **b)
            .count();
        let combos = [c.all.is_some(), c.any.is_some(), c.not.is_some()]
            .iter()
            .filter(|b| **b)
            .count();
        let leaf = c.field.is_some() && tests == 1 && combos == 0;
        let combo = c.field.is_none() && tests == 0 && combos == 1;
        if !(leaf || combo) {
            self.err(path, E::InvalidCondition, SHAPE);
            return None;
        }
        if let Some(list) = c.all.as_ref().or(c.any.as_ref()) {
            let key = if c.all.is_some() { "all" } else { "any" };
            if list.is_empty() {
                self.err(
                    &format!("{path}.{key}"),
                    E::InvalidCondition,
                    "an empty list is always true (all) or false (any); write what is meant",
                );
                return None;
            }
            let parts: Vec<Option<Cond>> = list
                .iter()
                .enumerate()
                .map(|(k, sub)| self.condition(sub, &format!("{path}.{key}[{k}]"), chain, links))
                .collect();
            let parts: Option<Vec<Cond>> = parts.into_iter().collect();
            return parts.map(if c.all.is_some() {
                Cond::All
            } else {
                Cond::Any
            });
        }
        if let Some(inner) = &c.not {
            return self
                .condition(inner, &format!("{path}.not"), chain, links)
                .map(|x| Cond::Not(Box::new(x)));
        }
        // A leaf: `leaf` above guarantees the name is there.
        let name = c.field.as_deref().unwrap_or_default();
        let field_path = format!("{path}.field");
        let own_id = chain
            .first()
            .and_then(|l| l.ids.get(l.pos))
            .copied()
            .unwrap_or(usize::MAX);
        let (up, target) = match find(name, chain) {
            Found::Unknown => {
                self.err(
                    &field_path,
                    E::UnknownFieldReference,
                    format!("no field named {name:?} is in reach of this condition"),
                );
                return None;
            }
            Found::Itself => {
                self.err(
                    &field_path,
                    E::ConditionCycle,
                    format!("{name:?} is this field or the group that holds it"),
                );
                return None;
            }
            Found::After { field, id } => {
                links.edges.entry(own_id).or_default().insert(id);
                links.forward.push((self.errors.len(), own_id, id));
                self.err(
                    &field_path,
                    E::ForwardReference,
                    format!("{name:?} comes later in the form; conditions may only look back"),
                );
                self.condition_values(c, path, field);
                return None;
            }
            Found::Before { up, field, id } => {
                links.edges.entry(own_id).or_default().insert(id);
                (up, field)
            }
        };
        if !self.condition_values(c, path, target) {
            return None;
        }
        let r = Ref {
            up,
            name: name.to_owned(),
        };
        match (&c.equals, &c.one_of, c.filled) {
            (Some(v), _, _) => Some(Cond::Equals(r, v.clone())),
            (_, Some(vs), _) => Some(Cond::In(r, vs.clone())),
            (_, _, Some(b)) => Some(Cond::Filled(r, b)),
            _ => None,
        }
    }

    /// A value the field can never hold makes the condition constant: almost always a typo
    /// in a choice value.
    fn condition_values(&mut self, c: &Condition, path: &str, target: &Field) -> bool {
        let mut ok = true;
        let mut wrong: Vec<(String, &Value)> = Vec::new();
        if let Some(v) = &c.equals
            && !value_fits(target, v)
        {
            wrong.push((format!("{path}.equals"), v));
        }
        if let Some(vs) = &c.one_of {
            if vs.is_empty() {
                ok = false;
                self.err(
                    &format!("{path}.in"),
                    E::InvalidCondition,
                    "an empty list is never matched",
                );
            }
            for (k, v) in vs.iter().enumerate() {
                if !value_fits(target, v) {
                    wrong.push((format!("{path}.in[{k}]"), v));
                }
            }
        }
        for (p, v) in &wrong {
            self.err(
                p,
                E::ConditionValueMismatch,
                format!(
                    "{v} can never be the value of {:?} ({})",
                    target.name,
                    target.kind.as_str()
                ),
            );
        }
        ok && wrong.is_empty()
    }
}
