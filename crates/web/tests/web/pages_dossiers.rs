//! The dossier journey through the Vietnamese pages only (forms and links, no JSON API), as
//! a browser without JavaScript would do it.

use crate::common::pages::{COMMUNE, act, birth_form, get, hidden, login, post, start};

#[tokio::test]
async fn birth_declaration_from_draft_to_rating_with_forms_only() {
    let app = crate::common::spawn().await;
    let (citizen, csrf_c) = login(&app, "congdan").await;
    let (desk, csrf_d) = login(&app, "tiepnhan").await;
    let (spec, csrf_s) = login(&app, "chuyenvien").await;
    let (lead, csrf_l) = login(&app, "lanhdao").await;

    let home = get(&citizen, &app, "/").await;
    assert!(home.contains("Hồ sơ của tôi") && !home.contains("Hồ sơ cần xử lý"));
    let home = get(&desk, &app, "/").await;
    assert!(home.contains("Hồ sơ cần xử lý"));

    let id = start(&app, &citizen).await;
    let draft_path = format!("/ho-so/{id}");
    let draft = get(&citizen, &app, &draft_path).await;
    for s in [
        "Tờ khai đăng ký khai sinh",
        "Đang soạn",
        "Lưu nháp",
        "Nộp hồ sơ",
        "name=\"witnesses[1].full_name\"",
        "type=\"date\"",
        "type=\"radio\"",
        "Người làm chứng 2",
    ] {
        assert!(draft.contains(s), "draft page lacks {s}");
    }
    // The group allows two witnesses: no third row.
    assert!(!draft.contains("witnesses[2]"));

    // Submitting an incomplete declaration: summary with links, messages at the fields.
    let v = hidden(&draft, "version");
    let form_path = format!("/ho-so/{id}/to-khai");
    let r = post(
        &citizen,
        &app,
        &form_path,
        &[
            ("csrf_token", &csrf_c),
            ("version", &v),
            ("action", "submit"),
            ("child_full_name", "Nguyễn Văn An"),
            ("requester_phone", "12345"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("class=\"error-summary\""));
    assert!(page.contains("href=\"#f-requester_full_name\""));
    assert!(page.contains("id=\"f-requester_phone-error\""));
    assert!(
        page.contains("value=\"Nguyễn Văn An\""),
        "typed values kept"
    );

    // Save the draft, then submit the whole declaration.
    let page = act(
        &citizen,
        &app,
        &form_path,
        &[
            ("csrf_token", &csrf_c),
            ("version", &v),
            ("action", "save"),
            ("child_full_name", "Nguyễn Văn An"),
        ],
    )
    .await;
    assert!(page.contains("Đã lưu nháp."));
    assert!(page.contains("value=\"Nguyễn Văn An\""));
    let v = hidden(&page, "version");
    let mut form = vec![
        ("csrf_token", csrf_c.as_str()),
        ("version", v.as_str()),
        ("action", "submit"),
    ];
    form.extend(birth_form());
    // "Nộp hồ sơ" leads to the review; "Xác nhận nộp hồ sơ" there submits.
    let review = act(&citizen, &app, &form_path, &form).await;
    assert!(review.contains("Xem lại hồ sơ trước khi nộp"), "{review}");
    let v = hidden(&review, "version");
    let page = act(
        &citizen,
        &app,
        &format!("/ho-so/{id}/xac-nhan"),
        &[("csrf_token", &csrf_c), ("version", &v)],
    )
    .await;
    assert!(page.contains("Mới đăng ký"), "{page}");
    assert!(page.contains("Đã nộp hồ sơ."));

    // The desk sees it as new and receives it; it has no step buttons.
    let inbox = get(&desk, &app, "/can-bo?status=submitted").await;
    assert!(inbox.contains(&format!("/can-bo/ho-so/{id}")));
    assert!(inbox.contains("Mới đăng ký"));
    let office = format!("/can-bo/ho-so/{id}");
    let page = get(&desk, &app, &office).await;
    assert!(page.contains("Tiếp nhận</button>") && page.contains("Từ chối tiếp nhận</button>"));
    assert!(!page.contains("Chuyển bước</button>"));
    assert!(page.contains("Nguyễn Thị Hoa"), "the declaration, labelled");
    assert!(page.contains("Họ, chữ đệm, tên của trẻ"));
    let v = hidden(&page, "version");
    let page = act(
        &desk,
        &app,
        &format!("{office}/tiep-nhan"),
        &[("csrf_token", &csrf_d), ("version", &v), ("desk", COMMUNE)],
    )
    .await;
    assert!(page.contains("Đã tiếp nhận hồ sơ và cấp Giấy tiếp nhận."));
    assert!(page.contains("Đã tiếp nhận"));
    assert!(!page.contains("Chuyển bước</button>"));
    let code_at = page.find("000.01.99.H57-").unwrap();
    let code = page[code_at..code_at + 25].to_owned();
    assert!(code.ends_with("-0001"), "{code}");
    let s_at = page.find("class=\"secret\">").unwrap() + "class=\"secret\">".len();
    let secret = page[s_at..].split('<').next().unwrap().to_owned();
    assert_eq!(secret.len(), 8);
    let receipt = get(&desk, &app, &format!("{office}/phieu-tiep-nhan")).await;
    assert!(receipt.contains("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"));
    assert!(receipt.contains(&secret) && receipt.contains(&code));

    // The specialist asks for a supplement; a stale version is refused with a message.
    let page = get(&spec, &app, &office).await;
    assert!(page.contains("Chuyển bước</button>") && page.contains("Yêu cầu bổ sung</button>"));
    assert!(!page.contains("Hoàn thành</button>") && !page.contains("Tiếp nhận</button>"));
    let stale = hidden(&page, "version");
    let page = act(
        &spec,
        &app,
        &format!("{office}/yeu-cau-bo-sung"),
        &[
            ("csrf_token", &csrf_s),
            ("version", &stale),
            ("items", "Giấy chứng sinh bản chính\n\n"),
            ("reason", "Bản chụp giấy chứng sinh không rõ"),
        ],
    )
    .await;
    assert!(page.contains("Yêu cầu bổ sung"));
    let r = post(
        &spec,
        &app,
        &format!("{office}/chuyen-buoc"),
        &[("csrf_token", &csrf_s), ("version", &stale)],
    )
    .await;
    assert_eq!(r.status(), 409);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Hồ sơ đã được người khác cập nhật.")
    );

    // The citizen sees the request and answers it.
    let page = get(&citizen, &app, &draft_path).await;
    assert!(page.contains("Cơ quan yêu cầu bổ sung hồ sơ"));
    assert!(page.contains("Giấy chứng sinh bản chính"));
    let v = hidden(&page, "version");
    let page = act(
        &citizen,
        &app,
        &format!("/ho-so/{id}/bo-sung"),
        &[("csrf_token", &csrf_c), ("version", &v)],
    )
    .await;
    assert!(page.contains("Đang xử lý"));

    let page = get(&spec, &app, &office).await;
    let v = hidden(&page, "version");
    let page = act(
        &spec,
        &app,
        &format!("{office}/chuyen-buoc"),
        &[
            ("csrf_token", &csrf_s),
            ("version", &v),
            ("note", "Đủ điều kiện"),
        ],
    )
    .await;
    assert!(page.contains("Đã chuyển hồ sơ sang bước tiếp theo."));
    assert!(!page.contains("Chuyển bước</button>"));

    let page = get(&lead, &app, &office).await;
    assert!(page.contains("Hoàn thành</button>"));
    let v = hidden(&page, "version");
    let page = act(
        &lead,
        &app,
        &format!("{office}/hoan-thanh"),
        &[
            ("csrf_token", &csrf_l),
            ("version", &v),
            ("results", "Giấy khai sinh bản chính"),
        ],
    )
    .await;
    assert!(page.contains("Đã xử lý xong"));

    let page = get(&desk, &app, &office).await;
    let v = hidden(&page, "version");
    let page = act(
        &desk,
        &app,
        &format!("{office}/tra-ket-qua"),
        &[
            ("csrf_token", &csrf_d),
            ("version", &v),
            ("how", "Trả trực tiếp tại Bộ phận Một cửa"),
        ],
    )
    .await;
    assert!(page.contains("Đã trả kết quả"));

    let page = get(&citizen, &app, &draft_path).await;
    assert!(page.contains("Gửi đánh giá") && page.contains("Giấy khai sinh bản chính"));
    let v = hidden(&page, "version");
    let page = act(
        &citizen,
        &app,
        &format!("/ho-so/{id}/danh-gia"),
        &[
            ("csrf_token", &csrf_c),
            ("version", &v),
            ("rating", "satisfied"),
        ],
    )
    .await;
    assert!(page.contains("Cảm ơn bạn đã đánh giá."));
    assert!(!page.contains("Gửi đánh giá"));
    let mine = get(&citizen, &app, "/ho-so-cua-toi").await;
    assert!(mine.contains(&code) && mine.contains("Đã trả kết quả"));

    // Anyone with the receipt's code and secret can follow it.
    let anon = app.browser();
    let page = get(
        &anon,
        &app,
        &format!("/tra-cuu?code={code}&secret={}", secret.to_lowercase()),
    )
    .await;
    assert!(page.contains("Đã trả kết quả") && page.contains("Tiếp nhận hồ sơ"));
    assert!(!page.contains("Nguyễn Thị Hoa"), "no personal data");
    let r = anon
        .get(app.url(&format!("/tra-cuu?code={code}&secret=AAAAAAAA")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("Không tìm thấy hồ sơ"));
}

#[tokio::test]
async fn forms_need_the_token_and_pages_need_a_login() {
    let app = crate::common::spawn().await;
    let (citizen, csrf) = login(&app, "congdan").await;
    let id = start(&app, &citizen).await;
    let r = post(
        &citizen,
        &app,
        &format!("/ho-so/{id}/to-khai"),
        &[("action", "save"), ("child_full_name", "A")],
    )
    .await;
    assert_eq!(r.status(), 403);
    let r = post(
        &citizen,
        &app,
        &format!("/ho-so/{id}/to-khai"),
        &[("csrf_token", "sai"), ("action", "save")],
    )
    .await;
    assert_eq!(r.status(), 403);
    assert!(!csrf.is_empty());

    // Officers of another unit cannot open it; the citizen has no inbox.
    let (other, _) = login(&app, "chuyenvien.khac").await;
    let r = other
        .get(app.url(&format!("/can-bo/ho-so/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = citizen.get(app.url("/can-bo")).send().await.unwrap();
    assert_eq!(r.status(), 403);

    let anon = app.browser();
    let r = anon.get(app.url("/ho-so-cua-toi")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/dang-nhap?next=%2Fho-so-cua-toi");
    let page = get(&anon, &app, "/dang-nhap?next=%2Fho-so-cua-toi").await;
    assert!(page.contains("name=\"next\" value=\"/ho-so-cua-toi\""));
    let r = post(
        &anon,
        &app,
        "/dang-nhap",
        &[
            ("username", "congdan"),
            ("password", crate::common::PASSWORD),
            ("next", "/ho-so-cua-toi"),
        ],
    )
    .await;
    assert_eq!(r.headers()["location"], "/ho-so-cua-toi");
    // Somewhere else is not followed.
    let r = post(
        &app.browser(),
        &app,
        "/dang-nhap",
        &[
            ("username", "congdan"),
            ("password", crate::common::PASSWORD),
            ("next", "//evil.example"),
        ],
    )
    .await;
    assert_eq!(r.headers()["location"], "/");
}
