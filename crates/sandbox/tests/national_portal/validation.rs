//! Every field rule of `HoSoDongBoDVC` (docs/national-portal.md), one failing case or more
//! each, and the records at the edges of the rules that must pass.

use serde_json::{Value, json};

use crate::{code, healthy, record, with};

/// A record past reception (status 4), so that the dates required from 2 on are present.
fn handled() -> Value {
    with(
        record(&code(1)),
        json!({"TrangThaiHoSo": "4", "NgayTiepNhan": "20250310090000",
               "NgayHenTra": "20250317170000"}),
    )
}

/// (what is wrong, the change over a valid record, the field the answer must name).
fn failing() -> Vec<(&'static str, Value, Value, &'static str)> {
    let r = record(&code(1));
    let h = handled();
    let long = "Ệ".repeat(1001);
    vec![
        (
            "MaHoSo missing",
            r.clone(),
            json!({"MaHoSo": null}),
            "MaHoSo",
        ),
        ("MaHoSo blank", r.clone(), json!({"MaHoSo": "  "}), "MaHoSo"),
        (
            "MaHoSo a number",
            r.clone(),
            json!({"MaHoSo": 12}),
            "MaHoSo",
        ),
        (
            "MaTTHC missing",
            r.clone(),
            json!({"MaTTHC": null}),
            "MaTTHC",
        ),
        (
            "MaTTHC without dot",
            r.clone(),
            json!({"MaTTHC": "1001193"}),
            "MaTTHC",
        ),
        (
            "MaTTHC letters",
            r.clone(),
            json!({"MaTTHC": "1.00119a"}),
            "MaTTHC",
        ),
        (
            "MaTTHC nothing after dot",
            r.clone(),
            json!({"MaTTHC": "1."}),
            "MaTTHC",
        ),
        (
            "MaTTHC two dots",
            r.clone(),
            json!({"MaTTHC": "1.001.193"}),
            "MaTTHC",
        ),
        (
            "TenTTHC missing",
            r.clone(),
            json!({"TenTTHC": null}),
            "TenTTHC",
        ),
        (
            "MaLinhVuc a number",
            r.clone(),
            json!({"MaLinhVuc": 5}),
            "MaLinhVuc",
        ),
        (
            "KenhThucHien missing",
            r.clone(),
            json!({"KenhThucHien": null}),
            "KenhThucHien",
        ),
        (
            "KenhThucHien 4",
            r.clone(),
            json!({"KenhThucHien": "4"}),
            "KenhThucHien",
        ),
        (
            "KenhThucHien a number",
            r.clone(),
            json!({"KenhThucHien": 2}),
            "KenhThucHien",
        ),
        (
            "LoaiDoiTuong missing",
            r.clone(),
            json!({"LoaiDoiTuong": null}),
            "LoaiDoiTuong",
        ),
        (
            "LoaiDoiTuong 5",
            r.clone(),
            json!({"LoaiDoiTuong": "5"}),
            "LoaiDoiTuong",
        ),
        (
            "MaDoiTuong an object",
            r.clone(),
            json!({"MaDoiTuong": {}}),
            "MaDoiTuong",
        ),
        (
            "ChuHoSo a list",
            r.clone(),
            json!({"ChuHoSo": ["A"]}),
            "ChuHoSo",
        ),
        (
            "SoGiayToChuHoSo a number",
            r.clone(),
            json!({"SoGiayToChuHoSo": 1}),
            "SoGiayToChuHoSo",
        ),
        (
            "DinhDanhCHS not a list",
            r.clone(),
            json!({"DinhDanhCHS": "046"}),
            "DinhDanhCHS",
        ),
        (
            "DinhDanhCHS item not an object",
            r.clone(),
            json!({"DinhDanhCHS": ["046"]}),
            "DinhDanhCHS[0]",
        ),
        (
            "CCCD of 11 digits",
            r.clone(),
            json!({"DinhDanhCHS": [{"LoaiDinhDanh": "1", "SoDinhDanh": "04609000123"}]}),
            "DinhDanhCHS[0].SoDinhDanh",
        ),
        (
            "CCCD of 13 digits",
            r.clone(),
            json!({"DinhDanhCHS": [{"LoaiDinhDanh": "1", "SoDinhDanh": "0460900012345"}]}),
            "DinhDanhCHS[0].SoDinhDanh",
        ),
        (
            "CCCD with a letter, second item",
            r.clone(),
            json!({"DinhDanhCHS": [{"LoaiDinhDanh": "1", "SoDinhDanh": "046090001234"},
                                {"LoaiDinhDanh": "1", "SoDinhDanh": "04609000123X"}]}),
            "DinhDanhCHS[1].SoDinhDanh",
        ),
        (
            "identity without its type",
            r.clone(),
            json!({"DinhDanhCHS": [{"SoDinhDanh": "046090001234"}]}),
            "DinhDanhCHS[0].LoaiDinhDanh",
        ),
        (
            "identity without its number",
            r.clone(),
            json!({"DinhDanhCHS": [{"LoaiDinhDanh": "1"}]}),
            "DinhDanhCHS[0].SoDinhDanh",
        ),
        (
            "TrichYeuHoSo missing",
            r.clone(),
            json!({"TrichYeuHoSo": null}),
            "TrichYeuHoSo",
        ),
        (
            "TrichYeuHoSo of 1001 characters",
            r.clone(),
            json!({"TrichYeuHoSo": long}),
            "TrichYeuHoSo",
        ),
        (
            "NgayNopHoSo missing",
            r.clone(),
            json!({"NgayNopHoSo": null}),
            "NgayNopHoSo",
        ),
        (
            "NgayNopHoSo ISO",
            r.clone(),
            json!({"NgayNopHoSo": "2025-03-10T08:15:00"}),
            "NgayNopHoSo",
        ),
        (
            "NgayNopHoSo without seconds",
            r.clone(),
            json!({"NgayNopHoSo": "202503100815"}),
            "NgayNopHoSo",
        ),
        (
            "NgayNopHoSo 30 February",
            r.clone(),
            json!({"NgayNopHoSo": "20250230081500"}),
            "NgayNopHoSo",
        ),
        (
            "NgayNopHoSo hour 24",
            r.clone(),
            json!({"NgayNopHoSo": "20250310240000"}),
            "NgayNopHoSo",
        ),
        (
            "NgayNopHoSo a number",
            r.clone(),
            json!({"NgayNopHoSo": 20250310081500_u64}),
            "NgayNopHoSo",
        ),
        (
            "received without NgayTiepNhan",
            h.clone(),
            json!({"NgayTiepNhan": null}),
            "NgayTiepNhan",
        ),
        (
            "status 2 without NgayTiepNhan",
            r.clone(),
            json!({"TrangThaiHoSo": "2", "NgayHenTra": "20250317170000"}),
            "NgayTiepNhan",
        ),
        (
            "status 7 without NgayHenTra",
            h.clone(),
            json!({"TrangThaiHoSo": "7", "NgayHenTra": null}),
            "NgayHenTra",
        ),
        (
            "NgayTiepNhan not a date",
            h.clone(),
            json!({"NgayTiepNhan": "20251310090000"}),
            "NgayTiepNhan",
        ),
        (
            "NgayHenTra not a date even at status 1",
            r.clone(),
            json!({"NgayHenTra": "x"}),
            "NgayHenTra",
        ),
        (
            "returned without NgayTra",
            h.clone(),
            json!({"TrangThaiHoSo": "10",
         "NgayKetThucXuLy": "20250314100000"}),
            "NgayTra",
        ),
        (
            "NgayTra not a date",
            h.clone(),
            json!({"NgayTra": "20250314"}),
            "NgayTra",
        ),
        (
            "NgayKetThucXuLy not a date",
            h.clone(),
            json!({"NgayKetThucXuLy": "20250229100000"}),
            "NgayKetThucXuLy",
        ),
        (
            "refused without NgayTuChoi",
            r.clone(),
            json!({"TrangThaiHoSo": "3"}),
            "NgayTuChoi",
        ),
        (
            "NgayTuChoi not a date",
            r.clone(),
            json!({"NgayTuChoi": "2025031010000a"}),
            "NgayTuChoi",
        ),
        (
            "TrangThaiHoSo missing",
            r.clone(),
            json!({"TrangThaiHoSo": null}),
            "TrangThaiHoSo",
        ),
        (
            "TrangThaiHoSo 0",
            r.clone(),
            json!({"TrangThaiHoSo": "0"}),
            "TrangThaiHoSo",
        ),
        (
            "TrangThaiHoSo 11",
            r.clone(),
            json!({"TrangThaiHoSo": "11"}),
            "TrangThaiHoSo",
        ),
        (
            "TrangThaiHoSo 01",
            r.clone(),
            json!({"TrangThaiHoSo": "01"}),
            "TrangThaiHoSo",
        ),
        (
            "TrangThaiHoSo a number",
            r.clone(),
            json!({"TrangThaiHoSo": 1}),
            "TrangThaiHoSo",
        ),
        (
            "HinhThuc 2",
            r.clone(),
            json!({"HinhThuc": "2"}),
            "HinhThuc",
        ),
        (
            "DonViXuLy missing",
            r.clone(),
            json!({"DonViXuLy": null}),
            "DonViXuLy",
        ),
        (
            "NoiNopHoSo 3",
            r.clone(),
            json!({"NoiNopHoSo": "3"}),
            "NoiNopHoSo",
        ),
        (
            "HoSoCoThanhPhanSoHoa 2",
            r.clone(),
            json!({"HoSoCoThanhPhanSoHoa": "2"}),
            "HoSoCoThanhPhanSoHoa",
        ),
        (
            "HoSoCoThanhPhanSoHoa missing",
            r.clone(),
            json!({"HoSoCoThanhPhanSoHoa": null}),
            "HoSoCoThanhPhanSoHoa",
        ),
        (
            "TaiKhoanDuocXacThucVoiVNeID missing",
            r.clone(),
            json!({"TaiKhoanDuocXacThucVoiVNeID": null}),
            "TaiKhoanDuocXacThucVoiVNeID",
        ),
        (
            "TaiKhoanDuocXacThucVoiVNeID true",
            r.clone(),
            json!({"TaiKhoanDuocXacThucVoiVNeID": "true"}),
            "TaiKhoanDuocXacThucVoiVNeID",
        ),
        (
            "DuocThanhToanTrucTuyen a boolean",
            r.clone(),
            json!({"DuocThanhToanTrucTuyen": true}),
            "DuocThanhToanTrucTuyen",
        ),
        (
            "TaiLieuNop not a list",
            r.clone(),
            json!({"TaiLieuNop": {}}),
            "TaiLieuNop",
        ),
        (
            "TaiLieuNop name a number",
            r.clone(),
            json!({"TaiLieuNop": [{"TepDinhKemId": "f1", "TenTepDinhKem": 3}]}),
            "TaiLieuNop[0].TenTepDinhKem",
        ),
        (
            "fee without Gia",
            r.clone(),
            json!({"DanhSachLePhi": [{"TenPhiLePhi": "Lệ phí"}]}),
            "DanhSachLePhi[0].Gia",
        ),
        (
            "Gia negative",
            r.clone(),
            json!({"DanhSachLePhi": [{"Gia": -1}]}),
            "DanhSachLePhi[0].Gia",
        ),
        (
            "Gia a fraction",
            r.clone(),
            json!({"DanhSachLePhi": [{"Gia": 1500.5}]}),
            "DanhSachLePhi[0].Gia",
        ),
        (
            "Gia text",
            r.clone(),
            json!({"DanhSachLePhi": [{"Gia": "8.000"}]}),
            "DanhSachLePhi[0].Gia",
        ),
        (
            "DanhSachHoSoBoSung date",
            r.clone(),
            json!({"DanhSachHoSoBoSung": [{"HoSoBoSungId": "1", "NgayBoSung": "20250230000000"}]}),
            "DanhSachHoSoBoSung[0].NgayBoSung",
        ),
        (
            "DanhSachHoSoBoSung new appointment",
            r.clone(),
            json!({"DanhSachHoSoBoSung": [{"NgayHenTraMoi": "2025"}]}),
            "DanhSachHoSoBoSung[0].NgayHenTraMoi",
        ),
        (
            "DanhSachGiayToKetQua item not an object",
            r.clone(),
            json!({"DanhSachGiayToKetQua": [1]}),
            "DanhSachGiayToKetQua[0]",
        ),
        (
            "DanhSachGiayToKetQua path a number",
            r.clone(),
            json!({"DanhSachGiayToKetQua": [{"DuongDanTepTinKetQua": 1}]}),
            "DanhSachGiayToKetQua[0].DuongDanTepTinKetQua",
        ),
    ]
}

