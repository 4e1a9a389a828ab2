//! The figures computed from a [`Snapshot`]: contributions, domain facts, waiting questions,
//! recurring candidates, staleness and the activities of members.

use std::collections::BTreeSet;

use rusqlite::Connection;
use rustc_hash::FxHashMap as HashMap;

use super::{NONE, Snapshot, flag};
use crate::community::ActivityKind as K;
use crate::model::EntrySeq;
use crate::model::Kind;
use crate::model::community::{Contribution, DomainFacts, StaleDomain, WaitingQuestion};
use crate::model::practice::Candidate;
use crate::rules::staleness::{self, StaleFacts};
use crate::rules::{domain, recurrence};
use crate::store::practice::Activity;
use crate::timefmt::Millis;

/// A question waiting for an answer or for one to be accepted, as numbers:
/// [`Snapshot::waiting_question`] makes the shown ones whole.
#[derive(Debug, Clone, Copy)]
pub struct Waiting {
    pub seq: u32,
    pub domain: u32,
    pub created_ms: Millis,
    pub replies: u64,
    pub occurrences: u64,
}

/// A recurring, undocumented problem or question, as numbers: [`Snapshot::candidate`] makes
/// the shown ones whole.
#[derive(Debug, Clone, Copy)]
pub struct Recurring {
    pub seq: u32,
    pub domain: u32,
    pub occurrences: u64,
    pub members: u64,
}

impl Snapshot {
    /// Per domain: whether it is within `filter` ([`domain::is_within_or_all`]).
    fn within(&self, filter: &str) -> Vec<bool> {
        self.domains
            .names()
            .iter()
            .map(|d| domain::is_within_or_all(d, filter))
            .collect()
    }

    fn live(&self, seq: u32, within: &[bool]) -> bool {
        is_live(&self.entry(seq), within)
    }

    /// The present entries, with their seqs.
    fn rows(&self) -> impl Iterator<Item = (u32, super::Entry)> {
        self.states
            .iter()
            .enumerate()
            .filter(|(_, state)| **state & flag::PRESENT != 0)
            .map(|(s, _)| (s as u32, self.entry(s as u32)))
    }

    fn occurrences_of(&self, seq: u32) -> u64 {
        match self.seen.binary_search_by_key(&seq, |s| s.0) {
            Ok(i) => u64::from(self.seen[i].1),
            Err(_) => 0,
        }
    }

    /// See [`crate::store::analysis::contributions`] for the weights.
    pub fn contributions(&self, filter: &str, since: Millis) -> Vec<Contribution> {
        let within = self.within(filter);
        let mut sums: HashMap<(u32, u32), (u64, u64)> = HashMap::default();
        let mut add = |domain: u32, member: u32, w: u64, expert: u64, at: Millis| {
            if at >= since {
                let s = sums.entry((domain, member)).or_default();
                s.0 += w;
                s.1 += expert;
            }
        };
        for (seq, e) in self.rows() {
            if !is_live(&e, &within) {
                continue;
            }
            let doc = e.is(flag::DOC);
            add(
                e.domain,
                e.author,
                if doc { 5 } else { 3 },
                u64::from(doc),
                e.created_ms,
            );
            if let Some(super::Review {
                by: Some(by),
                at: Some(at),
            }) = self.reviews.get(&seq)
            {
                add(e.domain, *by, 2, 0, *at);
            }
        }
        for r in &self.replies {
            if !r.deleted && r.accepted && self.live(r.entry, &within) {
                add(self.entry(r.entry).domain, r.author, 4, 1, r.created_ms);
            }
        }
        for h in &self.endorsements {
            if !self.live(h.entry, &within) {
                continue;
            }
            let e = self.entry(h.entry);
            if h.reply == NONE {
                add(e.domain, e.author, 1, 0, h.at_ms);
            } else if !self.replies[h.reply as usize].deleted {
                add(
                    e.domain,
                    self.replies[h.reply as usize].author,
                    1,
                    0,
                    h.at_ms,
                );
            }
        }
        let mut out: Vec<Contribution> = sums
            .into_iter()
            .map(|((domain, member), (score, expert))| Contribution {
                domain: self.domains.get(domain).to_owned(),
                member: self.members.get(member).to_owned(),
                score,
                expert_evidence: expert,
            })
            .collect();
        out.sort_by(|a, b| a.domain.cmp(&b.domain).then(a.member.cmp(&b.member)));
        out
    }

    /// Members as they show, by number.
    pub fn member_names(&self) -> &[String] {
        self.members.names()
    }

    /// Domains by number.
    pub fn domain_names(&self) -> &[String] {
        self.domains.names()
    }

