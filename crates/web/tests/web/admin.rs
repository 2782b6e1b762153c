//! The administration pages under `/quan-tri`, through a real server and database, as a
//! browser without JavaScript uses them: who may enter, accounts and roles, the working
//! calendar. Catalogue, process and e-form administration: `admin_catalogue.rs`.

use crate::admin_support::{DEPT_PROC, WARD, account_id, who};
use chrono::{Datelike, Utc};
use serde_json::json;

#[tokio::test]
async fn only_administrators_enter_and_only_within_their_units() {
    let app = crate::common::spawn().await;
    let anon = app.browser();
    let r = anon.get(app.url("/quan-tri")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/dang-nhap?next=")
    );

    for user in ["congdan", "chuyenvien", "lanhdao"] {
        let w = who(&app, user).await;
        for path in [
            "/quan-tri",
            "/quan-tri/thu-tuc",
            "/quan-tri/tai-khoan",
            "/quan-tri/lich",
        ] {
            let (status, page) = w.get(&app, path).await;
            assert_eq!(status, 403, "{user} {path}");
            assert!(page.contains("Không có quyền truy cập"), "{user} {path}");
        }
        let (status, _) = w
            .post(&app, "/quan-tri/tai-khoan", &[("username", "x")])
            .await;
        assert_eq!(status, 403, "{user} posting");
    }

    let ward = who(&app, "quantri.phuong").await;
    let (status, page) = ward.get(&app, "/quan-tri").await;
    assert_eq!(status, 200);
    assert!(page.contains("href=\"/quan-tri\">Quản trị</a>"), "nav link");
    // A department's procedure is outside a ward's scope; a procedure shared by every
    // ward is visible but editable only by someone who covers all of them.
    assert_eq!(
        ward.get(&app, &format!("/quan-tri/thu-tuc/{DEPT_PROC}"))
            .await
            .0,
        403
    );
    let (status, page) = ward.get(&app, "/quan-tri/thu-tuc/1.001193").await;
    assert_eq!(status, 200);
    assert!(page.contains("Bạn không sửa được thủ tục này"));
    assert_eq!(
        ward.get(&app, "/quan-tri/thu-tuc/1.001193/ban-nhap")
            .await
            .0,
        403
    );
    let (_, list) = ward.get(&app, "/quan-tri/thu-tuc?q=khai+sinh").await;
    assert!(list.contains("1.001193") && !list.contains(DEPT_PROC));

    // Accounts: the ward's own people only.
    let (_, page) = ward.get(&app, "/quan-tri/tai-khoan").await;
    assert!(page.contains(">chuyenvien<") && page.contains(">tiepnhan<"));
    assert!(!page.contains(">chuyenvien.khac<") && !page.contains(">vanhanh<"));
    // Citizens (the applicant role in their ward) only when asked for.
    assert!(!page.contains(">congdan<"));
    let (_, page) = ward.get(&app, "/quan-tri/tai-khoan?nguoi_dan=1").await;
    assert!(page.contains(">congdan<") && page.contains(">chuyenvien<"));
    let other = account_id(&app, "chuyenvien.khac").await;
    assert_eq!(
        ward.get(&app, &format!("/quan-tri/tai-khoan/{other}"))
            .await
            .0,
        404
    );

    let spec = account_id(&app, "chuyenvien").await;
    let grant = format!("/quan-tri/tai-khoan/{spec}/cap-quyen");
    let (status, page) = ward
        .post(&app, &grant, &[("role", "operator"), ("unit", WARD)])
        .await;
    assert_eq!(status, 403);
    assert!(page.contains("Bạn không được cấp"));
    let (status, _) = ward
        .post(
            &app,
            &grant,
            &[("role", "specialist"), ("unit", "000.02.99.H57")],
        )
        .await;
    assert_eq!(status, 403, "another ward");
    let (status, _) = ward
        .post(
            &app,
            &grant,
            &[("role", "leader"), ("unit", WARD), ("with_sub_units", "on")],
        )
        .await;
    assert_eq!(
        status, 403,
        "with sub-units reaches past a grant without them"
    );
    let (status, to) = ward
        .post(&app, &grant, &[("role", "leader"), ("unit", WARD)])
        .await;
    assert_eq!(
        (status, to.as_str()),
        (
            303,
            format!("/quan-tri/tai-khoan/{spec}?ok=granted").as_str()
        )
    );
    let held = app.db.store.account(&spec).await.unwrap().grants;
    assert_eq!(held.len(), 2, "{held:?}");
    assert!(
        !held
            .iter()
            .any(|g| g.role == motcua_domain::access::Role::Operator)
    );

    // The city-wide administrator still cannot give province-wide roles; the operator can.
    let city = who(&app, "quantri").await;
    let (status, _) = city
        .post(
            &app,
            &grant,
            &[("role", "province_monitor"), ("unit", "000.00.00.H57")],
        )
        .await;
    assert_eq!(status, 403);
    let op = who(&app, "vanhanh").await;
    let (status, _) = op
        .post(
            &app,
            &grant,
            &[
                ("role", "province_monitor"),
                ("unit", "000.00.00.H57"),
                ("with_sub_units", "on"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    // Nobody changes their own roles.
    let me = account_id(&app, "quantri.phuong").await;
    let (status, _) = ward
        .post(
            &app,
            &format!("/quan-tri/tai-khoan/{me}/cap-quyen"),
            &[("role", "leader"), ("unit", WARD)],
        )
        .await;
    assert_eq!(status, 403);

    // The ward admin revokes what they gave; the audit trail names who did what.
    let (status, _) = ward
        .post(
            &app,
            &format!("/quan-tri/tai-khoan/{spec}/thu-hoi"),
            &[("role", "leader"), ("unit", WARD)],
        )
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
    let app = crate::common::spawn().await;
    let ward = who(&app, "quantri.phuong").await;
    let (status, page) = ward
        .post(
            &app,
            "/quan-tri/tai-khoan",
            &[
                ("username", "Ab"),
                ("display_name", ""),
                ("password", "ngan"),
                ("role", "specialist"),
                ("unit", WARD),
            ],
        )
        .await;
    assert_eq!(status, 422);
    for m in [
        "Tên đăng nhập: 3–64 ký tự",
        "Hãy nhập họ tên",
        "ít nhất 10 ký tự",
    ] {
        assert!(page.contains(m), "{m}");
    }
    let (status, to) = ward
        .post(
            &app,
            "/quan-tri/tai-khoan",
            &[
                ("username", "chuyenvien.moi"),
                ("display_name", "Trần Thị Mới"),
                ("password", crate::common::PASSWORD),
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
    assert_eq!(
        newbie
            .c
            .get(app.url("/api/v1/whoami"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let (status, _) = ward
        .post(&app, &format!("/quan-tri/tai-khoan/{id}/khoa"), &[])
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        newbie
            .c
            .get(app.url("/api/v1/whoami"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let r = app
        .browser()
        .post(app.url("/api/v1/login"))
        .json(&json!({"username": "chuyenvien.moi", "password": crate::common::PASSWORD}))
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
    assert_eq!(
        ward.post(&app, &format!("/quan-tri/tai-khoan/{me}/khoa"), &[])
            .await
            .0,
        403
    );
    let op = account_id(&app, "vanhanh").await;
    assert_eq!(
        ward.post(&app, &format!("/quan-tri/tai-khoan/{op}/khoa"), &[])
            .await
            .0,
        404
    );
}
#[tokio::test]
async fn a_calendar_row_added_moves_the_next_due_date() {
    let app = crate::common::spawn().await;
    let op = who(&app, "vanhanh").await;
    let city = who(&app, "quantri").await;
    let before = app.db.store.calendar().await.unwrap();
    let today = Utc::now()
        .with_timezone(&motcua_calendar::VIETNAM_OFFSET)
        .date_naive();
    // The first working day after today: the due date of a one-working-day procedure.
    let next = before.add_working_days(today, 1);
    let row = [
        ("date", next.to_string()),
        ("working", "false".to_owned()),
        (
            "reason",
            "Nghỉ thêm theo thông báo của Ủy ban nhân dân thành phố".to_owned(),
        ),
        ("source", "Thông báo thử nghiệm".to_owned()),
    ];
    let row: Vec<(&str, &str)> = row.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        city.post(&app, "/quan-tri/lich/them", &row).await.0,
        403,
        "operator only"
    );
    let (status, page) = op
        .post(
            &app,
            "/quan-tri/lich/them",
            &[
                ("date", &next.to_string()),
                ("working", "false"),
                ("reason", "Nghỉ"),
                ("source", " "),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("Hãy ghi căn cứ"));
    let (status, to) = op.post(&app, "/quan-tri/lich/them", &row).await;
    assert_eq!(status, 303, "{to}");
    let (_, page) = city
        .get(&app, &format!("/quan-tri/lich?nam={}", next.year()))
        .await;
    assert!(page.contains("Nghỉ thêm theo thông báo của Ủy ban nhân dân thành phố"));
    let audit = app.db.store.audit_for("calendar").await.unwrap();
    let last = audit.last().unwrap();
    assert_eq!(last.action, "calendar.put_rows");
    assert_eq!(
        last.actor.as_deref(),
        Some(account_id(&app, "vanhanh").await.as_str())
    );

    // A birth registration (1 working day) received now is due a working day later.
    let after = app.db.store.calendar().await.unwrap();
    let expected = after.add_working_days(today, 1);
    assert!(expected > next);
    let citizen = who(&app, "congdan").await;
    let d = citizen
        .api_post(
            &app,
            "/api/v1/dossiers",
            json!({"procedure": "1.001193", "unit": WARD}),
        )
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
        .api_post(
            &app,
            &format!("/api/v1/dossiers/{id}/submit"),
            json!({"version": d["dossier"]["version"], "form_data": form}),
        )
        .await;
    let desk = who(&app, "tiepnhan").await;
    let d = desk
        .api_post(
            &app,
            &format!("/api/v1/dossiers/{id}/receive"),
            json!({"version": d["dossier"]["version"], "desk": WARD}),
        )
        .await;
    let due = d["dossier"]["due_at"].as_str().unwrap();
    assert_eq!(due, format!("{expected}T17:00:00+07:00"), "not {next}");

    // Removing the row gives the day back.
    let (status, _) = op
        .post(&app, "/quan-tri/lich/xoa", &[("date", &next.to_string())])
        .await;
    assert_eq!(status, 303);
    let again = app.db.store.calendar().await.unwrap();
    assert!(again.is_working_day(next));
}
