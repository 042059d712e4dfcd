//! Time as Canvas keeps and writes it: the sandbox's own (offsettable) clock, RFC 3339 with an
//! explicit `+00:00` offset, HTTP dates for `Last-Modified` and `Date`, and the precision ranges
//! FHIR date search parameters imply.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};

/// The sandbox's own time: the machine's clock moved by an offset a test sets at runtime, so a
/// client can be tried against a Canvas whose clock disagrees with its own. Clones share the
/// offset. Everything the sandbox stamps reads this, never the machine's clock directly.
#[derive(Debug, Clone, Default)]
pub(crate) struct Clock {
    offset_micros: Arc<AtomicI64>,
}

impl Clock {
    /// Now, at the microsecond precision a database (and `lastModified`) keeps, so a value a
    /// client read back compares equal to the stored one.
    pub fn now(&self) -> OffsetDateTime {
        let t = OffsetDateTime::now_utc() + self.offset();
        t.replace_microsecond(t.microsecond()).unwrap_or(t)
    }

    pub fn set_offset(&self, offset: time::Duration) {
        let micros = offset.whole_microseconds();
        let clamped = i64::try_from(micros).unwrap_or(if micros < 0 { i64::MIN } else { i64::MAX });
        self.offset_micros.store(clamped, Ordering::SeqCst);
    }

    pub fn offset(&self) -> time::Duration {
        time::Duration::microseconds(self.offset_micros.load(Ordering::SeqCst))
    }
}

/// `2023-09-22T14:00:00+00:00`, the shape Canvas uses for `authoredOn` and due dates.
pub(crate) fn fmt_seconds(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    let f = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+00:00");
    t.format(&f).unwrap_or_default()
}

/// Whole seconds when the value has no fraction, else microseconds: what was stored comes
/// back unchanged, so a read-modify-PUT does not alter dates by accident.
pub(crate) fn fmt_auto(t: OffsetDateTime) -> String {
    if t.nanosecond() == 0 {
        fmt_seconds(t)
    } else {
        fmt_micros(t)
    }
}

/// Microsecond precision, for `lastModified` and payload timestamps, so a client that
/// keeps a `modified=gt…` cursor does not see the same change twice.
pub(crate) fn fmt_micros(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    let f = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]+00:00"
    );
    t.format(&f).unwrap_or_default()
}

pub(crate) fn http_date(t: OffsetDateTime) -> String {
    let secs = u64::try_from(t.unix_timestamp()).unwrap_or(0);
    httpdate::fmt_http_date(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
}

/// Parses an HTTP date into unix seconds.
pub(crate) fn parse_http_date(s: &str) -> Option<i64> {
    let t = httpdate::parse_http_date(s.trim()).ok()?;
    let secs = t.duration_since(SystemTime::UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(secs).ok()
}

/// A FHIR date or dateTime value taken as the half-open range its precision implies:
/// `2024-03-01` is the whole day, `…T10:00:00+00:00` that second, a value with a fraction
/// that exact instant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DateRange {
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
}

pub(crate) fn parse_fhir_date(raw: &str) -> Option<DateRange> {
    // An unencoded `+` in a query string arrives as a space; put it back rather than make
    // every client remember to percent-encode the offset.
    let value = raw.trim().replace(' ', "+");
    if value.len() == 10 {
        let f = format_description!("[year]-[month]-[day]");
        let day = Date::parse(&value, &f).ok()?;
        let start = day.midnight().assume_utc();
        return Some(DateRange {
            start,
            end: start + time::Duration::days(1),
        });
    }
    let start = OffsetDateTime::parse(&value, &Rfc3339).ok()?;
    let has_fraction = value.get(19..20) == Some(".");
    let span = if has_fraction {
        time::Duration::microseconds(1)
    } else {
        time::Duration::seconds(1)
    };
    Some(DateRange {
        start,
        end: start + span,
    })
}

/// A due date or authoredOn from a request body: RFC 3339, or a bare date meaning midnight UTC.
pub(crate) fn parse_body_datetime(value: &str) -> Option<OffsetDateTime> {
    parse_fhir_date(value).map(|r| r.start)
}

/// Drops sub-second precision.
pub(crate) fn whole_second(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(0).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_precision() {
        let d = parse_fhir_date("2024-03-01").unwrap();
        assert_eq!((d.end - d.start).whole_hours(), 24);
        let s = parse_fhir_date("2024-03-01T10:00:00+00:00").unwrap();
        assert_eq!((s.end - s.start).whole_seconds(), 1);
        let f = parse_fhir_date("2024-03-01T10:00:00.250000 00:00").unwrap();
        assert_eq!((f.end - f.start).whole_microseconds(), 1);
        assert!(parse_fhir_date("yesterday").is_none());
    }

    #[test]
    fn formats_with_explicit_offset() {
        let t = OffsetDateTime::from_unix_timestamp(1_695_391_200).unwrap();
        assert_eq!(fmt_seconds(t), "2023-09-22T14:00:00+00:00");
        assert_eq!(fmt_micros(t), "2023-09-22T14:00:00.000000+00:00");
        assert_eq!(parse_http_date(&http_date(t)), Some(1_695_391_200));
    }
}
