//! Moving records between the database and the exchange format: load a record with its clocks,
//! tags and history; write a merged record back; stream an export; apply an import.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use rusqlite::fallible_streaming_iterator::FallibleStreamingIterator;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use super::Writer;
use super::bulk_index::{BulkIndex, Doc};
use super::entries::{index_new_entry, index_new_reply, put_tag};
use crate::clock::Stamp;
use crate::error::RepError;
use crate::exchange::{self, ReadError};
use crate::limits;
use crate::replica::{
    self, EntryRecord, Occurrence, Record, ReplyRecord, ReplyRevision, Revision, TagState,
    TextField, Versioned,
};
use crate::timefmt::{self, Millis};

/// The columns of an entry's shared state, in [`record_row`]'s order. A macro, so that the
/// statements built from it are literals: no formatting per record.
macro_rules! record_columns {
    () => {
        "id, created_ms, author, kind, kind_at, kind_by, title, title_at, title_by,
    body, body_at, body_by, domain, domain_at, domain_by, command, command_at, command_by,
    link, link_at, link_by, deleted, deleted_at, deleted_by,
    resolved, resolved_at, resolved_by, reviewed_at, reviewed_by"
    };
}

macro_rules! reply_columns {
    () => {
        "r.id, e.id, r.created_ms, r.author, r.body, r.accepted, r.accepted_at,
    r.accepted_by, r.deleted, r.deleted_at, r.deleted_by, r.body_at, r.body_by"
    };
}

/// Stamps are read in place, without an owned copy of their text first.
impl rusqlite::types::FromSql for Stamp {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        value
            .as_str()?
            .parse()
            .map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))
    }
}

fn versioned<T: rusqlite::types::FromSql>(r: &Row<'_>, i: usize) -> rusqlite::Result<Versioned<T>> {
    Ok(Versioned {
        value: r.get(i)?,
        at: r.get(i + 1)?,
        by: r.get(i + 2)?,
    })
}

/// A versioned flag stored as three nullable columns (value, stamp, member).
fn optional_flag(
    r: &Row<'_>,
    value: Option<bool>,
    i: usize,
) -> rusqlite::Result<Option<Versioned<bool>>> {
    let at: Option<Stamp> = r.get(i)?;
    let by: Option<String> = r.get(i + 1)?;
    match (at, by) {
        (Some(at), Some(by)) => Ok(Some(Versioned {
            value: value.unwrap_or(true),
            at,
            by,
        })),
        _ => Ok(None),
    }
}

fn endorsements(conn: &Connection, record_id: &str) -> anyhow::Result<BTreeMap<String, Stamp>> {
    let mut stmt =
        conn.prepare_cached("SELECT member, stamp FROM endorsements WHERE record_id = ?1")?;
    let rows = stmt.query_map([record_id], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn save_endorsements(
    conn: &Connection,
    record_id: &str,
    helped: &BTreeMap<String, Stamp>,
) -> anyhow::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO endorsements (record_id, member, stamp) VALUES (?1, ?2, ?3)
         ON CONFLICT (record_id, member) DO UPDATE SET stamp = min(stamp, excluded.stamp)",
    )?;
    for (member, at) in helped {
        stmt.execute(params![record_id, member, at.to_string()])?;
    }
    // At the bound, the join may have dropped members that rows still hold.
    if helped.len() >= limits::ENDORSEMENTS {
        let mut drop =
            conn.prepare_cached("DELETE FROM endorsements WHERE record_id = ?1 AND member = ?2")?;
        let held = endorsements(conn, record_id)?;
        for member in held.keys().filter(|m| !helped.contains_key(*m)) {
            drop.execute(params![record_id, member])?;
        }
    }
    Ok(())
}

/// An entry with everything that is shared: clocks, tags with their stamps, and history.
pub fn load_record(conn: &Connection, seq: i64) -> anyhow::Result<EntryRecord> {
    let mut record = conn
        .prepare_cached(concat!(
            "SELECT ",
            record_columns!(),
            " FROM entries WHERE seq = ?1"
        ))?
        .query_row([seq], record_row)?;
    load_parts(conn, seq, &mut record)?;
    Ok(record)
}

/// An entry's own row, read from `record_columns!()`; its parts are left empty.
fn record_row(r: &Row<'_>) -> rusqlite::Result<EntryRecord> {
    Ok(EntryRecord {
        id: r.get(0)?,
        created_at: timefmt::rfc3339_millis(r.get(1)?),
        author: r.get(2)?,
        kind: versioned(r, 3)?,
        title: versioned(r, 6)?,
        body: versioned(r, 9)?,
        domain: versioned(r, 12)?,
        command: versioned(r, 15)?,
        link: versioned(r, 18)?,
        deleted: versioned(r, 21)?,
        tags: BTreeMap::new(),
        resolved: optional_flag(r, r.get(24)?, 25)?,
        reviewed: optional_flag(r, Some(true), 27)?,
        links: BTreeMap::new(),
        helped: BTreeMap::new(),
        occurrences: Vec::new(),
        revisions: Vec::new(),
    })
}

/// Fill in what an entry holds besides its row: tags, links, endorsements, occurrences, history.
fn load_parts(conn: &Connection, seq: i64, record: &mut EntryRecord) -> anyhow::Result<()> {
    // Everything an entry holds besides its row, in one statement: a re-import loads every
    // record it reads, and one statement instead of five makes that twice as fast.
    let mut parts = conn.prepare_cached(
        "SELECT 1, tag, present, stamp, NULL, NULL FROM entry_tags WHERE entry_seq = ?1
         UNION ALL SELECT 2, target_id || ' ' || kind, present, stamp, NULL, NULL
                     FROM links WHERE source_seq = ?1
         UNION ALL SELECT 3, member, NULL, stamp, NULL, NULL FROM endorsements WHERE record_id = ?2
         UNION ALL SELECT 4, id, member, at_ms, note, NULL FROM occurrences WHERE entry_seq = ?1
         UNION ALL SELECT 5, field, value, stamp, member, NULL FROM revisions WHERE entry_seq = ?1",
    )?;
    let mut rows = parts.query(params![seq, record.id])?;
    while let Some(row) = rows.next()? {
        add_part(record, row, 0)?;
    }
    sort_parts(record);
    Ok(())
}

/// The parts of every entry, in the order of entry ids, for an export to merge with the
/// entries in one pass: columns are the entry id, then those of [`add_part`]. Each branch
/// walks the entries' id index, so SQLite merges them without sorting anything.
const PARTS_BY_ENTRY_ID: &str = "
    SELECT e.id, 1, t.tag, t.present, t.stamp, NULL, NULL
      FROM entry_tags t JOIN entries e ON e.seq = t.entry_seq
    UNION ALL SELECT e.id, 2, l.target_id || ' ' || l.kind, l.present, l.stamp, NULL, NULL
      FROM links l JOIN entries e ON e.seq = l.source_seq
    UNION ALL SELECT n.record_id, 3, n.member, NULL, n.stamp, NULL, NULL
      FROM endorsements n JOIN entries e ON e.id = n.record_id
    UNION ALL SELECT e.id, 4, o.id, o.member, o.at_ms, o.note, NULL
      FROM occurrences o JOIN entries e ON e.seq = o.entry_seq
    UNION ALL SELECT e.id, 5, r.field, r.value, r.stamp, r.member, NULL
      FROM revisions r JOIN entries e ON e.seq = r.entry_seq
    ORDER BY 1";

/// Add one part to `record`: a row of (part kind 1-5, then four columns) from column `at`.
fn add_part(record: &mut EntryRecord, r: &Row<'_>, at: usize) -> anyhow::Result<()> {
    let col = |i: usize| at + i;
    match r.get::<_, i64>(col(0))? {
        1 => {
            let state = TagState {
                present: r.get(col(2))?,
                at: r.get(col(3))?,
            };
            record.tags.insert(r.get(col(1))?, state);
        }
        2 => {
            let state = TagState {
                present: r.get(col(2))?,
                at: r.get(col(3))?,
            };
            record.links.insert(r.get(col(1))?, state);
        }
        3 => {
            record.helped.insert(r.get(col(1))?, r.get(col(3))?);
        }
        4 => record.occurrences.push(Occurrence {
            id: r.get(col(1))?,
            member: r.get(col(2))?,
            at: timefmt::rfc3339_millis(r.get(col(3))?),
            note: r.get(col(4))?,
        }),
        _ => {
            let field: String = r.get(col(1))?;
            let field = TextField::from_name(&field)
                .ok_or_else(|| anyhow::anyhow!("unknown field {field} in history"))?;
            record.revisions.push(Revision {
                field,
                value: r.get(col(2))?,
                at: r.get(col(3))?,
                by: r.get(col(4))?,
            });
        }
    }
    Ok(())
}

