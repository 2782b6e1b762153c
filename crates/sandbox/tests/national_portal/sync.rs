//! `DongBoHoSoMC`: create, then update; what the portal keeps; batches all or nothing.

use serde_json::json;

use crate::{code, healthy, record, with};

#[tokio::test]
async fn create_then_exists_then_update() {
    let p = healthy().await;
    let s = p.login().await;
    let first = record(&code(1));
    let a = p.sync(&s, "False", std::slice::from_ref(&first)).await;
    assert_eq!(a["error_code"], 0, "{a}");
    assert!(!a["message"].as_str().unwrap().is_empty());

    let again = p.sync(&s, "False", std::slice::from_ref(&first)).await;
    assert_eq!(
        again,
        json!({"error_code": -3, "message": "Hồ sơ đã tồn tại"})
    );

    let received = with(
        record(&code(1)),
        json!({"TrangThaiHoSo": "2", "NgayTiepNhan": "20250310090000",
               "NgayHenTra": "20250317170000"}),
    );
    let a = p.sync(&s, "True", std::slice::from_ref(&received)).await;
    assert_eq!(a["error_code"], 0, "{a}");

    let d = p.dossier(&code(1)).await.unwrap();
    assert_eq!(d["record"], received, "the latest record is kept");
    assert_eq!(
        (d["creates"].clone(), d["updates"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(d["progress"], json!([]));
}

#[tokio::test]
async fn updating_a_dossier_the_portal_lacks_is_minus_four() {
    let p = healthy().await;
    let s = p.login().await;
    let a = p.sync(&s, "True", &[record(&code(9))]).await;
    assert_eq!(a["error_code"], -4, "{a}");
    assert_eq!(p.dossier(&code(9)).await, None, "an update creates nothing");
}

#[tokio::test]
async fn is_updating_is_the_string_true_or_false_in_any_case() {
    let p = healthy().await;
    let s = p.login().await;
    assert_eq!(
        p.sync(&s, "false", &[record(&code(1))]).await["error_code"],
        0
    );
    assert_eq!(
        p.sync(&s, "TRUE", &[record(&code(1))]).await["error_code"],
        0
    );
    for bad in [
        json!("Yes"),
        json!("0"),
        json!(""),
        json!(false),
        json!(true),
        json!(null),
    ] {
        let a = p
            .call(
                &s,
                "DongBoHoSoMC",
                json!({"isUpdating": bad, "data": [record(&code(2))]}),
            )
            .await;
        assert_eq!(a["error_code"], -2, "{bad}: {a}");
        assert!(
            a["message"].as_str().unwrap().starts_with("isUpdating:"),
            "{a}"
        );
    }
    assert_eq!(p.dossier(&code(2)).await, None);
}

#[tokio::test]
async fn data_is_a_non_empty_array() {
    let p = healthy().await;
    let s = p.login().await;
    for data in [json!([]), json!(record(&code(1))), json!(null), json!("x")] {
        let a = p
            .call(
                &s,
                "DongBoHoSoMC",
                json!({"isUpdating": "False", "data": data}),
            )
            .await;
        assert_eq!(a["error_code"], -2, "{data}: {a}");
        assert!(a["message"].as_str().unwrap().starts_with("data:"), "{a}");
    }
}

#[tokio::test]
async fn a_batch_with_a_bad_record_stores_none_and_names_its_index() {
    let p = healthy().await;
    let s = p.login().await;
    let batch = [
        record(&code(1)),
        record(&code(2)),
        with(record(&code(3)), json!({"TrichYeuHoSo": null})),
    ];
    let a = p.sync(&s, "False", &batch).await;
    assert_eq!(a["error_code"], -2, "{a}");
    assert!(
        a["message"]
            .as_str()
            .unwrap()
            .starts_with("data[2].TrichYeuHoSo:"),
        "{a}"
    );
    for n in 1..=3 {
        assert_eq!(p.dossier(&code(n)).await, None, "all or nothing");
    }
    // The same batch made valid goes through whole.
    let batch = [record(&code(1)), record(&code(2)), record(&code(3))];
    assert_eq!(p.sync(&s, "False", &batch).await["error_code"], 0);
    for n in 1..=3 {
        assert!(p.dossier(&code(n)).await.is_some());
    }
}

#[tokio::test]
async fn a_batch_touching_an_existing_dossier_is_refused_whole() {
    let p = healthy().await;
    let s = p.login().await;
    assert_eq!(
        p.sync(&s, "False", &[record(&code(2))]).await["error_code"],
        0
    );
    let a = p
        .sync(&s, "False", &[record(&code(1)), record(&code(2))])
        .await;
    assert_eq!(a["error_code"], -3, "{a}");
    assert_eq!(a["message"], "data[1]: Hồ sơ đã tồn tại");
    assert_eq!(p.dossier(&code(1)).await, None);

    // Twice the same new code in one create: the second already exists.
    let a = p
        .sync(&s, "False", &[record(&code(5)), record(&code(5))])
        .await;
    assert_eq!(a["error_code"], -3, "{a}");
    assert_eq!(p.dossier(&code(5)).await, None);

    let a = p
        .sync(&s, "True", &[record(&code(2)), record(&code(7))])
        .await;
    assert_eq!(a["error_code"], -4, "{a}");
    assert_eq!(a["message"], "data[1]: Hồ sơ không tồn tại");
    let d = p.dossier(&code(2)).await.unwrap();
    assert_eq!(
        d["updates"], 0,
        "the valid half of a refused batch is not applied"
    );
}

#[tokio::test]
async fn content_is_judged_before_existence() {
    let p = healthy().await;
    let s = p.login().await;
    assert_eq!(
        p.sync(&s, "False", &[record(&code(1))]).await["error_code"],
        0
    );
    let bad = with(record(&code(1)), json!({"NgayNopHoSo": "20250231000000"}));
    let a = p.sync(&s, "False", &[bad]).await;
    assert_eq!(
        a["error_code"], -2,
        "a -2 is final, so it wins over -3: {a}"
    );
}

#[tokio::test]
async fn a_refusal_is_repeatable() {
    // The adapter flags a -2 for an officer because sending it again changes nothing.
    let p = healthy().await;
    let s = p.login().await;
    let bad = with(record(&code(1)), json!({"KenhThucHien": "9"}));
    let a = p.sync(&s, "False", std::slice::from_ref(&bad)).await;
    let b = p.sync(&s, "False", std::slice::from_ref(&bad)).await;
    assert_eq!(a["error_code"], -2);
    assert_eq!(a, b);
}

#[tokio::test]
async fn a_catalogue_refuses_a_procedure_it_does_not_publish() {
    let p = crate::portal(motcua_sandbox::national_portal::Options {
        catalogue: Some(["1.001193".to_owned()].into()),
        ..Default::default()
    })
    .await;
    let s = p.login().await;
    let a = p
        .sync(
            &s,
            "False",
            &[with(record(&code(1)), json!({"MaTTHC": "1.004194"}))],
        )
        .await;
    assert_eq!(a["error_code"], -2, "{a}");
    let m = a["message"].as_str().unwrap();
    assert!(m.starts_with("MaTTHC: ") && m.contains("1.004194"), "{m}");
    assert!(p.dossier(&code(1)).await.is_none(), "nothing kept");
    // A published procedure goes through.
    let a = p.sync(&s, "False", &[record(&code(1))]).await;
    assert_eq!(a["error_code"], 0, "{a}");
}
