//! The app's refusals as the HTTP edge states them: a status, the stable code, Vietnamese
//! and English messages. Every `AppError` a handler meets passes through here (`?`).

use crate::error::{ApiError, FieldError};
use axum::http::StatusCode;
use motcua_app::{AppError, Missing};
use motcua_domain::dossier::{DossierError, LimitError};
use motcua_domain::unit::UnitError;

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound(what) => not_found(what),
            AppError::Forbidden => ApiError::forbidden(),
            AppError::DossierConflict => conflict(),
            AppError::Invalid(f) => {
                let vi = f.message_vi.clone().unwrap_or_default();
                let en = f.message_en.clone().unwrap_or_default();
                ApiError::invalid(&f.field, &f.code, vi, en)
            }
            AppError::FormInvalid(fields) => {
                let mut e = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation_failed",
                    "Tờ khai chưa hợp lệ, vui lòng sửa các mục được đánh dấu.",
                    "The declaration is not valid; see the fields.",
                );
                e.fields = fields.into_iter().map(field).collect();
                e
            }
            AppError::Dossier(e) => domain_error(e),
            AppError::Limit(e) => limit_error(e),
            AppError::IdempotencyKeyReused => {
                let mut e = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "idempotency_key_reused",
                    "Khóa chống lặp (Idempotency-Key) này đã được dùng cho một yêu cầu khác. Hãy dùng khóa mới cho yêu cầu mới.",
                    "This Idempotency-Key was already used with a different request; use a new key for a new request.",
                );
                e.fields.push(FieldError {
                    field: "Idempotency-Key".into(),
                    code: "idempotency_key_reused".into(),
                    message: None,
                    message_en: None,
                });
                e
            }
            AppError::CodeSequenceFull => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "code_sequence_full",
                "Đã hết số hồ sơ trong ngày.",
                "No reception number is left for today at this desk.",
            ),
            AppError::IndexNotReady => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "index_not_ready",
                "Chỉ số đang được tính lại, vui lòng thử lại sau.",
                "The index is being rebuilt; try again shortly.",
            ),
            AppError::Unit(e) => unit_error(e),
            AppError::GrantNotHeld { index } => {
                let mut e = ApiError::invalid(
                    "grants",
                    "not_held",
                    "Phạm vi của mã truy cập không hợp lệ.",
                    "The token's scope is not valid.",
                );
                e.fields = vec![FieldError {
                    field: format!("grants[{index}]"),
                    code: "not_held".into(),
                    message: Some("Bạn không giữ vai trò này tại đơn vị này.".into()),
                    message_en: Some("You do not hold this role in this unit.".into()),
                }];
                e
            }
            AppError::UsernameTaken => ApiError::new(
                StatusCode::CONFLICT,
                "username_taken",
                "Tên đăng nhập đã được dùng.",
                "The user name is taken.",
            ),
            AppError::GrantExists => ApiError::new(
                StatusCode::CONFLICT,
                "grant_exists",
                "Tài khoản đã có vai trò này.",
                "The account already holds this role.",
            ),
            AppError::UnknownUnits(units) => {
                let list = units
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                ApiError::invalid(
                    "units",
                    "unknown_unit",
                    format!("Đơn vị {list} không tồn tại."),
                    format!("Unit {list} does not exist."),
                )
            }
            AppError::Procedure(e) => ApiError::invalid(
                "procedure",
                "invalid",
                "Nội dung thủ tục không hợp lệ.",
                e.to_string(),
            ),
            AppError::Calendar(e) => ApiError::invalid(
                "date",
                "invalid_calendar_row",
                "Dòng lịch làm việc không hợp lệ.",
                e.to_string(),
            ),
            // As any other conflict of the store (the answer before publishing moved here).
            AppError::VersionAlreadyPublished => {
                motcua_store::StoreError::Conflict("version already published".into()).into()
            }
            AppError::RateLimited { retry_after } => ApiError::rate_limited(retry_after),
            AppError::LoginBusy => {
                let mut e = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "login_busy",
                    "Hệ thống đang xử lý nhiều lượt đăng nhập. Vui lòng thử lại sau ít giây.",
                    "Too many logins are being checked. Try again in a few seconds.",
                );
                e.retry_after = Some(5);
                e
            }
            AppError::InvalidCredentials => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "Tên đăng nhập hoặc mật khẩu không đúng.",
                "Wrong user name or password.",
            ),
            AppError::Store(e) => e.into(),
            AppError::Internal(what) => {
                tracing::error!(%what, "internal error");
                ApiError::internal()
            }
        }
    }
}

