//! The outside systems of `spec/integrations.md`. The national portal has its adapter
//! (`motcua_integrations::national_portal`); the others' settings are read and checked so
//! that a deployment can be prepared, and `config check` says plainly that nothing is sent
//! to them.

use super::values::{Secret, SmtpUrl, WebUrl};
use serde::{Deserialize, Serialize};

/// A system reached at a base address with a bearer credential: the national portal
/// (DVCQG sync), the national data store, the remote signing service, the reporting
/// platform.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Linked {
    pub url: Option<WebUrl>,
    pub token: Option<Secret>,
}

/// The national portal's sync gateway (`docs/national-portal.md`): its base address, the
/// account the portal issued to the province, and the province's unit code there.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NationalPortal {
    pub url: Option<WebUrl>,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// `madonvi`: the province's unit code (e.g. `000.00.00.H57`).
    pub agency: Option<String>,
    /// The login call, below `url`.
    pub auth_path: String,
    /// Every service call, below `url`.
    pub service_path: String,
}

impl Default for NationalPortal {
    fn default() -> Self {
        Self {
            url: None,
            username: None,
            password: None,
            agency: None,
            auth_path: "/login".to_owned(),
            service_path: "/service".to_owned(),
        }
    }
}

/// The national payment platform: the partner code (`MaDoiTac`) and the secret its
/// `MaXacThuc` checksums are made with.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Payment {
    pub url: Option<WebUrl>,
    pub partner_code: Option<String>,
    pub secret: Option<Secret>,
}

/// VNeID / national-portal login (OpenID Connect): the issuer and this system's client.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Eid {
    pub url: Option<WebUrl>,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
}

/// Outgoing mail: `smtp://host:port` and the sender.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Mail {
    pub url: Option<SmtpUrl>,
    pub from: Option<String>,
    pub username: Option<String>,
    pub password: Option<Secret>,
}

/// An SMS gateway with the agency's brand name.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Sms {
    pub url: Option<WebUrl>,
    pub brandname: Option<String>,
    pub username: Option<String>,
    pub password: Option<Secret>,
}

/// Zalo ZNS template messages: the app and its secret (the access-token pair rotates and
/// is kept by the adapter, not here).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Zalo {
    pub url: Option<WebUrl>,
    pub app_id: Option<String>,
    pub app_secret: Option<Secret>,
}

/// Whether a system is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemStatus {
    /// No `url`: the system is not used.
    Off,
    /// Its adapter sends to this address.
    On(String),
    /// A `url` is set, but this version has no adapter: nothing is sent to it.
    NoAdapter(String),
}

impl<T: std::fmt::Display> From<Option<&T>> for SystemStatus {
    fn from(url: Option<&T>) -> Self {
        url.map_or(Self::Off, |u| Self::NoAdapter(u.to_string()))
    }
}

impl std::fmt::Display for SystemStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Off => f.write_str("off (no url)"),
            Self::On(url) => write!(f, "on: {url}"),
            Self::NoAdapter(url) => write!(
                f,
                "url set ({url}), but this version has no adapter for it: nothing is sent"
            ),
        }
    }
}
