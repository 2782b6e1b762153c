//! Checking a definition when it is published: everything that would otherwise surface as a
//! confusing form in front of a citizen is refused here, all at once, each problem with the
//! path of the property at fault.

use super::CheckedForm;
use super::compiled::Node;
use super::conditions::{Level, Links};
use super::definition::{Field, FormDefinition};
use super::errors::{DefinitionError, DefinitionErrorCode as E};
use super::profile::ProfilePath;
use std::collections::{BTreeMap, BTreeSet};
use unicode_normalization::{IsNormalized, is_nfc_quick};

const NAME_MAX: usize = 64;

pub(crate) struct Checker {
    pub errors: Vec<DefinitionError>,
}

impl Checker {
    pub fn err(&mut self, path: &str, code: E, detail: impl Into<String>) {
        self.errors.push(DefinitionError {
            path: path.to_owned(),
            code,
            detail: detail.into(),
        });
    }

    /// Labels are shown as written and quoted in messages, so they must already be clean.
    pub(crate) fn label(&mut self, path: &str, s: &str) {
        if s.trim().is_empty() {
            self.err(path, E::EmptyLabel, "must not be empty");
        } else if s != s.trim() {
            self.err(
                path,
                E::LabelNotTrimmed,
                "must not start or end with whitespace",
            );
        } else if !is_nfc(s) {
            self.err(
                path,
                E::LabelNotNfc,
                "must be in Unicode NFC (precomposed Vietnamese letters)",
            );
        }
    }
}

pub(crate) fn is_nfc(s: &str) -> bool {
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => true,
        IsNormalized::No => false,
        IsNormalized::Maybe => unicode_normalization::is_nfc(s),
    }
}

fn is_snake_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= NAME_MAX
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

impl FormDefinition {
    /// Reads a definition from JSON; a syntax or shape error becomes one `invalid_json`.
    pub fn from_json(json: &str) -> Result<Self, DefinitionError> {
        serde_json::from_str(json).map_err(|e| DefinitionError {
            path: String::new(),
            code: E::InvalidJson,
            detail: e.to_string(),
        })
    }

    /// Every rule of a publishable definition; all problems are reported, in the order of
    /// the definition.
    pub fn check(&self) -> Result<CheckedForm, Vec<DefinitionError>> {
        let mut c = Checker { errors: Vec::new() };
        let id_ok = !self.id.is_empty()
            && self.id.len() <= NAME_MAX
            && self.id.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.')
            });
        if !id_ok {
            c.err(
                "id",
                E::InvalidId,
                "must be 1 to 64 of a-z, 0-9, '_', '-', '.'",
            );
        }
        c.label("title", &self.title);
        for (i, l) in self.legal_basis.iter().enumerate() {
            c.label(&format!("legal_basis[{i}]"), l);
        }
        if let Some(component) = &self.component {
            c.label("component", component);
        }
        let mut links = Links::default();
        let top_ids = links.assign_ids(&self.fields);
        let nodes = c.fields(&self.fields, "fields", &[], &top_ids, &mut links);
        links.report_loops(&mut c);
        c.sections(self);
        if c.errors.is_empty() {
            Ok(CheckedForm {
                definition: self.clone(),
                nodes,
            })
        } else {
            Err(c.errors)
        }
    }
}

impl CheckedForm {
    /// Reads and checks in one step, as a definition is published.
    pub fn from_json(json: &str) -> Result<Self, Vec<DefinitionError>> {
        FormDefinition::from_json(json)
            .map_err(|e| vec![e])?
            .check()
    }
}

