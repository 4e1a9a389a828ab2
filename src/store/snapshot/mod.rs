//! One pass over the compact facts of a repertoire (who did what, where, when), from which the
//! map, the gaps and the members' figures are computed in memory ([`figures`]). Each figure
//! used to be its own scan of `entries`; at 100,000 entries that made `rep gaps` take most of a
//! second. The entry scan reads only the covering index `entries_for_analysis`, never the rows
//! with their bodies.
//!
//! Everything is kept by row id in arrays of numbers: entries at their `seq`, names interned
//! ([`names`]), ids packed. Keyed by id strings in hash maps, a million entries took 300 to
//! 400 MB and most of the time went to hashing and allocating.

mod figures;
mod names;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use rusqlite::Connection;

use crate::model::{Kind, LinkKind};
use crate::rules::kinds;
use crate::timefmt::Millis;
use names::{IdRef, Interned, Members, pack_id};

pub use figures::{Recurring, Waiting};

/// No entry, no reply: for the numbers that name one.
const NONE: u32 = u32::MAX;

/// What an entry is, as bits: the first three its own ([`Snapshot::states`]), the others its
/// kind's ([`Class`]).
mod flag {
    /// A row with this seq exists.
    pub const PRESENT: u8 = 1;
    pub const DELETED: u8 = 2;
    pub const RESOLVED: u8 = 4;
    /// A question or a problem ([`crate::rules::kinds::has_status`]).
    pub const HAS_STATUS: u8 = 8;
    pub const QUESTION: u8 = 16;
    pub const DOC: u8 = 32;
}

/// An entry as kept: 16 bytes, a million of them 16 MB. Its domain and kind are one number,
/// a [`Class`], since a repertoire has few pairs of them.
#[derive(Clone, Copy, Default)]
struct Stored {
    created_ms: Millis,
    author: u32,
    class: u32,
}

/// A domain and a kind met together, with the kind's flags.
#[derive(Clone, Copy)]
struct Class {
    domain: u32,
    kind: u32,
    flags: u8,
}

/// An entry as the figures read it: [`Stored`] with its class and state put back together.
#[derive(Clone, Copy)]
struct Entry {
    created_ms: Millis,
    author: u32,
    domain: u32,
    kind: u32,
    flags: u8,
}

impl Entry {
    fn is(&self, bit: u8) -> bool {
        self.flags & bit != 0
    }
}

/// An entry's latest review: kept apart, since most entries have none.
#[derive(Clone, Copy)]
struct Review {
    by: Option<u32>,
    at: Option<Millis>,
}

struct Reply {
    entry: u32,
    author: u32,
    accepted: bool,
    deleted: bool,
    created_ms: Millis,
}

struct Occurrence {
    entry: u32,
    member: u32,
    at_ms: Millis,
}

struct Endorsement {
    member: u32,
    at_ms: Millis,
    entry: u32,
    /// The endorsed reply, when it is one ([`NONE`] otherwise).
    reply: u32,
}

/// The ids of the questions and problems, the entries the gaps rank and name by id: by seq,
/// in seq order. Any other entry's id is read from the database when it is shown
/// ([`Snapshot::stale_by_domain`]); a million ids would be another 16 MB.
#[derive(Default)]
struct StatusIds {
    seqs: Vec<u32>,
    /// [`pack_id`] of each, or 0 with the text in `odd`.
    packed: Vec<u128>,
    odd: HashMap<u32, Box<str>>,
}

impl StatusIds {
    /// Into seq order, from the order the rows came in. (A list of pairs would be padded to
    /// 32 bytes a pair.)
    fn sort(&mut self) {
        let mut order: Vec<u32> = (0..self.seqs.len() as u32).collect();
        order.sort_unstable_by_key(|i| self.seqs[*i as usize]);
        self.packed = order.iter().map(|i| self.packed[*i as usize]).collect();
        self.seqs = order.iter().map(|i| self.seqs[*i as usize]).collect();
    }

