//! Names that the monitoring and administration pages show in the reader's language: unit
//! kinds, roles, warning kinds, the 766 index's rating bands and groups, and numbers.
//!
//! The Vietnamese names are the domain's and the index definition's own; the tests below
//! pin the catalogue to them, so a page in Vietnamese reads exactly as the API and the
//! index data do. The metrics' names are left as the definition writes them (Vietnamese
//! only): the pages mark them `lang="vi"` rather than translate data here.

use crate::i18n::{Lang, name};
use motcua_domain::access::Role;
use motcua_domain::unit::UnitKind;
use motcua_index::warnings::WarningKind;
use std::fmt;

/// A name as a page shows it, and whether it stayed Vietnamese inside an English page
/// (so the page marks it `lang="vi"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub text: String,
    pub vi: bool,
}

impl Label {
    /// Data written in Vietnamese (a unit's or a metric's name): as it is, marked on an
    /// English page.
    pub fn data(lang: Lang, text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            vi: lang.is_en(),
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

pub fn unit_kind(lang: Lang, k: UnitKind) -> &'static str {
    name(lang, "monitor.unit_kind", k.as_str(), k.label_vi())
}

pub fn role(lang: Lang, r: Role) -> &'static str {
    name(lang, "admin.role", r.as_str(), r.label_vi())
}

pub fn warning_kind(lang: Lang, k: WarningKind) -> &'static str {
    name(lang, "monitor.warning_kind", k.as_str(), k.label_vi())
}

/// The rating bands of the shipped definition, by their Vietnamese label.
const RATINGS: [(&str, &str); 5] = [
    ("Xuất sắc", "excellent"),
    ("Tốt", "good"),
    ("Khá", "fair"),
    ("Trung bình", "average"),
    ("Yếu", "weak"),
];

/// A rating band's name. A band this build does not know (a newer definition) keeps the
/// definition's Vietnamese label.
pub fn rating(lang: Lang, label_vi: &str) -> Label {
    let known = RATINGS
        .iter()
        .find(|(vi, _)| *vi == label_vi)
        .and_then(|(_, id)| lang.lookup(&format!("monitor.rating.{id}")));
    match (lang, known) {
        (Lang::En, Some(t)) => Label {
            text: t.to_owned(),
            vi: false,
        },
        _ => Label::data(lang, label_vi),
    }
}

/// A group of the 766 index by its key, or the definition's Vietnamese name for a group
/// the catalogue does not know.
pub fn group(lang: Lang, key: &str, name_vi: &str) -> Label {
    match (lang, lang.lookup(&format!("monitor.group.{key}"))) {
        (Lang::En, Some(t)) => Label {
            text: t.to_owned(),
            vi: false,
        },
        _ => Label::data(lang, name_vi),
    }
}

/// A number with two decimals: `78,12` in Vietnamese, `78.12` in English.
pub fn num2(lang: Lang, x: f64) -> String {
    let s = format!("{x:.2}");
    match lang {
        Lang::Vi => s.replace('.', ","),
        Lang::En => s,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn vietnamese_names_are_the_domains_and_english_ones_exist() {
        for k in UnitKind::ALL {
            assert_eq!(unit_kind(Lang::Vi, k), k.label_vi());
            let key = format!("monitor.unit_kind.{}", k.as_str());
            assert_eq!(Lang::Vi.lookup(&key), Some(k.label_vi()), "{key}");
            assert_ne!(unit_kind(Lang::En, k), k.label_vi(), "{key}");
        }
        for r in Role::ALL {
            let key = format!("admin.role.{}", r.as_str());
            assert_eq!(Lang::Vi.lookup(&key), Some(r.label_vi()), "{key}");
            assert_ne!(role(Lang::En, r), r.label_vi(), "{key}");
        }
        for k in WarningKind::ALL {
            let key = format!("monitor.warning_kind.{}", k.as_str());
            assert_eq!(Lang::Vi.lookup(&key), Some(k.label_vi()), "{key}");
            assert_ne!(warning_kind(Lang::En, k), k.label_vi(), "{key}");
        }
    }

    #[test]
    fn bands_and_groups_follow_the_shipped_definition() {
        let def = motcua_index::definition::Definition::default_766();
        assert_eq!(def.ratings.len(), RATINGS.len());
        for (band, (vi, id)) in def.ratings.iter().zip(RATINGS) {
            assert_eq!(band.label, vi);
            let key = format!("monitor.rating.{id}");
            assert_eq!(Lang::Vi.lookup(&key), Some(vi), "{key}");
            let en = rating(Lang::En, vi);
            assert!(!en.vi && en.text != vi, "{key}");
            assert_eq!(
                rating(Lang::Vi, vi),
                Label {
                    text: vi.into(),
                    vi: false
                }
            );
        }
        for g in &def.groups {
            let key = format!("monitor.group.{}", g.key);
            assert_eq!(Lang::Vi.lookup(&key), Some(g.name.as_str()), "{key}");
            let en = group(Lang::En, &g.key, &g.name);
            assert!(!en.vi && en.text != g.name, "{key}");
        }
        // Unknown ones stay Vietnamese, marked so on an English page.
        assert_eq!(
            rating(Lang::En, "Rất tốt"),
            Label {
                text: "Rất tốt".into(),
                vi: true
            }
        );
        assert!(group(Lang::En, "moi", "Nhóm mới").vi);
        assert!(!group(Lang::Vi, "moi", "Nhóm mới").vi);
    }

    #[test]
    fn numbers_use_each_languages_decimal_mark() {
        assert_eq!(num2(Lang::Vi, 78.5), "78,50");
        assert_eq!(num2(Lang::En, 15.5), "15.50");
    }
}