fn field(f: motcua_app::FieldError) -> FieldError {
    FieldError {
        field: f.field,
        code: f.code,
        message: f.message_vi,
        message_en: f.message_en,
    }
}

fn not_found(what: Missing) -> ApiError {
    let (vi, en) = match what {
        Missing::Dossier => ("hồ sơ", "Dossier"),
        Missing::File => ("tệp", "File"),
        Missing::Procedure => ("thủ tục", "Procedure"),
        Missing::Unit => ("đơn vị", "Unit"),
        Missing::Account => ("cán bộ", "Officer"),
        Missing::Version => ("phiên bản", "Version"),
        Missing::CalendarRow => ("dòng lịch", "Calendar row"),
        Missing::Grant => ("vai trò", "Role"),
        Missing::Token => ("mã truy cập", "Token"),
    };
    ApiError::not_found(vi, en)
}

fn domain_error(e: DossierError) -> ApiError {
    use DossierError as E;
    let (status, code, vi): (StatusCode, &'static str, &str) = match &e {
        E::Forbidden => return ApiError::forbidden(),
        E::WrongStatus { .. } => (
            StatusCode::CONFLICT,
            "wrong_status",
            "Hồ sơ đang ở trạng thái không cho phép thao tác này.",
        ),
        E::StepDoesNotAllow(_) => (
            StatusCode::CONFLICT,
            "step_does_not_allow",
            "Bước xử lý hiện tại không cho phép thao tác này.",
        ),
        E::ReasonRequired => {
            return ApiError::invalid("reason", "required", "Cần ghi rõ lý do.", e.to_string());
        }
        E::ItemsRequired => {
            return ApiError::invalid(
                "items",
                "required",
                "Cần liệt kê đầy đủ giấy tờ phải bổ sung.",
                e.to_string(),
            );
        }
        E::ExtensionLimit(_) => (
            StatusCode::CONFLICT,
            "extension_limit",
            "Hồ sơ đã được gia hạn, không được gia hạn thêm.",
        ),
        E::ExtensionTiming => {
            return ApiError::invalid(
                "due_at",
                "extension_timing",
                "Chỉ gia hạn trước thời hạn và tới một ngày sau thời hạn hiện tại.",
                e.to_string(),
            );
        }
        E::WaitingForChild => (
            StatusCode::CONFLICT,
            "waiting_for_inter_agency",
            "Hồ sơ đang chờ kết quả liên thông từ cơ quan khác.",
        ),
        E::OtherProvince => {
            return ApiError::invalid(
                "desk",
                "other_province",
                "Bộ phận Một cửa chỉ tiếp nhận hồ sơ của đơn vị trong tỉnh.",
                e.to_string(),
            );
        }
        E::ResultRequired => {
            return ApiError::invalid(
                "results",
                "required",
                "Cần có ít nhất một văn bản kết quả.",
                e.to_string(),
            );
        }
        E::AmountRequired => {
            return ApiError::invalid(
                "amount_vnd",
                "required",
                "Số tiền phải lớn hơn 0.",
                e.to_string(),
            );
        }
        E::AmountTooLarge => {
            return ApiError::invalid(
                "amount_vnd",
                "too_large",
                "Tổng số tiền yêu cầu của hồ sơ vượt quá mức có thể ghi nhận.",
                e.to_string(),
            );
        }
        E::AlreadyRated => (
            StatusCode::CONFLICT,
            "already_rated",
            "Hồ sơ đã được đánh giá.",
        ),
        E::FileTypeNotAllowed => return crate::uploads::type_not_allowed(None),
        E::InvalidFile => {
            return ApiError::invalid("file", "invalid_file", "Tệp không hợp lệ.", e.to_string());
        }
        E::ComponentRequired => {
            return ApiError::invalid(
                "component",
                "required",
                "Hãy chọn thành phần hồ sơ của tệp.",
                e.to_string(),
            );
        }
        E::ChannelNotAtDesk => {
            return ApiError::invalid(
                "channel",
                "channel_not_at_desk",
                "Hồ sơ giấy chỉ tiếp nhận trực tiếp hoặc qua bưu chính công ích.",
                e.to_string(),
            );
        }
        E::TransferNotCompetent => {
            return ApiError::invalid(
                "to",
                "not_competent",
                "Đơn vị được chọn không có thẩm quyền giải quyết thủ tục này.",
                e.to_string(),
            );
        }
        E::TransferSameUnit => {
            return ApiError::invalid(
                "to",
                "same_unit",
                "Hồ sơ đang ở chính đơn vị này; hãy chọn đơn vị khác.",
                e.to_string(),
            );
        }
    };
    ApiError::new(status, code, vi, e.to_string())
}

