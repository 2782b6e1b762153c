//! The review step of an online submission, through the pages as a browser without
//! JavaScript uses them: "Nộp hồ sơ" checks and saves the declaration and shows the review;
//! "Xác nhận nộp hồ sơ" submits at the version the review showed, once.

use crate::common::pages::{act, birth_form, get, hidden, login, post, start};
use crate::common::samples;
use motcua_domain::dossier::{Change, Status};
use reqwest::multipart::{Form, Part};

async fn status_of(app: &crate::common::App, id: &str) -> Status {
    app.db.store.dossier(id).await.unwrap().state.status
}

async fn submissions(app: &crate::common::App, id: &str) -> usize {
    app.db
        .store
        .dossier_events(id)
        .await
        .unwrap()
        .iter()
        .filter(|e| matches!(e.change, Change::Submitted { .. }))
        .count()
}

/// The draft form as posted with "Nộp hồ sơ", at version `v`: the birth proven by a
/// witness (a group with one filled row of two) and a linked service asked for.
fn submit_form<'a>(csrf: &'a str, v: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![("csrf_token", csrf), ("version", v), ("action", "submit")];
    form.extend(
        birth_form()
            .into_iter()
            .filter(|(k, _)| !k.starts_with("birth_") && !k.starts_with("witnesses")),
    );
    form.extend([
        ("birth_proof", "witness_statement"),
        ("witnesses[0].full_name", "Lê Văn Bảo"),
        ("witnesses[0].cccd", "046088005678"),
        (
            "witnesses[0].address",
            "5 Lê Lợi, phường Vĩnh Ninh, thành phố Huế",
        ),
        ("witnesses[1].full_name", ""),
        ("witnesses[1].cccd", ""),
        ("linked_services", "health_insurance"),
    ]);
    form
}

