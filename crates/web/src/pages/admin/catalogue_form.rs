//! The public parts of a procedure as an HTML form and back: reading a version into
//! fields, reading a post into the same fields (so a refused form comes back as typed), and
//! applying them to the version the draft starts from. Only the shape of the input is
//! checked here; the record's rules are `Procedure::normalised`'s.

use crate::i18n::Lang;
use crate::pages::shared::forms_render::{ErrorLink, Posted};
use motcua_domain::UnitCode;
use motcua_domain::procedure::{
    ApplicantKind, Channel, Component, ComponentEntry, DurationUnit, Fee, OnlineLevel, Procedure,
    ProcedureError, TimeLimit,
};
use serde_json::Value;

/// Blank rows offered after the existing components and fees.
const SPARE_ROWS: usize = 2;

pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

pub struct ComponentRow {
    pub i: usize,
    pub name: String,
    pub required: bool,
    pub originals: String,
    pub copies: String,
    pub form: String,
}

pub struct FeeRow {
    pub i: usize,
    pub name: String,
    pub amount: String,
    pub note: String,
}

/// Every editable part, as text the way the form shows it.
pub struct DraftFields {
    pub name: String,
    pub field: String,
    pub authority: String,
    pub units: String,
    pub tl_value: String,
    pub tl_units: Vec<Choice>,
    pub time_note: String,
    pub levels: Vec<Choice>,
    pub eligible: Vec<Choice>,
    pub has_fee: Vec<Choice>,
    pub channels: Vec<Choice>,
    pub applicants: Vec<Choice>,
    pub steps: String,
    pub components: Vec<ComponentRow>,
    pub fees: Vec<FeeRow>,
    pub result: String,
    pub legal_basis: String,
}

/// Each choice's value and the catalogue key of its label (a test checks the keys).
const TL_UNITS: [(&str, &str); 4] = [
    ("working_days", "admin.edit.unit.working_days"),
    ("days", "admin.edit.unit.days"),
    ("hours", "admin.edit.unit.hours"),
    ("months", "admin.edit.unit.months"),
];
const LEVELS: [(&str, &str); 4] = [
    ("", "admin.edit.unknown"),
    ("none", "admin.edit.level.none"),
    ("partial", "admin.edit.level.partial"),
    ("full", "admin.edit.level.full"),
];
const YES_NO: [(&str, &str); 3] = [
    ("", "admin.edit.unknown"),
    ("yes", "admin.edit.yes"),
    ("no", "admin.edit.no"),
];
const CHANNELS: [(&str, &str); 3] = [
    ("direct", "admin.edit.channel.direct"),
    ("online", "admin.edit.channel.online"),
    ("postal", "admin.edit.channel.postal"),
];
const APPLICANTS: [(&str, &str); 3] = [
    ("citizen", "admin.edit.applicant.citizen"),
    ("business", "admin.edit.applicant.business"),
    (
        "household_business",
        "admin.edit.applicant.household_business",
    ),
];

fn choices(lang: Lang, all: &[(&'static str, &'static str)], chosen: &[&str]) -> Vec<Choice> {
    all.iter()
        .map(|(value, key)| Choice {
            value,
            label: lang.t(key),
            checked: chosen.contains(value),
        })
        .collect()
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    }
}

fn snake<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

fn from_snake<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(Value::String(s.to_owned())).ok()
}

fn lines(v: &[String]) -> String {
    v.join("\n")
}

