//! Files of a dossier through the API and the pages: real PDF and PNG uploads, refusals by
//! content and size, the digest on record, and who may download what.

use crate::common::samples;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::common::COMMUNE;
/// Chứng thực bản sao: no e-form, one required component.
const PROCEDURE: &str = "2.000815";

use crate::common::Who;

impl Who {
    /// Posts JSON that must succeed; its answer.
    async fn post_expect_ok(&self, app: &crate::common::App, path: &str, body: Value) -> Value {
        let r = self
            .c
            .post(app.url(path))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        let s = r.status();
        let body: Value = r.json().await.unwrap();
        assert!(s.is_success(), "{path}: {s}: {body}");
        body
    }
    async fn upload(
        &self,
        app: &crate::common::App,
        dossier: &str,
        fields: &[(&str, &str)],
        name: &str,
        bytes: Vec<u8>,
    ) -> reqwest::Response {
        let mut form = Form::new();
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        // The client's claim is "application/pdf" whatever the bytes: the server must not
        // believe it.
        let part = Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str("application/pdf")
            .unwrap();
        self.c
            .post(app.url(&format!("/api/v1/dossiers/{dossier}/files")))
            .header("x-csrf-token", &self.csrf)
            .multipart(form.part("file", part))
            .send()
            .await
            .unwrap()
    }
}

async fn draft(app: &crate::common::App, who: &Who) -> String {
    let d = who
        .post_expect_ok(
            app,
            "/api/v1/dossiers",
            json!({"procedure": PROCEDURE, "unit": COMMUNE, "form_data": {"note": "Chứng thực 2 bản"}}),
        )
        .await;
    d["dossier"]["id"].as_str().unwrap().to_owned()
}