#[tokio::test]
async fn a_valid_declaration_is_saved_and_reviewed_and_the_confirmation_submits_once() {
    let app = crate::common::spawn().await;
    let (citizen, csrf) = login(&app, "congdan").await;
    let id = start(&app, &citizen).await;
    let draft = get(&citizen, &app, &format!("/ho-so/{id}")).await;
    assert!(
        draft.contains("aria-current=\"step\""),
        "the steps are shown"
    );

    // A file for the birth certificate, uploaded on the draft page.
    let pdf = samples::pdf("Giay chung sinh");
    let form = Form::new()
        .text("csrf_token", csrf.clone())
        .text("version", hidden(&draft, "version"))
        .text("component", "2")
        .part(
            "file",
            Part::bytes(pdf.clone()).file_name("Giấy chứng sinh.pdf"),
        );
    let r = citizen
        .post(app.url(&format!("/ho-so/{id}/tep")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let draft = get(&citizen, &app, &format!("/ho-so/{id}")).await;
    let v = hidden(&draft, "version");

    let r = post(
        &citizen,
        &app,
        &format!("/ho-so/{id}/to-khai"),
        &submit_form(&csrf, &v),
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/ho-so/{id}/xem-lai").as_str()
    );
    // Saved, not submitted.
    assert_eq!(status_of(&app, &id).await, Status::Draft);
    let stored = app.db.store.dossier(&id).await.unwrap();
    assert_eq!(stored.form_data["child_full_name"], "Nguyễn Văn An");

    let review = get(&citizen, &app, &format!("/ho-so/{id}/xem-lai")).await;
    assert!(review.contains("<h1>Xem lại hồ sơ trước khi nộp</h1>"));
    // Every answer under its label: choices by their label, dates as people write them,
    // the group by rows.
    for (label, value) in [
        ("Họ, chữ đệm, tên của trẻ", "Nguyễn Văn An"),
        ("Quan hệ với người được khai sinh", "Mẹ"),
        ("Giới tính", "Nam"),
        ("Ngày, tháng, năm sinh của trẻ", "02/01/2025"),
        (
            "Giấy tờ chứng minh việc sinh",
            "Văn bản của người làm chứng xác nhận về việc sinh",
        ),
        (
            "Đề nghị giải quyết liên thông",
            "Cấp thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi",
        ),
    ] {
        let at = review
            .find(&format!("<dt>{label}"))
            .unwrap_or_else(|| panic!("no {label} on the review"));
        let dd = &review[at..];
        let dd = &dd[dd.find("<dd>").unwrap() + 4..];
        let dd = &dd[..dd.find("</dd>").unwrap()];
        assert_eq!(dd, value, "{label}");
    }
    assert!(!review.contains(">mother<"), "a choice's code is not shown");
    let row = &review[review.find("Người làm chứng 1").expect("the group's row")..];
    assert!(row.contains("<dt>Họ, chữ đệm, tên người làm chứng</dt><dd>Lê Văn Bảo</dd>"));
    assert!(!review.contains("Người làm chứng 2"), "no empty row");
    // The file with its size and type; the required components still without one.
    assert!(review.contains("Giấy chứng sinh.pdf"));
    assert!(pdf.len() < 1024);
    assert!(review.contains(&format!("{} byte", pdf.len())));
    assert!(review.contains(">PDF<"));
    // The declaration holds, so the component its e-form stands in for is not missing:
    // only the identity papers are.
    assert!(
        review.contains("Còn 1 thành phần bắt buộc chưa có tệp"),
        "{review}"
    );
    let missing = review
        .split("<ul class=\"missing-components\">")
        .nth(1)
        .and_then(|s| s.split("</ul>").next())
        .unwrap();
    assert!(missing.contains("Giấy tờ tùy thân"), "{missing}");
    assert!(!missing.contains("Tờ khai"), "{missing}");
    assert!(
        review.contains(&format!("href=\"/ho-so/{id}\"")),
        "back to the draft"
    );
    assert!(review.contains("Quay lại sửa"));
    assert!(review.contains(&format!("action=\"/ho-so/{id}/xac-nhan\"")));
    assert_eq!(status_of(&app, &id).await, Status::Draft);

    // Confirmed: submitted, and the applicant lands on the dossier's page.
    let v = hidden(&review, "version");
    let confirm = [("csrf_token", csrf.as_str()), ("version", v.as_str())];
    let r = post(&citizen, &app, &format!("/ho-so/{id}/xac-nhan"), &confirm).await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/ho-so/{id}?ok=submitted").as_str()
    );
    assert_eq!(status_of(&app, &id).await, Status::Submitted);
    // The same confirmation again (a double click, a resend): the same answer, no second
    // submission.
    let r = post(&citizen, &app, &format!("/ho-so/{id}/xac-nhan"), &confirm).await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/ho-so/{id}?ok=submitted").as_str()
    );
    assert_eq!(submissions(&app, &id).await, 1);
    let page = get(&citizen, &app, &format!("/ho-so/{id}?ok=submitted")).await;
    assert!(page.contains("Đã nộp hồ sơ."));
    // The review of a submitted dossier is its page.
    let r = citizen
        .get(app.url(&format!("/ho-so/{id}/xem-lai")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("/ho-so/{id}").as_str());
}

#[tokio::test]
async fn confirmations_posted_at_once_submit_once() {
    let app = crate::common::spawn().await;
    let (citizen, csrf) = login(&app, "congdan").await;
    let id = start(&app, &citizen).await;
    let v = hidden(
        &get(&citizen, &app, &format!("/ho-so/{id}")).await,
        "version",
    );
    let review = act(
        &citizen,
        &app,
        &format!("/ho-so/{id}/to-khai"),
        &submit_form(&csrf, &v),
    )
    .await;
    let v = hidden(&review, "version");
    let path = format!("/ho-so/{id}/xac-nhan");
    let confirm = [("csrf_token", csrf.as_str()), ("version", v.as_str())];
    let (a, b) = tokio::join!(
        post(&citizen, &app, &path, &confirm),
        post(&citizen, &app, &path, &confirm)
    );
    for r in [a, b] {
        assert_eq!(r.status(), 303);
        assert!(
            r.headers()["location"]
                .to_str()
                .unwrap()
                .ends_with("?ok=submitted")
        );
    }
    assert_eq!(submissions(&app, &id).await, 1);
}

#[tokio::test]
async fn an_invalid_declaration_comes_back_with_errors_and_nothing_is_saved_or_submitted() {
    let app = crate::common::spawn().await;
    let (citizen, csrf) = login(&app, "congdan").await;
    let id = start(&app, &citizen).await;
    let draft = get(&citizen, &app, &format!("/ho-so/{id}")).await;
    let v = hidden(&draft, "version");
    let before = app.db.store.dossier(&id).await.unwrap();
    let mut form = submit_form(&csrf, &v);
    form.retain(|(k, _)| *k != "child_full_name");
    form.retain(|(k, _)| *k != "requester_phone");
    form.push(("requester_phone", "12345"));
    let r = post(&citizen, &app, &format!("/ho-so/{id}/to-khai"), &form).await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("class=\"error-summary\""));
    assert!(page.contains("href=\"#f-child_full_name\""));
    assert!(page.contains("id=\"f-requester_phone-error\""));
    assert!(!page.contains("Xem lại hồ sơ trước khi nộp"));
    // What was typed stays on the page, but nothing was stored.
    assert!(page.contains("value=\"Lê Văn Bảo\""));
    let after = app.db.store.dossier(&id).await.unwrap();
    assert_eq!(after.state.version, before.state.version);
    assert_eq!(after.form_data, before.form_data);
    assert_eq!(after.state.status, Status::Draft);

    // The review of a draft that does not hold shows the draft's errors, not a review.
    let page = get(&citizen, &app, &format!("/ho-so/{id}/xem-lai")).await;
    assert!(page.contains("class=\"error-summary\""));
    assert!(!page.contains("Xác nhận nộp hồ sơ"));
    // Confirming it anyway is refused by the submission's own check.
    let r = post(
        &citizen,
        &app,
        &format!("/ho-so/{id}/xac-nhan"),
        &[("csrf_token", &csrf), ("version", &v)],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("href=\"#f-child_full_name\"")
    );
    assert_eq!(submissions(&app, &id).await, 0);
}

