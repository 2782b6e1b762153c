//! Day rows: the data that says which dates are off or worked, with a reason and
//! the document it comes from. Rows are data an administrator can edit, never
//! constants in code; the official ones ship in `data/official-days.jsonl`.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::CalendarError;

/// One stored or shipped row: the date is a working day (`working`) or not, because
/// of `reason`, according to `source`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayRow {
    /// The civil date (+07:00).
    pub date: NaiveDate,
    /// Whether it is a working day.
    pub working: bool,
    /// Why, in Vietnamese (e.g. "Tết Nguyên đán (mùng 1 tháng Giêng)").
    pub reason: String,
    /// The legal text or announcement behind it; a note starting "chưa xác minh"
    /// where the document could not be confirmed.
    pub source: String,
}

const SHIPPED: &str = include_str!("../data/official-days.jsonl");

/// The official rows shipped with the crate (2024, 2025, 2026).
pub fn shipped_rows() -> Vec<DayRow> {
    // The file is compiled into the binary, so no runtime input can change it, and
    // the test `shipped_rows_parse` proves that it parses: this cannot fail.
    #[allow(clippy::expect_used)]
    parse_rows(SHIPPED).expect("shipped official-days.jsonl is valid (checked by tests)")
}

/// Parse and validate JSON Lines of [`DayRow`]s. Blank lines are skipped; any other
/// problem is reported with its 1-based line number. Checks: JSON shape (no unknown
/// fields), non-empty reason and source, one row per date, dates in the supported
/// years.
pub fn parse_rows(jsonl: &str) -> Result<Vec<DayRow>, CalendarError> {
    let mut rows = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, line) in jsonl.lines().enumerate() {
        let line_no = i + 1;
        let err = |reason: String| CalendarError::Line {
            line: line_no,
            reason,
        };
        if line.trim().is_empty() {
            continue;
        }
        let row: DayRow = serde_json::from_str(line).map_err(|e| err(e.to_string()))?;
        validate_row(&row).map_err(|e| err(e.to_string()))?;
        if !seen.insert(row.date) {
            return Err(err(format!("duplicate row for {}", row.date)));
        }
        rows.push(row);
    }
    Ok(rows)
}

/// The checks that apply to every row, whatever it came from.
pub(crate) fn validate_row(row: &DayRow) -> Result<(), CalendarError> {
    use chrono::Datelike;
    if !(crate::FIRST_YEAR..=crate::LAST_YEAR).contains(&row.date.year()) {
        return Err(CalendarError::OutOfRange(row.date));
    }
    if row.reason.trim().is_empty() {
        return Err(CalendarError::EmptyField {
            date: row.date,
            field: "reason",
        });
    }
    if row.source.trim().is_empty() {
        return Err(CalendarError::EmptyField {
            date: row.date,
            field: "source",
        });
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn shipped_rows_parse() {
        let rows = parse_rows(SHIPPED).unwrap();
        assert!(rows.len() > 40, "{} rows", rows.len());
        assert_eq!(shipped_rows(), rows);
    }

    #[test]
    fn parses_a_row_and_skips_blank_lines() {
        let text = "\n{\"date\":\"2025-05-02\",\"working\":false,\"reason\":\"Nghỉ\",\"source\":\"X\"}\n\n";
        let rows = parse_rows(text).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].date, NaiveDate::from_ymd_opt(2025, 5, 2).unwrap());
        assert!(!rows[0].working);
    }

    fn line_err(text: &str) -> (usize, String) {
        match parse_rows(text) {
            Err(CalendarError::Line { line, reason }) => (line, reason),
            other => panic!("expected a line error, got {other:?}"),
        }
    }

    #[test]
    fn errors_name_the_line_and_the_reason() {
        let ok = r#"{"date":"2025-05-02","working":false,"reason":"a","source":"b"}"#;
        let (line, reason) = line_err(&format!("{ok}\nnot json"));
        assert_eq!(line, 2);
        assert!(reason.contains("expected"), "{reason}");

        let (line, reason) = line_err(&format!("{ok}\n{ok}"));
        assert_eq!(line, 2);
        assert_eq!(reason, "duplicate row for 2025-05-02");

        let (_, reason) =
            line_err(r#"{"date":"2025-02-30","working":false,"reason":"a","source":"b"}"#);
        assert!(reason.contains("input is out of range"), "{reason}");

        let (_, reason) =
            line_err(r#"{"date":"2025-05-02","working":false,"reason":" ","source":"b"}"#);
        assert_eq!(reason, "row for 2025-05-02: reason must not be empty");

        let (_, reason) =
            line_err(r#"{"date":"2025-05-02","working":false,"reason":"a","source":""}"#);
        assert_eq!(reason, "row for 2025-05-02: source must not be empty");

        let (_, reason) =
            line_err(r#"{"date":"2025-05-02","working":false,"reason":"a","source":"b","x":1}"#);
        assert!(reason.contains("unknown field"), "{reason}");

        let (_, reason) = line_err(r#"{"date":"2025-05-02","reason":"a","source":"b"}"#);
        assert!(reason.contains("missing field `working`"), "{reason}");

        let (_, reason) =
            line_err(r#"{"date":"2101-01-01","working":false,"reason":"a","source":"b"}"#);
        assert!(reason.contains("outside the supported years"), "{reason}");
    }
}
