//! An entry or a reply as rows: the record with its clocks, tags, links, endorsements,
//! occurrences and history, loaded and saved whole.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::super::bulk_index::{Doc, NewText};
use super::super::entries::{TagRow, index_new_entry, index_new_reply, put_tag};
use crate::clock::Stamp;
use crate::limits;
use crate::model::{EntrySeq, ReplySeq};
use crate::replica::{
    EntryRecord, Occurrence, ReplyRecord, ReplyRevision, Revision, TagState, TextField, Versioned,
};
use crate::timefmt::{self};

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
pub fn load_record(conn: &Connection, seq: EntrySeq) -> anyhow::Result<EntryRecord> {
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
pub(super) fn record_row(r: &Row<'_>) -> rusqlite::Result<EntryRecord> {
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
fn load_parts(conn: &Connection, seq: EntrySeq, record: &mut EntryRecord) -> anyhow::Result<()> {
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
pub(super) const PARTS_BY_ENTRY_ID: &str = "
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
pub(super) fn add_part(record: &mut EntryRecord, r: &Row<'_>, at: usize) -> anyhow::Result<()> {
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
pub(super) fn sort_parts(record: &mut EntryRecord) {
    record.occurrences.sort_by(|a, b| a.id.cmp(&b.id));
    record.revisions.sort();
}

/// Write `record` as the whole shared state of its entry (`seq` when it exists already). A new
/// entry's text goes to `bulk` when given, else straight into the full-text index.
pub fn save_record(
    conn: &Connection,
    seq: Option<EntrySeq>,
    record: &EntryRecord,
    bulk: Option<&mut NewText>,
) -> anyhow::Result<EntrySeq> {
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
            let seq = EntrySeq::from_row(conn.last_insert_rowid());
            if !record.deleted.value {
                let r = record;
                match bulk {
                    Some(bulk) => bulk.add(
                        conn,
                        Doc::Entry {
                            seq,
                            title: r.title.value.clone(),
                            tags: live_tags.clone(),
                            body: r.body.value.clone(),
                            body_folded: body_folded.clone(),
                            command: r.command.value.clone(),
                        },
                    )?,
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
    // The record's tags are a map: one row each, none there yet when the entry is new.
    let row = if is_new { TagRow::New } else { TagRow::Any };
    for (tag, state) in &record.tags {
        put_tag(conn, row, seq, tag, state.present, &state.at.to_string())?;
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
            return Err(super::ImportError::OccurrenceElsewhere {
                occurrence: o.id.clone(),
                entry: record.id.clone(),
            }
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

pub fn load_reply(conn: &Connection, seq: ReplySeq) -> anyhow::Result<ReplyRecord> {
    let mut reply = conn
        .prepare_cached(concat!(
            "SELECT ",
            reply_columns!(),
            " FROM replies r JOIN entries e ON e.seq = r.entry_seq WHERE r.seq = ?1"
        ))?
        .query_row([seq], |r| reply_row(r, r.get(1)?))?;
    reply_parts(conn, seq, &mut reply)?;
    Ok(reply)
}

/// A reply's own row, read from `reply_columns!()` (column 1, its entry's id, is `entry`);
/// its endorsements and history are left empty.
pub(super) fn reply_row(r: &Row<'_>, entry: String) -> rusqlite::Result<ReplyRecord> {
    Ok(ReplyRecord {
        id: r.get(0)?,
        entry,
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
}

/// Fill in a reply's endorsements and history.
pub(super) fn reply_parts(
    conn: &Connection,
    seq: ReplySeq,
    reply: &mut ReplyRecord,
) -> anyhow::Result<()> {
    reply.helped = endorsements(conn, &reply.id)?;
    reply.revisions = reply_revisions(conn, seq)?;
    Ok(())
}

/// The bodies a reply held before, in the record's order.
pub fn reply_revisions(
    conn: &Connection,
    reply_seq: ReplySeq,
) -> anyhow::Result<Vec<ReplyRevision>> {
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
    seq: Option<ReplySeq>,
    entry_seq: EntrySeq,
    reply: &ReplyRecord,
    bulk: Option<&mut NewText>,
) -> anyhow::Result<ReplySeq> {
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
            let seq = ReplySeq::from_row(conn.last_insert_rowid());
            if !reply.deleted.value {
                match bulk {
                    Some(bulk) => bulk.add(
                        conn,
                        Doc::Reply {
                            seq,
                            body: reply.body.clone(),
                        },
                    )?,
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

pub(super) fn seq_of(conn: &Connection, id: &str) -> anyhow::Result<Option<EntrySeq>> {
    Ok(conn
        .prepare_cached("SELECT seq FROM entries WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

pub(super) fn reply_seq_of(conn: &Connection, id: &str) -> anyhow::Result<Option<ReplySeq>> {
    Ok(conn
        .prepare_cached("SELECT seq FROM replies WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}
