//! Reception of a paper dossier at the desk, through the pages as a browser without
//! JavaScript uses them, and the control sheet (form 06) it leads to.

use crate::common::samples;
use motcua_domain::dossier::{Change, Process, Step, StepAction, StepUnit};
use motcua_domain::procedure::Channel;
use reqwest::Client;
use reqwest::multipart::{Form, Part};

use crate::common::COMMUNE;
const CENTRE: &str = "000.00.94.H57";

async fn login(app: &crate::common::App, user: &str) -> Client {
    let c = app.browser();
    let r = c
        .post(app.url("/dang-nhap"))
        .form(&[("username", user), ("password", crate::common::PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "login {user}");
    c
}

async fn get(c: &Client, app: &crate::common::App, path: &str) -> String {
    let r = c.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 200, "GET {path}");
    r.text().await.unwrap()
}

fn hidden(page: &str, name: &str) -> String {
    let at = format!("name=\"{name}\" value=\"");
    let i = page.find(&at).unwrap_or_else(|| panic!("no {name}")) + at.len();
    page[i..].split('"').next().unwrap().to_owned()
}

/// The birth registration's process with a share of the time limit per step.
async fn publish_process(app: &crate::common::App) {
    let step = |name: &str, role, actions| Step {
        name: name.into(),
        role,
        unit: StepUnit::Competent,
        hours: 4,
        actions,
        inter_agency: None,
    };
    let p = Process {
        procedure: motcua_domain::ProcedureCode::parse("1.001193").unwrap(),
        steps: vec![
            step(
                "Công chức tư pháp - hộ tịch thẩm tra hồ sơ",
                motcua_domain::access::Role::Specialist,
                vec![StepAction::Forward, StepAction::RequestSupplement],
            ),
            step(
                "Chủ tịch UBND phường ký Giấy khai sinh",
                motcua_domain::access::Role::Leader,
                vec![StepAction::Complete, StepAction::SendBack],
            ),
        ],
    };
    app.db.store.publish_process(&p).await.unwrap();
}

/// The reception form for the birth registration (7 components; 1, 2 and 6 required).
fn reception(page: &str, fields: &[(&str, &str)], scans: Vec<(&str, &str, Vec<u8>)>) -> Form {
    let mut form = Form::new()
        .text("csrf_token", hidden(page, "csrf_token"))
        .text("procedure", "1.001193")
        .text("idempotency_key", hidden(page, "idempotency_key"));
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    for (field, name, bytes) in scans {
        form = form.part(
            field.to_owned(),
            Part::bytes(bytes).file_name(name.to_owned()),
        );
    }
    form
}

fn applicant() -> Vec<(&'static str, &'static str)> {
    vec![
        ("desk", COMMUNE),
        ("unit", COMMUNE),
        ("channel", "direct"),
        ("applicant_name", "Trần Thị Lan"),
        ("applicant_cccd", "046 190 001 234"),
        ("applicant_phone", "0914 222 333"),
        ("applicant_kind", "citizen"),
        ("choice_1", "scan"),
        ("choice_2", "paper"),
        (
            "reason_2",
            "Giấy chứng sinh bản chính, đã đối chiếu và trả lại",
        ),
        ("choice_6", "paper"),
        ("reason_6", "Thẻ CCCD xuất trình, không lưu bản sao"),
    ]
}

#[tokio::test]
async fn a_paper_dossier_is_taken_in_digitised_and_received_with_a_receipt() {
    let app = crate::common::spawn().await;
    publish_process(&app).await;
    let c = login(&app, "tiepnhan").await;
    let inbox = get(&c, &app, "/can-bo").await;
    assert!(inbox.contains("href=\"/can-bo/tiep-nhan\""));
    let found = get(&c, &app, "/can-bo/tiep-nhan?q=khai+sinh").await;
    assert!(
        found.contains("href=\"/can-bo/tiep-nhan?thu_tuc=1.001193\""),
        "{found}"
    );
    let page = get(&c, &app, "/can-bo/tiep-nhan?thu_tuc=1.001193").await;
    assert!(page.contains("enctype=\"multipart/form-data\""));
    assert!(page.contains("name=\"scan_6\""));
    assert!(page.contains("(bắt buộc)"));

    // A wrong CCCD: the form comes back with the typed values and the reason.
    let mut wrong = applicant();
    wrong[4] = ("applicant_cccd", "04619000123");
    let r = c
        .post(app.url("/can-bo/tiep-nhan"))
        .multipart(reception(
            &page,
            &wrong,
            vec![("scan_1", "to-khai.pdf", samples::pdf("to khai"))],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let back = r.text().await.unwrap();
    assert!(back.contains("phải gồm đúng 12 chữ số"), "{back}");
    assert!(back.contains("value=\"Trần Thị Lan\""));
    assert!(
        back.contains("chọn lại"),
        "the officer is told to choose the files again"
    );

    // A required component neither scanned nor seen: not received, and why.
    let mut missing = applicant();
    missing.retain(|(k, _)| !k.ends_with("_6"));
    let r = c
        .post(app.url("/can-bo/tiep-nhan"))
        .multipart(reception(
            &page,
            &missing,
            vec![("scan_1", "to-khai.pdf", samples::pdf("to khai"))],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let back = r.text().await.unwrap();
    assert!(
        back.contains("Thiếu thành phần bắt buộc: Giấy tờ tùy thân"),
        "{back}"
    );

    // A program renamed .pdf among the scans.
    let r = c
        .post(app.url("/can-bo/tiep-nhan"))
        .multipart(reception(
            &page,
            &applicant(),
            vec![("scan_1", "to-khai.pdf", samples::exe())],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    let back = r.text().await.unwrap();
    assert!(back.contains("Chỉ nhận tệp PDF, JPEG hoặc PNG"));
    // The form comes back with what was typed, naming the refused file.
    assert!(back.contains("value=\"Trần Thị Lan\""), "{back}");
    assert!(back.contains("value=\"Thẻ CCCD xuất trình, không lưu bản sao\""));
    assert!(back.contains("Thành phần 1 (Tờ khai đăng ký khai sinh"));
    assert!(back.contains("tệp “to-khai.pdf” bị từ chối"));
    assert!(back.contains("chọn lại"));
    assert!(
        app.db
            .store
            .inbox(&motcua_store::dossiers::InboxFilter {
                units: vec![motcua_domain::UnitCode::parse(COMMUNE).unwrap()],
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap()
            .0
            .is_empty(),
        "nothing was received"
    );

    let scan = samples::pdf("To khai dang ky khai sinh");
    let photo = samples::png(90);
    let scans = || {
        vec![
            ("scan_1", "Tờ khai khai sinh.pdf", scan.clone()),
            ("scan_0", "Ảnh sổ hộ khẩu.png", photo.clone()),
        ]
    };
    let r = c
        .post(app.url("/can-bo/tiep-nhan"))
        .multipart(reception(&page, &applicant(), scans()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let receipt_at = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(receipt_at.ends_with("/phieu-tiep-nhan"));
    let id = receipt_at
        .trim_start_matches("/can-bo/ho-so/")
        .trim_end_matches("/phieu-tiep-nhan")
        .to_owned();
    let receipt = get(&c, &app, &receipt_at).await;
    assert!(receipt.contains("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"));
    assert!(receipt.contains("Trần Thị Lan"));
    assert!(receipt.contains("000.01.99.H57-"));

    // The same form sent again (a double click): the same dossier.
    let r = c
        .post(app.url("/can-bo/tiep-nhan"))
        .multipart(reception(&page, &applicant(), scans()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"].to_str().unwrap(), receipt_at);
    // The same key with another name for the applicant: refused, not answered with the
    // first receipt.
    let mut renamed = applicant();
    renamed[3] = ("applicant_name", "Trần Thị Hoa");
    let r = c
        .post(app.url("/can-bo/tiep-nhan"))
        .multipart(reception(&page, &renamed, scans()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.headers().get("location").is_none());
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("đã được dùng cho một yêu cầu khác"),
        "the officer is told why"
    );

    // The log: taken in at the desk, one event per component, then received.
    let events = app.db.store.dossier_events(&id).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.change.kind()).collect();
    assert_eq!(
        kinds,
        [
            "created",
            "submitted",
            "component_file",
            "paper_seen",
            "paper_seen",
            "component_file",
            "received"
        ]
    );
    assert!(matches!(
        events[1].change,
        Change::Submitted {
            channel: Channel::Direct,
            helper: None
        }
    ));
    let Change::ComponentFile { file, component } = &events[2].change else {
        panic!("a scan");
    };
    assert_eq!(file.sha256, samples::sha256(&scan));
    assert!(component.starts_with("Tờ khai đăng ký khai sinh"));
    let d = app.db.store.dossier(&id).await.unwrap();
    assert_eq!(d.state.applicant, "cccd:046190001234");
    assert_eq!(d.form_data["applicant"]["phone"], "0914222333");
    assert_eq!(d.state.component_files, 2);

    // The officer's page lists the files with their sizes and the papers seen.
    let office = get(&c, &app, &format!("/can-bo/ho-so/{id}")).await;
    assert!(office.contains("Tờ khai khai sinh.pdf"));
    assert!(office.contains(&format!("{} byte", photo.len())));
    assert!(office.contains("Thẻ CCCD xuất trình, không lưu bản sao"));
    assert!(office.contains("/phieu-kiem-soat"));

    // The control sheet (form 06) lists the components as the desk recorded them.
    let sheet = get(&c, &app, &format!("/can-bo/ho-so/{id}/phieu-kiem-soat")).await;
    let part = &sheet[sheet
        .find("Thành phần hồ sơ khi tiếp nhận")
        .expect("the components on the control sheet")..];
    assert!(part.contains("<td>Bản điện tử</td><td>Tờ khai khai sinh.pdf ("));
    assert!(part.contains("<td>Ảnh sổ hộ khẩu.png ("));
    assert_eq!(
        part.matches("<td>Bản giấy gốc đã kiểm tra, chưa số hóa</td>")
            .count(),
        2
    );
    assert!(part.contains("Lý do: Thẻ CCCD xuất trình, không lưu bản sao"));
}

async fn received_dossier(app: &crate::common::App, c: &Client, desk: &str) -> String {
    let page = get(c, app, "/can-bo/tiep-nhan?thu_tuc=1.001193").await;
    let mut fields = applicant();
    fields[0] = ("desk", desk);
    let r = c
        .post(app.url("/can-bo/tiep-nhan"))
        .multipart(reception(
            &page,
            &fields,
            vec![("scan_1", "tk.pdf", samples::pdf("tk"))],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    r.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/can-bo/ho-so/")
        .trim_end_matches("/phieu-tiep-nhan")
        .to_owned()
}

#[tokio::test]
async fn the_control_sheet_follows_the_steps_and_the_result_is_uploaded_on_complete() {
    let app = crate::common::spawn().await;
    publish_process(&app).await;
    // Received at the city's service centre for the commune (reception anywhere).
    let centre = login(&app, "tiepnhan.tt").await;
    let id = received_dossier(&app, &centre, CENTRE).await;
    let d = app.db.store.dossier(&id).await.unwrap().state;
    assert_eq!(d.desk.as_ref().unwrap().as_str(), CENTRE);
    assert_eq!(d.unit.as_str(), COMMUNE);

    let specialist = login(&app, "chuyenvien").await;
    let office = get(&specialist, &app, &format!("/can-bo/ho-so/{id}")).await;
    let r = specialist
        .post(app.url(&format!("/can-bo/ho-so/{id}/chuyen-buoc")))
        .form(&[
            ("csrf_token", hidden(&office, "csrf_token").as_str()),
            ("version", hidden(&office, "version").as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    let leader = login(&app, "lanhdao").await;
    let office = get(&leader, &app, &format!("/can-bo/ho-so/{id}")).await;
    assert!(office.contains(&format!("action=\"/can-bo/ho-so/{id}/ket-qua\"")));
    let result = samples::pdf("Giay khai sinh");
    let form = Form::new()
        .text("csrf_token", hidden(&office, "csrf_token"))
        .text("version", hidden(&office, "version"))
        .text("results", "")
        .part(
            "result_file",
            Part::bytes(result.clone()).file_name("Giấy khai sinh.pdf"),
        );
    let r = leader
        .post(app.url(&format!("/can-bo/ho-so/{id}/ket-qua")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let d = app.db.store.dossier(&id).await.unwrap().state;
    assert_eq!(d.status.as_str(), "completed");
    assert_eq!(d.result_files, 1);
    let events = app.db.store.dossier_events(&id).await.unwrap();
    let n = events.len();
    assert_eq!(events[n - 2].change.kind(), "result_file");
    // Named by the file when no title was typed.
    assert!(
        matches!(&events[n - 1].change, Change::Completed { results } if results == &["Giấy khai sinh.pdf".to_owned()])
    );
    let files = app.db.store.dossier_files(&id).await.unwrap();
    let kq = files
        .iter()
        .find(|f| f.purpose.as_str() == "result")
        .unwrap();
    assert_eq!(kq.sha256, samples::sha256(&result));

    let sheet = get(
        &centre,
        &app,
        &format!("/can-bo/ho-so/{id}/phieu-kiem-soat"),
    )
    .await;
    assert!(sheet.contains("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"));
    assert!(sheet.contains("Mẫu số 06"));
    assert!(sheet.contains("Trần Thị Lan"));
    assert!(sheet.contains("Công chức tư pháp - hộ tịch thẩm tra hồ sơ (Chuyên viên xử lý)"));
    assert!(sheet.contains("Chủ tịch UBND phường ký Giấy khai sinh (Lãnh đạo)"));
    // Handed over by the specialist, then by the leader; both in time, in seconds.
    assert!(sheet.contains("<td>chuyenvien</td>"), "{sheet}");
    assert!(sheet.contains("<td>lanhdao</td>"));
    assert!(!sheet.contains("Quá hạn"));
    assert!(sheet.contains("Trước hạn") || sheet.contains("Đúng hạn"));
    let steps = &sheet[..sheet.find("Thành phần hồ sơ khi tiếp nhận").unwrap()];
    assert_eq!(
        steps.matches("<tr><td>").count(),
        4,
        "desk, two steps, result"
    );

    // Not for the applicant's eyes (they have the lookup), nor for another unit.
    let other = login(&app, "chuyenvien.khac").await;
    let r = other
        .get(app.url(&format!("/can-bo/ho-so/{id}/phieu-kiem-soat")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn only_reception_officers_use_the_desk_and_a_forged_post_stores_nothing() {
    let app = crate::common::spawn().await;
    let specialist = login(&app, "chuyenvien").await;
    let r = specialist
        .get(app.url("/can-bo/tiep-nhan"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let desk = login(&app, "tiepnhan").await;
    let page = get(&desk, &app, "/can-bo/tiep-nhan?thu_tuc=1.001193").await;
    assert!(page.contains("name=\"csrf_token\""));
    // A post from elsewhere has no valid token; its scans are not kept.
    let forged = Form::new()
        .text("csrf_token", "gia-mao")
        .text("procedure", "1.001193")
        .part(
            "scan_1",
            Part::bytes(samples::pdf("tk")).file_name("tk.pdf"),
        );
    let r = desk
        .post(app.url("/can-bo/tiep-nhan"))
        .multipart(forged)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let anyone = std::fs::read_dir(app.files.path()).unwrap().count();
    assert_eq!(anyone, 0, "no blob for a forged post");
}
