//! The README's first command, as a newcomer runs it: `motcua serve --demo` on an empty
#![allow(clippy::unwrap_used, clippy::expect_used)]
//! database serves the Huế portal, prints the demo logins, and finds birth registration.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn serve_demo_answers_the_first_search() {
    let db = motcua_store::testing::TestDb::new().await.unwrap();
    // The test database is migrated and empty: exactly what a first run sees.
    let files = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .env("MOTCUA_DATABASE_URL", db.url_for_process())
        .env("MOTCUA_FILES_DIR", files.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _server = Server(child);
    let mut printed = Vec::new();
    let mut url = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(u) = line.strip_prefix("Cổng dịch vụ công: ") {
            url = Some(u.trim_end_matches('/').to_owned());
            break;
        }
        printed.push(line);
    }
    let url = url.expect("the server prints its address");
    let printed = printed.join("\n");
    for role in [
        "applicant",
        "reception_officer",
        "specialist",
        "leader",
        "unit_admin",
        "province_monitor",
        "operator",
        "digital_helper",
    ] {
        assert!(
            printed.contains(role),
            "demo login for {role} printed:\n{printed}"
        );
    }
    let body: serde_json::Value =
        reqwest::get(format!("{url}/api/v1/procedures?q=dang%20ky%20khai%20sinh"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(body["items"][0]["code"], "1.001193", "{body}");
    // The inter-agency processes of the demo are published.
    let p = db.store.process("2.002621", None).await.unwrap().unwrap();
    assert!(p.1.steps.iter().any(|s| s.inter_agency.is_some()));
    assert!(!db.store.calendar_rows().await.unwrap().is_empty());
    // The built-in e-forms are the store's version 1, and what the API serves.
    for code in motcua_domain::eform::BUILTIN_PROCEDURES {
        let code = motcua_domain::ProcedureCode::parse(code).unwrap();
        let (v, text) = db.store.published_eform(&code).await.unwrap().unwrap();
        assert_eq!(
            (v, text.as_str()),
            (
                1,
                motcua_domain::eform::builtin_source(code.as_str()).unwrap()
            )
        );
    }
    let form: serde_json::Value = reqwest::get(format!("{url}/api/v1/procedures/1.001193/form"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (form["id"].as_str(), form["version"].as_i64()),
        (Some("to_khai_khai_sinh"), Some(1))
    );
}
