//! Time conversions shared by the client, the store and the inbox: RFC 3339 on the wire,
//! Unix milliseconds in SQLite (so range filters and ordering are integer comparisons).

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub fn parse_rfc3339(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

pub fn format_rfc3339(t: OffsetDateTime) -> String {
    // Formatting a valid OffsetDateTime as RFC 3339 only fails for years outside 0..=9999.
    t.format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// `2023-10-22T21:06:27+00:00`: whole seconds, UTC, the offset spelled out.
pub fn format_offset_seconds(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let f =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+00:00");
    t.format(&f)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

pub fn to_millis(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

pub fn from_millis(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

pub fn now_millis() -> i64 {
    to_millis(OffsetDateTime::now_utc())
}

/// This computer's clock, which tests may set off true time to play a desktop whose clock is
/// wrong. It stamps what Taskbell itself does (when an event was received, when to retry); it
/// is never compared with a time Canvas wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    offset: time::Duration,
}

impl Clock {
    /// The real clock.
    pub fn system() -> Self {
        Clock::default()
    }

    /// A clock `offset` ahead of the real one (behind when negative).
    pub fn skewed(offset: time::Duration) -> Self {
        Clock { offset }
    }

    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc().saturating_add(self.offset)
    }

    pub fn now_millis(&self) -> i64 {
        to_millis(self.now())
    }
}

/// This computer's offset from UTC, as read at start (see [`remember_local_offset`]).
static LOCAL_OFFSET_MS: std::sync::OnceLock<i64> = std::sync::OnceLock::new();

/// Reads this computer's offset from UTC. Call it first thing in `main`: the `time` crate
/// refuses to read it once other threads run (the environment could change under it).
pub fn remember_local_offset() {
    if let Ok(o) = time::UtcOffset::current_local_offset() {
        let _ = LOCAL_OFFSET_MS.set(i64::from(o.whole_seconds()) * 1000);
    }
}

/// The offset [`remember_local_offset`] read, or 0 (UTC) when it was not read.
pub fn local_offset_ms() -> i64 {
    LOCAL_OFFSET_MS.get().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millis_round_trip_and_rfc3339_parses_offsets() {
        let t = parse_rfc3339("2023-09-22T14:00:00+02:00").expect("valid");
        assert_eq!(to_millis(t), 1_695_384_000_000);
        assert_eq!(from_millis(to_millis(t)), t);
        assert!(parse_rfc3339("yesterday").is_none());
    }
}