/// The lists among the parts are kept in a fixed order, so that the same state always gives
/// the same record.
fn sort_parts(record: &mut EntryRecord) {
    record.occurrences.sort_by(|a, b| a.id.cmp(&b.id));
    record.revisions.sort();
}

/// Write `record` as the whole shared state of its entry (`seq` when it exists already). A new
/// entry's text goes to `bulk` when given, else straight into the full-text index.
pub fn save_record(
    conn: &Connection,
    seq: Option<i64>,
    record: &EntryRecord,
    bulk: Option<&mut BulkIndex>,
) -> anyhow::Result<i64> {
    let created_ms = timefmt::parse_exact(&record.created_at).unwrap_or(0);
    let updated_ms = i64::try_from(record.max_stamp().millis).unwrap_or(i64::MAX);
    let live_tags = record
        .tags
        .iter()
        .filter(|(_, s)| s.present)
        .map(|(t, _)| t.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let resolved = record.resolved.as_ref();
    let reviewed = record.reviewed.as_ref();
    let body_folded = crate::search::body_folded(&record.body.value);
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
        resolved.map(|v| v.value),
        resolved.map(|v| v.at.to_string()),
        resolved.map(|v| v.by.as_str()),
        reviewed.map(|v| v.at.to_string()),
        reviewed.map(|v| v.by.as_str()),
        updated_ms,
        live_tags,
        body_folded,
    ];
    let is_new = seq.is_none();
    let seq = match seq {
        None => {
            conn.prepare_cached(concat!(
                "INSERT INTO entries (",
                record_columns!(),
                ", updated_ms, tags, body_folded) VALUES
                 (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                  ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32)"
            ))?
            .execute(values)?;
            let seq = conn.last_insert_rowid();
            if !record.deleted.value {
                let r = record;
                match bulk {
                    Some(bulk) => bulk.add(Doc::Entry {
                        seq,
                        title: r.title.value.clone(),
                        tags: live_tags.clone(),
                        body: r.body.value.clone(),
                        body_folded: body_folded.clone(),
                        command: r.command.value.clone(),
                    })?,
                    None => index_new_entry(
                        conn,
                        seq,
                        &r.title.value,
                        &live_tags,
                        &r.body.value,
                        body_folded.as_deref(),
                        r.command.value.as_deref(),
                    )?,
                }
            }
            seq
        }
        Some(seq) => {
            conn.prepare_cached(
                "UPDATE entries SET created_ms = ?2, author = ?3,
                    kind = ?4, kind_at = ?5, kind_by = ?6, title = ?7, title_at = ?8, title_by = ?9,
                    body = ?10, body_at = ?11, body_by = ?12, domain = ?13, domain_at = ?14,
                    domain_by = ?15, command = ?16, command_at = ?17, command_by = ?18,
                    link = ?19, link_at = ?20, link_by = ?21,
                    deleted = ?22, deleted_at = ?23, deleted_by = ?24,
                    resolved = ?25, resolved_at = ?26, resolved_by = ?27,
                    reviewed_at = ?28, reviewed_by = ?29,
                    updated_ms = max(updated_ms, ?30), tags = ?31, body_folded = ?32
                 WHERE id = ?1",
            )?
            .execute(values)?;
            seq
        }
    };
    // Parts the bounds may have dropped (limits) are rewritten whole: a record at a bound may
    // have lost elements that rows still hold. History is small and always rewritten.
    if !is_new {
        conn.prepare_cached("DELETE FROM revisions WHERE entry_seq = ?1")?
            .execute([seq])?;
        if record.tags.len() >= limits::TAG_STATES {
            conn.prepare_cached("DELETE FROM entry_tags WHERE entry_seq = ?1")?
                .execute([seq])?;
        }
        if record.links.len() >= limits::LINKS {
            conn.prepare_cached("DELETE FROM links WHERE source_seq = ?1")?
                .execute([seq])?;
        }
        if record.occurrences.len() >= limits::OCCURRENCES {
            conn.prepare_cached("DELETE FROM occurrences WHERE entry_seq = ?1")?
                .execute([seq])?;
        }
    }
    for (tag, state) in &record.tags {
        put_tag(conn, seq, tag, state.present, &state.at.to_string())?;
    }
    let mut link = conn.prepare_cached(
        "INSERT INTO links (source_seq, target_id, kind, present, stamp) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (source_seq, target_id, kind) DO UPDATE SET present = excluded.present, stamp = excluded.stamp",
    )?;
    for (key, state) in &record.links {
        let (target, kind) = key.split_once(' ').unwrap_or((key, "related"));
        link.execute(params![
            seq,
            target,
            kind,
            state.present,
            state.at.to_string()
        ])?;
    }
    save_endorsements(conn, &record.id, &record.helped)?;
    // The record holds the joined state of each occurrence; one recorded under another entry
    // is a crafted file's, refused rather than moved.
    let mut occurrence = conn.prepare_cached(
        "INSERT INTO occurrences (id, entry_seq, member, at_ms, note) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET member = excluded.member, at_ms = excluded.at_ms,
             note = excluded.note
         WHERE entry_seq = excluded.entry_seq",
    )?;
    for o in &record.occurrences {
        let at = timefmt::parse_exact(&o.at).unwrap_or(0);
        if occurrence.execute(params![o.id, seq, o.member, at, o.note])? == 0 {
            return Err(RepError::user(format!(
                "cannot import: occurrence {} of entry {} is recorded on another entry",
                o.id, record.id
            ))
            .with_hint("the database was not changed; the file was not written by rep")
            .into());
        }
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
    Ok(seq)
}

/// Apply the bound on one field's history (limits) after a local change of it: the field's
/// history alone decides what it keeps, so only its values are read.
pub fn keep_history_bounded(conn: &Connection, seq: i64, field: TextField) -> anyhow::Result<()> {
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
pub fn keep_bounded(conn: &Connection, seq: i64, stamp: Option<&Stamp>) -> anyhow::Result<()> {
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
    let seqs: Vec<i64> = conn
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

pub fn load_reply(conn: &Connection, seq: i64) -> anyhow::Result<ReplyRecord> {
    let mut reply = conn
        .prepare_cached(concat!(
            "SELECT ",
            reply_columns!(),
            " FROM replies r JOIN entries e ON e.seq = r.entry_seq WHERE r.seq = ?1"
        ))?
        .query_row([seq], |r| {
            Ok(ReplyRecord {
                id: r.get(0)?,
                entry: r.get(1)?,
                created_at: timefmt::rfc3339_millis(r.get(2)?),
                author: r.get(3)?,
                body: r.get(4)?,
                body_at: r.get(11)?,
                body_by: r.get(12)?,
                revisions: Vec::new(),
                accepted: versioned(r, 5)?,
                deleted: versioned(r, 8)?,
                helped: BTreeMap::new(),
            })
        })?;
    reply.helped = endorsements(conn, &reply.id)?;
    reply.revisions = reply_revisions(conn, seq)?;
    Ok(reply)
}

/// The bodies a reply held before, in the record's order.
pub fn reply_revisions(conn: &Connection, reply_seq: i64) -> anyhow::Result<Vec<ReplyRevision>> {
    let mut revisions: Vec<ReplyRevision> = conn
        .prepare_cached("SELECT value, stamp, member FROM reply_revisions WHERE reply_seq = ?1")?
        .query_map([reply_seq], |r| {
            Ok(ReplyRevision {
                value: r.get(0)?,
                at: r.get(1)?,
                by: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    revisions.sort();
    Ok(revisions)
}

/// Write a reply's whole shared state; its entry must exist.
/// Write `reply` (row `seq` when it exists already) under the entry at `entry_seq`.
pub fn save_reply(
    conn: &Connection,
    seq: Option<i64>,
    entry_seq: i64,
    reply: &ReplyRecord,
    bulk: Option<&mut BulkIndex>,
) -> anyhow::Result<i64> {
    let created_ms = timefmt::parse_exact(&reply.created_at).unwrap_or(0);
    let values = params![
        reply.id,
        entry_seq,
        reply.author,
        created_ms,
        reply.body,
        reply.accepted.value,
        reply.accepted.at.to_string(),
        reply.accepted.by,
        reply.deleted.value,
        reply.deleted.at.to_string(),
        reply.deleted.by,
        reply.body_at.as_ref().map(Stamp::to_string),
        reply.body_by,
    ];
    let seq = match seq {
        None => {
            conn.prepare_cached(
                "INSERT INTO replies (id, entry_seq, author, created_ms, body, accepted, accepted_at,
                    accepted_by, deleted, deleted_at, deleted_by, body_at, body_by)
                                  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?
            .execute(values)?;
            let seq = conn.last_insert_rowid();
            if !reply.deleted.value {
                match bulk {
                    Some(bulk) => bulk.add(Doc::Reply {
                        seq,
                        body: reply.body.clone(),
                    })?,
                    None => index_new_reply(conn, seq, &reply.body)?,
                }
            }
            seq
        }
        Some(seq) => {
            conn.prepare_cached(
                "UPDATE replies SET entry_seq = ?2, author = ?3, created_ms = ?4, body = ?5,
                    accepted = ?6, accepted_at = ?7, accepted_by = ?8,
                    deleted = ?9, deleted_at = ?10, deleted_by = ?11, body_at = ?12, body_by = ?13
                 WHERE id = ?1",
            )?
            .execute(values)?;
            // The join bounds the history, so what the rows hold is replaced, not added to.
            conn.prepare_cached("DELETE FROM reply_revisions WHERE reply_seq = ?1")?
                .execute([seq])?;
            seq
        }
    };
    let mut revision = conn.prepare_cached(
        "INSERT OR IGNORE INTO reply_revisions (reply_seq, value, stamp, member) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for r in &reply.revisions {
        revision.execute(params![
            seq,
            r.value,
            r.at.as_ref().map(Stamp::to_string),
            r.by
        ])?;
    }
    save_endorsements(conn, &reply.id, &reply.helped)?;
    Ok(seq)
}

pub(super) fn seq_of(conn: &Connection, id: &str) -> anyhow::Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT seq FROM entries WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

fn reply_seq_of(conn: &Connection, id: &str) -> anyhow::Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT seq FROM replies WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

fn in_domains(domain: &str, domains: &[String]) -> bool {
    domains.is_empty()
        || domains
            .iter()
            .any(|d| domain == d || domain.starts_with(&format!("{d}/")))
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
        // Entries and their parts come in two streams, both in id order, merged here.
        let mut stmt = conn.prepare(concat!(
            "SELECT ",
            record_columns!(),
            " FROM entries ORDER BY id"
        ))?;
        let mut rows = stmt.query([])?;
        let mut parts_stmt = conn.prepare(PARTS_BY_ENTRY_ID)?;
        let mut parts = parts_stmt.query([])?;
        parts.advance()?;
        while let Some(row) = rows.next()? {
            let mut record = record_row(row)?;
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
        let mut stmt = conn.prepare(
            "SELECT r.seq, e.domain FROM replies r JOIN entries e ON e.seq = r.entry_seq ORDER BY r.id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (seq, domain) = row?;
            if in_domains(&domain, domains) {
                sink.write(Record::Reply(load_reply(conn, seq)?))?;
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
            match load_record(conn, seq) {
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
                .and_then(|d| Ok((d, load_reply(conn, seq)?)))
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

/// What an import did, record by record.
#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub lost_concurrent_edits: usize,
    /// Records that were added or changed, in file order: every one that lost a concurrent
    /// edit, and the others up to [`LISTED_CHANGES`], so memory stays flat for any file size.
    pub changes: Vec<ImportChange>,
    /// Changes counted but not listed.
    pub unlisted_changes: usize,
}

pub const LISTED_CHANGES: usize = 1000;

#[derive(Debug, Serialize)]
pub struct ImportChange {
    pub id: String,
    /// `entry` or `reply`.
    #[serde(rename = "type")]
    pub record_type: &'static str,
    /// The entry's title (for a reply, the title of the entry it answers).
    pub title: String,
    /// `added` or `updated`.
    pub outcome: &'static str,
    /// Fields whose value lost to one written without seeing it; the loser is in `rep history`.
    pub lost_concurrent_edits: Vec<&'static str>,
}

impl ImportReport {
    /// Count a change, and list it while the list has room; `title` is only looked up then.
    fn record(
        &mut self,
        id: &str,
        record_type: &'static str,
        title: impl FnOnce() -> anyhow::Result<String>,
        added: bool,
        lost: Vec<&'static str>,
    ) -> anyhow::Result<()> {
        if added {
            self.added += 1;
        } else {
            self.updated += 1;
        }
        if !lost.is_empty() {
            self.lost_concurrent_edits += 1;
        }
        if self.changes.len() >= LISTED_CHANGES && lost.is_empty() {
            self.unlisted_changes += 1;
            return Ok(());
        }
        let outcome = if added { "added" } else { "updated" };
        self.changes.push(ImportChange {
            id: id.to_owned(),
            record_type,
            title: title()?,
            outcome,
            lost_concurrent_edits: lost,
        });
        Ok(())
    }
}

/// Read an exchange file and join every record into the database, inside the caller's
/// transaction: any bad line aborts the whole import.
pub fn import<R: BufRead + Send>(
    w: &Writer<'_>,
    input: R,
    now: Millis,
) -> anyhow::Result<ImportReport> {
    let conn = w.conn();
    // A bulk write touches far more pages than the default 2 MiB cache holds. 16 MiB keeps the
    // indexes' hot pages in memory; 32 MiB measured no faster and cost 10 MB more of the
    // 100 MB an import may use. Restored at the end.
    let cache_before: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    conn.pragma_update(None, "cache_size", -16_384)?;
    // Into an empty repertoire, build the secondary indexes once at the end (sorting is much
    // cheaper than 100,000 random insertions into each). The index definitions are read back
    // from the schema, so the migrations stay their only source; all of it is one transaction.
    let empty: bool = conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM entries)", [], |r| {
        r.get(0)
    })?;
    let deferred: Vec<(String, String, String)> = if empty {
        let mut stmt = conn.prepare(
            "SELECT name, sql, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
               AND tbl_name IN ('entries', 'entry_tags', 'replies', 'occurrences', 'links',
                                'revisions', 'entry_names')",
        )?;
        let found = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        for (name, _, _) in &found {
            conn.execute_batch(&format!("DROP INDEX \"{name}\""))?;
        }
        found
    } else {
        Vec::new()
    };
    // Into an empty repertoire, the full-text index is built on a second core meanwhile.
    let mut bulk = if empty { BulkIndex::start(conn)? } else { None };
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
                    save_record(conn, None, &incoming, bulk.as_mut())?;
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
                        save_reply(conn, None, entry_seq, &incoming, bulk.as_mut())?;
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
    if !deferred.is_empty() {
        // Building an index is mostly sorting. With a small sort buffer SQLite sorts in runs,
        // and with helper threads it sorts runs on the second core meanwhile: the indexes of
        // 100,000 entries took a fifth less time than with one large sort in memory.
        conn.pragma_update(None, "threads", 2)?;
        conn.pragma_update(None, "cache_size", -4_000)?;
    }
    // The exact names are filled by the bulk index's copy (store::bulk_index), in name order:
    // their index by entry, inserted into as they came, cost more than all the rest of the
    // copy; built after it, it is one sort.
    let (after_copy, now_built): (Vec<_>, Vec<_>) = deferred
        .iter()
        .partition(|(_, _, table)| table == "entry_names" && bulk.is_some());
    for (_, sql, _) in now_built {
        conn.execute_batch(sql)?;
    }
    if let Some(bulk) = bulk {
        bulk.finish(conn)?;
    }
    for (_, sql, _) in after_copy {
        conn.execute_batch(sql)?;
    }
    conn.pragma_update(None, "cache_size", cache_before)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::entries::{self, NewEntry};
    use proptest::prelude::*;

    fn export_bytes(store: &mut Store) -> Vec<u8> {
        let mut out = Vec::new();
        store.read(|c| export(c, &[], &mut out)).unwrap();
        out
    }

    fn import_bytes(store: &mut Store, bytes: &[u8]) -> ImportReport {
        store.write(|w| import(w, bytes, Millis::MAX)).unwrap()
    }

    #[derive(Debug, Clone)]
    enum Op {
        Create {
            title: u8,
        },
        Edit {
            entry: usize,
            field: u8,
            value: u8,
        },
        Tag {
            entry: usize,
            tag: u8,
            present: bool,
        },
        Delete {
            entry: usize,
            deleted: bool,
        },
        Answer {
            entry: usize,
        },
        Accept {
            reply: usize,
        },
        /// On an entry, or on a reply when `reply` is set (then `entry` picks the reply).
        Helped {
            entry: usize,
            reply: bool,
        },
        Seen {
            entry: usize,
        },
        Link {
            from: usize,
            to: usize,
            present: bool,
            kind: u8,
        },
        Review {
            entry: usize,
        },
        Resolve {
            entry: usize,
            resolved: bool,
        },
        Send {
            to: usize,
        },
        EditReply {
            reply: usize,
            value: u8,
        },
        DeleteReply {
            reply: usize,
            deleted: bool,
        },
    }

    /// Weighted so that most histories hold replies, acceptances, endorsements of entries and
    /// replies, occurrences and links of every kind, and indices mostly name records that exist.
    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0u8..4).prop_map(|title| Op::Create { title }),
            2 => (0usize..4, 0u8..3, 0u8..4).prop_map(|(entry, field, value)| Op::Edit {
                entry,
                field,
                value
            }),
            1 => (0usize..4, 0u8..3, any::<bool>()).prop_map(|(entry, tag, present)| Op::Tag {
                entry,
                tag,
                present
            }),
            1 => (0usize..4, any::<bool>()).prop_map(|(entry, deleted)| Op::Delete { entry, deleted }),
            3 => (0usize..4).prop_map(|entry| Op::Answer { entry }),
            2 => (0usize..3).prop_map(|reply| Op::Accept { reply }),
            3 => (0usize..3, any::<bool>()).prop_map(|(entry, reply)| Op::Helped { entry, reply }),
            2 => (0usize..4).prop_map(|entry| Op::Seen { entry }),
            2 => (0usize..4, 0usize..4, any::<bool>(), 0u8..4).prop_map(|(from, to, present, kind)| {
                Op::Link {
                    from,
                    to,
                    present,
                    kind,
                }
            }),
            1 => (0usize..4).prop_map(|entry| Op::Review { entry }),
            1 => (0usize..4, any::<bool>())
                .prop_map(|(entry, resolved)| Op::Resolve { entry, resolved }),
            4 => (0usize..3).prop_map(|to| Op::Send { to }),
            2 => (0usize..3, 0u8..3).prop_map(|(reply, value)| Op::EditReply { reply, value }),
            1 => (0usize..3, any::<bool>())
                .prop_map(|(reply, deleted)| Op::DeleteReply { reply, deleted }),
        ]
    }

    /// What the replicas wrote that must survive every exchange.
    #[derive(Debug, Default)]
    struct Written {
        occurrences: usize,
        endorsements: std::collections::BTreeSet<(String, String)>,
        accepted: std::collections::BTreeSet<String>,
        /// (reply, body): every body a reply was given, kept as current or in its history.
        reply_bodies: std::collections::BTreeSet<(String, String)>,
    }

    /// Apply one local operation on replica `store` at wall time `now`; returns a created id.
    fn apply(
        store: &mut Store,
        op: &Op,
        ids: &[String],
        replies: &mut Vec<String>,
        written: &mut Written,
        now: i64,
        member: &str,
    ) -> Option<String> {
        use crate::store::practice;
        let seq_of = |store: &mut Store, entry: usize| -> Option<i64> {
            let id = ids.get(entry)?;
            store.read(|c| seq_of(c, id)).unwrap()
        };
        match op {
            Op::Create { title } => {
                let new = NewEntry {
                    kind: "tool".into(),
                    title: format!("title {title}"),
                    body: String::new(),
                    domain: "general".into(),
                    tags: vec![],
                    author: member.into(),
                    command: None,
                    link: None,
                };
                let (_, id) = store.write(|w| entries::insert(w, &new, now)).unwrap();
                return Some(id);
            }
            Op::Edit {
                entry,
                field,
                value,
            } => {
                let seq = seq_of(store, *entry)?;
                let field =
                    [TextField::Title, TextField::Body, TextField::Command][*field as usize];
                let value = format!("value {value}");
                store
                    .write(|w| {
                        let stamp = w.tick(now)?;
                        entries::set_field(w.conn(), seq, field, Some(&value), &stamp, member, now)
                    })
                    .unwrap();
            }
            Op::Tag {
                entry,
                tag,
                present,
            } => {
                let seq = seq_of(store, *entry)?;
                store
                    .write(|w| {
                        let stamp = w.tick(now)?;
                        entries::set_tag(w.conn(), seq, &format!("t{tag}"), *present, &stamp, now)?;
                        entries::refresh_tags(w.conn(), seq)
                    })
                    .unwrap();
            }
            Op::Delete { entry, deleted } => {
                let seq = seq_of(store, *entry)?;
                store
                    .write(|w| {
                        let stamp = w.tick(now)?;
                        entries::set_deleted(w.conn(), seq, *deleted, &stamp, member, now)
                    })
                    .unwrap();
            }
            Op::Answer { entry } => {
                let seq = seq_of(store, *entry)?;
                let (_, id) = store
                    .write(|w| practice::add_reply(w, seq, member, "an answer", now))
                    .unwrap();
                replies.push(id);
            }
            Op::Accept { reply } => {
                let id = replies.get(*reply)?.clone();
                let seq: Option<i64> = store.read(|c| reply_seq_of(c, &id)).unwrap();
                let seq = seq?;
                store
                    .write(|w| {
                        let stamp = w.tick(now)?;
                        practice::set_accepted(w.conn(), seq, true, &stamp, member)?;
                        let entry = practice::reply_entry(w.conn(), seq)?;
                        practice::set_resolved(w.conn(), entry, true, &stamp, member, now)
                    })
                    .unwrap();
                written.accepted.insert(id);
            }
            Op::EditReply { reply, value } => {
                let id = replies.get(*reply)?.clone();
                let seq = store.read(|c| reply_seq_of(c, &id)).unwrap()?;
                let body = format!("reply {value}");
                store
                    .write(|w| {
                        let stamp = w.tick(now)?;
                        practice::set_reply_body(w.conn(), seq, &body, &stamp, member)
                    })
                    .unwrap();
                written.reply_bodies.insert((id, body));
            }
            Op::DeleteReply { reply, deleted } => {
                let id = replies.get(*reply)?.clone();
                let seq = store.read(|c| reply_seq_of(c, &id)).unwrap()?;
                store
                    .write(|w| {
                        let stamp = w.tick(now)?;
                        practice::set_reply_deleted(w.conn(), seq, *deleted, &stamp, member, now)
                    })
                    .unwrap();
            }
            Op::Helped { entry, reply } => {
                let id = if *reply {
                    let id = replies.get(*entry)?.clone();
                    store.read(|c| reply_seq_of(c, &id)).unwrap()?;
                    id
                } else {
                    seq_of(store, *entry)?;
                    ids.get(*entry)?.clone()
                };
                store
                    .write(|w| {
                        let stamp = w.tick(now)?;
                        practice::endorse(w.conn(), &id, member, &stamp)
                    })
                    .unwrap();
                written.endorsements.insert((id, member.to_owned()));
            }
            Op::Seen { entry } => {
                let seq = seq_of(store, *entry)?;
                store
                    .write(|w| {
                        w.tick(now)?;
                        practice::add_occurrence(w.conn(), seq, member, now, Some("again"))
                    })
                    .unwrap();
                written.occurrences += 1;
            }
            Op::Link {
                from,
                to,
                present,
                kind,
            } => {
                // The CLI refuses a link from an entry to itself, and so does import.
                if from == to {
                    return None;
                }
                let seq = seq_of(store, *from)?;
                let target = ids.get(*to)?.clone();
                let kind = ["related", "duplicate", "supersedes", "documents"][*kind as usize];
                store
                    .write(|w| {
                        let stamp = w.tick(now)?;
                        practice::set_link(w.conn(), seq, &target, kind, *present, &stamp)
                    })
                    .unwrap();
            }
            Op::Review { entry } => {
                let seq = seq_of(store, *entry)?;
                store
                    .write(|w| {
                        let stamp = w.tick(now)?;
                        practice::set_reviewed(w.conn(), seq, &stamp, member)
                    })
                    .unwrap();
            }
            Op::Resolve { entry, resolved } => {
                let seq = seq_of(store, *entry)?;
                store
                    .write(|w| {
                        let stamp = w.tick(now)?;
                        practice::set_resolved(w.conn(), seq, *resolved, &stamp, member, now)
                    })
                    .unwrap();
            }
            Op::Send { .. } => {}
        }
        None
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Random histories on three replicas with skewed and tied clocks, exchanged in random
        /// orders with repeats, end with byte-identical exports; nothing written is lost.
        #[test]
        fn replicas_converge(
            steps in proptest::collection::vec((0usize..3, op(), 0i64..3), 1..80),
            skew in proptest::collection::vec(-5_000i64..5_000, 3),
            final_order in proptest::collection::vec((0usize..3, 0usize..3), 6..12),
        ) {
            let mut replicas: Vec<Store> = (0..3).map(|_| Store::open_in_memory().unwrap()).collect();
            let members = ["ana", "bob", "cy"];
            let mut ids: Vec<String> = Vec::new();
            let mut replies: Vec<String> = Vec::new();
            let mut written = Written::default();
            let mut written_titles: Vec<(String, String)> = Vec::new();
            // Two entries every replica knows, so that replies, occurrences and links come early.
            for title in 0..2 {
                let id = apply(&mut replicas[0], &Op::Create { title }, &ids, &mut replies, &mut written, 999_000, "ana");
                ids.extend(id);
            }
            let seed = export_bytes(&mut replicas[0]);
            for other in replicas.iter_mut().skip(1) {
                import_bytes(other, &seed);
            }
            for (i, (r, op, tick)) in steps.iter().enumerate() {
                // Wall clocks advance slowly and often tie; each replica's is skewed.
                let now = 1_000_000 + (i as i64 / 3) * 10 + tick + skew[*r];
                if let Op::Send { to } = op {
                    let bytes = export_bytes(&mut replicas[*r]);
                    import_bytes(&mut replicas[*to], &bytes);
                    continue;
                }
                if let Op::Edit { entry, field: 0, value } = op {
                    let known = ids.get(*entry).filter(|id| replicas[*r].read(|c| seq_of(c, id)).unwrap().is_some());
                    if let Some(id) = known {
                        written_titles.push((id.clone(), format!("value {value}")));
                    }
                }
                if let Some(id) = apply(&mut replicas[*r], op, &ids, &mut replies, &mut written, now, members[*r]) {
                    ids.push(id);
                }
            }
            // Deliver in a random order with repeats, then all-to-all so everyone has seen all.
            for (from, to) in final_order {
                let bytes = export_bytes(&mut replicas[from]);
                import_bytes(&mut replicas[to], &bytes);
            }
            for _round in 0..2 {
                for from in 0..3 {
                    let bytes = export_bytes(&mut replicas[from]);
                    for to in replicas.iter_mut() {
                        import_bytes(to, &bytes);
                    }
                }
            }
            let exports: Vec<Vec<u8>> = replicas.iter_mut().map(export_bytes).collect();
            prop_assert_eq!(&exports[0], &exports[1]);
            prop_assert_eq!(&exports[1], &exports[2]);
            let text = String::from_utf8(exports[0].clone()).unwrap();
            for (id, title) in &written_titles {
                let prefix = format!("{{\"type\":\"entry\",\"id\":\"{id}\"");
                let line = text.lines().find(|l| l.starts_with(&prefix));
                if let Some(line) = line {
                    prop_assert!(line.contains(&format!("\"{title}\"")), "title {} of {} lost", title, id);
                }
            }
            // Nothing of the practice is lost: every reply, acceptance, occurrence and endorsement.
            let records: Vec<serde_json::Value> = text
                .lines()
                .skip(1)
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            let exported_replies: Vec<&serde_json::Value> =
                records.iter().filter(|r| r["type"] == "reply").collect();
            prop_assert_eq!(exported_replies.len(), replies.len());
            for reply in &exported_replies {
                let id = reply["id"].as_str().unwrap();
                prop_assert_eq!(
                    reply["accepted"]["value"].as_bool().unwrap(),
                    written.accepted.contains(id),
                    "acceptance of reply {}", id
                );
            }
            for (id, body) in &written.reply_bodies {
                let reply = exported_replies.iter().find(|r| r["id"] == id.as_str()).unwrap();
                let held = reply["body"] == body.as_str()
                    || reply["revisions"]
                        .as_array()
                        .is_some_and(|rs| rs.iter().any(|r| r["value"] == body.as_str()));
                prop_assert!(held, "body {} of reply {} lost", body, id);
            }
            let occurrences: usize = records
                .iter()
                .filter_map(|r| r["occurrences"].as_array())
                .map(Vec::len)
                .sum();
            prop_assert_eq!(occurrences, written.occurrences);
            let endorsements: std::collections::BTreeSet<(String, String)> = records
                .iter()
                .filter_map(|r| Some((r["id"].as_str()?, r["helped"].as_object()?)))
                .flat_map(|(id, helped)| helped.keys().map(move |m| (id.to_owned(), m.clone())))
                .collect();
            prop_assert_eq!(&endorsements, &written.endorsements);
            // Round trip: an empty repertoire importing the export gives the same bytes.
            let mut fresh = Store::open_in_memory().unwrap();
            import_bytes(&mut fresh, &exports[0]);
            prop_assert_eq!(&export_bytes(&mut fresh), &exports[0]);
            // Importing again changes nothing.
            let again = import_bytes(&mut replicas[0], &exports[1]);
            prop_assert_eq!(again.added + again.updated, 0);
        }
    }

    #[test]
    fn a_bad_line_changes_nothing() {
        let mut store = Store::open_in_memory().unwrap();
        let new = NewEntry {
            kind: "tool".into(),
            title: "t".into(),
            body: String::new(),
            domain: "general".into(),
            tags: vec![],
            author: "ana".into(),
            command: None,
            link: None,
        };
        store.write(|w| entries::insert(w, &new, 1)).unwrap();
        let good = export_bytes(&mut store);
        let mut other = Store::open_in_memory().unwrap();
        let mut bad = good.clone();
        bad.extend_from_slice(b"{\"type\":\"entry\"}\n");
        let result = other.write(|w| import(w, &bad[..], Millis::MAX));
        let message = format!("{:#}", result.unwrap_err());
        assert!(message.contains("line 3"), "{message}");
        assert_eq!(
            export_bytes(&mut other),
            exchange::header_line()
                .into_bytes()
                .into_iter()
                .chain(*b"\n")
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn files_are_checked_for_the_usual_damage() {
        let mut store = Store::open_in_memory().unwrap();
        let header = exchange::header_line();
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"".to_vec(), "empty"),
            (b"not json\n".to_vec(), "header"),
            (br#"{"format":"repertoire","version":"9.0"}"#.iter().copied().chain(*b"\n").collect(), "newer"),
            (format!("{header}\n<<<<<<< HEAD\n").into_bytes(), "conflict marker"),
            (format!("{header}\n{{\"type\":\"entry\"").into_bytes(), "truncated"),
            (format!("{header}\n\u{0}\n").into_bytes(), "line 2"),
        ];
        for (bytes, expected) in cases {
            let err = store
                .write(|w| import(w, &bytes[..], Millis::MAX))
                .unwrap_err();
            let message = format!("{err:#}");
            assert!(
                message.contains(expected),
                "expected {expected:?} in {message:?}"
            );
        }
    }

    fn file_of(n: usize) -> String {
        let mut text = exchange::header_line();
        text.push('\n');
        for i in 0..n {
            let mut record = replica::tests::record(
                &format!("0b6c3c3e-6a2f-4b7e-9d1c-{i:012x}"),
                replica::tests::stamp(1_795_000_000_000, 0, 1),
            );
            record.body.value = format!("record {i} ").repeat(40);
            text.push_str(&exchange::to_line(&Record::Entry(record)));
            text.push('\n');
        }
        text
    }

    /// Entries with varied text (one deleted, so not indexed), and replies to some of them.
    fn varied_file(n: usize) -> String {
        let words = [
            "kubernetes",
            "postgres",
            "vacuum",
            "ingress",
            "timeout",
            "backup",
            "dns",
        ];
        let at = replica::tests::stamp(1_795_000_000_000, 0, 1);
        let mut lines = vec![exchange::header_line()];
        let mut replies = Vec::new();
        for i in 0..n {
            let id = format!("0b6c3c3e-6a2f-4b7e-9d1c-{i:012x}");
            let mut record = replica::tests::record(&id, at.clone());
            let word = |k: usize| words[(i + k * 3) % words.len()];
            record.title.value = format!("{} and {} {i}", word(0), word(1));
            record.body.value = format!("{} {} {} ", word(2), word(3), word(0)).repeat(1 + i % 5);
            record.command.value = (i % 3 == 0).then(|| format!("kubectl get {}", word(4)));
            record.tags.insert(
                word(5).to_owned(),
                TagState {
                    present: true,
                    at: at.clone(),
                },
            );
            record.deleted.value = i == 3;
            lines.push(exchange::to_line(&Record::Entry(record)));
            if i % 4 == 0 {
                replies.push(exchange::to_line(&Record::Reply(ReplyRecord {
                    id: format!("1b6c3c3e-6a2f-4b7e-9d1c-{i:012x}"),
                    entry: id,
                    created_at: "2026-11-27T09:00:00.000Z".into(),
                    author: "bob".into(),
                    body: format!("try {} before {}", word(6), word(1)),
                    body_at: None,
                    body_by: None,
                    revisions: Vec::new(),
                    accepted: Versioned {
                        value: false,
                        at: at.clone(),
                        by: "bob".into(),
                    },
                    deleted: Versioned {
                        value: false,
                        at: at.clone(),
                        by: "bob".into(),
                    },
                    helped: BTreeMap::new(),
                })));
            }
        }
        lines.extend(replies);
        lines.join("\n") + "\n"
    }

    /// The bulk indexer's scratch files in `dir`.
    fn scratch_files(dir: &std::path::Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|name| name.contains(".index-"))
            .collect()
    }

    /// Ranked rows for `query` in the full-text table `table`.
    fn ranked(store: &mut Store, table: &str, query: &str) -> Vec<i64> {
        store
            .read(|c| {
                let mut stmt = c.prepare(&format!(
                    "SELECT rowid FROM {table} WHERE {table} MATCH ?1 ORDER BY rank, rowid"
                ))?;
                let rows = stmt.query_map([query], |r| r.get(0))?;
                Ok(rows.collect::<Result<Vec<i64>, _>>()?)
            })
            .unwrap()
    }

    /// An import into an empty repertoire on disk builds its full-text indexes in a scratch
    /// database and copies them in; one in memory indexes record by record. Both must give
    /// sound indexes that answer every query alike, and leave no scratch file behind.
    #[test]
    fn bulk_indexing_equals_indexing_record_by_record() {
        let file = varied_file(700);
        let dir = tempfile::tempdir().unwrap();
        let mut on_disk = Store::open(&dir.path().join("rep.db")).unwrap();
        let mut in_memory = Store::open_in_memory().unwrap();
        import_bytes(&mut on_disk, file.as_bytes());
        import_bytes(&mut in_memory, file.as_bytes());
        on_disk
            .read(|c| {
                c.execute_batch(
                    "INSERT INTO entries_fts(entries_fts) VALUES ('integrity-check');
                     INSERT INTO entries_words(entries_words) VALUES ('integrity-check');
                     INSERT INTO replies_fts(replies_fts) VALUES ('integrity-check');",
                )?;
                Ok(())
            })
            .unwrap();
        for query in [
            "kubernetes",
            "postgres OR dns",
            "vacuum ingress",
            "\"get timeout\"",
            "backup",
        ] {
            let expected = ranked(&mut in_memory, "entries_fts", query);
            assert!(!expected.is_empty(), "{query}");
            assert!(!expected.contains(&4), "the deleted entry is not indexed");
            assert_eq!(
                ranked(&mut on_disk, "entries_fts", query),
                expected,
                "{query}"
            );
            let expected = ranked(&mut in_memory, "entries_words", query);
            assert!(!expected.is_empty(), "{query} in the word index");
            assert_eq!(
                ranked(&mut on_disk, "entries_words", query),
                expected,
                "{query} in the word index"
            );
        }
        let names = |store: &mut Store| {
            store
                .read(|c| {
                    let mut stmt =
                        c.prepare("SELECT name, entry_seq FROM entry_names ORDER BY 1, 2")?;
                    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                    Ok(rows.collect::<Result<Vec<(String, i64)>, _>>()?)
                })
                .unwrap()
        };
        let expected = names(&mut in_memory);
        assert!(!expected.is_empty());
        assert_eq!(names(&mut on_disk), expected);
        for query in ["dns", "try before"] {
            let expected = ranked(&mut in_memory, "replies_fts", query);
            assert!(!expected.is_empty(), "{query}");
            assert_eq!(
                ranked(&mut on_disk, "replies_fts", query),
                expected,
                "{query}"
            );
        }
        assert_eq!(export_bytes(&mut on_disk), export_bytes(&mut in_memory));
        assert_eq!(scratch_files(dir.path()), Vec::<String>::new());
    }

    /// An export of some domains holds exactly the records of the whole export that are in
    /// them (subdomains included), each with all its parts.
    #[test]
    fn a_domain_export_is_the_whole_export_filtered() {
        let domains = ["ops", "ops/dns", "db", "opsx"];
        let mut file = varied_file(120);
        for (i, domain) in domains.iter().cycle().take(120).enumerate() {
            let id = format!("0b6c3c3e-6a2f-4b7e-9d1c-{i:012x}");
            let needle = format!("\"id\":\"{id}\"");
            let line_start = file.find(&needle).unwrap();
            let line_end = line_start + file[line_start..].find('\n').unwrap();
            let line = file[line_start..line_end].replacen(
                "\"domain\":{\"value\":\"general\"",
                &format!("\"domain\":{{\"value\":\"{domain}\""),
                1,
            );
            file.replace_range(line_start..line_end, &line);
        }
        let mut store = Store::open_in_memory().unwrap();
        import_bytes(&mut store, file.as_bytes());
        let whole = String::from_utf8(export_bytes(&mut store)).unwrap();
        let mut only_ops = Vec::new();
        store
            .read(|c| export(c, &["ops".to_owned()], &mut only_ops))
            .unwrap();
        let in_ops: std::collections::BTreeSet<String> = whole
            .lines()
            .skip(1)
            .filter_map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                let d = v["domain"]["value"].as_str()?;
                (d == "ops" || d.starts_with("ops/")).then(|| v["id"].as_str().unwrap().to_owned())
            })
            .collect();
        assert_eq!(in_ops.len(), 60);
        let expected: Vec<&str> = whole
            .lines()
            .enumerate()
            .filter(|(i, l)| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                *i == 0
                    || in_ops.contains(v["id"].as_str().unwrap_or(""))
                    || in_ops.contains(v["entry"].as_str().unwrap_or(""))
            })
            .map(|(_, l)| l)
            .collect();
        assert!(expected.iter().any(|l| l.contains("\"tags\":{")));
        assert!(expected.iter().any(|l| l.contains("\"type\":\"reply\"")));
        assert_eq!(
            String::from_utf8(only_ops).unwrap(),
            expected.join("\n") + "\n"
        );
    }

    /// A scratch file left by a killed import is removed by the next bulk import; another
    /// repertoire's beside it is not touched.
    #[test]
    fn a_killed_imports_scratch_file_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(".rep.db.index-AbC123");
        let other = dir.path().join(".other.db.index-AbC123");
        std::fs::write(&stale, b"left by a killed import").unwrap();
        std::fs::write(&other, b"another repertoire's import").unwrap();
        let mut store = Store::open(&dir.path().join("rep.db")).unwrap();
        import_bytes(&mut store, varied_file(10).as_bytes());
        assert!(!stale.exists());
        assert!(other.exists());
    }

    /// A file that turns out bad after many records stops the bulk indexer too: the database is
    /// as before and the scratch file is gone.
    #[test]
    fn a_bad_bulk_import_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("rep.db")).unwrap();
        let mut file = varied_file(2_000);
        file.push_str("{\"type\":\"entry\", broken\n");
        let before = export_bytes(&mut store);
        assert!(
            store
                .write(|w| import(w, file.as_bytes(), Millis::MAX))
                .is_err()
        );
        assert_eq!(export_bytes(&mut store), before);
        assert_eq!(scratch_files(dir.path()), Vec::<String>::new());
        // And the next import, into the still empty repertoire, works.
        let mut in_memory = Store::open_in_memory().unwrap();
        import_bytes(&mut in_memory, varied_file(50).as_bytes());
        import_bytes(&mut store, varied_file(50).as_bytes());
        let expected = ranked(&mut in_memory, "entries_fts", "kubernetes");
        assert!(!expected.is_empty());
        assert_eq!(ranked(&mut store, "entries_fts", "kubernetes"), expected);
    }

    /// A full disk, simulated by capping the pages the database may use: the import fails with
    /// an error that says so, and nothing of it is left behind.
    #[test]
    fn a_full_disk_fails_the_import_cleanly() {
        use crate::error::{ExitStatus, status_of};
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
        let before = export_bytes(&mut store);
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
            .write(|w| import(w, file.as_bytes(), Millis::MAX))
            .unwrap_err();
        assert_eq!(status_of(&err), ExitStatus::Environment, "{err:#}");
        let text = format!("{err:#}");
        assert!(text.contains("full"), "{text}");
        assert!(crate::error::hint_of(&err).unwrap().contains("nothing"));
        assert_eq!(export_bytes(&mut store), before, "nothing half-written");
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
        let report = store
            .write(|w| import(w, file.as_bytes(), Millis::MAX))
            .unwrap();
        assert_eq!(report.added, 2_000);
    }
}

