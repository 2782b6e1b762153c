//! The field rules of `docs/national-portal.md`, as the gateway applies them: a dossier
//! record (`HoSoDongBoDVC`) and a progress row. The first bad field is reported, in the
//! order of the doc's table, so that the same record always gets the same message.
//!
//! Codes are strings of digits, as the portal's connectors send them; a number where a
//! string is expected is refused, because a gateway that compares strings would refuse it.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{Map, Value};

type Object = Map<String, Value>;

/// The first field that broke a rule, and why (in Vietnamese, as the gateway answers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub why: String,
}

impl Invalid {
    pub fn new(field: impl Into<String>, why: impl Into<String>) -> Self {
        Invalid {
            field: field.into(),
            why: why.into(),
        }
    }

    /// The same fault seen from the enclosing value, e.g. `data[2]` then `DinhDanhCHS[0]`.
    pub fn under(self, prefix: &str) -> Self {
        Invalid {
            field: format!("{prefix}.{}", self.field),
            why: self.why,
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.why)
    }
}

pub const MAX_SUMMARY_CHARS: usize = 1000;

const STATUSES: [&str; 10] = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"];
const CHANNELS: [&str; 3] = ["1", "2", "3"];
const SUBJECT_KINDS: [&str; 4] = ["1", "2", "3", "4"];
const RETURN_WAYS: [&str; 2] = ["0", "1"];
const FILED_AT: [&str; 2] = ["1", "2"];
const FLAG: [&str; 2] = ["0", "1"];
/// `LoaiDinhDanh` of a citizen's CCCD, the one type whose number the doc constrains.
const CCCD: &str = "1";

const REQUIRED: &str = "bắt buộc, không được để trống";

/// Checks one `HoSoDongBoDVC` and gives back its `MaHoSo`.
pub fn record(value: &Value) -> Result<&str, Invalid> {
    let r = value
        .as_object()
        .ok_or_else(|| Invalid::new("HoSoDongBoDVC", "phải là một đối tượng JSON"))?;
    // Read ahead of its place in the table: the dates before it depend on it. A bad
    // status is reported at its own place.
    let status = text(r, "TrangThaiHoSo")
        .ok()
        .flatten()
        .and_then(|s| s.parse::<u8>().ok())
        .filter(|s| (1..=10).contains(s));
    let received = status.is_some_and(|s| s >= 2 && s != 3);

    let code = required(r, "MaHoSo")?;
    procedure_code(r, "MaTTHC")?;
    required(r, "TenTTHC")?;
    text(r, "MaLinhVuc")?;
    one_of(r, "KenhThucHien", &CHANNELS, true)?;
    one_of(r, "LoaiDoiTuong", &SUBJECT_KINDS, true)?;
    text(r, "MaDoiTuong")?;
    text(r, "ChuHoSo")?;
    text(r, "SoGiayToChuHoSo")?;
    each(r, "DinhDanhCHS", identity)?;
    summary(r, "TrichYeuHoSo")?;
    date(r, "NgayNopHoSo", true)?;
    date(r, "NgayTiepNhan", received)?;
    date(r, "NgayHenTra", received)?;
    date(r, "NgayTra", status == Some(10))?;
    date(r, "NgayKetThucXuLy", false)?;
    date(r, "NgayTuChoi", status == Some(3))?;
    one_of(r, "TrangThaiHoSo", &STATUSES, true)?;
    one_of(r, "HinhThuc", &RETURN_WAYS, false)?;
    required(r, "DonViXuLy")?;
    one_of(r, "NoiNopHoSo", &FILED_AT, false)?;
    one_of(r, "HoSoCoThanhPhanSoHoa", &FLAG, true)?;
    one_of(r, "TaiKhoanDuocXacThucVoiVNeID", &FLAG, true)?;
    one_of(r, "DuocThanhToanTrucTuyen", &FLAG, true)?;
    each(r, "TaiLieuNop", |f| {
        texts(
            f,
            &[
                "TepDinhKemId",
                "TenTepDinhKem",
                "MaThanhPhanHoSo",
                "DuongDanTaiTepTin",
            ],
        )
    })?;
    each(r, "DanhSachLePhi", fee)?;
    each(r, "DanhSachHoSoBoSung", supplement)?;
    each(r, "DanhSachGiayToKetQua", |f| {
        texts(
            f,
            &[
                "TenGiayTo",
                "MaThanhPhanHoSo",
                "GiayToId",
                "DuongDanTepTinKetQua",
            ],
        )
    })?;
    Ok(code)
}

