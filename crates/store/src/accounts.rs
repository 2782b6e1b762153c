//! Accounts, roles held in units, browser sessions and API tokens.
//!
//! Passwords are Argon2id hashes. Session ids and API tokens are random secrets handed to
//! the client once; only their SHA-256 is stored, so a leaked database opens no session.

use crate::audit::{self, AuditEntry};
use crate::{Result, Store, StoreError, to_micros};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, SaltString};
use motcua_domain::UnitCode;
use motcua_domain::access::{Actor, Grant, Role};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// id, name, created, expires, revoked (instants in microseconds).
type TokenRow = (
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

#[derive(Debug, Clone, serde::Serialize)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub locked: bool,
    pub grants: Vec<Grant>,
}

impl Account {
    pub fn actor(&self) -> Actor {
        Actor {
            account_id: self.id.clone(),
            grants: self.grants.clone(),
        }
    }
}

/// A session as the web layer needs it.
#[derive(Debug, Clone)]
pub struct Session {
    pub account: Account,
    pub csrf_token: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked: bool,
    /// What the token may do; `None` for tokens issued before scopes existed, which act
    /// with every role of their account.
    pub scope: Option<TokenScope>,
}

/// What an API token may do: some of its account's grants, and whether it may change
/// anything at all.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TokenScope {
    pub grants: Vec<Grant>,
    #[serde(default)]
    pub read_only: bool,
}

/// The account a live token acts as, with the grants its scope leaves it.
#[derive(Debug, Clone)]
pub struct TokenAccount {
    pub account: Account,
    pub read_only: bool,
}

/// A fresh random secret, URL-safe.
pub fn new_secret() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Invalid(format!("password hashing failed: {e}")))
}

/// The argon2 crate's own check, the reference the password workers are tested against.
#[cfg(test)]
pub(crate) fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the user does not exist, so that a wrong user name takes
/// as long as a wrong password and does not reveal which accounts exist.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Minimum password rules: long enough, not the user name.
pub fn check_password_policy(username: &str, password: &str) -> Result<()> {
    if password.chars().count() < 10 {
        return Err(StoreError::Invalid(
            "password must have at least 10 characters".into(),
        ));
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(StoreError::Invalid(
            "password must differ from the user name".into(),
        ));
    }
    Ok(())
}

pub fn check_username(username: &str) -> Result<()> {
    let ok = (3..=64).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(
            "user name: 3–64 characters of a–z, 0–9, '.', '_' or '-'".into(),
        ))
    }
}

type AccountRow = (String, String, String, i64);

fn grant_from(role: &str, unit: &str, with_sub_units: i64) -> Result<Grant> {
    Ok(Grant {
        role: Role::parse(role).ok_or_else(|| StoreError::Corrupt(format!("grant role {role}")))?,
        unit: UnitCode::parse(unit)
            .map_err(|_| StoreError::Corrupt(format!("grant unit {unit}")))?,
        with_sub_units: with_sub_units != 0,
    })
}

/// An account row joined with its grants (none: one row of NULL grant columns).
type AccountGrantRow = (
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// [`AccountGrantRow`] and the session's CSRF token.
type SessionRow = (
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<i64>,
    String,
);

/// Every request carries a session or a token: its account and grants come back in one
/// round trip instead of three.
const ACCOUNT_WITH_GRANTS: &str = "SELECT a.id, a.username, a.display_name, a.locked, \
     g.role, g.unit, g.with_sub_units FROM accounts a LEFT JOIN grants g ON g.account_id = a.id";

fn account_from_rows(rows: Vec<AccountGrantRow>) -> Result<Option<Account>> {
    let mut rows = rows.into_iter().peekable();
    let Some((id, username, display_name, locked, ..)) = rows.peek().cloned() else {
        return Ok(None);
    };
    let grants = rows
        .filter_map(|(.., role, unit, sub)| Some((role?, unit?, sub.unwrap_or(0))))
        .map(|(role, unit, sub)| grant_from(&role, &unit, sub))
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(Account {
        id,
        username,
        display_name,
        locked: locked != 0,
        grants,
    }))
}

