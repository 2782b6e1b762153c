//! Rows proposed by the rules for a year that has no official schedule yet.
//!
//! Bộ luật Lao động 2019, Điều 112 gives the holidays; Điều 111 khoản 3 gives a
//! compensatory day off when a holiday falls on the weekly rest day. The Prime
//! Minister fixes the exact Tết days and the day next to 2/9 each year, and may swap
//! working days; those choices cannot be derived, so this module proposes the usual
//! ones (below) and proposes no swaps. Proposals are rows like any other: an admin
//! replaces them by entering the year's official rows.

use chrono::{Datelike, NaiveDate, Weekday};

use crate::{DayRow, lunar};

const SOURCE_HOLIDAY: &str = "Đề xuất theo quy tắc: Bộ luật Lao động 2019, Điều 112 khoản 1 \
     — chưa có lịch nghỉ chính thức của năm";
const SOURCE_TET: &str = "Đề xuất theo quy tắc: Bộ luật Lao động 2019, Điều 112 khoản 1 điểm b \
     và khoản 3 (Thủ tướng quyết định ngày cụ thể); phương án thường dùng 2 ngày cuối năm âm lịch \
     và 3 ngày đầu năm — chờ quyết định chính thức";
const SOURCE_NATIONAL_DAY_ADJ: &str = "Đề xuất theo quy tắc: Bộ luật Lao động 2019, Điều 112 \
     khoản 1 điểm đ và khoản 3 (Thủ tướng quyết định ngày liền kề) — chờ quyết định chính thức";
const SOURCE_COMPENSATORY: &str = "Đề xuất theo quy tắc: Bộ luật Lao động 2019, Điều 111 \
     khoản 3 (ngày lễ trùng ngày nghỉ hằng tuần thì nghỉ bù ngày làm việc kế tiếp) — chưa có lịch \
     nghỉ chính thức của năm";

/// "Thứ Hai" … "Chủ nhật".
pub(crate) fn weekday_vi(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "Thứ Hai",
        Weekday::Tue => "Thứ Ba",
        Weekday::Wed => "Thứ Tư",
        Weekday::Thu => "Thứ Năm",
        Weekday::Fri => "Thứ Sáu",
        Weekday::Sat => "Thứ Bảy",
        Weekday::Sun => "Chủ nhật",
    }
}

pub(crate) fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The day next to 2/9 that the Prime Minister has usually chosen: the one that joins
/// the holiday to a weekend or makes the shorter working gap. Observed choices:
/// 2021 Thu→3/9, 2022 Fri→1/9, 2023 Sat→1/9, 2024 Mon→3/9, 2025 Tue→1/9,
/// 2026 Wed→1/9. Sunday takes Monday 3/9.
fn national_day_adjacent(sep2: NaiveDate) -> Option<NaiveDate> {
    match sep2.weekday() {
        Weekday::Mon | Weekday::Thu | Weekday::Sun => sep2.succ_opt(),
        Weekday::Tue | Weekday::Wed | Weekday::Fri | Weekday::Sat => sep2.pred_opt(),
    }
}

struct Holiday {
    date: NaiveDate,
    reason: String,
    short: &'static str,
    source: &'static str,
}