impl Checker {
    /// One list of sibling fields: the form's, or a group's sub-fields (`outer` then holds
    /// the enclosing list and the group's position in it).
    pub(crate) fn fields(
        &mut self,
        fields: &[Field],
        path: &str,
        outer: &[Level<'_>],
        ids: &[usize],
        links: &mut Links,
    ) -> Vec<Node> {
        if fields.is_empty() {
            self.err(
                path,
                E::NoFields,
                "a form or group needs at least one field",
            );
        }
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        let mut nodes = Vec::with_capacity(fields.len());
        for (i, f) in fields.iter().enumerate() {
            let p = format!("{path}[{i}]");
            if !is_snake_name(&f.name) {
                self.err(
                    &format!("{p}.name"),
                    E::InvalidName,
                    "must be snake_case: a-z first, then a-z, 0-9 or '_', at most 64",
                );
            } else if let Some(first) = seen.insert(&f.name, i) {
                // Keep pointing at the first use, so a third copy names it too.
                seen.insert(&f.name, first);
                self.err(
                    &format!("{p}.name"),
                    E::DuplicateName,
                    format!("{:?} is already the name of {path}[{first}]", f.name),
                );
            }
            self.label(&format!("{p}.label"), &f.label);
            if let Some(h) = &f.help {
                self.label(&format!("{p}.help"), h);
            }
            let mut chain = vec![Level {
                fields,
                pos: i,
                ids,
            }];
            chain.extend_from_slice(outer);
            let visible_if = f
                .visible_if
                .as_ref()
                .and_then(|cond| self.condition(cond, &format!("{p}.visible_if"), &chain, links));
            let required_if = f
                .required_if
                .as_ref()
                .and_then(|cond| self.condition(cond, &format!("{p}.required_if"), &chain, links));
            let prefill = self.prefill(f, &p, !outer.is_empty());
            // `ids` has one entry per field (Links::assign_ids); a missing one only loses
            // loop detection for this field.
            let id = ids.get(i).copied().unwrap_or(usize::MAX);
            let kind = self.kind(f, &p, &chain, id, links);
            nodes.push(Node {
                name: f.name.clone(),
                label: f.label.clone(),
                required: f.required,
                visible_if,
                required_if,
                kind,
                prefill,
            });
        }
        nodes
    }

    fn prefill(&mut self, f: &Field, p: &str, in_group: bool) -> Option<ProfilePath> {
        let raw = f.prefill.as_deref()?;
        let path = format!("{p}.prefill");
        if in_group {
            // A group has many items and the profile one person: which item is meant is
            // the form's business, not a guess here.
            self.err(
                &path,
                E::PrefillInGroup,
                "fields inside a group cannot be prefilled",
            );
            return None;
        }
        let Some(pp) = ProfilePath::parse(raw) else {
            let known: Vec<&str> = ProfilePath::ALL.iter().map(|p| p.as_str()).collect();
            self.err(
                &path,
                E::UnknownPrefillPath,
                format!("{raw:?} is not one of {}", known.join(", ")),
            );
            return None;
        };
        if !pp.fits(f) {
            self.err(
                &path,
                E::PrefillKindMismatch,
                format!(
                    "{raw} cannot fill a {} field{}",
                    f.kind.as_str(),
                    if pp == ProfilePath::Gender {
                        " (a gender choice must offer the values \"male\" and \"female\")"
                    } else {
                        ""
                    }
                ),
            );
            return None;
        }
        Some(pp)
    }

    fn sections(&mut self, def: &FormDefinition) {
        if def.sections.is_empty() {
            return;
        }
        let names: BTreeSet<&str> = def.fields.iter().map(|f| f.name.as_str()).collect();
        let mut placed: BTreeSet<&str> = BTreeSet::new();
        for (s, sec) in def.sections.iter().enumerate() {
            self.label(&format!("sections[{s}].title"), &sec.title);
            for (k, name) in sec.fields.iter().enumerate() {
                let path = format!("sections[{s}].fields[{k}]");
                if !names.contains(name.as_str()) {
                    self.err(
                        &path,
                        E::UnknownSectionField,
                        format!("no top-level field is named {name:?}"),
                    );
                } else if !placed.insert(name.as_str()) {
                    self.err(
                        &path,
                        E::DuplicateSectionField,
                        format!("{name:?} is already placed in a section"),
                    );
                }
            }
        }
        for (i, f) in def.fields.iter().enumerate() {
            if !placed.contains(f.name.as_str()) {
                self.err(
                    &format!("fields[{i}]"),
                    E::FieldWithoutSection,
                    format!("{:?} is in no section and would not be shown", f.name),
                );
            }
        }
    }
}
