//! A reply's replicated state and its join.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::Versioned;
use super::join::{bound_helped, join_helped, max_versioned};
use crate::clock::Stamp;
use crate::limits::{self, keep_newest};

/// A reply to an entry: an answer, a solution or a comment. A record of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyRecord {
    pub id: String,
    /// The entry replied to.
    pub entry: String,
    pub created_at: String,
    pub author: String,
    pub body: String,
    /// The stamp of the edit that set `body`; absent while the body is the one first written
    /// (format 1.0 had no other), which ranks before every edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_at: Option<Stamp>,
    /// Who made that edit; present exactly when `body_at` is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_by: Option<String>,
    /// Bodies the reply held before, bounded as an entry's history is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revisions: Vec<ReplyRevision>,
    pub accepted: Versioned<bool>,
    pub deleted: Versioned<bool>,
    /// "This helped me": member -> stamp of the first time they said so.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub helped: BTreeMap<String, Stamp>,
}

/// A body a reply held before. The first body has no stamp and no editor: it was written with
/// the reply, by its author.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyRevision {
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Stamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

impl ReplyRevision {
    /// Which of two bodies is current: the later edit, then the revision's own order.
    fn newer(&self, other: &ReplyRevision) -> std::cmp::Ordering {
        self.at.cmp(&other.at).then_with(|| self.cmp(other))
    }
}

impl ReplyRecord {
    pub fn max_stamp(&self) -> &Stamp {
        [&self.accepted.at, &self.deleted.at]
            .into_iter()
            .chain(self.body_at.iter())
            .chain(self.revisions.iter().filter_map(|r| r.at.as_ref()))
            .chain(self.helped.values())
            .max()
            .unwrap_or(&self.deleted.at)
    }

    /// The current body, as the revision it would become when replaced.
    pub fn current_body(&self) -> ReplyRevision {
        ReplyRevision {
            value: self.body.clone(),
            at: self.body_at.clone(),
            by: self.body_by.clone(),
        }
    }

    fn set_body(&mut self, r: ReplyRevision) {
        self.body = r.value;
        self.body_at = r.at;
        self.body_by = r.by;
    }

    /// Every body this record knows of, the current one included.
    pub(super) fn known_bodies(&self) -> BTreeSet<ReplyRevision> {
        let mut all: BTreeSet<ReplyRevision> = self.revisions.iter().cloned().collect();
        all.insert(self.current_body());
        all
    }
}

/// Join two states of one reply: the body is a versioned value with its history, as an entry's
/// fields are; flags are last-writer-wins; endorsements are a union keeping each member's first
/// stamp; the facts set at creation, should two files disagree, keep the smaller.
pub fn join_reply(a: &ReplyRecord, b: &ReplyRecord) -> ReplyRecord {
    let mut out = a.clone();
    let key = |r: &ReplyRecord| (r.created_at.clone(), r.author.clone(), r.entry.clone());
    if key(b) < key(a) {
        (out.created_at, out.author, out.entry) = key(b);
    }
    let mut bodies: Vec<ReplyRevision> =
        a.known_bodies().union(&b.known_bodies()).cloned().collect();
    let newest = (0..bodies.len())
        .max_by(|&x, &y| bodies[x].newer(&bodies[y]))
        .expect("a reply has a body");
    out.set_body(bodies.swap_remove(newest));
    out.revisions = bound_reply_history(bodies);
    out.accepted = max_versioned(&a.accepted, &b.accepted);
    out.deleted = max_versioned(&a.deleted, &b.deleted);
    join_helped(&mut out.helped, &b.helped);
    bound_helped(&mut out.helped);
    out
}

/// The bodies a reply keeps of those it no longer holds: the same rule as an entry's history
/// (docs/format.md, "History"), so a reply can never outgrow the line an entry fits in.
fn bound_reply_history(history: Vec<ReplyRevision>) -> Vec<ReplyRevision> {
    let (mut small, mut large): (Vec<ReplyRevision>, Vec<ReplyRevision>) = history
        .into_iter()
        .partition(|r| !limits::revisions_kept(limits::escaped_len(&r.value)).0);
    let newest_first = |x: &ReplyRevision, y: &ReplyRevision| y.newer(x);
    keep_newest(&mut small, limits::SMALL_REVISIONS, newest_first);
    keep_newest(&mut large, limits::LARGE_REVISIONS, newest_first);
    small.append(&mut large);
    small.sort();
    small
}