/// The rows the rules propose for `year`: every statutory holiday (also those on a
/// weekend, so that they show their name) and the compensatory days off. Years outside
/// 1900..=2100 get none, because the lunar dates are only computed in that range.
pub fn proposed_rows(year: i32) -> Vec<DayRow> {
    if !(crate::FIRST_YEAR..=crate::LAST_YEAR).contains(&year) {
        return Vec::new();
    }
    let mut holidays = Vec::new();
    let mut add = |date: Option<NaiveDate>, reason: String, short, source| {
        if let Some(date) = date {
            holidays.push(Holiday {
                date,
                reason,
                short,
                source,
            });
        }
    };
    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d);

    add(
        ymd(1, 1),
        "Tết Dương lịch".into(),
        "Tết Dương lịch",
        SOURCE_HOLIDAY,
    );
    if let Some(tet) = lunar::tet(year) {
        for offset in -2i64..=2 {
            let date = tet.checked_add_signed(chrono::TimeDelta::days(offset));
            // Tết ± 2 days is inside the lunar table whenever `tet` answered, so the
            // label is always there; an empty one would only make the reason terser.
            let label = date
                .and_then(lunar::from_solar)
                .map(|l| l.label())
                .unwrap_or_default();
            add(
                date,
                format!("Tết Nguyên đán ({label})"),
                "Tết Nguyên đán",
                SOURCE_TET,
            );
        }
    }
    add(
        lunar::to_solar(year, 3, 10, false),
        "Giỗ Tổ Hùng Vương (10/3 âm lịch)".into(),
        "Giỗ Tổ Hùng Vương",
        SOURCE_HOLIDAY,
    );
    add(
        ymd(4, 30),
        "Ngày Chiến thắng (30/4)".into(),
        "Ngày Chiến thắng",
        SOURCE_HOLIDAY,
    );
    add(
        ymd(5, 1),
        "Ngày Quốc tế Lao động (1/5)".into(),
        "Ngày Quốc tế Lao động",
        SOURCE_HOLIDAY,
    );
    if let Some(sep2) = ymd(9, 2) {
        add(
            Some(sep2),
            "Quốc khánh (2/9)".into(),
            "Quốc khánh",
            SOURCE_HOLIDAY,
        );
        add(
            national_day_adjacent(sep2),
            "Quốc khánh (ngày liền kề 2/9)".into(),
            "Quốc khánh",
            SOURCE_NATIONAL_DAY_ADJ,
        );
    }
    holidays.sort_by_key(|h| h.date);
    // Giỗ Tổ can fall on 30/4 or 1/5 (30/4/1947 in 1900–2100). Bộ luật Lao động gives no
    // extra day for two holidays on one date, so they share one row.
    holidays.dedup_by(|later, kept| {
        if later.date == kept.date {
            kept.reason = format!("{}; {}", kept.reason, later.reason);
            true
        } else {
            false
        }
    });

    let mut rows: Vec<DayRow> = holidays
        .iter()
        .map(|h| DayRow {
            date: h.date,
            working: false,
            reason: h.reason.clone(),
            source: h.source.to_string(),
        })
        .collect();

    // Each holiday on a weekend gives the next day that is neither a weekend, a
    // holiday nor already given as a compensatory day; taking the holidays in date
    // order pushes the compensatory days of a run (Tết) after the run.
    let mut taken: Vec<NaiveDate> = holidays.iter().map(|h| h.date).collect();
    for h in holidays.iter().filter(|h| is_weekend(h.date)) {
        let mut c = h.date.succ_opt();
        while let Some(d) = c {
            if !is_weekend(d) && !taken.contains(&d) {
                break;
            }
            c = d.succ_opt();
        }
        let Some(c) = c else { continue };
        taken.push(c);
        rows.push(DayRow {
            date: c,
            working: false,
            reason: format!(
                "Nghỉ bù {} ({}, {}, trùng ngày nghỉ hằng tuần)",
                h.short,
                h.date.format("%d/%m"),
                weekday_vi(h.date.weekday()).to_lowercase()
            ),
            source: SOURCE_COMPENSATORY.to_string(),
        });
    }
    rows.sort_by_key(|r| r.date);
    rows
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn off_weekdays(rows: &[DayRow]) -> Vec<NaiveDate> {
        rows.iter()
            .filter(|r| !r.working && !is_weekend(r.date))
            .map(|r| r.date)
            .collect()
    }

    #[test]
    fn proposal_2025_matches_the_official_schedule_except_the_swap() {
        let rows = proposed_rows(2025);
        assert_eq!(
            off_weekdays(&rows),
            vec![
                d(2025, 1, 1),
                d(2025, 1, 27),
                d(2025, 1, 28),
                d(2025, 1, 29),
                d(2025, 1, 30),
                d(2025, 1, 31),
                d(2025, 4, 7),
                d(2025, 4, 30),
                d(2025, 5, 1),
                d(2025, 9, 1),
                d(2025, 9, 2),
            ]
        );
        assert!(rows.iter().all(|r| !r.source.is_empty() && !r.working));
        let tet = rows.iter().find(|r| r.date == d(2025, 1, 29)).unwrap();
        assert_eq!(tet.reason, "Tết Nguyên đán (mùng 1 tháng Giêng)");
    }

    #[test]
    fn tet_on_a_weekend_gives_compensatory_days_after_the_run() {
        // 2024: Tết on Saturday 10/2 → official break 8/2–14/2 (5 + 2 nghỉ bù).
        let rows = proposed_rows(2024);
        let feb: Vec<_> = off_weekdays(&rows)
            .into_iter()
            .filter(|x| x.month() == 2)
            .collect();
        assert_eq!(
            feb,
            vec![
                d(2024, 2, 8),
                d(2024, 2, 9),
                d(2024, 2, 12),
                d(2024, 2, 13),
                d(2024, 2, 14)
            ]
        );
        let bu = rows.iter().find(|r| r.date == d(2024, 2, 13)).unwrap();
        assert_eq!(
            bu.reason,
            "Nghỉ bù Tết Nguyên đán (10/02, thứ bảy, trùng ngày nghỉ hằng tuần)"
        );
    }

    #[test]
    fn gio_to_on_sunday_2026_gives_monday() {
        let rows = proposed_rows(2026);
        assert!(rows.iter().any(|r| r.date == d(2026, 4, 26) && !r.working));
        let bu = rows.iter().find(|r| r.date == d(2026, 4, 27)).unwrap();
        assert!(
            bu.reason.starts_with("Nghỉ bù Giỗ Tổ Hùng Vương"),
            "{}",
            bu.reason
        );
        // 2026 Tết proposal equals the official weekdays 16–20/2.
        let feb: Vec<_> = off_weekdays(&rows)
            .into_iter()
            .filter(|x| x.month() == 2)
            .collect();
        assert_eq!(feb, (16..=20).map(|x| d(2026, 2, x)).collect::<Vec<_>>());
    }

    #[test]
    fn holidays_on_saturday_and_sunday_in_a_row() {
        // 2028: 30/4 Sunday, 1/5 Monday → compensatory Tuesday 2/5.
        // 2033: 30/4 Saturday, 1/5 Sunday → Monday 2/5 and Tuesday 3/5.
        let r = proposed_rows(2033);
        assert!(r.iter().any(|x| x.date == d(2033, 5, 2)));
        assert!(r.iter().any(|x| x.date == d(2033, 5, 3)));
        let r = proposed_rows(2028);
        assert!(r.iter().any(|x| x.date == d(2028, 5, 2)));
        // 2/9/2029 is Sunday: 3/9 adjacent, and 4/9 compensatory.
        let r = proposed_rows(2029);
        assert!(r.iter().any(|x| x.date == d(2029, 9, 3)));
        assert!(r.iter().any(|x| x.date == d(2029, 9, 4)));
    }

    #[test]
    fn every_year_has_unique_dates_and_eleven_holidays_at_least() {
        for year in crate::FIRST_YEAR..=crate::LAST_YEAR {
            let rows = proposed_rows(year);
            let mut dates: Vec<_> = rows.iter().map(|r| r.date).collect();
            dates.dedup();
            assert_eq!(dates.len(), rows.len(), "{year}");
            // 11 holiday days, one fewer when Giỗ Tổ meets 30/4 or 1/5.
            let holidays = rows
                .iter()
                .filter(|r| !r.reason.starts_with("Nghỉ bù"))
                .count();
            assert!(holidays >= 10, "{year}");
            assert!(rows.iter().all(|r| r.date.year() == year), "{year}");
        }
        assert!(proposed_rows(1899).is_empty());
        assert!(proposed_rows(2101).is_empty());
    }
}
