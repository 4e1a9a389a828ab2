//! Time: the current instant (fixed by `REP_NOW` for tests and scripts), RFC 3339 text, and the
//! dates users type for `--since`.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};

use crate::error::RepError;

/// Milliseconds since the Unix epoch: how times are stored.
pub type Millis = i64;

/// One day and one week in [`Millis`].
pub const DAY_MS: Millis = 24 * 60 * 60 * 1000;
pub const WEEK_MS: Millis = 7 * DAY_MS;

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

/// RFC 3339 in UTC with milliseconds, as the exchange format stores creation times:
/// `2026-11-27T09:30:00.000Z`. Written digit by digit for years 0 to 9999 (an export writes one
/// per entry and occurrence, and the general formatter was a tenth of its reading thread).
pub fn rfc3339_millis(ms: Millis) -> String {
    let t = from_millis(ms);
    let (year, month, day) = t.to_calendar_date();
    let Ok(year) = u16::try_from(year) else {
        return rfc3339_millis_general(t);
    };
    if year > 9999 {
        return rfc3339_millis_general(t);
    }
    let mut text = *b"0000-00-00T00:00:00.000Z";
    let mut put = |at: usize, width: usize, mut n: u32| {
        for slot in text[at..at + width].iter_mut().rev() {
            *slot = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(0, 4, u32::from(year));
    put(5, 2, u32::from(u8::from(month)));
    put(8, 2, u32::from(day));
    put(11, 2, u32::from(t.hour()));
    put(14, 2, u32::from(t.minute()));
    put(17, 2, u32::from(t.second()));
    put(20, 3, u32::from(t.millisecond()));
    // Only ASCII digits and punctuation were written.
    String::from_utf8_lossy(&text).into_owned()
}

fn rfc3339_millis_general(t: OffsetDateTime) -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    t.format(&format).unwrap_or_default()
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
    let count: u64 = text[..text.len() - unit.len_utf8()]
        .parse()
        .map_err(|_| invalid())?;
    const HOUR_MS: u64 = 3_600_000;
    let unit_ms = match unit {
        'h' => HOUR_MS,
        'd' => 24 * HOUR_MS,
        'w' => 7 * 24 * HOUR_MS,
        'm' => 30 * 24 * HOUR_MS,
        'y' => 365 * 24 * HOUR_MS,
        _ => return Err(invalid()),
    };
    let max_ms = crate::bounded::MAX_AGE_DAYS * 24 * HOUR_MS;
    let age = count
        .checked_mul(unit_ms)
        .filter(|ms| *ms <= max_ms)
        .ok_or_else(|| {
            RepError::usage(format!("the age {text:?} is too far back")).with_hint(format!(
                "ages go back at most {} days (a century); give a date like 2026-01-31",
                crate::bounded::MAX_AGE_DAYS
            ))
        })?;
    // At most a century: fits in Millis.
    Ok(now.saturating_sub(age as Millis))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The hand-written form is the general formatter's, for any time it can hold; and
        /// times beyond still get one.
        #[test]
        fn millis_form_is_the_general_one(ms in -62_167_219_200_000i64..253_402_300_800_000) {
            prop_assert_eq!(rfc3339_millis(ms), rfc3339_millis_general(from_millis(ms)));
        }

        #[test]
        fn millis_form_of_far_times_is_not_empty(ms in any::<i64>()) {
            prop_assert!(!rfc3339_millis(ms).is_empty());
        }
    }

    #[test]
    fn millis_form_edges() {
        assert_eq!(rfc3339_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            rfc3339_millis(1_795_000_000_007),
            "2026-11-18T11:06:40.007Z"
        );
        assert_eq!(
            rfc3339_millis(253_402_300_799_999),
            "9999-12-31T23:59:59.999Z"
        );
        assert_eq!(
            rfc3339_millis(253_402_300_800_000),
            rfc3339_millis_general(from_millis(253_402_300_800_000))
        );
    }

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
        assert!(parse_since("999999999999999999h", now).is_err());
        assert!(parse_since("-3d", now).is_err());
        assert!(parse_since("100y", now).is_ok());
        assert!(parse_since("101y", now).is_err());
    }

    proptest! {
        /// Any string, alone or with a unit: a time or a usage error, never a panic.
        #[test]
        fn since_never_panics(s in "\\PC{0,30}|-?[0-9]{0,25}[hdwmy]?", now in any::<i64>()) {
            if let Err(e) = parse_since(&s, now) {
                prop_assert_eq!(e.status, crate::error::ExitStatus::Usage);
            }
        }
    }
}