fn conflict() -> ApiError {
    ApiError::conflict(
        "dossier_conflict",
        "Hồ sơ đã được người khác cập nhật.",
        "The dossier was changed by someone else.",
    )
}

fn mb(bytes: u64) -> u64 {
    bytes.div_ceil(1024 * 1024)
}

/// A passed limit as the API answers it: 413 for size, 422 otherwise, the limit's code at
/// the top and on the field it is about.
fn limit_error(e: LimitError) -> ApiError {
    let (vi, en) = match &e {
        // Not a limit but a malformed request: the usual validation answer.
        LimitError::FormDataNotObject => {
            return ApiError::invalid(
                "form_data",
                e.code(),
                "Dữ liệu tờ khai (form_data) phải là một đối tượng JSON.",
                "form_data must be a JSON object.",
            );
        }
        LimitError::FormDataTooLarge { max_bytes } => {
            let kib = max_bytes / 1024;
            (
                format!("Dữ liệu tờ khai quá lớn: tối đa {kib} KiB."),
                format!("form_data is too large: at most {kib} KiB."),
            )
        }
        LimitError::FormDataTooDeep { max_depth } => (
            format!("Dữ liệu tờ khai lồng nhau quá sâu: tối đa {max_depth} cấp."),
            format!("form_data nests too deeply: at most {max_depth} levels."),
        ),
        LimitError::TooManyDrafts { max } => (
            format!(
                "Tài khoản đã có {max} hồ sơ nháp chưa nộp. Hãy nộp hoặc rút bớt hồ sơ nháp trước khi tạo hồ sơ mới."
            ),
            format!(
                "The account already holds {max} unsubmitted drafts; submit or withdraw some first."
            ),
        ),
        LimitError::TooManyFiles { max } => (
            format!("Hồ sơ đã đủ số tệp cho phép: tối đa {max} tệp."),
            format!("The dossier holds the most files allowed: {max}."),
        ),
        LimitError::FilesTooLarge { max_bytes } => {
            let mb = mb(*max_bytes);
            (
                format!("Tổng dung lượng tệp của hồ sơ vượt quá {mb} MB."),
                format!("The dossier's files would exceed {mb} MB together."),
            )
        }
        LimitError::TextTooLong { field, max_chars } => (
            format!("Nội dung “{field}” quá dài: tối đa {max_chars} ký tự."),
            format!("{field} is too long: at most {max_chars} characters."),
        ),
        LimitError::TooManyItems { field, max } => (
            format!("Danh sách “{field}” quá dài: tối đa {max} mục."),
            format!("{field} has too many entries: at most {max}."),
        ),
    };
    let status = if e.too_large() {
        StatusCode::PAYLOAD_TOO_LARGE
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut out = ApiError::new(status, e.code(), vi.clone(), en.clone());
    out.fields.push(FieldError {
        field: e.field(),
        code: e.code().to_owned(),
        message: Some(vi),
        message_en: Some(en),
    });
    out
}

fn unit_error(e: UnitError) -> ApiError {
    match e {
        UnitError::Unknown(_) => ApiError::not_found("đơn vị", "Unit"),
        UnitError::NameUnchanged => ApiError::invalid(
            "name",
            "unchanged",
            "Tên mới trống hoặc trùng tên cũ.",
            e.to_string(),
        ),
        UnitError::MergeIntoOwnSubtree | UnitError::MergeRoot | UnitError::AlreadyMerged(..) => {
            ApiError::invalid(
                "into",
                "merge_not_allowed",
                "Không thể sáp nhập vào đơn vị này.",
                e.to_string(),
            )
        }
        UnitError::MissingParent { .. } | UnitError::Cycle(_) => ApiError::internal(),
    }
}
