//! Dossier statuses and their national-portal codes (TrangThaiHoSo).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Submitted,
    Received,
    Refused,
    Processing,
    SupplementRequested,
    PaymentRequested,
    Withdrawn,
    Stopped,
    Completed,
    Returned,
}

impl Status {
    pub const ALL: [Status; 11] = [
        Status::Draft,
        Status::Submitted,
        Status::Received,
        Status::Refused,
        Status::Processing,
        Status::SupplementRequested,
        Status::PaymentRequested,
        Status::Withdrawn,
        Status::Stopped,
        Status::Completed,
        Status::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Received => "received",
            Status::Refused => "refused",
            Status::Processing => "processing",
            Status::SupplementRequested => "supplement_requested",
            Status::PaymentRequested => "payment_requested",
            Status::Withdrawn => "withdrawn",
            Status::Stopped => "stopped",
            Status::Completed => "completed",
            Status::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The national portal's TrangThaiHoSo code; a draft is not synced.
    pub fn national_code(self) -> Option<u8> {
        Some(match self {
            Status::Draft => return None,
            Status::Submitted => 1,
            Status::Received => 2,
            Status::Refused => 3,
            Status::Processing => 4,
            Status::SupplementRequested => 5,
            Status::PaymentRequested => 6,
            Status::Withdrawn => 7,
            Status::Stopped => 8,
            Status::Completed => 9,
            Status::Returned => 10,
        })
    }

    /// Nothing follows a terminal status.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Status::Refused | Status::Withdrawn | Status::Stopped | Status::Returned
        )
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Status::Draft => "Đang soạn",
            Status::Submitted => "Mới đăng ký",
            Status::Received => "Đã tiếp nhận",
            Status::Refused => "Không được tiếp nhận",
            Status::Processing => "Đang xử lý",
            Status::SupplementRequested => "Yêu cầu bổ sung",
            Status::PaymentRequested => "Chờ thực hiện nghĩa vụ tài chính",
            Status::Withdrawn => "Đã rút hồ sơ",
            Status::Stopped => "Dừng xử lý",
            Status::Completed => "Đã xử lý xong",
            Status::Returned => "Đã trả kết quả",
        }
    }
}
