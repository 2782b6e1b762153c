use super::*;
use crate::eform::FieldErrorCode as C;
use std::collections::BTreeSet;
use unicode_normalization::UnicodeNormalization;

fn one(field: Value) -> CheckedForm {
    checked(def(json!([field])))
}

/// One case per refusal: a form, data, and exactly the (field, code) pairs expected.
/// What is tried, the form, the data, and the refusals expected.
type Case = (&'static str, CheckedForm, Value, Vec<(&'static str, C)>);

fn cases() -> Vec<Case> {
    let name = || {
        one(
            json!({"name": "ho_ten", "label": "Họ và tên", "kind": "text", "required": true, "min_length": 2, "max_length": 10}),
        )
    };
    let number =
        || one(json!({"name": "so", "label": "Số", "kind": "number", "min": 1, "max": 10}));
    let money = || one(json!({"name": "tien", "label": "Số tiền", "kind": "money_vnd"}));
    let date = |min: &str, max: &str| {
        one(json!({"name": "ngay", "label": "Ngày", "kind": "date", "min": min, "max": max}))
    };
    let choice = || {
        one(
            json!({"name": "c", "label": "Giới tính", "kind": "choice", "required": true,
        "choices": [{"value": "male", "label": "Nam"}, {"value": "female", "label": "Nữ"}]}),
        )
    };
    let multi = || {
        one(
            json!({"name": "m", "label": "Liên thông", "kind": "multi_choice", "min_items": 2, "max_items": 2,
        "choices": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}, {"value": "c", "label": "C"}]}),
        )
    };
    let group = || {
        one(
            json!({"name": "con", "label": "Con", "kind": "group", "required": true, "min_items": 2, "max_items": 3,
        "fields": [{"name": "ten", "label": "Tên", "kind": "text", "required": true}]}),
        )
    };
    let of_kind = |kind: &str| one(json!({"name": "v", "label": "Giá trị", "kind": kind}));
    vec![
        (
            "not an object",
            name(),
            json!(["ho_ten"]),
            vec![("", C::NotAnObject)],
        ),
        (
            "unknown key",
            name(),
            json!({"ho_ten": "An Bình", "zzz": 1}),
            vec![("zzz", C::UnknownField)],
        ),
        ("missing", name(), json!({}), vec![("ho_ten", C::Required)]),
        (
            "null",
            name(),
            json!({"ho_ten": null}),
            vec![("ho_ten", C::Required)],
        ),
        (
            "blank",
            name(),
            json!({"ho_ten": " \t "}),
            vec![("ho_ten", C::Required)],
        ),
        (
            "wrong type",
            name(),
            json!({"ho_ten": 12}),
            vec![("ho_ten", C::WrongType)],
        ),
        (
            "too short",
            name(),
            json!({"ho_ten": " A "}),
            vec![("ho_ten", C::TooShort)],
        ),
        (
            "too long",
            name(),
            json!({"ho_ten": "Nguyễn Văn An"}),
            vec![("ho_ten", C::TooLong)],
        ),
        (
            "control character",
            name(),
            json!({"ho_ten": "An\u{0}Bình"}),
            vec![("ho_ten", C::InvalidCharacters)],
        ),
        (
            "default cap on text",
            of_kind("text"),
            json!({"v": "x".repeat(256)}),
            vec![("v", C::TooLong)],
        ),
        (
            "default cap on textarea",
            of_kind("textarea"),
            json!({"v": "x".repeat(2001)}),
            vec![("v", C::TooLong)],
        ),
        (
            "pattern is anchored",
            one(json!({"name": "ma", "label": "Mã", "kind": "text", "pattern": "[0-9]{3}"})),
            json!({"ma": "1234"}),
            vec![("ma", C::PatternMismatch)],
        ),
        (
            "not an integer",
            number(),
            json!({"so": 2.5}),
            vec![("so", C::NotAnInteger)],
        ),
        (
            "integer text",
            number(),
            json!({"so": "hai"}),
            vec![("so", C::NotAnInteger)],
        ),
        (
            "above max",
            number(),
            json!({"so": 11}),
            vec![("so", C::OutOfRange)],
        ),
        (
            "below min",
            number(),
            json!({"so": "0"}),
            vec![("so", C::OutOfRange)],
        ),
        (
            "negative money",
            money(),
            json!({"tien": -1}),
            vec![("tien", C::OutOfRange)],
        ),
        (
            "not a date",
            date("2000-01-01", "today"),
            json!({"ngay": "31/12/2020"}),
            vec![("ngay", C::InvalidDate)],
        ),
        (
            "impossible date",
            date("2000-01-01", "today"),
            json!({"ngay": "2023-02-29"}),
            vec![("ngay", C::InvalidDate)],
        ),
        (
            "future",
            date("2000-01-01", "today"),
            json!({"ngay": "2025-07-02"}),
            vec![("ngay", C::DateInFuture)],
        ),
        (
            "too early",
            date("2000-01-01", "today"),
            json!({"ngay": "1999-12-31"}),
            vec![("ngay", C::DateTooEarly)],
        ),
        (
            "year 0 on a date without a lower bound",
            one(json!({"name": "ngay", "label": "Ngày sinh", "kind": "date", "max": "today"})),
            json!({"ngay": "0000-01-01"}),
            vec![("ngay", C::DateTooEarly)],
        ),
        (
            "before 1900 where the form allows earlier",
            date("1000-01-01", "today"),
            json!({"ngay": "1899-12-31"}),
            vec![("ngay", C::DateTooEarly)],
        ),
        (
            "too late for an age rule",
            date("1900-01-01", "today-18y"),
            json!({"ngay": "2007-07-02"}),
            vec![("ngay", C::DateTooLate)],
        ),
        (
            "not a choice",
            choice(),
            json!({"c": "nam"}),
            vec![("c", C::NotAChoice)],
        ),
        (
            "not a choice among many",
            multi(),
            json!({"m": ["a", "z"]}),
            vec![("m", C::NotAChoice)],
        ),
        (
            "too few chosen",
            multi(),
            json!({"m": ["a", "a"]}),
            vec![("m", C::TooFewItems)],
        ),
        (
            "too many chosen",
            multi(),
            json!({"m": ["a", "b", "c"]}),
            vec![("m", C::TooManyItems)],
        ),
        (
            "group required",
            group(),
            json!({"con": []}),
            vec![("con", C::Required)],
        ),
        (
            "group not a list",
            group(),
            json!({"con": {"ten": "A"}}),
            vec![("con", C::WrongType)],
        ),
        (
            "too few items, and their problems",
            group(),
            json!({"con": [{"ten": ""}]}),
            vec![("con", C::TooFewItems), ("con[0].ten", C::Required)],
        ),
        (
            "too many items",
            group(),
            json!({"con": [{}, {}, {}, {}]}),
            vec![("con", C::TooManyItems)],
        ),
        (
            "item not an object",
            group(),
            json!({"con": [{"ten": "A"}, "B"]}),
            vec![("con[1]", C::NotAnObject)],
        ),
        (
            "unknown key in an item",
            group(),
            json!({"con": [{"ten": "A"}, {"ten": "B", "tuoi": 3}]}),
            vec![("con[1].tuoi", C::UnknownField)],
        ),
        (
            "cccd",
            of_kind("cccd"),
            json!({"v": "12345678901"}),
            vec![("v", C::InvalidCccd)],
        ),
        (
            "phone",
            of_kind("phone"),
            json!({"v": "0234 3823 456"}),
            vec![("v", C::InvalidPhone)],
        ),
        (
            "email",
            of_kind("email"),
            json!({"v": "an@hue"}),
            vec![("v", C::InvalidEmail)],
        ),
        (
            "unit code",
            of_kind("unit_code"),
            json!({"v": "000.00.31"}),
            vec![("v", C::InvalidUnitCode)],
        ),
        (
            "checkbox",
            of_kind("checkbox"),
            json!({"v": "yes"}),
            vec![("v", C::WrongType)],
        ),
    ]
}

