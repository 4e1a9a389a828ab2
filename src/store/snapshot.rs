//! One pass over the compact facts of a repertoire (who did what, where, when), from which the
//! map and the gaps are computed in memory. Each figure used to be its own scan of `entries`;
//! at 100,000 entries that made `rep gaps` take most of a second. The entry scan reads only the
//! covering index `entries_for_analysis`, never the rows with their bodies.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use rusqlite::Connection;

use super::practice::Activity;
use crate::identity::{Identities, Spellings};
use crate::model::community::{Contribution, DomainFacts, StaleDomain, WaitingQuestion};
use crate::model::practice::Candidate;
use crate::model::{Kind, LinkKind};
use crate::rules::staleness::{self, StaleFacts};
use crate::rules::{domain, kinds, recurrence};
use crate::timefmt::Millis;

/// Interned strings: domains and members repeat across 100,000 rows.
#[derive(Default)]
struct Names {
    index: HashMap<String, u32>,
    names: Vec<String>,
    /// Each member spelling met, with its member's index and when it was first written.
    spellings: HashMap<String, (u32, Millis)>,
}

impl Names {
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(i) = self.index.get(name) {
            return *i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_owned());
        self.index.insert(name.to_owned(), i);
        i
    }

    fn get(&self, i: u32) -> &str {
        &self.names[i as usize]
    }

    /// A member's name, interned by its identity (case and aliases: [`crate::identity`]), so
    /// that every spelling of one member counts as one; it shows as first written once
    /// [`Names::settle_members`] has run. The NUL that leads the key keeps members apart from
    /// domains and kinds, which never hold one. Each spelling is folded once, not once a row.
    fn intern_member(&mut self, identities: &Identities, name: &str, at: Millis) -> u32 {
        if let Some((i, first)) = self.spellings.get_mut(name) {
            *first = (*first).min(at);
            return *i;
        }
        let i = self.intern(&format!("\0{}", identities.key(name)));
        self.spellings.insert(name.to_owned(), (i, at));
        i
    }

    fn settle_members(&mut self, identities: Identities) {
        let mut shown = Spellings::new(identities);
        for (spelling, (_, first)) in &self.spellings {
            shown.note(spelling, *first);
        }
        for name in &mut self.names {
            if let Some(key) = name.strip_prefix('\0') {
                *name = shown.display(key);
            }
        }
    }
}

struct Entry {
    seq: i64,
    id: String,
    deleted: bool,
    /// `None` for a kind this rep does not know.
    kind: Option<Kind>,
    /// A question or a problem ([`kinds::has_status`]).
    has_status: bool,
    kind_name: u32,
    domain: u32,
    author: u32,
    created_ms: Millis,
    resolved: Option<bool>,
    reviewed_by: Option<u32>,
    reviewed_ms: Option<Millis>,
}

struct Reply {
    entry: usize,
    author: u32,
    accepted: bool,
    deleted: bool,
    created_ms: Millis,
}

struct Occurrence {
    entry: usize,
    member: u32,
    at_ms: Millis,
}

struct Endorsement {
    member: u32,
    at_ms: Millis,
    entry: usize,
    /// The endorsed reply, when it is one.
    reply: Option<usize>,
}

pub struct Snapshot {
    names: Names,
    entries: Vec<Entry>,
    replies: Vec<Reply>,
    occurrences: Vec<Occurrence>,
    endorsements: Vec<Endorsement>,
    /// Entries superseded by a live entry.
    superseded: HashSet<usize>,
    /// Entries that a live doc documents.
    documented: HashSet<usize>,
    /// Live entries linked as a duplicate of another live entry.
    duplicates: HashSet<usize>,
    /// Per entry: its live replies and its occurrences (counts), filled at load.
    live_replies: Vec<u32>,
    occurrence_count: Vec<u32>,
}

fn stamp_ms(stamp: Option<&str>) -> Option<Millis> {
    stamp.and_then(|s| s.get(..13)).and_then(|m| m.parse().ok())
}