#[tokio::test]
async fn each_rule_refuses_and_names_its_field() {
    let p = healthy().await;
    let s = p.login().await;
    // Each base must pass on its own, or the cases prove nothing.
    assert_eq!(
        p.sync(&s, "False", &[record(&code(100))]).await["error_code"],
        0
    );
    let h = with(handled(), json!({"MaHoSo": code(101)}));
    assert_eq!(p.sync(&s, "False", &[h]).await["error_code"], 0);

    let cases = failing();
    for (what, base, change, field) in &cases {
        let bad = with(base.clone(), change.clone());
        let a = p.sync(&s, "False", std::slice::from_ref(&bad)).await;
        assert_eq!(a["error_code"], -2, "{what}: {a}");
        let m = a["message"].as_str().unwrap();
        assert!(m.starts_with(&format!("{field}: ")), "{what}: {m}");
        assert!(
            m.len() > field.len() + 2,
            "{what}: the message says why: {m}"
        );
    }
    assert!(cases.len() > 60);
    let (_, list) = p.get("/_sandbox/dossiers").await;
    assert_eq!(
        list.as_array().unwrap().len(),
        2,
        "no refused record was stored"
    );
}

#[tokio::test]
async fn a_record_that_is_not_an_object_is_refused() {
    let p = healthy().await;
    let s = p.login().await;
    let a = p.sync(&s, "False", &[json!("HS-1")]).await;
    assert_eq!(a["error_code"], -2);
    assert!(
        a["message"].as_str().unwrap().starts_with("HoSoDongBoDVC:"),
        "{a}"
    );
}

