//! Time conversions shared by the client, the store and the inbox: RFC 3339 on the wire,
//! Unix milliseconds in SQLite (so range filters and ordering are integer comparisons).

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub fn parse_rfc3339(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

pub fn format_rfc3339(t: OffsetDateTime) -> String {
    // Formatting a valid OffsetDateTime as RFC 3339 only fails for years outside 0..=9999.
    t.format(&Rfc3339).unwrap_or_else(|_| t.unix_timestamp().to_string())
}

pub fn to_millis(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

pub fn from_millis(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

pub fn now_millis() -> i64 {
    to_millis(OffsetDateTime::now_utc())
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