/// Checks one progress row of `CapNhatTienDoHoSoMC` and gives back its `MaHoSo`.
pub fn progress_row(value: &Value) -> Result<&str, Invalid> {
    let r = value
        .as_object()
        .ok_or_else(|| Invalid::new("TienDo", "phải là một đối tượng JSON"))?;
    let code = required(r, "MaHoSo")?;
    texts(r, &["NguoiXuLy", "ChucDanh"])?;
    date(r, "ThoiDiemXuLy", true)?;
    texts(r, &["PhongBanXuLy", "NoiDungXuLy"])?;
    one_of(r, "TrangThai", &STATUSES, true)?;
    date(r, "NgayBatDau", false)?;
    date(r, "NgayKetThucTheoQuyDinh", false)?;
    Ok(code)
}

/// A date of the protocol, `yyyyMMddHHmmss` (Vietnam's time): exactly 14 digits naming a
/// real calendar day and a time of day (no leap second: the portal's clocks have none).
pub fn parse_date(s: &str) -> Option<NaiveDateTime> {
    if s.len() != 14 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Every slice is within the 14 ASCII digits checked above.
    let n = |from: usize, to: usize| s[from..to].parse::<u32>().ok();
    let year = i32::try_from(n(0, 4)?).ok()?;
    NaiveDate::from_ymd_opt(year, n(4, 6)?, n(6, 8)?)?.and_hms_opt(
        n(8, 10)?,
        n(10, 12)?,
        n(12, 14)?,
    )
}

/// The value of an optional text field: absent, null and blank all mean "not given".
fn text<'a>(r: &'a Object, key: &str) -> Result<Option<&'a str>, Invalid> {
    match r.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Invalid::new(key, "phải là một chuỗi")),
    }
}

fn texts(r: &Object, keys: &[&str]) -> Result<(), Invalid> {
    keys.iter().try_for_each(|k| text(r, k).map(drop))
}

fn required<'a>(r: &'a Object, key: &str) -> Result<&'a str, Invalid> {
    text(r, key)?.ok_or_else(|| Invalid::new(key, REQUIRED))
}

fn one_of<'a>(
    r: &'a Object,
    key: &str,
    allowed: &[&str],
    is_required: bool,
) -> Result<Option<&'a str>, Invalid> {
    match text(r, key)? {
        None if is_required => Err(Invalid::new(key, REQUIRED)),
        None => Ok(None),
        Some(v) if allowed.contains(&v) => Ok(Some(v)),
        Some(v) => Err(Invalid::new(
            key,
            format!(
                "giá trị \"{v}\" không hợp lệ, phải là một trong: {}",
                allowed.join(", ")
            ),
        )),
    }
}

fn date(r: &Object, key: &str, is_required: bool) -> Result<(), Invalid> {
    match text(r, key)? {
        None if is_required => Err(Invalid::new(key, REQUIRED)),
        None => Ok(()),
        Some(v) if v.len() != 14 || !v.bytes().all(|b| b.is_ascii_digit()) => Err(Invalid::new(
            key,
            format!("\"{v}\" không đúng định dạng yyyyMMddHHmmss"),
        )),
        Some(v) => parse_date(v)
            .map(drop)
            .ok_or_else(|| Invalid::new(key, format!("\"{v}\" không phải là ngày giờ có thật"))),
    }
}

/// `MaTTHC`, the procedure's national code: digits, a dot, digits (`1.001193`).
fn procedure_code(r: &Object, key: &str) -> Result<(), Invalid> {
    let v = required(r, key)?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match v.split_once('.') {
        Some((a, b)) if digits(a) && digits(b) => Ok(()),
        _ => Err(Invalid::new(
            key,
            format!("\"{v}\" không đúng dạng mã thủ tục (ví dụ 1.001193)"),
        )),
    }
}

fn summary(r: &Object, key: &str) -> Result<(), Invalid> {
    // Characters, not bytes: a Vietnamese letter takes two or three bytes in UTF-8.
    let chars = required(r, key)?.chars().count();
    if chars > MAX_SUMMARY_CHARS {
        return Err(Invalid::new(
            key,
            format!("dài {chars} ký tự, tối đa {MAX_SUMMARY_CHARS}"),
        ));
    }
    Ok(())
}