#[tokio::test]
async fn records_at_the_edges_of_the_rules_pass() {
    let p = healthy().await;
    let s = p.login().await;
    let r = || record(&code(1));
    let passing = [
        (
            "summary of exactly 1000 multi-byte characters",
            with(r(), json!({"TrichYeuHoSo": "Ệ".repeat(1000)})),
        ),
        (
            "refused: NgayTuChoi, no reception dates",
            with(
                r(),
                json!({"TrangThaiHoSo": "3", "NgayTuChoi": "20250310100000"}),
            ),
        ),
        (
            "status 1 with reception dates given anyway",
            with(r(), json!({"NgayTiepNhan": "20250310090000"})),
        ),
        (
            "leap day",
            with(r(), json!({"NgayNopHoSo": "20240229235959"})),
        ),
        (
            "another identity type, any number",
            with(
                r(),
                json!({"DinhDanhCHS": [{"LoaiDinhDanh": "2", "SoDinhDanh": "0101234567"}]}),
            ),
        ),
        (
            "a 12-digit CCCD",
            with(
                r(),
                json!({"DinhDanhCHS": [{"LoaiDinhDanh": "1", "SoDinhDanh": "046090001234"}]}),
            ),
        ),
        (
            "optional fields empty",
            with(
                r(),
                json!({"MaLinhVuc": "", "MaDoiTuong": null, "HinhThuc": "",
            "NoiNopHoSo": null, "NgayKetThucXuLy": "", "TaiLieuNop": [], "DanhSachLePhi": null}),
            ),
        ),
        (
            "Gia zero, and as digits in a string",
            with(
                r(),
                json!({"DanhSachLePhi": [
            {"TenPhiLePhi": "Lệ phí", "MaPhiLePhi": "LP1", "HinhThucThu": "1", "Gia": 0, "LoaiPhiLePhi": "1"},
            {"Gia": "15000"}]}),
            ),
        ),
        (
            "returned, every date",
            with(
                r(),
                json!({"TrangThaiHoSo": "10", "NgayTiepNhan": "20250310090000",
            "NgayHenTra": "20250317170000", "NgayKetThucXuLy": "20250314100000", "NgayTra": "20250315080000",
            "HinhThuc": "1", "NoiNopHoSo": "2", "KenhThucHien": "3", "LoaiDoiTuong": "4",
            "DanhSachGiayToKetQua": [{"TenGiayTo": "Giấy khai sinh", "GiayToId": "g1"}],
            "DanhSachHoSoBoSung": [{"HoSoBoSungId": "b1", "NoiDungBoSung": "Bổ sung",
                "NgayBoSung": "20250311080000", "NgayHenTraMoi": "20250318170000"}],
            "TaiLieuNop": [{"TepDinhKemId": "f1", "TenTepDinhKem": "to-khai.pdf",
                "MaThanhPhanHoSo": "TP1", "DuongDanTaiTepTin": "https://example.invalid/f1"}]}),
            ),
        ),
        (
            "extra fields are ignored",
            with(r(), json!({"TruongKhac": {"x": 1}})),
        ),
    ];
    for (what, rec) in passing {
        let a = p.sync(&s, "True", std::slice::from_ref(&rec)).await;
        // Created once by the first, updated by the rest: either way it must be accepted.
        let a = if a["error_code"] == -4 {
            p.sync(&s, "False", std::slice::from_ref(&rec)).await
        } else {
            a
        };
        assert_eq!(a["error_code"], 0, "{what}: {a}");
        assert_eq!(p.dossier(&code(1)).await.unwrap()["record"], rec, "{what}");
    }
}
