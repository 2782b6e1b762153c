//! The national portal's messages, field for field (`docs/national-portal.md`). Field
//! names are the portal's own (`MaHoSo`, `TrangThaiHoSo`, …), kept as Rust names so that
//! the mapping can be read against the protocol without a rename table.
#![allow(non_snake_case)]

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `yyyyMMddHHmmss` in Vietnam's time, the portal's one date format.
pub fn portal_date(t: DateTime<Utc>) -> String {
    t.with_timezone(&motcua_calendar::VIETNAM_OFFSET)
        .format("%Y%m%d%H%M%S")
        .to_string()
}

/// The summary's limit, in characters.
pub const SUMMARY_MAX: usize = 1000;

/// Progress rows per call.
pub const PROGRESS_BATCH: usize = 10;

pub const SERVICE_SYNC: &str = "DongBoHoSoMC";
pub const SERVICE_PROGRESS: &str = "CapNhatTienDoHoSoMC";

/// `HoSoDongBoDVC`: one dossier as the portal keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoSo {
    pub MaHoSo: String,
    pub MaTTHC: String,
    pub TenTTHC: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub MaLinhVuc: Option<String>,
    pub KenhThucHien: String,
    pub LoaiDoiTuong: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub MaDoiTuong: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChuHoSo: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub SoGiayToChuHoSo: Option<String>,
    pub DinhDanhCHS: Vec<DinhDanh>,
    pub TrichYeuHoSo: String,
    pub NgayNopHoSo: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub NgayTiepNhan: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub NgayHenTra: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub NgayTra: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub NgayKetThucXuLy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub NgayTuChoi: Option<String>,
    pub TrangThaiHoSo: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub HinhThuc: Option<String>,
    pub DonViXuLy: String,
    pub NoiNopHoSo: String,
    pub HoSoCoThanhPhanSoHoa: String,
    pub TaiKhoanDuocXacThucVoiVNeID: String,
    pub DuocThanhToanTrucTuyen: String,
    pub TaiLieuNop: Vec<TaiLieu>,
    pub DanhSachLePhi: Vec<LePhi>,
    pub DanhSachHoSoBoSung: Vec<BoSung>,
    pub DanhSachGiayToKetQua: Vec<KetQua>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DinhDanh {
    /// `1`: a 12-digit CCCD.
    pub LoaiDinhDanh: String,
    pub SoDinhDanh: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaiLieu {
    pub TepDinhKemId: String,
    pub TenTepDinhKem: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub MaThanhPhanHoSo: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LePhi {
    pub TenPhiLePhi: String,
    /// Whole đồng.
    pub Gia: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoSung {
    pub HoSoBoSungId: String,
    pub NoiDungBoSung: String,
    pub NgayBoSung: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub NgayTiepNhanBoSung: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub NgayHenTraTruoc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub NgayHenTraMoi: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KetQua {
    pub TenGiayTo: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub GiayToId: Option<String>,
}

/// One progress row: one step of the dossier's handling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TienDo {
    pub MaHoSo: String,
    pub NguoiXuLy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChucDanh: Option<String>,
    pub ThoiDiemXuLy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub PhongBanXuLy: Option<String>,
    pub NoiDungXuLy: String,
    pub TrangThai: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub NgayBatDau: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub NgayKetThucTheoQuyDinh: Option<String>,
}

/// The gateway's answer to every call.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Answer {
    #[serde(deserialize_with = "error_code")]
    pub error_code: i64,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub session: Option<String>,
    #[serde(default)]
    pub expires_in: Option<u64>,
}

/// What an `error_code` means to the adapter.
pub mod code {
    pub const OK: i64 = 0;
    pub const SESSION: i64 = -1;
    pub const INVALID: i64 = -2;
    pub const MISSING: i64 = -4;

    /// "Already exists", which the portal answers as 3 or -3.
    pub fn exists(c: i64) -> bool {
        c == 3 || c == -3
    }
}

/// A number, or a string of digits as some gateways send it (`"0"`, `"00"`, `"-3"`).
fn error_code<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Code {
        N(i64),
        S(String),
    }
    match Code::deserialize(d)? {
        Code::N(n) => Ok(n),
        Code::S(s) => s
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("error_code {s:?} is not a number"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_the_portals_in_vietnam_time() {
        let t = DateTime::parse_from_rfc3339("2026-03-02T17:05:09Z")
            .unwrap()
            .to_utc();
        assert_eq!(portal_date(t), "20260303000509");
    }

    #[test]
    fn an_error_code_reads_as_a_number_or_digits() {
        for (body, code) in [
            (r#"{"error_code":0}"#, 0),
            (r#"{"error_code":"00","message":"ok"}"#, 0),
            (r#"{"error_code":"-3"}"#, -3),
            (r#"{"error_code":3}"#, 3),
        ] {
            let a: Answer = serde_json::from_str(body).unwrap();
            assert_eq!(a.error_code, code, "{body}");
        }
        assert!(serde_json::from_str::<Answer>(r#"{"error_code":"ok"}"#).is_err());
        assert!(serde_json::from_str::<Answer>(r#"{"message":"no code"}"#).is_err());
        assert!(code::exists(-3) && code::exists(3) && !code::exists(0));
    }
}
