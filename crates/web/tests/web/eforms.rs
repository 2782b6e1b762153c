//! Published e-form versions reach dossiers, on a real server and database: a dossier keeps
//! the version in force when it was created, whatever the province publishes afterwards;
//! new dossiers, the draft page and the API take the new one.

use crate::admin_support::{Browser, who};
use motcua_domain::ProcedureCode;
use motcua_domain::eform::builtin_source;
use serde_json::{Value, json};

use crate::common::COMMUNE;
const BIRTH: &str = "1.001193";
const NEW_FIELD: &str = "requester_ethnicity";
const NEW_LABEL: &str = "Dân tộc của người yêu cầu";

use crate::common::birth_form;

/// The same declaration as the page form posts it.
fn birth_page_form() -> Vec<(String, String)> {
    birth_form()
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), v)
        })
        .collect()
}

/// Version 2 of the birth e-form: the built-in one asking also for the requester's
/// ethnicity, a required field.
fn with_ethnicity() -> String {
    let mut def: Value = serde_json::from_str(builtin_source(BIRTH).unwrap()).unwrap();
    def["version"] = json!(2);
    def["fields"].as_array_mut().unwrap().insert(
        1,
        json!({"name": NEW_FIELD, "label": NEW_LABEL, "kind": "text", "required": true, "max_length": 50}),
    );
    def["sections"][0]["fields"]
        .as_array_mut()
        .unwrap()
        .insert(1, json!(NEW_FIELD));
    serde_json::to_string_pretty(&def).unwrap()
}

/// Saves `definition` as the draft through the administration pages and publishes it;
/// the published version.
async fn publish(app: &crate::common::App, definition: &str) -> i64 {
    let city = who(app, "quantri").await;
    let op = who(app, "vanhanh").await;
    let path = format!("/quan-tri/thu-tuc/{BIRTH}/bieu-mau");
    let (status, to) = city
        .post(
            app,
            &path,
            &[("action", "save"), ("definition", definition)],
        )
        .await;
    assert_eq!(status, 303, "{to}");
    let code = ProcedureCode::parse(BIRTH).unwrap();
    let version = app.db.store.eform_versions(&code).await.unwrap()[..]
        .last()
        .unwrap()
        .version;
    let (status, to) = op
        .post(app, &format!("{path}/{version}/cong-bo"), &[])
        .await;
    assert_eq!(status, 303, "{to}");
    version
}

/// A new draft of birth registration with nothing typed yet.
async fn create(app: &crate::common::App, citizen: &Browser) -> Value {
    let r = citizen
        .api_post(
            app,
            "/api/v1/dossiers",
            json!({"procedure": BIRTH, "unit": COMMUNE}),
        )
        .await;
    r["dossier"].clone()
}