/// Issue 12's laws: whatever ordinary use writes stays shareable, the merge driver's join is
/// import's join, and crafted files that disagree on immutable facts still converge.
#[cfg(test)]
mod sharing_never_stops {
    use super::*;
    use crate::exchange::{RecordReader, file_text};
    use crate::replica::join_files;
    use crate::store::Store;
    use crate::store::entries::{self, NewEntry};
    use proptest::prelude::*;

    fn export_bytes(store: &mut Store) -> Vec<u8> {
        let mut out = Vec::new();
        store.read(|c| export(c, &[], &mut out)).unwrap();
        out
    }

    fn import_bytes(store: &mut Store, bytes: &[u8]) -> anyhow::Result<ImportReport> {
        store.write(|w| import(w, bytes, Millis::MAX))
    }

    fn records(bytes: &[u8]) -> Vec<Record> {
        let mut reader = RecordReader::new(bytes, Millis::MAX);
        let mut out = Vec::new();
        while let Some(r) = reader.next_record().unwrap() {
            out.push(r);
        }
        out
    }

    /// What the CLI does, at the scale that broke sharing before the bounds.
    #[derive(Debug, Clone)]
    enum Use {
        /// `rep edit ID --title ...`, this many times.
        Retitle(usize, u16),
        /// `rep edit ID -` with a body of this many KiB, escaped as heavily as JSON allows.
        BigBody(usize, u16),
        /// `rep edit ID -t r0,...,r63`, then `--untag` them all.
        TagChurn(usize, u8),
        /// `rep edit ID --cmd X`, then `--cmd ""`.
        SetAndClearCommand(usize),
        /// Export and import into another replica.
        Send(usize),
    }

