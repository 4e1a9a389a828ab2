//! An entry with everything around it (status, replies, occurrences, links, review): what
//! `rep show` prints and what every command that changes a thread answers with.

use crate::community;
use crate::model::EntrySeq;
use crate::model::practice::Thread;
use crate::model::{LinkDirection, LinkKind};
use crate::rules::staleness;
use crate::store::entries;
use crate::store::practice;
use crate::timefmt::{self, Millis};
use rusqlite::Connection;

/// The community's settings a thread's status depends on.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub now: Millis,
    pub min_occurrences: u64,
    pub review_interval_days: u64,
}

/// The thread of the entry at row `seq`.
pub fn load(c: &Connection, seq: EntrySeq, settings: Settings) -> anyhow::Result<Thread> {
    let Settings {
        now,
        min_occurrences: min,
        review_interval_days: interval,
    } = settings;
    let entry = entries::load(c, seq)?;
    let facts = practice::facts(c, seq)?;
    let replies = practice::replies(c, seq)?;
    let occurrences = practice::occurrences(c, seq)?;
    let links = practice::links(c, seq, &entry.id)?;
    let superseded = links
        .iter()
        .any(|l| l.kind == LinkKind::Supersedes && l.direction == LinkDirection::From);
    let duplicate = links
        .iter()
        .any(crate::model::practice::LinkView::makes_a_duplicate);
    Ok(Thread {
        status: community::status(&entry.kind, facts.resolved, replies.len() as u64, duplicate),
        recurring: crate::rules::recurrence::is_recurring(
            occurrences.count,
            occurrences.members,
            min,
        ),
        documented: practice::is_documented(c, &entry.id)?,
        helped: practice::helped_count(c, &entry.id)?,
        // The first two conditions only (docs/community.md): the reviewer's activity needs
        // the whole repertoire.
        stale: staleness::is_stale(
            &staleness::StaleFacts {
                created_ms: facts.created_ms,
                reviewed_ms: facts.reviewed_ms,
                superseded,
                reviewer_inactive: false,
            },
            staleness::reviewed_before(now, interval),
        ),
        reviewed_at: facts.reviewed_ms.map(timefmt::rfc3339),
        reviewed_by: facts.reviewed_by,
        entry,
        replies,
        occurrences,
        links,
    })
}
