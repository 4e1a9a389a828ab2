//! What a server remote has not been sent yet (schema 12; the triggers restated in 15 around
//! the view `sync_mark`): the records changed since their last push, marked by triggers with
//! the generation during the change, and the two switches of those triggers (`sync_track`: a
//! server remote is in use; `sync_quiet`: this transaction joins what the server sent).

use rusqlite::Connection;

use super::exchange::{load_record, load_reply};
use crate::model::{EntrySeq, ReplySeq};
use crate::replica::Record;

/// A record by its local row: an entry or a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RecordRow {
    Entry(EntrySeq),
    Reply(ReplySeq),
}

/// Start (or stop, forgetting every mark) tracking changes for a server remote.
pub fn set_tracking(conn: &Connection, on: bool) -> anyhow::Result<()> {
    if on {
        conn.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES ('sync_track', '1')",
            [],
        )?;
    } else {
        conn.execute("DELETE FROM meta WHERE key = 'sync_track'", [])?;
        conn.execute("DELETE FROM sync_changes", [])?;
    }
    Ok(())
}

/// Run `f` with the triggers silent: what it writes is not marked as changed here. Call it
/// inside a write transaction only, so no other writer ever sees the switch.
pub fn quietly<T>(conn: &Connection, f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<T> {
    conn.execute(
        "INSERT OR IGNORE INTO meta(key, value) VALUES ('sync_quiet', '1')",
        [],
    )?;
    let value = f()?;
    conn.execute("DELETE FROM meta WHERE key = 'sync_quiet'", [])?;
    Ok(value)
}

/// The records changed since their last push.
pub fn changed(conn: &Connection) -> anyhow::Result<Vec<RecordRow>> {
    let mut stmt = conn.prepare_cached("SELECT kind, seq FROM sync_changes ORDER BY kind, seq")?;
    let rows = stmt.query_map([], |r| {
        let seq = r.get::<_, i64>(1)?;
        Ok(if r.get::<_, i64>(0)? == 0 {
            RecordRow::Entry(EntrySeq::from_row(seq))
        } else {
            RecordRow::Reply(ReplySeq::from_row(seq))
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Mark every record as changed (a new server may lack any of them). Outside a shared write
/// (the generation is not bumped after it), as made before the current generation: a push
/// that reads this generation then forgets them.
pub fn mark_all(conn: &Connection) -> anyhow::Result<()> {
    conn.execute_batch(
        "INSERT OR REPLACE INTO sync_changes (kind, seq, mark)
           SELECT 0, seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0) - 1
             FROM entries
           UNION ALL
           SELECT 1, seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0) - 1
             FROM replies",
    )?;
    Ok(())
}

/// The record at `row`, as the exchange format holds it.
pub fn load(conn: &Connection, row: RecordRow) -> anyhow::Result<Record> {
    Ok(match row {
        RecordRow::Entry(seq) => Record::Entry(load_record(conn, seq)?),
        RecordRow::Reply(seq) => Record::Reply(load_reply(conn, seq)?),
    })
}

/// After a push of what generation `generation` held: forget the marks of changes made
/// before it (a change since has a mark of at least `generation` and stays).
pub fn forget_before(conn: &Connection, generation: i64) -> anyhow::Result<()> {
    conn.execute("DELETE FROM sync_changes WHERE mark < ?1", [generation])?;
    Ok(())
}

/// Whether changes are tracked for a server remote.
pub fn is_tracking(conn: &Connection) -> anyhow::Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')",
        [],
        |r| r.get(0),
    )?)
}
