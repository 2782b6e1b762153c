//! English as the second language of the pages: Vietnamese by default, English only by the
//! reader's explicit choice, through a real server and a cookie-keeping client.

use reqwest::header::{ACCEPT_LANGUAGE, LOCATION, SET_COOKIE};

/// The page with askama's escaped `&` read back, so links compare as written.
async fn text(c: &reqwest::Client, url: String) -> (u16, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status().as_u16(), unescape(r.text().await.unwrap()))
}

fn unescape(page: String) -> String {
    page.replace("&#38;", "&")
}

/// Chooses `lang` with the header's switch, as a browser without JavaScript follows a link.
async fn choose(app: &crate::common::App, c: &reqwest::Client, lang: &str, next: &str) -> String {
    let r = c
        .get(app.url(&format!("/ngon-ngu?lang={lang}&next={next}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    r.headers()[LOCATION].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn vietnamese_is_the_default_even_for_an_english_browser() {
    let app = crate::common::spawn().await;
    let c = app.browser();
    let r = c
        .get(app.url("/thu-tuc?q=khai+sinh"))
        .header(ACCEPT_LANGUAGE, "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    let page = unescape(r.text().await.unwrap());
    assert!(page.contains("<html lang=\"vi\">"), "{}", &page[..200]);
    assert!(page.contains("<h1>Tra cứu thủ tục hành chính</h1>"));
    assert!(page.contains("Tìm thấy "));
    // The switch offers English, in English, back to this very page.
    assert!(
        page.contains(
            "href=\"/ngon-ngu?lang=en&next=%2Fthu-tuc%3Fq%3Dkhai%2Bsinh\" lang=\"en\" hreflang=\"en\">English</a>"
        ),
        "switch link"
    );
    // Vietnamese content is not marked again under a Vietnamese page.
    assert!(!page.contains("<strong lang=\"vi\">"));
}

#[tokio::test]
async fn the_switch_sets_the_cookie_and_goes_back_only_to_local_paths() {
    let app = crate::common::spawn().await;
    let c = app.browser();
    let r = c
        .get(app.url("/ngon-ngu?lang=en&next=%2Fthu-tuc%3Fq%3Dkhai%2Bsinh"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()[LOCATION], "/thu-tuc?q=khai+sinh");
    let cookie = r.headers()[SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("lang=en;"), "{cookie}");
    assert!(
        cookie.contains("Path=/") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    for next in [
        "%2F%2Fevil.example%2Fx",
        "https%3A%2F%2Fevil.example%2F",
        "%2F%5Cevil.example",
        "evil.example",
        "%2F%0D%0ASet-Cookie%3A%20x%3D1",
    ] {
        let to = choose(&app, &c, "vi", next).await;
        assert_eq!(to, "/", "next={next}");
    }
    let r = c.get(app.url("/ngon-ngu?lang=vi")).send().await.unwrap();
    assert_eq!(r.headers()[LOCATION], "/");
    assert!(
        r.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .starts_with("lang=vi;")
    );

    // An unknown language is refused and leaves the choice alone.
    let r = c
        .get(app.url("/ngon-ngu?lang=fr&next=%2F"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.headers().get(SET_COOKIE).is_none());
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Ngôn ngữ phải là vi hoặc en.")
    );
}

#[tokio::test]
async fn english_search_has_english_chrome_and_vietnamese_procedure_names() {
    let app = crate::common::spawn().await;
    let c = app.browser();
    let to = choose(&app, &c, "en", "%2Fthu-tuc%3Fq%3Ddang%2Bky%2Bkhai%2Bsinh").await;
    let (status, page) = text(&c, app.url(&to)).await;
    assert_eq!(status, 200);
    assert!(page.contains("<html lang=\"en\">"));
    for chrome in [
        "Skip to main content",
        "Administrative procedures",
        "Track a dossier",
        ">Log in</a>",
        "<h1>Find an administrative procedure</h1>",
        "Procedure name or code",
        "All fields",
        "Procedures found: ",
        "API for integrating agencies",
    ] {
        assert!(page.contains(chrome), "missing {chrome}");
    }
    for vi in [
        "Tra cứu thủ tục hành chính",
        "Bỏ qua, tới nội dung chính",
        "Tìm thấy",
    ] {
        assert!(!page.contains(vi), "still Vietnamese: {vi}");
    }
    // The procedures keep their Vietnamese names, marked as Vietnamese.
    assert!(
        page.contains("<strong lang=\"vi\">Đăng ký khai sinh"),
        "procedure name marked vi"
    );
    // The first result is the same as in Vietnamese: the language changes no search.
    let first = page.find("href=\"/thu-tuc/").unwrap();
    assert!(page[first..].starts_with("href=\"/thu-tuc/1.001193\""));
    // Offered back in Vietnamese.
    assert!(page.contains("lang=\"vi\" hreflang=\"vi\">Tiếng Việt</a>"));

    let to = choose(&app, &c, "vi", "%2Fthu-tuc").await;
    let (_, page) = text(&c, app.url(&to)).await;
    assert!(page.contains("<html lang=\"vi\">"));
    assert!(page.contains("<h1>Tra cứu thủ tục hành chính</h1>"));
}

#[tokio::test]
async fn an_english_procedure_page_labels_its_parts_and_keeps_the_content_vietnamese() {
    let app = crate::common::spawn().await;
    let c = app.browser();
    choose(&app, &c, "en", "%2F").await;
    let (_, page) = text(&c, app.url("/thu-tuc/1.001193")).await;
    assert!(page.contains("<html lang=\"en\">"));
    for part in [
        "1. Steps",
        "2. How to apply",
        "3. Documents and number of copies",
        "4. Time limit",
        "5. Who may apply",
        "6. Competent authority",
        "7. Result",
        "Fees and charges",
        "Legal basis",
        "Log in to apply online",
        "1 working day<",
    ] {
        assert!(page.contains(part), "missing {part}");
    }
    assert!(!page.contains("Trình tự thực hiện"));
    assert!(page.contains("<h1 lang=\"vi\">Thủ tục đăng ký khai sinh"));
    assert!(page.contains("<main id=\"noi-dung\" class=\"wrap\">"));
    // The competent units are data: listed in Vietnamese, marked so.
    let units = page
        .find("<ul class=\"cols\" lang=\"vi\">")
        .expect("units marked vi");
    assert!(page[units..].contains("Phường An Cựu"));
}

#[tokio::test]
async fn errors_logins_and_lists_follow_the_readers_language() {
    let app = crate::common::spawn().await;
    let c = app.browser();
    choose(&app, &c, "en", "%2F").await;

    let r = c.get(app.url("/thu-tuc/9.999999")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    let page = r.text().await.unwrap();
    assert!(page.contains("<html lang=\"en\">"));
    assert!(page.contains("<h1>Page not found</h1>") && page.contains("Procedure not found."));
    assert!(page.contains(&id));

    let (status, page) = text(&c, app.url("/thu-tuc?online_level=tat-ca")).await;
    assert_eq!(status, 422);
    assert!(
        !page.contains("Mức độ trực tuyến phải là"),
        "error in English"
    );

    let (status, page) = text(
        &c,
        app.url("/tra-cuu?code=000.01.99.H57-260101-0001&secret=ABC"),
    )
    .await;
    assert_eq!(status, 404);
    assert!(page.contains("No dossier has this dossier code and lookup code."));

    let r = c
        .post(app.url("/dang-nhap"))
        .form(&[
            ("username", "congdan"),
            ("password", "sai"),
            ("next", "/ho-so-cua-toi"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let page = unescape(r.text().await.unwrap());
    assert!(page.contains("<html lang=\"en\">") && page.contains("Wrong user name or password."));
    // A switch from the failed form goes back to the form, keeping where to go next.
    assert!(page.contains("/ngon-ngu?lang=vi&next=%2Fdang-nhap%3Fnext%3D%252Fho-so-cua-toi"));

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
    let (_, page) = text(&c, app.url("/ho-so-cua-toi")).await;
    assert!(page.contains("<h1>My dossiers</h1>") && page.contains("You have no dossiers yet."));
    assert!(page.contains(">Log out</button>") && page.contains(">My dossiers</a>"));

    // The API keeps to Accept-Language, whatever the pages' cookie says.
    let r = c
        .get(app.url("/api/v1/procedures/9.999999"))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["message"], "Không tìm thấy thủ tục.");
    let r = c
        .get(app.url("/api/v1/procedures/9.999999"))
        .header(ACCEPT_LANGUAGE, "en")
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["message"], "Procedure not found.");
}
