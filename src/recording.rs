//! What members report having happened, each in one transaction: an occurrence of a problem or
//! question (`rep seen`), that something helped (`rep helped`), and a search that found nothing.
//! `rep ask` records the same things as those commands do.

use crate::error::RepError;
use crate::model::Entry;
use crate::model::EntrySeq;
use crate::model::practice::{Helped, Seen};
use crate::store::Store;
use crate::store::entries;
use crate::store::practice::{self, Target};
use crate::timefmt::Millis;

/// An occurrence as recorded: what it counted on and what the member named.
pub struct Occurrence {
    pub seen: Seen,
    /// The entry the occurrence counts on.
    pub entry: Entry,
    /// The duplicate named, when it was forwarded to `entry`.
    pub duplicate: Option<Entry>,
}

/// Record one occurrence of the problem or question at row `seq` by `member`; a duplicate
/// forwards it to the original it duplicates.
pub fn occurrence(
    store: &mut Store,
    seq: EntrySeq,
    member: &str,
    now: Millis,
    min_occurrences: u64,
    note: Option<&str>,
) -> anyhow::Result<Occurrence> {
    store.write(|w| {
        let c = w.conn();
        let entry = entries::load(c, seq)?;
        if !crate::rules::kinds::has_status(&entry.kind) {
            return Err(RepError::user(format!(
                "`rep seen` is for problems and questions; {} is a {}",
                entry.short_id, entry.kind
            ))
            .with_hint(format!(
                "`rep helped {}` says it helped you",
                entry.short_id
            ))
            .into());
        }
        let (seq, entry, duplicate) = match practice::original_of(c, seq)? {
            Some(original) => (original, entries::load(c, original)?, Some(entry)),
            None => (seq, entry, None),
        };
        w.tick(now)?;
        practice::add_occurrence(c, seq, member, now, note)?;
        let occurrences = practice::occurrences(c, seq)?;
        let seen = Seen {
            duplicate: duplicate.as_ref().map(|d| d.id.clone()),
            recurring: crate::rules::recurrence::is_recurring(
                occurrences.count,
                occurrences.members,
                min_occurrences,
            ),
            documented: practice::is_documented(c, &entry.id)?,
            id: entry.id.clone(),
            occurrences,
        };
        Ok(Occurrence {
            seen,
            entry,
            duplicate,
        })
    })
}

/// Note that the entry or reply `typed` names helped `member`; also what picking an entry that
/// cannot recur (a tool, a doc) in the `rep ask` menu records.
pub fn endorsement(
    store: &mut Store,
    typed: &str,
    member: &str,
    now: Millis,
) -> anyhow::Result<Helped> {
    store.write(|w| {
        let c = w.conn();
        let id: String = match practice::resolve_target(c, typed)? {
            Target::Entry(seq) => practice::entry_id(c, seq)?,
            Target::Reply(seq) => practice::reply_id(c, seq)?,
        };
        let stamp = w.tick(now)?;
        let new = practice::endorse(c, &id, member, &stamp)?;
        Ok(Helped {
            helped: practice::helped_count(c, &id)?,
            id,
            new,
        })
    })
}

/// Remember a search for `text` that found nothing, for `rep gaps`; a read-only repertoire
/// can be searched, it just cannot remember the miss.
pub fn search_miss(
    store: &mut Store,
    text: &str,
    domain: Option<&str>,
    now: Millis,
) -> anyhow::Result<()> {
    let Some(words) = crate::search::miss_key(text) else {
        return Ok(());
    };
    if store.is_read_only() {
        return Ok(());
    }
    store.write_unsynced(|c| {
        let typed = crate::text::sanitize_line(text);
        crate::store::analysis::record_miss(c, &words, &typed, domain.unwrap_or(""), now)
    })?;
    Ok(())
}
