//! Applying an exchange file: every record joined into the database, inside the caller's
//! transaction.

use std::io::BufRead;

use rusqlite::Connection;

use super::super::Writer;
use super::bulk_load::BulkLoad;
use super::report::ImportReport;
use super::rows::{load_record, load_reply, reply_seq_of, save_record, save_reply, seq_of};
use crate::clock::Stamp;
use crate::error::RepError;
use crate::exchange::{self, ReadError};
use crate::replica::{self, Record};
use crate::timefmt::Millis;

/// Read an exchange file and join every record into the database, inside the caller's
/// transaction: any bad line aborts the whole import.
pub fn import<R: BufRead + Send>(
    w: &Writer<'_>,
    input: R,
    now: Millis,
) -> anyhow::Result<ImportReport> {
    let conn = w.conn();
    let mut load = BulkLoad::start(conn)?;
    let empty = load.was_empty();
    // The row already holding a record. Nothing in an empty repertoire is there already, and
    // the reader refuses a file that holds an id twice: so then there is nothing to look up.
    let find = |lookup: fn(&Connection, &str) -> anyhow::Result<Option<i64>>, id: &str| {
        if empty { Ok(None) } else { lookup(conn, id) }
    };
    let mut report = ImportReport::default();
    let mut max_seen: Option<Stamp> = None;
    let outcome = exchange::each_record(input, now, |record| {
        let stamp = match &record {
            Record::Entry(e) => e.max_stamp(),
            Record::Reply(r) => r.max_stamp(),
        };
        if max_seen.as_ref().is_none_or(|m| stamp > m) {
            max_seen = Some(stamp.clone());
        }
        match record {
            Record::Entry(incoming) => match find(seq_of, &incoming.id)? {
                None => {
                    if find(reply_seq_of, &incoming.id)?.is_some() {
                        return Err(reused_id("entry", &incoming.id, "a reply"));
                    }
                    save_record(conn, None, &incoming, load.text_index())?;
                    let title = || Ok(incoming.title.value.clone());
                    report.record(&incoming.id, "entry", title, true, vec![])?;
                }
                Some(seq) => {
                    let local = load_record(conn, seq)?;
                    // Re-imports mostly bring what is already here: equal needs no join.
                    if local == incoming {
                        report.unchanged += 1;
                        return Ok(());
                    }
                    let joined = replica::join(&local, &incoming);
                    if joined.record == local {
                        report.unchanged += 1;
                        return Ok(());
                    }
                    save_record(conn, Some(seq), &joined.record, None)?;
                    let lost = joined
                        .lost_concurrent_edits
                        .iter()
                        .map(|f| f.name())
                        .collect();
                    let title = || Ok(joined.record.title.value.clone());
                    report.record(&incoming.id, "entry", title, false, lost)?;
                }
            },
            Record::Reply(incoming) => {
                let entry_seq = seq_of(conn, &incoming.entry)?.ok_or_else(|| {
                    RepError::user(format!(
                        "cannot import: reply {} answers entry {}, which is neither here nor earlier in the file",
                        incoming.id, incoming.entry
                    ))
                    .with_hint("the database was not changed; export the whole repertoire, not a part")
                })?;
                // The entry's title names the reply in the report.
                let title = || entry_title(conn, entry_seq);
                match find(reply_seq_of, &incoming.id)? {
                    None => {
                        // Entries come first in a file, so one reusing this id is here by now.
                        if seq_of(conn, &incoming.id)?.is_some() {
                            return Err(reused_id("reply", &incoming.id, "an entry"));
                        }
                        save_reply(conn, None, entry_seq, &incoming, load.text_index())?;
                        report.record(&incoming.id, "reply", title, true, vec![])?;
                    }
                    Some(seq) => {
                        let local = load_reply(conn, seq)?;
                        let joined = replica::join_reply(&local, &incoming);
                        if joined == local {
                            report.unchanged += 1;
                            return Ok(());
                        }
                        // The join keeps one of the two entry ids: the local one may win.
                        let entry_seq = match seq_of(conn, &joined.entry)? {
                            Some(seq) => seq,
                            None => entry_seq,
                        };
                        save_reply(conn, Some(seq), entry_seq, &joined, None)?;
                        report.record(&incoming.id, "reply", title, false, vec![])?;
                    }
                }
            }
        }
        Ok(())
    });
    outcome.map_err(|e| match e.downcast::<ReadError>() {
        Ok(ReadError::Io(e)) => e.into(),
        Ok(ReadError::Line(e)) => anyhow::Error::from(
            RepError::user(format!("cannot import: {e}"))
                .with_hint("the database was not changed; fix or re-export the file"),
        ),
        Err(e) => e,
    })?;
    load.finish()?;
    if let Some(max) = max_seen {
        w.observe(&max)?;
    }
    Ok(report)
}

/// A record whose id another kind of record holds: ids are unique across kinds.
fn reused_id(kind: &str, id: &str, other: &str) -> anyhow::Error {
    RepError::user(format!(
        "cannot import: {kind} {id} has the id of {other} in the repertoire"
    ))
    .with_hint("the database was not changed; the file was not written by rep")
    .into()
}

fn entry_title(conn: &Connection, seq: i64) -> anyhow::Result<String> {
    Ok(conn
        .prepare_cached("SELECT title FROM entries WHERE seq = ?1")?
        .query_row([seq], |r| r.get(0))?)
}
