//! `motcua config check` and `motcua serve --config`, run as processes the way an operator
//! runs them: which layer wins, what is refused, what is never shown.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Output, Stdio};

/// The binary with none of the caller's MOTCUA_ settings, so that only what a test sets
/// counts.
fn motcua() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_motcua"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("MOTCUA_") {
            c.env_remove(k);
        }
    }
    c
}

fn check(file: Option<&std::path::Path>, env: &[(&str, &str)]) -> Output {
    let mut c = motcua();
    c.args(["config", "check"]);
    if let Some(f) = file {
        c.arg("--config").arg(f);
    }
    c.envs(env.iter().copied()).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

fn toml_file(dir: &tempfile::TempDir, text: &str) -> std::path::PathBuf {
    let p = dir.path().join("motcua.toml");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn the_environment_wins_over_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = toml_file(
        &dir,
        "[server]\nsession_hours = 4\n[files]\nmax_file_mb = 7\n",
    );
    let o = check(Some(&f), &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains("session_hours = 4\n") && out.contains("max_file_mb = 7\n"),
        "{out}"
    );
    let o = check(
        Some(&f),
        &[
            ("MOTCUA_SERVER__SESSION_HOURS", "6"),
            // The older name of files.max_file_mb still counts, above the file.
            ("MOTCUA_MAX_FILE_MB", "9"),
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains("session_hours = 6\n") && out.contains("max_file_mb = 9\n"),
        "{out}"
    );
}

#[test]
fn an_unknown_key_or_a_wrong_value_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let f = toml_file(
        &dir,
        "[server]\nlisten = \"127.0.0.1:8080\"\n\n[eid]\nclient_secet = \"x\"\n",
    );
    let o = check(Some(&f), &[]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(
        err.contains("client_secet") && err.contains("line 5"),
        "{err}"
    );
    assert!(o.stdout.is_empty());

    let f = toml_file(
        &dir,
        "[mail]\nurl = \"https://mail.hue.gov.vn\"\nfrom = \"a@b.vn\"\n",
    );
    let err = text(&check(Some(&f), &[]).stderr);
    assert!(
        err.contains("https:// is not allowed here") && err.contains("line 2"),
        "{err}"
    );

    let o = check(None, &[("MOTCUA_OUTBOX__BATCH", "0")]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("outbox.batch: must be at least 1"));

    let o = check(None, &[("MOTCUA_PAYMNET__URL", "https://pay.vn")]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("paymnet"), "{}", text(&o.stderr));

    // The server refuses to start on the same file, with the same words.
    let f = toml_file(&dir, "[server]\nsesion_hours = 3\n");
    let o = motcua()
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&f)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(
        err.contains("sesion_hours") && err.contains("line 2"),
        "{err}"
    );
}

#[test]
fn secrets_are_never_shown_and_systems_are_not_said_to_be_connected() {
    let dir = tempfile::tempdir().unwrap();
    let f = toml_file(
        &dir,
        "[database]\nurl = \"postgres://motcua:pg-pass-4711@127.0.0.1:5432/motcua\"\n\
         [payment]\nurl = \"https://pay.example.vn/api\"\nsecret = \"pay-secret-4711\"\n\
         [mail]\nurl = \"smtp://mail.example.vn:587\"\nfrom = \"motcua@hue.gov.vn\"\npassword = \"mail-pass-4711\"\n",
    );
    let o = check(Some(&f), &[("MOTCUA_OPS__TOKEN", "ops-token-4711")]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(!out.contains("4711"), "{out}");
    assert!(
        out.contains("postgres://motcua:***@127.0.0.1:5432/motcua"),
        "{out}"
    );
    assert!(out.contains("token = \"***\""), "{out}");
    for line in [
        "payment          url set (https://pay.example.vn/api), but this version has no adapter for it: nothing is sent",
        "mail             url set (smtp://mail.example.vn:587), but this version has no adapter for it: nothing is sent",
        "national_portal  off (no url)",
        "zalo             off (no url)",
    ] {
        assert!(out.contains(line), "{line}\n{out}");
    }
    assert!(!out.to_lowercase().contains("connected"), "{out}");
}

struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What the server logs, read until it stops.
type Logs = std::thread::JoinHandle<String>;

/// Starts the server and returns it with its address, what it printed before it, and its
/// logs.
fn start(mut cmd: Command) -> (Server, String, String, Logs) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let server = Server(child);
    let mut printed = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(u) = line.strip_prefix("Cổng dịch vụ công: ") {
            // What it logs later is read by a thread, to look for secrets at the end.
            let logs = std::thread::spawn(move || {
                let mut s = String::new();
                let _ = stderr.read_to_string(&mut s);
                s
            });
            return (
                server,
                u.trim_end_matches('/').to_owned(),
                printed.join("\n"),
                logs,
            );
        }
        printed.push(line);
    }
    let mut err = String::new();
    let _ = stderr.read_to_string(&mut err);
    panic!("the server did not start:\n{}\n{err}", printed.join("\n"));
}