impl DraftFields {
    pub fn of(lang: Lang, p: &Procedure) -> Self {
        let channels: Vec<String> = p.channels.iter().map(snake).collect();
        let applicants: Vec<String> = p.applicant_kinds.iter().map(snake).collect();
        let mut components: Vec<ComponentRow> = p
            .components
            .iter()
            .map(ComponentEntry::component)
            .enumerate()
            .map(|(i, c)| ComponentRow {
                i,
                name: c.name,
                required: c.required,
                originals: c.originals.to_string(),
                copies: c.copies.to_string(),
                form: c.form.unwrap_or_default(),
            })
            .collect();
        spare_components(&mut components);
        let mut fees: Vec<FeeRow> = p
            .fees
            .iter()
            .enumerate()
            .map(|(i, f)| FeeRow {
                i,
                name: f.name.clone(),
                amount: f.amount_vnd.map(|a| a.to_string()).unwrap_or_default(),
                note: f.note.clone().unwrap_or_default(),
            })
            .collect();
        spare_fees(&mut fees);
        Self {
            name: p.name.clone(),
            field: p.field.clone().unwrap_or_default(),
            authority: p.authority.clone().unwrap_or_default(),
            units: p
                .units
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
            tl_value: p
                .time_limit
                .map(|t| t.value_string().replace('.', ","))
                .unwrap_or_default(),
            tl_units: choices(
                lang,
                &TL_UNITS,
                &[p.time_limit.map_or("working_days", |t| t.unit().as_str())],
            ),
            time_note: p.time_note.clone().unwrap_or_default(),
            levels: choices(
                lang,
                &LEVELS,
                &[p.online_level.map_or("", OnlineLevel::as_str)],
            ),
            eligible: choices(lang, &YES_NO, &[yes_no(p.full_online_eligible)]),
            has_fee: choices(lang, &YES_NO, &[yes_no(p.has_fee)]),
            channels: choices(
                lang,
                &CHANNELS,
                &channels.iter().map(String::as_str).collect::<Vec<_>>(),
            ),
            applicants: choices(
                lang,
                &APPLICANTS,
                &applicants.iter().map(String::as_str).collect::<Vec<_>>(),
            ),
            steps: lines(&p.steps),
            components,
            fees,
            result: p.result.clone().unwrap_or_default(),
            legal_basis: lines(&p.legal_basis),
        }
    }

    /// The fields as posted, to show again when the draft is refused.
    pub fn posted(lang: Lang, p: &Posted) -> Self {
        let text = |n: &str| p.get(n).unwrap_or_default().to_owned();
        let one = |n: &str| p.get(n).unwrap_or_default();
        let mut components = Vec::new();
        let mut fees = Vec::new();
        for i in 0..rows_posted(p, "comp") {
            components.push(ComponentRow {
                i,
                name: text(&format!("comp[{i}].name")),
                required: p.get(&format!("comp[{i}].required")).is_some(),
                originals: text(&format!("comp[{i}].originals")),
                copies: text(&format!("comp[{i}].copies")),
                form: text(&format!("comp[{i}].form")),
            });
        }
        for i in 0..rows_posted(p, "fee") {
            fees.push(FeeRow {
                i,
                name: text(&format!("fee[{i}].name")),
                amount: text(&format!("fee[{i}].amount")),
                note: text(&format!("fee[{i}].note")),
            });
        }
        spare_components(&mut components);
        spare_fees(&mut fees);
        Self {
            name: text("name"),
            field: text("field"),
            authority: text("authority"),
            units: text("units"),
            tl_value: text("tl_value"),
            tl_units: choices(lang, &TL_UNITS, &[one("tl_unit")]),
            time_note: text("time_note"),
            levels: choices(lang, &LEVELS, &[one("online_level")]),
            eligible: choices(lang, &YES_NO, &[one("full_online_eligible")]),
            has_fee: choices(lang, &YES_NO, &[one("has_fee")]),
            channels: choices(lang, &CHANNELS, &p.all("channels")),
            applicants: choices(lang, &APPLICANTS, &p.all("applicant_kinds")),
            steps: text("steps"),
            components,
            fees,
            result: text("result"),
            legal_basis: text("legal_basis"),
        }
    }

