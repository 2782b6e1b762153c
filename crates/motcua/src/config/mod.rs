//! The settings `motcua serve` runs with, in one typed structure: built-in defaults, then a
//! TOML file (`--config`), then environment variables (`MOTCUA_<SECTION>__<KEY>`), then
//! command-line flags, each overriding the one before. Every setting is documented in
//! `motcua.example.toml` (a test keeps the two together).

mod check;
mod load;
mod systems;
mod values;

pub use check::report;
pub use load::{ConfigError, load};
pub use systems::{Eid, Linked, Mail, NationalPortal, Payment, Sms, SystemStatus, Zalo};
pub use values::{DatabaseUrl, Secret, WebUrl};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub server: Server,
    pub ops: Ops,
    pub database: Database,
    pub files: Files,
    pub dossiers: Dossiers,
    pub login: Login,
    pub warnings: Warnings,
    pub outbox: Outbox,
    pub national_portal: NationalPortal,
    pub payment: Payment,
    pub eid: Eid,
    pub data_store: Linked,
    pub signing: Linked,
    pub mail: Mail,
    pub sms: Sms,
    pub zalo: Zalo,
    pub reports: Linked,
}

/// The public listener: where, how it is reached, how long it waits, how much it takes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Server {
    pub listen: SocketAddr,
    /// The address people reach the portal at; https makes cookies Secure and sends HSTS.
    pub public_url: Option<WebUrl>,
    /// Plain HTTP on a non-loopback address (test networks only).
    pub insecure_http: bool,
    /// Serve as over HTTPS even on loopback (behind a TLS proxy without a public URL).
    pub secure_cookies: bool,
    pub header_timeout_seconds: u64,
    pub body_timeout_seconds: u64,
    pub idle_timeout_seconds: u64,
    pub max_connections: usize,
    /// The largest request body outside file uploads (which have `files.max_file_mb`).
    pub body_limit_bytes: usize,
    pub session_hours: i64,
}

impl Default for Server {
    fn default() -> Self {
        let web = motcua_web::Config::default();
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            insecure_http: false,
            secure_cookies: false,
            header_timeout_seconds: web.header_read_timeout.as_secs(),
            body_timeout_seconds: web.body_read_timeout.as_secs(),
            idle_timeout_seconds: web.idle_timeout.as_secs(),
            max_connections: web.max_connections,
            body_limit_bytes: web.body_limit_bytes,
            session_hours: motcua_app::Settings::default().session_hours,
        }
    }
}

/// The operators' side: a token for /readyz and /metrics on the public listener, and an
/// address of their own without a token.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Ops {
    pub listen: Option<SocketAddr>,
    pub token: Option<Secret>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Database {
    pub url: DatabaseUrl,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Files {
    pub dir: PathBuf,
    pub max_file_mb: u64,
}

impl Default for Files {
    fn default() -> Self {
        let web = motcua_web::Config::default();
        Self {
            dir: web.files_dir,
            max_file_mb: web.max_file_bytes / (1024 * 1024),
        }
    }
}

/// What one dossier and one applicant may hold (`motcua_domain::dossier::Limits`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Dossiers {
    pub max_extensions: u32,
    pub form_data_bytes: usize,
    pub form_data_depth: usize,
    pub open_drafts: usize,
    pub files: usize,
    pub file_bytes: u64,
    pub text_chars: usize,
    pub list_items: usize,
}

impl Default for Dossiers {
    fn default() -> Self {
        let l = motcua_domain::dossier::Limits::default();
        Self {
            max_extensions: motcua_app::Settings::default().max_extensions,
            form_data_bytes: l.form_data_bytes,
            form_data_depth: l.form_data_depth,
            open_drafts: l.open_drafts,
            files: l.files,
            file_bytes: l.file_bytes,
            text_chars: l.text_chars,
            list_items: l.list_items,
        }
    }
}