#[tokio::test]
async fn serve_runs_with_the_listen_address_and_session_hours_of_the_file() {
    let db = motcua_store::testing::TestDb::new().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let f = toml_file(
        &dir,
        &format!(
            "[server]\nlisten = \"127.0.0.1:{port}\"\nsession_hours = 3\nbody_limit_bytes = 8192\n\
             [ops]\ntoken = \"ops-token-4711\"\n\
             [files]\ndir = {:?}\n",
            dir.path().join("files").display().to_string()
        ),
    );
    let mut cmd = motcua();
    cmd.args(["serve", "--demo", "--config"])
        .arg(&f)
        .env("MOTCUA_DATABASE__URL", db.url_for_process());
    let (server, url, printed, logs) = start(cmd);
    assert_eq!(url, format!("http://127.0.0.1:{port}"));
    let applicant = printed
        .lines()
        .find(|l| l.split_whitespace().nth(1) == Some("applicant"))
        .and_then(|l| l.split_whitespace().next())
        .expect("a demo applicant is printed")
        .to_owned();
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{url}/api/v1/login"))
        .json(&serde_json::json!({"username": applicant, "password": "demo-hue-2026"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains(&format!("Max-Age={}", 3 * 3600)),
        "{cookie}"
    );
    // Loopback without a public URL: plain HTTP, so no Secure flag.
    assert!(!cookie.contains("Secure"), "{cookie}");
    // The body limit of the file, far below the default of 2 MiB.
    let big = client
        .post(format!("{url}/api/v1/login"))
        .json(&serde_json::json!({"username": "x".repeat(10_000), "password": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), 413);
    // The token of the file opens the metrics on the public listener.
    let m = client
        .get(format!("{url}/metrics"))
        .bearer_auth("ops-token-4711")
        .send()
        .await
        .unwrap();
    assert_eq!(m.status(), 200);
    assert!(!printed.contains("4711"));
    drop(server);
    let logs = logs.join().unwrap();
    assert!(logs.contains("plain HTTP"), "{logs}");
    assert!(!logs.contains("4711"), "{logs}");
}

#[tokio::test]
async fn a_flag_wins_over_the_environment_and_the_file() {
    let db = motcua_store::testing::TestDb::new().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Both addresses are taken: the server starts only if the flag's address is used.
    let hold = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = hold.local_addr().unwrap();
    let f = toml_file(
        &dir,
        &format!(
            "[server]\nlisten = \"{taken}\"\nsession_hours = 2\n[files]\ndir = {:?}\n",
            dir.path().join("files").display().to_string()
        ),
    );
    let mut cmd = motcua();
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&f)
        .env("MOTCUA_SERVER__LISTEN", taken.to_string())
        .env("MOTCUA_DATABASE__URL", db.url_for_process());
    let (_server, url, _, _) = start(cmd);
    assert_ne!(url, format!("http://{taken}"));
    let health = reqwest::get(format!("{url}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    drop(hold);
}
