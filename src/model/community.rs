//! The `--json` shapes of what rep reads out of the community's activity: the map's domain facts
//! and contributions, search misses, who has dealt with what, and weekly activity.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::timefmt::Millis;

/// Contribution score per (domain, member) since a time, with how much of it is expert evidence
/// (accepted replies and docs). Weights: doc 5, accepted reply 4, entry 3, review 2,
/// endorsement received 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contribution {
    pub domain: String,
    pub member: String,
    pub score: u64,
    /// Accepted replies and docs.
    pub expert_evidence: u64,
}

/// What a domain holds and asks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DomainFacts {
    pub domain: String,
    pub entries_by_kind: BTreeMap<String, u64>,
    pub open_questions: u64,
    pub answered_questions: u64,
    pub resolved_questions: u64,
    /// Problems and questions with enough occurrences from two or more members.
    pub recurring: u64,
    /// Occurrences recorded since the window start.
    pub recent_occurrences: u64,
}

/// A question waiting for an answer or for one to be accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaitingQuestion {
    pub id: String,
    pub title: String,
    pub domain: String,
    pub author: String,
    pub created_ms: Millis,
    pub replies: u64,
    pub occurrences: u64,
}

/// Entries per domain that are stale: not reviewed since `reviewed_before` (or created before it
/// if never reviewed), superseded, or last reviewed by someone no longer active.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaleDomain {
    pub domain: String,
    pub stale: u64,
    /// The oldest few, as evidence.
    pub oldest: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Miss {
    pub words: String,
    /// The words as the member typed them, when recorded (schema 8 on).
    pub typed: Option<String>,
    /// The domain searched in, or empty for all.
    pub domain: String,
    pub count: u64,
    pub last_ms: Millis,
}

/// Work that matches a full-text query, for `rep who`: who wrote it, how, and how well it matches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchedWork {
    pub member: String,
    /// `authored`, `answered` or `accepted`.
    pub how: &'static str,
    pub entry_id: String,
    pub title: String,
    /// -bm25 over the best match's of the same index (entries, or reply bodies): 1 for the
    /// best, lower for worse. bm25 is only comparable within one index, and nearly 0 for words
    /// that most documents hold, so raw figures from the two indexes cannot be mixed.
    pub relevance: f64,
}

/// Weekly activity of a domain (or all), for `rep stats`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Week {
    /// Monday of the week, `YYYY-MM-DD`.
    pub week: String,
    pub entries: u64,
    pub questions_asked: u64,
    pub questions_resolved: u64,
    pub occurrences: u64,
    /// Median hours from a question to its first reply, for questions asked that week.
    pub median_hours_to_first_answer: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct DomainStats {
    pub domain: String,
    pub weeks: Vec<Week>,
}

#[derive(Debug, Serialize)]
pub struct Expert {
    pub member: String,
    /// Sum over matching work of weight × relevance (relevance 0–1, best match 1).
    pub score: f64,
    pub authored: u64,
    pub answered: u64,
    pub accepted: u64,
    /// The matching entries, best first (at most 5).
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Serialize)]
pub struct Evidence {
    pub id: String,
    pub title: String,
    pub how: &'static str,
}

/// Who carries a domain, from contributions in the window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DomainPeople {
    /// Contribution points per member, members no longer active included (their old work can
    /// still be endorsed in the window).
    pub scores: BTreeMap<String, u64>,
    /// The points of the members active in the window: what the core is measured against.
    pub active_points: u64,
    /// The fewest active members whose points reach half of `active_points`, highest first.
    pub core: Vec<String>,
    /// Core members with at least one accepted reply or doc in the window.
    pub experts: Vec<String>,
    /// The number of core members: the fewest active members holding half the contributions.
    pub bus_factor: usize,
}

#[derive(Debug, Serialize)]
pub struct Map {
    pub since: String,
    /// Members ordered by total contribution.
    pub members: Vec<String>,
    pub domains: Vec<DomainMap>,
}

#[derive(Debug, Serialize)]
pub struct DomainMap {
    #[serde(flatten)]
    pub facts: DomainFacts,
    #[serde(flatten)]
    pub people: DomainPeople,
}
