//! The settings as a whole: the example file documents them, the app runs with them.
#![allow(clippy::unwrap_used)]
use super::*;

const EXAMPLE: &str = include_str!("../../../../motcua.example.toml");

/// The example with every commented-out setting (`# key = value`) switched on.
fn uncommented() -> String {
    EXAMPLE
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(rest)
                if rest.split_once(" = ").is_some_and(|(k, _)| {
                    k.trim_matches('"')
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
                }) =>
            {
                rest
            }
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every key path of a serialized value (`None` fields included: JSON keeps them).
fn paths(prefix: &str, v: &serde_json::Value, out: &mut Vec<String>) {
    if let serde_json::Value::Object(m) = v {
        for (k, v) in m {
            let p = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            paths(&p, v, out);
            out.push(p);
        }
    }
}

#[test]
fn the_example_documents_every_setting_and_its_default() {
    // As shipped, everything commented: the defaults.
    let shipped: Settings = toml::from_str(EXAMPLE).unwrap();
    shipped.validate().unwrap();
    // Switched on, every key is a real one with a valid value ...
    let on: Settings = toml::from_str(&uncommented()).unwrap();
    on.validate().unwrap();
    // ... and every setting of the structure is there.
    let documented =
        serde_json::to_value(toml::from_str::<toml::Value>(&uncommented()).unwrap()).unwrap();
    let mut want = Vec::new();
    paths(
        "",
        &serde_json::to_value(Settings::default()).unwrap(),
        &mut want,
    );
    let mut have = Vec::new();
    paths("", &documented, &mut have);
    let missing: Vec<_> = want.iter().filter(|p| !have.contains(p)).collect();
    assert!(
        missing.is_empty(),
        "not in motcua.example.toml: {missing:?}"
    );
    // The defaults the example shows are the real ones.
    let shipped_defaults = serde_json::to_value(Settings::default()).unwrap();
    for key in [
        ("server", "listen"),
        ("server", "session_hours"),
        ("server", "body_limit_bytes"),
        ("dossiers", "max_extensions"),
        ("warnings", "sweep_interval_seconds"),
        ("outbox", "backoff_max_seconds"),
        ("login", "window_seconds"),
    ] {
        assert_eq!(
            documented[key.0][key.1], shipped_defaults[key.0][key.1],
            "{key:?}"
        );
    }
}

#[tokio::test]
async fn the_app_runs_with_the_settings() {
    let db = motcua_store::testing::TestDb::new().await.unwrap();
    let files = tempfile::tempdir().unwrap();
    let mut s = Settings::default();
    s.dossiers.max_extensions = 3;
    s.dossiers.open_drafts = 7;
    s.server.session_hours = 5;
    s.login.per_user = 4;
    s.files.dir = files.path().to_owned();
    let state = motcua_web::AppState::load(db.store.clone(), s.web_config(false))
        .await
        .unwrap();
    let app = &state.app.settings;
    assert_eq!(app.max_extensions, 3);
    assert_eq!(app.limits.open_drafts, 7);
    assert_eq!(app.session_hours, 5);
    assert_eq!(app.login.per_user, 4);
    assert!(!state.config.secure_cookies && !state.config.hsts);
    let w = s.worker_config(&state.app).unwrap();
    assert_eq!(w.backoff.max, chrono::Duration::hours(1));
    assert_eq!(w.idle, std::time::Duration::from_secs(1));
    assert_eq!(w.max_attempts, 12);
    assert!(state.config.connected.is_empty());
    assert!(
        !w.destinations
            .contains_key(motcua_app::outbox::NATIONAL_PORTAL_SYNC)
    );
    // A complete [national_portal] puts its adapter in the worker and tells the pages.
    s.national_portal.url = Some("http://127.0.0.1:9/dvcqg".parse().unwrap());
    s.national_portal.username = Some("hue".into());
    s.national_portal.password = Some(super::values::Secret::new("pw"));
    s.national_portal.agency = Some("000.00.00.H57".into());
    s.validate().unwrap();
    let w = s.worker_config(&state.app).unwrap();
    assert!(
        w.destinations
            .contains_key(motcua_app::outbox::NATIONAL_PORTAL_SYNC)
    );
    assert_eq!(
        s.web_config(false).connected,
        vec![motcua_domain::dossier::outside::System::NationalPortal]
    );
}

#[test]
fn a_national_portal_needs_its_account_and_a_unit_code() {
    let mut s = Settings::default();
    s.national_portal.url = Some("https://lgsp.hue.gov.vn/dvcqg".parse().unwrap());
    let e = s.validate().unwrap_err().to_string();
    assert!(e.starts_with("national_portal."), "{e}");
    s.national_portal.username = Some("hue".into());
    s.national_portal.password = Some(super::values::Secret::new("pw"));
    s.national_portal.agency = Some("H57 not a code".into());
    let e = s.validate().unwrap_err().to_string();
    assert!(e.starts_with("national_portal.agency"), "{e}");
    s.national_portal.agency = Some("000.00.00.H57".into());
    s.validate().unwrap();
}

#[test]
fn numbers_out_of_range_name_their_key() {
    let mut s = Settings::default();
    s.outbox.lease_seconds = 10;
    let e = s.validate().unwrap_err().to_string();
    assert_eq!(
        e,
        "outbox.lease_seconds: must be longer than outbox.timeout_seconds"
    );
    let mut s = Settings::default();
    s.mail.url = Some("smtp://mail:25".parse().unwrap());
    assert!(
        s.validate()
            .unwrap_err()
            .to_string()
            .starts_with("mail.from:")
    );
    s.mail.from = Some("motcua@hue.gov.vn".into());
    s.validate().unwrap();
}
