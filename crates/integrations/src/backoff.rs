//! How long to wait before trying a failed message again.

use chrono::Duration;
use rand::Rng;

/// Waits between attempts: `base`, doubled after each failure, at most `max`, with jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    /// 5 s doubling to an hour: the eleven waits between twelve attempts add up to at most
    /// about 2 h 25 min and, jittered, at least about 1 h 12 min, so a receiver down for
    /// an hour loses nothing (test: `twelve_attempts_outlast_an_hour_down`).
    fn default() -> Self {
        Self {
            base: Duration::seconds(5),
            max: Duration::hours(1),
        }
    }
}

impl Backoff {
    /// The longest wait after the `attempts`-th failed attempt (1 → `base`).
    pub fn ceiling(&self, attempts: i64) -> Duration {
        let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        self.base
            .checked_mul(1 << doublings)
            .map_or(self.max, |d| d.min(self.max))
    }

    /// The wait after the `attempts`-th failed attempt: between half the ceiling and the
    /// ceiling, at random, so that many messages failed by one outage do not all come
    /// back at the same instant.
    pub fn delay(&self, attempts: i64) -> Duration {
        let ceiling = self.ceiling(attempts).num_milliseconds().max(0);
        let half = ceiling / 2;
        Duration::milliseconds(half + rand::thread_rng().gen_range(0..=ceiling - half))
    }

    /// A wait the receiver asked for, kept within `[0, max]` so that a peer cannot park a
    /// message for longer than the backoff would.
    pub fn asked(&self, after: std::time::Duration) -> Duration {
        Duration::from_std(after).map_or(self.max, |d| d.clamp(Duration::zero(), self.max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_doubles_up_to_the_cap() {
        let b = Backoff {
            base: Duration::seconds(2),
            max: Duration::seconds(60),
        };
        let secs: Vec<i64> = (0..9).map(|a| b.ceiling(a).num_seconds()).collect();
        assert_eq!(secs, [2, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(b.ceiling(i64::MAX), Duration::seconds(60));
    }

    #[test]
    fn the_delay_is_jittered_between_half_the_ceiling_and_the_ceiling() {
        let b = Backoff {
            base: Duration::seconds(4),
            max: Duration::minutes(10),
        };
        let delays: Vec<Duration> = (0..200).map(|_| b.delay(3)).collect();
        assert!(
            delays
                .iter()
                .all(|d| *d >= Duration::seconds(8) && *d <= Duration::seconds(16))
        );
        let distinct: std::collections::HashSet<_> = delays.iter().collect();
        assert!(distinct.len() > 20, "jittered, not one value");
    }

    #[test]
    fn twelve_attempts_outlast_an_hour_down() {
        let b = Backoff::default();
        let least: i64 = (1..12).map(|a| b.ceiling(a).num_seconds() / 2).sum();
        let most: i64 = (1..12).map(|a| b.ceiling(a).num_seconds()).sum();
        assert!(least > 3600, "{least}");
        assert!(most < 3 * 3600, "{most}");
    }

    #[test]
    fn a_wait_asked_by_the_receiver_is_capped() {
        let b = Backoff::default();
        assert_eq!(
            b.asked(std::time::Duration::from_secs(7)),
            Duration::seconds(7)
        );
        assert_eq!(
            b.asked(std::time::Duration::from_secs(86_400 * 365)),
            Duration::hours(1)
        );
    }
}
