//! Calendar edits through the app: checked, stored, and in force at once for the next
//! appointment, the live figures and the warnings.

use crate::support::*;
use chrono::NaiveDate;
use motcua_app::calendar::{put_day, remove_day};
use motcua_app::{AppError, Missing};
use motcua_calendar::DayRow;
use motcua_index::warnings::WarningKind;

fn day_off(date: NaiveDate) -> DayRow {
    DayRow {
        date,
        working: false,
        reason: "Nghỉ bù theo thông báo thử nghiệm".into(),
        source: "Thông báo thử nghiệm".into(),
    }
}

/// The first working day after today on the calendar in force.
async fn next_working_day(f: &Fixture) -> NaiveDate {
    let calendar = f.db.store.calendar().await.unwrap();
    let mut day = today().succ_opt().unwrap();
    while !calendar.is_working_day(day) {
        day = day.succ_opt().unwrap();
    }
    day
}

#[tokio::test]
async fn a_day_off_moves_the_next_appointment_and_not_the_ones_given() {
    let f = fixture().await;
    let before = f.received(MARRIAGE).await;
    let first_due = before.current_due_at.unwrap();
    let day = next_working_day(&f).await;
    put_day(&f.app, &f.operator, day_off(day)).await.unwrap();
    assert!(!f.app.calendar.current().is_working_day(day));

    let after = f.received(MARRIAGE).await;
    let second_due = after.current_due_at.unwrap();
    // Five working days now skip the new day off: the appointment is a working day later.
    let calendar = f.db.store.calendar().await.unwrap();
    assert!(
        vn_day(second_due) > vn_day(first_due),
        "{first_due} {second_due}"
    );
    let mut expected = vn_day(first_due).succ_opt().unwrap();
    while !calendar.is_working_day(expected) {
        expected = expected.succ_opt().unwrap();
    }
    assert_eq!(vn_day(second_due), expected);
    // The appointment already given stays what the receipt says.
    let stored = f.db.store.dossier(&before.id).await.unwrap().state;
    assert_eq!(stored.current_due_at, Some(first_due));

    // Removing the row puts the shipped calendar back in force.
    remove_day(&f.app, &f.operator, day).await.unwrap();
    assert!(f.app.calendar.current().is_working_day(day));
    let third = f.received(MARRIAGE).await;
    assert_eq!(vn_day(third.current_due_at.unwrap()), vn_day(first_due));
}

#[tokio::test]
async fn only_the_operator_of_every_unit_edits_the_calendar() {
    let f = fixture().await;
    let day = next_working_day(&f).await;
    let rows = f.db.store.calendar_rows().await.unwrap();
    for who in [&f.admin, &f.commune_admin, &f.desk, &f.leader, &f.citizen] {
        let r = put_day(&f.app, who, day_off(day)).await;
        assert!(matches!(r, Err(AppError::Forbidden)), "{:?}", r.err());
        let r = remove_day(&f.app, who, day).await;
        assert!(matches!(r, Err(AppError::Forbidden)), "{:?}", r.err());
    }
    // An operator of one commune only does not operate every unit.
    let local = account(
        &f.db,
        "vanhanh.phuong",
        motcua_domain::access::Role::Operator,
        COMMUNE,
        false,
    )
    .await;
    let r = put_day(&f.app, &local, day_off(day)).await;
    assert!(matches!(r, Err(AppError::Forbidden)), "{:?}", r.err());
    assert_eq!(f.db.store.calendar_rows().await.unwrap(), rows);
    assert!(f.app.calendar.current().is_working_day(day));
}

#[tokio::test]
async fn a_row_that_would_break_the_calendar_is_refused_and_not_stored() {
    let f = fixture().await;
    let day = next_working_day(&f).await;
    let rows = f.db.store.calendar_rows().await.unwrap();
    let mut bad = day_off(day);
    bad.reason = String::new();
    let r = put_day(&f.app, &f.operator, bad).await;
    assert!(matches!(r, Err(AppError::Calendar(_))), "{:?}", r.err());
    assert_eq!(f.db.store.calendar_rows().await.unwrap(), rows);

    // A day without a stored row cannot be removed.
    let unstored = rows.last().map(|r| r.date).unwrap().succ_opt().unwrap();
    let r = remove_day(&f.app, &f.operator, unstored).await;
    assert!(
        matches!(r, Err(AppError::NotFound(Missing::CalendarRow))),
        "{:?}",
        r.err()
    );
}

#[tokio::test]
async fn days_off_reach_the_live_warnings_and_figures_at_once() {
    let f = fixture().await;
    let d = f.received(MARRIAGE).await;
    let code = d.code.clone().unwrap().to_string();
    let due = vn_day(d.current_due_at.unwrap());
    let due_soon = |f: &Fixture| {
        f.app
            .live
            .warnings(chrono::Utc::now())
            .unwrap()
            .into_iter()
            .any(|w| w.kind == WarningKind::DueSoon && w.dossier.as_deref() == Some(&code))
    };
    assert!(!due_soon(&f));
    let period = last_30_days();
    assert_eq!(f.live(period), f.offline(period).await);

    // Every working day from tomorrow to the day before the appointment becomes a day
    // off: one working day from now is then past the appointment.
    let calendar = f.db.store.calendar().await.unwrap();
    let mut day = today().succ_opt().unwrap();
    let mut off = 0;
    while day < due {
        if calendar.is_working_day(day) {
            put_day(&f.app, &f.operator, day_off(day)).await.unwrap();
            off += 1;
        }
        day = day.succ_opt().unwrap();
    }
    assert!(off >= 3, "five working days hold at least three between");
    assert!(due_soon(&f), "the warning follows the new calendar");
    assert_eq!(f.live(period), f.offline(period).await);
}
