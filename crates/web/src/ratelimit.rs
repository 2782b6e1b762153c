//! Login failures are limited per (client address, user name) and per client address, so
//! that guessing passwords is slow without letting one attacker lock a real user out from
//! everywhere.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(15 * 60);
const PER_USER: usize = 5;
const PER_ADDRESS: usize = 30;

#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginLimiter {
    fn keys(ip: IpAddr, username: &str) -> [(String, usize); 2] {
        [
            (format!("{ip}|{}", username.trim().to_lowercase()), PER_USER),
            (ip.to_string(), PER_ADDRESS),
        ]
    }

    /// `Err(seconds)` to wait when the limit is reached.
    pub fn check(&self, ip: IpAddr, username: &str, now: Instant) -> Result<(), u64> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for (key, limit) in Self::keys(ip, username) {
            if let Some(v) = map.get_mut(&key) {
                v.retain(|t| now.duration_since(*t) < WINDOW);
                if v.len() >= limit {
                    let oldest = v.iter().min().copied().unwrap_or(now);
                    let wait = WINDOW.saturating_sub(now.duration_since(oldest));
                    return Err(wait.as_secs().max(1));
                }
            }
        }
        Ok(())
    }

    pub fn fail(&self, ip: IpAddr, username: &str, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, v| v.iter().any(|t| now.duration_since(*t) < WINDOW));
        }
        for (key, _) in Self::keys(ip, username) {
            map.entry(key).or_default().push(now);
        }
    }

    pub fn succeed(&self, ip: IpAddr, username: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&Self::keys(ip, username)[0].0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_then_wait() {
        let l = LoginLimiter::default();
        let ip: IpAddr = [127, 0, 0, 1].into();
        let t0 = Instant::now();
        for _ in 0..PER_USER {
            assert!(l.check(ip, "a", t0).is_ok());
            l.fail(ip, "a", t0);
        }
        let wait = l.check(ip, "A ", t0).unwrap_err();
        assert!(wait > 800 && wait <= 900, "{wait}");
        // Another user from the same address is not blocked yet.
        assert!(l.check(ip, "b", t0).is_ok());
        // After the window the user may try again.
        assert!(
            l.check(ip, "a", t0 + WINDOW + Duration::from_secs(1))
                .is_ok()
        );
    }
}
