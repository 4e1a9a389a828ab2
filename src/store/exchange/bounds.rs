//! The bounds of the join (limits) applied to what the database holds after a local change
//! or an upgrade, so the database never holds more than the join would keep.

use rusqlite::{Connection, params};

use super::rows::{load_record, save_record};
use crate::clock::Stamp;
use crate::limits;
use crate::model::EntrySeq;
use crate::replica::{self, Revision, TagState, TextField};

/// Apply the bound on one field's history (limits) after a local change of it: the field's
/// history alone decides what it keeps, so only its values are read.
pub fn keep_history_bounded(
    conn: &Connection,
    seq: EntrySeq,
    field: TextField,
) -> anyhow::Result<()> {
    let history: Vec<Revision> = conn
        .prepare_cached(
            "SELECT value, stamp, member FROM revisions WHERE entry_seq = ?1 AND field = ?2",
        )?
        .query_map(params![seq, field.name()], |r| {
            Ok(Revision {
                field,
                value: r.get(0)?,
                at: r.get(1)?,
                by: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    if history.len() <= limits::LARGE_REVISIONS {
        return Ok(());
    }
    let kept = replica::bound_history(history.clone());
    if kept.len() == history.len() {
        return Ok(());
    }
    let mut drop = conn.prepare_cached(
        "DELETE FROM revisions WHERE entry_seq = ?1 AND field = ?2 AND stamp = ?3 AND member = ?4
           AND value IS ?5",
    )?;
    for gone in history.iter().filter(|r| kept.binary_search(r).is_err()) {
        drop.execute(params![
            seq,
            field.name(),
            gone.at.to_string(),
            gone.by,
            gone.value
        ])?;
    }
    Ok(())
}

/// Apply the bounds on sets (limits) after a local change to entry `seq` made with `stamp`
/// (none for a change that carries no stamp, such as an occurrence), so that the database never
/// holds more than the join would keep. Counting is cheap; the record is loaded only when a
/// bound may apply.
pub fn keep_bounded(conn: &Connection, seq: EntrySeq, stamp: Option<&Stamp>) -> anyhow::Result<()> {
    let (tags, links, occurrences): (i64, i64, i64) = conn
        .prepare_cached(
            "SELECT (SELECT count(*) FROM entry_tags WHERE entry_seq = ?1),
                    (SELECT count(*) FROM links WHERE source_seq = ?1),
                    (SELECT count(*) FROM occurrences WHERE entry_seq = ?1)",
        )?
        .query_row([seq], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let over = |n: i64, cap: usize| usize::try_from(n).unwrap_or(usize::MAX) > cap;
    let may_apply = over(tags, limits::TAG_STATES)
        || over(links, limits::LINKS)
        || over(occurrences, limits::OCCURRENCES);
    if !may_apply {
        return Ok(());
    }
    let record = load_record(conn, seq)?;
    let mut bounded = replica::canonical(record.clone());
    // A local change never makes a live tag fall out of the bound: one it would drop is stated
    // again with this change's stamp, and so ranks among the newest.
    let live_dropped: Vec<&String> = record
        .tags
        .iter()
        .filter(|(tag, state)| state.present && !bounded.tags.contains_key(*tag))
        .map(|(tag, _)| tag)
        .collect();
    if let (false, Some(stamp)) = (live_dropped.is_empty(), stamp) {
        let mut restated = record.clone();
        for tag in live_dropped {
            restated.tags.insert(
                tag.clone(),
                TagState {
                    present: true,
                    at: stamp.clone(),
                },
            );
        }
        bounded = replica::canonical(restated);
    }
    if bounded != record {
        save_record(conn, Some(seq), &bounded, None)?;
    }
    Ok(())
}

/// Apply the bounds to every entry that holds more than they keep: what an upgrade does for a
/// database written before the bounds existed. Returns how many entries changed.
pub fn bound_all(conn: &Connection) -> anyhow::Result<usize> {
    let seqs: Vec<EntrySeq> = conn
        .prepare(
            "SELECT entry_seq FROM revisions GROUP BY entry_seq, field HAVING count(*) > ?1
             UNION SELECT entry_seq FROM entry_tags GROUP BY entry_seq HAVING count(*) > ?2
             UNION SELECT source_seq FROM links GROUP BY source_seq HAVING count(*) > ?3
             UNION SELECT entry_seq FROM occurrences GROUP BY entry_seq HAVING count(*) > ?4",
        )?
        .query_map(
            params![
                limits::LARGE_REVISIONS,
                limits::TAG_STATES,
                limits::LINKS,
                limits::OCCURRENCES
            ],
            |r| r.get(0),
        )?
        .collect::<Result<_, _>>()?;
    let mut changed = 0;
    for seq in seqs {
        let record = load_record(conn, seq)?;
        let bounded = replica::canonical(record.clone());
        if bounded != record {
            save_record(conn, Some(seq), &bounded, None)?;
            changed += 1;
        }
    }
    Ok(changed)
}
