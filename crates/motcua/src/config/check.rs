//! `motcua config check`: what the settings turn on and off, then every setting as TOML,
//! secrets shown as `***`.

use super::Settings;
use std::fmt::Write;

/// The report of `config check` for settings that passed [`Settings::validate`]; `source`
/// says where they came from.
pub fn report(s: &Settings, source: &str) -> anyhow::Result<String> {
    let https = crate::serve_cmd::over_https(
        s.server.listen,
        s.server.public_url.as_ref().map(super::WebUrl::url),
        s.server.insecure_http,
        s.server.secure_cookies,
    )?;
    let mut out = String::new();
    let w = &mut out;
    writeln!(w, "# motcua configuration: valid ({source})")?;
    writeln!(w, "#")?;
    writeln!(w, "# on and off:")?;
    writeln!(
        w,
        "#   server           listens on {}, {}",
        s.server.listen,
        if https {
            "served as over HTTPS (Secure cookies, Strict-Transport-Security)"
        } else {
            "plain HTTP (cookies without Secure, no Strict-Transport-Security)"
        }
    )?;
    writeln!(w, "#   database         {}", s.database.url)?;
    writeln!(
        w,
        "#   ops              token {}; own listener {}",
        if s.ops.token.is_some() {
            "set: /readyz and /metrics open to it on the public listener"
        } else {
            "not set: /readyz and /metrics answer 404 on the public listener"
        },
        s.ops
            .listen
            .map_or_else(|| "off".to_owned(), |a| format!("on {a}"))
    )?;
    if s.outbox.targets.is_empty() {
        writeln!(
            w,
            "#   outbox           no delivery targets: messages wait in the outbox"
        )?;
    }
    for (topic, url) in &s.outbox.targets {
        writeln!(w, "#   outbox           {topic} is POSTed to {url}")?;
    }
    for (name, status) in s.systems() {
        writeln!(w, "#   {name:<16} {status}")?;
    }
    writeln!(w)?;
    out.push_str(&toml::to_string_pretty(s)?);
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::config::Secret;

    #[test]
    fn the_report_says_what_is_off_and_hides_secrets() {
        let mut s = Settings::default();
        s.ops.token = Some(Secret::new("ops-very-secret"));
        s.payment.url = Some("https://pay.example.vn/api".parse().unwrap());
        s.payment.secret = Some(Secret::new("pay-very-secret"));
        s.database.url = "postgres://motcua:db-very-secret@db:5432/motcua"
            .parse()
            .unwrap();
        let r = report(&s, "test").unwrap();
        assert!(!r.contains("very-secret"), "{r}");
        assert!(r.contains("national_portal  off (no url)"), "{r}");
        assert!(
            r.contains("payment          url set (https://pay.example.vn/api), but this version has no adapter for it: nothing is sent"),
            "{r}"
        );
        assert!(r.contains("secret = \"***\""), "{r}");
        assert!(
            r.contains("url = \"postgres://motcua:***@db:5432/motcua\""),
            "{r}"
        );
        assert!(r.contains("plain HTTP"), "{r}");
        // What the debug output of the whole structure shows is no more.
        let debug = format!("{s:?}");
        assert!(!debug.contains("very-secret"), "{debug}");
    }
}