    fn a_use() -> impl Strategy<Value = Use> {
        prop_oneof![
            3 => (0usize..2, 1u16..300).prop_map(|(e, n)| Use::Retitle(e, n)),
            1 => (0usize..2, 17u16..1025).prop_map(|(e, n)| Use::BigBody(e, n)),
            2 => (0usize..2, 0u8..12).prop_map(|(e, r)| Use::TagChurn(e, r)),
            1 => (0usize..2).prop_map(Use::SetAndClearCommand),
            3 => (0usize..3).prop_map(Use::Send),
        ]
    }

    fn new_entry(title: &str) -> NewEntry {
        NewEntry {
            kind: "tool".into(),
            title: title.into(),
            body: String::new(),
            domain: "general".into(),
            tags: vec![],
            author: "ana".into(),
            command: None,
            link: None,
        }
    }

    fn set(
        store: &mut Store,
        seq: i64,
        field: TextField,
        value: Option<&str>,
        at: i64,
        member: &str,
    ) {
        store
            .write(|w| {
                let stamp = w.tick(at)?;
                entries::set_field(w.conn(), seq, field, value, &stamp, member, at)
            })
            .unwrap();
    }

    fn apply(store: &mut Store, seqs: &[i64], used: &Use, now: &mut i64, member: &str) {
        let mut tick = || {
            *now += 1;
            *now
        };
        match used {
            Use::Retitle(e, n) => {
                for i in 0..*n {
                    let at = tick();
                    let title = format!("{member} {at} {i}");
                    set(store, seqs[*e], TextField::Title, Some(&title), at, member);
                }
            }
            Use::BigBody(e, kib) => {
                let unit = "\u{1}\"\n\\ é✓ ";
                let size = usize::from(*kib) * 1024;
                let mut body = unit.repeat(size / unit.len() + 1);
                let mut cut = size - 20;
                while !body.is_char_boundary(cut) {
                    cut -= 1;
                }
                body.truncate(cut);
                let at = tick();
                body.push_str(&at.to_string());
                set(store, seqs[*e], TextField::Body, Some(&body), at, member);
            }
            Use::TagChurn(e, round) => {
                for present in [true, false] {
                    let at = tick();
                    store
                        .write(|w| {
                            let stamp = w.tick(at)?;
                            for i in 0..64 {
                                let tag = format!("{member}-r{round}-t{i}");
                                entries::set_tag(w.conn(), seqs[*e], &tag, present, &stamp, at)?;
                            }
                            entries::refresh_tags(w.conn(), seqs[*e])
                        })
                        .unwrap();
                }
            }
            Use::SetAndClearCommand(e) => {
                let at = tick();
                let command = format!("echo {at}");
                set(
                    store,
                    seqs[*e],
                    TextField::Command,
                    Some(&command),
                    at,
                    member,
                );
                set(store, seqs[*e], TextField::Command, None, tick(), member);
            }
            Use::Send(_) => {}
        }
    }