async fn error_code(r: reqwest::Response) -> (u16, String) {
    let s = r.status().as_u16();
    let body: Value = r.json().await.unwrap();
    (
        s,
        body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// Every file under the store's folder (blobs and anything left in staging).
fn stored_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// What is left under the store's folder once finished requests have removed the blobs
/// they created and did not keep (that happens just after the answer): waits up to 5 s for
/// at most `keep` files to remain.
async fn left_after_sweep(dir: &std::path::Path, keep: usize) -> Vec<std::path::PathBuf> {
    for _ in 0..50 {
        let now = stored_files(dir);
        if now.len() <= keep {
            return now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    stored_files(dir)
}

fn bytes_under(dir: &std::path::Path) -> u64 {
    stored_files(dir)
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum()
}

/// A valid PDF padded to `size` bytes, different for each `text`.
fn pdf_of(text: &str, size: usize) -> Vec<u8> {
    let mut b = samples::pdf(text);
    b.resize(size, b' ');
    b
}

async fn files_rows(app: &crate::common::App, dossier: &str) -> usize {
    app.db.store.dossier_files(dossier).await.unwrap().len()
}

#[tokio::test]
async fn a_real_pdf_and_png_are_stored_by_digest_and_come_back_byte_for_byte() {
    let app = crate::common::spawn().await;
    let citizen = Who::as_(&app, "congdan").await;
    let id = draft(&app, &citizen).await;
    let pdf = samples::pdf("Ban sao");
    let png = samples::png(200);

    let r = citizen
        .upload(
            &app,
            &id,
            &[("component", "1")],
            "Bản chính giấy tờ.pdf",
            pdf.clone(),
        )
        .await;
    assert_eq!(r.status(), 201);
    let up: Value = r.json().await.unwrap();
    assert_eq!(up["file"]["sha256"], samples::sha256(&pdf));
    assert_eq!(up["file"]["size"], pdf.len());
    assert_eq!(up["file"]["media_type"], "application/pdf");
    assert_eq!(up["file"]["name"], "Bản chính giấy tờ.pdf");
    assert!(
        up["file"]["component"]
            .as_str()
            .unwrap()
            .starts_with("Bản chính giấy tờ")
    );
    assert_eq!(up["dossier"]["version"], 2);

    // The client says PDF; the content is PNG, and PNG is what is recorded.
    let r = citizen
        .upload(
            &app,
            &id,
            &[("component", "0")],
            "anh-chup.pdf",
            png.clone(),
        )
        .await;
    assert_eq!(r.status(), 201);
    let up2: Value = r.json().await.unwrap();
    assert_eq!(up2["file"]["media_type"], "image/png");
    assert_eq!(up2["file"]["component"], "Giấy tờ khác");

    let list: Value = citizen
        .c
        .get(app.url(&format!("/api/v1/dossiers/{id}/files")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);

    // The event log carries the same digest, size and type.
    let events = app.db.store.dossier_events(&id).await.unwrap();
    let recorded: Vec<(String, u64, String)> = events
        .iter()
        .filter_map(|e| match &e.change {
            motcua_domain::dossier::Change::ComponentFile { file, .. } => {
                Some((file.sha256.clone(), file.size, file.media_type.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        recorded,
        vec![
            (
                samples::sha256(&pdf),
                pdf.len() as u64,
                "application/pdf".to_owned()
            ),
            (
                samples::sha256(&png),
                png.len() as u64,
                "image/png".to_owned()
            ),
        ]
    );
    // Content-addressed on disk, nothing left in staging.
    let sha = samples::sha256(&png);
    let blob = app
        .files
        .path()
        .join("blobs")
        .join(&sha[0..2])
        .join(&sha[2..4])
        .join(&sha);
    assert_eq!(std::fs::read(&blob).unwrap(), png);
    assert_eq!(stored_files(app.files.path()).len(), 2);

    let r = citizen
        .c
        .get(app.url(up["file"]["download"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(h["x-content-type-options"], "nosniff");
    let cd = h["content-disposition"].to_str().unwrap();
    assert!(cd.starts_with("attachment;"), "{cd}");
    assert!(
        cd.contains("filename*=UTF-8''B%E1%BA%A3n%20ch%C3%ADnh"),
        "{cd}"
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), pdf.as_slice());
}

#[tokio::test]
async fn content_not_name_decides_and_size_is_capped_and_nothing_half_written() {
    let app = crate::common::spawn().await;
    let citizen = Who::as_(&app, "congdan").await;
    let id = draft(&app, &citizen).await;

    let r = citizen
        .upload(
            &app,
            &id,
            &[("component", "1")],
            "giay-to.pdf",
            samples::exe(),
        )
        .await;
    assert_eq!(
        error_code(r).await,
        (415, "file_type_not_allowed".to_owned())
    );

    let mut big = samples::pdf("lon");
    big.resize(20 * 1024 * 1024 + 1, b' ');
    let r = citizen
        .upload(&app, &id, &[("component", "1")], "lon.pdf", big)
        .await;
    assert_eq!(error_code(r).await, (413, "file_too_large".to_owned()));

    let r = citizen
        .upload(&app, &id, &[("component", "9")], "a.pdf", samples::pdf("x"))
        .await;
    assert_eq!(r.status(), 422);

    // Nothing recorded, and no bytes kept for the refused files.
    assert_eq!(files_rows(&app, &id).await, 0);
    let d = app.db.store.dossier(&id).await.unwrap().state;
    assert_eq!(d.version, 1);
    // The PDF sent for an unknown component was stored before the refusal: it goes too.
    let kept = left_after_sweep(app.files.path(), 0).await;
    assert!(kept.is_empty(), "refused uploads leave nothing: {kept:?}");
}

#[tokio::test]
async fn uploads_refused_after_they_were_stored_leave_no_bytes_behind() {
    let app = crate::common::spawn().await;
    let citizen = Who::as_(&app, "congdan").await;
    let id = draft(&app, &citizen).await;
    let five_mib = 5 * 1024 * 1024;
    // Each is a valid PDF well under the size limit, refused only once it is stored: a
    // stale version (the commit is refused), a result the applicant may not attach, a
    // component the procedure does not have, a purpose that does not exist.
    let refusals: [&[(&str, &str)]; 4] = [
        &[("component", "1"), ("version", "7")],
        &[("purpose", "result")],
        &[("component", "9")],
        &[("component", "1"), ("purpose", "ban-sao")],
    ];
    for (i, fields) in refusals.iter().enumerate() {
        let bytes = pdf_of(&format!("tu choi {i}"), five_mib);
        let r = citizen.upload(&app, &id, fields, "a.pdf", bytes).await;
        let s = r.status();
        assert!(s.is_client_error(), "{fields:?}: {s}");
    }
    let left = left_after_sweep(app.files.path(), 0).await;
    assert!(
        left.is_empty(),
        "{} bytes left by refused uploads: {left:?}",
        bytes_under(app.files.path())
    );
    assert_eq!(files_rows(&app, &id).await, 0);
    assert_eq!(app.db.store.dossier(&id).await.unwrap().state.version, 1);

    // A kept file stays; the same bytes sent again and refused do not take it away, as
    // that upload did not create the blob.
    let kept = pdf_of("giu lai", 100_000);
    let r = citizen
        .upload(&app, &id, &[("component", "1")], "a.pdf", kept.clone())
        .await;
    assert_eq!(r.status(), 201);
    let up: Value = r.json().await.unwrap();
    let r = citizen
        .upload(&app, &id, &[("component", "9")], "a.pdf", kept.clone())
        .await;
    assert_eq!(r.status(), 422);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(stored_files(app.files.path()).len(), 1);
    let r = citizen
        .c
        .get(app.url(up["file"]["download"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.bytes().await.unwrap().as_ref(), kept.as_slice());
}

#[tokio::test]
async fn an_upload_cut_off_midway_leaves_nothing_behind() {
    use tokio::io::AsyncWriteExt;
    let app = crate::common::spawn().await;
    let citizen = Who::as_(&app, "congdan").await;
    let id = draft(&app, &citizen).await;
    // A raw client, to stop sending in the middle of the file.
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/login"))
        .json(&json!({"username": "congdan", "password": crate::common::PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    let csrf = r.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let head = "--XB\r\nContent-Disposition: form-data; name=\"component\"\r\n\r\n1\r\n\
         --XB\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n";
    let request = format!(
        "POST /api/v1/dossiers/{id}/files HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {}\r\n\
         x-csrf-token: {csrf}\r\nContent-Type: multipart/form-data; boundary=XB\r\n\
         Content-Length: 8000000\r\n\r\n{head}",
        cookie.join("; ")
    );
    let addr = app.base.trim_start_matches("http://");
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tcp.write_all(request.as_bytes()).await.unwrap();
    tcp.write_all(&pdf_of("cat ngang", 3 * 1024 * 1024))
        .await
        .unwrap();
    tcp.flush().await.unwrap();
    // Long enough for the server to have started writing past the sniffing head.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    drop(tcp);
    let left = left_after_sweep(app.files.path(), 0).await;
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(files_rows(&app, &id).await, 0);
}

#[tokio::test]
async fn a_dossier_holds_a_bounded_number_of_files_and_bytes() {
    let app = crate::common::spawn_with(|c| {
        c.limits.files = 2;
        c.limits.file_bytes = 1024 * 1024;
    })
    .await;
    let citizen = Who::as_(&app, "congdan").await;
    let id = draft(&app, &citizen).await;
    let up = |name: &'static str, size: usize| {
        let citizen = &citizen;
        let app = &app;
        let id = id.clone();
        async move {
            citizen
                .upload(app, &id, &[("component", "1")], "a.pdf", pdf_of(name, size))
                .await
        }
    };
    assert_eq!(up("mot", 600_000).await.status(), 201);
    // 600 kB + 600 kB passes 1 MiB together.
    let r = up("hai", 600_000).await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "dossier_files_too_large", "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "file");
    assert_eq!(up("ba", 10_000).await.status(), 201);
    // Two files already: refused before anything is read or stored.
    let r = up("bon", 10_000).await;
    assert_eq!(error_code(r).await, (413, "too_many_files".to_owned()));
    assert_eq!(files_rows(&app, &id).await, 2);
    let left = left_after_sweep(app.files.path(), 2).await;
    assert_eq!(left.len(), 2, "{left:?}");
}

#[tokio::test]
async fn downloads_are_named_and_typed_by_content_not_by_the_uploader() {
    let app = crate::common::spawn().await;
    let citizen = Who::as_(&app, "congdan").await;
    let id = draft(&app, &citizen).await;
    // A PDF (that could also be read as HTML) named to be opened as a page, with a
    // right-to-left override hiding its real end.
    let name = "po\u{202e}ly\u{2066}.html";
    let r = citizen
        .upload(
            &app,
            &id,
            &[("component", "1")],
            name,
            samples::pdf("<html>"),
        )
        .await;
    assert_eq!(r.status(), 201);
    let up: Value = r.json().await.unwrap();
    assert_eq!(up["file"]["name"], "poly.pdf");
    let r = citizen
        .c
        .get(app.url(up["file"]["download"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let cd = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        cd,
        "attachment; filename=\"poly.pdf\"; filename*=UTF-8''poly.pdf"
    );
    let list: Value = citizen
        .c
        .get(app.url(&format!("/api/v1/dossiers/{id}/files")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["name"], "poly.pdf");
}

#[tokio::test]
async fn only_the_applicant_and_officers_of_its_units_read_the_files() {
    let app = crate::common::spawn().await;
    let citizen = Who::as_(&app, "congdan").await;
    let id = draft(&app, &citizen).await;
    let pdf = samples::pdf("rieng tu");
    let up: Value = citizen
        .upload(&app, &id, &[("component", "1")], "cccd.pdf", pdf.clone())
        .await
        .json()
        .await
        .unwrap();
    let file = up["file"]["id"].as_str().unwrap().to_owned();
    let download = format!("/api/v1/files/{file}");
    citizen
        .post_expect_ok(&app, &format!("/api/v1/dossiers/{id}/submit"), json!({}))
        .await;

    let anonymous = app.browser();
    let r = anonymous.get(app.url(&download)).send().await.unwrap();
    assert_eq!(r.status(), 401);
    for stranger in ["congdan2", "chuyenvien.khac"] {
        let w = Who::as_(&app, stranger).await;
        let r = w.c.get(app.url(&download)).send().await.unwrap();
        assert_eq!(error_code(r).await.0, 404, "{stranger} reads the file");
        let r =
            w.c.get(app.url(&format!("/api/v1/dossiers/{id}/files")))
                .send()
                .await
                .unwrap();
        assert_eq!(r.status(), 404, "{stranger} lists the files");
        let r = w
            .upload(&app, &id, &[("component", "1")], "x.pdf", samples::pdf("x"))
            .await;
        assert_eq!(r.status(), 404, "{stranger} uploads");
    }
    // The page link sends a visitor to the login page.
    let r = anonymous
        .get(app.url(&format!("/tep/{file}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    let desk = Who::as_(&app, "tiepnhan").await;
    let r = desk.c.get(app.url(&download)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().as_ref(), pdf.as_slice());
    // Submitted: the applicant's files are what was submitted.
    let r = citizen
        .upload(&app, &id, &[("component", "1")], "y.pdf", samples::pdf("y"))
        .await;
    assert_eq!(error_code(r).await, (409, "wrong_status".to_owned()));
    // The desk may add its own scan while it checks the dossier.
    let r = desk
        .upload(
            &app,
            &id,
            &[("component", "1")],
            "scan.pdf",
            samples::pdf("scan"),
        )
        .await;
    assert_eq!(r.status(), 201);
    let events = app.db.store.dossier_events(&id).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.by.role, motcua_domain::access::Role::ReceptionOfficer);
}

#[tokio::test]
async fn the_result_file_is_attached_by_the_signer_and_reaches_the_applicant_and_the_index() {
    let app = crate::common::spawn().await;
    let citizen = Who::as_(&app, "congdan").await;
    let id = draft(&app, &citizen).await;
    citizen
        .upload(
            &app,
            &id,
            &[("component", "1")],
            "ban-chinh.pdf",
            samples::pdf("goc"),
        )
        .await;
    citizen
        .post_expect_ok(&app, &format!("/api/v1/dossiers/{id}/submit"), json!({}))
        .await;
    let desk = Who::as_(&app, "tiepnhan").await;
    desk.post_expect_ok(
        &app,
        &format!("/api/v1/dossiers/{id}/receive"),
        json!({"desk": COMMUNE}),
    )
    .await;
    let specialist = Who::as_(&app, "chuyenvien").await;
    let result = samples::pdf("Ban sao da chung thuc");
    // Step 1 does not complete, so it attaches no result either.
    let r = specialist
        .upload(
            &app,
            &id,
            &[("purpose", "result")],
            "ket-qua.pdf",
            result.clone(),
        )
        .await;
    assert_eq!(error_code(r).await, (409, "step_does_not_allow".to_owned()));
    specialist
        .post_expect_ok(&app, &format!("/api/v1/dossiers/{id}/forward"), json!({}))
        .await;
    let leader = Who::as_(&app, "lanhdao").await;
    let before = app.db.store.change_seq().await.unwrap();
    let r = leader
        .upload(
            &app,
            &id,
            &[("purpose", "result")],
            "Bản sao chứng thực.pdf",
            result.clone(),
        )
        .await;
    assert_eq!(r.status(), 201);
    let up: Value = r.json().await.unwrap();
    assert_eq!(up["file"]["purpose"], "result");
    // The upload is a dossier change like any other: it takes a change number, so a live
    // index starting from an image taken before it reads the dossier again.
    assert!(app.db.store.change_seq().await.unwrap() > before);
    let mut changed = Vec::new();
    app.db
        .store
        .for_each_dossier_line(before, |l| {
            changed.push(l.to_owned());
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(changed[0].contains("\"result_file\":true"), "{changed:?}");
    leader
        .post_expect_ok(
            &app,
            &format!("/api/v1/dossiers/{id}/complete"),
            json!({"results": ["Bản sao được chứng thực"]}),
        )
        .await;
    let r = citizen
        .c
        .get(app.url(up["file"]["download"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.bytes().await.unwrap().as_ref(), result.as_slice());
    // The 766 facts now come from the log: a component file and a result file.
    let export = app.db.store.export_dossiers().await.unwrap();
    assert!(export.contains("\"component_files\":true"), "{export}");
    assert!(export.contains("\"result_file\":true"), "{export}");
}

/// Logs in through the page form and reads the form token from a page.
async fn page_login(app: &crate::common::App, user: &str) -> (reqwest::Client, String) {
    let c = app.browser();
    let r = c
        .post(app.url("/dang-nhap"))
        .form(&[("username", user), ("password", crate::common::PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let home = c
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = "name=\"csrf_token\" value=\"";
    let i = home.find(at).unwrap() + at.len();
    (c, home[i..].split('"').next().unwrap().to_owned())
}

#[tokio::test]
async fn the_draft_page_uploads_without_javascript_and_says_why_a_file_is_refused() {
    let app = crate::common::spawn().await;
    let citizen = Who::as_(&app, "congdan").await;
    let id = draft(&app, &citizen).await;
    let (c, csrf) = page_login(&app, "congdan").await;
    let page = c
        .get(app.url(&format!("/ho-so/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("enctype=\"multipart/form-data\""));
    assert!(page.contains(&format!("action=\"/ho-so/{id}/tep\"")));
    let send = |bytes: Vec<u8>, name: &str, token: &str| {
        let form = Form::new()
            .text("csrf_token", token.to_owned())
            .text("version", "1")
            .text("component", "1")
            .part("file", Part::bytes(bytes).file_name(name.to_owned()));
        c.post(app.url(&format!("/ho-so/{id}/tep")))
            .multipart(form)
            .send()
    };
    // A forged form (no token) stores nothing.
    let r = send(samples::png(1), "anh.png", "sai").await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(stored_files(app.files.path()).is_empty());

    let png = samples::png(7);
    let r = send(png.clone(), "Ảnh giấy tờ.png", &csrf).await.unwrap();
    assert_eq!(r.status(), 303);
    let back = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.starts_with(&format!("/ho-so/{id}?ok=uploaded")));
    let page = c
        .get(app.url(&back))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Đã tải tệp lên."));
    assert!(page.contains("Ảnh giấy tờ.png"));
    assert!(page.contains(&format!("{} byte", png.len())));
    assert!(page.contains(&samples::sha256(&png)[..12]));

    let r = send(samples::exe(), "don.pdf", &csrf).await.unwrap();
    assert_eq!(r.status(), 415);
    let page = r.text().await.unwrap();
    assert!(page.contains("Tệp không đúng định dạng cho phép"), "{page}");
    assert!(page.contains("lang=\"vi\""));
}
