//! The administration pages in both languages: each fetched and posted as the system
//! operator after choosing English (then Vietnamese) with the header's switch. Fixed text,
//! flash and validation messages follow the reader; data (procedure and unit names, what
//! people typed, the citizens' form in the preview) stays Vietnamese, marked `lang="vi"`.

use crate::lang_support::{choose, english, has_all, has_none, page, submit, vietnamese};

use crate::common::COMMUNE;

#[tokio::test]
async fn catalogue_administration_reads_and_refuses_in_english() {
    let app = crate::common::spawn().await;
    let who = app.login("vanhanh").await;
    let c = &who.0;
    choose(&app, c, "en").await;

    let (_, p) = page(c, app.url("/quan-tri")).await;
    english(&p);
    has_all(
        &p,
        &[
            "<h1>Administration</h1>",
            "You are working with these roles:",
            "<li>System operator – <span lang=\"vi\">",
            " and its sub-units</li>",
            "<strong>Catalogue of administrative procedures</strong>",
            "<strong>Accounts and roles</strong>",
            "Every change is recorded in the administration log",
        ],
    );
    has_none(&p, &["Quản trị", "Vận hành hệ thống", "trực thuộc"]);

    let (_, p) = page(c, app.url("/quan-tri/thu-tuc?q=khai+sinh")).await;
    english(&p);
    has_all(
        &p,
        &[
            "<caption>Procedures, by code</caption>",
            "<th scope=\"col\">Latest version</th>",
            "<td lang=\"vi\">Đăng ký khai sinh",
        ],
    );

    let path = "/quan-tri/thu-tuc/1.001193";
    let (_, p) = page(c, app.url(&format!("{path}/ban-nhap"))).await;
    english(&p);
    has_all(
        &p,
        &[
            "<h1>Write a draft: <span lang=\"vi\">",
            "Procedure name <span class=\"req\">(required)</span>",
            "<option value=\"working_days\" selected>working days</option>",
            "<legend>How to apply</legend>",
            ">In person</label>",
            "<legend>Document 1</legend>",
            "name=\"name\" rows=\"2\" lang=\"vi\">",
            "<button type=\"submit\">Save the draft</button>",
        ],
    );
    has_none(&p, &["Thông tin chung", "Lưu bản nháp", "Trực tiếp"]);

    // What the form refuses is said in English, tied to its input.
    let (status, p) = submit(
        &app,
        &who,
        &format!("{path}/ban-nhap"),
        &[
            ("base_version", "1"),
            ("name", "Đăng ký khai sinh"),
            ("units", "khong-phai-ma"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    has_all(
        &p,
        &[
            "Items to correct: 1",
            "<a href=\"#f-units\">The unit code “khong-phai-ma” is not of the form 000.00.31.H57.</a>",
        ],
    );

    // A saved draft: the flash and the comparison in English, the values marked.
    let (status, to) = submit(
        &app,
        &who,
        &format!("{path}/ban-nhap"),
        &[
            ("base_version", "1"),
            ("name", "Đăng ký khai sinh (bản sửa)"),
            ("units", COMMUNE),
        ],
    )
    .await;
    assert_eq!(status, 303, "{to}");
    let (_, p) = page(c, app.url(&to)).await;
    english(&p);
    has_all(
        &p,
        &[
            "<p class=\"ok\" role=\"status\">Draft saved. Citizens do not see the draft until it is published.</p>",
            "<h1 lang=\"vi\">Đăng ký khai sinh (bản sửa)</h1>",
            "Published: version 1",
            "<h2 id=\"phien-ban\">Versions</h2>",
            "<td>Draft</td>",
            "<th scope=\"col\">Version 2</th>",
            "<th scope=\"row\">Procedure name</th>",
            "<td lang=\"vi\">Đăng ký khai sinh (bản sửa)</td>",
            "<th scope=\"col\">Change</th>",
            "<td>Procedure draft saved</td>",
        ],
    );
    has_none(&p, &["Đã lưu bản nháp", "Tên thủ tục", "Các phiên bản"]);

    let (_, p) = page(c, app.url(&format!("{path}/quy-trinh"))).await;
    english(&p);
    has_all(
        &p,
        &[
            "<h1>Digital process: <span lang=\"vi\">",
            "Time limit: ",
            "The procedure has no process of its own yet",
            "<summary>How to write a process (JSON)</summary>",
            "<label for=\"definition\">Process content (JSON)</label>",
        ],
    );
    let (status, p) = submit(
        &app,
        &who,
        &format!("{path}/quy-trinh"),
        &[("definition", "{\"procedure\": ")],
    )
    .await;
    assert_eq!(status, 422);
    has_all(
        &p,
        &[
            "<h2 id=\"loi-tieu-de\">Not done</h2>",
            "The draft was not saved: the process has errors.",
            "<h3 id=\"loi-qt\">The process is not valid</h3>",
            "<strong>Line 1, column",
            "The JSON ends too early.",
        ],
    );
    has_none(&p, &["Chưa thực hiện được", "JSON kết thúc giữa chừng"]);

    let (_, p) = page(c, app.url(&format!("{path}/bieu-mau"))).await;
    english(&p);
    has_all(
        &p,
        &[
            "<h1>E-form: <span lang=\"vi\">",
            "In force: ",
            "<h2 id=\"xem-truoc\">Preview: the form as citizens see it</h2>",
            "<button type=\"submit\" name=\"action\" value=\"preview\" class=\"secondary\">Preview</button>",
        ],
    );
    // The preview is the citizens' form, in Vietnamese, marked as a whole.
    let preview = p.find("id=\"xem-truoc\"").unwrap();
    assert!(p[preview..].contains("<div lang=\"vi\">"));

    choose(&app, c, "vi").await;
    let (_, p) = page(c, app.url(path)).await;
    vietnamese(&p);
    has_all(
        &p,
        &[
            "<h2 id=\"phien-ban\">Các phiên bản</h2>",
            "<th scope=\"row\">Tên thủ tục</th>",
            "<td>Lưu bản nháp thủ tục</td>",
        ],
    );
    let (_, p) = page(c, app.url("/quan-tri")).await;
    vietnamese(&p);
    has_all(
        &p,
        &[
            "Bạn đang làm việc với quyền:",
            "<li>Vận hành hệ thống – ",
            " và các đơn vị trực thuộc</li>",
        ],
    );
}

#[tokio::test]
async fn accounts_and_the_calendar_read_and_refuse_in_english() {
    let app = crate::common::spawn().await;
    let who = app.login("vanhanh").await;
    let c = &who.0;
    choose(&app, c, "en").await;

    let (_, p) = page(c, app.url("/quan-tri/tai-khoan")).await;
    english(&p);
    has_all(
        &p,
        &[
            "<h1>Accounts and roles</h1>",
            "<caption>Accounts, by user name</caption>",
            "<h2 id=\"tao\">Create an account</h2>",
            "<option value=\"specialist\">Specialist</option>",
            " lang=\"vi\">Phường An Cựu (000.01.99.H57)</option>",
            "<label for=\"n-sub\">Its sub-units too</label>",
            "<li>Specialist – <span lang=\"vi\">Phường An Cựu (000.01.99.H57)</span></li>",
        ],
    );
    has_none(
        &p,
        &["Tạo tài khoản", "Chuyên viên xử lý", "Đang hoạt động"],
    );

    let (status, p) = submit(
        &app,
        &who,
        "/quan-tri/tai-khoan",
        &[
            ("username", "X"),
            ("display_name", ""),
            ("password", "ngan"),
            ("role", ""),
            ("unit", ""),
        ],
    )
    .await;
    assert_eq!(status, 422);
    has_all(
        &p,
        &[
            "<h2 id=\"loi-tieu-de\">Not done</h2>",
            "<p>The account was not created.</p>",
            "<li>User name: 3–64 characters",
            "<li>Enter the display name.</li>",
            "<li>The password must have at least 10 characters and differ from the user name.</li>",
            "<li>Choose a role.</li>",
        ],
    );

    let (status, to) = submit(
        &app,
        &who,
        "/quan-tri/tai-khoan",
        &[
            ("username", "chuyenvien.moi"),
            ("display_name", "Nguyễn Văn Mới"),
            ("password", "mat-khau-du-dai"),
            ("role", "specialist"),
            ("unit", COMMUNE),
        ],
    )
    .await;
    assert_eq!(status, 303, "{to}");
    let (_, p) = page(c, app.url(&to)).await;
    english(&p);
    has_all(
        &p,
        &[
            "<p class=\"ok\" role=\"status\">Account created.</p>",
            "<span>User name: chuyenvien.moi</span>",
            "<span>Status: Active</span>",
            "<caption>Roles held</caption>",
            "<td>Specialist – <span lang=\"vi\">Phường An Cựu (000.01.99.H57)</span></td>",
            ">Revoke<span class=\"sr-only\"> the role Specialist",
            "<h2 id=\"cap\">Grant a role</h2>",
            "<button type=\"submit\" class=\"danger\">Lock the account</button>",
            "<td>Account created</td>",
        ],
    );
    // Granting the same role again is refused, in English.
    let account = to.split('/').nth(3).unwrap().split('?').next().unwrap();
    let (status, p) = submit(
        &app,
        &who,
        &format!("/quan-tri/tai-khoan/{account}/cap-quyen"),
        &[("role", "specialist"), ("unit", COMMUNE)],
    )
    .await;
    assert_eq!(status, 409);
    assert!(p.contains("<p>The account already holds this role in this unit;"));

    let (_, p) = page(c, app.url("/quan-tri/lich?nam=2026")).await;
    english(&p);
    has_all(
        &p,
        &[
            "<h1>Working calendar 2026</h1>",
            "Saturday and Sunday are the weekly days off.",
            "<button type=\"submit\">Show the calendar</button>",
            "‹ Year 2025</a>",
            "<caption>Calendar rows of 2026, by date</caption>",
            "<th scope=\"row\">January</th>",
            "<th scope=\"row\">Whole year</th>",
            "<h2 id=\"them\">Add or replace a day</h2>",
            "<option value=\"true\">A working day (make-up day)</option>",
        ],
    );
    assert!(
        [
            "Monday, ",
            "Tuesday, ",
            "Wednesday, ",
            "Thursday, ",
            "Friday, "
        ]
        .iter()
        .any(|d| p.contains(&format!("<td>{d}"))),
        "weekday names"
    );
    assert!(
        [
            "Saved",
            "Official calendar shipped with the software",
            "Proposed from the Labour Code"
        ]
        .iter()
        .any(|l| p.contains(&format!("<td>{l}</td>"))),
        "where each row comes from"
    );
    // A holiday's reason is the calendar's data, marked.
    assert!(p.contains("<td lang=\"vi\">"));
    has_none(&p, &["Lịch làm việc năm", "Tháng 1", "Cả năm", "Thứ Hai"]);

    let (status, p) = submit(
        &app,
        &who,
        "/quan-tri/lich/them",
        &[
            ("date", "2026-12-24"),
            ("working", "false"),
            ("reason", ""),
            ("source", "Thông báo 1"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(p.contains("<p>Give the reason for the day off or the make-up day.</p>"));
    let (status, to) = submit(
        &app,
        &who,
        "/quan-tri/lich/them",
        &[
            ("date", "2026-12-24"),
            ("working", "false"),
            ("reason", "Nghỉ thêm"),
            ("source", "Thông báo 1"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, p) = page(c, app.url(&to)).await;
    has_all(
        &p,
        &[
            "Day saved in the working calendar.",
            "<td>Thursday, 24/12/2026</td><td>Day off (holiday, compensatory or extra day off)</td><td lang=\"vi\">Nghỉ thêm</td>",
            "<td>Saved</td>",
        ],
    );

    choose(&app, c, "vi").await;
    let (_, p) = page(c, app.url("/quan-tri/lich?nam=2026")).await;
    vietnamese(&p);
    has_all(
        &p,
        &[
            "<h1>Lịch làm việc năm 2026</h1>",
            "<th scope=\"row\">Tháng 1</th>",
            "<td>Thứ Năm, 24/12/2026</td><td>Ngày nghỉ (lễ, nghỉ bù hoặc nghỉ thêm)</td><td>Nghỉ thêm</td>",
        ],
    );
    let (_, p) = page(c, app.url("/quan-tri/tai-khoan")).await;
    vietnamese(&p);
    has_all(
        &p,
        &[
            "<h2 id=\"tao\">Tạo tài khoản</h2>",
            "<li>Chuyên viên xử lý – Phường An Cựu (000.01.99.H57)</li>",
        ],
    );
}
