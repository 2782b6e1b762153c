//! The Vietnamese lunar calendar (âm lịch) for 1900–2100.
//!
//! Vietnam computes new moons and solar terms for the meridian of UTC+7, China for
//! UTC+8; the two calendars therefore disagree on the first day of some months, and
//! on Tết in some years (1985, 2007, 2030). The astronomy is `calendrical_calculations`
//! (Reingold & Dershowitz); only the offset is ours.
//!
//! North Vietnamese almanacs before 1968 were still computed for UTC+8. The
//! spec asks for UTC+7 over the whole range, so dates before 1968 may differ
//! from printed almanacs of the time; nothing in this system deals with them.
//!
//! The month structure of every lunar year in range is computed once per process
//! (about 200 years; see [`table`]) because the astronomy costs tens of
//! microseconds per year and the calendar asks for the same years again and again.

use std::sync::OnceLock;

use calendrical_calculations::chinese_based::{self, ChineseBased, YearBounds};
use calendrical_calculations::gregorian::fixed_from_gregorian;
use calendrical_calculations::rata_die::RataDie;
use chrono::{Datelike, NaiveDate};

use crate::{FIRST_YEAR, LAST_YEAR};

/// `ChineseBased` rules with the new moon observed at UTC+7 (Hanoi meridian).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Vietnam;

impl ChineseBased for Vietnam {
    fn utc_offset(_: RataDie) -> f64 {
        7.0 / 24.0
    }
    // Same epoch as the Chinese calendar: only the year numbering depends on it,
    // and we never expose that numbering.
    const EPOCH: RataDie = fixed_from_gregorian(-2636, 2, 15);
    const DEBUG_NAME: &'static str = "vietnam";
}

/// A date of the lunar calendar.
///
/// `year` is the Gregorian year in which this lunar year begins (its Tết), so
/// 2025-01-28 (29 tháng Chạp Giáp Thìn) has `year` 2024.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LunarDate {
    /// Gregorian year of this lunar year's first day.
    pub year: i32,
    /// Month number 1..=12 (a leap month repeats the number of the month before it).
    pub month: u8,
    /// Whether this is the leap (nhuận) month.
    pub leap: bool,
    /// Day of the month, 1..=30.
    pub day: u8,
}

impl LunarDate {
    /// The Vietnamese way of naming the day, e.g. "mùng 1 tháng Giêng", "29 tháng Chạp".
    pub fn label(&self) -> String {
        let day = if self.day <= 10 {
            format!("mùng {}", self.day)
        } else {
            self.day.to_string()
        };
        let month = match self.month {
            1 => "Giêng".to_string(),
            11 => "Một".to_string(),
            12 => "Chạp".to_string(),
            m => m.to_string(),
        };
        let leap = if self.leap { " nhuận" } else { "" };
        format!("{day} tháng {month}{leap}")
    }
}

/// One lunar year's shape.
#[derive(Debug, Clone, Copy)]
struct LunarYear {
    /// Day number (days from CE, as chrono counts) of the first day.
    new_year: i32,
    /// Lengths of the months in order (12 or 13 used).
    month_len: [u8; 13],
    /// Number of months, 12 or 13.
    months: u8,
    /// 1-based position of the leap month in `month_len`, if any.
    leap_ordinal: Option<u8>,
}

/// First lunar year kept: the one containing 1900-01-01 began in 1899.
const TABLE_FIRST: i32 = FIRST_YEAR - 1;

/// Lunar years beginning in TABLE_FIRST..=LAST_YEAR.
fn table() -> &'static [LunarYear] {
    static TABLE: OnceLock<Vec<LunarYear>> = OnceLock::new();
    TABLE.get_or_init(|| (TABLE_FIRST..=LAST_YEAR).map(compute_year).collect())
}

fn compute_year(gregorian_year: i32) -> LunarYear {
    // Mid-year is always after that year's Tết (Tết falls 21/1–20/2).
    let bounds = YearBounds::compute::<Vietnam>(fixed_from_gregorian(gregorian_year, 7, 1));
    let (long_months, leap) =
        chinese_based::month_structure_for_year::<Vietnam>(bounds.new_year, bounds.next_new_year);
    let months: u8 = if bounds.is_leap() { 13 } else { 12 };
    let mut month_len = [0u8; 13];
    for (len, long) in month_len.iter_mut().zip(long_months) {
        *len = if long { 30 } else { 29 };
    }
    LunarYear {
        // RataDie and chrono's num_days_from_ce share day 1 = 0001-01-01; the value for
        // 1899–2100 is far inside i32.
        new_year: bounds.new_year.to_i64_date() as i32,
        month_len,
        months,
        leap_ordinal: if months == 13 { leap } else { None },
    }
}

