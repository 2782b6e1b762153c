//! Checking the kind-specific properties of one field: which properties the kind takes,
//! bounds, patterns and choices; compiling them into the rule validation uses.

use super::check::{Checker, is_nfc};
use super::compiled::{
    DEFAULT_GROUP_MAX_ITEMS, DEFAULT_TEXT_MAX, DEFAULT_TEXTAREA_MAX, DateBound, Kind, TextRule,
};
use super::conditions::{Level, Links};
use super::definition::{Bound, Field, FieldKind};
use super::errors::DefinitionErrorCode as E;
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// Patterns are written by officers, not attackers, but a runaway one would still be
/// compiled for every submission; this keeps each well under a megabyte.
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

impl Checker {
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

    pub(crate) fn kind(
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
}
