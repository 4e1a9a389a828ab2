//! Moving records between the database and the exchange format: load a record with its clocks,
//! tags and history; write a merged record back; stream an export; apply an import.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, Read as _, Write};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::Writer;
use super::entries::put_tag;
use crate::clock::Stamp;
use crate::error::RepError;
use crate::exchange::{
    self, EntryRecord, LineError, Record, Revision, TagState, TextField, Versioned,
};
use crate::timefmt;

const RECORD_COLUMNS: &str =
    "id, created_ms, author, kind, kind_at, kind_by, title, title_at, title_by,
    body, body_at, body_by, domain, domain_at, domain_by, command, command_at, command_by,
    link, link_at, link_by, deleted, deleted_at, deleted_by";

fn stamp(text: String) -> rusqlite::Result<Stamp> {
    text.parse().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// An entry with everything that is shared: clocks, tags with their stamps, and history.
pub fn load_record(conn: &Connection, seq: i64) -> anyhow::Result<EntryRecord> {
    let mut record = conn
        .prepare_cached(&format!(
            "SELECT {RECORD_COLUMNS} FROM entries WHERE seq = ?1"
        ))?
        .query_row([seq], |r| {
            let versioned = |i: usize| -> rusqlite::Result<Versioned<String>> {
                Ok(Versioned {
                    value: r.get(i)?,
                    at: stamp(r.get(i + 1)?)?,
                    by: r.get(i + 2)?,
                })
            };
            let optional = |i: usize| -> rusqlite::Result<Versioned<Option<String>>> {
                Ok(Versioned {
                    value: r.get(i)?,
                    at: stamp(r.get(i + 1)?)?,
                    by: r.get(i + 2)?,
                })
            };
            Ok(EntryRecord {
                id: r.get(0)?,
                created_at: timefmt::rfc3339_millis(r.get(1)?),
                author: r.get(2)?,
                kind: versioned(3)?,
                title: versioned(6)?,
                body: versioned(9)?,
                domain: versioned(12)?,
                command: optional(15)?,
                link: optional(18)?,
                deleted: Versioned {
                    value: r.get(21)?,
                    at: stamp(r.get(22)?)?,
                    by: r.get(23)?,
                },
                tags: BTreeMap::new(),
                revisions: Vec::new(),
            })
        })?;
    let mut tags =
        conn.prepare_cached("SELECT tag, present, stamp FROM entry_tags WHERE entry_seq = ?1")?;
    for row in tags.query_map([seq], |r| {
        Ok((r.get::<_, String>(0)?, r.get(1)?, stamp(r.get(2)?)?))
    })? {
        let (tag, present, at) = row?;
        record.tags.insert(tag, TagState { present, at });
    }
    let mut revisions = conn
        .prepare_cached("SELECT field, value, stamp, member FROM revisions WHERE entry_seq = ?1")?;
    for row in revisions.query_map([seq], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get(1)?,
            stamp(r.get(2)?)?,
            r.get(3)?,
        ))
    })? {
        let (field, value, at, by) = row?;
        let field = TextField::from_name(&field)
            .ok_or_else(|| anyhow::anyhow!("unknown field {field} in history"))?;
        record.revisions.push(Revision {
            field,
            value,
            at,
            by,
        });
    }
    record.revisions.sort();
    Ok(record)
}

