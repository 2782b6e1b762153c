//! The working calendar as administrators change it: a day's row added, replaced or
//! removed, checked as the store would build the calendar, then put in force at once for
//! new appointments, the live figures and the warnings.

use crate::{App, AppError};
use chrono::{Datelike, NaiveDate};
use motcua_calendar::{Calendar, DayRow, WorkingWindows};
use motcua_domain::access::Actor;
use motcua_domain::admin::may_edit_calendar;
use std::collections::BTreeMap;

/// The calendar the store would build with `rows` stored, as `Store::calendar` builds it:
/// the stored rows over the shipped ones. Refusing here keeps a bad row out of the table.
fn candidate(stored: Vec<DayRow>) -> Result<Calendar, motcua_calendar::CalendarError> {
    let mut rows: BTreeMap<NaiveDate, DayRow> = motcua_calendar::shipped_rows()
        .into_iter()
        .map(|r| (r.date, r))
        .collect();
    for r in stored {
        rows.insert(r.date, r);
    }
    Calendar::new(rows.into_values().collect(), WorkingWindows::default())
}

async fn allowed(app: &App, actor: &Actor) -> Result<(), AppError> {
    let tree = app.store.unit_tree().await?;
    may_edit_calendar(actor, &tree).map_err(|_| AppError::Forbidden)
}

/// Adds or replaces the row of a day. A year with one official row is described by its
/// official rows alone, so the proposed holidays of a year not yet official are stored
/// with it.
pub async fn put_day(app: &App, actor: &Actor, row: DayRow) -> Result<(), AppError> {
    allowed(app, actor).await?;
    let date = row.date;
    let mut put = vec![row];
    if !app.calendar.current().is_official_year(date.year()) {
        put.extend(
            motcua_calendar::proposed_rows(date.year())
                .into_iter()
                .filter(|r| r.date != date),
        );
    }
    let mut all: BTreeMap<NaiveDate, DayRow> = app
        .store
        .calendar_rows()
        .await?
        .into_iter()
        .map(|r| (r.date, r))
        .collect();
    for r in &put {
        all.insert(r.date, r.clone());
    }
    candidate(all.into_values().collect())?;
    app.store
        .put_calendar_rows(&put, Some(&actor.account_id))
        .await?;
    app.reload_calendar().await
}

/// Removes the stored row of a day (the shipped calendar applies again).
pub async fn remove_day(app: &App, actor: &Actor, date: NaiveDate) -> Result<(), AppError> {
    allowed(app, actor).await?;
    app.store
        .delete_calendar_row(date, Some(&actor.account_id))
        .await
        .map_err(AppError::missing(crate::Missing::CalendarRow))?;
    app.reload_calendar().await
}