    fn chosen(c: &[Choice]) -> Option<&'static str> {
        c.iter().find(|c| c.checked).map(|c| c.value)
    }

    /// `base` with these fields applied, or every input problem, each tied to its input.
    pub fn apply(&self, lang: Lang, mut base: Procedure) -> Result<Procedure, Vec<ErrorLink>> {
        let mut errors = Vec::new();
        let mut err = |id: &str, m: String| {
            errors.push(ErrorLink {
                id: id.to_owned(),
                message: m,
            })
        };
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        base.name = self.name.trim().to_owned();
        base.field = opt(&self.field);
        base.authority = opt(&self.authority);
        base.time_note = opt(&self.time_note);
        base.result = opt(&self.result);
        base.steps = text_lines(&self.steps);
        base.legal_basis = text_lines(&self.legal_basis);
        base.units.clear();
        for line in text_lines(&self.units) {
            match UnitCode::parse(&line) {
                Ok(u) => base.units.push(u),
                Err(_) => err("f-units", lang.f("admin.edit.bad_unit_code", &line)),
            }
        }
        base.time_limit = None;
        let value = self.tl_value.trim().replace(',', ".");
        if !value.is_empty() {
            let unit = Self::chosen(&self.tl_units)
                .and_then(|u| u.parse::<DurationUnit>().ok())
                .unwrap_or(DurationUnit::WorkingDays);
            match TimeLimit::parse(&value, unit) {
                Ok(t) => base.time_limit = Some(t),
                Err(_) => err("f-tl_value", lang.t("admin.edit.bad_time_limit").into()),
            }
        }
        base.online_level = Self::chosen(&self.levels).and_then(OnlineLevel::parse);
        let flag = |c: &[Choice]| match Self::chosen(c) {
            Some("yes") => Some(true),
            Some("no") => Some(false),
            _ => None,
        };
        base.full_online_eligible = flag(&self.eligible);
        base.has_fee = flag(&self.has_fee);
        base.channels = self
            .channels
            .iter()
            .filter(|c| c.checked)
            .filter_map(|c| from_snake::<Channel>(c.value))
            .collect();
        base.applicant_kinds = self
            .applicants
            .iter()
            .filter(|c| c.checked)
            .filter_map(|c| from_snake::<ApplicantKind>(c.value))
            .collect();
        base.components.clear();
        for c in self.components.iter().filter(|c| !c.name.trim().is_empty()) {
            let count = |s: &str, what: &str, err: &mut dyn FnMut(&str, String)| {
                let s = s.trim();
                if s.is_empty() {
                    return 0;
                }
                s.parse::<u32>().unwrap_or_else(|_| {
                    err(
                        &format!("f-comp-{}-{what}", c.i),
                        lang.f("admin.edit.bad_copies", c.name.trim()),
                    );
                    0
                })
            };
            let originals = count(&c.originals, "originals", &mut err);
            let copies = count(&c.copies, "copies", &mut err);
            base.components.push(ComponentEntry::Full(Component {
                name: c.name.trim().to_owned(),
                required: c.required,
                originals,
                copies,
                form: opt(&c.form),
            }));
        }
        base.fees.clear();
        for f in self.fees.iter().filter(|f| !f.name.trim().is_empty()) {
            let amount = match money_vnd(&f.amount) {
                Ok(a) => a,
                Err(()) => {
                    err(
                        &format!("f-fee-{}-amount", f.i),
                        lang.f("admin.edit.bad_fee", f.name.trim()),
                    );
                    None
                }
            };
            base.fees.push(Fee {
                name: f.name.trim().to_owned(),
                amount_vnd: amount,
                note: opt(&f.note),
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        base.normalised().map_err(|e| {
            let (id, m) = procedure_error(lang, &e);
            vec![ErrorLink {
                id: id.to_owned(),
                message: m,
            }]
        })
    }
}

/// The input and the reader's message for a rule the record broke.
fn procedure_error(lang: Lang, e: &ProcedureError) -> (&'static str, String) {
    match e {
        ProcedureError::EmptyName => ("f-name", lang.t("admin.edit.no_name").into()),
        ProcedureError::NoUnits => ("f-units", lang.t("admin.edit.no_units").into()),
        ProcedureError::DuplicateUnit(u) => ("f-units", lang.f("admin.edit.duplicate_unit", u)),
        ProcedureError::FullButNotEligible => (
            "f-online_level",
            lang.t("admin.edit.full_not_eligible").into(),
        ),
        ProcedureError::PublishedBeforeDecision => (
            "f-name",
            lang.t("admin.edit.published_before_decision").into(),
        ),
    }
}

/// An amount in đồng: digits, optionally grouped with dots or spaces; blank is "not set".
fn money_vnd(s: &str) -> Result<Option<u64>, ()> {
    let digits: String = s.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
    if digits.is_empty() {
        return Ok(None);
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(());
    }
    digits.parse().map(Some).map_err(|_| ())
}

fn text_lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// How many rows named `prefix[i].…` were posted (highest index + 1).
fn rows_posted(p: &Posted, prefix: &str) -> usize {
    let open = format!("{prefix}[");
    p.0.iter()
        .filter_map(|(k, _)| k.strip_prefix(&open))
        .filter_map(|r| r.split_once(']'))
        .filter_map(|(n, _)| n.parse::<usize>().ok())
        .map(|n| n + 1)
        .max()
        .unwrap_or(0)
        .min(500)
}

fn spare_components(rows: &mut Vec<ComponentRow>) {
    rows.retain(|r| !r.name.trim().is_empty());
    for (i, r) in rows.iter_mut().enumerate() {
        r.i = i;
    }
    for _ in 0..SPARE_ROWS {
        rows.push(ComponentRow {
            i: rows.len(),
            name: String::new(),
            required: true,
            originals: "1".into(),
            copies: "0".into(),
            form: String::new(),
        });
    }
}

fn spare_fees(rows: &mut Vec<FeeRow>) {
    rows.retain(|r| !r.name.trim().is_empty());
    for (i, r) in rows.iter_mut().enumerate() {
        r.i = i;
    }
    for _ in 0..SPARE_ROWS {
        rows.push(FeeRow {
            i: rows.len(),
            name: String::new(),
            amount: String::new(),
            note: String::new(),
        });
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn base() -> Procedure {
        serde_json::from_str(r#"{"code":"1.001193","name":"Đăng ký khai sinh","units":["000.01.99.H57"],"source":"x"}"#).unwrap()
    }

    fn post(pairs: &[(&str, &str)]) -> Posted {
        Posted(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn a_post_becomes_the_record_and_keeps_unknown_fields() {
        let p = post(&[
            ("name", " Đăng ký khai sinh mới "),
            ("units", "000.01.99.H57\n\n000.02.99.H57"),
            ("tl_value", "0,5"),
            ("tl_unit", "working_days"),
            ("channels", "online"),
            ("channels", "postal"),
            ("fee[0].name", "Lệ phí"),
            ("fee[0].amount", "1.500.000"),
            ("fee[1].name", ""),
            ("comp[0].name", "Tờ khai"),
            ("comp[0].required", "on"),
            ("comp[0].originals", "1"),
        ]);
        let Ok(r) = DraftFields::posted(Lang::Vi, &p).apply(Lang::Vi, base()) else {
            panic!("refused");
        };
        assert_eq!(r.name, "Đăng ký khai sinh mới");
        assert_eq!(r.units.len(), 2);
        assert_eq!(r.time_limit.unwrap().value_string(), "0.5");
        assert_eq!(r.channels, vec![Channel::Online, Channel::Postal]);
        assert_eq!(r.fees[0].amount_vnd, Some(1_500_000));
        assert_eq!(r.fees.len(), 1);
        assert_eq!(r.components[0].component().originals, 1);
        assert_eq!(r.extra.get("source").unwrap(), "x");
        // The record read back into the form shows the same values, plus spare rows.
        let f = DraftFields::of(Lang::Vi, &r);
        assert_eq!(f.tl_value, "0,5");
        assert_eq!(f.fees.len(), 1 + SPARE_ROWS);
        assert!(f.channels.iter().any(|c| c.value == "postal" && c.checked));
    }

    #[test]
    fn input_problems_name_their_input() {
        let p = post(&[
            ("name", "A"),
            ("units", "khong-phai-ma"),
            ("tl_value", "2,5"),
            ("tl_unit", "days"),
            ("fee[0].name", "Phí"),
            ("fee[0].amount", "50k"),
        ]);
        let errors = DraftFields::posted(Lang::Vi, &p)
            .apply(Lang::Vi, base())
            .unwrap_err();
        let ids: Vec<&str> = errors.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["f-units", "f-tl_value", "f-fee-0-amount"]);
        assert_eq!(
            errors[0].message,
            "Mã đơn vị “khong-phai-ma” không đúng dạng 000.00.31.H57."
        );
        let errors = DraftFields::posted(Lang::En, &p)
            .apply(Lang::En, base())
            .unwrap_err();
        assert_eq!(
            errors[0].message,
            "The unit code “khong-phai-ma” is not of the form 000.00.31.H57."
        );
        let p = post(&[("name", "  "), ("units", "000.01.99.H57")]);
        let errors = DraftFields::posted(Lang::Vi, &p)
            .apply(Lang::Vi, base())
            .unwrap_err();
        assert_eq!(errors[0].id, "f-name");
        assert_eq!(errors[0].message, "Hãy nhập tên thủ tục.");
    }

    #[test]
    fn every_choice_is_named_in_both_languages() {
        for (_, key) in TL_UNITS
            .iter()
            .chain(&LEVELS)
            .chain(&YES_NO)
            .chain(&CHANNELS)
            .chain(&APPLICANTS)
        {
            for lang in Lang::ALL {
                assert!(lang.lookup(key).is_some(), "{key} missing in {lang}");
            }
            assert_ne!(Lang::Vi.t(key), Lang::En.t(key), "{key}");
        }
        let f = DraftFields::of(Lang::En, &base());
        assert!(f.channels.iter().any(|c| c.label == "In person"));
    }
}