/// Write `record` as the whole shared state of its entry (`seq` when it exists already).
pub fn save_record(
    conn: &Connection,
    seq: Option<i64>,
    record: &EntryRecord,
) -> anyhow::Result<i64> {
    let created_ms = timefmt::parse_exact(&record.created_at).unwrap_or(0);
    let updated_ms = i64::try_from(record.max_stamp().millis).unwrap_or(i64::MAX);
    let live_tags: Vec<&str> = record
        .tags
        .iter()
        .filter(|(_, s)| s.present)
        .map(|(t, _)| t.as_str())
        .collect();
    let values = params![
        record.id,
        created_ms,
        record.author,
        record.kind.value,
        record.kind.at.to_string(),
        record.kind.by,
        record.title.value,
        record.title.at.to_string(),
        record.title.by,
        record.body.value,
        record.body.at.to_string(),
        record.body.by,
        record.domain.value,
        record.domain.at.to_string(),
        record.domain.by,
        record.command.value,
        record.command.at.to_string(),
        record.command.by,
        record.link.value,
        record.link.at.to_string(),
        record.link.by,
        record.deleted.value,
        record.deleted.at.to_string(),
        record.deleted.by,
        updated_ms,
        live_tags.join(" "),
    ];
    let seq = match seq {
        None => {
            conn.prepare_cached(&format!(
                "INSERT INTO entries ({RECORD_COLUMNS}, updated_ms, tags) VALUES
                 (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                  ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)"
            ))?
            .execute(values)?;
            conn.last_insert_rowid()
        }
        Some(seq) => {
            conn.prepare_cached(
                "UPDATE entries SET created_ms = ?2, author = ?3,
                    kind = ?4, kind_at = ?5, kind_by = ?6, title = ?7, title_at = ?8, title_by = ?9,
                    body = ?10, body_at = ?11, body_by = ?12, domain = ?13, domain_at = ?14, domain_by = ?15,
                    command = ?16, command_at = ?17, command_by = ?18, link = ?19, link_at = ?20, link_by = ?21,
                    deleted = ?22, deleted_at = ?23, deleted_by = ?24,
                    updated_ms = max(updated_ms, ?25), tags = ?26
                 WHERE id = ?1",
            )?
            .execute(values)?;
            seq
        }
    };
    for (tag, state) in &record.tags {
        put_tag(conn, seq, tag, state.present, &state.at.to_string())?;
    }
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO revisions (entry_seq, field, value, stamp, member) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for r in &record.revisions {
        insert.execute(params![
            seq,
            r.field.name(),
            r.value,
            r.at.to_string(),
            r.by
        ])?;
    }
    // A value that was history and is current again must not be listed twice.
    let mut drop_current = conn.prepare_cached(
        "DELETE FROM revisions WHERE entry_seq = ?1 AND field = ?2 AND stamp = ?3 AND value IS ?4",
    )?;
    for field in TextField::ALL {
        let current = record.current(field);
        drop_current.execute(params![
            seq,
            field.name(),
            current.at.to_string(),
            current.value
        ])?;
    }
    Ok(seq)
}

fn seq_of(conn: &Connection, id: &str) -> anyhow::Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT seq FROM entries WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// Write every entry (in `domains` and their sub-domains, when given) in the exchange format.
/// Returns the number of records written.
pub fn export(conn: &Connection, domains: &[String], out: &mut dyn Write) -> anyhow::Result<usize> {
    writeln!(out, "{}", exchange::header_line())?;
    let mut stmt = conn.prepare("SELECT seq, domain FROM entries ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    let mut written = 0;
    for row in rows {
        let (seq, domain) = row?;
        let wanted = domains.is_empty()
            || domains
                .iter()
                .any(|d| domain == *d || domain.starts_with(&format!("{d}/")));
        if !wanted {
            continue;
        }
        let record = Record::Entry(load_record(conn, seq)?);
        writeln!(out, "{}", exchange::to_line(&record))?;
        written += 1;
    }
    Ok(written)
}

/// What an import did, entry by entry.
#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub lost_concurrent_edits: usize,
    /// Entries that were added or changed, in file order.
    pub changes: Vec<ImportChange>,
}

#[derive(Debug, Serialize)]
pub struct ImportChange {
    pub id: String,
    pub title: String,
    /// `added` or `updated`.
    pub outcome: &'static str,
    /// Fields whose value lost to one written without seeing it; the loser is in `rep history`.
    pub lost_concurrent_edits: Vec<&'static str>,
}