    /// A file that any rep reads: every line within the limit, imported into an empty
    /// repertoire it gives back the same bytes.
    fn assert_shareable(bytes: &[u8]) -> Result<(), TestCaseError> {
        for line in bytes.split(|b| *b == b'\n') {
            prop_assert!(line.len() <= crate::limits::LINE_BYTES);
        }
        let mut fresh = Store::open_in_memory().unwrap();
        let imported = import_bytes(&mut fresh, bytes);
        prop_assert!(imported.is_ok(), "{:?}", imported.err());
        prop_assert!(
            export_bytes(&mut fresh) == bytes,
            "the round trip changed the file"
        );
        Ok(())
    }

    proptest! {
        // Each case makes thousands of edits and megabytes of history: a few cases suffice.
        #![proptest_config(ProptestConfig::with_cases(4))]
        #[test]
        fn whatever_ordinary_use_writes_every_teammate_imports(
            uses in proptest::collection::vec((0usize..3, a_use()), 1..10),
        ) {
            let mut replicas: Vec<Store> = (0..3).map(|_| Store::open_in_memory().unwrap()).collect();
            let members = ["ana", "bob", "cy"];
            let mut ids = Vec::new();
            for title in ["first", "second"] {
                let (_, id) = replicas[0].write(|w| entries::insert(w, &new_entry(title), 1_000)).unwrap();
                ids.push(id);
            }
            let seed = export_bytes(&mut replicas[0]);
            for other in replicas.iter_mut().skip(1) {
                import_bytes(other, &seed).unwrap();
            }
            let mut clocks = [2_000i64, 2_000, 2_000];
            for (r, used) in &uses {
                if let Use::Send(to) = used {
                    let bytes = export_bytes(&mut replicas[*r]);
                    assert_shareable(&bytes)?;
                    let imported = import_bytes(&mut replicas[*to], &bytes);
                    prop_assert!(imported.is_ok(), "{:?}", imported.err());
                    continue;
                }
                let seqs: Vec<i64> = ids
                    .iter()
                    .map(|id| replicas[*r].read(|c| seq_of(c, id)).unwrap().unwrap())
                    .collect();
                apply(&mut replicas[*r], &seqs, used, &mut clocks[*r], members[*r]);
            }
            // Every replica's file, and the join of all three, is shareable.
            let exports: Vec<Vec<u8>> = replicas.iter_mut().map(export_bytes).collect();
            for bytes in &exports {
                assert_shareable(bytes)?;
            }
            let joined = exports
                .iter()
                .map(|b| records(b))
                .reduce(join_files)
                .unwrap();
            let joined = file_text(&joined).into_bytes();
            assert_shareable(&joined)?;
            for replica in replicas.iter_mut() {
                let imported = import_bytes(replica, &joined);
                prop_assert!(imported.is_ok(), "{:?}", imported.err());
            }
            // Having all seen the joined file, the replicas hold the same bytes.
            let after: Vec<Vec<u8>> = replicas.iter_mut().map(export_bytes).collect();
            prop_assert!(after[0] == after[1] && after[1] == after[2], "replicas differ");
            prop_assert!(after[0] == joined, "the import-join differs from the merge driver's");
        }
    }

