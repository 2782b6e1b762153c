//! The one error of the use cases. Each variant is a stable answer the edges translate
//! (the API into a status and a snake_case code, the pages into Vietnamese); nobody matches
//! on text. Messages that depend on the input (a declaration's fields, a limit's numbers)
//! travel as [`FieldError`]s in both languages.

use motcua_domain::dossier::{DossierError, LimitError};
use motcua_domain::unit::UnitError;
use motcua_store::StoreError;

/// What was not found, or not readable by the caller (the same answer, so that nobody
/// learns that a dossier they may not see exists).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Dossier,
    File,
    Procedure,
    Unit,
    /// An account named by a caller (an officer to filter by).
    Account,
    /// A version of a procedure.
    Version,
    /// A stored row of the working calendar.
    CalendarRow,
    /// A role an account does not hold.
    Grant,
    /// An API token of the caller's.
    Token,
}

/// A field and what is wrong with it, for people in Vietnamese and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Where: a field name or a dotted path (`form_data.ho_ten`).
    pub field: String,
    /// Stable snake_case code.
    pub code: String,
    pub message_vi: Option<String>,
    pub message_en: Option<String>,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        vi: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message_vi: Some(vi.into()),
            message_en: Some(en.into()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0:?} not found")]
    NotFound(Missing),
    #[error("not allowed")]
    Forbidden,
    /// The dossier changed since the caller read it.
    #[error("the dossier was changed by someone else")]
    DossierConflict,
    /// One field is wrong.
    #[error("invalid {}: {}", .0.field, .0.code)]
    Invalid(FieldError),
    /// A declaration fails its e-form: every field that does.
    #[error("the declaration is not valid")]
    FormInvalid(Vec<FieldError>),
    #[error(transparent)]
    Dossier(#[from] DossierError),
    #[error(transparent)]
    Limit(#[from] LimitError),
    /// An idempotency key sent again with another request.
    #[error("idempotency key reused with another request")]
    IdempotencyKeyReused,
    /// The day's reception numbers of a desk are used up.
    #[error("no reception number left today")]
    CodeSequenceFull,
    /// The live index is being built.
    #[error("the index is being rebuilt")]
    IndexNotReady,
    /// A change of the units the tree refuses (a merge into its own sub-unit, a name
    /// unchanged, …).
    #[error(transparent)]
    Unit(#[from] UnitError),
    /// A calendar row that would make the calendar invalid.
    #[error(transparent)]
    Calendar(#[from] motcua_calendar::CalendarError),
    /// Units a procedure names that the unit tree does not hold.
    #[error("unknown units: {0:?}")]
    UnknownUnits(Vec<motcua_domain::UnitCode>),
    /// A procedure record that does not hold together (no name, …).
    #[error(transparent)]
    Procedure(#[from] motcua_domain::procedure::ProcedureError),
    /// A token asked for a role (the `index`-th asked) that the account does not hold.
    #[error("grant {index} is not held")]
    GrantNotHeld { index: usize },
    /// A user name another account has.
    #[error("the user name is taken")]
    UsernameTaken,
    /// A role the account already holds.
    #[error("the account already holds this role")]
    GrantExists,
    /// A procedure version that is already published.
    #[error("version already published")]
    VersionAlreadyPublished,
    /// Too many attempts (logins, lookups) in the window; try again after so many seconds.
    #[error("too many attempts; retry after {retry_after} s")]
    RateLimited { retry_after: u64 },
    /// No password check came free in time.
    #[error("too many logins are being checked")]
    LoginBusy,
    /// A user name and password that do not match (which part, nobody is told).
    #[error("wrong user name or password")]
    InvalidCredentials,
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Something that should not happen (logged where it is found).
    #[error("internal: {0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(
        field: impl Into<String>,
        code: impl Into<String>,
        vi: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self::Invalid(FieldError::new(field, code, vi, en))
    }

    /// Store errors that mean "no such row" become `NotFound(what)`; others stay.
    pub fn missing(what: Missing) -> impl FnOnce(StoreError) -> Self {
        move |e| match e {
            StoreError::NotFound => Self::NotFound(what),
            other => Self::Store(other),
        }
    }
}
