//! Reading an officer's action form into the service's request. Only the shape of the
//! input is checked here; every rule is the domain's.

use crate::error::ApiError;
use crate::pages::shared::forms_render::Posted;
use chrono::{DateTime, Utc};
use motcua_app::dossiers::Request;
use motcua_domain::UnitCode;
use motcua_domain::dossier::Command;

/// A date typed in a form, as the end of that working day in Vietnam (17:00).
fn date_field(p: &Posted, name: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    let Some(s) = p.text(name) else {
        return Ok(None);
    };
    chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(17, 0, 0))
        .and_then(|t| t.and_local_timezone(crate::pages::vn_offset()).single())
        .map(|t| Some(t.with_timezone(&Utc)))
        .ok_or_else(|| {
            ApiError::invalid(
                name,
                "invalid_date",
                "Ngày không đúng dạng ngày/tháng/năm.",
                "Not a date.",
            )
        })
}

fn desk_field(p: &Posted) -> Result<UnitCode, ApiError> {
    UnitCode::parse(&p.text("desk").unwrap_or_default()).map_err(|_| {
        ApiError::invalid(
            "desk",
            "required",
            "Hãy chọn Bộ phận Một cửa tiếp nhận.",
            "Choose the desk.",
        )
    })
}

pub fn request(action: &str, p: &Posted) -> Result<(&'static str, Request), ApiError> {
    let reason = || p.text("reason").unwrap_or_default();
    let other = |ok, c| Ok((ok, Request::Other(c)));
    match action {
        "tiep-nhan" => Ok((
            "received",
            Request::Receive {
                desk: desk_field(p)?,
                due_at: date_field(p, "due_date")?,
            },
        )),
        "tu-choi" => other(
            "refused",
            Command::Refuse {
                desk: desk_field(p)?,
                reason: reason(),
            },
        ),
        "chuyen-buoc" => other(
            "forwarded",
            Command::Forward {
                note: p.text("note"),
            },
        ),
        "tra-lai" => other("sent_back", Command::SendBack { reason: reason() }),
        "chuyen-don-vi" => {
            let to = UnitCode::parse(&p.text("to").unwrap_or_default()).map_err(|_| {
                ApiError::invalid(
                    "to",
                    "required",
                    "Hãy chọn đơn vị nhận hồ sơ.",
                    "Choose the unit to transfer to.",
                )
            })?;
            other(
                "transferred",
                Command::Transfer {
                    to,
                    reason: reason(),
                },
            )
        }
        "yeu-cau-bo-sung" => other(
            "supplement_requested",
            Command::RequestSupplement {
                items: p.lines("items"),
                reason: reason(),
            },
        ),
        "yeu-cau-nop-phi" => {
            let amount = p
                .text("amount_vnd")
                .map(|s| s.replace(['.', ',', ' '], ""))
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            other(
                "payment_requested",
                Command::RequestPayment { amount_vnd: amount },
            )
        }
        "xac-nhan-nop-phi" => other("payment_confirmed", Command::ConfirmPayment),
        "gia-han" => {
            let due_at = date_field(p, "due_date")?.ok_or_else(|| {
                ApiError::invalid(
                    "due_date",
                    "required",
                    "Hãy nhập ngày hẹn trả mới.",
                    "Give the new date.",
                )
            })?;
            other(
                "extended",
                Command::Extend {
                    due_at,
                    reason: reason(),
                },
            )
        }
        "dung-xu-ly" => other("stopped", Command::Stop { reason: reason() }),
        "hoan-thanh" => other(
            "completed",
            Command::Complete {
                results: p.lines("results"),
            },
        ),
        "tra-ket-qua" => other(
            "returned",
            Command::Return {
                how: p.text("how").unwrap_or_default(),
            },
        ),
        _ => Err(ApiError::not_found("thao tác", "Action")),
    }
}
