//! Numbers from the command line, the config file and the environment, each parsed into its own
//! bounded range: a value out of range is a usage error naming the range (exit 2), never a
//! panic, a wrap-around or a silent clamp. Every such range lives here.

/// A range of whole numbers a setting accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub min: u64,
    pub max: u64,
}

/// `--limit`/`-n` of list, search, gaps and who: 0 means no limit.
pub const LIMIT: Range = Range {
    min: 0,
    max: 1_000_000,
};
/// `rep stats --weeks`: at least one week, at most ten years.
pub const WEEKS: Range = Range { min: 1, max: 520 };
/// `rep map --columns`: members shown as columns.
pub const COLUMNS: Range = Range { min: 1, max: 200 };
/// Days in the config (review interval, windows, gap ages): up to a century.
pub const DAYS: Range = Range {
    min: 1,
    max: 36_500,
};
/// Counts and ratios in the config.
pub const COUNT: Range = Range {
    min: 1,
    max: 1_000_000,
};
/// An age given to `--since` (`12h`, `3d`, `2w`, `6m`, `1y`): at most a century back.
pub const MAX_AGE_DAYS: u64 = 36_500;

impl Range {
    /// `text` as a number in this range, or why not.
    pub fn parse(self, text: &str) -> Result<u64, String> {
        let text = text.trim();
        let n: u64 = text.parse().map_err(|_| {
            format!(
                "{text:?} is not a whole number from {} to {}",
                self.min, self.max
            )
        })?;
        self.check(n)
    }

    pub fn check(self, n: u64) -> Result<u64, String> {
        if (self.min..=self.max).contains(&n) {
            Ok(n)
        } else {
            Err(format!(
                "{n} is out of range: use {} to {}",
                self.min, self.max
            ))
        }
    }
}

/// clap value parsers: clap reports their errors as usage errors (exit 2).
pub fn limit(text: &str) -> Result<usize, String> {
    as_usize(LIMIT.parse(text)?)
}

pub fn weeks(text: &str) -> Result<usize, String> {
    as_usize(WEEKS.parse(text)?)
}

pub fn columns(text: &str) -> Result<usize, String> {
    as_usize(COLUMNS.parse(text)?)
}

fn as_usize(n: u64) -> Result<usize, String> {
    usize::try_from(n).map_err(|_| format!("{n} is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ranges_hold_at_their_edges() {
        assert_eq!(weeks("1"), Ok(1));
        assert_eq!(weeks(" 520 "), Ok(520));
        assert!(weeks("0").is_err());
        assert!(weeks("521").is_err());
        assert!(weeks("1000000").is_err());
        assert!(weeks("18446744073709551615").is_err());
        assert!(weeks("18446744073709551616").is_err());
        assert!(weeks("-1").is_err());
        assert_eq!(limit("0"), Ok(0));
        assert!(limit("1000001").is_err());
        assert!(columns("0").is_err());
        assert!(DAYS.check(36_501).is_err());
    }

    proptest! {
        /// Any string: a number in range or an error, never a panic.
        #[test]
        fn parsers_never_panic(s in "\\PC{0,30}|[0-9]{0,40}|-?[0-9]{1,25}") {
            for (range, parse) in [(LIMIT, limit as fn(&str) -> Result<usize, String>), (WEEKS, weeks), (COLUMNS, columns)] {
                if let Ok(n) = parse(&s) {
                    prop_assert!((range.min..=range.max).contains(&(n as u64)));
                }
            }
            let _ = DAYS.parse(&s);
            let _ = COUNT.parse(&s);
        }
    }
}
