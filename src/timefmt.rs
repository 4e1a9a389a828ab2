//! Time: the current instant (fixed by `REP_NOW` for tests and scripts), RFC 3339 text, and the
//! dates users type for `--since`.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime, UtcOffset};

use crate::error::RepError;

/// Milliseconds since the Unix epoch: how times are stored.
pub type Millis = i64;

/// `REP_NOW` if set (RFC 3339), else the system clock.
pub fn now() -> Result<Millis, RepError> {
    match std::env::var("REP_NOW") {
        Ok(text) if !text.is_empty() => parse_rfc3339(&text).map_err(|_| {
            RepError::usage(format!("REP_NOW is not an RFC 3339 time: {text:?}"))
                .with_hint("e.g. REP_NOW=2026-01-31T09:00:00Z, or unset it")
        }),
        _ => Ok(to_millis(OffsetDateTime::now_utc())),
    }
}

fn to_millis(t: OffsetDateTime) -> Millis {
    (t.unix_timestamp_nanos() / 1_000_000) as Millis
}

fn parse_rfc3339(text: &str) -> Result<Millis, time::error::Parse> {
    OffsetDateTime::parse(text.trim(), &Rfc3339).map(to_millis)
}

fn from_millis(ms: Millis) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// RFC 3339 in UTC with seconds, as JSON shows times: `2026-11-27T09:30:00Z`.
pub fn rfc3339(ms: Millis) -> String {
    let t = from_millis(ms)
        .replace_millisecond(0)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    t.to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// RFC 3339 in UTC with milliseconds, as the exchange format stores creation times.
pub fn rfc3339_millis(ms: Millis) -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    from_millis(ms).format(&format).unwrap_or_default()
}

/// Parse an RFC 3339 time.
pub fn parse_exact(text: &str) -> Option<Millis> {
    OffsetDateTime::parse(text, &Rfc3339).ok().map(to_millis)
}

/// `--since`: a date (`2026-01-31`), an RFC 3339 time, or an age (`3d`, `2w`, `12h`, `6m` months).
pub fn parse_since(text: &str, now: Millis) -> Result<Millis, RepError> {
    let text = text.trim();
    if let Ok(ms) = parse_rfc3339(text) {
        return Ok(ms);
    }
    let date_format = format_description!("[year]-[month]-[day]");
    if let Ok(date) = Date::parse(text, &date_format) {
        return Ok(to_millis(date.midnight().assume_utc()));
    }
    let invalid = || {
        RepError::usage(format!("invalid date {text:?}"))
            .with_hint("use a date like 2026-01-31, an RFC 3339 time, or an age like 7d, 2w, 12h")
    };
    let unit = text.chars().last().ok_or_else(invalid)?;
    let count: i64 = text[..text.len() - unit.len_utf8()]
        .parse()
        .map_err(|_| invalid())?;
    let age = match unit {
        'h' => Duration::hours(count),
        'd' => Duration::days(count),
        'w' => Duration::weeks(count),
        'm' => Duration::days(count.saturating_mul(30)),
        'y' => Duration::days(count.saturating_mul(365)),
        _ => return Err(invalid()),
    };
    Ok(now.saturating_sub(age.whole_milliseconds() as Millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_round_trip() {
        let ms = parse_rfc3339("2026-11-27T09:30:00Z").unwrap();
        assert_eq!(rfc3339(ms), "2026-11-27T09:30:00Z");
        assert_eq!(rfc3339_millis(ms + 7), "2026-11-27T09:30:00.007Z");
        assert_eq!(parse_exact(&rfc3339_millis(ms + 7)), Some(ms + 7));
    }

    #[test]
    fn since_accepts_dates_times_and_ages() {
        let now = parse_rfc3339("2026-11-27T00:00:00Z").unwrap();
        assert_eq!(
            rfc3339(parse_since("2026-11-20", now).unwrap()),
            "2026-11-20T00:00:00Z"
        );
        assert_eq!(
            rfc3339(parse_since("7d", now).unwrap()),
            "2026-11-20T00:00:00Z"
        );
        assert_eq!(
            rfc3339(parse_since("1w", now).unwrap()),
            "2026-11-20T00:00:00Z"
        );
        assert!(parse_since("yesterday", now).is_err());
        assert!(parse_since("", now).is_err());
        assert!(parse_since("5x", now).is_err());
    }
}