/// An optional list of objects, each checked by `check`; faults are named `key[i].field`.
fn each(
    r: &Object,
    key: &str,
    check: impl Fn(&Object) -> Result<(), Invalid>,
) -> Result<(), Invalid> {
    let items = match r.get(key) {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(Invalid::new(key, "phải là một mảng")),
    };
    for (i, item) in items.iter().enumerate() {
        let at = format!("{key}[{i}]");
        let item = item
            .as_object()
            .ok_or_else(|| Invalid::new(at.clone(), "phải là một đối tượng JSON"))?;
        check(item).map_err(|e| e.under(&at))?;
    }
    Ok(())
}

fn identity(d: &Object) -> Result<(), Invalid> {
    let kind = required(d, "LoaiDinhDanh")?;
    let number = required(d, "SoDinhDanh")?;
    if kind == CCCD && !(number.len() == 12 && number.bytes().all(|b| b.is_ascii_digit())) {
        return Err(Invalid::new(
            "SoDinhDanh",
            "số CCCD (LoaiDinhDanh 1) phải gồm đúng 12 chữ số",
        ));
    }
    Ok(())
}

fn fee(f: &Object) -> Result<(), Invalid> {
    texts(f, &["TenPhiLePhi", "MaPhiLePhi", "HinhThucThu"])?;
    // A whole number of đồng: a JSON integer, or its digits in a string as connectors
    // that send every value as a string do.
    let whole = match f.get("Gia") {
        None | Some(Value::Null) => return Err(Invalid::new("Gia", REQUIRED)),
        Some(Value::Number(n)) => n.as_u64().is_some(),
        Some(Value::String(s)) => !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()),
        Some(_) => false,
    };
    if !whole {
        return Err(Invalid::new("Gia", "phải là số nguyên không âm (đồng)"));
    }
    texts(f, &["LoaiPhiLePhi"])
}

fn supplement(s: &Object) -> Result<(), Invalid> {
    texts(s, &["HoSoBoSungId", "NoiDungBoSung"])?;
    for key in [
        "NgayBoSung",
        "NgayTiepNhanBoSung",
        "NgayHenTraTruoc",
        "NgayHenTraMoi",
    ] {
        date(s, key, false)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_real_calendar_instants() {
        assert!(parse_date("20250101083000").is_some());
        assert!(parse_date("20240229235959").is_some(), "leap day");
        for bad in [
            "20250229000000", // not a leap year
            "20251301000000",
            "20250431000000",
            "20250101240000",
            "20250101006000",
            "20250101000060",
            "2025010100000",
            "202501010000000",
            "2025-01-01T0000",
            "２０２５０１０１０８３０００", // full-width digits are not ASCII digits
        ] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_summary_limit_counts_characters() {
        let mut r = Object::new();
        // 1000 characters, 2000+ bytes in UTF-8.
        r.insert("TrichYeuHoSo".into(), Value::String("đ".repeat(1000)));
        assert_eq!(summary(&r, "TrichYeuHoSo"), Ok(()));
        r.insert("TrichYeuHoSo".into(), Value::String("đ".repeat(1001)));
        let e = summary(&r, "TrichYeuHoSo").unwrap_err();
        assert_eq!(e.field, "TrichYeuHoSo");
        assert!(e.why.contains("1001"), "{e}");
    }

    #[test]
    fn blank_and_null_are_not_given_but_numbers_are_not_text() {
        let r: Object = serde_json::from_str(r#"{"a": "  ", "b": null, "c": 2, "d": "x"}"#)
            .expect("literal JSON");
        assert_eq!(text(&r, "a"), Ok(None));
        assert_eq!(text(&r, "b"), Ok(None));
        assert_eq!(text(&r, "missing"), Ok(None));
        assert_eq!(text(&r, "c").unwrap_err().field, "c");
        assert_eq!(text(&r, "d"), Ok(Some("x")));
    }

    #[test]
    fn nested_faults_name_their_path() {
        let e = Invalid::new("SoDinhDanh", "x")
            .under("DinhDanhCHS[0]")
            .under("data[1]");
        assert_eq!(e.to_string(), "data[1].DinhDanhCHS[0].SoDinhDanh: x");
    }
}