#[tokio::test]
async fn a_stale_confirmation_is_a_conflict_and_shows_the_latest_draft() {
    let app = crate::common::spawn().await;
    let (citizen, csrf) = login(&app, "congdan").await;
    let id = start(&app, &citizen).await;
    let v = hidden(
        &get(&citizen, &app, &format!("/ho-so/{id}")).await,
        "version",
    );
    let review = act(
        &citizen,
        &app,
        &format!("/ho-so/{id}/to-khai"),
        &submit_form(&csrf, &v),
    )
    .await;
    let seen = hidden(&review, "version");

    // Meanwhile, in another window, the child's name is corrected and reviewed again.
    let mut form = submit_form(&csrf, &seen);
    form.retain(|(k, _)| *k != "child_full_name");
    form.push(("child_full_name", "Nguyễn Văn Bình"));
    act(&citizen, &app, &format!("/ho-so/{id}/to-khai"), &form).await;

    let r = post(
        &citizen,
        &app,
        &format!("/ho-so/{id}/xac-nhan"),
        &[("csrf_token", csrf.as_str()), ("version", seen.as_str())],
    )
    .await;
    assert_eq!(r.status(), 409);
    let page = r.text().await.unwrap();
    assert!(page.contains("Hồ sơ chưa được nộp"), "{page}");
    assert!(page.contains("hãy kiểm tra lại"));
    assert!(page.contains("Nguyễn Văn Bình"), "the latest answers");
    assert_eq!(status_of(&app, &id).await, Status::Draft);
    assert_eq!(submissions(&app, &id).await, 0);

    // Confirming what is shown now works.
    let v = hidden(&page, "version");
    assert_ne!(v, seen);
    let r = post(
        &citizen,
        &app,
        &format!("/ho-so/{id}/xac-nhan"),
        &[("csrf_token", csrf.as_str()), ("version", v.as_str())],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(status_of(&app, &id).await, Status::Submitted);
    let stored = app.db.store.dossier(&id).await.unwrap();
    assert_eq!(stored.form_data["child_full_name"], "Nguyễn Văn Bình");
}

#[tokio::test]
async fn only_the_applicant_reviews_and_confirms_with_the_form_token() {
    let app = crate::common::spawn().await;
    let (citizen, csrf) = login(&app, "congdan").await;
    let id = start(&app, &citizen).await;
    let v = hidden(
        &get(&citizen, &app, &format!("/ho-so/{id}")).await,
        "version",
    );
    act(
        &citizen,
        &app,
        &format!("/ho-so/{id}/to-khai"),
        &submit_form(&csrf, &v),
    )
    .await;
    let (other, other_csrf) = login(&app, "congdan2").await;
    let r = other
        .get(app.url(&format!("/ho-so/{id}/xem-lai")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = post(
        &other,
        &app,
        &format!("/ho-so/{id}/xac-nhan"),
        &[("csrf_token", other_csrf.as_str())],
    )
    .await;
    assert_eq!(r.status(), 404);
    let r = post(
        &citizen,
        &app,
        &format!("/ho-so/{id}/xac-nhan"),
        &[("csrf_token", "sai")],
    )
    .await;
    assert_eq!(r.status(), 403);
    assert_eq!(status_of(&app, &id).await, Status::Draft);
}
