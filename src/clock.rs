//! Hybrid logical clock stamps: the order in which changes to one field win when replicas merge.
//!
//! A stamp is (wall milliseconds, counter, replica). Its text form is fixed-width so that string
//! order is stamp order, which lets SQL compare stamps directly.

use std::fmt;
use std::str::FromStr;

/// Largest counter before the clock borrows a millisecond, so the text form stays fixed-width.
const MAX_COUNTER: u32 = 999_999;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    pub millis: u64,
    pub counter: u32,
    /// The replica that made the change; the final tie-break.
    pub replica: Replica,
}

/// A replica id: 32 lowercase hex digits, held inline so that a stamp never allocates (an
/// import reads eight stamps per record). Byte order is text order.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Replica([u8; 32]);

impl Replica {
    /// `None` unless `text` is exactly 32 lowercase hex digits.
    pub fn parse(text: &str) -> Option<Replica> {
        Replica::from_bytes(text.as_bytes())
    }

    fn from_bytes(bytes: &[u8]) -> Option<Replica> {
        let bytes: [u8; 32] = bytes.try_into().ok()?;
        bytes
            .iter()
            .all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
            .then_some(Replica(bytes))
    }

    pub fn as_str(&self) -> &str {
        // Only `parse` builds a Replica, and it admits ASCII hex digits alone.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Debug for Replica {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// The fixed-width text of a stamp, written without the formatting machinery: an export
/// writes eight per record.
pub struct StampText([u8; 53]);

impl StampText {
    pub fn as_str(&self) -> &str {
        // Digits, dots and the replica's hex digits: always ASCII.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl Stamp {
    /// The next stamp for a local change: after `last` and never behind the wall clock.
    pub fn next(last: Option<&Stamp>, wall_millis: u64, replica: Replica) -> Stamp {
        let (millis, counter) = match last {
            Some(last) if last.millis >= wall_millis => {
                if last.counter >= MAX_COUNTER {
                    (last.millis + 1, 0)
                } else {
                    (last.millis, last.counter + 1)
                }
            }
            _ => (wall_millis, 0),
        };
        Stamp {
            millis,
            counter,
            replica,
        }
    }

    /// `MILLIS13.COUNTER6.REPLICA32`, zero-padded, so that text order is stamp order.
    pub fn text(&self) -> StampText {
        fn digits(out: &mut [u8], mut n: u64) {
            for slot in out.iter_mut().rev() {
                *slot = b'0' + (n % 10) as u8;
                n /= 10;
            }
        }
        let mut text = [b'.'; 53];
        // Millis past 13 digits (the year 2286) cannot be written: they saturate, as the
        // parser refuses them anyway.
        digits(&mut text[..13], self.millis.min(9_999_999_999_999));
        digits(&mut text[14..20], u64::from(self.counter.min(MAX_COUNTER)));
        text[21..].copy_from_slice(&self.replica.0);
        StampText(text)
    }
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text().as_str())
    }
}

/// In the exchange file a stamp is its text form, the same as in the database.
impl serde::Serialize for Stamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.text().as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Stamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("invalid clock stamp {0:?}: expected MILLIS.COUNTER.REPLICA (13 digits, 6 digits, 32 hex)")]
pub struct StampParseError(String);

impl FromStr for Stamp {
    type Err = StampParseError;
    /// Fixed positions, no splitting: imports parse eight stamps per record.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || StampParseError(s.chars().take(80).collect());
        let b = s.as_bytes();
        if b.len() != 53 || b[13] != b'.' || b[20] != b'.' {
            return Err(bad());
        }
        let number = |digits: &[u8]| -> Option<u64> {
            digits.iter().try_fold(0u64, |n, d| {
                d.is_ascii_digit().then(|| n * 10 + u64::from(d - b'0'))
            })
        };
        match (
            number(&b[..13]),
            number(&b[14..20]),
            Replica::from_bytes(&b[21..]),
        ) {
            (Some(millis), Some(counter), Some(replica)) => Ok(Stamp {
                millis,
                counter: counter as u32,
                replica,
            }),
            _ => Err(bad()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn a() -> Replica {
        Replica::parse("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap()
    }

    #[test]
    fn next_follows_wall_clock_when_it_is_ahead() {
        let last = Stamp {
            millis: 10,
            counter: 5,
            replica: a(),
        };
        assert_eq!(
            Stamp::next(Some(&last), 20, a()),
            Stamp {
                millis: 20,
                counter: 0,
                replica: a()
            }
        );
    }

    #[test]
    fn next_counts_when_wall_clock_is_behind_or_equal() {
        let last = Stamp {
            millis: 10,
            counter: 5,
            replica: a(),
        };
        assert_eq!(Stamp::next(Some(&last), 3, a()).counter, 6);
        assert_eq!(Stamp::next(Some(&last), 10, a()).millis, 10);
    }

    #[test]
    fn counter_overflow_borrows_a_millisecond() {
        let last = Stamp {
            millis: 10,
            counter: MAX_COUNTER,
            replica: a(),
        };
        let next = Stamp::next(Some(&last), 10, a());
        assert_eq!((next.millis, next.counter), (11, 0));
        assert!(next > last);
    }

    #[test]
    fn replica_ids_are_32_lowercase_hex_digits() {
        assert!(Replica::parse("0123456789abcdef0123456789abcdef").is_some());
        for bad in [
            "",
            "0123456789abcdef0123456789abcde",
            "0123456789abcdef0123456789abcdef0",
            "0123456789ABCDEF0123456789abcdef",
            "0123456789abcdeg0123456789abcdef",
            "0123456789abcdef0123456789abcdé",
        ] {
            assert!(Replica::parse(bad).is_none(), "{bad:?}");
        }
    }

    fn stamp() -> impl Strategy<Value = Stamp> {
        (0u64..9_999_999_999_999, 0u32..=MAX_COUNTER, "[0-9a-f]{32}").prop_map(
            |(millis, counter, replica)| Stamp {
                millis,
                counter,
                replica: Replica::parse(&replica).unwrap(),
            },
        )
    }

    proptest! {
        #[test]
        fn text_order_is_stamp_order(a in stamp(), b in stamp()) {
            prop_assert_eq!(a.cmp(&b), a.to_string().cmp(&b.to_string()));
        }

        #[test]
        fn text_is_the_zero_padded_form(a in stamp()) {
            let padded = format!("{:013}.{:06}.{}", a.millis, a.counter, a.replica.as_str());
            let text = a.text();
            prop_assert_eq!(text.as_str(), padded.as_str());
        }

        #[test]
        fn text_round_trips(a in stamp()) {
            prop_assert_eq!(a.to_string().parse::<Stamp>().unwrap(), a);
        }

        #[test]
        fn next_is_always_later(a in stamp(), wall in 0u64..9_999_999_999_000) {
            let n = Stamp::next(Some(&a), wall, a.replica);
            prop_assert!(n > a);
            prop_assert!(n.millis >= wall);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,80}") {
            let _ = s.parse::<Stamp>();
        }
    }
}