    fn get(&self, seq: u32) -> Option<IdRef<'_>> {
        if let Some(text) = self.odd.get(&seq) {
            return Some(IdRef::Text(text));
        }
        let i = self.seqs.binary_search(&seq).ok()?;
        Some(IdRef::Packed(self.packed[i]))
    }
}

pub struct Snapshot {
    domains: Interned,
    kinds: Interned,
    members: Interned,
    classes: Vec<Class>,
    /// By seq.
    entries: Vec<Stored>,
    /// By seq: [`flag::PRESENT`], [`flag::DELETED`] and [`flag::RESOLVED`].
    states: Vec<u8>,
    status_ids: StatusIds,
    reviews: HashMap<u32, Review>,
    replies: Vec<Reply>,
    /// Sorted by entry and member, each counted on its original ([`crate::community::original_of`]).
    occurrences: Vec<Occurrence>,
    endorsements: Vec<Endorsement>,
    /// Entries superseded by a live entry.
    superseded: HashSet<u32>,
    /// Entries that a live doc documents.
    documented: HashSet<u32>,
    /// Live entries linked as a duplicate of another live entry.
    duplicates: HashSet<u32>,
    /// The entries with live replies, by seq: (seq, live replies).
    live_replies: Vec<(u32, u32)>,
    /// The entries that have occurrences, by seq: (seq, occurrences, distinct members).
    seen: Vec<(u32, u32, u32)>,
}

fn stamp_ms(stamp: Option<&str>) -> Option<Millis> {
    stamp.and_then(|s| s.get(..13)).and_then(|m| m.parse().ok())
}

/// At least as many as the rows of `table` (its largest row id, read from the end of its
/// b-tree): the room to read them into without the doublings of a growing list, each of which
/// briefly holds the list twice.
fn rows_at_most(conn: &Connection, table: &str) -> anyhow::Result<usize> {
    let max: Option<i64> =
        conn.query_row(&format!("SELECT max(rowid) FROM {table}"), [], |r| r.get(0))?;
    // A row id is any 64-bit number: past what memory could hold, it is no hint.
    Ok(usize::try_from(max.unwrap_or(0)).map_or(0, |n| n.min(1 << 24)))
}

/// Runs of equal numbers in sorted `values`: (value, how many).
fn counted(values: &[u32]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for &v in values {
        match out.last_mut() {
            Some((last, n)) if *last == v => *n += 1,
            _ => out.push((v, 1)),
        }
    }
    out
}

/// A record an endorsement names, found as entries and replies are read.
#[derive(Clone, Copy)]
struct Target {
    entry: u32,
    reply: u32,
}

/// Endorsed record ids, looked up as each entry and reply is read: no map of every id.
#[derive(Default)]
struct Targets {
    packed: HashMap<u128, u32>,
    text: HashMap<Box<str>, u32>,
    found: Vec<Target>,
}

impl Targets {
    fn add(&mut self, id: &str) -> u32 {
        let next = self.found.len() as u32;
        let i = match pack_id(id.as_bytes()) {
            Some(v) => *self.packed.entry(v).or_insert(next),
            None => *self.text.entry(id.into()).or_insert(next),
        };
        if i == next {
            self.found.push(Target {
                entry: NONE,
                reply: NONE,
            });
        }
        i
    }

    /// The target `id` names, if endorsed; `packed` is [`pack_id`] of it.
    fn get(&mut self, packed: Option<u128>, id: &[u8]) -> anyhow::Result<Option<&mut Target>> {
        let i = match packed {
            Some(v) => self.packed.get(&v),
            None if self.text.is_empty() => None,
            None => self.text.get(std::str::from_utf8(id)?),
        };
        Ok(i.and_then(|i| self.found.get_mut(*i as usize)))
    }
}