fn year_entry(gregorian_year: i32) -> Option<&'static LunarYear> {
    let idx = usize::try_from(gregorian_year - TABLE_FIRST).ok()?;
    table().get(idx)
}

/// Tết Nguyên đán (mùng 1 tháng Giêng) of a Gregorian year in 1900..=2100.
pub fn tet(year: i32) -> Option<NaiveDate> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return None;
    }
    NaiveDate::from_num_days_from_ce_opt(year_entry(year)?.new_year)
}

/// The solar date of a lunar date; `year` is the Gregorian year in which that lunar
/// year begins. `None` when the date does not exist (day 30 of a short month, a leap
/// month the year does not have) or is outside the table.
pub fn to_solar(year: i32, month: u8, day: u8, leap: bool) -> Option<NaiveDate> {
    let ly = year_entry(year)?;
    if !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    // Position of the wanted month in the year: a leap month sits right after the
    // month whose number it repeats, pushing every later month one place on.
    let ordinal = match (ly.leap_ordinal, leap) {
        (Some(l), true) if l == month + 1 => l,
        (_, true) => return None,
        (Some(l), false) if month >= l => month + 1,
        _ => month,
    };
    let idx = usize::from(ordinal - 1);
    let len = *ly.month_len.get(idx)?;
    if day > len {
        return None;
    }
    let before: i32 = ly.month_len.iter().take(idx).map(|&l| i32::from(l)).sum();
    NaiveDate::from_num_days_from_ce_opt(ly.new_year + before + i32::from(day) - 1)
}

