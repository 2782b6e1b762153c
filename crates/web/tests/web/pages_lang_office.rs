//! The monitoring dashboard in both languages: each page fetched as a province monitor,
//! after choosing English (then Vietnamese) with the header's switch. Fixed text follows
//! the reader; data (unit, procedure and metric names, the index's messages) stays
//! Vietnamese and is marked `lang="vi"` inside an English page. The administration pages
//! are in `pages_lang_office_admin.rs`.

use crate::lang_support::{Who, choose, english, fragment, has_all, has_none, page, vietnamese};
use chrono::{Duration, Utc};
use motcua_domain::access::Role;

use crate::common::COMMUNE;
const PROCEDURE: &str = "1.004194";

/// A dossier received at the commune, due in a few seconds: a warning at once.
async fn received_due_soon(app: &crate::common::App) -> String {
    let desk = app.login("tiepnhan").await;
    let due = Utc::now() + Duration::seconds(3);
    app.received(&desk, PROCEDURE, COMMUNE, Some(due)).await.1
}

async fn monitor(app: &crate::common::App) -> Who {
    app.add_account("giamsat", Role::ProvinceMonitor, "000.00.00.H57", true)
        .await;
    app.login("giamsat").await
}

#[tokio::test]
async fn the_dashboard_unit_page_and_drill_down_read_in_english() {
    let app = crate::common::spawn().await;
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
    let app = crate::common::spawn().await;
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
            &format!("data-label=\"Message\">Dossier {code} is "),
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
            "đến hạn trả kết quả",
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
            &format!("data-label=\"Nội dung\">Hồ sơ {code} "),
        ],
    );
}