#[test]
fn each_refusal_has_its_field_and_code() {
    let mut seen = BTreeSet::new();
    for (what, form, data, want) in cases() {
        let got = problems(&form, data);
        assert_eq!(got, pairs(&want), "{what}");
        seen.extend(got.into_iter().map(|(_, c)| c));
    }
    let all: BTreeSet<C> = C::ALL.iter().copied().collect();
    assert_eq!(seen, all, "a field error code without a test");
}

#[test]
fn messages_name_the_field_in_vietnamese() {
    let form = checked(def(json!([
        {"name": "ho_ten", "label": "Họ và tên", "kind": "text", "required": true},
        {"name": "gioi_tinh", "label": "Giới tính", "kind": "choice", "required": true, "choices": [{"value": "male", "label": "Nam"}]},
        {"name": "cam_doan", "label": "Tôi cam đoan", "kind": "checkbox", "required": true},
        {"name": "con", "label": "Con", "kind": "group", "fields": [{"name": "ten", "label": "Tên", "kind": "text", "required": true}]},
    ])));
    let e = form
        .validate(&json!({"con": [{}, {}]}), today())
        .unwrap_err();
    let messages: Vec<&str> = e.iter().map(|e| e.message_vi.as_str()).collect();
    assert_eq!(
        messages,
        [
            "Vui lòng nhập Họ và tên.",
            "Vui lòng chọn Giới tính.",
            "Vui lòng đánh dấu vào ô “Tôi cam đoan”.",
            "Vui lòng nhập Tên (Con, mục 1).",
            "Vui lòng nhập Tên (Con, mục 2).",
        ]
    );
    let e = form.validate(&json!("x"), today()).unwrap_err();
    assert_eq!(e[0].message_vi, "Dữ liệu của Biểu mẫu thử không hợp lệ.");
}