/// The lunar date of a solar date in 1900-01-01..=2100-12-31.
pub fn from_solar(date: NaiveDate) -> Option<LunarDate> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        return None;
    }
    let dn = date.num_days_from_ce();
    let mut year = date.year();
    let mut ly = year_entry(year)?;
    if dn < ly.new_year {
        year -= 1;
        ly = year_entry(year)?;
    }
    let mut offset = dn - ly.new_year;
    for ordinal in 1..=ly.months {
        let len = i32::from(ly.month_len[usize::from(ordinal - 1)]);
        if offset < len {
            let (month, leap) = match ly.leap_ordinal {
                Some(l) if ordinal == l => (ordinal - 1, true),
                Some(l) if ordinal > l => (ordinal - 1, false),
                _ => (ordinal, false),
            };
            return Some(LunarDate {
                year,
                month,
                leap,
                // offset < 30 here.
                day: (offset + 1) as u8,
            });
        }
        offset -= len;
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use calendrical_calculations::chinese_based::Chinese;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn china_tet(year: i32) -> NaiveDate {
        let b = YearBounds::compute::<Chinese>(fixed_from_gregorian(year, 7, 1));
        NaiveDate::from_num_days_from_ce_opt(b.new_year.to_i64_date() as i32).unwrap()
    }

    #[test]
    fn tet_differs_from_china_where_the_spec_says() {
        for (year, vn) in [
            (1985, d(1985, 1, 21)),
            (2007, d(2007, 2, 17)),
            (2030, d(2030, 2, 2)),
        ] {
            assert_eq!(tet(year), Some(vn), "Tết {year}");
            assert_ne!(china_tet(year), vn, "China's Tết {year} should differ");
        }
    }

    #[test]
    fn gio_to_hung_vuong() {
        assert_eq!(to_solar(2024, 3, 10, false), Some(d(2024, 4, 18)));
        assert_eq!(to_solar(2025, 3, 10, false), Some(d(2025, 4, 7)));
        assert_eq!(to_solar(2026, 3, 10, false), Some(d(2026, 4, 26)));
    }

    /// (year, Tết (month, day), Giỗ Tổ (month, day)).
    type Golden = (i32, (u32, u32), (u32, u32));

    /// Golden table: Tết and Giỗ Tổ (10/3 âm lịch), 2000–2060. Computed with this
    /// module and compared, for every year 1901–2100, with the independent
    /// Vietnamese lunar table of the Python `holidays` package (0.109): no
    /// difference. It also matches the spec's values and the official schedules of
    /// 2024–2026. It pins the result so that a dependency upgrade cannot move a
    /// holiday silently.
    const GOLDEN: &[Golden] = &[
        (2000, (2, 5), (4, 14)),
        (2001, (1, 24), (4, 3)),
        (2002, (2, 12), (4, 22)),
        (2003, (2, 1), (4, 11)),
        (2004, (1, 22), (4, 28)),
        (2005, (2, 9), (4, 18)),
        (2006, (1, 29), (4, 7)),
        (2007, (2, 17), (4, 26)),
        (2008, (2, 7), (4, 15)),
        (2009, (1, 26), (4, 4)),
        (2010, (2, 14), (4, 23)),
        (2011, (2, 3), (4, 12)),
        (2012, (1, 23), (3, 31)),
        (2013, (2, 10), (4, 19)),
        (2014, (1, 31), (4, 9)),
        (2015, (2, 19), (4, 28)),
        (2016, (2, 8), (4, 16)),
        (2017, (1, 28), (4, 6)),
        (2018, (2, 16), (4, 25)),
        (2019, (2, 5), (4, 14)),
        (2020, (1, 25), (4, 2)),
        (2021, (2, 12), (4, 21)),
        (2022, (2, 1), (4, 10)),
        (2023, (1, 22), (4, 29)),
        (2024, (2, 10), (4, 18)),
        (2025, (1, 29), (4, 7)),
        (2026, (2, 17), (4, 26)),
        (2027, (2, 6), (4, 16)),
        (2028, (1, 26), (4, 4)),
        (2029, (2, 13), (4, 23)),
        (2030, (2, 2), (4, 12)),
        (2031, (1, 23), (4, 1)),
        (2032, (2, 11), (4, 19)),
        (2033, (1, 31), (4, 9)),
        (2034, (2, 19), (4, 28)),
        (2035, (2, 8), (4, 17)),
        (2036, (1, 28), (4, 6)),
        (2037, (2, 15), (4, 24)),
        (2038, (2, 4), (4, 13)),
        (2039, (1, 24), (4, 3)),
        (2040, (2, 12), (4, 20)),
        (2041, (2, 1), (4, 10)),
        (2042, (1, 22), (4, 29)),
        (2043, (2, 10), (4, 19)),
        (2044, (1, 30), (4, 7)),
        (2045, (2, 17), (4, 26)),
        (2046, (2, 6), (4, 15)),
        (2047, (1, 26), (4, 4)),
        (2048, (2, 14), (4, 22)),
        (2049, (2, 2), (4, 11)),
        (2050, (1, 23), (4, 1)),
        (2051, (2, 11), (4, 20)),
        (2052, (2, 1), (4, 9)),
        (2053, (2, 18), (4, 28)),
        (2054, (2, 8), (4, 17)),
        (2055, (1, 28), (4, 6)),
        (2056, (2, 15), (4, 24)),
        (2057, (2, 4), (4, 13)),
        (2058, (1, 24), (4, 2)),
        (2059, (2, 12), (4, 21)),
        (2060, (2, 2), (4, 10)),
    ];

    #[test]
    fn golden_table_2000_2060() {
        for &(year, (tm, td), (gm, gd)) in GOLDEN {
            assert_eq!(tet(year), Some(d(year, tm, td)), "Tết {year}");
            assert_eq!(
                to_solar(year, 3, 10, false),
                Some(d(year, gm, gd)),
                "Giỗ Tổ {year}"
            );
        }
    }

    #[test]
    fn round_trip_every_day_of_the_range() {
        let mut date = d(1900, 1, 1);
        let last = d(2100, 12, 31);
        let mut prev: Option<LunarDate> = None;
        while date <= last {
            let l = from_solar(date).expect("in range");
            assert_eq!(
                to_solar(l.year, l.month, l.day, l.leap),
                Some(date),
                "{date} {l:?}"
            );
            if let Some(p) = prev {
                // Days advance by one, or a new month starts at day 1.
                assert!(l.day == p.day + 1 || l.day == 1, "{date}: {p:?} -> {l:?}");
            }
            prev = Some(l);
            date = date.succ_opt().unwrap();
        }
    }

    #[test]
    fn labels_and_leap_months() {
        // Quý Mão (2023) had a leap second month: 2023-03-22 is mùng 1 tháng 2 nhuận.
        let l = from_solar(d(2023, 3, 22)).unwrap();
        assert_eq!((l.month, l.leap, l.day), (2, true, 1));
        assert_eq!(l.label(), "mùng 1 tháng 2 nhuận");
        assert_eq!(to_solar(2023, 2, 1, true), Some(d(2023, 3, 22)));
        assert_eq!(to_solar(2024, 2, 1, true), None);
        assert_eq!(from_solar(d(2026, 2, 16)).unwrap().label(), "29 tháng Chạp");
        assert_eq!(from_solar(d(2024, 2, 9)).unwrap().label(), "30 tháng Chạp");
        assert_eq!(
            from_solar(d(2025, 1, 29)).unwrap().label(),
            "mùng 1 tháng Giêng"
        );
        assert_eq!(tet(1899), None);
        assert_eq!(tet(2101), None);
        assert_eq!(from_solar(d(2101, 1, 1)), None);
    }
}