async fn api_post(app: &crate::common::App, w: &Browser, path: &str, body: Value) -> (u16, Value) {
    let r =
        w.c.post(app.url(path))
            .header("x-csrf-token", &w.csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn form(app: &crate::common::App, query: &str) -> (u16, Value) {
    let r = reqwest::get(app.url(&format!("/api/v1/procedures/{BIRTH}/form{query}")))
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

fn has_field(def: &Value, name: &str) -> bool {
    def["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["name"] == name)
}

fn id(d: &Value) -> String {
    d["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn dossiers_keep_the_e_form_version_they_were_created_with() {
    let app = crate::common::spawn().await;
    let citizen = who(&app, "congdan").await;

    // Nothing published yet: the built-in form applies, and no version is pinned.
    let d0 = create(&app, &citizen).await;
    assert_eq!(d0["eform_version"], Value::Null);
    let (status, def) = form(&app, "").await;
    assert_eq!(status, 200);
    assert_eq!(def["id"], "to_khai_khai_sinh");
    assert!(def.get("version").is_none(), "the built-in form: {def}");

    // The province publishes the built-in form as version 1, then version 2 with a new
    // required field; a dossier is created under each.
    assert_eq!(publish(&app, builtin_source(BIRTH).unwrap()).await, 1);
    let d1 = create(&app, &citizen).await;
    assert_eq!(publish(&app, &with_ethnicity()).await, 2);
    let d2 = create(&app, &citizen).await;
    assert_eq!(
        (
            &d0["eform_version"],
            &d1["eform_version"],
            &d2["eform_version"]
        ),
        (&Value::Null, &json!(1), &json!(2))
    );

    // The API serves the version in force, and any published one on request.
    let (_, def) = form(&app, "").await;
    assert_eq!(def["version"], 2);
    assert!(has_field(&def, NEW_FIELD));
    let (_, def) = form(&app, "?version=1").await;
    assert_eq!(def["version"], 1);
    assert!(!has_field(&def, NEW_FIELD) && has_field(&def, "child_full_name"));
    let (status, body) = form(&app, "?version=3").await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "not_found");

    // Drafts under published versions are prefilled from the applicant's profile, as under
    // the built-in form.
    for d in [&d0, &d1, &d2] {
        let detail = citizen
            .c
            .get(app.url(&format!("/api/v1/dossiers/{}", id(d))))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap();
        assert_eq!(
            detail["form_data"]["requester_full_name"], "congdan",
            "{detail}"
        );
    }

    // Each draft page renders the form its dossier pinned.
    let (status, page1) = citizen.get(&app, &format!("/ho-so/{}", id(&d1))).await;
    assert_eq!(status, 200);
    let (status, page2) = citizen.get(&app, &format!("/ho-so/{}", id(&d2))).await;
    assert_eq!(status, 200);
    let input = format!("name=\"{NEW_FIELD}\"");
    assert!(
        page2.contains(&input) && page2.contains(NEW_LABEL),
        "{page2}"
    );
    assert!(!page1.contains(&input) && !page1.contains(NEW_LABEL));
    assert!(page1.contains("name=\"child_full_name\""));
    assert!(page2.contains("value=\"congdan\""), "prefilled on the page");

    // The dossiers created before version 2 are checked against their own form.
    for d in [&d0, &d1] {
        let (status, body) = api_post(
            &app,
            &citizen,
            &format!("/api/v1/dossiers/{}/submit", id(d)),
            json!({"version": d["version"], "form_data": birth_form()}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["dossier"]["status"], "submitted");
    }
    // The one created after is refused without the new field, in Vietnamese, at the field.
    let submit2 = format!("/api/v1/dossiers/{}/submit", id(&d2));
    let (status, body) = api_post(
        &app,
        &citizen,
        &submit2,
        json!({"version": d2["version"], "form_data": birth_form()}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "validation_failed");
    let fields = body["error"]["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 1, "{body}");
    assert_eq!(fields[0]["field"], format!("form_data.{NEW_FIELD}"));
    assert_eq!(fields[0]["code"], "required");
    assert_eq!(fields[0]["message"], format!("Vui lòng nhập {NEW_LABEL}."));
    // A client that asks for English gets the field's message in English, same code.
    let r = citizen
        .c
        .post(app.url(&submit2))
        .header("x-csrf-token", &citizen.csrf)
        .header("accept-language", "en")
        .json(&json!({"version": d2["version"], "form_data": birth_form()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let en: Value = r.json().await.unwrap();
    assert_eq!(en["error"]["fields"][0]["code"], "required");
    assert_eq!(
        en["error"]["fields"][0]["message"],
        format!("Please enter “{NEW_LABEL}”.")
    );
    // The same through the page, with the message beside the field.
    let mut posted = birth_page_form();
    posted.push(("version".into(), d2["version"].to_string()));
    posted.push(("action".into(), "submit".into()));
    let posted: Vec<(&str, &str)> = posted
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (status, page) = citizen
        .post(&app, &format!("/ho-so/{}/to-khai", id(&d2)), &posted)
        .await;
    assert_eq!(status, 422);
    assert!(
        page.contains(&format!("id=\"f-{NEW_FIELD}-error\"")),
        "{page}"
    );
    assert!(page.contains(&format!("Vui lòng nhập {NEW_LABEL}.")));
    // With it, the dossier goes in, and its declaration reads back with version 2's label.
    let mut full = birth_form();
    full[NEW_FIELD] = json!("Tày");
    let (status, body) = api_post(
        &app,
        &citizen,
        &submit2,
        json!({"version": d2["version"], "form_data": full}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, page) = citizen.get(&app, &format!("/ho-so/{}", id(&d2))).await;
    let at = page
        .find(NEW_LABEL)
        .expect("the new label on the read-back");
    assert!(page[at..].contains("Tày"));

    // A supplement to a dossier of version 1 is still checked against version 1: a field
    // it requires is required, the field version 2 added is not.
    let desk = who(&app, "tiepnhan").await;
    let spec = who(&app, "chuyenvien").await;
    let id1 = id(&d1);
    let r = desk
        .api_post(
            &app,
            &format!("/api/v1/dossiers/{id1}/receive"),
            json!({"desk": COMMUNE}),
        )
        .await;
    let r = spec
        .api_post(
            &app,
            &format!("/api/v1/dossiers/{id1}/request-supplement"),
            json!({"version": r["dossier"]["version"], "items": ["Tờ khai"], "reason": "Ghi lại tên trẻ"}),
        )
        .await;
    let v = r["dossier"]["version"].clone();
    let supplement = format!("/api/v1/dossiers/{id1}/supplement");
    let mut lacking = birth_form();
    lacking.as_object_mut().unwrap().remove("child_full_name");
    let (status, body) = api_post(
        &app,
        &citizen,
        &supplement,
        json!({"version": v, "form_data": lacking}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["error"]["fields"][0]["field"],
        "form_data.child_full_name"
    );
    let mut renamed = birth_form();
    renamed["child_full_name"] = json!("Nguyễn Văn Bình");
    let (status, body) = api_post(
        &app,
        &citizen,
        &supplement,
        json!({"version": v, "form_data": renamed}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["dossier"]["status"], "processing");
    assert_eq!(body["dossier"]["eform_version"], 1);
    let (_, page) = citizen.get(&app, &format!("/ho-so/{id1}")).await;
    assert!(page.contains("Nguyễn Văn Bình") && !page.contains(NEW_LABEL));
}

/// A form names the component it stands in for; publication refuses a name the procedure
/// does not list, with the reason on the page and nothing published.
#[tokio::test]
async fn a_form_naming_a_component_the_procedure_lacks_is_not_published() {
    let app = crate::common::spawn().await;
    let mut def: Value = serde_json::from_str(builtin_source(BIRTH).unwrap()).unwrap();
    def["version"] = json!(2);
    def["component"] = json!("Tờ khai không có trong thủ tục");
    let city = who(&app, "quantri").await;
    let op = who(&app, "vanhanh").await;
    let path = format!("/quan-tri/thu-tuc/{BIRTH}/bieu-mau");
    let text = serde_json::to_string_pretty(&def).unwrap();
    let (status, _) = city
        .post(&app, &path, &[("action", "save"), ("definition", &text)])
        .await;
    assert_eq!(status, 303);
    // The editor says so on the draft, before anyone presses "publish".
    const UNKNOWN: &str = "Thành phần hồ sơ (component) không có trong thủ tục";
    let (_, page) = city.get(&app, &path).await;
    assert!(page.contains(UNKNOWN), "{page}");
    let code = ProcedureCode::parse(BIRTH).unwrap();
    let versions = app.db.store.eform_versions(&code).await.unwrap();
    let draft = versions.last().unwrap().version;
    let (status, page) = op.post(&app, &format!("{path}/{draft}/cong-bo"), &[]).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains(UNKNOWN), "{page}");
    let still = app.db.store.eform_versions(&code).await.unwrap();
    assert_eq!(
        still.last().unwrap().status,
        motcua_domain::procedure::VersionStatus::Draft
    );
    // The built-in form names the catalogue's declaration component and publishes.
    def["component"] = json!(
        "Tờ khai đăng ký khai sinh (nộp trực tiếp, bưu chính) hoặc mẫu hộ tịch điện tử tương tác (nộp trực tuyến)"
    );
    let ok = publish(&app, &serde_json::to_string_pretty(&def).unwrap()).await;
    assert_eq!(ok, draft, "the corrected draft is the one published");
    let (_, page) = city.get(&app, &path).await;
    assert!(!page.contains(UNKNOWN), "{page}");
    let published = app.db.store.eform_versions(&code).await.unwrap();
    assert_eq!(
        published.last().unwrap().status,
        motcua_domain::procedure::VersionStatus::Published
    );
}
