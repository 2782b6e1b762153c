//! `CapNhatTienDoHoSoMC`: at most ten rows a call, for dossiers the portal holds, kept in
//! the order received.

use serde_json::{Value, json};

use crate::{code, healthy, record, row, with};

async fn with_dossier() -> (crate::Portal, String) {
    let p = healthy().await;
    let s = p.login().await;
    assert_eq!(
        p.sync(&s, "False", &[record(&code(1))]).await["error_code"],
        0
    );
    (p, s)
}

fn notes(d: &Value) -> Vec<String> {
    d["progress"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["NoiDungXuLy"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn ten_rows_are_taken_in_order_eleven_are_refused() {
    let (p, s) = with_dossier().await;
    let rows: Vec<Value> = (0..11)
        .map(|i| row(&code(1), "4", &format!("b{i}")))
        .collect();
    let a = p.progress(&s, &rows).await;
    assert_eq!(a["error_code"], -2, "{a}");
    assert!(a["message"].as_str().unwrap().starts_with("data:"), "{a}");
    assert_eq!(p.dossier(&code(1)).await.unwrap()["progress"], json!([]));

    let a = p.progress(&s, &rows[..10]).await;
    assert_eq!(a["error_code"], 0, "{a}");
    let more = [row(&code(1), "9", "c0"), row(&code(1), "10", "c1")];
    assert_eq!(p.progress(&s, &more).await["error_code"], 0);

    let d = p.dossier(&code(1)).await.unwrap();
    let expected: Vec<String> = (0..10)
        .map(|i| format!("b{i}"))
        .chain(["c0".into(), "c1".into()])
        .collect();
    assert_eq!(notes(&d), expected);
    assert_eq!(d["progress"][0], rows[0], "rows are kept as sent");
    assert_eq!(
        (d["creates"].clone(), d["updates"].clone()),
        (json!(1), json!(0))
    );
}

#[tokio::test]
async fn rows_for_a_dossier_the_portal_lacks_are_minus_four_and_none_is_kept() {
    let (p, s) = with_dossier().await;
    let a = p
        .progress(&s, &[row(&code(1), "2", "a"), row(&code(2), "2", "b")])
        .await;
    assert_eq!(a["error_code"], -4, "{a}");
    assert_eq!(a["message"], "data[1]: Hồ sơ không tồn tại");
    assert_eq!(p.dossier(&code(1)).await.unwrap()["progress"], json!([]));
}

#[tokio::test]
async fn each_row_field_rule_names_its_field() {
    let (p, s) = with_dossier().await;
    let ok = row(&code(1), "2", "a");
    let cases = [
        (json!({"MaHoSo": null}), "MaHoSo"),
        (json!({"ThoiDiemXuLy": null}), "ThoiDiemXuLy"),
        (
            json!({"ThoiDiemXuLy": "2025-03-10 09:00:00"}),
            "ThoiDiemXuLy",
        ),
        (json!({"ThoiDiemXuLy": "20250332090000"}), "ThoiDiemXuLy"),
        (json!({"TrangThai": null}), "TrangThai"),
        (json!({"TrangThai": "0"}), "TrangThai"),
        (json!({"TrangThai": "11"}), "TrangThai"),
        (json!({"TrangThai": 4}), "TrangThai"),
        (json!({"NgayBatDau": "2025"}), "NgayBatDau"),
        (
            json!({"NgayKetThucTheoQuyDinh": "20251301000000"}),
            "NgayKetThucTheoQuyDinh",
        ),
        (json!({"NguoiXuLy": 7}), "NguoiXuLy"),
    ];
    for (change, field) in cases {
        let bad = with(ok.clone(), change.clone());
        let a = p.progress(&s, std::slice::from_ref(&bad)).await;
        assert_eq!(a["error_code"], -2, "{change}: {a}");
        let m = a["message"].as_str().unwrap();
        assert!(m.starts_with(&format!("{field}:")), "{change}: {m}");
        // In a batch, the row's index comes first.
        let a = p.progress(&s, &[ok.clone(), bad]).await;
        let m = a["message"].as_str().unwrap();
        assert!(m.starts_with(&format!("data[1].{field}:")), "{change}: {m}");
    }
    let a = p.progress(&s, &[json!("row")]).await;
    assert_eq!(a["error_code"], -2, "{a}");
    assert_eq!(p.dossier(&code(1)).await.unwrap()["progress"], json!([]));

    // Optional fields may be absent; dates in range pass.
    let minimal = json!({"MaHoSo": code(1), "ThoiDiemXuLy": "20250310090000", "TrangThai": "10",
                         "NgayBatDau": "20250310090000", "NgayKetThucTheoQuyDinh": ""});
    assert_eq!(p.progress(&s, &[minimal]).await["error_code"], 0);
}
