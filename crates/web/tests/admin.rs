//! The administration pages under `/quan-tri`, through a real server and database, as a
//! browser without JavaScript uses them: who may enter, catalogue versions and publication,
//! process and e-form definitions, accounts and roles, the working calendar.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Datelike, Utc};
use motcua_domain::ProcedureCode;
use reqwest::Client;
use serde_json::{Value, json};

/// A department procedure handled by one unit (Sở Tài chính), so the city-wide
/// administrator may edit it and a ward's administrator may not even see it.
const DEPT_PROC: &str = "2.001610";
const DEPT: &str = "000.00.84.H57";
const WARD: &str = "000.01.99.H57";

struct Who {
    c: Client,
    csrf: String,
}

async fn who(app: &common::App, user: &str) -> Who {
    let (c, csrf) = app.login(user).await;
    Who { c, csrf }
}

impl Who {
    async fn get(&self, app: &common::App, path: &str) -> (u16, String) {
        let r = self.c.get(app.url(path)).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
    /// Posts a page form with the session's token; the status and the page (or the
    /// redirect's target).
    async fn post(&self, app: &common::App, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let mut body: Vec<(&str, &str)> = vec![("csrf_token", &self.csrf)];
        body.extend_from_slice(form);
        let r = self
            .c
            .post(app.url(path))
            .form(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        match r.headers().get("location") {
            Some(l) => (status, l.to_str().unwrap().to_owned()),
            None => (status, r.text().await.unwrap()),
        }
    }
    async fn api_post(&self, app: &common::App, path: &str, body: Value) -> Value {
        let r = self
            .c
            .post(app.url(path))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        let s = r.status();
        let v: Value = r.json().await.unwrap();
        assert!(s.is_success(), "{path}: {s}: {v}");
        v
    }
}

async fn account_id(app: &common::App, username: &str) -> String {
    app.db
        .store
        .account_by_username(username)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn only_administrators_enter_and_only_within_their_units() {
    let app = common::spawn().await;
    let anon = app.browser();
    let r = anon.get(app.url("/quan-tri")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/dang-nhap?next="));

    for user in ["congdan", "chuyenvien", "lanhdao"] {
        let w = who(&app, user).await;
        for path in ["/quan-tri", "/quan-tri/thu-tuc", "/quan-tri/tai-khoan", "/quan-tri/lich"] {
            let (status, page) = w.get(&app, path).await;
            assert_eq!(status, 403, "{user} {path}");
            assert!(page.contains("Không có quyền truy cập"), "{user} {path}");
        }
        let (status, _) = w.post(&app, "/quan-tri/tai-khoan", &[("username", "x")]).await;
        assert_eq!(status, 403, "{user} posting");
    }

    let ward = who(&app, "quantri.phuong").await;
    let (status, page) = ward.get(&app, "/quan-tri").await;
    assert_eq!(status, 200);
    assert!(page.contains("href=\"/quan-tri\">Quản trị</a>"), "nav link");
    // A department's procedure is outside a ward's scope; a procedure shared by every
    // ward is visible but editable only by someone who covers all of them.
    assert_eq!(ward.get(&app, &format!("/quan-tri/thu-tuc/{DEPT_PROC}")).await.0, 403);
    let (status, page) = ward.get(&app, "/quan-tri/thu-tuc/1.001193").await;
    assert_eq!(status, 200);
    assert!(page.contains("Bạn không sửa được thủ tục này"));
    assert_eq!(ward.get(&app, "/quan-tri/thu-tuc/1.001193/ban-nhap").await.0, 403);
    let (_, list) = ward.get(&app, "/quan-tri/thu-tuc?q=khai+sinh").await;
    assert!(list.contains("1.001193") && !list.contains(DEPT_PROC));

    // Accounts: the ward's own people only.
    let (_, page) = ward.get(&app, "/quan-tri/tai-khoan").await;
    assert!(page.contains(">chuyenvien<") && page.contains(">tiepnhan<"));
    assert!(!page.contains(">chuyenvien.khac<") && !page.contains(">vanhanh<"));
    let other = account_id(&app, "chuyenvien.khac").await;
    assert_eq!(ward.get(&app, &format!("/quan-tri/tai-khoan/{other}")).await.0, 404);

    let spec = account_id(&app, "chuyenvien").await;
    let grant = format!("/quan-tri/tai-khoan/{spec}/cap-quyen");
    let (status, page) = ward
        .post(&app, &grant, &[("role", "operator"), ("unit", WARD)])
        .await;
    assert_eq!(status, 403);
    assert!(page.contains("Bạn không được cấp"));
    let (status, _) = ward
        .post(&app, &grant, &[("role", "specialist"), ("unit", "000.02.99.H57")])
        .await;
    assert_eq!(status, 403, "another ward");
    let (status, _) = ward
        .post(&app, &grant, &[("role", "leader"), ("unit", WARD), ("with_sub_units", "on")])
        .await;
    assert_eq!(status, 403, "with sub-units reaches past a grant without them");
    let (status, to) = ward
        .post(&app, &grant, &[("role", "leader"), ("unit", WARD)])
        .await;
    assert_eq!((status, to.as_str()), (303, format!("/quan-tri/tai-khoan/{spec}?ok=granted").as_str()));
    let held = app.db.store.account(&spec).await.unwrap().grants;
    assert_eq!(held.len(), 2, "{held:?}");
    assert!(!held.iter().any(|g| g.role == motcua_domain::access::Role::Operator));

    // The city-wide administrator still cannot give province-wide roles; the operator can.
    let city = who(&app, "quantri").await;
    let (status, _) = city
        .post(&app, &grant, &[("role", "province_monitor"), ("unit", "000.00.00.H57")])
        .await;
    assert_eq!(status, 403);
    let op = who(&app, "vanhanh").await;
    let (status, _) = op
        .post(&app, &grant, &[("role", "province_monitor"), ("unit", "000.00.00.H57"), ("with_sub_units", "on")])
        .await;
    assert_eq!(status, 303);
    // Nobody changes their own roles.
    let me = account_id(&app, "quantri.phuong").await;
    let (status, _) = ward
        .post(&app, &format!("/quan-tri/tai-khoan/{me}/cap-quyen"), &[("role", "leader"), ("unit", WARD)])
        .await;
    assert_eq!(status, 403);

    // The ward admin revokes what they gave; the audit trail names who did what.
    let (status, _) = ward
        .post(&app, &format!("/quan-tri/tai-khoan/{spec}/thu-hoi"), &[("role", "leader"), ("unit", WARD)])
        .await;
    assert_eq!(status, 303);
    let audit = app.db.store.audit_for(&spec).await.unwrap();
    let seen: Vec<(&str, Option<&str>)> = audit
        .iter()
        .map(|r| (r.action.as_str(), r.actor.as_deref()))
        .collect();
    let op_id = account_id(&app, "vanhanh").await;
    assert_eq!(
        seen[1..],
        [
            ("account.grant", Some(me.as_str())),
            ("account.grant", Some(op_id.as_str())),
            ("account.revoke", Some(me.as_str())),
        ]
    );
    let (_, page) = ward.get(&app, &format!("/quan-tri/tai-khoan/{spec}")).await;
    assert!(page.contains("Thu hồi quyền") && page.contains("Cấp quyền"));
}

#[tokio::test]
async fn accounts_are_created_and_locking_ends_their_sessions() {
    let app = common::spawn().await;
    let ward = who(&app, "quantri.phuong").await;
    let (status, page) = ward
        .post(
            &app,
            "/quan-tri/tai-khoan",
            &[("username", "Ab"), ("display_name", ""), ("password", "ngan"), ("role", "specialist"), ("unit", WARD)],
        )
        .await;
    assert_eq!(status, 422);
    for m in ["Tên đăng nhập: 3–64 ký tự", "Hãy nhập họ tên", "ít nhất 10 ký tự"] {
        assert!(page.contains(m), "{m}");
    }
    let (status, to) = ward
        .post(
            &app,
            "/quan-tri/tai-khoan",
            &[
                ("username", "chuyenvien.moi"),
                ("display_name", "Trần Thị Mới"),
                ("password", common::PASSWORD),
                ("role", "specialist"),
                ("unit", WARD),
            ],
        )
        .await;
    assert_eq!(status, 303, "{to}");
    let id = account_id(&app, "chuyenvien.moi").await;
    assert!(to.ends_with(&format!("/quan-tri/tai-khoan/{id}?ok=account_created")));
    let created = app.db.store.account(&id).await.unwrap();
    assert_eq!(created.grants.len(), 1);
    assert_eq!(created.grants[0].unit.as_str(), WARD);

    // The new officer logs in (Argon2id hash of the given password), then is locked out.
    let newbie = who(&app, "chuyenvien.moi").await;
    assert_eq!(newbie.c.get(app.url("/api/v1/whoami")).send().await.unwrap().status(), 200);
    let (status, _) = ward.post(&app, &format!("/quan-tri/tai-khoan/{id}/khoa"), &[]).await;
    assert_eq!(status, 303);
    assert_eq!(newbie.c.get(app.url("/api/v1/whoami")).send().await.unwrap().status(), 401);
    let r = app
        .browser()
        .post(app.url("/api/v1/login"))
        .json(&json!({"username": "chuyenvien.moi", "password": common::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let actions: Vec<String> = app
        .db
        .store
        .audit_for(&id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert_eq!(actions, ["account.create", "account.lock"]);
    // An administrator never locks themselves, nor an account beyond their scope.
    let me = account_id(&app, "quantri.phuong").await;
    assert_eq!(ward.post(&app, &format!("/quan-tri/tai-khoan/{me}/khoa"), &[]).await.0, 403);
    let op = account_id(&app, "vanhanh").await;
    assert_eq!(ward.post(&app, &format!("/quan-tri/tai-khoan/{op}/khoa"), &[]).await.0, 404);
}

/// The draft form for `DEPT_PROC` as a browser would post it, with the version it was
/// opened at.
async fn open_draft(w: &Who, app: &common::App) -> String {
    let (status, page) = w.get(app, &format!("/quan-tri/thu-tuc/{DEPT_PROC}/ban-nhap")).await;
    assert_eq!(status, 200);
    let at = "name=\"base_version\" value=\"";
    let i = page.find(at).unwrap() + at.len();
    page[i..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_published_version_shows_on_the_public_page_and_is_never_edited() {
    let app = common::spawn().await;
    let city = who(&app, "quantri").await;
    let op = who(&app, "vanhanh").await;
    let public = |app: &common::App| {
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
    assert!(page.contains("href=\"#f-fee-0-amount\""), "error links to its input");
    form.retain(|(k, _)| *k != "fee[0].amount");
    form.push(("fee[0].amount", "50.000"));
    let (status, to) = city.post(&app, &path, &form).await;
    assert_eq!((status, to.as_str()), (303, "/quan-tri/thu-tuc/2.001610?ok=draft_saved"));
    // A form opened before the draft existed would overwrite it unseen: refused.
    let (status, _) = city.post(&app, &path, &form).await;
    assert_eq!(status, 409, "the form was opened at version 1, a draft 2 exists now");

    // The draft is not public; the unit administrator drafts, the operator publishes.
    assert_eq!(public(&app).await, before);
    let publish = format!("/quan-tri/thu-tuc/{DEPT_PROC}/phien-ban/2/cong-bo");
    assert_eq!(city.post(&app, &publish, &[]).await.0, 403);
    let (_, page) = city.get(&app, &format!("/quan-tri/thu-tuc/{DEPT_PROC}")).await;
    assert!(page.contains("Các mục thay đổi từ phiên bản 1 sang phiên bản 2"));
    assert!(page.contains("<th scope=\"row\">Tên thủ tục</th>"));
    assert!(page.contains("<th scope=\"row\">Phí, lệ phí</th>"));
    let (status, to) = op.post(&app, &publish, &[]).await;
    assert_eq!((status, to.as_str()), (303, "/quan-tri/thu-tuc/2.001610?ok=published"));

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
    let app = common::spawn().await;
    let city = who(&app, "quantri").await;
    let op = who(&app, "vanhanh").await;
    let path = format!("/quan-tri/thu-tuc/{DEPT_PROC}/quy-trinh");
    let (status, page) = city.get(&app, &path).await;
    assert_eq!(status, 200);
    assert!(page.contains("quy trình chuẩn hai bước"));

    let (status, page) = city
        .post(&app, &path, &[("definition", "{\n  \"procedure\": \"2.001610\",\n  \"steps\": [\n}")])
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("Dòng 4, cột 1"), "syntax error with its position");

    let step = |name: &str, role: &str, hours: u32, actions: &[&str]| {
        json!({"name": name, "role": role, "unit": {"kind": "competent"}, "hours": hours, "actions": actions})
    };
    let broken = json!({"procedure": DEPT_PROC, "steps": [
        step("Thẩm định", "specialist", 8, &["forward", "request_supplement"]),
        step("Phê duyệt", "leader", 4, &["send_back"]),
    ]});
    let (status, _) = city.post(&app, &path, &[("definition", &broken.to_string())]).await;
    assert_eq!(status, 303, "a draft may be incomplete");
    let (_, page) = city.get(&app, &path).await;
    assert!(page.contains("Bước cuối phải cho phép “Hoàn thành”"));
    // 8 of the 24 working hours of 3 working days.
    assert!(page.contains("<td>8</td><td>33 %</td>"), "share of the time limit");
    let publish = format!("{path}/1/cong-bo");
    assert_eq!(city.post(&app, &publish, &[]).await.0, 403);
    let (status, page) = op.post(&app, &publish, &[]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Bước cuối phải cho phép"));
    assert!(app.db.store.process(DEPT_PROC, None).await.unwrap().is_none());

    let fixed = json!({"procedure": DEPT_PROC, "steps": [
        step("Thẩm định", "specialist", 8, &["forward", "request_supplement"]),
        step("Phê duyệt", "leader", 4, &["send_back", "complete"]),
    ]});
    assert_eq!(city.post(&app, &path, &[("definition", &fixed.to_string())]).await.0, 303);
    assert_eq!(op.post(&app, &publish, &[]).await.0, 303);
    let (v, p) = app.db.store.process(DEPT_PROC, None).await.unwrap().unwrap();
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
    assert_eq!(actions, ["process.save_draft", "process.save_draft", "process.publish"]);
}

#[tokio::test]
async fn a_malformed_e_form_is_refused_at_publication_with_every_error() {
    let app = common::spawn().await;
    let city = who(&app, "quantri").await;
    let op = who(&app, "vanhanh").await;
    let path = format!("/quan-tri/thu-tuc/{DEPT_PROC}/bieu-mau");
    let bad = json!({"id": "to_khai_dn", "title": "Tờ khai", "fields": [
        {"name": "ten", "label": "Tên doanh nghiệp", "kind": "text"},
        {"name": "ten", "label": " ", "kind": "text"},
    ]});
    let (status, _) = city
        .post(&app, &path, &[("action", "save"), ("definition", &bad.to_string())])
        .await;
    assert_eq!(status, 303);
    let (status, page) = op.post(&app, &format!("{path}/1/cong-bo"), &[]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Không công bố phiên bản 1: biểu mẫu có 2 lỗi"), "{page}");
    assert!(page.contains("Tên trường bị trùng") && page.contains("Nhãn đang để trống"));
    assert!(page.contains("<code>fields[1].name</code>") && page.contains("<code>fields[1].label</code>"));
    let code = ProcedureCode::parse(DEPT_PROC).unwrap();
    assert!(app.db.store.published_eform(&code).await.unwrap().is_none());

    // The preview renders the form as citizens will see it, without saving.
    let good = json!({"id": "to_khai_dn", "title": "Tờ khai thành lập doanh nghiệp", "fields": [
        {"name": "ten", "label": "Tên doanh nghiệp", "kind": "text", "required": true},
        {"name": "von", "label": "Vốn đầu tư (đồng)", "kind": "money_vnd"},
    ]});
    let (status, page) = city
        .post(&app, &path, &[("action", "preview"), ("definition", &good.to_string())])
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("<label for=\"f-ten\">Tên doanh nghiệp <span class=\"req\">(bắt buộc)</span></label>"));
    assert!(page.contains("Nội dung biểu mẫu dưới đây hợp lệ"));
    assert_eq!(app.db.store.eform_versions(&code).await.unwrap()[0].definition, bad.to_string());

    let (status, _) = city
        .post(&app, &path, &[("action", "save"), ("definition", &good.to_string())])
        .await;
    assert_eq!(status, 303);
    assert_eq!(op.post(&app, &format!("{path}/1/cong-bo"), &[]).await.0, 303);
    let (v, text) = app.db.store.published_eform(&code).await.unwrap().unwrap();
    assert_eq!((v, text), (1, good.to_string()));
    let versions = app.db.store.eform_versions(&code).await.unwrap();
    assert_eq!(versions[0].procedure_version, Some(1));
}

#[tokio::test]
async fn a_calendar_row_added_moves_the_next_due_date() {
    let app = common::spawn().await;
    let op = who(&app, "vanhanh").await;
    let city = who(&app, "quantri").await;
    let before = app.db.store.calendar().await.unwrap();
    let today = Utc::now().with_timezone(&motcua_calendar::VIETNAM_OFFSET).date_naive();
    // The first working day after today: the due date of a one-working-day procedure.
    let next = before.add_working_days(today, 1);
    let row = [
        ("date", next.to_string()),
        ("working", "false".to_owned()),
        ("reason", "Nghỉ thêm theo thông báo của Ủy ban nhân dân thành phố".to_owned()),
        ("source", "Thông báo thử nghiệm".to_owned()),
    ];
    let row: Vec<(&str, &str)> = row.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(city.post(&app, "/quan-tri/lich/them", &row).await.0, 403, "operator only");
    let (status, page) = op
        .post(&app, "/quan-tri/lich/them", &[("date", &next.to_string()), ("working", "false"), ("reason", "Nghỉ"), ("source", " ")])
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("Hãy ghi căn cứ"));
    let (status, to) = op.post(&app, "/quan-tri/lich/them", &row).await;
    assert_eq!(status, 303, "{to}");
    let (_, page) = city.get(&app, &format!("/quan-tri/lich?nam={}", next.year())).await;
    assert!(page.contains("Nghỉ thêm theo thông báo của Ủy ban nhân dân thành phố"));
    let audit = app.db.store.audit_for("calendar").await.unwrap();
    let last = audit.last().unwrap();
    assert_eq!(last.action, "calendar.put_rows");
    assert_eq!(last.actor.as_deref(), Some(account_id(&app, "vanhanh").await.as_str()));

    // A birth registration (1 working day) received now is due a working day later.
    let after = app.db.store.calendar().await.unwrap();
    let expected = after.add_working_days(today, 1);
    assert!(expected > next);
    let citizen = who(&app, "congdan").await;
    let d = citizen
        .api_post(&app, "/api/v1/dossiers", json!({"procedure": "1.001193", "unit": WARD}))
        .await;
    let id = d["dossier"]["id"].as_str().unwrap().to_owned();
    let form = json!({
        "requester_full_name": "Nguyễn Thị Hoa", "requester_cccd": "046195000123",
        "requester_address": "12 Phan Đình Phùng, phường An Cựu, thành phố Huế",
        "requester_phone": "0912345678", "requester_relationship": "mother",
        "child_full_name": "Nguyễn Văn An", "child_birth_date": "2025-01-02", "child_gender": "male",
        "child_ethnicity": "Kinh", "child_nationality": "Việt Nam",
        "child_birth_place": "Bệnh viện Trung ương Huế", "child_home_town": "Thừa Thiên Huế",
        "mother_full_name": "Nguyễn Thị Hoa", "mother_birth_year": 1995, "mother_ethnicity": "Kinh",
        "mother_nationality": "vn", "mother_cccd": "046195000123",
        "mother_address": "12 Phan Đình Phùng, phường An Cựu, thành phố Huế",
        "father_undetermined": true, "birth_proof": "birth_certificate",
        "birth_certificate_number": "GCS-2025-0001", "commitment": true
    });
    let d = citizen
        .api_post(&app, &format!("/api/v1/dossiers/{id}/submit"), json!({"version": d["dossier"]["version"], "form_data": form}))
        .await;
    let desk = who(&app, "tiepnhan").await;
    let d = desk
        .api_post(&app, &format!("/api/v1/dossiers/{id}/receive"), json!({"version": d["dossier"]["version"], "desk": WARD}))
        .await;
    let due = d["dossier"]["due_at"].as_str().unwrap();
    assert_eq!(due, format!("{expected}T17:00:00+07:00"), "not {next}");

    // Removing the row gives the day back.
    let (status, _) = op.post(&app, "/quan-tri/lich/xoa", &[("date", &next.to_string())]).await;
    assert_eq!(status, 303);
    let again = app.db.store.calendar().await.unwrap();
    assert!(again.is_working_day(next));
}
