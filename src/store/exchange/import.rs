//! Applying an exchange file: every record joined into the database, inside the caller's
//! transaction.

use std::io::BufRead;

use rusqlite::Connection;

use super::super::Writer;
use super::bulk_load::BulkLoad;
use super::report::ImportReport;
use super::report::{
    Outcome, Outcome::Unchanged, RecordType, RecordType::Entry, RecordType::Reply,
};
use super::rows::{load_record, load_reply, reply_seq_of, save_record, save_reply, seq_of};
use crate::clock::Stamp;
use crate::exchange::{self, LineError, ReadError};
use crate::model::EntrySeq;
use crate::replica::{self, Record};
use crate::timefmt::Millis;

/// Why a file cannot be imported though it could be read: the database is left unchanged
/// (the caller's transaction is not committed). The command layer words the hints.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A line the format refuses.
    #[error("cannot import: {0}")]
    Unreadable(LineError),
    /// A reply whose entry is neither in the repertoire nor earlier in the file.
    #[error(
        "cannot import: reply {reply} answers entry {entry}, which is neither here nor earlier in the file"
    )]
    ReplyWithoutEntry { reply: String, entry: String },
    /// A record whose id another kind of record already holds.
    #[error("cannot import: {kind} {id} has the id of {} in the repertoire", holder.with_article())]
    ReusedId {
        kind: RecordType,
        id: String,
        holder: RecordType,
    },
    /// An occurrence the repertoire holds under another entry than the record's: a crafted
    /// file's, refused rather than moved.
    #[error("cannot import: occurrence {occurrence} of entry {entry} is recorded on another entry")]
    OccurrenceElsewhere { occurrence: String, entry: String },
}

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
    let find_entry = |id: &str| if empty { Ok(None) } else { seq_of(conn, id) };
    let find_reply = |id: &str| {
        if empty {
            Ok(None)
        } else {
            reply_seq_of(conn, id)
        }
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
            Record::Entry(incoming) => match find_entry(&incoming.id)? {
                None => {
                    if find_reply(&incoming.id)?.is_some() {
                        return Err(reused_id(Entry, &incoming.id, Reply));
                    }
                    save_record(conn, None, &incoming, load.text_index())?;
                    let title = || Ok(incoming.title.value.clone());
                    report.record(&incoming.id, Entry, title, Outcome::Added, vec![])?;
                }
                Some(seq) => {
                    let local = load_record(conn, seq)?;
                    let unchanged = || Ok(local.title.value.clone());
                    // Re-imports mostly bring what is already here: equal needs no join.
                    if local == incoming {
                        return report.record(&incoming.id, Entry, unchanged, Unchanged, vec![]);
                    }
                    let joined = replica::join(&local, &incoming);
                    if joined.record == local {
                        return report.record(&incoming.id, Entry, unchanged, Unchanged, vec![]);
                    }
                    save_record(conn, Some(seq), &joined.record, None)?;
                    let title = || Ok(joined.record.title.value.clone());
                    let lost = joined.lost_concurrent_edits.clone();
                    report.record(&incoming.id, Entry, title, Outcome::Updated, lost)?;
                }
            },
            Record::Reply(incoming) => {
                let entry_seq = seq_of(conn, &incoming.entry)?.ok_or_else(|| {
                    ImportError::ReplyWithoutEntry {
                        reply: incoming.id.clone(),
                        entry: incoming.entry.clone(),
                    }
                })?;
                // The entry's title names the reply in the report.
                let title = || entry_title(conn, entry_seq);
                match find_reply(&incoming.id)? {
                    None => {
                        // Entries come first in a file, so one reusing this id is here by now.
                        if seq_of(conn, &incoming.id)?.is_some() {
                            return Err(reused_id(Reply, &incoming.id, Entry));
                        }
                        save_reply(conn, None, entry_seq, &incoming, load.text_index())?;
                        report.record(&incoming.id, Reply, title, Outcome::Added, vec![])?;
                    }
                    Some(seq) => {
                        let local = load_reply(conn, seq)?;
                        let joined = replica::join_reply(&local, &incoming);
                        if joined == local {
                            return report.record(&incoming.id, Reply, title, Unchanged, vec![]);
                        }
                        // The join keeps one of the two entry ids: the local one may win.
                        let entry_seq = match seq_of(conn, &joined.entry)? {
                            Some(seq) => seq,
                            None => entry_seq,
                        };
                        save_reply(conn, Some(seq), entry_seq, &joined, None)?;
                        report.record(&incoming.id, Reply, title, Outcome::Updated, vec![])?;
                    }
                }
            }
        }
        Ok(())
    });
    outcome.map_err(|e| match e.downcast::<ReadError>() {
        Ok(ReadError::Io(e)) => e.into(),
        Ok(ReadError::Line(e)) => ImportError::Unreadable(e).into(),
        Err(e) => e,
    })?;
    load.finish()?;
    if let Some(max) = max_seen {
        w.observe(&max)?;
    }
    Ok(report)
}

/// A record whose id another kind of record holds: ids are unique across kinds.
fn reused_id(kind: RecordType, id: &str, holder: RecordType) -> anyhow::Error {
    ImportError::ReusedId {
        kind,
        id: id.to_owned(),
        holder,
    }
    .into()
}

fn entry_title(conn: &Connection, seq: EntrySeq) -> anyhow::Result<String> {
    Ok(conn
        .prepare_cached("SELECT title FROM entries WHERE seq = ?1")?
        .query_row([seq], |r| r.get(0))?)
}