#[test]
fn hidden_fields_are_dropped_even_when_invalid() {
    let form = checked(def(json!([
        {"name": "co_ban_sao", "label": "Cấp bản sao", "kind": "checkbox"},
        {"name": "so_ban", "label": "Số bản", "kind": "number", "required": true, "min": 1,
         "visible_if": {"field": "co_ban_sao", "equals": true}},
        {"name": "ghi_chu", "label": "Ghi chú", "kind": "text", "visible_if": {"field": "so_ban", "filled": true}},
    ])));
    assert_eq!(
        ok(&form, json!({"so_ban": "không", "ghi_chu": "x"})),
        json!({"co_ban_sao": false})
    );
    assert_eq!(
        problems(&form, json!({"co_ban_sao": "on"})),
        pairs(&[("so_ban", C::Required)])
    );
    assert_eq!(
        ok(
            &form,
            json!({"co_ban_sao": true, "so_ban": "2", "ghi_chu": " x "})
        ),
        json!({"co_ban_sao": true, "so_ban": 2, "ghi_chu": "x"})
    );
}

#[test]
fn required_if_follows_earlier_answers() {
    let form = checked(def(json!([
        {"name": "quoc_tich", "label": "Quốc tịch", "kind": "choice", "choices": [{"value": "vn", "label": "Việt Nam"}, {"value": "other", "label": "Khác"}]},
        {"name": "cccd", "label": "Số định danh cá nhân", "kind": "cccd", "required_if": {"field": "quoc_tich", "equals": "vn"}},
        {"name": "ghi_ro", "label": "Ghi rõ", "kind": "text",
         "required_if": {"all": [{"field": "quoc_tich", "filled": true}, {"not": {"field": "quoc_tich", "in": ["vn"]}}]}},
    ])));
    assert_eq!(
        problems(&form, json!({"quoc_tich": "vn"})),
        pairs(&[("cccd", C::Required)])
    );
    assert_eq!(
        problems(&form, json!({"quoc_tich": "other"})),
        pairs(&[("ghi_ro", C::Required)])
    );
    assert_eq!(ok(&form, json!({})), json!({}));
    assert_eq!(
        ok(
            &form,
            json!({"quoc_tich": "other", "ghi_ro": "Lào", "cccd": ""})
        ),
        json!({"quoc_tich": "other", "ghi_ro": "Lào"})
    );
}

