//! The monitoring dashboard and the administration pages in both languages: each page
//! fetched as the person who works on it, after choosing English (then Vietnamese) with the
//! header's switch. Fixed text follows the reader; data (unit, procedure and metric names,
//! what people typed) stays Vietnamese and is marked `lang="vi"` inside an English page.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration, Utc};
use motcua_domain::UnitCode;
use motcua_domain::access::{Grant, Role};
use reqwest::Client;
use serde_json::{Value, json};

const COMMUNE: &str = "000.01.99.H57";
const PROCEDURE: &str = "1.004194";

type Who = (Client, String);

/// The page, with askama's escaped `&` read back.
async fn page(c: &Client, url: String) -> (u16, String) {
    let r = c.get(url).send().await.unwrap();
    (
        r.status().as_u16(),
        r.text().await.unwrap().replace("&#38;", "&"),
    )
}

async fn fragment(c: &Client, url: String) -> String {
    let r = c
        .get(url)
        .header("hx-request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

/// Chooses `lang` with the header's switch, as a browser follows the link.
async fn choose(app: &common::App, c: &Client, lang: &str) {
    let r = c
        .get(app.url(&format!("/ngon-ngu?lang={lang}&next=%2F")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
}

/// Posts a page form with the session's token: the status and the page, or the redirect.
async fn submit(app: &common::App, who: &Who, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let mut body: Vec<(&str, &str)> = vec![("csrf_token", &who.1)];
    body.extend_from_slice(form);
    let r = who.0.post(app.url(path)).form(&body).send().await.unwrap();
    let status = r.status().as_u16();
    match r.headers().get("location") {
        Some(l) => (status, l.to_str().unwrap().to_owned()),
        None => (status, r.text().await.unwrap().replace("&#38;", "&")),
    }
}

fn has_all(page: &str, what: &[&str]) {
    for w in what {
        assert!(page.contains(w), "missing {w:?}");
    }
}

fn has_none(page: &str, what: &[&str]) {
    for w in what {
        assert!(!page.contains(w), "still there: {w:?}");
    }
}

/// An English page whose main content is English, not the frame around Vietnamese.
fn english(page: &str) {
    assert!(page.contains("<html lang=\"en\">"), "{}", &page[..200]);
    assert!(page.contains("<main id=\"noi-dung\" class=\"wrap\">"));
}

/// A Vietnamese page marks nothing as Vietnamese again: `lang="vi"` is the page's own.
fn vietnamese(page: &str) {
    assert!(page.contains("<html lang=\"vi\">"));
    assert_eq!(page.matches("lang=\"vi\"").count(), 1, "marks under vi");
}

async fn api(app: &common::App, who: &Who, path: &str, body: Value) -> Value {
    let r = who
        .0
        .post(app.url(path))
        .header("x-csrf-token", &who.1)
        .json(&body)
        .send()
        .await
        .unwrap();
    let s = r.status();
    let v: Value = r.json().await.unwrap();
    assert!(s.is_success(), "{path}: {s} {v}");
    v
}

/// A dossier received at the commune, due in a few seconds: a warning at once.
async fn received_due_soon(app: &common::App) -> String {
    let citizen = app.login("congdan").await;
    let desk = app.login("tiepnhan").await;
    let d = api(
        app,
        &citizen,
        "/api/v1/dossiers",
        json!({"procedure": PROCEDURE, "unit": COMMUNE}),
    )
    .await;
    let id = d["dossier"]["id"].as_str().unwrap().to_owned();
    api(
        app,
        &citizen,
        &format!("/api/v1/dossiers/{id}/submit"),
        json!({"channel": "online", "form_data": {}}),
    )
    .await;
    let due = Utc::now() + Duration::seconds(3);
    let r = api(
        app,
        &desk,
        &format!("/api/v1/dossiers/{id}/receive"),
        json!({"desk": COMMUNE, "due_at": due.to_rfc3339()}),
    )
    .await;
    r["dossier"]["code"].as_str().unwrap().to_owned()
}

async fn monitor(app: &common::App) -> Who {
    let g = Grant {
        role: Role::ProvinceMonitor,
        unit: UnitCode::parse("000.00.00.H57").unwrap(),
        with_sub_units: true,
    };
    app.db
        .store
        .create_account("giamsat", "giamsat", common::PASSWORD, &[g], None)
        .await
        .unwrap();
    app.login("giamsat").await
}

#[tokio::test]
async fn the_dashboard_unit_page_and_drill_down_read_in_english() {
    let app = common::spawn().await;
    let code = received_due_soon(&app).await;
    let who = monitor(&app).await;
    let c = &who.0;
    choose(&app, c, "en").await;

    let (status, p) = page(c, app.url("/giam-sat")).await;
    assert_eq!(status, 200);
    english(&p);
    has_all(
        &p,
        &[
            "<title>766 index monitoring – ",
            "<h1>766 index – monitoring and assessing the units</h1>",
            "aria-label=\"Choose the assessment period\"",
            "<label for=\"ky\">Assessment period</label>",
            " (to date)</option>",
            "Custom (enter the from and to dates)",
            "Commune, ward or special zone</option>",
            "<button type=\"submit\">Show results</button>",
            ">All units</a>",
            "updated every 10 seconds.",
            "Reload the figures",
            "(whole province)",
            "<caption>The chart&#39;s figures</caption>",
            "<title id=\"bieu-do-tong-t\">766 index total score by unit, Q",
            "Horizontal bar chart on a 100-point scale",
            ">Total score<",
            "<th scope=\"col\">Rating</th>",
        ],
    );
    has_none(
        &p,
        &[
            "Kỳ đánh giá",
            "Tổng điểm",
            "Xếp loại",
            "Tải lại",
            "Tất cả đơn vị",
            "Quý ",
            "Biểu đồ",
        ],
    );
    // Units keep their names, marked; their kind and rating are translated.
    let row = p.find(&format!("<tr data-unit=\"{COMMUNE}\">")).unwrap();
    let row = &p[row..row + p[row..].find("</tr>").unwrap()];
    assert!(row.contains(" lang=\"vi\">Phường An Cựu</a>"), "{row}");
    assert!(
        row.contains("<td>Commune, ward or special zone</td>"),
        "{row}"
    );
    assert!(
        ["Excellent", "Good", "Fair", "Average", "Weak"]
            .iter()
            .any(|r| row.contains(&format!("<td>{r}</td>"))),
        "{row}"
    );
    // English numbers have a decimal point.
    let total = row.split("<td class=\"num\">").nth(1).unwrap();
    let total = &total[..total.find('<').unwrap()];
    assert!(total.contains('.') && !total.contains(','), "{total}");
    // The chart's bar labels are unit names: Vietnamese text, marked so.
    assert!(p.contains("lang=\"vi\">Phường An Cựu</text>"));

    // The fragment htmx reloads is English too.
    let f = fragment(c, app.url("/giam-sat")).await;
    assert!(f.starts_with("<section id=\"so-lieu\""));
    has_all(
        &f,
        &[
            "Reload the figures",
            "<h3 id=\"bang-don-vi\">All units</h3>",
        ],
    );
    has_none(&f, &["Tải lại số liệu", "Số liệu tính lúc"]);

    // A period that cannot be read says so in English.
    let (_, p) = page(c, app.url("/giam-sat?ky=q-2026-9")).await;
    assert!(p.contains(
        "<p class=\"error\" role=\"alert\">The assessment period is not valid. Showing the current quarter.</p>"
    ));

    // The unit: groups translated, metric names kept Vietnamese and marked.
    let unit_url = app.url(&format!("/giam-sat/don-vi/{COMMUNE}"));
    let (status, p) = page(c, unit_url.clone()).await;
    assert_eq!(status, 200);
    english(&p);
    has_all(
        &p,
        &[
            "<h1 lang=\"vi\">Phường An Cựu</h1>",
            &format!("Unit code {COMMUNE}"),
            "<caption>Score by group of metrics</caption>",
            ">Progress in handling dossiers</a>",
            "<caption id=\"bang-progress\">Metrics of the group “Progress in handling dossiers”</caption>",
            "<span lang=\"vi\">Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn</span> <span class=\"req\">(PROGRESS_ON_TIME)</span>",
            ">Late dossiers (",
            "<th scope=\"col\" class=\"num\">Numerator</th>",
            "<title id=\"bieu-do-nhom-t\">Score by group, Phường An Cựu, Q",
            "Rank (Commune, ward or special zone)",
        ],
    );
    has_none(
        &p,
        &["Tiến độ giải quyết", "Tử số", "Điểm theo nhóm", "Chỉ tiêu"],
    );
    let f = fragment(c, unit_url).await;
    has_all(&f, &["<caption>Score by group of metrics</caption>"]);
    has_none(&f, &["Điểm theo nhóm chỉ số"]);

    // The dossiers behind a figure: headers and statuses translated, names marked.
    let (status, p) = page(
        c,
        app.url(&format!("/giam-sat/don-vi/{COMMUNE}/ho-so?hinh=tiep-nhan")),
    )
    .await;
    assert_eq!(status, 200);
    english(&p);
    has_all(
        &p,
        &[
            "<h1>Dossiers received in the period</h1>",
            "The index counts <strong id=\"so-ho-so\">",
            "<caption>Dossiers received in the period, by time of reception</caption>",
            "<th scope=\"col\" role=\"columnheader\">Dossier code</th>",
            &format!(">{code}</a>"),
            "data-label=\"Status\">Received</td>",
            "data-label=\"Procedure\" lang=\"vi\">",
            "<h2>The unit&#39;s other lists</h2>",
            ">Late dossiers",
        ],
    );
    has_none(&p, &["Mã hồ sơ", "Hẹn trả", "Đã tiếp nhận"]);

    // Back in Vietnamese: the same pages, unmarked.
    choose(&app, c, "vi").await;
    let (_, p) = page(c, app.url("/giam-sat")).await;
    vietnamese(&p);
    has_all(
        &p,
        &[
            "<h1>Bộ chỉ số 766 – theo dõi, đánh giá các đơn vị</h1>",
            "<label for=\"ky\">Kỳ đánh giá</label>",
            "<button type=\"submit\">Xem kết quả</button>",
            "Xã, phường, đặc khu",
        ],
    );
    let (_, p) = page(c, app.url(&format!("/giam-sat/don-vi/{COMMUNE}"))).await;
    vietnamese(&p);
    has_all(
        &p,
        &[
            "<caption>Điểm theo nhóm chỉ số</caption>",
            "Tiến độ giải quyết",
        ],
    );
}

#[tokio::test]
async fn the_warnings_page_reads_in_english() {
    let app = common::spawn().await;
    let code = received_due_soon(&app).await;
    let who = monitor(&app).await;
    let c = &who.0;
    choose(&app, c, "en").await;
    let (status, p) = page(c, app.url("/giam-sat/canh-bao")).await;
    assert_eq!(status, 200);
    english(&p);
    has_all(
        &p,
        &[
            "<title>Warnings – ",
            "<h1>Warnings</h1>",
            "Dossiers due soon (within one working day) or overdue",
            "<label for=\"don-vi\">Unit (with its sub-units)</label>",
            "<option value=\"\">All units you follow</option>",
            " lang=\"vi\">Phường An Cựu</option>",
            ">Due soon</option>",
            "<label for=\"cua-toi\">Only dossiers at my steps</label>",
            "<button type=\"submit\">Filter</button>",
            "Warnings: ",
            "<caption>Warnings, most serious first</caption>",
            "<th scope=\"col\" role=\"columnheader\">Severity</th>",
            &format!(">{code}</a>"),
            "data-label=\"Unit\" lang=\"vi\">Phường An Cựu</td>",
            "data-label=\"Message\" lang=\"vi\">",
        ],
    );
    // The warning's kind and severity, and the role at its step, are named in English.
    let row = p.find(&format!(">{code}</a>")).unwrap();
    let start = p[..row].rfind("<tr role=\"row\">").unwrap();
    let row = &p[start..row + p[row..].find("</tr>").unwrap()];
    assert!(
        row.contains(">Due soon</td>") || row.contains(">Overdue</td>"),
        "{row}"
    );
    assert!(row.contains(">Warning</td>") || row.contains(">Critical</td>"));
    assert!(row.contains("(Specialist)</td>"), "{row}");
    has_none(
        &p,
        &[
            "Sắp đến hạn</td>",
            "Chuyên viên xử lý",
            "Mức độ",
            "Lọc cảnh báo",
        ],
    );
    let f = fragment(c, app.url("/giam-sat/canh-bao")).await;
    has_all(&f, &["<caption>Warnings, most serious first</caption>"]);
    has_none(&f, &["Cảnh báo, nghiêm trọng trước"]);

    choose(&app, c, "vi").await;
    let (_, p) = page(c, app.url("/giam-sat/canh-bao")).await;
    vietnamese(&p);
    has_all(
        &p,
        &[
            "<h1>Cảnh báo</h1>",
            "<caption>Cảnh báo, nghiêm trọng trước</caption>",
            "(Chuyên viên xử lý)</td>",
        ],
    );
}

#[tokio::test]
async fn catalogue_administration_reads_and_refuses_in_english() {
    let app = common::spawn().await;
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
    let app = common::spawn().await;
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
