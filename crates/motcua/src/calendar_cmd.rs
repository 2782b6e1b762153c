//! `motcua calendar …`: query the working calendar from the command line.
//!
//! Arguments are taken as strings and validated here rather than by clap, so that
//! every invalid input ends with exit code 2 and one `error: …` line on stderr.

use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, SecondsFormat};
use motcua_calendar::{Calendar, CalendarError, DueMode, DurationUnit, TimeLimit};
use serde_json::json;

#[derive(clap::Subcommand, Debug)]
pub enum CalendarCommand {
    /// Say whether each date is a working day, and why not.
    Check {
        /// Dates as YYYY-MM-DD.
        #[arg(required = true, allow_hyphen_values = true)]
        dates: Vec<String>,
        /// Output format: text or json.
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Compute a due instant.
    Due {
        /// Start instant, RFC 3339 (e.g. 2025-04-25T10:00:00+07:00).
        #[arg(long, allow_hyphen_values = true)]
        from: String,
        /// Time limit value, a decimal such as 3 or 0.5.
        #[arg(long, allow_hyphen_values = true)]
        value: String,
        /// hours, working_days, days or months.
        #[arg(long)]
        unit: String,
        /// end_of_day (default) or working_time.
        #[arg(long, default_value = "end_of_day")]
        mode: String,
        /// Output format: text or json.
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// List a year's weekdays off and worked weekend days, with reason and source.
    Year {
        /// The year, 1900–2100.
        #[arg(allow_hyphen_values = true)]
        year: String,
        /// Output format: text or json.
        #[arg(long, default_value = "text")]
        format: String,
    },
}

/// What a successful command prints: stdout text, and an optional note for stderr.
#[derive(Debug, PartialEq)]
struct Output {
    stdout: String,
    note: Option<String>,
}

pub fn run(cmd: CalendarCommand) -> ExitCode {
    match execute(cmd, &Calendar::vietnam()) {
        Ok(out) => {
            if let Some(note) = out.note {
                eprintln!("note: {note}");
            }
            print!("{}", out.stdout);
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Text,
    Json,
}

fn parse_format(s: &str) -> Result<Format, String> {
    match s {
        "text" => Ok(Format::Text),
        "json" => Ok(Format::Json),
        other => Err(format!("--format must be text or json (got {other:?})")),
    }
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let ok_shape = s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-';
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|_| ok_shape)
        .ok_or_else(|| format!("invalid date {s:?}: expected YYYY-MM-DD"))
}

/// The crate's value, unit and mode errors read "value …", "unit …", "mode …"; on
/// the command line they name the flag. Only those errors are passed here.
fn flag_error(e: CalendarError) -> String {
    format!("--{e}")
}

fn to_json(v: &serde_json::Value) -> String {
    // Serialising a Value built from strings and booleans cannot fail.
    format!("{}\n", serde_json::to_string_pretty(v).unwrap_or_default())
}

fn execute(cmd: CalendarCommand, cal: &Calendar) -> Result<Output, String> {
    match cmd {
        CalendarCommand::Check { dates, format } => {
            let format = parse_format(&format)?;
            let dates = dates
                .iter()
                .map(|s| parse_date(s))
                .collect::<Result<Vec<_>, _>>()?;
            let statuses: Vec<_> = dates.iter().map(|&d| (d, cal.day(d))).collect();
            let stdout = match format {
                Format::Text => statuses
                    .iter()
                    .map(|(d, s)| match (&s.working, &s.reason) {
                        (true, _) => format!("{d} working\n"),
                        (false, Some(r)) => format!("{d} off {r}\n"),
                        (false, None) => format!("{d} off\n"),
                    })
                    .collect(),
                Format::Json => to_json(&json!(
                    statuses
                        .iter()
                        .map(|(d, s)| json!({"date": d, "working": s.working, "reason": s.reason}))
                        .collect::<Vec<_>>()
                )),
            };
            Ok(Output { stdout, note: None })
        }
        CalendarCommand::Due {
            from,
            value,
            unit,
            mode,
            format,
        } => {
            let format = parse_format(&format)?;
            let start = DateTime::parse_from_rfc3339(&from).map_err(|_| {
                format!(
                    "--from must be an RFC 3339 instant like 2025-04-25T10:00:00+07:00 (got {from:?})"
                )
            })?;
            let unit: DurationUnit = unit.parse().map_err(flag_error)?;
            let limit = TimeLimit::parse(&value, unit).map_err(flag_error)?;
            let mode: DueMode = mode.parse().map_err(flag_error)?;
            let due = cal
                .checked_due(start, limit, mode)
                .ok_or_else(|| "--from is too far in the future to compute a due date".to_string())?
                .to_rfc3339_opts(SecondsFormat::AutoSi, false);
            let stdout = match format {
                Format::Text => format!("{due}\n"),
                Format::Json => to_json(&json!({ "due": due })),
            };
            Ok(Output { stdout, note: None })
        }
        CalendarCommand::Year { year, format } => {
            let format = parse_format(&format)?;
            let y: i32 = year
                .parse()
                .ok()
                .filter(|y| (motcua_calendar::FIRST_YEAR..=motcua_calendar::LAST_YEAR).contains(y))
                .ok_or_else(|| {
                    format!(
                        "YEAR must be a year from {} to {} (got {year:?})",
                        motcua_calendar::FIRST_YEAR,
                        motcua_calendar::LAST_YEAR
                    )
                })?;
            let rows = cal.year_exceptions(y);
            let stdout = match format {
                Format::Text => rows
                    .iter()
                    .map(|r| {
                        let status = if r.working { "working" } else { "off" };
                        format!("{} {status} {} [nguồn: {}]\n", r.date, r.reason, r.source)
                    })
                    .collect(),
                Format::Json => to_json(&json!(rows)),
            };
            let note = (!cal.is_official_year(y)).then(|| {
                format!("{y} has no official schedule: days proposed by the rules until an admin confirms")
            });
            Ok(Output { stdout, note })
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn run_ok(cmd: CalendarCommand) -> String {
        execute(cmd, &Calendar::vietnam()).unwrap().stdout
    }

    fn due(from: &str, value: &str, unit: &str, mode: &str) -> Result<Output, String> {
        execute(
            CalendarCommand::Due {
                from: from.into(),
                value: value.into(),
                unit: unit.into(),
                mode: mode.into(),
                format: "text".into(),
            },
            &Calendar::vietnam(),
        )
    }

    #[test]
    fn check_text_and_json() {
        let out = run_ok(CalendarCommand::Check {
            dates: vec![
                "2025-04-26".into(),
                "2025-05-02".into(),
                "2025-04-27".into(),
            ],
            format: "text".into(),
        });
        let lines: Vec<_> = out.lines().collect();
        assert_eq!(lines[0], "2025-04-26 working");
        assert!(
            lines[1].starts_with("2025-05-02 off Nghỉ hoán đổi"),
            "{}",
            lines[1]
        );
        assert_eq!(lines[2], "2025-04-27 off Chủ nhật");
        let out = run_ok(CalendarCommand::Check {
            dates: vec!["2025-04-28".into()],
            format: "json".into(),
        });
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            v,
            json!([{"date": "2025-04-28", "working": true, "reason": null}])
        );
    }

    #[test]
    fn due_examples_and_errors() {
        let ok = |f, v, u, m| due(f, v, u, m).unwrap().stdout;
        assert_eq!(
            ok(
                "2025-04-25T10:00:00+07:00",
                "3",
                "working_days",
                "end_of_day"
            ),
            "2025-04-29T17:00:00+07:00\n"
        );
        assert_eq!(
            ok(
                "2025-04-29T15:00:00+07:00",
                "2",
                "working_days",
                "end_of_day"
            ),
            "2025-05-06T17:00:00+07:00\n"
        );
        assert_eq!(
            ok("2025-03-03T16:00:00+07:00", "4", "hours", "working_time"),
            "2025-03-04T10:30:00+07:00\n"
        );
        let err = |f, v, u, m| due(f, v, u, m).unwrap_err();
        let from = "2025-03-03T16:00:00+07:00";
        assert_eq!(
            err(from, "0", "hours", "end_of_day"),
            "--value must be greater than 0"
        );
        assert_eq!(
            err(from, "-2", "hours", "end_of_day"),
            "--value must be greater than 0"
        );
        assert_eq!(
            err(from, "1.5", "days", "end_of_day"),
            "--value must be a whole number for unit days"
        );
        assert_eq!(
            err(from, "1", "weeks", "end_of_day"),
            "--unit must be one of hours, working_days, days, months (got \"weeks\")"
        );
        assert_eq!(
            err(from, "1", "days", "fast"),
            "--mode must be one of end_of_day, working_time (got \"fast\")"
        );
        assert!(err("2025-03-03 16:00", "1", "days", "end_of_day").starts_with("--from must be"));
    }

    #[test]
    fn year_lists_exceptions_and_notes_proposals() {
        let out = execute(
            CalendarCommand::Year {
                year: "2025".into(),
                format: "text".into(),
            },
            &Calendar::vietnam(),
        )
        .unwrap();
        assert!(out.note.is_none());
        assert!(out.stdout.contains("2025-04-26 working Làm bù"));
        assert!(out.stdout.lines().all(|l| l.contains("[nguồn: ")));
        let out = execute(
            CalendarCommand::Year {
                year: "2030".into(),
                format: "json".into(),
            },
            &Calendar::vietnam(),
        )
        .unwrap();
        assert!(out.note.is_some());
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert!(
            v.as_array()
                .unwrap()
                .iter()
                .any(|r| r["date"] == "2030-02-04")
        );
        assert!(
            execute(
                CalendarCommand::Year {
                    year: "1800".into(),
                    format: "text".into()
                },
                &Calendar::vietnam()
            )
            .is_err()
        );
    }

    #[test]
    fn bad_dates_and_formats() {
        for bad in ["2025-13-01", "2025-4-26", "26/04/2025", "x"] {
            let e = execute(
                CalendarCommand::Check {
                    dates: vec![bad.into()],
                    format: "text".into(),
                },
                &Calendar::vietnam(),
            )
            .unwrap_err();
            assert_eq!(e, format!("invalid date {bad:?}: expected YYYY-MM-DD"));
        }
        let e = execute(
            CalendarCommand::Check {
                dates: vec!["2025-01-01".into()],
                format: "xml".into(),
            },
            &Calendar::vietnam(),
        )
        .unwrap_err();
        assert_eq!(e, "--format must be text or json (got \"xml\")");
    }
}