    /// Two replicas edit the same entries apart; the merge driver's join of their files is the
    /// same bytes as importing both into one repertoire, cleared values included.
    #[derive(Debug, Clone)]
    enum Edit {
        Title(usize, u8),
        Command(usize, Option<u8>),
        Link(usize, Option<u8>),
        Tag(usize, u8, bool),
    }

    fn an_edit() -> impl Strategy<Value = Edit> {
        prop_oneof![
            (0usize..3, 0u8..4).prop_map(|(e, v)| Edit::Title(e, v)),
            (0usize..3, proptest::option::of(0u8..3)).prop_map(|(e, v)| Edit::Command(e, v)),
            (0usize..3, proptest::option::of(0u8..3)).prop_map(|(e, v)| Edit::Link(e, v)),
            (0usize..3, 0u8..3, any::<bool>()).prop_map(|(e, t, p)| Edit::Tag(e, t, p)),
        ]
    }

    fn edit(store: &mut Store, seqs: &[i64], change: &Edit, now: i64, member: &str) {
        store
            .write(|w| {
                let stamp = w.tick(now)?;
                let c = w.conn();
                let value = |v: &Option<u8>, what: &str| v.map(|v| format!("{what} {v}"));
                match change {
                    Edit::Title(e, v) => {
                        entries::set_field(
                            c,
                            seqs[*e],
                            TextField::Title,
                            Some(&format!("title {v}")),
                            &stamp,
                            member,
                            now,
                        )?;
                    }
                    Edit::Command(e, v) => {
                        entries::set_field(
                            c,
                            seqs[*e],
                            TextField::Command,
                            value(v, "cmd").as_deref(),
                            &stamp,
                            member,
                            now,
                        )?;
                    }
                    Edit::Link(e, v) => {
                        entries::set_field(
                            c,
                            seqs[*e],
                            TextField::Link,
                            value(v, "https://x/").as_deref(),
                            &stamp,
                            member,
                            now,
                        )?;
                    }
                    Edit::Tag(e, t, present) => {
                        entries::set_tag(c, seqs[*e], &format!("t{t}"), *present, &stamp, now)?;
                        entries::refresh_tags(c, seqs[*e])?;
                    }
                }
                Ok(())
            })
            .unwrap();
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn the_merge_driver_joins_as_import_does(
            ours in proptest::collection::vec((an_edit(), 0i64..3), 0..25),
            theirs in proptest::collection::vec((an_edit(), 0i64..3), 0..25),
        ) {
            let mut a = Store::open_in_memory().unwrap();
            let mut ids = Vec::new();
            for title in ["one", "two", "three"] {
                let (_, id) = a.write(|w| entries::insert(w, &new_entry(title), 1_000)).unwrap();
                ids.push(id);
            }
            let mut b = Store::open_in_memory().unwrap();
            import_bytes(&mut b, &export_bytes(&mut a)).unwrap();
            for (store, changes, member) in [(&mut a, &ours, "ana"), (&mut b, &theirs, "bob")] {
                let seqs: Vec<i64> = ids.iter().map(|id| store.read(|c| seq_of(c, id)).unwrap().unwrap()).collect();
                for (i, (change, tick)) in changes.iter().enumerate() {
                    edit(store, &seqs, change, 2_000 + i as i64 * 2 + tick, member);
                }
            }
            let (file_a, file_b) = (export_bytes(&mut a), export_bytes(&mut b));
            let driver = file_text(&join_files(records(&file_a), records(&file_b))).into_bytes();
            let swapped = file_text(&join_files(records(&file_b), records(&file_a))).into_bytes();
            prop_assert!(driver == swapped, "the driver's join depends on the order");
            import_bytes(&mut a, &file_b).unwrap();
            prop_assert!(export_bytes(&mut a) == driver, "import-join differs from the driver's");
        }
    }

