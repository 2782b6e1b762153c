//! The period chooser of the monitoring pages: a quarter, a month or any range of days,
//! carried in the query string (`ky=q-2026-1`, `ky=m-2026-03`, or `tu=…&den=…`) so every
//! link and form works without JavaScript. The running quarter or month is counted to
//! today: a later end would judge open dossiers as of a day that has not come.

use crate::i18n::Lang;
use chrono::{Datelike, NaiveDate};
use motcua_app::periods::{month, quarter, quarter_of};
use motcua_index::compute::Period;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PeriodQuery {
    pub ky: Option<String>,
    pub tu: Option<String>,
    pub den: Option<String>,
}

/// One entry of the chooser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The chosen period and how to show and repeat the choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    pub period: Period,
    /// `q-YYYY-N`, `m-YYYY-MM` or `tuy-chon`.
    pub value: String,
    pub label: String,
    /// The query string that repeats the choice (no leading `?`).
    pub query: String,
}

/// A running period is counted to today, and says so.
fn running(lang: Lang, label: String, running: bool) -> String {
    if running {
        lang.f("monitor.period.running", label)
    } else {
        label
    }
}

fn quarter_label(lang: Lang, y: i32, q: u32, today: NaiveDate) -> String {
    let now = today.year() == y && quarter_of(today) == q;
    running(lang, lang.f2("monitor.period.quarter", q, y), now)
}

fn month_label(lang: Lang, y: i32, m: u32, today: NaiveDate) -> String {
    let now = today.year() == y && today.month() == m;
    // The month's name comes from chrono in English ("March 2026"); Vietnamese numbers it.
    let label = NaiveDate::from_ymd_opt(y, m, 1).map_or_else(
        || format!("{m}/{y}"),
        |d| d.format(lang.t("monitor.period.month")).to_string(),
    );
    running(lang, label, now)
}

/// Why a choice could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodError {
    /// A custom range without both of its dates.
    MissingDates,
    /// A custom range that ends before it starts.
    EndBeforeStart,
    /// A quarter or month that does not exist or has not started.
    Invalid,
}

impl PeriodError {
    pub fn message(self, lang: Lang) -> &'static str {
        match self {
            PeriodError::MissingDates => lang.t("monitor.period.missing_dates"),
            PeriodError::EndBeforeStart => lang.t("monitor.period.end_before_start"),
            PeriodError::Invalid => lang.t("monitor.period.invalid"),
        }
    }
}

/// Reads the choice; an unreadable one is an error for the page to explain.
pub fn choose(q: &PeriodQuery, today: NaiveDate, lang: Lang) -> Result<Chosen, PeriodError> {
    let ky = q.ky.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let tu = q.tu.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let den = q.den.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let custom = ky == Some("tuy-chon") || (ky.is_none() && (tu.is_some() || den.is_some()));
    if custom {
        let parse = |s: Option<&str>| s.and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
        let (Some(from), Some(to)) = (parse(tu), parse(den)) else {
            return Err(PeriodError::MissingDates);
        };
        let period = Period::new(from, to).map_err(|_| PeriodError::EndBeforeStart)?;
        return Ok(Chosen {
            period,
            value: "tuy-chon".into(),
            label: lang.f2(
                "monitor.period.range",
                from.format("%d/%m/%Y"),
                to.format("%d/%m/%Y"),
            ),
            query: format!("ky=tuy-chon&tu={from}&den={to}"),
        });
    }
    let value = ky.map_or_else(
        || format!("q-{}-{}", today.year(), quarter_of(today)),
        str::to_owned,
    );
    let bad = PeriodError::Invalid;
    let parts: Vec<&str> = value.split('-').collect();
    let (y, n) = match parts.as_slice() {
        [_, y, n] => (
            y.parse::<i32>().map_err(|_| bad)?,
            n.parse::<u32>().map_err(|_| bad)?,
        ),
        _ => return Err(bad),
    };
    let (period, label) = match parts[0] {
        "q" => (quarter(y, n, today), quarter_label(lang, y, n, today)),
        "m" => (month(y, n, today), month_label(lang, y, n, today)),
        _ => (None, String::new()),
    };
    let period = period.ok_or(bad)?;
    Ok(Chosen {
        period,
        query: format!("ky={value}"),
        value,
        label,
    })
}

