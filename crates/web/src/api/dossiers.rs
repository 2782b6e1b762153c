//! `/api/v1/dossiers…`, `/api/v1/inbox`, `/api/v1/lookup`.

use crate::AppState;
use crate::api::{Json, Path, Query, limit};
use crate::auth::Authenticated;
use crate::error::{ApiError, ErrorBody};
use crate::views::{DocumentView, DossierView, TimelineEntry, timeline};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use motcua_app::dossiers::{self as service, Request};
use motcua_domain::access::{Action, units_for};
use motcua_domain::dossier::{Command, Rating, Status};
use motcua_domain::procedure::{ApplicantKind, Channel};
use motcua_domain::{ProcedureCode, UnitCode};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The applicant's, the officer's and the public's dossier endpoints.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(mine, create))
        .routes(routes!(create_assistance_code))
        .routes(routes!(detail))
        .routes(routes!(submit))
        .routes(routes!(save_form))
        .routes(routes!(receive))
        .routes(routes!(refuse))
        .routes(routes!(forward))
        .routes(routes!(send_back))
        .routes(routes!(transfer))
        .routes(routes!(request_supplement))
        .routes(routes!(supplement))
        .routes(routes!(request_payment))
        .routes(routes!(confirm_payment))
        .routes(routes!(extend))
        .routes(routes!(stop))
        .routes(routes!(withdraw))
        .routes(routes!(complete))
        .routes(routes!(return_result))
        .routes(routes!(rate))
        .routes(routes!(inbox))
        .routes(routes!(lookup))
}

fn unit_field(field: &str, s: &str) -> Result<UnitCode, ApiError> {
    UnitCode::parse(s).map_err(|_| {
        ApiError::invalid(
            field,
            "invalid_unit_code",
            "Mã đơn vị không đúng dạng 000.00.31.H57.",
            format!("{field} must look like 000.00.31.H57."),
        )
    })
}

fn time_field(field: &str, s: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            ApiError::invalid(
                field,
                "invalid_datetime",
                "Thời điểm không đúng định dạng RFC 3339.",
                format!("{field} must be RFC 3339."),
            )
        })
}

/// A dossier's components and e-form answers: a JSON object, as the document says; any
/// other JSON value is refused as the body's error, never stored.
type FormData = serde_json::Map<String, serde_json::Value>;

#[derive(Deserialize, ToSchema)]
pub struct CreateDossier {
    /// Procedure code, e.g. 1.001193.
    #[schema(example = "1.001193")]
    pub procedure: String,
    /// The competent unit chosen by the applicant.
    #[schema(example = "000.01.99.H57")]
    pub unit: String,
    /// citizen (default), business, household_business
    #[schema(value_type = Option<String>)]
    pub applicant_kind: Option<ApplicantKind>,
    /// E-form data and component answers.
    #[schema(value_type = Object)]
    pub form_data: Option<FormData>,
    /// A digital helper submitting for someone: that applicant's user name.
    pub on_behalf_of: Option<String>,
    /// With `on_behalf_of`: the consent code the applicant created
    /// (`POST /api/v1/assistance-codes`) and told the helper.
    pub consent_code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ActionResult {
    pub dossier: DossierView,
    /// Given once, on reception: with the code it opens the public lookup.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lookup_secret: Option<String>,
}

/// Creates a draft. With `Idempotency-Key`, a retry returns the first draft (200) instead
/// of a new one (201).
#[utoipa::path(post, path = "/api/v1/dossiers", tag = "dossiers", security(("bearer" = []), ("session" = [])), request_body = CreateDossier,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = ActionResult), (status = 200, body = ActionResult), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Authenticated,
    headers: HeaderMap,
    Json(b): Json<CreateDossier>,
) -> Result<Response, ApiError> {
    let procedure = ProcedureCode::parse(&b.procedure).map_err(|_| {
        ApiError::invalid(
            "procedure",
            "invalid_procedure_code",
            "Mã thủ tục không đúng dạng 1.001193.",
            "procedure must look like 1.001193.",
        )
    })?;
    let unit = unit_field("unit", &b.unit)?;
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if key
        .as_deref()
        .is_some_and(|k| k.is_empty() || k.len() > 200)
    {
        return Err(ApiError::invalid(
            "Idempotency-Key",
            "invalid",
            "Khóa chống lặp không hợp lệ.",
            "Idempotency-Key must be 1–200 characters.",
        ));
    }
    let applicant = match &b.on_behalf_of {
        None => auth.account.id.clone(),
        Some(u) => {
            on_behalf_applicant(&state, &auth, u, b.consent_code.as_deref().unwrap_or("")).await?
        }
    };
    let form_data = serde_json::Value::Object(b.form_data.unwrap_or_default());
    let new = service::NewDraft {
        applicant: &applicant,
        procedure: &procedure,
        unit: &unit,
        applicant_kind: b.applicant_kind.unwrap_or(ApplicantKind::Citizen),
        form_data: &form_data,
        idempotency_key: key.as_deref(),
    };
    let (d, existed) = service::create(&state.app, &auth.account.actor(), new).await?;
    let status = if existed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        axum::Json(ActionResult {
            dossier: DossierView::from(&d),
            lookup_secret: None,
        }),
    )
        .into_response())
}

