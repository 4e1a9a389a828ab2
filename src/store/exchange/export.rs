//! Streaming the repertoire (or some domains of it) out as an exchange file, and the salvaging
//! export of a damaged database.

use std::io::Write;

use rusqlite::fallible_streaming_iterator::FallibleStreamingIterator;
use rusqlite::{Connection, OptionalExtension};

use std::collections::{HashMap, HashSet};

use anyhow::Context as _;

use super::rows::{
    PARTS_BY_ENTRY_ID, add_part, load_record, load_reply, record_row, reply_parts, reply_row,
    sort_parts,
};
use super::{RECORD_COLUMNS, REPLY_COLUMNS};
use crate::exchange;
use crate::model::{EntrySeq, ReplySeq};
use crate::replica::Record;

fn in_domains(domain: &str, domains: &[String]) -> bool {
    crate::rules::domain::is_within_any(domain, domains)
}

/// How many records an export wrote, by type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    pub entries: usize,
    pub replies: usize,
}

/// Write every entry and reply (of entries in `domains` and their sub-domains, when given) in
/// the exchange format. Returns the number of records written.
pub fn export(
    conn: &Connection,
    domains: &[String],
    out: &mut (dyn Write + Send),
) -> anyhow::Result<Written> {
    writeln!(out, "{}", exchange::header_line())?;
    exchange::write_in_background(out, |sink| {
        let mut written = Written::default();
        // The entries that have replies, whose ids and domains the replies need below.
        let answered: HashSet<EntrySeq> = conn
            .prepare("SELECT DISTINCT entry_seq FROM replies")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut answered_entries: HashMap<EntrySeq, (String, String)> = HashMap::new();
        // Entries and their parts come in two streams, both in id order, merged here.
        let mut stmt = conn.prepare(concat!(
            "SELECT ",
            record_columns!(),
            ", seq FROM entries ORDER BY id"
        ))?;
        let mut rows = stmt.query([])?;
        let mut parts_stmt = conn.prepare(PARTS_BY_ENTRY_ID)?;
        let mut parts = parts_stmt.query([])?;
        parts.advance()?;
        while let Some(row) = rows.next()? {
            let mut record = record_row(row)?;
            let seq: EntrySeq = row.get(RECORD_COLUMNS)?;
            if answered.contains(&seq) {
                answered_entries.insert(seq, (record.id.clone(), record.domain.value.clone()));
            }
            while let Some(part) = parts.get() {
                match part.get_ref(0)?.as_str()?.cmp(record.id.as_str()) {
                    // Every part joins an entry, so none can come before its entry's row.
                    std::cmp::Ordering::Less => anyhow::bail!("parts of the export out of order"),
                    std::cmp::Ordering::Equal => add_part(&mut record, part, 1)?,
                    std::cmp::Ordering::Greater => break,
                }
                parts.advance()?;
            }
            sort_parts(&mut record);
            if in_domains(&record.domain.value, domains) {
                sink.write(Record::Entry(record))?;
                written.entries += 1;
            }
        }
        // Replies in id order, each with its entry's id from the pass above: joining the
        // entries here read their rows at random (100,000 entries and 17,000 replies: 17,000
        // page reads, a third of the export's reading).
        let mut stmt = conn.prepare(concat!(
            "SELECT ",
            reply_columns!("NULL"),
            ", r.seq, r.entry_seq FROM replies r ORDER BY r.id"
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let seq: ReplySeq = row.get(REPLY_COLUMNS)?;
            let entry_seq: EntrySeq = row.get(REPLY_COLUMNS + 1)?;
            let (entry, domain) = answered_entries
                .get(&entry_seq)
                .with_context(|| format!("reply row {} answers no entry", seq.row()))?;
            if in_domains(domain, domains) {
                let mut reply = reply_row(row, entry.clone())?;
                reply_parts(conn, seq, &mut reply)?;
                sink.write(Record::Reply(reply))?;
                written.replies += 1;
            }
        }
        Ok(written)
    })
}

/// What [`export_salvaging`] wrote, and how many rows it could not read.
#[derive(Debug, Default, Clone, Copy)]
pub struct Salvaged {
    pub written: Written,
    pub unreadable: usize,
}

/// The export of a damaged database: every record read on its own, by row id, so a damaged page
/// costs the rows on it and not the export. Rows that cannot be read are skipped and counted.
/// Row ids come from the `id` index when it can be read (the export's own order), else from
/// probing every row id up to the largest.
pub fn export_salvaging(
    conn: &Connection,
    domains: &[String],
    out: &mut (dyn Write + Send),
) -> anyhow::Result<Salvaged> {
    writeln!(out, "{}", exchange::header_line())?;
    let mut unreadable = 0;
    let entries = readable_row_ids(conn, "entries", &mut unreadable)?;
    let replies = readable_row_ids(conn, "replies", &mut unreadable)?;
    exchange::write_in_background(out, |sink| {
        let mut salvaged = Salvaged {
            unreadable,
            ..Salvaged::default()
        };
        for seq in entries {
            match load_record(conn, EntrySeq::from_row(seq)) {
                Ok(record) => {
                    if in_domains(&record.domain.value, domains) {
                        sink.write(Record::Entry(record))?;
                        salvaged.written.entries += 1;
                    }
                }
                Err(_) => salvaged.unreadable += 1,
            }
        }
        for seq in replies {
            let domain = conn.query_row(
                "SELECT e.domain FROM replies r JOIN entries e ON e.seq = r.entry_seq WHERE r.seq = ?1",
                [seq],
                |r| r.get::<_, String>(0),
            );
            match domain
                .map_err(anyhow::Error::from)
                .and_then(|d| Ok((d, load_reply(conn, ReplySeq::from_row(seq))?)))
            {
                Ok((domain, reply)) => {
                    if in_domains(&domain, domains) {
                        sink.write(Record::Reply(reply))?;
                        salvaged.written.replies += 1;
                    }
                }
                Err(_) => salvaged.unreadable += 1,
            }
        }
        Ok(salvaged)
    })
}

/// The row ids of `table` (`entries` or `replies`) in id order, as far as they can be read.
fn readable_row_ids(
    conn: &Connection,
    table: &str,
    unreadable: &mut usize,
) -> anyhow::Result<Vec<i64>> {
    let by_index = conn
        .prepare(&format!("SELECT seq FROM {table} ORDER BY id"))
        .and_then(|mut stmt| stmt.query_map([], |r| r.get(0))?.collect());
    if let Ok(seqs) = by_index {
        return Ok(seqs);
    }
    let largest: i64 = conn
        .query_row(
            &format!("SELECT coalesce(max(seq), 0) FROM {table}"),
            [],
            |r| r.get(0),
        )
        .map_err(|e| {
            anyhow::Error::from(e).context("the database is too damaged to find its rows")
        })?;
    let mut found: Vec<(String, i64)> = Vec::new();
    let mut probe = conn.prepare(&format!("SELECT id FROM {table} WHERE seq = ?1"))?;
    for seq in 1..=largest {
        match probe.query_row([seq], |r| r.get::<_, String>(0)).optional() {
            Ok(Some(id)) => found.push((id, seq)),
            Ok(None) => {}
            Err(_) => *unreadable += 1,
        }
    }
    found.sort();
    Ok(found.into_iter().map(|(_, seq)| seq).collect())
}