    /// Every contribution in the repertoire, live records only, for participation levels:
    /// entries and docs, replies and accepted replies, occurrences, reviews, endorsements given
    /// (by the endorser) and received (by the author of what was endorsed). Given as (member,
    /// domain, what, when), numbers as in [`Snapshot::member_names`] and
    /// [`Snapshot::domain_names`], without building a list of them.
    pub fn each_activity(&self, mut f: impl FnMut(u32, u32, K, Millis)) {
        let deleted = |seq: u32| self.is(seq, flag::DELETED);
        for (seq, e) in self.rows() {
            if e.is(flag::DELETED) {
                continue;
            }
            let what = if e.is(flag::DOC) { K::Doc } else { K::Entry };
            f(e.author, e.domain, what, e.created_ms);
            if let Some(super::Review {
                by: Some(by),
                at: Some(at),
            }) = self.reviews.get(&seq)
            {
                f(*by, e.domain, K::Review, *at);
            }
        }
        for r in &self.replies {
            if !r.deleted && !deleted(r.entry) {
                let what = if r.accepted {
                    K::AcceptedReply
                } else {
                    K::Reply
                };
                f(r.author, self.entry(r.entry).domain, what, r.created_ms);
            }
        }
        for o in &self.occurrences {
            if !deleted(o.entry) {
                f(o.member, self.entry(o.entry).domain, K::Occurrence, o.at_ms);
            }
        }
        for h in &self.endorsements {
            if deleted(h.entry) {
                continue;
            }
            let e = self.entry(h.entry);
            let author = if h.reply == NONE {
                e.author
            } else if !self.replies[h.reply as usize].deleted {
                self.replies[h.reply as usize].author
            } else {
                continue;
            };
            f(h.member, e.domain, K::EndorsementGiven, h.at_ms);
            f(author, e.domain, K::EndorsementReceived, h.at_ms);
        }
    }

    /// [`Snapshot::each_activity`] as a list, names shared.
    pub fn activities(&self) -> Vec<Activity> {
        let share = |names: &[String]| -> Vec<std::sync::Arc<str>> {
            names.iter().map(|n| n.as_str().into()).collect()
        };
        let (members, domains) = (share(self.members.names()), share(self.domains.names()));
        let mut out = Vec::new();
        self.each_activity(|member, domain, what, at| {
            out.push(Activity {
                member: members[member as usize].clone(),
                domain: domains[domain as usize].clone(),
                what,
                at,
            });
        });
        out
    }

    /// The members who did something themselves since `since`: an entry, a reply, an
    /// occurrence, a review or an endorsement given (deleted records included: they acted).
    pub fn active_members(&self, since: Millis) -> BTreeSet<String> {
        self.active_member_ids(since)
            .iter()
            .enumerate()
            .filter(|(_, active)| **active)
            .map(|(i, _)| self.members.get(i as u32).to_owned())
            .collect()
    }

    /// [`Snapshot::active_members`], by member number.
    fn active_member_ids(&self, since: Millis) -> Vec<bool> {
        let mut ids = vec![false; self.members.names().len()];
        for (seq, e) in self.rows() {
            if e.created_ms >= since {
                ids[e.author as usize] = true;
            }
            if let Some(super::Review {
                by: Some(by),
                at: Some(at),
            }) = self.reviews.get(&seq)
                && *at >= since
            {
                ids[*by as usize] = true;
            }
        }
        let acted = self
            .replies
            .iter()
            .filter(|r| r.created_ms >= since)
            .map(|r| r.author)
            .chain(
                self.occurrences
                    .iter()
                    .filter(|o| o.at_ms >= since)
                    .map(|o| o.member),
            )
            .chain(
                self.endorsements
                    .iter()
                    .filter(|h| h.at_ms >= since)
                    .map(|h| h.member),
            );
        for m in acted {
            ids[m as usize] = true;
        }
        ids
    }