impl Store {
    async fn grants_of(&self, account_id: &str) -> Result<Vec<Grant>> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT role, unit, with_sub_units FROM grants WHERE account_id = $1 ORDER BY role, unit",
        )
        .bind(account_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(role, unit, with_sub_units)| grant_from(&role, &unit, with_sub_units))
            .collect()
    }

    async fn account_from(&self, row: AccountRow) -> Result<Account> {
        let (id, username, display_name, locked) = row;
        let grants = self.grants_of(&id).await?;
        Ok(Account {
            id,
            username,
            display_name,
            locked: locked != 0,
            grants,
        })
    }

    /// Creates an account with its grants, in one transaction.
    pub async fn create_account(
        &self,
        username: &str,
        display_name: &str,
        password: &str,
        grants: &[Grant],
        actor: Option<&str>,
    ) -> Result<Account> {
        let username = username.trim().to_lowercase();
        check_username(&username)?;
        check_password_policy(&username, password)?;
        let hash = hash_password(password)?;
        let id = uuid::Uuid::now_v7().to_string();
        let display_name = motcua_domain::text::nfc(display_name);
        let mut tx = self.pool().begin().await?;
        let exists: Option<(String,)> =
            sqlx::query_as("SELECT id FROM accounts WHERE username = $1")
                .bind(&username)
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_some() {
            return Err(StoreError::Conflict(format!(
                "user name {username} is taken"
            )));
        }
        sqlx::query("INSERT INTO accounts (id, username, display_name, password_hash, locked, created_at_us) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&id)
            .bind(&username)
            .bind(&display_name)
            .bind(&hash)
            .bind(0_i64)
            .bind(to_micros(chrono::Utc::now()))
            .execute(&mut *tx)
            .await?;
        for g in grants {
            sqlx::query("INSERT INTO grants (account_id, role, unit, with_sub_units) VALUES ($1, $2, $3, $4)")
                .bind(&id)
                .bind(g.role.as_str())
                .bind(g.unit.as_str())
                .bind(i64::from(g.with_sub_units))
                .execute(&mut *tx)
                .await?;
        }
        audit::append(
            &mut tx,
            AuditEntry {
                actor,
                action: "account.create",
                target: &id,
                detail: serde_json::json!({"username": username, "grants": grants}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Account {
            id,
            username,
            display_name,
            locked: false,
            grants: grants.to_vec(),
        })
    }

    pub async fn account(&self, id: &str) -> Result<Account> {
        let row: Option<AccountRow> =
            sqlx::query_as("SELECT id, username, display_name, locked FROM accounts WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        self.account_from(row.ok_or(StoreError::NotFound)?).await
    }

    /// The id of the account with this user name.
    pub async fn account_by_username(&self, username: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT id FROM accounts WHERE username = $1")
            .bind(username.trim().to_lowercase())
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.0))
    }

    pub async fn account_count(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM accounts")
            .fetch_one(self.pool())
            .await?;
        Ok(n)
    }

    /// Checks a user name and password. `None` for any failure, without saying which part
    /// was wrong; locked accounts never log in.
    pub async fn check_login(&self, username: &str, password: &str) -> Result<Option<Account>> {
        let row: Option<(String, String, String, i64, Option<String>)> = sqlx::query_as(
            "SELECT id, username, display_name, locked, password_hash FROM accounts WHERE username = $1",
        )
        .bind(username.trim().to_lowercase())
        .fetch_optional(self.pool())
        .await?;
        let (known, hash) = match row {
            Some((id, username, display_name, locked, Some(hash))) => {
                (Some((id, username, display_name, locked)), hash)
            }
            _ => (None, String::new()),
        };
        let password = password.to_owned();
        // Argon2 is deliberately slow; it runs on the password workers, for the dummy check
        // of an unknown user name as for a real one (the review measured health checks at
        // 432 ms while dummy checks ran on the request threads).
        let ok = if hash.is_empty() {
            let dummy = match DUMMY_HASH.get() {
                Some(h) => h.clone(),
                None => {
                    let h = tokio::task::spawn_blocking(|| hash_password("not-a-real-password"))
                        .await
                        .unwrap_or_else(|_| Ok(String::new()))?;
                    DUMMY_HASH.get_or_init(|| h).clone()
                }
            };
            let _ = crate::passwords::verify(password, dummy).await;
            false
        } else {
            crate::passwords::verify(password, hash).await
        };
        let Some((id, username, display_name, locked)) = known else {
            return Ok(None);
        };
        if !ok || locked != 0 {
            return Ok(None);
        }
        Ok(Some(
            self.account_from((id, username, display_name, locked))
                .await?,
        ))
    }

    /// Opens a session; returns the secret for the cookie.
    pub async fn create_session(&self, account_id: &str, ttl: chrono::Duration) -> Result<String> {
        let secret = new_secret();
        let now = chrono::Utc::now();
        sqlx::query("INSERT INTO sessions (id_hash, account_id, csrf_token, created_at_us, expires_at_us, revoked) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(digest(&secret))
            .bind(account_id)
            .bind(new_secret())
            .bind(to_micros(now))
            .bind(to_micros(now + ttl))
            .bind(0_i64)
            .execute(self.pool())
            .await?;
        Ok(secret)
    }

    /// The live session for a cookie secret, if any.
    pub async fn session(&self, secret: &str) -> Result<Option<Session>> {
        let rows: Vec<SessionRow> =
            sqlx::query_as(&format!(
                "{} JOIN sessions s ON s.account_id = a.id \
                 WHERE s.id_hash = $1 AND s.revoked = $2 AND s.expires_at_us > $3 ORDER BY g.role, g.unit",
                ACCOUNT_WITH_GRANTS.replacen(" FROM", ", s.csrf_token FROM", 1)
            ))
            .bind(digest(secret))
            .bind(0_i64)
            .bind(to_micros(chrono::Utc::now()))
            .fetch_all(self.pool())
            .await?;
        let csrf_token = rows.first().map(|r| r.7.clone());
        let account = account_from_rows(
            rows.into_iter()
                .map(|(a, b, c, d, e, f, g, _)| (a, b, c, d, e, f, g))
                .collect(),
        )?;
        Ok(match (account, csrf_token) {
            (Some(account), Some(csrf_token)) if !account.locked => Some(Session {
                account,
                csrf_token,
            }),
            _ => None,
        })
    }

    pub async fn revoke_session(&self, secret: &str) -> Result<()> {
        sqlx::query("UPDATE sessions SET revoked = $1 WHERE id_hash = $2")
            .bind(1_i64)
            .bind(digest(secret))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Ends every session of an account (log out everywhere, or after locking it).
    pub async fn revoke_all_sessions(&self, account_id: &str) -> Result<u64> {
        Ok(
            sqlx::query("UPDATE sessions SET revoked = $1 WHERE account_id = $2")
                .bind(1_i64)
                .bind(account_id)
                .execute(self.pool())
                .await?
                .rows_affected(),
        )
    }

    /// Issues an API token for an integration acting as `account_id`. The secret is
    /// returned once and never stored.
    pub async fn create_token(
        &self,
        account_id: &str,
        name: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
        scope: &TokenScope,
    ) -> Result<(TokenInfo, String)> {
        let name = motcua_domain::text::nfc(name);
        if name.is_empty() {
            return Err(StoreError::Invalid("token name is empty".into()));
        }
        let secret = format!("mc_{}", new_secret());
        let id = uuid::Uuid::now_v7().to_string();
        let now = chrono::Utc::now();
        let mut tx = self.pool().begin().await?;
        let scope_json = serde_json::to_string(scope)
            .map_err(|e| StoreError::Invalid(format!("token scope: {e}")))?;
        sqlx::query("INSERT INTO api_tokens (id, account_id, name, token_hash, created_at_us, expires_at_us, revoked_at_us, scope) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)")
            .bind(&id)
            .bind(account_id)
            .bind(&name)
            .bind(digest(&secret))
            .bind(to_micros(now))
            .bind(to_micros(expires_at))
            .bind(&scope_json)
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            AuditEntry {
                actor: Some(account_id),
                action: "token.create",
                target: &id,
                detail: serde_json::json!({"name": name, "scope": scope, "expires_at_us": to_micros(expires_at)}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok((
            TokenInfo {
                id,
                name,
                created_at: now,
                expires_at: Some(expires_at),
                revoked: false,
                scope: Some(scope.clone()),
            },
            secret,
        ))
    }

    pub async fn tokens(&self, account_id: &str) -> Result<Vec<TokenInfo>> {
        let rows: Vec<TokenRow> = sqlx::query_as(
            "SELECT id, name, created_at_us, expires_at_us, revoked_at_us, scope FROM api_tokens WHERE account_id = $1 ORDER BY created_at_us, id",
        )
        .bind(account_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(id, name, c, e, r, scope)| {
                Ok(TokenInfo {
                    id,
                    name,
                    created_at: crate::from_micros(c),
                    expires_at: e.map(crate::from_micros),
                    revoked: r.is_some(),
                    scope: parse_scope(scope.as_deref())?,
                })
            })
            .collect()
    }

    /// Revokes one of the account's tokens.
    pub async fn revoke_token(&self, account_id: &str, token_id: &str) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let n = sqlx::query("UPDATE api_tokens SET revoked_at_us = $1 WHERE id = $2 AND account_id = $3 AND revoked_at_us IS NULL")
            .bind(to_micros(chrono::Utc::now()))
            .bind(token_id)
            .bind(account_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        audit::append(
            &mut tx,
            AuditEntry {
                actor: Some(account_id),
                action: "token.revoke",
                target: token_id,
                detail: serde_json::json!({}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The account a bearer token acts as, if the token is live, with the grants of its
    /// scope that the account still holds.
    pub async fn token_account(&self, secret: &str) -> Result<Option<TokenAccount>> {
        let live = "t.token_hash = $1 AND t.revoked_at_us IS NULL \
             AND (t.expires_at_us IS NULL OR t.expires_at_us > $2)";
        let now = to_micros(chrono::Utc::now());
        let scope: Option<(Option<String>,)> =
            sqlx::query_as(&format!("SELECT t.scope FROM api_tokens t WHERE {live}"))
                .bind(digest(secret))
                .bind(now)
                .fetch_optional(self.pool())
                .await?;
        let Some((scope,)) = scope else {
            return Ok(None);
        };
        let rows: Vec<AccountGrantRow> = sqlx::query_as(&format!(
            "{ACCOUNT_WITH_GRANTS} JOIN api_tokens t ON t.account_id = a.id \
             WHERE {live} ORDER BY g.role, g.unit"
        ))
        .bind(digest(secret))
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        let Some(mut account) = account_from_rows(rows)?.filter(|a| !a.locked) else {
            return Ok(None);
        };
        let read_only = match parse_scope(scope.as_deref())? {
            Some(scope) => {
                let tree = self.unit_tree().await?;
                account.grants =
                    motcua_domain::access::scoped(&account.grants, &scope.grants, &tree);
                scope.read_only
            }
            None => false,
        };
        Ok(Some(TokenAccount { account, read_only }))
    }
}

fn parse_scope(json: Option<&str>) -> Result<Option<TokenScope>> {
    json.map(|j| {
        serde_json::from_str(j).map_err(|e| StoreError::Corrupt(format!("token scope: {e}")))
    })
    .transpose()
}
