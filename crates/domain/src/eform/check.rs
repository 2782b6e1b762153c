//! Checking a definition when it is published: everything that would otherwise surface as a
//! confusing form in front of a citizen is refused here, all at once, each problem with the
//! path of the property at fault.

use super::CheckedForm;
use super::compiled::{
    DEFAULT_GROUP_MAX_ITEMS, DEFAULT_TEXT_MAX, DEFAULT_TEXTAREA_MAX, DateBound, Kind, Node,
    TextRule,
};
use super::conditions::{Level, Links};
use super::definition::{Bound, Field, FieldKind, FormDefinition};
use super::errors::{DefinitionError, DefinitionErrorCode as E};
use super::profile::ProfilePath;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};
use unicode_normalization::{IsNormalized, is_nfc_quick};

/// Patterns are written by officers, not attackers, but a runaway one would still be
/// compiled for every submission; this keeps each well under a megabyte.
const PATTERN_SIZE_LIMIT: usize = 1 << 20;
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
    fn label(&mut self, path: &str, s: &str) {
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

fn is_nfc(s: &str) -> bool {
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
    fn fields(
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
            let kind = self.kind(f, &p, &chain, ids[i], links);
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

    /// Refuses properties the kind does not use: they would be silently ignored otherwise,
    /// and whoever wrote them expected them to do something.
    fn allowed_properties(&mut self, f: &Field, p: &str) {
        use FieldKind as K;
        let textual = matches!(f.kind, K::Text | K::Textarea);
        let bounded = matches!(f.kind, K::Number | K::MoneyVnd | K::Date);
        let choosing = matches!(f.kind, K::Choice | K::MultiChoice);
        let counted = matches!(f.kind, K::Group | K::MultiChoice);
        let present = [
            ("pattern", f.pattern.is_some(), textual),
            ("min_length", f.min_length.is_some(), textual),
            ("max_length", f.max_length.is_some(), textual),
            ("min", f.min.is_some(), bounded),
            ("max", f.max.is_some(), bounded),
            ("choices", !f.choices.is_empty(), choosing),
            ("fields", !f.fields.is_empty(), f.kind == K::Group),
            ("min_items", f.min_items.is_some(), counted),
            ("max_items", f.max_items.is_some(), counted),
        ];
        for (prop, is_set, ok) in present {
            if is_set && !ok {
                self.err(
                    &format!("{p}.{prop}"),
                    E::PropertyNotAllowed,
                    format!("a {} field has no {prop}", f.kind.as_str()),
                );
            }
        }
    }

    fn min_max<T: PartialOrd>(&mut self, p: &str, prop: &str, min: Option<T>, max: Option<T>) {
        if let (Some(a), Some(b)) = (min, max)
            && a > b
        {
            self.err(
                &format!("{p}.{prop}"),
                E::MinGreaterThanMax,
                format!("{prop} is greater than its maximum"),
            );
        }
    }

    fn positive_max(&mut self, p: &str, prop: &str, max: Option<u32>) {
        if max == Some(0) {
            self.err(
                &format!("{p}.{prop}"),
                E::InvalidBound,
                format!("{prop} 0 leaves nothing to fill"),
            );
        }
    }

    fn kind(
        &mut self,
        f: &Field,
        p: &str,
        chain: &[Level<'_>],
        id: usize,
        links: &mut Links,
    ) -> Kind {
        use FieldKind as K;
        self.allowed_properties(f, p);
        match f.kind {
            K::Text | K::Textarea => {
                let multiline = f.kind == K::Textarea;
                self.min_max(p, "min_length", f.min_length, f.max_length);
                self.positive_max(p, "max_length", f.max_length);
                let default_max = if multiline {
                    DEFAULT_TEXTAREA_MAX
                } else {
                    DEFAULT_TEXT_MAX
                };
                Kind::Text(TextRule {
                    multiline,
                    min_length: f.min_length,
                    max_length: f.max_length.unwrap_or(default_max),
                    pattern: f.pattern.as_deref().and_then(|s| self.pattern(s, p)),
                })
            }
            K::Number | K::MoneyVnd => {
                let money = f.kind == K::MoneyVnd;
                let min = self.int_bound(f.min.as_ref(), &format!("{p}.min"), money);
                let max = self.int_bound(f.max.as_ref(), &format!("{p}.max"), money);
                self.min_max(p, "min", min, max);
                // Amounts in đồng are never negative, whatever the definition says.
                let min = if money { Some(min.unwrap_or(0)) } else { min };
                Kind::Number { min, max, money }
            }
            K::Date => {
                let min = self.date_bound(f.min.as_ref(), &format!("{p}.min"));
                let max = self.date_bound(f.max.as_ref(), &format!("{p}.max"));
                if let (Some(a), Some(b)) = (min, max) {
                    self.date_order(p, a, b);
                }
                Kind::Date { min, max }
            }
            K::Choice | K::MultiChoice => {
                let values = self.choices(f, p);
                if f.kind == K::Choice {
                    return Kind::Choice { values };
                }
                self.min_max(p, "min_items", f.min_items, f.max_items);
                self.positive_max(p, "max_items", f.max_items);
                if f.min_items.is_some_and(|m| m as usize > values.len()) && !values.is_empty() {
                    self.err(
                        &format!("{p}.min_items"),
                        E::InvalidBound,
                        "asks for more items than there are choices",
                    );
                }
                Kind::MultiChoice {
                    values,
                    min_items: f.min_items,
                    max_items: f.max_items,
                }
            }
            K::Checkbox => Kind::Checkbox,
            K::Cccd => Kind::Cccd,
            K::Phone => Kind::Phone,
            K::Email => Kind::Email,
            K::UnitCode => Kind::UnitCode,
            K::Group => {
                self.min_max(p, "min_items", f.min_items, f.max_items);
                self.positive_max(p, "max_items", f.max_items);
                let sub_path = format!("{p}.fields");
                if !chain[1..].is_empty() {
                    self.err(
                        &format!("{p}.kind"),
                        E::NestedGroup,
                        "a group cannot hold another group",
                    );
                    return Kind::Group {
                        fields: Vec::new(),
                        min_items: f.min_items,
                        max_items: f.max_items.unwrap_or(DEFAULT_GROUP_MAX_ITEMS),
                    };
                }
                let sub_ids = links.sub_ids(id);
                let fields = self.fields(&f.fields, &sub_path, chain, &sub_ids, links);
                Kind::Group {
                    fields,
                    min_items: f.min_items,
                    max_items: f.max_items.unwrap_or(DEFAULT_GROUP_MAX_ITEMS),
                }
            }
        }
    }

    fn pattern(&mut self, s: &str, p: &str) -> Option<regex::Regex> {
        let path = format!("{p}.pattern");
        if s.is_empty() {
            self.err(&path, E::InvalidPattern, "an empty pattern matches nothing");
            return None;
        }
        match regex::RegexBuilder::new(&format!("^(?:{s})$"))
            .size_limit(PATTERN_SIZE_LIMIT)
            .build()
        {
            Ok(re) => Some(re),
            Err(e) => {
                self.err(&path, E::InvalidPattern, e.to_string());
                None
            }
        }
    }

    fn int_bound(&mut self, b: Option<&Bound>, path: &str, money: bool) -> Option<i64> {
        match b? {
            Bound::Integer(n) if money && *n < 0 => {
                self.err(path, E::InvalidBound, "amounts in đồng are never negative");
                None
            }
            Bound::Integer(n) => Some(*n),
            Bound::Text(t) => {
                self.err(
                    path,
                    E::InvalidBound,
                    format!("{t:?} is not an integer bound"),
                );
                None
            }
        }
    }

    fn date_bound(&mut self, b: Option<&Bound>, path: &str) -> Option<DateBound> {
        let parsed = match b? {
            Bound::Text(t) => DateBound::parse(t),
            Bound::Integer(_) => None,
        };
        if parsed.is_none() {
            self.err(
                path,
                E::InvalidBound,
                "a date bound is YYYY-MM-DD, \"today\", or \"today\" ± N d/m/y (e.g. \"today-18y\")",
            );
        }
        parsed
    }

    /// Fixed dates compare directly and relative ones against any day; a fixed bound
    /// against a relative one depends on the day of filling and is left alone.
    fn date_order(&mut self, p: &str, min: DateBound, max: DateBound) {
        let inverted = match (min, max) {
            (DateBound::Fixed(a), DateBound::Fixed(b)) => a > b,
            (DateBound::Relative { .. }, DateBound::Relative { .. }) => {
                // Any day well inside chrono's range gives the same order.
                let day = NaiveDate::from_ymd_opt(2000, 3, 1).unwrap_or_default();
                min.resolve(day) > max.resolve(day)
            }
            _ => false,
        };
        if inverted {
            self.err(
                &format!("{p}.min"),
                E::MinGreaterThanMax,
                "min is after max",
            );
        }
    }

    fn choices(&mut self, f: &Field, p: &str) -> Vec<String> {
        if f.choices.is_empty() {
            self.err(
                &format!("{p}.choices"),
                E::NoChoices,
                format!("a {} field needs at least one choice", f.kind.as_str()),
            );
        }
        let mut seen = BTreeSet::new();
        for (k, ch) in f.choices.iter().enumerate() {
            let cp = format!("{p}.choices[{k}]");
            let v = &ch.value;
            if v.is_empty() || v != v.trim() || !is_nfc(v) || v.chars().any(char::is_control) {
                self.err(
                    &format!("{cp}.value"),
                    E::InvalidChoiceValue,
                    "must be non-empty, trimmed, NFC text without control characters",
                );
            } else if !seen.insert(v.as_str()) {
                self.err(
                    &format!("{cp}.value"),
                    E::DuplicateChoice,
                    format!("{v:?} is offered twice"),
                );
            }
            self.label(&format!("{cp}.label"), &ch.label);
        }
        f.choices.iter().map(|c| c.value.clone()).collect()
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
