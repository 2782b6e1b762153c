//! Login attempts are limited per (client address, user name) and per client address, so
//! that guessing passwords is slow without letting one attacker lock a real user out from
//! everywhere; and password checks are few at a time, so that guessing cannot exhaust memory.
//!
//! Attempts are counted in the database *before* the password is checked (see
//! `motcua_store::throttle`): every parallel guess takes a number, and only the first
//! `per_user` of a window reach the password check. The count is shared by every server
//! process on the same database.
//!
//! Each Argon2 check takes about 19 MiB and a core for a while; at most `password_checks`
//! run at once, the others wait in line for at most `password_wait` and are then turned
//! away with 503, which a client retries after `Retry-After`.

use crate::{App, AppError};
use motcua_store::Store;
use motcua_store::accounts::Account;
use std::net::IpAddr;
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

/// The limits, from the server's settings.
#[derive(Debug, Clone)]
pub struct LoginLimits {
    pub window: Duration,
    /// Attempts for one user name from one address in a window.
    pub per_user: i64,
    /// Failed attempts from one address in a window, whatever the user names.
    pub per_address: i64,
    /// Password checks running at once.
    pub password_checks: usize,
    /// How long a login waits for a free check before being turned away.
    pub password_wait: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            window: Duration::from_secs(15 * 60),
            per_user: 5,
            per_address: 30,
            password_checks: 2,
            password_wait: Duration::from_secs(10),
        }
    }
}

pub struct LoginGuard {
    limits: LoginLimits,
    checks: Semaphore,
}

/// An attempt that was counted and may check a password; give it to [`LoginGuard::settle`].
pub struct Admitted<'a> {
    user_key: String,
    address_key: String,
    _permit: SemaphorePermit<'a>,
}

impl LoginGuard {
    pub fn new(limits: LoginLimits) -> Self {
        let checks = Semaphore::new(limits.password_checks.max(1));
        Self { limits, checks }
    }

    fn keys(ip: IpAddr, username: &str) -> (String, String) {
        (
            format!("login|{ip}|{}", username.trim().to_lowercase()),
            format!("login|{ip}"),
        )
    }

    /// Counts the attempt and waits for a free password check; `rate_limited` (429) when a
    /// limit is reached, `login_busy` (503) when no check came free in time.
    pub async fn admit(
        &self,
        store: &Store,
        ip: IpAddr,
        username: &str,
    ) -> Result<Admitted<'_>, AppError> {
        let (user_key, address_key) = Self::keys(ip, username);
        let now = chrono::Utc::now();
        let window = chrono::Duration::from_std(self.limits.window)
            .unwrap_or_else(|_| chrono::Duration::minutes(15));
        for (key, limit) in [
            (&user_key, self.limits.per_user),
            (&address_key, self.limits.per_address),
        ] {
            let a = store.count_attempt(key, window, now).await?;
            if a.count > limit {
                let wait = (a.window_ends - now).num_seconds().max(1);
                return Err(AppError::RateLimited {
                    retry_after: wait.unsigned_abs(),
                });
            }
        }
        let permit = tokio::time::timeout(self.limits.password_wait, self.checks.acquire())
            .await
            .ok()
            .and_then(Result::ok)
            .ok_or(AppError::LoginBusy)?;
        Ok(Admitted {
            user_key,
            address_key,
            _permit: permit,
        })
    }

    /// After the password check: a success forgets this user name's attempts and gives
    /// back its attempt on the address; a failure leaves both counted.
    pub async fn settle(
        &self,
        store: &Store,
        admitted: Admitted<'_>,
        succeeded: bool,
    ) -> Result<(), AppError> {
        if succeeded {
            store.clear_attempts(&admitted.user_key).await?;
            store.refund_attempt(&admitted.address_key).await?;
        }
        Ok(())
    }
}

/// Counts the attempt, checks the password when the limits allow, opens a session for
/// the configured hours: the account and the session's secret.
pub async fn log_in(
    app: &App,
    ip: IpAddr,
    username: &str,
    password: &str,
) -> Result<(Account, String), AppError> {
    let account = check_password(app, ip, username, password).await?;
    let secret = app
        .store
        .create_session(
            &account.id,
            chrono::Duration::hours(app.settings.session_hours),
        )
        .await?;
    Ok((account, secret))
}

/// The limits, then the password: the account, or `InvalidCredentials` without saying
/// which part was wrong.
pub async fn check_password(
    app: &App,
    ip: IpAddr,
    username: &str,
    password: &str,
) -> Result<Account, AppError> {
    let admitted = app.login.admit(&app.store, ip, username).await?;
    let checked = app.store.check_login(username, password).await;
    let found = matches!(checked, Ok(Some(_)));
    app.login.settle(&app.store, admitted, found).await?;
    checked?.ok_or(AppError::InvalidCredentials)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use motcua_store::testing::TestDb;

    fn limits(checks: usize, wait_ms: u64) -> LoginLimits {
        LoginLimits {
            password_checks: checks,
            password_wait: Duration::from_millis(wait_ms),
            ..LoginLimits::default()
        }
    }

    #[tokio::test]
    async fn the_sixth_attempt_waits_and_another_user_does_not() {
        let db = TestDb::new().await.unwrap();
        let g = LoginGuard::new(limits(2, 1000));
        let ip: IpAddr = [127, 0, 0, 1].into();
        for _ in 0..5 {
            let a = g.admit(&db.store, ip, "a").await.unwrap();
            g.settle(&db.store, a, false).await.unwrap();
        }
        let Err(e) = g.admit(&db.store, ip, "A ").await else {
            panic!("a sixth attempt was admitted");
        };
        let AppError::RateLimited { retry_after: wait } = e else {
            panic!("{e:?}");
        };
        assert!(wait > 800 && wait <= 900, "{wait}");
        // Another user from the same address is not blocked yet.
        let a = g.admit(&db.store, ip, "b").await.unwrap();
        // Its success gives its attempts back.
        g.settle(&db.store, a, true).await.unwrap();
        for _ in 0..5 {
            let a = g.admit(&db.store, ip, "b").await.unwrap();
            g.settle(&db.store, a, true).await.unwrap();
        }
    }

    #[tokio::test]
    async fn checks_beyond_the_limit_wait_then_are_turned_away() {
        let db = TestDb::new().await.unwrap();
        let g = LoginGuard::new(limits(1, 50));
        let held = g.admit(&db.store, [10, 0, 0, 1].into(), "x").await.unwrap();
        let Err(e) = g.admit(&db.store, [10, 0, 0, 2].into(), "y").await else {
            panic!("a second check ran while the only one was held");
        };
        assert!(matches!(e, AppError::LoginBusy), "{e:?}");
        drop(held);
        assert!(g.admit(&db.store, [10, 0, 0, 2].into(), "y").await.is_ok());
    }
}
