//! Server-side validation of submitted data against a checked form.
//!
//! The browser may check too, but only this decides. Every problem is reported at once, in
//! the order of the form, so a citizen fixes everything in one go. Fields are decided top to
//! bottom; a condition sees the already normalised values above it, so a field hidden by an
//! earlier answer is dropped before anything below looks at it.

use super::CheckedForm;
use super::compiled::{Kind, Node, Scope};
use super::errors::{Ask, FieldError, Problem};
use super::values;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Data that passed validation, in its one normal form: only visible, filled fields; text in
/// NFC, trimmed; numbers as integers; dates `YYYY-MM-DD`; codes canonical; keys sorted.
/// Validating it again gives it back unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct NormalisedData(Value);

impl NormalisedData {
    pub fn as_value(&self) -> &Value {
        &self.0
    }
    pub fn into_value(self) -> Value {
        self.0
    }
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }
    /// Compact JSON; the same data always gives the same bytes.
    pub fn to_json(&self) -> String {
        self.0.to_string()
    }
}

/// Position in the form, for ordering errors: fields by their place in the definition,
/// keys the form does not know after them (by name), items by index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum At {
    Field(usize),
    Unknown(String),
    Item(usize),
}

struct Collected {
    at: Vec<At>,
    error: FieldError,
}

struct Walk {
    today: NaiveDate,
    errors: Vec<Collected>,
}

/// Where a list of fields sits: its path prefix and sort position, and the wording that
/// tells the citizen which item of which group a message is about.
struct Place<'a> {
    prefix: &'a str,
    at: &'a [At],
    context: Option<&'a str>,
}

impl Place<'_> {
    fn path(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.prefix)
        }
    }
    fn at(&self, last: At) -> Vec<At> {
        let mut v = self.at.to_vec();
        v.push(last);
        v
    }
    fn label(&self, label: &str) -> String {
        match self.context {
            Some(c) => format!("{label} ({c})"),
            None => label.to_owned(),
        }
    }
}

impl CheckedForm {
    /// Checks `data` (a JSON object keyed by field name) on the day `today`.
    pub fn validate(
        &self,
        data: &Value,
        today: NaiveDate,
    ) -> Result<NormalisedData, Vec<FieldError>> {
        let Value::Object(obj) = data else {
            return Err(vec![FieldError {
                field: String::new(),
                code: Problem::NotAnObject.code(),
                message_vi: Problem::NotAnObject.message_vi(&self.definition.title),
                message_en: Problem::NotAnObject.message_en(&self.definition.title),
            }]);
        };
        let mut w = Walk {
            today,
            errors: Vec::new(),
        };
        let root = Place {
            prefix: "",
            at: &[],
            context: None,
        };
        let out = w.fields(&self.nodes, obj, &root, None);
        if w.errors.is_empty() {
            return Ok(NormalisedData(to_object(out)));
        }
        w.errors
            .sort_by(|a, b| (&a.at, a.error.code).cmp(&(&b.at, b.error.code)));
        Err(w.errors.into_iter().map(|c| c.error).collect())
    }
}

/// Keys are inserted sorted, so the output is the same whether or not serde_json keeps
/// insertion order (its `preserve_order` feature is workspace-wide once any crate enables it).
fn to_object(m: BTreeMap<String, Value>) -> Value {
    Value::Object(m.into_iter().collect::<Map<String, Value>>())
}

fn ask(kind: &Kind) -> Ask {
    match kind {
        Kind::Choice { .. } | Kind::MultiChoice { .. } => Ask::Choose,
        Kind::Checkbox => Ask::Tick,
        _ => Ask::Enter,
    }
}

impl Walk {
    fn problem(&mut self, at: Vec<At>, field: String, label: &str, p: Problem) {
        self.errors.push(Collected {
            at,
            error: FieldError {
                field,
                code: p.code(),
                message_vi: p.message_vi(label),
                message_en: p.message_en(label),
            },
        });
    }

    fn fields(
        &mut self,
        nodes: &[Node],
        obj: &Map<String, Value>,
        place: &Place<'_>,
        outer: Option<&Scope<'_>>,
    ) -> BTreeMap<String, Value> {
        let mut out = BTreeMap::new();
        for (i, node) in nodes.iter().enumerate() {
            let value = {
                let scope = Scope {
                    values: &out,
                    outer,
                };
                let visible = node.visible_if.as_ref().is_none_or(|c| c.eval(&scope));
                if !visible {
                    continue;
                }
                let required =
                    node.required || node.required_if.as_ref().is_some_and(|c| c.eval(&scope));
                self.field(node, obj.get(&node.name), required, place, i, &scope)
            };
            if let Some(v) = value {
                out.insert(node.name.clone(), v);
            }
        }
        let mut unknown: Vec<&String> = obj
            .keys()
            .filter(|k| !nodes.iter().any(|n| &n.name == *k))
            .collect();
        unknown.sort();
        for key in unknown {
            self.problem(
                place.at(At::Unknown(key.clone())),
                place.path(key),
                "",
                Problem::UnknownField(key.clone()),
            );
        }
        out
    }

