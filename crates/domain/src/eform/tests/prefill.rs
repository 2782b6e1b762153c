use super::*;
use crate::codes::Cccd;
use crate::eform::{Gender, Profile, builtin};

fn profile() -> Profile {
    Profile {
        full_name: "Lê Thị Hương".into(),
        cccd: Some(Cccd::parse("046 195 000 456").unwrap()),
        birth_date: NaiveDate::from_ymd_opt(1995, 4, 30),
        gender: Some(Gender::Female),
        address: Some("Phường Thuận Hóa, thành phố Huế".into()),
        phone: Some("+84 912 345 678".into()),
        email: None,
    }
}

fn form() -> CheckedForm {
    checked(def(json!([
        {"name": "ho_ten", "label": "Họ và tên", "kind": "text", "prefill": "profile.full_name"},
        {"name": "cccd", "label": "Số định danh cá nhân", "kind": "cccd", "prefill": "profile.cccd"},
        {"name": "ngay_sinh", "label": "Ngày sinh", "kind": "date", "prefill": "profile.birth_date"},
        {"name": "gioi_tinh", "label": "Giới tính", "kind": "choice", "prefill": "profile.gender",
         "choices": [{"value": "male", "label": "Nam"}, {"value": "female", "label": "Nữ"}]},
        {"name": "dia_chi", "label": "Nơi cư trú", "kind": "textarea", "prefill": "profile.address"},
        {"name": "sdt", "label": "Điện thoại", "kind": "phone", "prefill": "profile.phone"},
        {"name": "thu", "label": "Thư điện tử", "kind": "email", "prefill": "profile.email"},
        {"name": "ghi_chu", "label": "Ghi chú", "kind": "text"},
    ])))
}

#[test]
fn fills_every_field_with_a_path_the_profile_has() {
    let filled = form().prefill(&profile());
    assert_eq!(
        filled,
        json!({
            "ho_ten": "Lê Thị Hương",
            "cccd": "046195000456",
            "ngay_sinh": "1995-04-30",
            "gioi_tinh": "female",
            "dia_chi": "Phường Thuận Hóa, thành phố Huế",
            "sdt": "0912345678",
        })
    );
    // What prefill proposes is valid as it stands.
    assert_eq!(ok(&form(), filled.clone()), filled);
}

#[test]
fn never_overwrites_what_was_given() {
    let given = json!({"ho_ten": "Lê Hương", "cccd": "", "sdt": null, "thu": "  ", "ghi_chu": "x"});
    let filled = form().prefill_into(&profile(), &given);
    assert_eq!(filled["ho_ten"], "Lê Hương");
    assert_eq!(filled["cccd"], "046195000456");
    assert_eq!(filled["sdt"], "0912345678");
    // Blank stays blank when the profile has nothing either.
    assert_eq!(filled["thu"], "  ");
    assert_eq!(filled["ghi_chu"], "x");
    assert_eq!(form().prefill_into(&profile(), &json!([1])), json!([1]));
}

#[test]
fn an_empty_profile_fills_nothing() {
    assert_eq!(form().prefill(&Profile::default()), json!({}));
}

#[test]
fn builtin_birth_form_takes_the_requester_from_the_profile() {
    let form = builtin("1.001193").unwrap();
    let filled = form.prefill(&profile());
    assert_eq!(filled["requester_full_name"], "Lê Thị Hương");
    assert_eq!(filled["requester_cccd"], "046195000456");
    assert_eq!(filled["requester_phone"], "0912345678");
    assert!(filled.get("child_full_name").is_none());
}
