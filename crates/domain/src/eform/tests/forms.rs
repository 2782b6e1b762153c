use super::*;
use crate::eform::FieldErrorCode as C;
use crate::eform::{BUILTIN_PROCEDURES, builtin};

pub(super) fn birth_submission() -> Value {
    json!({
        "requester_full_name": "Lê Thị Hương",
        "requester_cccd": "046195000456",
        "requester_address": "Phường Thuận Hóa, thành phố Huế",
        "requester_phone": "0912345678",
        "requester_relationship": "mother",
        "child_full_name": "Nguyễn Lê Minh An",
        "child_birth_date": "2025-06-20",
        "child_gender": "male",
        "child_ethnicity": "Kinh",
        "child_nationality": "Việt Nam",
        "child_birth_place": "Bệnh viện Trung ương Huế, phường Thuận Hóa, thành phố Huế",
        "child_home_town": "Phường Phú Xuân, thành phố Huế",
        "mother_full_name": "Lê Thị Hương",
        "mother_birth_year": 1995,
        "mother_ethnicity": "Kinh",
        "mother_nationality": "vn",
        "mother_cccd": "046195000456",
        "mother_address": "Phường Thuận Hóa, thành phố Huế",
        "father_full_name": "Nguyễn Văn Bình",
        "father_birth_year": "1993",
        "father_ethnicity": "Kinh",
        "father_nationality": "vn",
        "father_cccd": "046093000789",
        "father_address": "Phường Thuận Hóa, thành phố Huế",
        "birth_proof": "birth_certificate",
        "birth_certificate_number": "GCS-0123/2025",
        "linked_services": ["health_insurance", "permanent_residence"],
        "copies_requested": "on",
        "copies_count": "2",
        "commitment": true
    })
}

#[test]
fn builtin_forms_are_the_civil_status_declarations() {
    let ids: Vec<String> = BUILTIN_PROCEDURES
        .iter()
        .map(|c| builtin(c).unwrap().id().to_owned())
        .collect();
    assert_eq!(
        ids,
        ["to_khai_khai_sinh", "to_khai_ket_hon", "to_khai_khai_tu"]
    );
    assert_eq!(
        builtin("1.001193").unwrap().title(),
        "Tờ khai đăng ký khai sinh"
    );
    assert_eq!(
        builtin("1.000894").unwrap().title(),
        "Tờ khai đăng ký kết hôn"
    );
    assert_eq!(
        builtin("1.000656").unwrap().title(),
        "Tờ khai đăng ký khai tử"
    );
}

/// Each built-in form stands in for its procedure's declaration component as the shipped
/// catalogue names it, and a name the procedure lacks is refused with the list it has.
#[test]
fn builtin_forms_name_their_declaration_component() {
    let catalogue = include_str!("../../../../../demo/hue/procedures.jsonl");
    for code in BUILTIN_PROCEDURES {
        let p: Value = catalogue
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .find(|p| p["code"] == code)
            .unwrap();
        let names: Vec<&str> = p["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        let form = builtin(code).unwrap();
        let named = form.component().unwrap();
        assert!(named.starts_with("Tờ khai"), "{named}");
        assert_eq!(form.check_component(names.iter().copied()), Ok(()));
        let err = form
            .check_component(names.iter().copied().filter(|n| *n != named))
            .unwrap_err();
        assert_eq!(err.code, DefinitionErrorCode::UnknownComponent);
        assert_eq!(err.path, "component");
        assert!(err.detail.contains("Giấy"), "{}", err.detail);
    }
    // A form that names nothing fits any procedure.
    let mut def: Value =
        serde_json::from_str(crate::eform::builtin_source("1.001193").unwrap()).unwrap();
    def.as_object_mut().unwrap().remove("component");
    let form = CheckedForm::from_json(&def.to_string()).unwrap();
    assert_eq!(form.check_component([]), Ok(()));
}

#[test]
fn a_complete_birth_declaration_passes_and_is_normalised() {
    let form = builtin("1.001193").unwrap();
    let out = ok(&form, birth_submission());
    assert_eq!(out["father_birth_year"], 1993);
    assert_eq!(out["copies_requested"], true);
    assert_eq!(out["copies_count"], 2);
    assert_eq!(out["father_undetermined"], false);
    assert_eq!(
        out["linked_services"],
        json!(["permanent_residence", "health_insurance"])
    );
    assert_eq!(ok(&form, out.clone()), out);
}

#[test]
fn a_birth_date_in_year_0_or_tomorrow_is_refused_with_a_message_in_both_languages() {
    let form = builtin("1.001193").unwrap();
    let mut data = birth_submission();
    data["child_birth_date"] = json!("0000-01-01");
    let errors = form.validate(&data, today()).unwrap_err();
    let e = errors
        .iter()
        .find(|e| e.field == "child_birth_date")
        .unwrap();
    assert_eq!(e.code, C::DateTooEarly);
    assert!(e.message_vi.contains("01/01/1900"), "{}", e.message_vi);
    assert!(e.message_en.contains("01/01/1900"), "{}", e.message_en);
    data["child_birth_date"] = json!((today() + chrono::Days::new(1)).to_string());
    let errors = form.validate(&data, today()).unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.field == "child_birth_date" && e.code == C::DateInFuture)
    );
}

#[test]
fn undetermined_father_hides_the_father_section() {
    let form = builtin("1.001193").unwrap();
    let mut data = birth_submission();
    data["father_undetermined"] = json!(true);
    data["father_cccd"] = json!("not checked when hidden");
    let out = ok(&form, data);
    assert!(out.get("father_full_name").is_none());
    assert!(out.get("father_cccd").is_none());
}

