//! English on the dossier pages: the citizen's draft, review and dossier, the officer's
//! inbox and dossier, the desk's reception form and the printed forms 01 and 06, each read
//! in English and in Vietnamese by the person who uses it, through a real server.

use crate::common::pages::{COMMUNE, act, birth_form, choose, get, hidden, login, post, start};
use reqwest::Client;

/// The page's text with askama's escapes of `'` and `&` read back.
fn plain(page: String) -> String {
    page.replace("&#39;", "'").replace("&#38;", "&")
}

fn has_all(page: &str, what: &str, wanted: &[&str]) {
    for s in wanted {
        assert!(page.contains(s), "{what}: missing {s:?}");
    }
}

fn has_none(page: &str, what: &str, unwanted: &[&str]) {
    for s in unwanted {
        assert!(!page.contains(s), "{what}: still has {s:?}");
    }
}

/// An English page whose own text is English: the frame is not marked Vietnamese.
fn english_frame(page: &str, what: &str) {
    assert!(page.contains("<html lang=\"en\">"), "{what}: html lang");
    assert!(
        page.contains("<main id=\"noi-dung\" class=\"wrap\">"),
        "{what}: main is not marked vi"
    );
}

/// A Vietnamese page marks nothing Vietnamese but itself.
fn nothing_marked(page: &str, what: &str) {
    assert!(page.contains("<html lang=\"vi\">"), "{what}: html lang");
    assert_eq!(
        page.matches("lang=\"vi\"").count(),
        1,
        "{what}: marked vi inside"
    );
}

/// A citizen's draft submitted through the pages, in Vietnamese; its id.
async fn submitted(app: &crate::common::App, c: &Client, csrf: &str) -> String {
    let id = start(app, c).await;
    let draft = get(c, app, &format!("/ho-so/{id}")).await;
    let v = hidden(&draft, "version");
    let mut form = vec![
        ("csrf_token", csrf),
        ("version", v.as_str()),
        ("action", "submit"),
    ];
    form.extend(birth_form());
    let review = act(c, app, &format!("/ho-so/{id}/to-khai"), &form).await;
    let v = hidden(&review, "version");
    act(
        c,
        app,
        &format!("/ho-so/{id}/xac-nhan"),
        &[("csrf_token", csrf), ("version", &v)],
    )
    .await;
    id
}

