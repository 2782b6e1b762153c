//! Catalogue administration under `/quan-tri/thu-tuc`, through a real server and database:
//! drafting and publishing procedure versions, process definitions and e-forms.

use crate::admin_support::{Browser, DEPT, DEPT_PROC, account_id, who};
use motcua_domain::ProcedureCode;
use serde_json::{Value, json};

/// The draft form for `DEPT_PROC` as a browser would post it, with the version it was
/// opened at.
async fn open_draft(w: &Browser, app: &crate::common::App) -> String {
    let (status, page) = w
        .get(app, &format!("/quan-tri/thu-tuc/{DEPT_PROC}/ban-nhap"))
        .await;
    assert_eq!(status, 200);
    let at = "name=\"base_version\" value=\"";
    let i = page.find(at).unwrap() + at.len();
    page[i..].split('"').next().unwrap().to_owned()
}
#[tokio::test]
async fn a_published_version_shows_on_the_public_page_and_is_never_edited() {
    let app = crate::common::spawn().await;
    let city = who(&app, "quantri").await;
    let op = who(&app, "vanhanh").await;
    let public = |app: &crate::common::App| {
        let url = app.url(&format!("/thu-tuc/{DEPT_PROC}"));
        async move { reqwest::get(url).await.unwrap().text().await.unwrap() }
    };
    let before = public(&app).await;
    let base = open_draft(&city, &app).await;
    assert_eq!(base, "1");
    let path = format!("/quan-tri/thu-tuc/{DEPT_PROC}/ban-nhap");
    let mut form = vec![
        ("base_version", base.as_str()),
        ("name", "Đăng ký thành lập doanh nghiệp tư nhân (sửa đổi)"),
        ("units", DEPT),
        ("tl_value", "5"),
        ("tl_unit", "working_days"),
        ("online_level", "partial"),
        ("channels", "online"),
        ("steps", "Nộp hồ sơ\nNhận kết quả"),
        ("fee[0].name", "Lệ phí đăng ký"),
        ("fee[0].amount", "50k"),
    ];
    let (status, page) = city.post(&app, &path, &form).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("href=\"#f-fee-0-amount\""),
        "error links to its input"
    );
    form.retain(|(k, _)| *k != "fee[0].amount");
    form.push(("fee[0].amount", "50.000"));
    let (status, to) = city.post(&app, &path, &form).await;
    assert_eq!(
        (status, to.as_str()),
        (303, "/quan-tri/thu-tuc/2.001610?ok=draft_saved")
    );
    // A form opened before the draft existed would overwrite it unseen: refused.
    let (status, _) = city.post(&app, &path, &form).await;
    assert_eq!(
        status, 409,
        "the form was opened at version 1, a draft 2 exists now"
    );

    // The draft is not public; the unit administrator drafts, the operator publishes.
    assert_eq!(public(&app).await, before);
    let publish = format!("/quan-tri/thu-tuc/{DEPT_PROC}/phien-ban/2/cong-bo");
    assert_eq!(city.post(&app, &publish, &[]).await.0, 403);
    let (_, page) = city
        .get(&app, &format!("/quan-tri/thu-tuc/{DEPT_PROC}"))
        .await;
    assert!(page.contains("Các mục thay đổi từ phiên bản 1 sang phiên bản 2"));
    assert!(page.contains("<th scope=\"row\">Tên thủ tục</th>"));
    assert!(page.contains("<th scope=\"row\">Phí, lệ phí</th>"));
    let (status, to) = op.post(&app, &publish, &[]).await;
    assert_eq!(
        (status, to.as_str()),
        (303, "/quan-tri/thu-tuc/2.001610?ok=published")
    );

    let after = public(&app).await;
    assert!(after.contains("Đăng ký thành lập doanh nghiệp tư nhân (sửa đổi)"));
    assert!(after.contains("5 ngày làm việc"));
    assert!(after.contains("Lệ phí đăng ký: 50.000 đồng"));
    assert!(after.contains("Phiên bản 2"));
    let api: Value = reqwest::get(app.url(&format!("/api/v1/procedures/{DEPT_PROC}")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(api["procedure"]["fees"][0]["amount_vnd"], 50000);
    // Fields the form does not show are carried over untouched.
    assert_eq!(api["procedure"]["code_verified"], true);

    // Published means frozen: publishing again is refused, and the old version stays.
    assert_eq!(op.post(&app, &publish, &[]).await.0, 409);
    let code = ProcedureCode::parse(DEPT_PROC).unwrap();
    let v1 = app.db.store.procedure_version(&code, 1).await.unwrap();
    assert_eq!(v1.name, "Đăng ký thành lập doanh nghiệp tư nhân");
    let city_id = account_id(&app, "quantri").await;
    let op_id = account_id(&app, "vanhanh").await;
    let audit: Vec<(String, Option<String>)> = app
        .db
        .store
        .audit_for(DEPT_PROC)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.action, r.actor))
        .collect();
    assert_eq!(
        audit[1..],
        [
            ("procedure.save_draft".to_owned(), Some(city_id)),
            ("procedure.publish".to_owned(), Some(op_id)),
        ]
    );
}
#[tokio::test]
async fn a_process_draft_is_checked_and_published() {
    let app = crate::common::spawn().await;
    let city = who(&app, "quantri").await;
    let op = who(&app, "vanhanh").await;
    let path = format!("/quan-tri/thu-tuc/{DEPT_PROC}/quy-trinh");
    let (status, page) = city.get(&app, &path).await;
    assert_eq!(status, 200);
    assert!(page.contains("quy trình chuẩn hai bước"));

    let (status, page) = city
        .post(
            &app,
            &path,
            &[(
                "definition",
                "{\n  \"procedure\": \"2.001610\",\n  \"steps\": [\n}",
            )],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Dòng 4, cột 1"),
        "syntax error with its position"
    );

    let step = |name: &str, role: &str, hours: u32, actions: &[&str]| json!({"name": name, "role": role, "unit": {"kind": "competent"}, "hours": hours, "actions": actions});
    let broken = json!({"procedure": DEPT_PROC, "steps": [
        step("Thẩm định", "specialist", 8, &["forward", "request_supplement"]),
        step("Phê duyệt", "leader", 4, &["send_back"]),
    ]});
    let (status, _) = city
        .post(&app, &path, &[("definition", &broken.to_string())])
        .await;
    assert_eq!(status, 303, "a draft may be incomplete");
    let (_, page) = city.get(&app, &path).await;
    assert!(page.contains("Bước cuối phải cho phép “Hoàn thành”"));
    // 8 of the 24 working hours of 3 working days.
    assert!(
        page.contains("<td>8</td><td>33 %</td>"),
        "share of the time limit"
    );
    let publish = format!("{path}/1/cong-bo");
    // The city-wide administrator reaches the procedure's one unit, so may publish its
    // process (the check still refuses a broken one); a ward's administrator may not
    // publish the process of a procedure every ward shares.
    let ward = who(&app, "quantri.phuong").await;
    assert_eq!(
        ward.post(&app, "/quan-tri/thu-tuc/1.001193/quy-trinh/1/cong-bo", &[])
            .await
            .0,
        403
    );
    let (status, page) = city.post(&app, &publish, &[]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Bước cuối phải cho phép"));
    let (status, page) = op.post(&app, &publish, &[]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Bước cuối phải cho phép"));
    assert!(
        app.db
            .store
            .process(DEPT_PROC, None)
            .await
            .unwrap()
            .is_none()
    );

    let fixed = json!({"procedure": DEPT_PROC, "steps": [
        step("Thẩm định", "specialist", 8, &["forward", "request_supplement"]),
        step("Phê duyệt", "leader", 4, &["send_back", "complete"]),
    ]});
    assert_eq!(
        city.post(&app, &path, &[("definition", &fixed.to_string())])
            .await
            .0,
        303
    );
    assert_eq!(city.post(&app, &publish, &[]).await.0, 303);
    let (v, p) = app
        .db
        .store
        .process(DEPT_PROC, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((v, p.steps.len()), (1, 2));
    let actions: Vec<String> = app
        .db
        .store
        .audit_for(DEPT_PROC)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .filter(|a| a.starts_with("process."))
        .collect();
    assert_eq!(
        actions,
        [
            "process.save_draft",
            "process.save_draft",
            "process.publish"
        ]
    );
}
#[tokio::test]
async fn a_malformed_e_form_is_refused_at_publication_with_every_error() {
    let app = crate::common::spawn().await;
    let city = who(&app, "quantri").await;
    let op = who(&app, "vanhanh").await;
    let path = format!("/quan-tri/thu-tuc/{DEPT_PROC}/bieu-mau");
    let bad = json!({"id": "to_khai_dn", "title": "Tờ khai", "fields": [
        {"name": "ten", "label": "Tên doanh nghiệp", "kind": "text"},
        {"name": "ten", "label": " ", "kind": "text"},
    ]});
    let (status, _) = city
        .post(
            &app,
            &path,
            &[("action", "save"), ("definition", &bad.to_string())],
        )
        .await;
    assert_eq!(status, 303);
    let (status, page) = op.post(&app, &format!("{path}/1/cong-bo"), &[]).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Không công bố phiên bản 1: biểu mẫu có 2 lỗi"),
        "{page}"
    );
    assert!(page.contains("Tên trường bị trùng") && page.contains("Nhãn đang để trống"));
    assert!(
        page.contains("<code>fields[1].name</code>")
            && page.contains("<code>fields[1].label</code>")
    );
    let code = ProcedureCode::parse(DEPT_PROC).unwrap();
    assert!(app.db.store.published_eform(&code).await.unwrap().is_none());

    // The preview renders the form as citizens will see it, without saving.
    let good = json!({"id": "to_khai_dn", "title": "Tờ khai thành lập doanh nghiệp", "fields": [
        {"name": "ten", "label": "Tên doanh nghiệp", "kind": "text", "required": true},
        {"name": "von", "label": "Vốn đầu tư (đồng)", "kind": "money_vnd"},
    ]});
    let (status, page) = city
        .post(
            &app,
            &path,
            &[("action", "preview"), ("definition", &good.to_string())],
        )
        .await;
    assert_eq!(status, 200);
    assert!(page.contains(
        "<label for=\"f-ten\">Tên doanh nghiệp <span class=\"req\">(bắt buộc)</span></label>"
    ));
    assert!(page.contains("Nội dung biểu mẫu dưới đây hợp lệ"));
    assert_eq!(
        app.db.store.eform_versions(&code).await.unwrap()[0].definition,
        bad.to_string()
    );

    let (status, _) = city
        .post(
            &app,
            &path,
            &[("action", "save"), ("definition", &good.to_string())],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        op.post(&app, &format!("{path}/1/cong-bo"), &[]).await.0,
        303
    );
    let (v, text) = app.db.store.published_eform(&code).await.unwrap().unwrap();
    assert_eq!((v, text), (1, good.to_string()));
    let versions = app.db.store.eform_versions(&code).await.unwrap();
    assert_eq!(versions[0].procedure_version, Some(1));
}
