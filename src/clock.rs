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
    /// 32 lowercase hex digits: the replica that made the change; the final tie-break.
    pub replica: String,
}

impl Stamp {
    /// The next stamp for a local change: after `last` and never behind the wall clock.
    pub fn next(last: Option<&Stamp>, wall_millis: u64, replica: &str) -> Stamp {
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
            replica: replica.to_owned(),
        }
    }
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:013}.{:06}.{}",
            self.millis, self.counter, self.replica
        )
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
        let hex = b[21..]
            .iter()
            .all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'));
        match (number(&b[..13]), number(&b[14..20]), hex) {
            (Some(millis), Some(counter), true) => Ok(Stamp {
                millis,
                counter: counter as u32,
                replica: s[21..].to_owned(),
            }),
            _ => Err(bad()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    #[test]
    fn next_follows_wall_clock_when_it_is_ahead() {
        let last = Stamp {
            millis: 10,
            counter: 5,
            replica: A.into(),
        };
        assert_eq!(
            Stamp::next(Some(&last), 20, A),
            Stamp {
                millis: 20,
                counter: 0,
                replica: A.into()
            }
        );
    }

    #[test]
    fn next_counts_when_wall_clock_is_behind_or_equal() {
        let last = Stamp {
            millis: 10,
            counter: 5,
            replica: A.into(),
        };
        assert_eq!(Stamp::next(Some(&last), 3, A).counter, 6);
        assert_eq!(Stamp::next(Some(&last), 10, A).millis, 10);
    }

    #[test]
    fn counter_overflow_borrows_a_millisecond() {
        let last = Stamp {
            millis: 10,
            counter: MAX_COUNTER,
            replica: A.into(),
        };
        let next = Stamp::next(Some(&last), 10, A);
        assert_eq!((next.millis, next.counter), (11, 0));
        assert!(next > last);
    }

    fn stamp() -> impl Strategy<Value = Stamp> {
        (0u64..9_999_999_999_999, 0u32..=MAX_COUNTER, "[0-9a-f]{32}").prop_map(
            |(millis, counter, replica)| Stamp {
                millis,
                counter,
                replica,
            },
        )
    }

    proptest! {
        #[test]
        fn text_order_is_stamp_order(a in stamp(), b in stamp()) {
            prop_assert_eq!(a.cmp(&b), a.to_string().cmp(&b.to_string()));
        }

        #[test]
        fn text_round_trips(a in stamp()) {
            prop_assert_eq!(a.to_string().parse::<Stamp>().unwrap(), a);
        }

        #[test]
        fn next_is_always_later(a in stamp(), wall in 0u64..9_999_999_999_000) {
            let n = Stamp::next(Some(&a), wall, &a.replica);
            prop_assert!(n > a);
            prop_assert!(n.millis >= wall);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,80}") {
            let _ = s.parse::<Stamp>();
        }
    }
}
