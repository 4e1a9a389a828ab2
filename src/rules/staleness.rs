//! Staleness: when an entry needs someone to say it is still true (docs/community.md).

use crate::timefmt::{DAY_MS, Millis};

/// What staleness looks at, for one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaleFacts {
    pub created_ms: Millis,
    /// The latest review, if any.
    pub reviewed_ms: Option<Millis>,
    /// A live entry supersedes it.
    pub superseded: bool,
    /// Its last reviewer did nothing themselves in the window.
    pub reviewer_inactive: bool,
}

/// The time staleness counts from: the last review, or the creation if never reviewed.
pub fn last_reviewed_or_created(created_ms: Millis, reviewed_ms: Option<Millis>) -> Millis {
    reviewed_ms.unwrap_or(created_ms)
}

/// The moment before which the last review (or creation) makes an entry past its review
/// interval: `interval_days` before `now`.
pub fn reviewed_before(now: Millis, interval_days: u64) -> Millis {
    window_start(now, interval_days)
}

/// The start of a window of `days` ending at `now`.
pub fn window_start(now: Millis, days: u64) -> Millis {
    now.saturating_sub(days as Millis * DAY_MS)
}

/// More than the review interval since the last review (or creation): strictly before
/// `reviewed_before`.
pub fn is_past_review(
    created_ms: Millis,
    reviewed_ms: Option<Millis>,
    reviewed_before: Millis,
) -> bool {
    last_reviewed_or_created(created_ms, reviewed_ms) < reviewed_before
}

/// Past its review interval, superseded by a live entry, or last reviewed by someone no longer
/// active.
pub fn is_stale(facts: &StaleFacts, reviewed_before: Millis) -> bool {
    is_past_review(facts.created_ms, facts.reviewed_ms, reviewed_before)
        || facts.superseded
        || facts.reviewer_inactive
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(created_ms: Millis, reviewed_ms: Option<Millis>) -> StaleFacts {
        StaleFacts {
            created_ms,
            reviewed_ms,
            superseded: false,
            reviewer_inactive: false,
        }
    }

    #[test]
    fn staleness_counts_from_the_last_review() {
        let day = DAY_MS;
        let before = |now| reviewed_before(now, 180);
        assert!(!is_stale(&facts(0, None), before(180 * day)));
        assert!(is_stale(&facts(0, None), before(181 * day)));
        assert!(!is_stale(&facts(0, Some(100 * day)), before(181 * day)));
        let superseded = StaleFacts {
            superseded: true,
            ..facts(0, None)
        };
        assert!(is_stale(&superseded, before(0)));
        let reviewer_gone = StaleFacts {
            reviewer_inactive: true,
            ..facts(0, Some(0))
        };
        assert!(is_stale(&reviewer_gone, before(0)));
    }
}
