//! Injected faults, shared by every sandbox: a gateway that is down for a while after it
//! starts, a share of requests that fail, and latency on every answer.
//!
//! Adapters must survive all three (retry with backoff, never lose or repeat a message),
//! and tests need them to happen on cue, hence a seed that makes the failures repeatable.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use rand::{Rng, SeedableRng, rngs::StdRng};

/// A fault that answers a request before the sandbox looks at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Still inside `down_for`: the gateway is down.
    Down,
    /// Drawn by `fail_rate`: the gateway failed this one.
    Fail,
}

impl Fault {
    pub fn status(self) -> StatusCode {
        match self {
            Fault::Down => StatusCode::SERVICE_UNAVAILABLE,
            Fault::Fail => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Plain text, not JSON: a gateway in trouble answers from its proxy, not from the
    /// service, and an adapter must not mistake such a page for an `error_code`.
    pub fn body(self) -> &'static str {
        match self {
            Fault::Down => "sandbox: gateway down (injected fault, --down-for)\n",
            Fault::Fail => "sandbox: gateway error (injected fault, --fail-rate)\n",
        }
    }
}

/// A fail rate outside 0..=1 is a mistake of whoever started the sandbox.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FaultError {
    #[error("the fail rate must be between 0 and 1, got {0}")]
    FailRate(f64),
}

pub fn check_fail_rate(rate: f64) -> Result<(), FaultError> {
    if (0.0..=1.0).contains(&rate) {
        Ok(())
    } else {
        Err(FaultError::FailRate(rate))
    }
}

/// The fault schedule of one running sandbox. Callers draw under the sandbox's lock, so
/// that with a seed the n-th request gets the same fate on every run.
#[derive(Debug)]
pub struct Faults {
    fail_rate: f64,
    latency: Duration,
    down_until: Instant,
    rng: StdRng,
}

impl Faults {
    pub fn new(
        fail_rate: f64,
        latency: Duration,
        down_for: Duration,
        seed: Option<u64>,
        started: Instant,
    ) -> Self {
        let rng = match seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_entropy(),
        };
        Faults {
            fail_rate,
            latency,
            // A duration too large to add means "down for as long as it runs".
            down_until: started.checked_add(down_for).unwrap_or(far_future(started)),
            rng,
        }
    }

    /// The fault for a request arriving at `now`, if any. No draw is made while the gateway
    /// is down, so the seeded sequence of failures starts when it comes up.
    pub fn draw(&mut self, now: Instant) -> Option<Fault> {
        if now < self.down_until {
            return Some(Fault::Down);
        }
        // A comparison rather than `gen_bool`, which panics outside 0..=1: an unchecked
        // rate above 1 fails everything and NaN fails nothing.
        if self.fail_rate > 0.0 && self.rng.gen_range(0.0..1.0) < self.fail_rate {
            return Some(Fault::Fail);
        }
        None
    }

    pub fn latency(&self) -> Duration {
        self.latency
    }
}

fn far_future(from: Instant) -> Instant {
    // About 30 years; `Instant` has no maximum to name.
    const THIRTY_YEARS: Duration = Duration::from_secs(30 * 365 * 24 * 3600);
    from.checked_add(THIRTY_YEARS).unwrap_or(from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faults(rate: f64, down_for: Duration, seed: u64, at: Instant) -> Faults {
        Faults::new(rate, Duration::ZERO, down_for, Some(seed), at)
    }

    #[test]
    fn down_then_up() {
        let t0 = Instant::now();
        let mut f = faults(0.0, Duration::from_secs(5), 1, t0);
        assert_eq!(f.draw(t0), Some(Fault::Down));
        assert_eq!(f.draw(t0 + Duration::from_millis(4999)), Some(Fault::Down));
        assert_eq!(f.draw(t0 + Duration::from_secs(5)), None);
    }

    #[test]
    fn a_seed_repeats_the_same_failures_at_about_the_rate() {
        let t0 = Instant::now();
        let run = |seed| {
            let mut f = faults(0.3, Duration::ZERO, seed, t0);
            (0..1000).map(|_| f.draw(t0).is_some()).collect::<Vec<_>>()
        };
        let a = run(7);
        assert_eq!(a, run(7));
        assert_ne!(a, run(8));
        let failed = a.iter().filter(|x| **x).count();
        assert!((220..380).contains(&failed), "{failed} of 1000 at 0.3");
    }

    #[test]
    fn rates_at_and_beyond_the_ends_do_not_panic() {
        let t0 = Instant::now();
        for (rate, fails) in [(0.0, false), (1.0, true), (2.0, true), (f64::NAN, false)] {
            let mut f = faults(rate, Duration::ZERO, 3, t0);
            assert!(
                (0..100).all(|_| f.draw(t0).is_some() == fails),
                "rate {rate}"
            );
        }
    }

    #[test]
    fn fail_rate_check() {
        assert!(check_fail_rate(0.0).is_ok());
        assert!(check_fail_rate(1.0).is_ok());
        assert_eq!(check_fail_rate(1.5), Err(FaultError::FailRate(1.5)));
        assert!(check_fail_rate(-0.1).is_err());
        assert!(check_fail_rate(f64::NAN).is_err());
    }

    #[test]
    fn a_huge_down_for_does_not_overflow() {
        let t0 = Instant::now();
        let mut f = faults(0.0, Duration::MAX, 1, t0);
        assert_eq!(f.draw(t0 + Duration::from_secs(3600)), Some(Fault::Down));
    }
}
