//! The working calendar: one year's day rows (official holidays and compensatory days,
//! extra days off, working weekend days), where each row comes from, the working days
//! that result per month, and adding or removing rows. The calendar is one for the whole
//! deployment, so only the operator changes it (`motcua_domain::admin::may_edit_calendar`);
//! every candidate set of rows is validated by building a `Calendar` before it is stored,
//! and the calendar in force is replaced right after, so the next due date follows it.

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::pages::Form;
use crate::pages::admin::{Admin, Feedback, post_admin};
use crate::pages::render;
use crate::pages::shared::auth::{Nav, PageUser};
use crate::pages::shared::forms_render::Posted;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate, Weekday};
use motcua_calendar::{CalendarError, DayRow};
use motcua_domain::admin::may_edit_calendar;
use serde::Deserialize;
use std::collections::BTreeSet;

pub struct RowView {
    iso: String,
    date: String,
    weekday: &'static str,
    kind: &'static str,
    reason: String,
    source: String,
    layer: &'static str,
    stored: bool,
}

pub struct MonthView {
    /// The month's name: "Tháng 1", "January".
    month: String,
    working: u32,
    weekdays_off: u32,
    weekends_worked: u32,
}

#[derive(Template)]
#[template(path = "admin_calendar.html")]
struct CalendarPage {
    user: Option<Nav>,
    csrf: String,
    lang: Lang,
    fb: Feedback,
    year: i32,
    official: bool,
    can_edit: bool,
    rows: Vec<RowView>,
    months: Vec<MonthView>,
    total: u32,
    form: RowForm,
}

/// The add form as typed, to show again when it is refused.
#[derive(Default)]
pub struct RowForm {
    date: String,
    working: bool,
    reason: String,
    source: String,
}

#[derive(Deserialize)]
pub struct YearQuery {
    nam: Option<i32>,
    ok: Option<String>,
}

fn weekday(lang: Lang, d: NaiveDate) -> &'static str {
    match d.weekday() {
        Weekday::Mon => lang.t("admin.calendar.mon"),
        Weekday::Tue => lang.t("admin.calendar.tue"),
        Weekday::Wed => lang.t("admin.calendar.wed"),
        Weekday::Thu => lang.t("admin.calendar.thu"),
        Weekday::Fri => lang.t("admin.calendar.fri"),
        Weekday::Sat => lang.t("admin.calendar.sat"),
        Weekday::Sun => lang.t("admin.calendar.sun"),
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn kind(lang: Lang, r: &DayRow) -> &'static str {
    match (r.working, is_weekend(r.date)) {
        (false, false) => lang.t("admin.calendar.day_off"),
        (false, true) => lang.t("admin.calendar.holiday_on_weekend"),
        (true, true) => lang.t("admin.calendar.weekend_worked"),
        (true, false) => lang.t("admin.calendar.working_day"),
    }
}

fn this_year() -> i32 {
    chrono::Utc::now()
        .with_timezone(&crate::pages::vn_offset())
        .year()
}

fn days_of(year: i32) -> impl Iterator<Item = NaiveDate> {
    let first = NaiveDate::from_ymd_opt(year, 1, 1);
    first
        .into_iter()
        .flat_map(|d| d.iter_days())
        .take_while(move |d| d.year() == year)
}

async fn page(
    state: &AppState,
    a: Admin,
    year: i32,
    fb: Feedback,
    form: RowForm,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let cal = state.app.calendar.current();
    let stored: BTreeSet<NaiveDate> = state
        .app
        .store
        .calendar_rows()
        .await?
        .into_iter()
        .map(|r| r.date)
        .collect();
    let shipped: BTreeSet<NaiveDate> = motcua_calendar::shipped_rows()
        .into_iter()
        .map(|r| r.date)
        .collect();
    let official = cal.is_official_year(year);
    let lang = a.lang;
    let mut rows = Vec::new();
    let mut months: Vec<MonthView> = (1..=12)
        .map(|month| MonthView {
            // chrono names the month in English; Vietnamese numbers it.
            month: NaiveDate::from_ymd_opt(year, month, 1).map_or_else(
                || month.to_string(),
                |d| d.format(lang.t("admin.calendar.month")).to_string(),
            ),
            working: 0,
            weekdays_off: 0,
            weekends_worked: 0,
        })
        .collect();
    for d in days_of(year) {
        let working = cal.is_working_day(d);
        if let Some(m) = months.get_mut(d.month0() as usize) {
            m.working += u32::from(working);
            m.weekdays_off += u32::from(!working && !is_weekend(d));
            m.weekends_worked += u32::from(working && is_weekend(d));
        }
        if let Some(r) = cal.row(d) {
            rows.push(RowView {
                iso: d.to_string(),
                date: d.format("%d/%m/%Y").to_string(),
                weekday: weekday(lang, d),
                kind: kind(lang, r),
                reason: r.reason.clone(),
                source: r.source.clone(),
                layer: if stored.contains(&d) {
                    lang.t("admin.calendar.stored")
                } else if shipped.contains(&d) {
                    lang.t("admin.calendar.shipped")
                } else {
                    lang.t("admin.calendar.proposed")
                },
                stored: stored.contains(&d),
            });
        }
    }
    let page = CalendarPage {
        lang,
        fb,
        year,
        official,
        can_edit: may_edit_calendar(&a.actor, &a.tree).is_ok(),
        rows,
        total: months.iter().map(|m| m.working).sum(),
        months,
        form,
        user: a.nav,
        csrf: a.csrf,
    };
    Ok(render(&page, status))
}