/// The applicant a helper files for: an account that is a citizen's or a business's and
/// nothing else — never an official's — and who consented, by the code they created and
/// told the helper. Unknown names, ineligible ones and wrong codes get the same answer,
/// and only callers who may file on somebody's behalf get any answer, so that the field
/// cannot be used to find out which accounts exist.
async fn on_behalf_applicant(
    state: &AppState,
    auth: &Authenticated,
    username: &str,
    consent_code: &str,
) -> Result<String, ApiError> {
    use motcua_domain::access::{Role, applicant_only, role_allows};
    if !auth
        .account
        .grants
        .iter()
        .any(|g| g.role != Role::Applicant && role_allows(g.role, Action::SubmitOnBehalf))
    {
        return Err(ApiError::forbidden());
    }
    let not_eligible = || {
        ApiError::invalid(
            "on_behalf_of",
            "applicant_not_eligible",
            "Không thể nộp hộ cho tài khoản này.",
            "This account cannot be filed for.",
        )
    };
    let id = state
        .app
        .store
        .account_by_username(username)
        .await?
        .ok_or_else(not_eligible)?;
    let account = state.app.store.account(&id).await?;
    if account.locked || !applicant_only(&account.grants) || account.id == auth.account.id {
        return Err(not_eligible());
    }
    if !state
        .app
        .store
        .assistance_consented(&id, consent_code, Utc::now())
        .await?
    {
        return Err(not_eligible());
    }
    Ok(id)
}

#[derive(Serialize, ToSchema)]
pub struct AssistanceCode {
    /// Tell it to the community digital helper who files for you (`consent_code`).
    pub code: String,
    /// RFC 3339; the code holds for an hour.
    pub expires_at: String,
}

/// Creates a consent code: with it (and the caller's user name) a community digital helper
/// may start drafts on the caller's behalf for an hour. Only applicants' accounts have one.
#[utoipa::path(post, path = "/api/v1/assistance-codes", tag = "dossiers",
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = AssistanceCode), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_assistance_code(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Response, ApiError> {
    let (code, expires) = motcua_app::dossiers::assistance_code(&state.app, &auth.account).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(AssistanceCode {
            code,
            expires_at: motcua_app::time::vn_time(expires),
        }),
    )
        .into_response())
}

