//! Reading and writing interval timestamps. Input may carry an offset
//! (`2026-03-02T08:00:00+01:00`, `...Z`) or be local wall-clock time in the
//! queue's zone (`2026-03-02T08:00[:00]`, `2026-03-02 08:00`). Local times that
//! a DST change skips or repeats are refused rather than guessed.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// How a timestamp was written, so output can be written the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampStyle {
    /// RFC 3339 with an offset (or `Z`): written back with the zone's offset.
    Offset,
    /// Local wall-clock time with a `T` separator.
    LocalT,
    /// Local wall-clock time with a space separator.
    LocalSpace,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    #[error(
        "'{0}' is not an ISO-8601 timestamp (e.g. 2026-03-02T08:00:00+01:00 or 2026-03-02 08:00)"
    )]
    Unreadable(String),
    #[error("'{0}' does not exist in {1} (skipped by a daylight-saving change)")]
    Skipped(String, Tz),
    #[error("'{0}' happens twice in {1} (daylight-saving change): give an offset")]
    Ambiguous(String, Tz),
}

const LOCAL_FORMATS: [(&str, TimestampStyle); 4] = [
    ("%Y-%m-%dT%H:%M:%S%.f", TimestampStyle::LocalT),
    ("%Y-%m-%dT%H:%M", TimestampStyle::LocalT),
    ("%Y-%m-%d %H:%M:%S%.f", TimestampStyle::LocalSpace),
    ("%Y-%m-%d %H:%M", TimestampStyle::LocalSpace),
];

/// Parses a timestamp; local times are read in `tz`.
pub fn parse_timestamp(
    raw: &str,
    tz: Tz,
) -> Result<(DateTime<Utc>, TimestampStyle), TimestampError> {
    let s = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok((t.with_timezone(&Utc), TimestampStyle::Offset));
    }
    // RFC 3339 demands seconds; accept `2026-03-02T08:00+01:00` too.
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M%:z") {
        return Ok((t.with_timezone(&Utc), TimestampStyle::Offset));
    }
    for (format, style) in LOCAL_FORMATS {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, format) {
            return Ok((local_to_utc(naive, tz, s)?, style));
        }
    }
    Err(TimestampError::Unreadable(s.to_string()))
}

pub fn local_to_utc(
    naive: NaiveDateTime,
    tz: Tz,
    raw: &str,
) -> Result<DateTime<Utc>, TimestampError> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::None => Err(TimestampError::Skipped(raw.to_string(), tz)),
        LocalResult::Ambiguous(_, _) => Err(TimestampError::Ambiguous(raw.to_string(), tz)),
    }
}

/// Writes `t` in `style`, in zone `tz`.
pub fn format_timestamp(t: DateTime<Utc>, tz: Tz, style: TimestampStyle) -> String {
    let local = t.with_timezone(&tz);
    match style {
        TimestampStyle::Offset => local.format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        TimestampStyle::LocalT => local.format("%Y-%m-%dT%H:%M:%S").to_string(),
        TimestampStyle::LocalSpace => local.format("%Y-%m-%d %H:%M:%S").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::paris;

    #[test]
    fn reads_offsets_and_local_times() {
        let paris = paris();
        let (a, sa) = parse_timestamp("2026-01-05T08:00:00+01:00", paris).unwrap();
        let (b, sb) = parse_timestamp("2026-01-05 08:00", paris).unwrap();
        let (c, _) = parse_timestamp("2026-01-05T07:00:00Z", paris).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(sa, TimestampStyle::Offset);
        assert_eq!(sb, TimestampStyle::LocalSpace);
        assert_eq!(
            format_timestamp(a, paris, TimestampStyle::Offset),
            "2026-01-05T08:00:00+01:00"
        );
    }

    #[test]
    fn refuses_dst_gaps_and_repeats() {
        let paris = paris();
        assert!(matches!(
            parse_timestamp("2026-03-29 02:30", paris),
            Err(TimestampError::Skipped(..))
        ));
        assert!(matches!(
            parse_timestamp("2026-10-25 02:30", paris),
            Err(TimestampError::Ambiguous(..))
        ));
        assert!(matches!(
            parse_timestamp("yesterday", paris),
            Err(TimestampError::Unreadable(_))
        ));
    }
}