#[test]
fn group_items_see_their_siblings_and_the_form() {
    let form = checked(def(json!([
        {"name": "co_anh_chi", "label": "Có anh chị em", "kind": "checkbox"},
        {"name": "anh_chi", "label": "Anh chị em", "kind": "group", "visible_if": {"field": "co_anh_chi", "equals": true},
         "fields": [
            {"name": "ten", "label": "Tên", "kind": "text", "required": true},
            {"name": "da_mat", "label": "Đã mất", "kind": "checkbox"},
            {"name": "ngay_mat", "label": "Ngày mất", "kind": "date", "max": "today", "required": true,
             "visible_if": {"field": "da_mat", "equals": true}},
            {"name": "sdt", "label": "Điện thoại", "kind": "phone", "required_if": {"field": "co_anh_chi", "equals": true}}
         ]},
    ])));
    let data = json!({"co_anh_chi": true, "anh_chi": [
        {"ten": "An", "da_mat": true, "sdt": "0912345678"},
        {"ten": "Bình", "ngay_mat": "2020-01-01", "sdt": "+84 912 345 679"}
    ]});
    assert_eq!(
        problems(&form, data.clone()),
        pairs(&[("anh_chi[0].ngay_mat", C::Required)])
    );
    let mut fixed = data;
    fixed["anh_chi"][0]["ngay_mat"] = json!("2020-01-01");
    assert_eq!(
        ok(&form, fixed),
        json!({"co_anh_chi": true, "anh_chi": [
            {"ten": "An", "da_mat": true, "ngay_mat": "2020-01-01", "sdt": "0912345678"},
            {"ten": "Bình", "da_mat": false, "sdt": "0912345679"}
        ]})
    );
}

#[test]
fn output_is_normalised_and_deterministic() {
    let form = checked(def(json!([
        {"name": "ten", "label": "Tên", "kind": "text"},
        {"name": "ghi_chu", "label": "Ghi chú", "kind": "textarea"},
        {"name": "tien", "label": "Tiền", "kind": "money_vnd"},
        {"name": "ngay", "label": "Ngày", "kind": "date"},
        {"name": "chon", "label": "Chọn", "kind": "multi_choice", "choices": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
        {"name": "don_vi", "label": "Đơn vị", "kind": "unit_code"},
        {"name": "thu", "label": "Thư", "kind": "email"},
        {"name": "bo_trong", "label": "Bỏ trống", "kind": "text"},
    ])));
    let nfd: String = "  Phường   Thuận Hóa ".nfd().collect();
    let out = form
        .validate(
            &json!({"ten": nfd, "ghi_chu": "dòng 1  \r\ndòng 2\n\n", "tien": "1.500.000", "ngay": " 2024-02-29",
                    "chon": ["b", "a", "b"], "don_vi": "000.00.31.H57", "thu": "An@Hue.Gov.VN", "bo_trong": "  "}),
            today(),
        )
        .unwrap();
    assert_eq!(
        out.to_json(),
        r#"{"chon":["a","b"],"don_vi":"000.00.31.H57","ghi_chu":"dòng 1\ndòng 2","ngay":"2024-02-29","ten":"Phường Thuận Hóa","thu":"An@hue.gov.vn","tien":1500000}"#
    );
    assert_eq!(out.get("tien"), Some(&json!(1_500_000)));
    let again = form.validate(out.as_value(), today()).unwrap();
    assert_eq!(again, out);
}

#[test]
fn errors_come_in_form_order_with_unknown_keys_last() {
    let form = checked(def(json!([
        {"name": "b", "label": "B", "kind": "text", "required": true},
        {"name": "a", "label": "A", "kind": "group", "fields": [
            {"name": "y", "label": "Y", "kind": "text", "required": true},
            {"name": "x", "label": "X", "kind": "date"}]},
        {"name": "c", "label": "C", "kind": "number"},
    ])));
    let data = json!({"zz": 1, "c": "x", "aa": 2, "a": [{"x": "no", "q": 1}, {}]});
    assert_eq!(
        problems(&form, data),
        pairs(&[
            ("b", C::Required),
            ("a[0].y", C::Required),
            ("a[0].x", C::InvalidDate),
            ("a[0].q", C::UnknownField),
            ("a[1].y", C::Required),
            ("c", C::NotAnInteger),
            ("aa", C::UnknownField),
            ("zz", C::UnknownField),
        ])
    );
}