    /// A file rep wrote, and crafted variants of it that disagree on immutable facts: the same
    /// occurrence with another note, member or time, a revision that differs only by member.
    fn crafted_variants() -> (String, Vec<String>) {
        let mut origin = Store::open_in_memory().unwrap();
        let (seq, _) = origin
            .write(|w| entries::insert(w, &new_entry("base"), 1_000))
            .unwrap();
        origin
            .write(|w| {
                let stamp = w.tick(1_500)?;
                entries::set_field(
                    w.conn(),
                    seq,
                    TextField::Title,
                    Some("edited"),
                    &stamp,
                    "ana",
                    1_500,
                )?;
                w.tick(1_600)?;
                crate::store::practice::add_occurrence(w.conn(), seq, "ana", 1_600, Some("first"))
            })
            .unwrap();
        let text = String::from_utf8(export_bytes(&mut origin)).unwrap();
        let variants = vec![
            text.replace("\"note\":\"first\"", "\"note\":\"second\""),
            text.replace("\"note\":\"first\"", "\"note\":\"a third\""),
            text.replace("\"member\":\"ana\"", "\"member\":\"bob\""),
            text.replace("1970-01-01T00:00:01.600Z", "1970-01-01T00:00:01.700Z"),
            text.replacen("\"by\":\"ana\"}]", "\"by\":\"mal\"}]", 1),
            text.replacen("\"by\":\"ana\"}]", "\"by\":\"cy\"}]", 1),
        ];
        for v in &variants {
            assert_ne!(v, &text, "every variant changes the file");
        }
        (text, variants)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        /// Any two orders of importing any of these files give the same bytes.
        #[test]
        fn crafted_disagreements_on_immutable_facts_converge(
            picks in proptest::collection::vec(0usize..7, 1..6),
            shuffle in proptest::collection::vec(any::<u8>(), 6),
        ) {
            let (text, variants) = crafted_variants();
            let all: Vec<&String> = std::iter::once(&text).chain(&variants).collect();
            let files: Vec<&String> = picks.iter().map(|&i| all[i]).collect();
            let mut reordered = files.clone();
            let mut keys: Vec<(u8, usize)> = (0..files.len()).map(|i| (shuffle[i % shuffle.len()], i)).collect();
            keys.sort();
            for (slot, (_, i)) in keys.into_iter().enumerate() {
                reordered[slot] = files[i];
            }
            reordered.reverse();
            let mut one = Store::open_in_memory().unwrap();
            let mut two = Store::open_in_memory().unwrap();
            for (store, order) in [(&mut one, &files), (&mut two, &reordered)] {
                for file in order.iter() {
                    import_bytes(store, file.as_bytes()).unwrap();
                }
            }
            prop_assert!(export_bytes(&mut one) == export_bytes(&mut two));
        }
    }
}
