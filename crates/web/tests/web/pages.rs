//! The Vietnamese pages through a real server, as a browser without JavaScript sees them.

#[tokio::test]
async fn a_citizen_finds_birth_registration_and_reads_its_parts() {
    let app = crate::common::spawn().await;
    let home = reqwest::get(app.url("/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("<html lang=\"vi\">"));
    assert!(home.contains("Bạn cần làm thủ tục gì?"));

    let r = reqwest::get(app.url("/thu-tuc?q=dang+ky+khai+sinh"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
    let page = r.text().await.unwrap();
    let first = page.find("href=\"/thu-tuc/").unwrap();
    assert!(
        page[first..].starts_with("href=\"/thu-tuc/1.001193\""),
        "first result"
    );

    let page = reqwest::get(app.url("/thu-tuc/1.001193"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for part in [
        "Trình tự thực hiện",
        "Cách thức thực hiện",
        "Thành phần, số lượng hồ sơ",
        "Thời hạn giải quyết",
        "Đối tượng thực hiện",
        "Cơ quan thực hiện",
        "Kết quả thực hiện",
        "Phí, lệ phí",
        "Căn cứ pháp lý",
    ] {
        assert!(page.contains(part), "missing part {part}");
    }
    assert!(page.contains("1 ngày làm việc"));
    assert!(page.contains("Phường An Cựu"));
}

#[tokio::test]
async fn unknown_pages_answer_in_vietnamese_with_the_request_id() {
    let app = crate::common::spawn().await;
    let r = reqwest::get(app.url("/thu-tuc/9.999999")).await.unwrap();
    assert_eq!(r.status(), 404);
    let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    let page = r.text().await.unwrap();
    assert!(page.contains("Không tìm thấy"));
    assert!(page.contains(&id));
    let r = reqwest::get(app.url("/thu-tuc?online_level=tat-ca"))
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Mức độ trực tuyến phải là")
    );
}

#[tokio::test]
async fn login_and_logout_with_forms() {
    let app = crate::common::spawn().await;
    let c = app.browser();
    let r = c
        .post(app.url("/dang-nhap"))
        .form(&[("username", "congdan"), ("password", "sai")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Tên đăng nhập hoặc mật khẩu không đúng")
    );

    let r = c
        .post(app.url("/dang-nhap"))
        .form(&[
            ("username", "congdan"),
            ("password", crate::common::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let home = c
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Đăng xuất"));
    let token = home
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();

    // Logging out needs the form's token.
    let r = c
        .post(app.url("/dang-xuat"))
        .form(&[("csrf_token", "sai")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .post(app.url("/dang-xuat"))
        .form(&[("csrf_token", token.as_str())])
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
    assert!(home.contains("Đăng nhập") && !home.contains("Đăng xuất"));
}
