//! The community's rules, as pure functions: question status, recurrence, staleness, and
//! participation levels from weighted activity. Definitions: docs/community.md.

use std::collections::BTreeMap;

use serde::Serialize;

/// The kinds of contribution, each with its weight in participation scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Entry,
    Doc,
    Reply,
    AcceptedReply,
    Review,
    Occurrence,
    EndorsementGiven,
    EndorsementReceived,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 8] = [
        ActivityKind::Doc,
        ActivityKind::AcceptedReply,
        ActivityKind::Entry,
        ActivityKind::Reply,
        ActivityKind::Review,
        ActivityKind::Occurrence,
        ActivityKind::EndorsementGiven,
        ActivityKind::EndorsementReceived,
    ];

    pub fn weight(self) -> u64 {
        match self {
            ActivityKind::Doc => 5,
            ActivityKind::AcceptedReply => 4,
            ActivityKind::Entry => 3,
            ActivityKind::Reply | ActivityKind::Review => 2,
            ActivityKind::Occurrence
            | ActivityKind::EndorsementGiven
            | ActivityKind::EndorsementReceived => 1,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ActivityKind::Entry => "entries",
            ActivityKind::Doc => "docs",
            ActivityKind::Reply => "replies",
            ActivityKind::AcceptedReply => "accepted replies",
            ActivityKind::Review => "reviews",
            ActivityKind::Occurrence => "occurrences",
            ActivityKind::EndorsementGiven => "endorsements given",
            ActivityKind::EndorsementReceived => "endorsements received",
        }
    }
}

/// How a member takes part in a domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Core,
    Active,
    Peripheral,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Core => "core",
            Level::Active => "active",
            Level::Peripheral => "peripheral",
        }
    }
}

/// Levels from scores: core is the smallest set of members, highest scores first, whose scores
/// reach half of the total; active are the next ones up to 80%; the rest who scored are
/// peripheral. Ties are broken by name so the result never depends on input order.
pub fn levels(scores: &BTreeMap<String, u64>) -> Vec<(String, u64, Level)> {
    let mut ranked: Vec<(&String, u64)> = scores
        .iter()
        .filter(|(_, s)| **s > 0)
        .map(|(m, s)| (m, *s))
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let total: u64 = ranked.iter().map(|(_, s)| s).sum();
    let mut before = 0u64;
    ranked
        .into_iter()
        .map(|(member, score)| {
            // Compare shares without floating point: before / total < 1/2 etc.
            let level = if before * 2 < total {
                Level::Core
            } else if before * 5 < total * 4 {
                Level::Active
            } else {
                Level::Peripheral
            };
            before += score;
            (member.clone(), score, level)
        })
        .collect()
}

/// The core: the fewest members, highest scores first, whose scores reach half of the total.
/// Its size is the bus factor (0 when nobody scored), as `rep map` and `rep gaps` show it.
pub fn core(scores: &BTreeMap<String, u64>) -> Vec<String> {
    levels(scores)
        .into_iter()
        .filter(|(_, _, l)| *l == Level::Core)
        .map(|(member, _, _)| member)
        .collect()
}

/// `open` until someone replies, `answered` once there are replies, `resolved` once resolved
/// (by `rep resolve` or by accepting a reply) and not reopened since; `duplicate` once linked as
/// a duplicate of another entry, which then carries the question. Only questions and problems
/// have a status.
pub fn status(
    kind: &str,
    resolved: Option<bool>,
    live_replies: u64,
    duplicate: bool,
) -> Option<&'static str> {
    if !crate::rules::kinds::has_status(kind) {
        return None;
    }
    Some(match (resolved, live_replies) {
        _ if duplicate => "duplicate",
        (Some(true), _) => "resolved",
        (_, 0) => "open",
        _ => "answered",
    })
}

/// How far a chain of duplicates (A duplicates B, which duplicates C) is followed to its
/// original; a longer chain, or a cycle, stops at the last entry reached.
pub const MAX_DUPLICATE_HOPS: usize = 16;

/// The original that `start` duplicates, following `duplicate_of` (a live duplicate link to a
/// live entry); `None` when `start` duplicates nothing. A duplicate forwards its status and
/// its occurrences there.
pub fn original_of<T: Copy + PartialEq>(
    start: T,
    mut duplicate_of: impl FnMut(T) -> Option<T>,
) -> Option<T> {
    let mut at = duplicate_of(start)?;
    for _ in 1..MAX_DUPLICATE_HOPS {
        match duplicate_of(at) {
            Some(next) if next != start && next != at => at = next,
            _ => break,
        }
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn scores(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
        pairs.iter().map(|(m, s)| (m.to_string(), *s)).collect()
    }

    #[test]
    fn levels_split_at_half_and_eighty_percent() {
        let got = levels(&scores(&[
            ("a", 50),
            ("b", 20),
            ("c", 15),
            ("d", 10),
            ("e", 5),
            ("z", 0),
        ]));
        let names: Vec<(&str, Level)> = got.iter().map(|(m, _, l)| (m.as_str(), *l)).collect();
        assert_eq!(
            names,
            [
                ("a", Level::Core),
                ("b", Level::Active),
                ("c", Level::Active),
                ("d", Level::Peripheral),
                ("e", Level::Peripheral)
            ]
        );
        assert_eq!(
            core(&scores(&[
                ("a", 50),
                ("b", 20),
                ("c", 15),
                ("d", 10),
                ("e", 5)
            ])),
            ["a"]
        );
        assert_eq!(
            core(&scores(&[("a", 10), ("b", 10), ("c", 10)])),
            ["a", "b"]
        );
        assert!(core(&BTreeMap::new()).is_empty());
    }

    #[test]
    fn status_follows_replies_and_resolution() {
        assert_eq!(status("question", None, 0, false), Some("open"));
        assert_eq!(status("question", None, 2, false), Some("answered"));
        assert_eq!(status("problem", Some(true), 0, false), Some("resolved"));
        assert_eq!(status("question", Some(false), 1, false), Some("answered"));
        assert_eq!(status("tool", Some(true), 1, false), None);
        assert_eq!(status("question", None, 0, true), Some("duplicate"));
    }

    #[test]
    fn duplicates_lead_to_their_original() {
        let chain = |i: u32| (i < 3).then_some(i + 1);
        assert_eq!(original_of(0, chain), Some(3));
        assert_eq!(original_of(3, chain), None);
        let cycle = |i: u32| Some((i + 1) % 3);
        assert_eq!(
            original_of(0, cycle),
            Some(2),
            "a cycle stops before it closes"
        );
        let long = |i: u32| Some(i + 1);
        assert_eq!(original_of(0, long), Some(MAX_DUPLICATE_HOPS as u32));
    }

    proptest! {
        #[test]
        fn core_reaches_half_and_is_minimal(values in proptest::collection::vec(1u64..100, 1..20)) {
            let s: BTreeMap<String, u64> = values.iter().enumerate().map(|(i, v)| (format!("m{i:02}"), *v)).collect();
            let total: u64 = values.iter().sum();
            let core: Vec<u64> = levels(&s).into_iter().filter(|(_, _, l)| *l == Level::Core).map(|(_, v, _)| v).collect();
            let sum: u64 = core.iter().sum();
            prop_assert!(sum * 2 >= total);
            prop_assert!((sum - core.last().unwrap()) * 2 < total);
        }
    }
}