    fn field(
        &mut self,
        node: &Node,
        raw: Option<&Value>,
        required: bool,
        place: &Place<'_>,
        index: usize,
        scope: &Scope<'_>,
    ) -> Option<Value> {
        let at = place.at(At::Field(index));
        let path = place.path(&node.name);
        let label = place.label(&node.label);
        if let Kind::Checkbox = node.kind {
            // An unticked box is not sent by a browser at all: absent means false.
            let ticked = match raw.filter(|v| !values::is_empty_input(Some(v))) {
                None => false,
                Some(v) => match values::checkbox(v) {
                    Ok(b) => b,
                    Err(p) => {
                        self.problem(at, path, &label, p);
                        return None;
                    }
                },
            };
            if required && !ticked {
                self.problem(at, path, &label, Problem::Required(Ask::Tick));
            }
            return Some(Value::Bool(ticked));
        }
        let Some(raw) = raw.filter(|v| !values::is_empty_input(Some(v))) else {
            if required {
                self.problem(at, path, &label, Problem::Required(ask(&node.kind)));
            }
            return None;
        };
        let result = match &node.kind {
            Kind::Group {
                fields,
                min_items,
                max_items,
            } => {
                let items = GroupItems {
                    fields,
                    min_items: *min_items,
                    max_items: *max_items,
                    label: &node.label,
                };
                return self.group(&items, raw, &path, at, &label, scope);
            }
            kind => self.scalar(kind, raw),
        };
        match result {
            Ok(v) => Some(v),
            Err(p) => {
                self.problem(at, path, &label, p);
                None
            }
        }
    }

    fn scalar(&self, kind: &Kind, raw: &Value) -> Result<Value, Problem> {
        Ok(match kind {
            Kind::Text(rule) => values::text(raw, rule)?.into(),
            Kind::Number { min, max, money } => values::integer(raw, *min, *max, *money)?.into(),
            Kind::Date { min, max } => {
                let d = values::date(raw)?;
                // Every date on a declaration is in living memory: a year 0 or 1066 is a
                // typing mistake or a probe, whatever bounds the form itself sets.
                let floor = values::EARLIEST_DATE;
                let lo = min
                    .and_then(|b| b.resolve(self.today))
                    .map_or(floor, |lo| lo.max(floor));
                if d < lo {
                    return Err(Problem::DateTooEarly(lo));
                }
                if let Some(b) = max
                    && let Some(hi) = b.resolve(self.today)
                    && d > hi
                {
                    return Err(if b.is_today() {
                        Problem::DateInFuture
                    } else {
                        Problem::DateTooLate(hi)
                    });
                }
                d.format("%Y-%m-%d").to_string().into()
            }
            Kind::Choice { values: vs } => values::choice(raw, vs)?.into(),
            Kind::MultiChoice {
                values: vs,
                min_items,
                max_items,
            } => {
                let chosen = values::multi_choice(raw, vs)?;
                let n = chosen.len();
                if let Some(m) = *min_items
                    && n < m as usize
                {
                    return Err(Problem::TooFewItems(m));
                }
                if let Some(m) = *max_items
                    && n > m as usize
                {
                    return Err(Problem::TooManyItems(m));
                }
                chosen.into()
            }
            Kind::Cccd => values::cccd(raw)?.into(),
            Kind::Phone => values::phone_value(raw)?.into(),
            Kind::Email => values::email_value(raw)?.into(),
            Kind::UnitCode => values::unit_code(raw)?.into(),
            // Both are handled by the caller before it gets here.
            Kind::Checkbox | Kind::Group { .. } => return Err(Problem::WrongType),
        })
    }

    fn group(
        &mut self,
        g: &GroupItems<'_>,
        raw: &Value,
        path: &str,
        at: Vec<At>,
        label: &str,
        scope: &Scope<'_>,
    ) -> Option<Value> {
        let Value::Array(items) = raw else {
            self.problem(at, path.to_owned(), label, Problem::WrongType);
            return None;
        };
        if items.len() > g.max_items as usize {
            // Items beyond the limit are not examined: the list is refused as a whole and
            // a huge list should cost nothing more.
            self.problem(
                at,
                path.to_owned(),
                label,
                Problem::TooManyItems(g.max_items),
            );
            return None;
        }
        if let Some(m) = g.min_items
            && items.len() < m as usize
        {
            self.problem(at.clone(), path.to_owned(), label, Problem::TooFewItems(m));
        }
        let mut out = Vec::with_capacity(items.len());
        for (k, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{k}]");
            let mut item_at = at.clone();
            item_at.push(At::Item(k));
            let context = format!("{}, mục {}", g.label, k + 1);
            let Value::Object(obj) = item else {
                self.problem(item_at, item_path, &context, Problem::NotAnObject);
                continue;
            };
            let place = Place {
                prefix: &item_path,
                at: &item_at,
                context: Some(&context),
            };
            out.push(to_object(self.fields(g.fields, obj, &place, Some(scope))));
        }
        Some(Value::Array(out))
    }
}

struct GroupItems<'a> {
    fields: &'a [Node],
    min_items: Option<u32>,
    max_items: u32,
    label: &'a str,
}