pub async fn show(
    State(state): State<AppState>,
    a: Admin,
    Query(q): Query<YearQuery>,
) -> Result<Response, ApiError> {
    let year = q
        .nam
        .filter(|y| (motcua_calendar::FIRST_YEAR..=motcua_calendar::LAST_YEAR).contains(y))
        .unwrap_or_else(this_year);
    let fb = Feedback::from_query(a.lang, q.ok.as_deref());
    page(&state, a, year, fb, RowForm::default(), StatusCode::OK).await
}

fn calendar_error(lang: Lang, e: &CalendarError) -> String {
    match e {
        CalendarError::OutOfRange(d) => lang.f2(
            "admin.calendar.out_of_range",
            d,
            format!(
                "{}–{}",
                motcua_calendar::FIRST_YEAR,
                motcua_calendar::LAST_YEAR
            ),
        ),
        CalendarError::EmptyField {
            field: "reason", ..
        } => lang.t("admin.calendar.no_reason").into(),
        CalendarError::EmptyField { .. } => lang.t("admin.calendar.no_source").into(),
        CalendarError::DuplicateDate(d) => lang.f("admin.calendar.duplicate", d),
        _ => lang.t("admin.calendar.invalid_row").into(),
    }
}

/// `them` adds (or replaces) the row of a date; `xoa` removes a stored row.
pub async fn act(
    State(state): State<AppState>,
    user: PageUser,
    Path(action): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let posted = Posted(f);
    let a = post_admin(&state, &user, &posted).await?;
    if may_edit_calendar(&a.actor, &a.tree).is_err() {
        return Err(ApiError::forbidden());
    }
    let date = NaiveDate::parse_from_str(posted.get("date").unwrap_or_default().trim(), "%Y-%m-%d");
    let (year, ok) = match action.as_str() {
        "them" => {
            let form = RowForm {
                date: posted.get("date").unwrap_or_default().trim().to_owned(),
                working: posted.get("working") == Some("true"),
                reason: posted.text("reason").unwrap_or_default(),
                source: posted.text("source").unwrap_or_default(),
            };
            let Ok(date) = date else {
                let fb = Feedback::error(a.lang.t("admin.calendar.bad_date"), Vec::new());
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                return page(&state, a, this_year(), fb, form, status).await;
            };
            let row = DayRow {
                date,
                working: form.working,
                reason: motcua_domain::text::nfc(&form.reason),
                source: motcua_domain::text::nfc(&form.source),
            };
            match motcua_app::calendar::put_day(&state.app, &a.actor, row).await {
                Ok(()) => {}
                Err(motcua_app::AppError::Calendar(e)) => {
                    let fb = Feedback::error(calendar_error(a.lang, &e), Vec::new());
                    let status = StatusCode::UNPROCESSABLE_ENTITY;
                    let year = date
                        .year()
                        .clamp(motcua_calendar::FIRST_YEAR, motcua_calendar::LAST_YEAR);
                    return page(&state, a, year, fb, form, status).await;
                }
                Err(e) => return Err(e.into()),
            }
            (date.year(), "row_saved")
        }
        "xoa" => {
            let date = date.map_err(|_| ApiError::not_found("dòng lịch", "Calendar row"))?;
            motcua_app::calendar::remove_day(&state.app, &a.actor, date).await?;
            (date.year(), "row_removed")
        }
        _ => return Err(ApiError::not_found("thao tác", "Action")),
    };
    Ok(Redirect::to(&format!("/quan-tri/lich?nam={year}&ok={ok}")).into_response())
}