impl Snapshot {
    pub fn load(conn: &Connection) -> anyhow::Result<Snapshot> {
        let mut names = Names::default();
        let identities = super::identities(conn)?;
        let mut entries = Vec::new();
        let mut by_seq: HashMap<i64, usize> = HashMap::default();
        // Every column comes from the covering index: the plan never reads the table.
        let mut stmt = conn.prepare(
                                    "SELECT seq, deleted, kind, domain, author, created_ms, resolved, reviewed_by, reviewed_at, id
               FROM entries INDEXED BY entries_for_analysis WHERE deleted IN (0, 1)",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let kind_text = r.get_ref(2)?.as_str()?;
            let kind = Kind::parse(kind_text);
            let created_ms = r.get(5)?;
            let reviewed_ms = stamp_ms(r.get_ref(8)?.as_str_or_null()?);
            let entry = Entry {
                seq: r.get(0)?,
                deleted: r.get(1)?,
                kind,
                has_status: kinds::has_status(kind_text),
                kind_name: names.intern(kind_text),
                domain: names.intern(r.get_ref(3)?.as_str()?),
                author: names.intern_member(&identities, r.get_ref(4)?.as_str()?, created_ms),
                created_ms,
                resolved: r.get(6)?,
                reviewed_by: r.get_ref(7)?.as_str_or_null()?.map(|n| {
                    names.intern_member(&identities, n, reviewed_ms.unwrap_or(created_ms))
                }),
                reviewed_ms,
                id: r.get(9)?,
            };
            by_seq.insert(entry.seq, entries.len());
            entries.push(entry);
        }
        let mut replies = Vec::new();
        let mut reply_by_id: HashMap<String, usize> = HashMap::default();
        let mut stmt = conn
            .prepare("SELECT id, entry_seq, author, accepted, deleted, created_ms FROM replies")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let Some(&entry) = by_seq.get(&r.get::<_, i64>(1)?) else {
                continue;
            };
            reply_by_id.insert(r.get(0)?, replies.len());
            let created_ms = r.get(5)?;
            replies.push(Reply {
                entry,
                author: names.intern_member(&identities, r.get_ref(2)?.as_str()?, created_ms),
                accepted: r.get(3)?,
                deleted: r.get(4)?,
                created_ms,
            });
        }
        let mut occurrences = Vec::new();
        let mut stmt = conn.prepare("SELECT entry_seq, member, at_ms FROM occurrences")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let Some(&entry) = by_seq.get(&r.get::<_, i64>(0)?) else {
                continue;
            };
            let at_ms = r.get(2)?;
            occurrences.push(Occurrence {
                entry,
                member: names.intern_member(&identities, r.get_ref(1)?.as_str()?, at_ms),
                at_ms,
            });
        }
        let mut endorsements = Vec::new();
        // An endorsement names an entry or a reply by id: resolved here through maps of the ids
        // already loaded, which is much cheaper than a B-tree search per endorsement.
        let entry_by_id: HashMap<&str, usize> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.as_str(), i))
            .collect();
        let mut endorsed: HashSet<(u32, usize, Option<usize>)> = HashSet::default();
        let mut stmt = conn.prepare("SELECT member, stamp, record_id FROM endorsements")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let at_ms = stamp_ms(Some(r.get_ref(1)?.as_str()?)).unwrap_or(0);
            let member = names.intern_member(&identities, r.get_ref(0)?.as_str()?, at_ms);
            let record = r.get_ref(2)?.as_str()?;
            let target = match entry_by_id.get(record) {
                Some(e) => Some((*e, None)),
                None => reply_by_id
                    .get(record)
                    .map(|i| (replies[*i].entry, Some(*i))),
            };
            // One member says "this helped" once, whatever spellings they said it under.
            if let Some((entry, reply)) = target
                && endorsed.insert((member, entry, reply))
            {
                endorsements.push(Endorsement {
                    member,
                    at_ms,
                    entry,
                    reply,
                });
            }
        }
        drop(entry_by_id);
        let links = |kind: &str| -> anyhow::Result<HashSet<usize>> {
            let mut stmt = conn.prepare(
                // Links are few: start from them (CROSS JOIN keeps that order), not from entries.
                "SELECT t.seq FROM links l CROSS JOIN entries s ON s.seq = l.source_seq
                   CROSS JOIN entries t ON t.id = l.target_id
                  WHERE l.kind = ?1 AND l.present = 1 AND s.deleted = 0",
            )?;
            let seqs = stmt.query_map([kind], |r| r.get::<_, i64>(0))?;
            let mut out = HashSet::default();
            for seq in seqs {
                if let Some(i) = by_seq.get(&seq?) {
                    out.insert(*i);
                }
            }
            Ok(out)
        };
        names.settle_members(identities);
        let superseded = links(LinkKind::Supersedes.as_str())?;
        let documented = links(LinkKind::Documents.as_str())?;
        // A duplicate forwards its status and its occurrences to its original
        // (community::original_of): it is not open, and what was seen on it counts there.
        let mut duplicate_of: HashMap<usize, usize> = HashMap::default();
        let mut stmt = conn.prepare(
            "SELECT s.seq, t.seq FROM links l CROSS JOIN entries s ON s.seq = l.source_seq
               CROSS JOIN entries t ON t.id = l.target_id
              WHERE l.kind = 'duplicate' AND l.present = 1 AND s.deleted = 0 AND t.deleted = 0
              ORDER BY t.id",
        )?;
        let pairs = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
        for pair in pairs {
            let (source, target) = pair?;
            if let (Some(&s), Some(&t)) = (by_seq.get(&source), by_seq.get(&target)) {
                duplicate_of.entry(s).or_insert(t);
            }
        }
        for o in &mut occurrences {
            if let Some(original) =
                crate::community::original_of(o.entry, |i| duplicate_of.get(&i).copied())
            {
                o.entry = original;
            }
        }
        let duplicates: HashSet<usize> = duplicate_of.into_keys().collect();
        let mut live_replies = vec![0u32; entries.len()];
        for r in &replies {
            if !r.deleted {
                live_replies[r.entry] += 1;
            }
        }
        let mut occurrence_count = vec![0u32; entries.len()];
        for o in &occurrences {
            occurrence_count[o.entry] += 1;
        }
        Ok(Snapshot {
            names,
            entries,
            replies,
            occurrences,
            endorsements,
            superseded,
            documented,
            duplicates,
            live_replies,
            occurrence_count,
        })
    }

    fn live(&self, i: usize, filter: &str) -> bool {
        let e = &self.entries[i];
        !e.deleted && domain::is_within_or_all(self.names.get(e.domain), filter)
    }

    /// See [`super::analysis::contributions`] for the weights.
    pub fn contributions(&self, filter: &str, since: Millis) -> Vec<Contribution> {
        let mut sums: HashMap<(u32, u32), (u64, u64)> = HashMap::default();
        let mut add = |domain: u32, member: u32, w: u64, expert: u64, at: Millis| {
            if at >= since {
                let s = sums.entry((domain, member)).or_default();
                s.0 += w;
                s.1 += expert;
            }
        };
        for (i, e) in self.entries.iter().enumerate() {
            if !self.live(i, filter) {
                continue;
            }
            let doc = e.kind == Some(Kind::Doc);
            add(
                e.domain,
                e.author,
                if doc { 5 } else { 3 },
                u64::from(doc),
                e.created_ms,
            );
            if let (Some(by), Some(at)) = (e.reviewed_by, e.reviewed_ms) {
                add(e.domain, by, 2, 0, at);
            }
        }
        for r in &self.replies {
            if !r.deleted && r.accepted && self.live(r.entry, filter) {
                add(self.entries[r.entry].domain, r.author, 4, 1, r.created_ms);
            }
        }
        for h in &self.endorsements {
            if !self.live(h.entry, filter) {
                continue;
            }
            let e = &self.entries[h.entry];
            match h.reply {
                None => add(e.domain, e.author, 1, 0, h.at_ms),
                Some(r) if !self.replies[r].deleted => {
                    add(e.domain, self.replies[r].author, 1, 0, h.at_ms)
                }
                Some(_) => {}
            }
        }
        let mut out: Vec<Contribution> = sums
            .into_iter()
            .map(|((domain, member), (score, expert))| Contribution {
                domain: self.names.get(domain).to_owned(),
                member: self.names.get(member).to_owned(),
                score,
                expert_evidence: expert,
            })
            .collect();
        out.sort_by(|a, b| a.domain.cmp(&b.domain).then(a.member.cmp(&b.member)));
        out
    }

    /// Every contribution in the repertoire, live records only, for participation levels:
    /// entries and docs, replies and accepted replies, occurrences, reviews, endorsements given
    /// (by the endorser) and received (by the author of what was endorsed).
    pub fn activities(&self) -> Vec<Activity> {
        use crate::community::ActivityKind as K;
        let shared: Vec<std::sync::Arc<str>> =
            self.names.names.iter().map(|n| n.as_str().into()).collect();
        let mut out = Vec::new();
        let mut push = |member: u32, entry: usize, what: K, at: Millis| {
            out.push(Activity {
                member: shared[member as usize].clone(),
                domain: shared[self.entries[entry].domain as usize].clone(),
                what,
                at,
            });
        };
        for (i, e) in self.entries.iter().enumerate() {
            if e.deleted {
                continue;
            }
            push(
                e.author,
                i,
                if e.kind == Some(Kind::Doc) {
                    K::Doc
                } else {
                    K::Entry
                },
                e.created_ms,
            );
            if let (Some(by), Some(at)) = (e.reviewed_by, e.reviewed_ms) {
                push(by, i, K::Review, at);
            }
        }
        for r in &self.replies {
            if !r.deleted && !self.entries[r.entry].deleted {
                push(
                    r.author,
                    r.entry,
                    if r.accepted {
                        K::AcceptedReply
                    } else {
                        K::Reply
                    },
                    r.created_ms,
                );
            }
        }
        for o in &self.occurrences {
            if !self.entries[o.entry].deleted {
                push(o.member, o.entry, K::Occurrence, o.at_ms);
            }
        }
        for h in &self.endorsements {
            if self.entries[h.entry].deleted {
                continue;
            }
            let author = match h.reply {
                None => self.entries[h.entry].author,
                Some(r) if !self.replies[r].deleted => self.replies[r].author,
                Some(_) => continue,
            };
            push(h.member, h.entry, K::EndorsementGiven, h.at_ms);
            push(author, h.entry, K::EndorsementReceived, h.at_ms);
        }
        out
    }

    /// The members who did something themselves since `since`: an entry, a reply, an
    /// occurrence, a review or an endorsement given (deleted records included: they acted).
    pub fn active_members(&self, since: Millis) -> BTreeSet<String> {
        self.active_member_ids(since)
            .into_iter()
            .map(|i| self.names.get(i).to_owned())
            .collect()
    }

    /// [`Snapshot::active_members`], as interned members.
    fn active_member_ids(&self, since: Millis) -> HashSet<u32> {
        let mut ids: HashSet<u32> = HashSet::default();
        for e in &self.entries {
            if e.created_ms >= since {
                ids.insert(e.author);
            }
            if let (Some(by), Some(at)) = (e.reviewed_by, e.reviewed_ms)
                && at >= since
            {
                ids.insert(by);
            }
        }
        ids.extend(
            self.replies
                .iter()
                .filter(|r| r.created_ms >= since)
                .map(|r| r.author),
        );
        ids.extend(
            self.occurrences
                .iter()
                .filter(|o| o.at_ms >= since)
                .map(|o| o.member),
        );
        ids.extend(
            self.endorsements
                .iter()
                .filter(|h| h.at_ms >= since)
                .map(|h| h.member),
        );
        ids
    }

    pub fn domain_facts(
        &self,
        filter: &str,
        min_occurrences: u64,
        since: Millis,
    ) -> Vec<DomainFacts> {
        let mut facts: HashMap<u32, DomainFacts> = HashMap::default();
        let mut kinds: HashMap<(u32, u32), u64> = HashMap::default();
        let mut members_by_entry: HashMap<usize, HashSet<u32>> = HashMap::default();
        for o in &self.occurrences {
            members_by_entry
                .entry(o.entry)
                .or_default()
                .insert(o.member);
        }
        for (i, e) in self.entries.iter().enumerate() {
            if !self.live(i, filter) {
                continue;
            }
            let f = facts.entry(e.domain).or_default();
            *kinds.entry((e.domain, e.kind_name)).or_default() += 1;
            if e.kind == Some(Kind::Question) && !self.duplicates.contains(&i) {
                match (e.resolved, self.live_replies[i]) {
                    (Some(true), _) => f.resolved_questions += 1,
                    (_, 0) => f.open_questions += 1,
                    _ => f.answered_questions += 1,
                }
            }
            let members = members_by_entry.get(&i).map_or(0, |m| m.len() as u64);
            if e.has_status
                && recurrence::is_recurring(
                    u64::from(self.occurrence_count[i]),
                    members,
                    min_occurrences,
                )
            {
                f.recurring += 1;
            }
        }
        for o in &self.occurrences {
            if o.at_ms >= since
                && self.live(o.entry, filter)
                && let Some(f) = facts.get_mut(&self.entries[o.entry].domain)
            {
                f.recent_occurrences += 1;
            }
        }
        for ((domain, kind), n) in kinds {
            if let Some(f) = facts.get_mut(&domain) {
                f.entries_by_kind.insert(self.names.get(kind).to_owned(), n);
            }
        }
        let mut out: Vec<DomainFacts> = facts
            .into_iter()
            .map(|(domain, mut f)| {
                f.domain = self.names.get(domain).to_owned();
                f
            })
            .collect();
        out.sort_by(|a, b| a.domain.cmp(&b.domain));
        out
    }

    /// Open questions without replies created before `unanswered_before`, and questions with
    /// replies but not resolved created before `unresolved_before`; oldest first.
    pub fn waiting_questions(
        &self,
        filter: &str,
        unanswered_before: Millis,
        unresolved_before: Millis,
    ) -> Vec<WaitingQuestion> {
        let mut found = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            if e.kind != Some(Kind::Question)
                || e.resolved == Some(true)
                || !self.live(i, filter)
                || self.duplicates.contains(&i)
            {
                continue;
            }
            let replies = u64::from(self.live_replies[i]);
            let before = if replies == 0 {
                unanswered_before
            } else {
                unresolved_before
            };
            if e.created_ms < before {
                found.push(i);
            }
        }
        let mut out = Vec::with_capacity(found.len());
        // Ids come from the id index alone; titles (in the large rows) are read later, only
        // for the questions shown.
        for i in found {
            let e = &self.entries[i];
            out.push(WaitingQuestion {
                id: e.id.clone(),
                title: String::new(),
                domain: self.names.get(e.domain).to_owned(),
                author: self.names.get(e.author).to_owned(),
                created_ms: e.created_ms,
                replies: u64::from(self.live_replies[i]),
                occurrences: u64::from(self.occurrence_count[i]),
            });
        }
        out.sort_by(|a, b| a.created_ms.cmp(&b.created_ms).then(a.id.cmp(&b.id)));
        out
    }

    /// Recurring problems and questions (at least `min` occurrences from two or more members)
    /// that no live doc documents; most frequent first, each with its title.
    pub fn undocumented_recurring(
        &self,
        conn: &Connection,
        filter: &str,
        min: u64,
    ) -> anyhow::Result<Vec<Candidate>> {
        let mut lookup = conn.prepare_cached("SELECT title FROM entries WHERE seq = ?1")?;
        self.recurring_candidates(filter, min)
            .into_iter()
            .map(|(seq, mut c)| {
                c.title = lookup.query_row([seq], |r| r.get(0))?;
                Ok(c)
            })
            .collect()
    }

    /// [`Snapshot::undocumented_recurring`] without the titles, which live in the large rows:
    /// `rep gaps` reads them only for the few it shows (at 100,000 entries there are thousands
    /// of candidates, and reading every title read four times the pages of the whole analysis).
    pub fn undocumented_recurring_untitled(&self, filter: &str, min: u64) -> Vec<Candidate> {
        self.recurring_candidates(filter, min)
            .into_iter()
            .map(|(_, c)| c)
            .collect()
    }

    /// The candidates of [`Snapshot::undocumented_recurring`], with their row ids and no titles.
    fn recurring_candidates(&self, filter: &str, min: u64) -> Vec<(i64, Candidate)> {
        let mut members_by_entry: HashMap<usize, HashSet<u32>> = HashMap::default();
        for o in &self.occurrences {
            members_by_entry
                .entry(o.entry)
                .or_default()
                .insert(o.member);
        }
        let mut out = Vec::new();
        for (i, members) in members_by_entry {
            let e = &self.entries[i];
            let n = u64::from(self.occurrence_count[i]);
            if !recurrence::is_recurring(n, members.len() as u64, min)
                || !e.has_status
                || !self.live(i, filter)
                || self.documented.contains(&i)
            {
                continue;
            }
            out.push((
                e.seq,
                Candidate {
                    id: e.id.clone(),
                    short_id: String::new(),
                    kind: Kind::from_stored(self.names.get(e.kind_name)),
                    title: String::new(),
                    domain: self.names.get(e.domain).to_owned(),
                    occurrences: n,
                    members: members.len() as u64,
                },
            ));
        }
        out.sort_by(|(_, a), (_, b)| {
            b.occurrences
                .cmp(&a.occurrences)
                .then(b.members.cmp(&a.members))
                .then(a.id.cmp(&b.id))
        });
        out
    }

    /// The live entries in `filter` that are stale ([`staleness::is_stale`]), members compared
    /// by identity: an entry reviewed by `Ana` is not stale while `ana` is active.
    fn stale(&self, filter: &str, reviewed_before: Millis, active_since: Millis) -> Vec<usize> {
        let active = self.active_member_ids(active_since);
        (0..self.entries.len())
            .filter(|&i| self.live(i, filter))
            .filter(|&i| {
                let e = &self.entries[i];
                staleness::is_stale(
                    &StaleFacts {
                        created_ms: e.created_ms,
                        reviewed_ms: e.reviewed_ms,
                        superseded: self.superseded.contains(&i),
                        reviewer_inactive: e.reviewed_by.is_some_and(|by| !active.contains(&by)),
                    },
                    reviewed_before,
                )
            })
            .collect()
    }

    /// The row ids of the stale live entries in `filter`, for `rep list --stale`: the same
    /// entries as the stale gaps count.
    pub fn stale_seqs(
        &self,
        filter: &str,
        reviewed_before: Millis,
        active_since: Millis,
    ) -> Vec<i64> {
        self.stale(filter, reviewed_before, active_since)
            .into_iter()
            .map(|i| self.entries[i].seq)
            .collect()
    }

    /// Stale entries per domain: not reviewed since `reviewed_before` (or created before it if
    /// never reviewed), superseded by a live entry, or last reviewed by someone inactive since
    /// `active_since`. The oldest three of each domain are named as evidence.
    pub fn stale_by_domain(
        &self,
        filter: &str,
        reviewed_before: Millis,
        active_since: Millis,
    ) -> Vec<StaleDomain> {
        let mut by_domain: BTreeMap<&str, Vec<(Millis, usize)>> = BTreeMap::new();
        for i in self.stale(filter, reviewed_before, active_since) {
            let e = &self.entries[i];
            let since = staleness::last_reviewed_or_created(e.created_ms, e.reviewed_ms);
            by_domain
                .entry(self.names.get(e.domain))
                .or_default()
                .push((since, i));
        }
        let mut out = Vec::new();
        for (domain, mut stale) in by_domain {
            let order = |a: &(Millis, usize), b: &(Millis, usize)| {
                a.0.cmp(&b.0)
                    .then(self.entries[a.1].id.cmp(&self.entries[b.1].id))
            };
            // Only the oldest three are named: partition around the third, then sort those
            // three, rather than sort tens of thousands.
            let named = stale.len().min(3);
            if stale.len() > named {
                stale.select_nth_unstable_by(named - 1, order);
            }
            stale[..named].sort_unstable_by(order);
            out.push(StaleDomain {
                domain: domain.to_owned(),
                stale: stale.len() as u64,
                oldest: stale[..named]
                    .iter()
                    .map(|(_, i)| self.entries[*i].id.clone())
                    .collect(),
            });
        }
        out
    }
}
