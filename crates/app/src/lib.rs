//! motcua's use cases, written once for the API and the pages: the one write path of
//! dossiers with its effects and limits, the live 766 index and its warnings, the e-forms a
//! dossier pins. Nothing here speaks HTTP: callers get [`AppError`], whose variants are the
//! stable codes the edges translate (`crates/web` into status codes and Vietnamese text).
//!
//! [`App`] owns the state every use case shares, one owner for each part: the store, the
//! file store, the working calendar (which the live index reads too, so an edit reaches both
//! at once), the live index and the parsed e-forms.

pub mod accounts;
pub mod calendar;
pub mod catalogue;
pub mod dossiers;
pub mod eforms;
mod error;
pub mod live;
pub mod login;
pub mod national_portal;
pub mod outbox;
pub mod outside;
pub mod periods;
pub mod procedures;
pub mod time;
pub mod tokens;
pub mod warnings;

pub use error::{AppError, FieldError, Missing};

use motcua_calendar::Calendar;
use motcua_store::Store;
use motcua_store::files::FileStore;
use std::sync::Arc;

/// Numbers the use cases apply that a deployment may set.
#[derive(Debug, Clone)]
pub struct Settings {
    /// What one dossier and one applicant may hold (declaration size, open drafts, files,
    /// officers' text).
    pub limits: motcua_domain::dossier::Limits,
    /// Extensions (apology and new appointment) a dossier may have.
    pub max_extensions: u32,
    /// How long a session lasts.
    pub session_hours: i64,
    /// Login attempts per window and password checks at once.
    pub login: login::LoginLimits,
    /// The outside systems whose adapter is configured: their facts can be recorded.
    pub connected: Vec<motcua_domain::dossier::outside::System>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            limits: motcua_domain::dossier::Limits::default(),
            max_extensions: 1,
            session_hours: 8,
            login: login::LoginLimits::default(),
            connected: Vec::new(),
        }
    }
}

/// The state every use case shares; cheap to clone.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub files: FileStore,
    pub settings: Arc<Settings>,
    /// The working calendar, shared with the live index.
    pub calendar: Arc<WorkingCalendar>,
    pub live: Arc<live::LiveIndex>,
    pub eforms: Arc<eforms::Forms>,
    /// Counts login attempts and bounds the password checks running at once.
    pub login: Arc<login::LoginGuard>,
}

impl App {
    pub fn new(store: Store, files: FileStore, settings: Settings, calendar: Calendar) -> Self {
        let calendar = Arc::new(WorkingCalendar::new(calendar));
        Self {
            store,
            files,
            live: Arc::new(live::LiveIndex::new(calendar.clone())),
            calendar,
            eforms: Arc::default(),
            login: Arc::new(login::LoginGuard::new(settings.login.clone())),
            settings: Arc::new(settings),
        }
    }

    /// The app with the calendar stored in the database, its live index built.
    pub async fn load(
        store: Store,
        files: FileStore,
        settings: Settings,
    ) -> Result<Self, AppError> {
        let calendar = store.calendar().await?;
        let app = Self::new(store, files, settings, calendar);
        app.live.rebuild(&app.store).await?;
        Ok(app)
    }
}

/// The working calendar in force. Replaced whole when an administrator changes the
/// calendar rows ([`App::reload_calendar`]), so the next due date, the live figures and the
/// warnings follow the new rows without a restart.
pub struct WorkingCalendar(std::sync::RwLock<Arc<Calendar>>);

impl WorkingCalendar {
    pub fn new(calendar: Calendar) -> Self {
        Self(std::sync::RwLock::new(Arc::new(calendar)))
    }

    /// The calendar in force now.
    pub fn current(&self) -> Arc<Calendar> {
        // A writer only swaps an Arc: a poisoned lock still holds a whole calendar.
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn replace(&self, calendar: Calendar) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(calendar);
    }

    /// The appointment for a procedure's time limit counted from `start` (end-of-day mode,
    /// the deployment default of `spec/calendar.md`).
    pub fn due_after(
        &self,
        start: chrono::DateTime<chrono::Utc>,
        limit: &motcua_calendar::TimeLimit,
    ) -> chrono::DateTime<chrono::Utc> {
        self.current()
            .due(
                start.with_timezone(&motcua_calendar::VIETNAM_OFFSET),
                *limit,
                motcua_calendar::DueMode::EndOfDay,
            )
            .with_timezone(&chrono::Utc)
    }
}

impl App {
    /// Puts the calendar stored now in force, for new appointments and for the live index
    /// (its figures and warnings depend on working days, so it is rebuilt on the new one).
    pub async fn reload_calendar(&self) -> Result<(), AppError> {
        let calendar = self.store.calendar().await?;
        self.calendar.replace(calendar);
        self.live.rebuild(&self.store).await?;
        Ok(())
    }

    /// After a change of the catalogue or the units (a publication, a rename, a merge): the
    /// live index reads them again before the change is reported done. Readers keep the
    /// previous figures while the new engine is built, then see the new ones.
    pub async fn catalogue_changed(&self) -> Result<(), AppError> {
        Ok(self.live.rebuild(&self.store).await?)
    }
}