/// The caller's own dossiers, newest first.
#[utoipa::path(get, path = "/api/v1/dossiers", tag = "dossiers", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<DossierView>), (status = 401, body = ErrorBody)))]
pub async fn mine(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<axum::Json<Vec<DossierView>>, ApiError> {
    let list = state.app.store.applicant_dossiers(&auth.account.id).await?;
    Ok(axum::Json(list.iter().map(DossierView::from).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct DossierDetail {
    pub dossier: DossierView,
    pub timeline: Vec<TimelineEntry>,
    pub documents: Vec<DocumentView>,
    #[schema(value_type = Object)]
    pub form_data: serde_json::Value,
}

/// One dossier with its timeline and documents: for its applicant, and for officers of its
/// units.
#[utoipa::path(get, path = "/api/v1/dossiers/{id}", operation_id = "dossier_detail", tag = "dossiers", security(("bearer" = []), ("session" = [])), params(("id" = String, Path)),
    responses((status = 200, body = DossierDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<axum::Json<DossierDetail>, ApiError> {
    // Not even whether it exists, to whoever may not read it.
    let stored = motcua_app::dossiers::readable(&state.app, &auth.account.actor(), &id).await?;
    let d = &stored.state;
    let events = state.app.store.dossier_events(&id).await?;
    let documents = state.app.store.documents(&id).await?;
    Ok(axum::Json(DossierDetail {
        dossier: DossierView::from(d),
        timeline: timeline(&events, false),
        documents: documents.iter().map(DocumentView::from).collect(),
        form_data: stored.form_data,
    }))
}

async fn run(
    state: &AppState,
    auth: &Authenticated,
    id: &str,
    version: Option<i64>,
    req: Request,
) -> Result<axum::Json<ActionResult>, ApiError> {
    let out = service::execute(&state.app, &auth.account.actor(), id, version, req).await?;
    Ok(axum::Json(ActionResult {
        dossier: DossierView::from(&out.dossier),
        lookup_secret: out.lookup_secret,
    }))
}

/// Every command body carries the version the caller saw (optimistic concurrency).
macro_rules! body {
    ($name:ident { $($(#[$m:meta])* $f:ident : $t:ty),* $(,)? }) => {
        #[derive(Deserialize, ToSchema)]
        pub struct $name {
            /// The dossier version the caller saw; a stale one answers 409 dossier_conflict.
            pub version: Option<i64>,
            $($(#[$m])* pub $f: $t,)*
        }
    };
}

body!(SubmitBody {
    /// online (default), direct, postal
    #[schema(value_type = Option<String>)]
    channel: Option<Channel>,
    on_behalf: Option<bool>,
    /// The final components; the stored draft's when absent. An e-form is validated.
    #[schema(value_type = Option<Object>)]
    form_data: Option<FormData>
});
body!(FormBody {
    #[schema(value_type = Object)]
    form_data: FormData
});
body!(SupplementBody {
    /// Corrected components, if the request asked for changes to the declaration.
    #[schema(value_type = Option<Object>)]
    form_data: Option<FormData>
});
body!(ReceiveBody {
    /// The desk receiving it (any unit of the province).
    desk: String,
    /// Only where the procedure has no time limit in the catalogue.
    due_at: Option<String>
});
body!(RefuseBody {
    desk: String,
    reason: String
});
body!(ForwardBody { note: Option<String> });
body!(ReasonBody { reason: String });
body!(TransferBody {
    /// The competent unit of the procedure to hand the dossier to.
    to: String,
    /// Why, in writing (required).
    reason: String
});
body!(SupplementRequestBody { items: Vec<String>, reason: String });
body!(VersionBody {});
body!(PaymentBody { amount_vnd: u64 });
body!(ExtendBody {
    due_at: String,
    reason: String
});
body!(WithdrawBody { reason: Option<String> });
body!(CompleteBody { results: Vec<String> });
body!(ReturnBody { how: String });
body!(RateBody {
    /// satisfied or unsatisfied
    #[schema(value_type = String)]
    rating: Rating,
    comment: Option<String>
});

macro_rules! action {
    ($fn:ident, $path:literal, $body:ty, $doc:literal, |$b:ident| $req:expr) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "dossiers", security(("bearer" = []), ("session" = [])), request_body = $body, params(("id" = String, Path)),
            responses((status = 200, body = ActionResult), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
                (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
        pub async fn $fn(State(state): State<AppState>, auth: Authenticated, Path(id): Path<String>, Json($b): Json<$body>) -> Result<axum::Json<ActionResult>, ApiError> {
            let version = $b.version;
            let req: Request = $req;
            run(&state, &auth, &id, version, req).await
        }
    };
}

action!(
    submit,
    "/api/v1/dossiers/{id}/submit",
    SubmitBody,
    "Submits a draft (online by default; a helper's submission counts as online).",
    |b| Request::Submit {
        channel: b.channel.unwrap_or(Channel::Online),
        on_behalf: b.on_behalf.unwrap_or(false),
        form_data: b.form_data.map(serde_json::Value::Object)
    }
);
action!(
    save_form,
    "/api/v1/dossiers/{id}/form",
    FormBody,
    "Saves a draft's components, to resume later.",
    |b| Request::SaveForm {
        form_data: serde_json::Value::Object(b.form_data)
    }
);
action!(
    receive,
    "/api/v1/dossiers/{id}/receive",
    ReceiveBody,
    "Receives a submitted dossier at a desk: issues the code, the appointment and the receipt (form 01).",
    |b| Request::Receive {
        desk: unit_field("desk", &b.desk)?,
        due_at: b
            .due_at
            .as_deref()
            .map(|s| time_field("due_at", s))
            .transpose()?
    }
);
action!(
    refuse,
    "/api/v1/dossiers/{id}/refuse",
    RefuseBody,
    "Refuses a submitted dossier with a written reason (form 03).",
    |b| Request::Other(Command::Refuse {
        desk: unit_field("desk", &b.desk)?,
        reason: b.reason
    })
);
action!(
    forward,
    "/api/v1/dossiers/{id}/forward",
    ForwardBody,
    "Moves the dossier to the next step of its process.",
    |b| Request::Other(Command::Forward { note: b.note })
);
action!(
    send_back,
    "/api/v1/dossiers/{id}/send-back",
    ReasonBody,
    "Sends the dossier back to the previous step.",
    |b| Request::Other(Command::SendBack { reason: b.reason })
);
action!(
    transfer,
    "/api/v1/dossiers/{id}/transfer",
    TransferBody,
    "Transfers the dossier to another competent unit of its procedure, with a written reason; the new unit starts its process from the first step, the code and the appointment stay.",
    |b| Request::Other(Command::Transfer {
        to: unit_field("to", &b.to)?,
        reason: b.reason
    })
);
action!(
    request_supplement,
    "/api/v1/dossiers/{id}/request-supplement",
    SupplementRequestBody,
    "One consolidated supplement request (form 02); the clock stops.",
    |b| Request::Other(Command::RequestSupplement {
        items: b.items,
        reason: b.reason
    })
);
action!(
    supplement,
    "/api/v1/dossiers/{id}/supplement",
    SupplementBody,
    "The applicant has supplied everything; the clock runs again and the appointment moves by the stopped time.",
    |b| Request::CompleteSupplement {
        form_data: b.form_data.map(serde_json::Value::Object)
    }
);
action!(
    request_payment,
    "/api/v1/dossiers/{id}/request-payment",
    PaymentBody,
    "Asks for fees and charges.",
    |b| Request::Other(Command::RequestPayment {
        amount_vnd: b.amount_vnd
    })
);
action!(
    confirm_payment,
    "/api/v1/dossiers/{id}/confirm-payment",
    VersionBody,
    "Records that the fees were paid.",
    |_b| Request::Other(Command::ConfirmPayment)
);
action!(
    extend,
    "/api/v1/dossiers/{id}/extend",
    ExtendBody,
    "Apology and extension (form 04), before the appointment; once by default.",
    |b| Request::Other(Command::Extend {
        due_at: time_field("due_at", &b.due_at)?,
        reason: b.reason
    })
);
action!(
    stop,
    "/api/v1/dossiers/{id}/stop",
    ReasonBody,
    "Stops processing with a written reason (form 05).",
    |b| Request::Other(Command::Stop { reason: b.reason })
);
action!(
    withdraw,
    "/api/v1/dossiers/{id}/withdraw",
    WithdrawBody,
    "The applicant withdraws (until completed).",
    |b| Request::Other(Command::Withdraw { reason: b.reason })
);
action!(
    complete,
    "/api/v1/dossiers/{id}/complete",
    CompleteBody,
    "Completes with the result documents.",
    |b| Request::Other(Command::Complete { results: b.results })
);
action!(
    return_result,
    "/api/v1/dossiers/{id}/return",
    ReturnBody,
    "Hands the result over (desk, online or public post).",
    |b| Request::Other(Command::Return { how: b.how })
);
action!(
    rate,
    "/api/v1/dossiers/{id}/rate",
    RateBody,
    "The applicant rates the service after return.",
    |b| Request::Other(Command::Rate {
        rating: b.rating,
        comment: b.comment
    })
);

#[derive(Deserialize, IntoParams)]
pub struct InboxQuery {
    /// A status (e.g. submitted, processing, supplement_requested).
    pub status: Option<String>,
    pub procedure: Option<String>,
    /// Only one unit of the caller's.
    pub unit: Option<String>,
    /// soon (due before the end of tomorrow) or overdue.
    pub due: Option<String>,
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Inbox {
    pub items: Vec<DossierView>,
    pub next_cursor: Option<String>,
    #[schema(value_type = Object)]
    pub counts: motcua_store::dossiers::InboxCounts,
}

/// An officer's dossiers, filtered in the query to the units the caller works in.
#[utoipa::path(get, path = "/api/v1/inbox", tag = "dossiers", security(("bearer" = []), ("session" = [])), params(InboxQuery),
    responses((status = 200, body = Inbox), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn inbox(
    State(state): State<AppState>,
    auth: Authenticated,
    Query(q): Query<InboxQuery>,
) -> Result<axum::Json<Inbox>, ApiError> {
    let tree = state.app.store.unit_tree().await?;
    let actor = auth.account.actor();
    let mut units = units_for(&actor, Action::ReadDossier, &tree);
    if let Some(u) = q.unit.as_deref().filter(|u| !u.is_empty()) {
        let u = unit_field("unit", u)?;
        units.retain(|x| *x == u);
    }
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            ApiError::invalid(
                "status",
                "invalid_choice",
                "Trạng thái không hợp lệ.",
                "Unknown status.",
            )
        })?),
    };
    let now = Utc::now();
    let end_of_today = motcua_app::time::end_of_day(now, 0);
    let due_before = match q.due.as_deref() {
        None | Some("") => None,
        Some("soon") => Some(motcua_app::time::end_of_day(now, 1)),
        Some("overdue") => Some(now),
        Some(_) => {
            return Err(ApiError::invalid(
                "due",
                "invalid_choice",
                "Bộ lọc hạn xử lý phải là soon hoặc overdue.",
                "due must be soon or overdue.",
            ));
        }
    };
    let desks = units_for(&auth.account.actor(), Action::ReceiveDossier, &tree);
    let filter = motcua_store::dossiers::InboxFilter {
        units: units.clone(),
        desks: desks.clone(),
        status,
        procedure: q.procedure.clone().filter(|p| !p.is_empty()),
        due_before,
        limit: limit(q.limit),
        cursor: q.cursor.clone(),
    };
    let (items, next_cursor) = state.app.store.inbox(&filter).await?;
    let counts = state
        .app
        .store
        .inbox_counts(&units, &desks, now, end_of_today)
        .await?;
    Ok(axum::Json(Inbox {
        items: items.iter().map(DossierView::from).collect(),
        next_cursor,
        counts,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct LookupQuery {
    /// The dossier code on the receipt.
    pub code: String,
    /// The lookup secret printed on the receipt.
    pub secret: String,
}

#[derive(Serialize, ToSchema)]
pub struct PublicDossier {
    pub code: String,
    pub procedure: String,
    pub status: String,
    pub status_label: String,
    pub due_at: Option<String>,
    pub current_due_at: Option<String>,
    pub timeline: Vec<TimelineEntry>,
}

/// Anyone with the code and the receipt's secret sees the status and timeline, without
/// personal data. Wrong pairs answer 404, whether or not the code exists.
#[utoipa::path(get, path = "/api/v1/lookup", tag = "dossiers", params(LookupQuery),
    responses((status = 200, body = PublicDossier), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn lookup(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Query(q): Query<LookupQuery>,
) -> Result<axum::Json<PublicDossier>, ApiError> {
    let secret = q.secret.trim().to_uppercase();
    let d = state
        .lookup_dossier(addr.ip(), q.code.trim(), &secret)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(
                "hồ sơ với mã và mã tra cứu này",
                "Dossier with this code and secret",
            )
        })?;
    let events = state.app.store.dossier_events(&d.id).await?;
    Ok(axum::Json(PublicDossier {
        code: d.code.as_ref().map(ToString::to_string).unwrap_or_default(),
        procedure: d.procedure.to_string(),
        status: d.status.as_str().into(),
        status_label: d.status.label_vi().into(),
        due_at: d.due_at.map(motcua_app::time::vn_time),
        current_due_at: d.current_due_at.map(motcua_app::time::vn_time),
        timeline: timeline(&events, true),
    }))
}