impl Snapshot {
    pub fn load(conn: &Connection) -> anyhow::Result<Snapshot> {
        let mut members = Members::new(super::identities(conn)?);
        let (mut domains, mut kinds) = (Interned::default(), Interned::default());
        let max_seq: i64 =
            conn.query_row("SELECT ifnull(max(seq), 0) FROM entries", [], |r| r.get(0))?;
        let slots = usize::try_from(max_seq.max(0))? + 1;
        let slot = |seq: i64| usize::try_from(seq).ok().filter(|s| *s < slots);

        // Endorsements first: what they name is then resolved as entries and replies pass by.
        // The table is in record order, so one member's spellings on one record are adjacent.
        let mut targets = Targets::default();
        // (A table without row ids: no cheap count to make room with.)
        let mut endorsed: Vec<(u32, u32, Millis)> = Vec::new();
        let mut stmt = conn.prepare("SELECT record_id, member, stamp FROM endorsements")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let at_ms = stamp_ms(Some(r.get_ref(2)?.as_str()?)).unwrap_or(0);
            let member = members.intern(r.get_ref(1)?.as_bytes()?, at_ms)?;
            let target = targets.add(r.get_ref(0)?.as_str()?);
            endorsed.push((target, member, at_ms));
        }

        let mut entries = vec![Stored::default(); slots];
        let mut states = vec![0u8; slots];
        let mut classes: Vec<Class> = Vec::new();
        let mut class_of: HashMap<(u32, u32), u32> = HashMap::default();
        let mut status_ids = StatusIds::default();
        let mut reviews = HashMap::default();
        // Every column comes from the covering index: the plan never reads the table. Each
        // column costs more to take from rusqlite than SQLite's arithmetic: `deleted` and
        // `resolved` come as one number, and a review (rare) as one column that is NULL
        // without one.
        let mut stmt = conn.prepare(
            "SELECT seq, deleted + 2 * (resolved IS 1), kind, domain, author, created_ms,
                    CASE WHEN reviewed_by IS NOT NULL OR reviewed_at IS NOT NULL THEN 1 END,
                    reviewed_by, reviewed_at, id
               FROM entries INDEXED BY entries_for_analysis WHERE deleted IN (0, 1)",
        )?;
        // Per kind: its flags, worked out once.
        let mut kind_flags: Vec<u8> = Vec::new();
        // Rows come grouped by kind and domain: most name the class the row before named.
        let mut last_class: Option<(u32, u32, u32)> = None;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let Some(s) = slot(r.get_ref(0)?.as_i64()?) else {
                continue;
            };
            let kind = kinds.intern_bytes(r.get_ref(2)?.as_bytes()?)?;
            if kind as usize == kind_flags.len() {
                let text = kinds.get(kind);
                let parsed = Kind::parse(text);
                let mut bits = 0;
                for (bit, on) in [
                    (flag::HAS_STATUS, kinds::has_status(text)),
                    (flag::QUESTION, parsed == Some(Kind::Question)),
                    (flag::DOC, parsed == Some(Kind::Doc)),
                ] {
                    if on {
                        bits |= bit;
                    }
                }
                kind_flags.push(bits);
            }
            let domain = domains.intern_bytes(r.get_ref(3)?.as_bytes()?)?;
            let class = match last_class {
                Some((d, k, c)) if (d, k) == (domain, kind) => c,
                _ => {
                    let next = u32::try_from(classes.len())?;
                    let c = *class_of.entry((domain, kind)).or_insert(next);
                    if c == next {
                        classes.push(Class {
                            domain,
                            kind,
                            flags: kind_flags[kind as usize],
                        });
                    }
                    last_class = Some((domain, kind, c));
                    c
                }
            };
            let state = r.get_ref(1)?.as_i64()?;
            let mut flags = flag::PRESENT;
            if state & 1 != 0 {
                flags |= flag::DELETED;
            }
            if state & 2 != 0 {
                flags |= flag::RESOLVED;
            }
            let created_ms = r.get_ref(5)?.as_i64()?;
            if r.get_ref(6)?.data_type() != rusqlite::types::Type::Null {
                let reviewed_ms = stamp_ms(r.get_ref(8)?.as_str_or_null()?);
                let by = match r.get_ref(7)?.as_bytes_or_null()? {
                    Some(n) => Some(members.intern(n, reviewed_ms.unwrap_or(created_ms))?),
                    None => None,
                };
                reviews.insert(
                    s as u32,
                    Review {
                        by,
                        at: reviewed_ms,
                    },
                );
            }
            entries[s] = Stored {
                created_ms,
                author: members.intern(r.get_ref(4)?.as_bytes()?, created_ms)?,
                class,
            };
            states[s] = flags;
            let id = r.get_ref(9)?.as_bytes()?;
            let packed = pack_id(id);
            if kind_flags[kind as usize] & flag::HAS_STATUS != 0 {
                match packed {
                    Some(v) => {
                        status_ids.seqs.push(s as u32);
                        status_ids.packed.push(v);
                    }
                    None => {
                        status_ids
                            .odd
                            .insert(s as u32, std::str::from_utf8(id)?.into());
                    }
                }
            }
            if let Some(t) = targets.get(packed, id)? {
                t.entry = s as u32;
            }
        }
        drop(class_of);
        status_ids.sort();
        let present = |seq: i64| slot(seq).filter(|s| states[*s] & flag::PRESENT != 0);

        let mut replies = Vec::with_capacity(rows_at_most(conn, "replies")?);
        let mut stmt = conn
            .prepare("SELECT id, entry_seq, author, accepted, deleted, created_ms FROM replies")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let Some(entry) = present(r.get(1)?) else {
                continue;
            };
            let id = r.get_ref(0)?.as_bytes()?;
            if let Some(t) = targets.get(pack_id(id), id)?
                && t.entry == NONE
            {
                t.reply = replies.len() as u32;
            }
            let created_ms = r.get(5)?;
            replies.push(Reply {
                entry: entry as u32,
                author: members.intern(r.get_ref(2)?.as_bytes()?, created_ms)?,
                accepted: r.get(3)?,
                deleted: r.get(4)?,
                created_ms,
            });
        }

        // One member says "this helped" once, whatever spellings they said it under.
        let mut endorsements: Vec<Endorsement> = Vec::with_capacity(endorsed.len());
        let mut group_start = 0;
        for (n, (target, member, at_ms)) in endorsed.into_iter().enumerate() {
            let Target { entry, reply } = targets.found[target as usize];
            let (entry, reply) = if entry != NONE {
                (entry, NONE)
            } else if reply != NONE {
                (replies[reply as usize].entry, reply)
            } else {
                continue;
            };
            if n == 0
                || endorsements
                    .last()
                    .is_none_or(|e| (e.entry, e.reply) != (entry, reply))
            {
                group_start = endorsements.len();
            }
            if endorsements[group_start..]
                .iter()
                .all(|e| e.member != member)
            {
                endorsements.push(Endorsement {
                    member,
                    at_ms,
                    entry,
                    reply,
                });
            }
        }
        // Read after the endorsements are resolved, so that what resolved them is gone first.
        drop(targets);

        let mut occurrences = Vec::with_capacity(rows_at_most(conn, "occurrences")?);
        let mut stmt = conn.prepare("SELECT entry_seq, member, at_ms FROM occurrences")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let Some(entry) = present(r.get(0)?) else {
                continue;
            };
            let at_ms = r.get(2)?;
            occurrences.push(Occurrence {
                entry: entry as u32,
                member: members.intern(r.get_ref(1)?.as_bytes()?, at_ms)?,
                at_ms,
            });
        }

        let links = |kind: &str| -> anyhow::Result<HashSet<u32>> {
            let mut stmt = conn.prepare(
                // Links are few: start from them (CROSS JOIN keeps that order), not from entries.
                "SELECT t.seq FROM links l CROSS JOIN entries s ON s.seq = l.source_seq
                   CROSS JOIN entries t ON t.id = l.target_id
                  WHERE l.kind = ?1 AND l.present = 1 AND s.deleted = 0",
            )?;
            let seqs = stmt.query_map([kind], |r| r.get::<_, i64>(0))?;
            let mut out = HashSet::default();
            for seq in seqs {
                if let Some(s) = present(seq?) {
                    out.insert(s as u32);
                }
            }
            Ok(out)
        };
        let superseded = links(LinkKind::Supersedes.as_str())?;
        let documented = links(LinkKind::Documents.as_str())?;
        // A duplicate forwards its status and its occurrences to its original
        // (community::original_of): it is not open, and what was seen on it counts there.
        let mut duplicate_of: HashMap<u32, u32> = HashMap::default();
        let mut stmt = conn.prepare(
            "SELECT s.seq, t.seq FROM links l CROSS JOIN entries s ON s.seq = l.source_seq
               CROSS JOIN entries t ON t.id = l.target_id
              WHERE l.kind = 'duplicate' AND l.present = 1 AND s.deleted = 0 AND t.deleted = 0
              ORDER BY t.id",
        )?;
        let pairs = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
        for pair in pairs {
            let (source, target) = pair?;
            if let (Some(s), Some(t)) = (present(source), present(target)) {
                duplicate_of.entry(s as u32).or_insert(t as u32);
            }
        }
        if !duplicate_of.is_empty() {
            for o in &mut occurrences {
                if let Some(original) =
                    crate::community::original_of(o.entry, |i| duplicate_of.get(&i).copied())
                {
                    o.entry = original;
                }
            }
        }
        let duplicates: HashSet<u32> = duplicate_of.into_keys().collect();
        let mut live: Vec<u32> = replies
            .iter()
            .filter(|r| !r.deleted)
            .map(|r| r.entry)
            .collect();
        live.sort_unstable();
        let live_replies = counted(&live);
        drop(live);
        occurrences.sort_unstable_by_key(|o| (o.entry, o.member));
        let mut seen: Vec<(u32, u32, u32)> = Vec::new();
        let mut previous: Option<(u32, u32)> = None;
        for o in &occurrences {
            match seen.last_mut() {
                Some((entry, count, distinct)) if *entry == o.entry => {
                    *count += 1;
                    if previous != Some((o.entry, o.member)) {
                        *distinct += 1;
                    }
                }
                _ => seen.push((o.entry, 1, 1)),
            }
            previous = Some((o.entry, o.member));
        }
        Ok(Snapshot {
            domains,
            kinds,
            members: members.settle(),
            classes,
            entries,
            states,
            status_ids,
            reviews,
            replies,
            occurrences,
            endorsements,
            superseded,
            documented,
            duplicates,
            live_replies,
            seen,
        })
    }

    /// The entry with row id `seq` (which [`Snapshot::rows`] or a record read gave).
    fn entry(&self, seq: u32) -> Entry {
        let s = self.entries[seq as usize];
        let class = self
            .classes
            .get(s.class as usize)
            .copied()
            .unwrap_or(Class {
                domain: 0,
                kind: 0,
                flags: 0,
            });
        let state = self.states[seq as usize];
        Entry {
            created_ms: s.created_ms,
            author: s.author,
            domain: class.domain,
            kind: class.kind,
            flags: if state & flag::PRESENT != 0 {
                state | class.flags
            } else {
                0
            },
        }
    }

    fn is(&self, seq: u32, bit: u8) -> bool {
        self.entry(seq).is(bit)
    }

    /// The live replies of entry `seq`.
    fn live_replies_of(&self, seq: u32) -> u32 {
        match self.live_replies.binary_search_by_key(&seq, |r| r.0) {
            Ok(i) => self.live_replies[i].1,
            Err(_) => 0,
        }
    }

    /// The id of a question or problem: the entries whose ids the snapshot keeps
    /// ([`StatusIds`]).
    fn id(&self, seq: u32) -> Option<IdRef<'_>> {
        let id = self.status_ids.get(seq);
        debug_assert!(id.is_some(), "entry {seq} is not a question or problem");
        id
    }

    /// The order of two questions' or problems' ids, as texts.
    pub fn cmp_ids(&self, a: u32, b: u32) -> std::cmp::Ordering {
        match (self.id(a), self.id(b)) {
            (Some(a), Some(b)) => a.cmp_text(b),
            // Not reached ([`Snapshot::id`]); an order all the same.
            _ => a.cmp(&b),
        }
    }

    /// The id of a question or problem.
    pub fn id_text(&self, seq: u32) -> String {
        self.id(seq).map(IdRef::to_text).unwrap_or_default()
    }

    pub fn domain_name(&self, domain: u32) -> &str {
        self.domains.get(domain)
    }
}
