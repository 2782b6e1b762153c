//! Values of the settings that check themselves while they are read, so that a wrong one is
//! refused with the key it was given under: secrets that never print, addresses of outside
//! systems with the scheme they need, the database address with its password hidden.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A password, token or key. Printed (`Debug`, `Display`, `config check`) as `***`: only
/// [`Secret::expose`] gives the text, to the one place that sends it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("***")
    }
}

impl std::str::FromStr for Secret {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if s.trim().is_empty() {
            return Err("is empty".to_owned());
        }
        Ok(Self(s.to_owned()))
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// The address of an outside system, with one of the schemes it is reached by.
#[derive(Clone, PartialEq, Eq)]
pub struct SystemUrl<const SMTP: bool>(reqwest::Url);

/// An `http://` or `https://` address.
pub type WebUrl = SystemUrl<false>;
/// An `smtp://host:port` or `smtps://host:port` address.
pub type SmtpUrl = SystemUrl<true>;

impl<const SMTP: bool> SystemUrl<SMTP> {
    pub fn url(&self) -> &reqwest::Url {
        &self.0
    }
}

impl<const SMTP: bool> std::str::FromStr for SystemUrl<SMTP> {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let u = reqwest::Url::parse(s.trim()).map_err(|e| format!("{s:?} is not a URL: {e}"))?;
        let (schemes, example) = if SMTP {
            (&["smtp", "smtps"][..], "smtp://host:587")
        } else {
            (&["http", "https"][..], "https://host/path")
        };
        if !schemes.contains(&u.scheme()) {
            return Err(format!(
                "{}:// is not allowed here; expected {example}",
                u.scheme()
            ));
        }
        if u.host_str().is_none_or(str::is_empty) {
            return Err(format!("{s:?} has no host"));
        }
        if SMTP && (u.path().len() > 1 || u.query().is_some()) {
            return Err(format!("{s:?}: expected only smtp://host:port"));
        }
        Ok(Self(u))
    }
}

impl<const SMTP: bool> fmt::Display for SystemUrl<SMTP> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(self.0.as_str()))
    }
}

impl<const SMTP: bool> fmt::Debug for SystemUrl<SMTP> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl<const SMTP: bool> Serialize for SystemUrl<SMTP> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de, const SMTP: bool> Deserialize<'de> for SystemUrl<SMTP> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// Where the data lives: `sqlite:PATH` or `postgres://USER:PASSWORD@HOST:PORT/DB`. The
/// password is shown as `***` wherever the address is printed.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for DatabaseUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.starts_with("sqlite:") {
            return Ok(Self(s.to_owned()));
        }
        let u = reqwest::Url::parse(s)
            .map_err(|_| "expected sqlite:PATH or postgres://USER@HOST:PORT/DB".to_owned())?;
        match u.scheme() {
            "postgres" | "postgresql" if u.host_str().is_some_and(|h| !h.is_empty()) => {
                Ok(Self(s.to_owned()))
            }
            "postgres" | "postgresql" => Err("the PostgreSQL address has no host".to_owned()),
            other => Err(format!(
                "{other}: is not a database this version speaks; expected sqlite:PATH or postgres://USER@HOST:PORT/DB"
            )),
        }
    }
}

impl Default for DatabaseUrl {
    fn default() -> Self {
        Self(crate::DEFAULT_DATABASE.to_owned())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(&self.0))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for DatabaseUrl {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DatabaseUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// The address with its password, and any `password` or `token`-like query parameter,
/// replaced by `***`. Text that is no URL (a `sqlite:` path) is returned as it is.
pub fn redact_url(s: &str) -> String {
    let Ok(mut u) = reqwest::Url::parse(s) else {
        return s.to_owned();
    };
    if u.cannot_be_a_base() {
        return s.to_owned();
    }
    if u.password().is_some() {
        // Only fails on a URL without a host, which cannot carry a password.
        let _ = u.set_password(Some("***"));
    }
    if u.query().is_some() {
        let pairs: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| {
                let secret = ["password", "secret", "token", "key"]
                    .iter()
                    .any(|w| k.to_ascii_lowercase().contains(w));
                (
                    k.into_owned(),
                    if secret { "***".into() } else { v.into_owned() },
                )
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
    }
    u.to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("hunter2-ops");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(format!("{:?}", Some(s.clone())), "Some(***)");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"***\"");
        assert_eq!(s.expose(), "hunter2-ops");
    }

    #[test]
    fn database_password_is_hidden() {
        let d: DatabaseUrl = "postgres://motcua:s3cr%40t@db.local:5432/motcua?sslmode=require"
            .parse()
            .unwrap();
        for shown in [format!("{d}"), format!("{d:?}")] {
            assert!(!shown.contains("s3cr"), "{shown}");
            assert!(shown.contains("motcua:***@db.local:5432/motcua"), "{shown}");
            assert!(shown.contains("sslmode=require"), "{shown}");
        }
        assert!(d.expose().contains("s3cr%40t"));
        let q: DatabaseUrl = "postgres://u@h/db?password=abc123".parse().unwrap();
        assert!(!q.to_string().contains("abc123"), "{q}");
        let lite: DatabaseUrl = "sqlite:data/x.db".parse().unwrap();
        assert_eq!(lite.to_string(), "sqlite:data/x.db");
        assert!("mysql://h/db".parse::<DatabaseUrl>().is_err());
        assert!("data/x.db".parse::<DatabaseUrl>().is_err());
    }

    #[test]
    fn system_urls_need_their_scheme_and_a_host() {
        assert!("https://dichvucong.gov.vn/api".parse::<WebUrl>().is_ok());
        assert!("ftp://x".parse::<WebUrl>().is_err());
        assert!("http://".parse::<WebUrl>().is_err());
        assert!("smtp://mail.hue.gov.vn:587".parse::<SmtpUrl>().is_ok());
        assert!("https://mail".parse::<SmtpUrl>().is_err());
        assert!("smtp://mail:25/inbox".parse::<SmtpUrl>().is_err());
        let u: SmtpUrl = "smtp://user:pw@mail:25".parse().unwrap();
        assert!(!u.to_string().contains("pw"));
    }
}