    pub fn domain_facts(
        &self,
        filter: &str,
        min_occurrences: u64,
        since: Millis,
    ) -> Vec<DomainFacts> {
        let within = self.within(filter);
        let mut facts: HashMap<u32, DomainFacts> = HashMap::default();
        let mut kinds: HashMap<(u32, u32), u64> = HashMap::default();
        for (seq, e) in self.rows() {
            if !is_live(&e, &within) {
                continue;
            }
            let f = facts.entry(e.domain).or_default();
            *kinds.entry((e.domain, e.kind)).or_default() += 1;
            if e.is(flag::QUESTION) && !self.duplicates.contains(&seq) {
                match (e.is(flag::RESOLVED), self.live_replies_of(seq)) {
                    (true, _) => f.resolved_questions += 1,
                    (_, 0) => f.open_questions += 1,
                    _ => f.answered_questions += 1,
                }
            }
        }
        for &(seq, count, members) in &self.seen {
            let e = self.entry(seq);
            if e.is(flag::HAS_STATUS)
                && is_live(&e, &within)
                && recurrence::is_recurring(u64::from(count), u64::from(members), min_occurrences)
                && let Some(f) = facts.get_mut(&e.domain)
            {
                f.recurring += 1;
            }
        }
        for o in &self.occurrences {
            if o.at_ms >= since
                && self.live(o.entry, &within)
                && let Some(f) = facts.get_mut(&self.entry(o.entry).domain)
            {
                f.recent_occurrences += 1;
            }
        }
        for ((domain, kind), n) in kinds {
            if let Some(f) = facts.get_mut(&domain) {
                f.entries_by_kind.insert(self.kinds.get(kind).to_owned(), n);
            }
        }
        let mut out: Vec<DomainFacts> = facts
            .into_iter()
            .map(|(domain, mut f)| {
                f.domain = self.domains.get(domain).to_owned();
                f
            })
            .collect();
        out.sort_by(|a, b| a.domain.cmp(&b.domain));
        out
    }

    /// Open questions without replies created before `unanswered_before`, and questions with
    /// replies but not resolved created before `unresolved_before`, in no order.
    pub fn waiting(
        &self,
        filter: &str,
        unanswered_before: Millis,
        unresolved_before: Millis,
    ) -> Vec<Waiting> {
        let within = self.within(filter);
        let mut found = Vec::new();
        for (seq, e) in self.rows() {
            if !e.is(flag::QUESTION)
                || e.is(flag::RESOLVED)
                || !is_live(&e, &within)
                || self.duplicates.contains(&seq)
            {
                continue;
            }
            let replies = u64::from(self.live_replies_of(seq));
            let before = if replies == 0 {
                unanswered_before
            } else {
                unresolved_before
            };
            if e.created_ms < before {
                found.push(Waiting {
                    seq,
                    domain: e.domain,
                    created_ms: e.created_ms,
                    replies,
                    occurrences: self.occurrences_of(seq),
                });
            }
        }
        found
    }

    /// A waiting question whole, without its title (read later, for the shown ones only).
    pub fn waiting_question(&self, w: &Waiting) -> WaitingQuestion {
        WaitingQuestion {
            id: self.id_text(w.seq),
            title: String::new(),
            domain: self.domains.get(w.domain).to_owned(),
            author: self.members.get(self.entry(w.seq).author).to_owned(),
            created_ms: w.created_ms,
            replies: w.replies,
            occurrences: w.occurrences,
        }
    }

    /// [`Snapshot::waiting`] whole, oldest first.
    #[cfg(test)]
    pub fn waiting_questions(
        &self,
        filter: &str,
        unanswered_before: Millis,
        unresolved_before: Millis,
    ) -> Vec<WaitingQuestion> {
        let mut found = self.waiting(filter, unanswered_before, unresolved_before);
        found.sort_by(|a, b| {
            a.created_ms
                .cmp(&b.created_ms)
                .then(self.cmp_ids(a.seq, b.seq))
        });
        found.iter().map(|w| self.waiting_question(w)).collect()
    }

    /// Recurring problems and questions (at least `min` occurrences from two or more members)
    /// that no live doc documents, in no order.
    pub fn recurring(&self, filter: &str, min: u64) -> Vec<Recurring> {
        let within = self.within(filter);
        self.seen
            .iter()
            .filter(|&&(seq, count, members)| {
                recurrence::is_recurring(u64::from(count), u64::from(members), min)
                    && self.is(seq, flag::HAS_STATUS)
                    && self.live(seq, &within)
                    && !self.documented.contains(&seq)
            })
            .map(|&(seq, count, members)| Recurring {
                seq,
                domain: self.entry(seq).domain,
                occurrences: u64::from(count),
                members: u64::from(members),
            })
            .collect()
    }

    /// A recurring candidate whole, without its title or short id.
    pub fn candidate(&self, c: &Recurring) -> Candidate {
        Candidate {
            id: self.id_text(c.seq),
            short_id: String::new(),
            kind: Kind::from_stored(self.kinds.get(self.entry(c.seq).kind)),
            title: String::new(),
            domain: self.domains.get(c.domain).to_owned(),
            occurrences: c.occurrences,
            members: c.members,
        }
    }

    /// [`Snapshot::recurring`], most frequent first, each with its title.
    pub fn undocumented_recurring(
        &self,
        conn: &Connection,
        filter: &str,
        min: u64,
    ) -> anyhow::Result<Vec<Candidate>> {
        let mut found = self.recurring(filter, min);
        found.sort_by(|a, b| {
            b.occurrences
                .cmp(&a.occurrences)
                .then(b.members.cmp(&a.members))
                .then(self.cmp_ids(a.seq, b.seq))
        });
        let mut lookup = conn.prepare_cached("SELECT title FROM entries WHERE seq = ?1")?;
        found
            .iter()
            .map(|c| {
                let mut whole = self.candidate(c);
                whole.title = lookup.query_row([c.seq], |r| r.get(0))?;
                Ok(whole)
            })
            .collect()
    }