impl Dossiers {
    pub fn limits(&self) -> motcua_domain::dossier::Limits {
        motcua_domain::dossier::Limits {
            form_data_bytes: self.form_data_bytes,
            form_data_depth: self.form_data_depth,
            open_drafts: self.open_drafts,
            files: self.files,
            file_bytes: self.file_bytes,
            text_chars: self.text_chars,
            list_items: self.list_items,
        }
    }
}

/// `motcua_app::login::LoginLimits`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Login {
    pub window_seconds: u64,
    pub per_user: i64,
    pub per_address: i64,
    pub password_checks: usize,
    pub password_wait_seconds: u64,
}

impl Default for Login {
    fn default() -> Self {
        let l = motcua_app::login::LoginLimits::default();
        Self {
            window_seconds: l.window.as_secs(),
            per_user: l.per_user,
            per_address: l.per_address,
            password_checks: l.password_checks,
            password_wait_seconds: l.password_wait.as_secs(),
        }
    }
}

impl Login {
    pub fn limits(&self) -> motcua_app::login::LoginLimits {
        motcua_app::login::LoginLimits {
            window: std::time::Duration::from_secs(self.window_seconds),
            per_user: self.per_user,
            per_address: self.per_address,
            password_checks: self.password_checks,
            password_wait: std::time::Duration::from_secs(self.password_wait_seconds),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Warnings {
    /// How often new warnings are looked for and sent to the outbox.
    pub sweep_interval_seconds: u64,
}

impl Default for Warnings {
    fn default() -> Self {
        Self {
            sweep_interval_seconds: 60,
        }
    }
}

/// The outbox worker's pace and where each topic is delivered. Plain data: the binary maps
/// it onto the worker it runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Outbox {
    pub batch: usize,
    pub lease_seconds: i64,
    pub backoff_base_seconds: i64,
    pub backoff_max_seconds: i64,
    pub idle_millis: u64,
    pub timeout_seconds: u64,
    /// Attempts at one message before it goes on the dead-letter list.
    pub max_attempts: u32,
    /// Topic → the address its messages are POSTed to; topics without one wait.
    pub targets: BTreeMap<String, WebUrl>,
}

impl Default for Outbox {
    fn default() -> Self {
        let w = motcua_integrations::WorkerConfig::default();
        Self {
            batch: w.batch,
            lease_seconds: w.lease.num_seconds(),
            backoff_base_seconds: w.backoff.base.num_seconds(),
            backoff_max_seconds: w.backoff.max.num_seconds(),
            idle_millis: u64::try_from(w.idle.as_millis()).unwrap_or(u64::MAX),
            timeout_seconds: motcua_integrations::DEFAULT_TIMEOUT.as_secs(),
            max_attempts: u32::try_from(w.max_attempts).unwrap_or(12),
            targets: BTreeMap::new(),
        }
    }
}

impl Settings {
    /// Numbers out of range, with the key and why. Types and schemes were checked while
    /// reading; this is what a type cannot say.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let s = &self.server;
        let o = &self.outbox;
        let d = &self.dossiers;
        let l = &self.login;
        let checks: [(&str, bool, &str); 23] = [
            (
                "server.header_timeout_seconds",
                s.header_timeout_seconds >= 1,
                "must be at least 1",
            ),
            (
                "server.body_timeout_seconds",
                s.body_timeout_seconds >= 1,
                "must be at least 1",
            ),
            (
                "server.idle_timeout_seconds",
                s.idle_timeout_seconds >= 1,
                "must be at least 1",
            ),
            (
                "server.max_connections",
                s.max_connections >= 1,
                "must be at least 1",
            ),
            (
                "server.body_limit_bytes",
                s.body_limit_bytes >= 1024,
                "must be at least 1024",
            ),
            (
                "server.session_hours",
                (1..=24 * 30).contains(&s.session_hours),
                "must be between 1 and 720",
            ),
            (
                "files.max_file_mb",
                s_range(self.files.max_file_mb, 1, 1024 * 1024),
                "must be between 1 and 1048576",
            ),
            (
                "dossiers.form_data_bytes",
                d.form_data_bytes >= 1024,
                "must be at least 1024",
            ),
            (
                "dossiers.form_data_depth",
                d.form_data_depth >= 3,
                "must be at least 3 (the built-in forms nest three deep)",
            ),
            (
                "dossiers.open_drafts",
                d.open_drafts >= 1,
                "must be at least 1",
            ),
            ("dossiers.files", d.files >= 1, "must be at least 1"),
            (
                "dossiers.text_chars",
                d.text_chars >= 1,
                "must be at least 1",
            ),
            (
                "dossiers.list_items",
                d.list_items >= 1,
                "must be at least 1",
            ),
            (
                "login.window_seconds",
                l.window_seconds >= 1,
                "must be at least 1",
            ),
            ("login.per_user", l.per_user >= 1, "must be at least 1"),
            (
                "login.per_address",
                l.per_address >= l.per_user,
                "must be at least login.per_user",
            ),
            (
                "login.password_checks",
                l.password_checks >= 1,
                "must be at least 1",
            ),
            (
                "warnings.sweep_interval_seconds",
                self.warnings.sweep_interval_seconds >= 1,
                "must be at least 1",
            ),
            ("outbox.batch", o.batch >= 1, "must be at least 1"),
            (
                "outbox.max_attempts",
                o.max_attempts >= 1,
                "must be at least 1",
            ),
            (
                "outbox.lease_seconds",
                o.lease_seconds > i64::try_from(o.timeout_seconds).unwrap_or(i64::MAX),
                "must be longer than outbox.timeout_seconds",
            ),
            (
                "outbox.backoff_base_seconds",
                o.backoff_base_seconds >= 1,
                "must be at least 1",
            ),
            (
                "outbox.backoff_max_seconds",
                o.backoff_max_seconds >= o.backoff_base_seconds,
                "must be at least outbox.backoff_base_seconds",
            ),
        ];
        if let Some((key, _, why)) = checks.iter().find(|(_, ok, _)| !ok) {
            return Err(ConfigError::Invalid {
                key: (*key).to_owned(),
                reason: (*why).to_owned(),
            });
        }
        if let Some(topic) = o.targets.keys().find(|t| t.trim().is_empty()) {
            return Err(ConfigError::Invalid {
                key: format!("outbox.targets.{topic:?}"),
                reason: "the topic is empty".to_owned(),
            });
        }
        if let Some(from) = &self.mail.from
            && !from.contains('@')
        {
            return Err(ConfigError::Invalid {
                key: "mail.from".to_owned(),
                reason: format!("{from:?} is not an e-mail address"),
            });
        }
        let np = &self.national_portal;
        if np.url.is_some() {
            for (key, missing) in [
                ("national_portal.username", np.username.is_none()),
                ("national_portal.password", np.password.is_none()),
                ("national_portal.agency", np.agency.is_none()),
            ] {
                if missing {
                    return Err(ConfigError::Invalid {
                        key: key.to_owned(),
                        reason: "is needed when national_portal.url is set".to_owned(),
                    });
                }
            }
            if o.targets
                .contains_key(motcua_app::outbox::NATIONAL_PORTAL_SYNC)
            {
                return Err(ConfigError::Invalid {
                    key: "outbox.targets.\"national_portal.sync\"".to_owned(),
                    reason: "the national portal's adapter takes these messages when national_portal.url is set; remove one".to_owned(),
                });
            }
        }
        if let Some(agency) = &np.agency
            && motcua_domain::UnitCode::parse(agency).is_err()
        {
            return Err(ConfigError::Invalid {
                key: "national_portal.agency".to_owned(),
                reason: format!("{agency:?} is not a unit code such as 000.00.00.H57"),
            });
        }
        if self.mail.url.is_some() && self.mail.from.is_none() {
            return Err(ConfigError::Invalid {
                key: "mail.from".to_owned(),
                reason: "is needed when mail.url is set".to_owned(),
            });
        }
        Ok(())
    }

    /// The outside systems of `spec/integrations.md`, each with whether it is on.
    pub fn systems(&self) -> [(&'static str, SystemStatus); 9] {
        [
            (
                "national_portal",
                self.national_portal
                    .url
                    .as_ref()
                    .map_or(SystemStatus::Off, |u| SystemStatus::On(u.to_string())),
            ),
            ("payment", self.payment.url.as_ref().into()),
            ("eid", self.eid.url.as_ref().into()),
            ("data_store", self.data_store.url.as_ref().into()),
            ("signing", self.signing.url.as_ref().into()),
            ("mail", self.mail.url.as_ref().into()),
            ("sms", self.sms.url.as_ref().into()),
            ("zalo", self.zalo.url.as_ref().into()),
            ("reports", self.reports.url.as_ref().into()),
        ]
    }

    /// The server's HTTP settings; `https` is decided from the listen address and the
    /// public URL (see `serve_cmd::over_https`).
    pub fn web_config(&self, https: bool) -> motcua_web::Config {
        let s = &self.server;
        motcua_web::Config {
            secure_cookies: https,
            hsts: https,
            session_hours: s.session_hours,
            files_dir: self.files.dir.clone(),
            max_file_bytes: self.files.max_file_mb.saturating_mul(1024 * 1024),
            login: self.login.limits(),
            limits: self.dossiers.limits(),
            max_extensions: self.dossiers.max_extensions,
            body_limit_bytes: s.body_limit_bytes,
            header_read_timeout: std::time::Duration::from_secs(s.header_timeout_seconds),
            body_read_timeout: std::time::Duration::from_secs(s.body_timeout_seconds),
            idle_timeout: std::time::Duration::from_secs(s.idle_timeout_seconds),
            max_connections: s.max_connections,
            ops_token: self.ops.token.as_ref().map(|t| t.expose().to_owned()),
            connected: self
                .national_portal
                .url
                .iter()
                .map(|_| motcua_domain::dossier::outside::System::NationalPortal)
                .collect(),
        }
    }

    pub fn worker_config(
        &self,
        app: &motcua_app::App,
    ) -> Result<motcua_integrations::WorkerConfig, reqwest::Error> {
        let o = &self.outbox;
        let timeout = std::time::Duration::from_secs(o.timeout_seconds);
        let mut config = motcua_integrations::WorkerConfig {
            batch: o.batch,
            lease: chrono::Duration::seconds(o.lease_seconds),
            backoff: motcua_integrations::Backoff {
                base: chrono::Duration::seconds(o.backoff_base_seconds),
                max: chrono::Duration::seconds(o.backoff_max_seconds),
            },
            max_attempts: i64::from(o.max_attempts),
            idle: std::time::Duration::from_millis(o.idle_millis),
            ..Default::default()
        }
        .with_webhooks(
            o.targets.iter().map(|(t, u)| (t.clone(), u.url().clone())),
            timeout,
        )?;
        if let Some(portal) = self.portal_config(timeout) {
            let adapter =
                motcua_integrations::national_portal::NationalPortal::new(app.clone(), portal)?;
            config.destinations.insert(
                motcua_app::outbox::NATIONAL_PORTAL_SYNC.to_owned(),
                std::sync::Arc::new(adapter),
            );
        }
        Ok(config)
    }

    /// The national portal adapter's settings, when `[national_portal]` is complete
    /// (`validate` refuses a url without the rest).
    pub fn portal_config(
        &self,
        timeout: std::time::Duration,
    ) -> Option<motcua_integrations::national_portal::PortalConfig> {
        let np = &self.national_portal;
        Some(motcua_integrations::national_portal::PortalConfig {
            url: np.url.as_ref()?.url().clone(),
            auth_path: np.auth_path.clone(),
            service_path: np.service_path.clone(),
            username: np.username.clone()?,
            password: np.password.as_ref()?.expose().to_owned(),
            agency: np.agency.clone()?,
            timeout,
        })
    }
}

fn s_range(v: u64, min: u64, max: u64) -> bool {
    (min..=max).contains(&v)
}

#[cfg(test)]
mod tests;