#[tokio::test]
async fn a_citizen_drafts_reviews_and_follows_a_dossier_in_english() {
    let app = crate::common::spawn().await;
    let (c, csrf) = login(&app, "congdan").await;
    let id = start(&app, &c).await;
    choose(&app, &c, "en").await;

    // The draft: the portal's words in English, the e-form's own in Vietnamese, marked.
    let page = plain(get(&c, &app, &format!("/ho-so/{id}?ok=created")).await);
    english_frame(&page, "draft");
    has_all(
        &page,
        "draft",
        &[
            "<title>Draft dossier – ",
            "Draft dossier created. Fill in the declaration",
            "aria-label=\"Steps of an online application\"",
            "<li aria-current=\"step\">Fill in the declaration, attach files</li>",
            "<dt>Dossier code</dt><dd>No code yet (given at reception)</dd>",
            "<span class=\"status st-draft\">Draft</span>",
            "<h1 lang=\"vi\">Tờ khai đăng ký khai sinh",
            "<span lang=\"vi\">Họ, chữ đệm, tên của trẻ</span> <span class=\"req\">(required)</span>",
            "Fields marked “required” must be filled in",
            ">Save draft</button>",
            "value=\"submit\">Submit</button>",
            "<h2 id=\"tep-dinh-kem\">Attached files</h2>",
            "Upload a document file",
            "<option value=\"0\">Other papers</option>",
            "<dd lang=\"vi\">Phường An Cựu</dd>",
        ],
    );
    has_none(
        &page,
        "draft",
        &[
            "Lưu nháp",
            "Hồ sơ đang soạn",
            "bắt buộc",
            "Tệp đính kèm",
            "Trạng thái",
        ],
    );

    // A declaration that does not hold: the summary and the messages about each field in
    // English, naming the fields by the form's (Vietnamese) labels.
    let draft_v = hidden(&page, "version");
    let r = post(
        &c,
        &app,
        &format!("/ho-so/{id}/to-khai"),
        &[
            ("csrf_token", &csrf),
            ("version", &draft_v),
            ("action", "submit"),
            ("requester_phone", "12345"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let page = plain(r.text().await.unwrap());
    has_all(
        &page,
        "draft with errors",
        &[
            "<h2 id=\"loi-tieu-de\">Items to correct: ",
            "The declaration is not valid; see the fields.",
            "<a href=\"#f-requester_full_name\">Please enter “Họ, chữ đệm, tên người yêu cầu”.</a>",
            "<span class=\"sr-only\">Error: </span>Please enter “Họ, chữ đệm, tên người yêu cầu”.</p>",
            "is not a valid mobile number (10 digits, starting with 0 or +84).",
        ],
    );
    has_none(
        &page,
        "draft with errors",
        &["mục cần sửa", "Tờ khai chưa hợp lệ", "Vui lòng nhập"],
    );

    // The review step.
    let mut form = vec![
        ("csrf_token", csrf.as_str()),
        ("version", draft_v.as_str()),
        ("action", "submit"),
    ];
    form.extend(birth_form());
    let review = plain(act(&c, &app, &format!("/ho-so/{id}/to-khai"), &form).await);
    english_frame(&review, "review");
    has_all(
        &review,
        "review",
        &[
            "<h1>Review the dossier before submitting</h1>",
            "The dossier <strong>has not been submitted yet</strong>. Check the information below.",
            "<li aria-current=\"step\">Review</li>",
            "<h2 id=\"xem-tep\">Attached files</h2>",
            "No files attached yet.",
            "<h3>Documents without a file</h3>",
            "Required documents still without a file: ",
            "<strong>(required)</strong>",
            "<dt lang=\"vi\">Họ, chữ đệm, tên của trẻ</dt><dd lang=\"vi\">Nguyễn Văn An</dd>",
            // A ticked box reads in the reader's language; the answer is not data.
            "</dt><dd>Yes</dd>",
            "Go back and edit</a>",
            ">Confirm and submit</button>",
        ],
    );
    has_none(
        &review,
        "review",
        &["Xem lại hồ sơ", "Xác nhận nộp", "chưa có tệp", "(bắt buộc)"],
    );

    // Submitted: the dossier page, its history and the applicant's actions.
    let v = hidden(&review, "version");
    let page = plain(
        act(
            &c,
            &app,
            &format!("/ho-so/{id}/xac-nhan"),
            &[("csrf_token", &csrf), ("version", &v)],
        )
        .await,
    );
    english_frame(&page, "dossier");
    has_all(
        &page,
        "dossier",
        &[
            "Dossier submitted. The one-stop desk will check and receive it.",
            "<span class=\"status st-submitted\">Submitted</span>",
            "<dt>Submitted</dt>",
            "<h2 id=\"qua-trinh\">Processing history</h2>",
            "<strong>Dossier created</strong>",
            "<strong>Dossier submitted</strong>",
            " · Applicant</span>",
            "<h2 id=\"giay-to\">Documents issued</h2>",
            "No documents yet.",
            "<h2 id=\"to-khai-da-nop\">Declaration</h2>",
            "<dt lang=\"vi\">Họ, chữ đệm, tên của trẻ</dt><dd lang=\"vi\">Nguyễn Văn An</dd>",
            "<h2 id=\"rut-ho-so\">Withdraw the dossier</h2>",
            "I confirm the withdrawal",
        ],
    );
    has_none(
        &page,
        "dossier",
        &[
            "Quá trình xử lý",
            "Rút hồ sơ",
            "Người nộp hồ sơ",
            "Đã nộp hồ sơ",
            "Nội dung tờ khai",
            " ngày ",
        ],
    );

    // A refusal of the page's own check speaks English too.
    let v = hidden(&page, "version");
    let r = post(
        &c,
        &app,
        &format!("/ho-so/{id}/rut"),
        &[("csrf_token", &csrf), ("version", &v)],
    )
    .await;
    assert_eq!(r.status(), 422);
    let page = plain(r.text().await.unwrap());
    has_all(
        &page,
        "refused withdrawal",
        &[
            "<h2 id=\"loi-tieu-de\">This could not be done</h2>",
            "Tick the confirmation to withdraw.",
        ],
    );

    // Back in Vietnamese, the same page reads as before.
    choose(&app, &c, "vi").await;
    let page = get(&c, &app, &format!("/ho-so/{id}")).await;
    assert!(page.contains("<html lang=\"vi\">"));
    has_all(
        &page,
        "dossier in Vietnamese",
        &[
            "<h2 id=\"qua-trinh\">Quá trình xử lý</h2>",
            " · Người nộp hồ sơ</span>",
            "<span class=\"status st-submitted\">Mới đăng ký</span>",
            "<dt>Họ, chữ đệm, tên của trẻ</dt><dd>Nguyễn Văn An</dd>",
            "<h2 id=\"rut-ho-so\">Rút hồ sơ</h2>",
        ],
    );
    has_none(&page, "dossier in Vietnamese", &["Processing history"]);
    nothing_marked(&page, "dossier in Vietnamese");
}

#[tokio::test]
async fn an_officer_handles_a_dossier_in_english_and_prints_vietnamese_forms() {
    let app = crate::common::spawn().await;
    let (citizen, csrf_c) = login(&app, "congdan").await;
    let id = submitted(&app, &citizen, &csrf_c).await;
    let (desk, csrf) = login(&app, "tiepnhan").await;
    choose(&app, &desk, "en").await;

    let inbox = plain(get(&desk, &app, "/can-bo").await);
    english_frame(&inbox, "inbox");
    has_all(
        &inbox,
        "inbox",
        &[
            "<title>Dossiers to handle – ",
            "<h1>Dossiers to handle</h1>",
            "Receive a paper dossier</a>",
            "</strong> New</a>",
            "</strong> Awaiting supplement</a>",
            "<option value=\"submitted\">Submitted</option>",
            "Due soon (by the end of tomorrow)",
            ">Filter</button>",
            "<caption>Dossiers, nearest deadline first</caption>",
            "data-label=\"Procedure\" lang=\"vi\">Thủ tục đăng ký khai sinh",
            "data-label=\"Status\">Submitted</td>",
            "No code yet",
        ],
    );
    has_none(
        &inbox,
        "inbox",
        &["Hồ sơ cần xử lý", "Mới đăng ký", "Trạng thái", "Chưa có mã"],
    );

    let office = format!("/can-bo/ho-so/{id}");
    let page = plain(get(&desk, &app, &office).await);
    english_frame(&page, "officer's dossier");
    has_all(
        &page,
        "officer's dossier",
        &[
            "<h2 id=\"thao-tac\">Actions</h2>",
            "<h3>Receive the dossier</h3>",
            "<label for=\"desk-r\">Receiving one-stop desk</label>",
            ">Receive</button>",
            "<label for=\"reason-t\">Reason for refusal (printed on form 03)</label>",
            ">Refuse to receive</button>",
            "lang=\"vi\">Phường An Cựu</option>",
        ],
    );
    has_none(
        &page,
        "officer's dossier",
        &["Thao tác", "Tiếp nhận</button>", "Lý do"],
    );

    let v = hidden(&page, "version");
    let page = plain(
        act(
            &desk,
            &app,
            &format!("{office}/tiep-nhan"),
            &[("csrf_token", &csrf), ("version", &v), ("desk", COMMUNE)],
        )
        .await,
    );
    has_all(
        &page,
        "received dossier",
        &[
            "Dossier received and receipt issued.",
            "<span class=\"status st-received\">Received</span>",
            "Print the receipt and result date (form 01, in Vietnamese)",
            "Print the processing control sheet (form 06, in Vietnamese)",
            "<h3>Receipt of the dossier and result date <small>(Form 01, ",
            "<dt>Lookup code</dt><dd><strong class=\"secret\">",
            "<strong>Dossier received, result date set</strong>",
            " · Reception officer (one-stop desk)</span>",
            "<br>Dossier code 000.01.99.H57-",
        ],
    );
    has_none(
        &page,
        "received dossier",
        &["Giấy tiếp nhận hồ sơ và hẹn trả", "Mã tra cứu", "hẹn trả"],
    );

    // A specialist asks for a supplement: the words are English, what they wrote is not.
    let (spec, csrf_s) = login(&app, "chuyenvien").await;
    choose(&app, &spec, "en").await;
    let page = plain(get(&spec, &app, &office).await);
    let v = hidden(&page, "version");
    let page = plain(
        act(
            &spec,
            &app,
            &format!("{office}/yeu-cau-bo-sung"),
            &[
                ("csrf_token", &csrf_s),
                ("version", &v),
                ("items", "Bản sao Giấy chứng sinh"),
                ("reason", "Bản chụp bị mờ"),
            ],
        )
        .await,
    );
    has_all(
        &page,
        "supplement requested",
        &[
            "Supplement request sent.",
            "<h3>Request to supplement the dossier <small>(Form 02, ",
            "<dt>Documents to supplement</dt><dd lang=\"vi\">Bản sao Giấy chứng sinh</dd>",
            "<strong>Supplement requested</strong>",
            "<br>To supplement: <span lang=\"vi\">Bản sao Giấy chứng sinh</span>. Reason: <span lang=\"vi\">Bản chụp bị mờ</span>",
            " · Specialist</span>",
        ],
    );
    has_none(&page, "supplement requested", &["Cần bổ sung", "Lý do"]);

    // The printed forms keep their Vietnamese body, marked so; the page around is English.
    for (path, heading, title) in [
        (
            "phieu-tiep-nhan",
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            "Receipt (form 01) of dossier",
        ),
        (
            "phieu-kiem-soat",
            "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
            "Control sheet (form 06) of dossier",
        ),
    ] {
        let form = plain(get(&desk, &app, &format!("{office}/{path}")).await);
        english_frame(&form, path);
        has_all(
            &form,
            path,
            &[
                &format!("<title>{title} 000.01.99.H57-"),
                "<article class=\"receipt",
                "\" lang=\"vi\">",
                heading,
                "<dt>Mã hồ sơ</dt>",
                "<p class=\"no-print\" lang=\"en\">Use the browser's Print command",
                "Back to the dossier</a>",
            ],
        );
        has_none(&form, path, &["Quay lại hồ sơ"]);
        let received = form.find("<dt>Thời điểm tiếp nhận</dt><dd>").unwrap();
        assert!(
            form[received..].contains(" ngày "),
            "{path}: dates as the form writes them"
        );
    }

    // In Vietnamese nothing is marked and the words are the official ones.
    choose(&app, &desk, "vi").await;
    let receipt = get(&desk, &app, &format!("{office}/phieu-tiep-nhan")).await;
    has_all(
        &receipt,
        "receipt in Vietnamese",
        &[
            "<article class=\"receipt\">",
            "<p class=\"no-print\">Dùng chức năng In",
            "Quay lại hồ sơ</a>",
        ],
    );
    let page = get(&desk, &app, &office).await;
    has_all(
        &page,
        "officer's dossier in Vietnamese",
        &[
            "<h3>Giấy tiếp nhận hồ sơ và hẹn trả kết quả <small>(Mẫu 01, ",
            " · Cán bộ tiếp nhận (Bộ phận Một cửa)</span>",
            "<h2 id=\"thao-tac\">Thao tác</h2>",
        ],
    );
    nothing_marked(&page, "officer's dossier in Vietnamese");
    nothing_marked(&receipt, "receipt in Vietnamese");
}

#[tokio::test]
async fn the_desk_receives_a_paper_dossier_in_english() {
    let app = crate::common::spawn().await;
    let (desk, _) = login(&app, "tiepnhan").await;
    choose(&app, &desk, "en").await;

    let found = plain(get(&desk, &app, "/can-bo/tiep-nhan?q=khai+sinh").await);
    english_frame(&found, "desk search");
    has_all(
        &found,
        "desk search",
        &[
            "<h1>Receive a paper dossier at the one-stop desk</h1>",
            "Step 1. Find the administrative procedure (name or code)",
            ">Find procedure</button>",
            "<h2>Search results</h2>",
            "<a href=\"/can-bo/tiep-nhan?thu_tuc=1.001193\" lang=\"vi\">",
            "<span class=\"meta\">Code 1.001193</span>",
        ],
    );

    let page = plain(get(&desk, &app, "/can-bo/tiep-nhan?thu_tuc=1.001193").await);
    english_frame(&page, "desk form");
    has_all(
        &page,
        "desk form",
        &[
            "<strong>Procedure:</strong> <span lang=\"vi\">Thủ tục đăng ký khai sinh",
            "(code 1.001193) · time limit 1 working day.",
            "Step 2. Where it is received and who decides",
            "In person at the one-stop desk",
            "<label for=\"applicant-name\">Full name</label>",
            "<option value=\"household_business\">Household business</option>",
            "Step 4. Check and digitise the documents",
            "<span class=\"req\">(required)</span>",
            "Scanned, upload the file",
            "Paper original seen, not digitised",
            "Other papers (optional)",
            "Receive the dossier and print the receipt</button>",
        ],
    );
    has_none(
        &page,
        "desk form",
        &["Bước 2", "bắt buộc", "Họ, chữ đệm và tên", "ngày làm việc"],
    );

    // A form that does not hold comes back with the reasons in English.
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", hidden(&page, "csrf_token"))
        .text("procedure", "1.001193")
        .text("idempotency_key", hidden(&page, "idempotency_key"))
        .text("desk", COMMUNE)
        .text("unit", COMMUNE)
        .text("applicant_name", "Trần Thị Lan")
        .text("applicant_cccd", "046190001234")
        .text("choice_1", "scan");
    let r = desk
        .post(app.url("/can-bo/tiep-nhan"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let back = plain(r.text().await.unwrap());
    has_all(
        &back,
        "refused reception",
        &[
            "<h2 id=\"loi-tieu-de\">The dossier was not received</h2>",
            "The dossier is not complete.",
            "Document 1 (",
            "): “Scanned” is chosen but no file.",
            "Required document missing: ",
            "value=\"Trần Thị Lan\"",
        ],
    );
    has_none(
        &back,
        "refused reception",
        &["Thiếu thành phần", "Hồ sơ chưa đủ"],
    );

    // The same form in Vietnamese.
    choose(&app, &desk, "vi").await;
    let page = get(&desk, &app, "/can-bo/tiep-nhan?thu_tuc=1.001193").await;
    has_all(
        &page,
        "desk form in Vietnamese",
        &[
            "Bước 2. Nơi tiếp nhận và cơ quan giải quyết",
            "(mã 1.001193) · thời hạn giải quyết 1 ngày làm việc.",
            "<label for=\"applicant-name\">Họ, chữ đệm và tên</label>",
        ],
    );
    nothing_marked(&page, "desk form in Vietnamese");
}
