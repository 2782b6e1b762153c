//! The domain's refusals as the HTTP edge states them: stable codes, Vietnamese messages.

use crate::error::ApiError;
use axum::http::StatusCode;
use motcua_domain::dossier::DossierError;

pub fn domain_error(e: DossierError) -> ApiError {
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
        E::FileTypeNotAllowed => return super::files::type_not_allowed(None),
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

pub fn conflict() -> ApiError {
    ApiError::conflict(
        "dossier_conflict",
        "Hồ sơ đã được người khác cập nhật.",
        "The dossier was changed by someone else.",
    )
}
