//! How long to wait before trying again, for everything in Taskbell that retries: the plugin
//! channel's reconnects, the Canvas HTTP client's 429/503 retries, the outbox, restarts of a
//! background task.
//!
//! Waits grow exponentially so that an outage is not hammered, and are jittered so that the
//! desktops of a clinic that all lost Canvas at once do not come back in step. A server that
//! says when to come back (`Retry-After`) is believed, within reason: a header is outside input,
//! so what it says is capped before it meets any clock arithmetic.
//!
//! The API:
//!
//! - [`Backoff::new`]`(floor, cap)` describes a schedule; [`Backoff::max_exponent`] bounds the
//!   number of doublings (16 unless set).
//! - [`Backoff::ceiling`]`(attempt)` is the longest wait before retry number `attempt`, counted
//!   from 0: `floor × 2^min(attempt, max_exponent)`, never more than `cap`.
//! - [`Backoff::delay`]`(attempt)` draws the wait between half the ceiling and the ceiling.
//! - [`Backoff::delay_or`]`(attempt, retry_after)` is the server's word when it gave one (capped
//!   at [`RETRY_AFTER_CAP`]), else [`Backoff::delay`].
//! - [`retry_after`]`(value, now)` reads a `Retry-After` header value, seconds or HTTP date.
//!
//! The outbox's "15 s doubling to 10 min, jittered between half and full" is
//! `Backoff::new(Duration::from_secs(15), Duration::from_secs(600)).delay(attempts)`.

use rand::Rng;
use std::time::{Duration, SystemTime};

/// The longest a server's `Retry-After` is obeyed: past it, the answer is more likely a bug or
/// hostile than a plan, and a desktop app waiting longer would look dead.
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(60 * 60);

/// The doublings a schedule allows unless told otherwise: far past any cap in use.
const DEFAULT_MAX_EXPONENT: u32 = 16;

/// A jittered exponential schedule; see the module comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The ceiling of the first retry, and the smallest ceiling there is.
    pub floor: Duration,
    /// No ceiling exceeds it.
    pub cap: Duration,
    /// The ceiling stops doubling after this many retries (at most 31).
    pub max_exponent: u32,
}

impl Backoff {
    pub const fn new(floor: Duration, cap: Duration) -> Backoff {
        Backoff {
            floor,
            cap,
            max_exponent: DEFAULT_MAX_EXPONENT,
        }
    }

    /// The same schedule with at most `n` doublings.
    pub const fn max_exponent(self, n: u32) -> Backoff {
        Backoff {
            max_exponent: n,
            ..self
        }
    }

    /// The longest wait before retry `attempt` (0 for the first retry).
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let exponent = attempt.min(self.max_exponent).min(31);
        self.floor.saturating_mul(1u32 << exponent).min(self.cap)
    }

    /// The wait before retry `attempt`: drawn between half the ceiling and the ceiling.
    pub fn delay(&self, attempt: u32) -> Duration {
        self.delay_with(attempt, &mut rand::thread_rng())
    }

    /// [`Backoff::delay`] with the caller's randomness.
    pub fn delay_with<R: Rng + ?Sized>(&self, attempt: u32, rng: &mut R) -> Duration {
        let half = self.ceiling(attempt) / 2;
        half + rng.gen_range(Duration::ZERO..=half)
    }

    /// The server's `Retry-After` when it gave one (capped at [`RETRY_AFTER_CAP`]), otherwise
    /// [`Backoff::delay`]. The server knows its load better than a schedule does.
    pub fn delay_or(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        match retry_after {
            Some(d) => d.min(RETRY_AFTER_CAP),
            None => self.delay(attempt),
        }
    }
}

/// A `Retry-After` value: delay-seconds or an HTTP date, read against `now`. Never more than
/// [`RETRY_AFTER_CAP`]; a date in the past is zero; anything else is `None`.
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits for a u64 is still "a very long time", not garbage.
        let secs = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs).min(RETRY_AFTER_CAP));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(now)
            .unwrap_or(Duration::ZERO)
            .min(RETRY_AFTER_CAP),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::mock::StepRng;

    const OUTBOX: Backoff = Backoff::new(Duration::from_secs(15), Duration::from_secs(600));

    #[test]
    fn ceilings_double_from_the_floor_to_the_cap() {
        let secs: Vec<u64> = (0..8).map(|n| OUTBOX.ceiling(n).as_secs()).collect();
        assert_eq!(secs, [15, 30, 60, 120, 240, 480, 600, 600]);
        assert_eq!(OUTBOX.ceiling(u32::MAX), Duration::from_secs(600));
    }

    #[test]
    fn the_exponent_stops_growing_at_its_maximum() {
        let b = Backoff::new(Duration::from_secs(1), Duration::from_secs(3600)).max_exponent(3);
        assert_eq!(b.ceiling(3), Duration::from_secs(8));
        assert_eq!(b.ceiling(4), Duration::from_secs(8));
        assert_eq!(b.ceiling(u32::MAX), Duration::from_secs(8));
        let huge = Backoff::new(Duration::MAX, Duration::MAX).max_exponent(u32::MAX);
        assert_eq!(
            huge.ceiling(u32::MAX),
            Duration::MAX,
            "saturates instead of overflowing"
        );
    }

    #[test]
    fn delays_are_jittered_between_half_and_full() {
        for attempt in [0, 1, 5, 30] {
            let ceiling = OUTBOX.ceiling(attempt);
            let delays: Vec<Duration> = (0..200).map(|_| OUTBOX.delay(attempt)).collect();
            assert!(
                delays.iter().all(|d| *d >= ceiling / 2 && *d <= ceiling),
                "{attempt}: {delays:?}"
            );
            let distinct: std::collections::HashSet<_> = delays.iter().collect();
            assert!(distinct.len() > 100, "no jitter at attempt {attempt}");
        }
        assert_eq!(
            OUTBOX.delay_with(0, &mut StepRng::new(0, 0)),
            Duration::from_millis(7500)
        );
    }

    #[test]
    fn the_servers_word_wins_within_an_hour() {
        assert_eq!(
            OUTBOX.delay_or(9, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert_eq!(OUTBOX.delay_or(0, Some(Duration::MAX)), RETRY_AFTER_CAP);
        assert!(OUTBOX.delay_or(0, None) <= Duration::from_secs(15));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates_and_caps_both() {
        let now = SystemTime::now();
        assert_eq!(retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(retry_after("99999999999999", now), Some(RETRY_AFTER_CAP));
        assert_eq!(
            retry_after("184467440737095516150000", now),
            Some(RETRY_AFTER_CAP)
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(120));
        let d = retry_after(&later, now).expect("date");
        assert!(
            d > Duration::from_secs(100) && d <= Duration::from_secs(120),
            "{d:?}"
        );
        let far = httpdate::fmt_http_date(now + Duration::from_secs(400 * 24 * 3600));
        assert_eq!(retry_after(&far, now), Some(RETRY_AFTER_CAP));
        assert_eq!(
            retry_after("Thu, 01 Jan 1970 00:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        for junk in ["soon", "", "-5", "3.5", "1e9"] {
            assert_eq!(retry_after(junk, now), None, "{junk:?}");
        }
    }
}
