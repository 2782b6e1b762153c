//! Wrong (code, secret) pairs at the public lookup are limited per client address, so that
//! guessing a receipt's secret is slow. A right pair does not clear the count: otherwise
//! one known receipt would let its holder guess on without end.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(15 * 60);
const PER_ADDRESS: usize = 20;
/// Past this many addresses, those with no failure left in the window are forgotten.
const PRUNE_AT: usize = 100_000;

/// Whom a try is counted against: the IPv4 address, or the IPv6 /64 (one subscriber's
/// network, which hands out addresses by the billion).
fn client(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
        v4 => v4,
    }
}

#[derive(Default)]
pub struct LookupLimiter {
    failures: Mutex<HashMap<IpAddr, Vec<Instant>>>,
}

impl LookupLimiter {
    /// `Err(seconds)` to wait when the address has used up its wrong tries.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let Some(v) = map.get_mut(&client(ip)) else {
            return Ok(());
        };
        v.retain(|t| now.duration_since(*t) < WINDOW);
        if v.len() < PER_ADDRESS {
            return Ok(());
        }
        let oldest = v.iter().min().copied().unwrap_or(now);
        Err(WINDOW
            .saturating_sub(now.duration_since(oldest))
            .as_secs()
            .max(1))
    }

    pub fn fail(&self, ip: IpAddr, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > PRUNE_AT {
            map.retain(|_, v| v.iter().any(|t| now.duration_since(*t) < WINDOW));
        }
        let v = map.entry(client(ip)).or_default();
        v.push(now);
        // Only the newest PER_ADDRESS matter for the decision.
        if v.len() > PER_ADDRESS {
            let extra = v.len() - PER_ADDRESS;
            v.drain(..extra);
        }
    }
}

impl crate::AppState {
    /// The dossier with this code and receipt secret, `None` for a wrong pair (counted
    /// against `ip`), or `rate_limited` once `ip` has used up its wrong tries.
    pub(crate) async fn lookup_dossier(
        &self,
        ip: IpAddr,
        code: &str,
        secret: &str,
    ) -> Result<Option<motcua_domain::dossier::Dossier>, crate::error::ApiError> {
        let now = Instant::now();
        self.lookup_limiter
            .check(ip, now)
            .map_err(crate::error::ApiError::rate_limited)?;
        let hash = motcua_app::dossiers::secret_hash(secret);
        match self.app.store.dossier_by_code(code, &hash).await {
            Ok(d) => Ok(Some(d)),
            Err(motcua_store::StoreError::NotFound) => {
                self.lookup_limiter.fail(ip, now);
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_wrong_pairs_then_wait_per_address() {
        let l = LookupLimiter::default();
        let ip: IpAddr = [203, 0, 113, 7].into();
        let other: IpAddr = [203, 0, 113, 8].into();
        let t0 = Instant::now();
        for i in 0..PER_ADDRESS {
            assert!(l.check(ip, t0).is_ok(), "try {i}");
            l.fail(ip, t0);
        }
        let wait = l.check(ip, t0 + Duration::from_secs(60)).unwrap_err();
        assert_eq!(wait, 14 * 60);
        assert!(l.check(other, t0).is_ok());
        assert!(l.check(ip, t0 + WINDOW).is_ok());
        // Failures beyond the limit keep only the newest, so the wait is from those.
        for _ in 0..PER_ADDRESS + 5 {
            l.fail(ip, t0 + WINDOW);
        }
        assert_eq!(l.failures.lock().unwrap()[&ip].len(), PER_ADDRESS);
    }

    #[test]
    fn an_ipv6_network_counts_as_one_client() {
        let l = LookupLimiter::default();
        let t0 = Instant::now();
        for i in 0..PER_ADDRESS {
            let ip: IpAddr = format!("2001:db8:1:2::{i:x}").parse().unwrap();
            l.fail(ip, t0);
        }
        let next: IpAddr = "2001:db8:1:2:ffff::1".parse().unwrap();
        assert!(l.check(next, t0).is_err());
        let elsewhere: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(l.check(elsewhere, t0).is_ok());
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap();
        assert_eq!(client(mapped), IpAddr::from([203, 0, 113, 7]));
    }
}