#[test]
fn witnesses_are_asked_for_only_without_a_birth_certificate() {
    let form = builtin("1.001193").unwrap();
    let mut data = birth_submission();
    data["birth_proof"] = json!("witness_statement");
    assert_eq!(
        problems(&form, data.clone()),
        pairs(&[("witnesses", C::Required)])
    );
    data["witnesses"] = json!([
        {"full_name": "Trần Văn Cường", "cccd": "046080001234", "address": "Phường Hương Thủy"},
        {"full_name": "Hồ Thị Dung", "address": "Phường Hương Trà"},
        {"full_name": "Phan Văn Em", "cccd": "046080001235", "address": "Xã Phú Vang"}
    ]);
    assert_eq!(
        problems(&form, data.clone()),
        pairs(&[("witnesses", C::TooManyItems)])
    );
    data["witnesses"].as_array_mut().unwrap().pop();
    assert_eq!(
        problems(&form, data),
        pairs(&[("witnesses[1].cccd", C::Required)])
    );
}

#[test]
fn a_bad_birth_declaration_gets_every_problem_at_once() {
    let form = builtin("1.001193").unwrap();
    let mut data = birth_submission();
    let obj = data.as_object_mut().unwrap();
    obj.remove("child_full_name");
    obj.insert("child_birth_date".into(), json!("2025-07-02"));
    obj.insert("child_gender".into(), json!("nam"));
    obj.insert("mother_cccd".into(), json!("04619500045"));
    obj.insert("mother_birth_year".into(), json!(1850));
    obj.insert("father_nationality".into(), json!("other"));
    obj.insert("requester_phone".into(), json!("0234 3823 456"));
    obj.insert("copies_count".into(), json!(0));
    obj.insert("commitment".into(), json!(false));
    obj.insert("ghi_chu".into(), json!("thêm"));
    let errors = form.validate(&data, today()).unwrap_err();
    insta::assert_json_snapshot!("birth_declaration_errors", errors);
}

#[test]
fn marriage_needs_the_legal_ages() {
    let form = builtin("1.000894").unwrap();
    let person = |prefix: &str, birth: &str, cccd: &str| {
        json!({
            format!("{prefix}_full_name"): "Nguyễn Văn Bình",
            format!("{prefix}_birth_date"): birth,
            format!("{prefix}_ethnicity"): "Kinh",
            format!("{prefix}_nationality"): "Việt Nam",
            format!("{prefix}_address"): "Phường Thuận Hóa, thành phố Huế",
            format!("{prefix}_cccd"): cccd,
            format!("{prefix}_marriage_number"): 1,
        })
    };
    let build = |bride_birth: &str, groom_birth: &str| {
        let mut data = person("bride", bride_birth, "046195000456");
        let groom = person("groom", groom_birth, "046093000789");
        let obj = data.as_object_mut().unwrap();
        obj.extend(groom.as_object().unwrap().clone());
        obj.insert("contact_phone".into(), json!("0912345678"));
        obj.insert("commitment".into(), json!(true));
        data
    };
    // On 1 July 2025 she is 18 if born on or before 1 July 2007, he 20 if on or before 1 July 2005.
    assert_eq!(problems(&form, build("2007-07-01", "2005-07-01")), vec![]);
    assert_eq!(
        problems(&form, build("2007-07-02", "2005-07-02")),
        pairs(&[
            ("bride_birth_date", C::DateTooLate),
            ("groom_birth_date", C::DateTooLate)
        ])
    );
    let e = form
        .validate(&build("2007-07-01", "2006-01-01"), today())
        .unwrap_err();
    assert_eq!(
        e[0].message_vi,
        "Ngày, tháng, năm sinh của bên nam không được sau ngày 01/07/2005."
    );
}

#[test]
fn death_declaration_checks_time_and_dates() {
    let form = builtin("1.000656").unwrap();
    let data = json!({
        "requester_full_name": "Trần Văn Cường",
        "requester_cccd": "046080001234",
        "requester_address": "Phường Hương Thủy, thành phố Huế",
        "requester_phone": "0387654321",
        "requester_relationship": "organisation",
        "deceased_full_name": "Trần Văn Đức",
        "deceased_birth_date": "1940-03-15",
        "deceased_gender": "male",
        "deceased_ethnicity": "Kinh",
        "deceased_nationality": "Việt Nam",
        "deceased_last_address": "Phường Hương Thủy, thành phố Huế",
        "death_date": "2025-08-01",
        "death_time": "24:10",
        "death_place": "Bệnh viện Trung ương Huế",
        "death_notice_kind": "death_notice",
        "death_notice_number": "123/GBT",
        "death_notice_issuer": "Bệnh viện Trung ương Huế",
        "death_notice_date": "2025-06-30",
        "linked_services": ["funeral_allowance"],
        "commitment": true
    });
    assert_eq!(
        problems(&form, data.clone()),
        pairs(&[
            ("requester_organisation", C::Required),
            ("death_date", C::DateInFuture),
            ("death_time", C::PatternMismatch),
        ])
    );
    let mut fixed = data;
    fixed["requester_relationship"] = json!("child");
    fixed["death_date"] = json!("2025-06-29");
    fixed["death_time"] = json!(" 23:10 ");
    let out = ok(&form, fixed);
    assert_eq!(out["death_time"], "23:10");
}