    /// Each live entry in `filter` that is stale ([`staleness::is_stale`]), with when it was
    /// last reviewed, members compared by identity: an entry reviewed by `Ana` is not stale
    /// while `ana` is active.
    fn each_stale(
        &self,
        filter: &str,
        reviewed_before: Millis,
        active_since: Millis,
        mut f: impl FnMut(u32, super::Entry, Option<Millis>),
    ) {
        let within = self.within(filter);
        let active = self.active_member_ids(active_since);
        for (seq, e) in self.rows() {
            if !is_live(&e, &within) {
                continue;
            }
            let review = self.reviews.get(&seq);
            let reviewed_ms = review.and_then(|r| r.at);
            let stale = staleness::is_stale(
                &StaleFacts {
                    created_ms: e.created_ms,
                    reviewed_ms,
                    superseded: self.superseded.contains(&seq),
                    reviewer_inactive: review
                        .and_then(|r| r.by)
                        .is_some_and(|by| !active[by as usize]),
                },
                reviewed_before,
            );
            if stale {
                f(seq, e, reviewed_ms);
            }
        }
    }

    /// The row ids of the stale live entries in `filter`, for `rep list --stale`: the same
    /// entries as the stale gaps count.
    pub fn stale_seqs(
        &self,
        filter: &str,
        reviewed_before: Millis,
        active_since: Millis,
    ) -> Vec<EntrySeq> {
        let mut out = Vec::new();
        self.each_stale(filter, reviewed_before, active_since, |seq, _, _| {
            out.push(EntrySeq::from_row(i64::from(seq)));
        });
        out
    }

    /// Stale entries per domain: not reviewed since `reviewed_before` (or created before it if
    /// never reviewed), superseded by a live entry, or last reviewed by someone inactive since
    /// `active_since`. The oldest three of each domain are named as evidence.
    pub fn stale_by_domain(
        &self,
        conn: &Connection,
        filter: &str,
        reviewed_before: Millis,
        active_since: Millis,
    ) -> anyhow::Result<Vec<StaleDomain>> {
        /// How many of a domain's stale entries are named.
        const NAMED: usize = 3;
        /// A domain's stale entries counted as they pass, and the oldest kept: by when they
        /// were last reviewed (or created), with every entry tied with the third, since ties
        /// go by id and ids are read only for these.
        #[derive(Default)]
        struct Tally {
            stale: u64,
            oldest: Vec<(Millis, u32)>,
        }
        let mut by_domain: HashMap<u32, Tally> = HashMap::default();
        self.each_stale(filter, reviewed_before, active_since, |seq, e, reviewed| {
            let since = staleness::last_reviewed_or_created(e.created_ms, reviewed);
            let tally = by_domain.entry(e.domain).or_default();
            tally.stale += 1;
            let oldest = &mut tally.oldest;
            if oldest.len() >= NAMED && since > oldest[NAMED - 1].0 {
                return;
            }
            let at = oldest.partition_point(|(s, _)| *s <= since);
            oldest.insert(at, (since, seq));
            if oldest.len() > NAMED {
                let third = oldest[NAMED - 1].0;
                let keep = oldest.partition_point(|(s, _)| *s <= third);
                oldest.truncate(keep);
            }
        });
        let mut lookup = conn.prepare_cached("SELECT id FROM entries WHERE seq = ?1")?;
        let mut out = Vec::with_capacity(by_domain.len());
        for (domain, tally) in by_domain {
            let mut named = tally
                .oldest
                .iter()
                .map(|(since, seq)| Ok((*since, lookup.query_row([seq], |r| r.get(0))?)))
                .collect::<anyhow::Result<Vec<(Millis, String)>>>()?;
            named.sort_unstable();
            named.truncate(NAMED);
            out.push(StaleDomain {
                domain: self.domains.get(domain).to_owned(),
                stale: tally.stale,
                oldest: named.into_iter().map(|(_, id)| id).collect(),
            });
        }
        out.sort_by(|a, b| a.domain.cmp(&b.domain));
        Ok(out)
    }
}

/// Present, not deleted, and in a domain within the filter (`within`, by domain number).
fn is_live(e: &super::Entry, within: &[bool]) -> bool {
    e.flags & (flag::PRESENT | flag::DELETED) == flag::PRESENT && within[e.domain as usize]
}
