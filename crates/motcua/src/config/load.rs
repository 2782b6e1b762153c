//! Reading the layers: defaults < the TOML file < environment variables. Flags are applied
//! by the command afterwards, then [`super::Settings::validate`] runs on the result.

use super::Settings;
use figment::providers::{Format, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};
use std::fmt;
use std::path::Path;

/// The variables of earlier versions, one flag each; still read, below the
/// `MOTCUA_<SECTION>__<KEY>` form, which wins when both are set.
const LEGACY: [(&str, &str); 14] = [
    ("MOTCUA_DATABASE_URL", "database.url"),
    ("MOTCUA_LISTEN", "server.listen"),
    ("MOTCUA_PUBLIC_URL", "server.public_url"),
    ("MOTCUA_INSECURE_HTTP", "server.insecure_http"),
    ("MOTCUA_SECURE_COOKIES", "server.secure_cookies"),
    ("MOTCUA_HEADER_TIMEOUT", "server.header_timeout_seconds"),
    ("MOTCUA_BODY_TIMEOUT", "server.body_timeout_seconds"),
    ("MOTCUA_IDLE_TIMEOUT", "server.idle_timeout_seconds"),
    ("MOTCUA_MAX_CONNECTIONS", "server.max_connections"),
    ("MOTCUA_OPS_TOKEN", "ops.token"),
    ("MOTCUA_OPS_LISTEN", "ops.listen"),
    ("MOTCUA_FILES_DIR", "files.dir"),
    ("MOTCUA_MAX_FILE_MB", "files.max_file_mb"),
    ("MOTCUA_DELIVER_MAX_ATTEMPTS", "outbox.max_attempts"),
];

#[derive(Debug)]
pub enum ConfigError {
    /// The file cannot be read, is no TOML, or has a wrong key or value (with its line).
    File { path: String, message: String },
    /// A key with a value that does not fit, from wherever it came.
    Invalid { key: String, reason: String },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File { path, message } => write!(f, "{path}: {}", message.trim_end()),
            Self::Invalid { key, reason } => write!(f, "{key}: {reason}"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The settings from the defaults, the file if given, and the environment.
pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
    load_from(file, std::env::vars_os())
}

fn load_from(
    file: Option<&Path>,
    vars: impl Iterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
) -> Result<Settings, ConfigError> {
    let mut figment = Figment::new();
    if let Some(path) = file {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
            path: shown.clone(),
            message: format!("cannot read it: {e}"),
        })?;
        // The file alone, strictly: the TOML reader names the line of an unknown key or a
        // wrong value, which the layered read below cannot.
        toml::from_str::<Settings>(&text).map_err(|e| ConfigError::File {
            path: shown,
            message: e.to_string(),
        })?;
        figment = figment.merge(Toml::string(&text));
    }
    let mut legacy = Vec::new();
    let mut sectioned = Vec::new();
    for (name, value) in vars {
        let (Some(name), Some(value)) = (name.to_str(), value.to_str()) else {
            continue;
        };
        // An empty variable is taken as unset, as the flags always did.
        if value.is_empty() {
            continue;
        }
        if let Some((_, key)) = LEGACY.iter().find(|(n, _)| *n == name) {
            legacy.push(((*key).to_owned(), value.to_owned()));
        } else if let Some(rest) = name.strip_prefix("MOTCUA_")
            && rest.contains("__")
        {
            sectioned.push((
                rest.to_ascii_lowercase().replace("__", "."),
                value.to_owned(),
            ));
        }
    }
    let settings: Settings = figment
        .merge(EnvLayer {
            pairs: legacy,
            legacy: true,
        })
        .merge(EnvLayer {
            pairs: sectioned,
            legacy: false,
        })
        // Lossy: environment values are text, and "8" or "true" must fill a number or a
        // flag. The file was already read strictly above.
        .extract_lossy()
        .map_err(|e| {
            let key = e.path.join(".");
            let from = e
                .metadata
                .as_ref()
                .map(|m| {
                    let keys: Vec<&str> = e.path.iter().map(String::as_str).collect();
                    format!(" (from {})", m.interpolate(&Profile::Default, &keys))
                })
                .unwrap_or_default();
            ConfigError::Invalid {
                key: if key.is_empty() {
                    "(top level)".into()
                } else {
                    key
                },
                reason: format!("{}{from}", e.kind),
            }
        })?;
    Ok(settings)
}

/// Environment variables as text values at their key paths; errors name the variable.
struct EnvLayer {
    pairs: Vec<(String, String)>,
    legacy: bool,
}

