//! The join's building blocks shared by entries and replies (last writer wins, unions, the
//! bounds that commute with the join), and the join of two whole files' worth of records.

use std::collections::{BTreeMap, BTreeSet};

use super::{Record, Revision, TagState, Versioned, join, join_reply};
use crate::clock::Stamp;
use crate::limits::{self, keep_newest};

/// Endorsements keep the earliest members: joining only ever moves a member's stamp earlier,
/// so the bound commutes with the join.
pub(super) fn bound_helped(helped: &mut BTreeMap<String, Stamp>) {
    if helped.len() <= limits::ENDORSEMENTS {
        return;
    }
    let mut all: Vec<(String, Stamp)> = std::mem::take(helped).into_iter().collect();
    keep_newest(&mut all, limits::ENDORSEMENTS, |(m, a), (n, b)| {
        (a, m).cmp(&(b, n))
    });
    *helped = all.into_iter().collect();
}

/// Tag and link states keep the newest: joining only ever moves a state's stamp later.
pub(super) fn bound_states(states: &mut BTreeMap<String, TagState>, cap: usize) {
    if states.len() <= cap {
        return;
    }
    let mut all: Vec<(String, TagState)> = std::mem::take(states).into_iter().collect();
    keep_newest(&mut all, cap, |(k, a), (l, b)| {
        (&b.at, b.present, l).cmp(&(&a.at, a.present, k))
    });
    *states = all.into_iter().collect();
}

/// The history a field keeps of the values it no longer holds: in each size class, the newest
/// by stamp (docs/format.md, "History").
pub fn bound_history(history: Vec<Revision>) -> Vec<Revision> {
    let (mut small, mut large): (Vec<Revision>, Vec<Revision>) =
        history.into_iter().partition(|r| {
            let escaped = r.value.as_deref().map_or(0, limits::escaped_len);
            !limits::revisions_kept(escaped).0
        });
    let newest_first = |x: &Revision, y: &Revision| y.at.cmp(&x.at).then_with(|| y.cmp(x));
    keep_newest(&mut small, limits::SMALL_REVISIONS, newest_first);
    keep_newest(&mut large, limits::LARGE_REVISIONS, newest_first);
    small.append(&mut large);
    small.sort();
    small
}

pub(super) fn join_helped(into: &mut BTreeMap<String, Stamp>, other: &BTreeMap<String, Stamp>) {
    for (member, at) in other {
        into.entry(member.clone())
            .and_modify(|mine| {
                if at < mine {
                    *mine = at.clone();
                }
            })
            .or_insert_with(|| at.clone());
    }
}

pub(super) fn join_set(into: &mut BTreeMap<String, TagState>, other: &BTreeMap<String, TagState>) {
    for (key, state) in other {
        into.entry(key.clone())
            .and_modify(|mine| {
                if (&state.at, state.present) > (&mine.at, mine.present) {
                    *mine = state.clone();
                }
            })
            .or_insert_with(|| state.clone());
    }
}

pub(super) fn max_optional(
    a: &Option<Versioned<bool>>,
    b: &Option<Versioned<bool>>,
) -> Option<Versioned<bool>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(max_versioned(a, b)),
        (Some(x), None) | (None, Some(x)) => Some(x.clone()),
        (None, None) => None,
    }
}

pub(super) fn max_versioned(a: &Versioned<bool>, b: &Versioned<bool>) -> Versioned<bool> {
    if (&b.at, b.value, &b.by) > (&a.at, a.value, &a.by) {
        b.clone()
    } else {
        a.clone()
    }
}

/// Why two files cannot be joined, though each reads well on its own: the checks import makes
/// against the repertoire, made here against the other file.
pub fn check_joined(records: &[Record]) -> Result<(), String> {
    let entries: BTreeSet<&str> = records
        .iter()
        .filter_map(|r| match r {
            Record::Entry(e) => Some(e.id.as_str()),
            Record::Reply(_) => None,
        })
        .collect();
    for record in records {
        if let Record::Reply(reply) = record {
            if entries.contains(reply.id.as_str()) {
                return Err(format!("reply {} has the id of an entry", reply.id));
            }
            if !entries.contains(reply.entry.as_str()) {
                return Err(format!(
                    "reply {} answers entry {}, which is in neither file",
                    reply.id, reply.entry
                ));
            }
        }
    }
    Ok(())
}

/// Join two whole files' worth of records: the merge driver's work.
pub fn join_files(a: Vec<Record>, b: Vec<Record>) -> Vec<Record> {
    let mut merged: BTreeMap<(u8, String), Record> = BTreeMap::new();
    for record in a.into_iter().chain(b) {
        let key = (record.sort_key().0, record.id().to_owned());
        let joined = match (merged.remove(&key), record) {
            (Some(Record::Entry(mine)), Record::Entry(theirs)) => {
                Record::Entry(join(&mine, &theirs).record)
            }
            (Some(Record::Reply(mine)), Record::Reply(theirs)) => {
                Record::Reply(join_reply(&mine, &theirs))
            }
            (_, record) => record,
        };
        merged.insert(key, joined);
    }
    merged.into_values().collect()
}