/// Read an exchange file and join every record into the database, inside the caller's
/// transaction: any bad line aborts the whole import.
pub fn import<R: BufRead>(w: &Writer<'_>, input: &mut R) -> anyhow::Result<ImportReport> {
    let conn = w.conn();
    let mut report = ImportReport::default();
    let mut seen_ids: HashSet<String> = HashSet::new();
    let mut max_seen: Option<Stamp> = None;
    let mut buf = Vec::new();
    let mut line_no = 0;
    let bad = |e: LineError| -> anyhow::Error {
        RepError::user(format!("cannot import: {e}"))
            .with_hint("the database was not changed; fix or re-export the file")
            .into()
    };
    loop {
        buf.clear();
        let read = input
            .by_ref()
            .take(exchange::MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)?;
        if read == 0 {
            break;
        }
        line_no += 1;
        if buf.last() != Some(&b'\n') {
            let reason = if buf.len() > exchange::MAX_LINE_BYTES {
                format!(
                    "longer than the limit of {} bytes",
                    exchange::MAX_LINE_BYTES
                )
            } else {
                "the last line has no newline: the file looks truncated".to_owned()
            };
            return Err(bad(LineError {
                line: line_no,
                reason,
            }));
        }
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        if line_no == 1 {
            exchange::parse_header(&buf).map_err(bad)?;
            continue;
        }
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let Record::Entry(incoming) = exchange::parse_line(line_no, &buf).map_err(bad)?;
        if !seen_ids.insert(incoming.id.clone()) {
            return Err(bad(LineError {
                line: line_no,
                reason: format!("entry {} appears twice", incoming.id),
            }));
        }
        let incoming = exchange::canonical(incoming);
        if max_seen.as_ref().is_none_or(|m| incoming.max_stamp() > m) {
            max_seen = Some(incoming.max_stamp().clone());
        }
        match seq_of(conn, &incoming.id)? {
            None => {
                save_record(conn, None, &incoming)?;
                report.added += 1;
                report.changes.push(ImportChange {
                    id: incoming.id.clone(),
                    title: incoming.title.value.clone(),
                    outcome: "added",
                    lost_concurrent_edits: Vec::new(),
                });
            }
            Some(seq) => {
                let local = load_record(conn, seq)?;
                let joined = exchange::join(&local, &incoming);
                if joined.record == local {
                    report.unchanged += 1;
                    continue;
                }
                save_record(conn, Some(seq), &joined.record)?;
                report.updated += 1;
                if !joined.lost_concurrent_edits.is_empty() {
                    report.lost_concurrent_edits += 1;
                }
                report.changes.push(ImportChange {
                    id: joined.record.id.clone(),
                    title: joined.record.title.value.clone(),
                    outcome: "updated",
                    lost_concurrent_edits: joined
                        .lost_concurrent_edits
                        .iter()
                        .map(|f| f.name())
                        .collect(),
                });
            }
        }
    }
    if line_no == 0 {
        return Err(bad(LineError {
            line: 1,
            reason: "the file is empty: there is no header".into(),
        }));
    }
    if let Some(max) = max_seen {
        w.observe(&max)?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ExitStatus, status_of};
    use crate::store::Store;
    use crate::store::entries::{self, NewEntry};

    fn file_of(n: usize) -> String {
        let mut text = exchange::header_line();
        text.push('\n');
        for i in 0..n {
            let mut record = exchange::tests::record(
                &format!("0b6c3c3e-6a2f-4b7e-9d1c-{i:012x}"),
                exchange::tests::stamp(1_795_000_000_000, 0, 1),
            );
            record.body.value = format!("record {i} ").repeat(40);
            text.push_str(&exchange::to_line(&Record::Entry(record)));
            text.push('\n');
        }
        text
    }

    fn dump(store: &mut Store) -> Vec<u8> {
        let mut out = Vec::new();
        store.read(|c| export(c, &[], &mut out)).unwrap();
        out
    }

    /// A full disk, simulated by capping the pages the database may use: the import fails with
    /// an error that says so, and nothing of it is left behind.
    #[test]
    fn a_full_disk_fails_the_import_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("db")).unwrap();
        let entry = NewEntry {
            kind: "tool".into(),
            title: "kept".into(),
            body: String::new(),
            domain: "general".into(),
            tags: vec![],
            author: "ana".into(),
            command: None,
            link: None,
        };
        store.write(|w| entries::insert(w, &entry, 1_000)).unwrap();
        let before = dump(&mut store);
        let pages: u32 = store
            .conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        store
            .conn
            .pragma_update(None, "max_page_count", pages + 20)
            .unwrap();
        let file = file_of(2_000);
        let err = store
            .write(|w| import(w, &mut file.as_bytes()))
            .unwrap_err();
        assert_eq!(status_of(&err), ExitStatus::Environment, "{err:#}");
        let text = format!("{err:#}");
        assert!(text.contains("full"), "{text}");
        assert!(crate::error::hint_of(&err).unwrap().contains("nothing"));
        assert_eq!(dump(&mut store), before, "nothing half-written");
        let ok: String = store
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
        // With room again, the same file imports whole.
        store
            .conn
            .pragma_update(None, "max_page_count", 1_000_000)
            .unwrap();
        let report = store.write(|w| import(w, &mut file.as_bytes())).unwrap();
        assert_eq!(report.added, 2_000);
    }
}
