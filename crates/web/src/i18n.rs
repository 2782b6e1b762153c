//! The reader's language and the message catalogues of the pages.
//!
//! Vietnamese is the language of this public service; English is the second language, for
//! a reader who chose it (the `lang` cookie set by `/ngon-ngu`). The catalogues are data,
//! one JSON object per language (`crates/web/i18n/*.json`, key → message, `{}` for the one
//! value a message may take), compiled into the binary. Names of the domain's enumerations
//! (statuses, levels, events) are keys too; the Vietnamese ones are pinned to the domain's
//! `label_vi` by the tests below, so the pages and the API cannot drift apart.

use axum::http::{HeaderMap, header};
use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

/// The cookie that holds an explicit choice of language.
pub const LANG_COOKIE: &str = "lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

const VI: &str = include_str!("../i18n/vi.json");
const EN: &str = include_str!("../i18n/en.json");

fn parse(name: &str, src: &str) -> HashMap<String, String> {
    // The unit tests parse both files, so an empty catalogue here means a broken build
    // slipped through; the pages then show keys rather than fail.
    serde_json::from_str(src).unwrap_or_else(|e| {
        tracing::error!(catalogue = name, error = %e, "message catalogue does not parse");
        HashMap::new()
    })
}

static CATALOGUES: LazyLock<[HashMap<String, String>; 2]> =
    LazyLock::new(|| [parse("vi", VI), parse("en", EN)]);

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Vi, Lang::En];

    /// The BCP 47 tag, for `lang`/`hreflang` and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        Self::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The language a switch offers: the one not in use.
    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }

    /// The language's name in itself, as a switch shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Vi => "Tiếng Việt",
            Lang::En => "English",
        }
    }

    pub fn is_en(self) -> bool {
        self == Lang::En
    }

    /// The message `key`; an English key that is missing falls back to Vietnamese.
    pub fn lookup(self, key: &str) -> Option<&'static str> {
        let [vi, en] = &*CATALOGUES;
        let found = match self {
            Lang::Vi => vi.get(key),
            Lang::En => en.get(key).or_else(|| vi.get(key)),
        };
        found.map(String::as_str)
    }

    /// The message `key`, or the key itself if neither catalogue has it (a test checks
    /// that every key the templates and handlers use is in both).
    pub fn t(self, key: &'static str) -> &'static str {
        self.lookup(key).unwrap_or_else(|| {
            tracing::warn!(key, lang = self.code(), "message missing");
            key
        })
    }

    /// The message `key` with its `{}` replaced by `value`.
    pub fn f(self, key: &'static str, value: impl fmt::Display) -> String {
        self.t(key).replacen("{}", &value.to_string(), 1)
    }

    /// The message `key` with its two `{}` replaced in order.
    pub fn f2(self, key: &'static str, a: impl fmt::Display, b: impl fmt::Display) -> String {
        self.t(key)
            .replacen("{}", &a.to_string(), 1)
            .replacen("{}", &b.to_string(), 1)
    }

    /// One of an error's two messages.
    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// The pages' language: Vietnamese unless the reader chose otherwise. The browser's
    /// `Accept-Language` is not asked: this is a Vietnamese public service, and a reader
    /// with an English browser still gets the official language first.
    pub fn of_reader(headers: &HeaderMap) -> Lang {
        crate::auth::cookie(headers, LANG_COOKIE)
            .and_then(|v| Lang::parse(&v))
            .unwrap_or_default()
    }

    /// The API's language: English when `Accept-Language` puts it first.
    pub fn of_client(headers: &HeaderMap) -> Lang {
        let english = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("en"));
        if english { Lang::En } else { Lang::Vi }
    }

    /// The cookie that records a choice, for a year.
    pub fn cookie(self, secure: bool) -> String {
        format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{}",
            self.code(),
            if secure { "; Secure" } else { "" }
        )
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The name of one of the domain's enumerations (`status`, `level`, `channel`,
/// `applicant`, `event`) in `lang`, or the domain's Vietnamese name if the catalogue lacks it.
pub fn name(lang: Lang, kind: &str, id: &str, vi: &'static str) -> &'static str {
    lang.lookup(&format!("{kind}.{id}")).unwrap_or(vi)
}

pub fn status(lang: Lang, s: motcua_domain::dossier::Status) -> &'static str {
    name(lang, "status", s.as_str(), s.label_vi())
}

pub fn event(lang: Lang, c: &motcua_domain::dossier::Change) -> &'static str {
    match c {
        // One kind of event, as many names as facts an outside system confirms.
        motcua_domain::dossier::Change::Confirmed { fact, .. } => {
            name(lang, "confirmed", fact.as_str(), fact.label_vi())
        }
        _ => name(lang, "event", c.kind(), crate::views::label(c)),
    }
}

pub fn level(lang: Lang, l: Option<motcua_domain::procedure::OnlineLevel>) -> &'static str {
    match l {
        Some(l) => name(lang, "level", l.as_str(), l.label_vi()),
        None => lang.t("level.unknown"),
    }
}

pub fn channel(lang: Lang, c: motcua_domain::procedure::Channel) -> &'static str {
    name(lang, "channel", channel_id(c), c.label_vi())
}

fn channel_id(c: motcua_domain::procedure::Channel) -> &'static str {
    use motcua_domain::procedure::Channel as C;
    match c {
        C::Direct => "direct",
        C::Online => "online",
        C::Postal => "postal",
    }
}

pub fn applicant(lang: Lang, a: motcua_domain::procedure::ApplicantKind) -> &'static str {
    name(lang, "applicant", applicant_id(a), a.label_vi())
}

fn applicant_id(a: motcua_domain::procedure::ApplicantKind) -> &'static str {
    use motcua_domain::procedure::ApplicantKind as A;
    match a {
        A::Citizen => "citizen",
        A::Business => "business",
        A::HouseholdBusiness => "household_business",
    }
}

/// A time limit as the reader reads it: "3 ngày làm việc", "0,5 working days".
pub fn time_limit(lang: Lang, t: &motcua_domain::procedure::TimeLimit) -> String {
    use motcua_domain::procedure::DurationUnit as U;
    let value = t.value_string();
    // English says "1 working day"; Vietnamese nouns do not change.
    let key = match (t.unit(), value == "1") {
        (U::Hours, false) => "time.hours",
        (U::Hours, true) => "time.hours_one",
        (U::WorkingDays, false) => "time.working_days",
        (U::WorkingDays, true) => "time.working_days_one",
        (U::Days, false) => "time.days",
        (U::Days, true) => "time.days_one",
        (U::Months, false) => "time.months",
        (U::Months, true) => "time.months_one",
    };
    // Vietnamese writes the decimal comma.
    let value = match lang {
        Lang::Vi => value.replace('.', ","),
        Lang::En => value,
    };
    lang.f(key, value)
}

/// An instant for people, at +07:00: "14:05 ngày 27/11/2026", "14:05 on 27/11/2026".
pub fn when(lang: Lang, t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&motcua_app::time::VIETNAM_OFFSET)
        .format(lang.t("time.at"))
        .to_string()
}

#[cfg(test)]
#[path = "i18n_tests.rs"]
mod tests;