impl Provider for EnvLayer {
    fn metadata(&self) -> Metadata {
        let legacy = self.legacy;
        Metadata::named("environment").interpolater(move |_, keys: &[&str]| {
            let path = keys.join(".");
            match LEGACY.iter().find(|(_, k)| *k == path) {
                Some((name, _)) if legacy => format!("environment variable {name}"),
                _ => format!(
                    "environment variable MOTCUA_{}",
                    keys.join("__").to_ascii_uppercase()
                ),
            }
        })
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let mut root = Dict::new();
        for (path, value) in &self.pairs {
            let keys: Vec<&str> = path.split('.').collect();
            insert(&mut root, &keys, value).map_err(figment::Error::from)?;
        }
        Ok(Profile::Default.collect(root))
    }
}

fn insert(dict: &mut Dict, keys: &[&str], value: &str) -> Result<(), String> {
    match keys {
        [] => Ok(()),
        [last] => {
            dict.insert((*last).to_owned(), Value::from(value.to_owned()));
            Ok(())
        }
        [first, rest @ ..] => {
            let entry = dict
                .entry((*first).to_owned())
                .or_insert_with(|| Value::from(Dict::new()));
            match entry {
                Value::Dict(_, inner) => insert(inner, rest, value),
                _ => Err(format!("{first} is set both as a value and as a section")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::ffi::OsString;

    fn vars(pairs: &[(&str, &str)]) -> impl Iterator<Item = (OsString, OsString)> {
        pairs
            .iter()
            .map(|(k, v)| (OsString::from(k), OsString::from(v)))
            .collect::<Vec<_>>()
            .into_iter()
    }

    fn file(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn section_names_keep_their_single_underscores() {
        let s = load_from(
            None,
            vars(&[
                ("MOTCUA_NATIONAL_PORTAL__URL", "http://127.0.0.1:9001"),
                ("MOTCUA_DATA_STORE__TOKEN", "12345"),
                ("MOTCUA_SERVER__SESSION_HOURS", "12"),
                ("MOTCUA_SERVER__INSECURE_HTTP", "true"),
                // Not settings: other tools' variables without a double underscore.
                ("MOTCUA_TEST_DATABASE_URL", "postgres://x@y/z"),
                ("MOTCUA_E2E_SCREENSHOTS", "1"),
            ]),
        )
        .unwrap();
        assert_eq!(
            s.national_portal.url.unwrap().url().as_str(),
            "http://127.0.0.1:9001/"
        );
        // A numeric token stays text, digits and all.
        assert_eq!(s.data_store.token.unwrap().expose(), "12345");
        assert_eq!(s.server.session_hours, 12);
        assert!(s.server.insecure_http);
    }

    #[test]
    fn environment_wins_over_the_file_and_new_names_over_old() {
        let f = file("[server]\nlisten = \"127.0.0.1:7000\"\nsession_hours = 4\n");
        let s = load_from(Some(f.path()), vars(&[])).unwrap();
        assert_eq!(s.server.listen.port(), 7000);
        assert_eq!(s.server.session_hours, 4);
        let s = load_from(
            Some(f.path()),
            vars(&[
                ("MOTCUA_LISTEN", "127.0.0.1:7001"),
                ("MOTCUA_SERVER__SESSION_HOURS", "6"),
            ]),
        )
        .unwrap();
        assert_eq!(s.server.listen.port(), 7001);
        assert_eq!(s.server.session_hours, 6);
        let s = load_from(
            Some(f.path()),
            vars(&[
                ("MOTCUA_LISTEN", "127.0.0.1:7001"),
                ("MOTCUA_SERVER__LISTEN", "127.0.0.1:7002"),
            ]),
        )
        .unwrap();
        assert_eq!(s.server.listen.port(), 7002);
    }

    #[test]
    fn wrong_keys_and_values_are_named() {
        let f = file("[server]\nlisten = \"127.0.0.1:7000\"\nsesion_hours = 4\n");
        let e = load_from(Some(f.path()), vars(&[]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("sesion_hours") && e.contains("line 3"), "{e}");
        let f = file("[payment]\nurl = \"ftp://pay\"\n");
        let e = load_from(Some(f.path()), vars(&[]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("ftp://") && e.contains("line 2"), "{e}");
        let e = load_from(None, vars(&[("MOTCUA_SERVER__SESION_HOURS", "4")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("sesion_hours"), "{e}");
        let e = load_from(None, vars(&[("MOTCUA_SERVER__SESSION_HOURS", "many")]))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("server.session_hours:") && e.contains("MOTCUA_SERVER__SESSION_HOURS"),
            "{e}"
        );
        let e = load_from(None, vars(&[("MOTCUA_MAX_FILE_MB", "lots")]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("files.max_file_mb") && e.contains("MOTCUA_MAX_FILE_MB"),
            "{e}"
        );
        let e = load_from(Some(Path::new("no/such/motcua.toml")), vars(&[]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no/such/motcua.toml") && e.contains("cannot read"),
            "{e}"
        );
    }
}