/// The chooser's entries: the quarters of this year and the last, the last twelve months,
/// and a custom range. Periods that have not started are left out.
pub fn options(today: NaiveDate, selected: &str, lang: Lang) -> Vec<PeriodOption> {
    let mut out = Vec::new();
    let mut push = |value: String, label: String| {
        out.push(PeriodOption {
            selected: value == selected,
            value,
            label,
        })
    };
    for y in [today.year(), today.year() - 1] {
        for q in (1..=4).rev() {
            if y < today.year() || q <= quarter_of(today) {
                push(format!("q-{y}-{q}"), quarter_label(lang, y, q, today));
            }
        }
    }
    let (mut y, mut m) = (today.year(), today.month());
    for _ in 0..12 {
        push(format!("m-{y}-{m:02}"), month_label(lang, y, m, today));
        (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    }
    push("tuy-chon".into(), lang.t("monitor.period.custom").into());
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn ask(ky: Option<&str>, tu: Option<&str>, den: Option<&str>) -> Result<Chosen, PeriodError> {
        ask_in(Lang::Vi, ky, tu, den)
    }
    fn ask_in(
        lang: Lang,
        ky: Option<&str>,
        tu: Option<&str>,
        den: Option<&str>,
    ) -> Result<Chosen, PeriodError> {
        let q = PeriodQuery {
            ky: ky.map(Into::into),
            tu: tu.map(Into::into),
            den: den.map(Into::into),
        };
        choose(&q, d("2026-05-14"), lang)
    }

    #[test]
    fn defaults_to_the_running_quarter_to_today() {
        let c = ask(None, None, None).unwrap();
        assert_eq!(
            (c.period.from, c.period.to),
            (d("2026-04-01"), d("2026-05-14"))
        );
        assert_eq!(c.value, "q-2026-2");
        assert_eq!(c.label, "Quý 2/2026 (đến hôm nay)");
        assert_eq!(c.query, "ky=q-2026-2");
    }

    #[test]
    fn quarters_months_and_ranges() {
        let q = ask(Some("q-2025-4"), None, None).unwrap();
        assert_eq!(
            (q.period.from, q.period.to),
            (d("2025-10-01"), d("2025-12-31"))
        );
        let m = ask(Some("m-2024-02"), None, None).unwrap();
        assert_eq!(
            (m.period.from, m.period.to),
            (d("2024-02-01"), d("2024-02-29"))
        );
        assert_eq!(m.label, "Tháng 2/2024");
        let r = ask(None, Some("2026-01-05"), Some("2026-02-10")).unwrap();
        assert_eq!(
            (r.period.from, r.period.to),
            (d("2026-01-05"), d("2026-02-10"))
        );
        assert_eq!(r.query, "ky=tuy-chon&tu=2026-01-05&den=2026-02-10");
        let late = ask(Some("tuy-chon"), Some("2026-02-10"), Some("2026-01-05"));
        assert_eq!(late.unwrap_err(), PeriodError::EndBeforeStart);
        let half = ask(Some("tuy-chon"), Some("2026-02-10"), None);
        assert_eq!(half.unwrap_err(), PeriodError::MissingDates);
        assert_eq!(ask(Some("q-2026-5"), None, None), Err(PeriodError::Invalid));
        assert!(ask(Some("x"), None, None).is_err());
        // A quarter that has not started has no days.
        assert!(ask(Some("q-2026-4"), None, None).is_err());
    }

    #[test]
    fn labels_and_errors_in_english() {
        let q = ask_in(Lang::En, None, None, None).unwrap();
        assert_eq!(q.label, "Q2 2026 (to date)");
        let m = ask_in(Lang::En, Some("m-2024-02"), None, None).unwrap();
        assert_eq!(m.label, "February 2024");
        let r = ask_in(Lang::En, None, Some("2026-01-05"), Some("2026-02-10")).unwrap();
        assert_eq!(r.label, "From 05/01/2026 to 10/02/2026");
        assert_eq!(
            PeriodError::EndBeforeStart.message(Lang::En),
            "The end date must come after the start date."
        );
        assert_eq!(
            PeriodError::EndBeforeStart.message(Lang::Vi),
            "Ngày kết thúc phải sau ngày bắt đầu."
        );
        let o = options(d("2026-05-14"), "", Lang::En);
        assert_eq!(o[0].label, "Q2 2026 (to date)");
        assert!(o.iter().any(|x| x.label == "May 2026 (to date)"));
    }

    #[test]
    fn options_list_started_periods_and_mark_the_choice() {
        let o = options(d("2026-05-14"), "q-2026-1", Lang::Vi);
        assert_eq!(o[0].value, "q-2026-2");
        assert!(o.iter().all(|x| x.value != "q-2026-3"));
        assert_eq!(o.iter().filter(|x| x.selected).count(), 1);
        assert!(o.iter().any(|x| x.value == "m-2025-06"));
        assert_eq!(o.last().unwrap().value, "tuy-chon");
    }
}
