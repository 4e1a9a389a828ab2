//! SQL for the practice: replies, acceptance, resolution, endorsements, occurrences, links and
//! reviews, and the read models that `show`, `document` and `members` need.

use super::Writer;
use super::entries::short_id;
use super::error::ReplyIdError;
use crate::clock::Stamp;
use crate::ids;
use crate::model::practice::{Candidate, LinkView, Occurrences, ReplyState, ReplyView};
use crate::model::{EntrySeq, ReplySeq};
use crate::model::{LinkDirection, LinkKind};
use crate::timefmt::{self, Millis};
use rusqlite::{Connection, OptionalExtension, params};

/// A record that can be endorsed: an entry or a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Entry(EntrySeq),
    Reply(ReplySeq),
}

/// Resolve an id prefix among entries and replies.
pub fn resolve_target(conn: &Connection, input: &str) -> anyhow::Result<Target> {
    match resolve_reply(conn, input) {
        Ok(seq) => Ok(Target::Reply(seq)),
        Err(_) => {
            super::entries::resolve(conn, input, super::entries::Scope::Live).map(Target::Entry)
        }
    }
}

/// Resolve an id prefix among live replies.
pub fn resolve_reply(conn: &Connection, input: &str) -> anyhow::Result<ReplySeq> {
    let refused = |make: fn(String) -> ReplyIdError| anyhow::Error::new(make(input.to_owned()));
    let Some(prefix) = ids::normalize_prefix(input).filter(|p| p.len() >= ids::MIN_PREFIX) else {
        return Err(refused(|input| ReplyIdError::NotAnId { input }));
    };
    let found: Vec<(ReplySeq, bool)> = conn
        .prepare_cached(
            "SELECT seq, deleted FROM replies WHERE id >= ?1 AND id < ?1 || '~' LIMIT 2",
        )?
        .query_map([&prefix], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    match found.as_slice() {
        [(seq, false)] => Ok(*seq),
        [(_, true)] => Err(refused(|input| ReplyIdError::Deleted { input })),
        [] => {
            let entry: Option<String> = conn
                .prepare_cached("SELECT id FROM entries WHERE id >= ?1 AND id < ?1 || '~' LIMIT 1")?
                .query_row([&prefix], |r| r.get(0))
                .optional()?;
            Err(match entry {
                Some(_) => refused(|input| ReplyIdError::AnEntry { input }),
                None => refused(|input| ReplyIdError::NoSuch { input }),
            })
        }
        _ => Err(refused(|input| ReplyIdError::Ambiguous { input })),
    }
}

pub fn title_of(conn: &Connection, id: &str) -> anyhow::Result<String> {
    Ok(
        conn.query_row("SELECT title FROM entries WHERE id = ?1", [id], |r| {
            r.get(0)
        })?,
    )
}

pub fn entry_id(conn: &Connection, seq: EntrySeq) -> anyhow::Result<String> {
    Ok(conn.query_row("SELECT id FROM entries WHERE seq = ?1", [seq], |r| r.get(0))?)
}

/// A reply's id from its row.
pub fn reply_id(conn: &Connection, reply_seq: ReplySeq) -> anyhow::Result<String> {
    Ok(
        conn.query_row("SELECT id FROM replies WHERE seq = ?1", [reply_seq], |r| {
            r.get(0)
        })?,
    )
}

/// An entry's kind and whether it is deleted: what deciding whether it can be resolved needs.
pub fn kind_and_deleted(conn: &Connection, seq: EntrySeq) -> anyhow::Result<(String, bool)> {
    Ok(conn.query_row(
        "SELECT kind, deleted FROM entries WHERE seq = ?1",
        [seq],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

pub fn add_reply(
    w: &Writer<'_>,
    entry_seq: EntrySeq,
    author: &str,
    body: &str,
    now: Millis,
) -> anyhow::Result<(ReplySeq, String)> {
    let stamp = w.tick(now)?.to_string();
    let id = ids::new_id();
    w.conn().execute(
        "INSERT INTO replies (id, entry_seq, author, created_ms, body, accepted, accepted_at, accepted_by,
                              deleted, deleted_at, deleted_by)
         VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?3, 0, ?6, ?3)",
                params![id, entry_seq, author, now, body, stamp],
    )?;
    let seq = ReplySeq::from_row(w.conn().last_insert_rowid());
    super::entries::index_new_reply(w.conn(), seq, body)?;
    Ok((seq, id))
}

/// The reply `input` names, when it names one and no entry, in `scope`; `None` when it names no
/// reply, so that the caller looks among entries (whose resolver explains what is wrong).
pub fn reply_named(
    conn: &Connection,
    input: &str,
    scope: super::entries::Scope,
) -> anyhow::Result<Option<ReplySeq>> {
    use super::entries::Scope;
    let Some(prefix) = ids::normalize_prefix(input).filter(|p| p.len() >= ids::MIN_PREFIX) else {
        return Ok(None);
    };
    let found: Vec<(ReplySeq, bool)> = conn
        .prepare_cached(
            "SELECT seq, deleted FROM replies WHERE id >= ?1 AND id < ?1 || '~' LIMIT 2",
        )?
        .query_map([&prefix], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let entry_too = conn
        .prepare_cached("SELECT 1 FROM entries WHERE id >= ?1 AND id < ?1 || '~' LIMIT 1")?
        .exists([&prefix])?;
    let refused = |make: fn(String) -> ReplyIdError| anyhow::Error::new(make(input.to_owned()));
    match (found.as_slice(), entry_too) {
        ([], _) => Ok(None),
        ([(seq, deleted)], false) => match (scope, *deleted) {
            (Scope::Live, true) => Err(refused(|input| ReplyIdError::Deleted { input })),
            (Scope::Deleted, false) => Err(refused(|input| ReplyIdError::NotDeleted { input })),
            _ => Ok(Some(*seq)),
        },
        _ => Err(refused(|input| ReplyIdError::AmbiguousRecord { input })),
    }
}

/// Replace a reply's body, keeping the one it held in its history; returns whether it changed.
pub fn set_reply_body(
    conn: &Connection,
    reply_seq: ReplySeq,
    body: &str,
    stamp: &Stamp,
    member: &str,
) -> anyhow::Result<bool> {
    let before = super::exchange::load_reply(conn, reply_seq)?;
    if before.body == body {
        return Ok(false);
    }
    let mut after = before.clone();
    after.revisions.push(before.current_body());
    after.body = body.to_owned();
    after.body_at = Some(stamp.clone());
    after.body_by = Some(member.to_owned());
    // The join of the record with itself applies the history's bound, as an import would.
    let after = crate::replica::join_reply(&after, &after);
    let entry_seq = reply_entry(conn, reply_seq)?;
    super::exchange::save_reply(conn, Some(reply_seq), entry_seq, &after, None)?;
    Ok(true)
}

/// Delete or restore a reply. An accepted reply that is deleted no longer answers its entry:
/// when it was the last live accepted one, the entry is reopened; restoring it resolves the
/// entry again. Returns whether the entry was reopened.
pub fn set_reply_deleted(
    conn: &Connection,
    reply_seq: ReplySeq,
    deleted: bool,
    stamp: &Stamp,
    member: &str,
    now: Millis,
) -> anyhow::Result<bool> {
    let changed = conn.execute(
        "UPDATE replies SET deleted = ?2, deleted_at = ?3, deleted_by = ?4
         WHERE seq = ?1 AND deleted IS NOT ?2",
        params![reply_seq, deleted, stamp.to_string(), member],
    )?;
    if changed == 0 {
        return Ok(false);
    }
    let mut reopened = false;
    let (entry_seq, accepted): (EntrySeq, bool) = conn.query_row(
        "SELECT entry_seq, accepted FROM replies WHERE seq = ?1",
        [reply_seq],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if accepted {
        let others_accepted = conn
            .prepare_cached(
                "SELECT 1 FROM replies WHERE entry_seq = ?1 AND seq <> ?2 AND accepted = 1 AND deleted = 0",
            )?
            .exists(params![entry_seq, reply_seq])?;
        if deleted && !others_accepted {
            set_resolved(conn, entry_seq, false, stamp, member, now)?;
            reopened = true;
        } else if !deleted {
            set_resolved(conn, entry_seq, true, stamp, member, now)?;
        }
    }
    Ok(reopened)
}

pub fn reply_state(conn: &Connection, reply_seq: ReplySeq) -> anyhow::Result<ReplyState> {
    let record = super::exchange::load_reply(conn, reply_seq)?;
    Ok(ReplyState {
        short_id: short_id(conn, &record.id)?,
        entry_short_id: short_id(conn, &record.entry)?,
        edited_at: record
            .body_at
            .as_ref()
            .map(|s| timefmt::rfc3339(s.millis as Millis)),
        edited_by: record.body_by.clone(),
        id: record.id,
        entry: record.entry,
        author: record.author,
        created_at: timefmt::rfc3339(timefmt::parse_exact(&record.created_at).unwrap_or(0)),
        body: record.body,
        accepted: record.accepted.value,
        deleted: record.deleted.value,
    })
}

/// The entry a reply answers.
pub fn reply_entry(conn: &Connection, reply_seq: ReplySeq) -> anyhow::Result<EntrySeq> {
    Ok(conn.query_row(
        "SELECT entry_seq FROM replies WHERE seq = ?1",
        [reply_seq],
        |r| r.get(0),
    )?)
}

pub fn set_accepted(
    conn: &Connection,
    reply_seq: ReplySeq,
    accepted: bool,
    stamp: &Stamp,
    member: &str,
) -> anyhow::Result<bool> {
    let n = conn.execute(
        "UPDATE replies SET accepted = ?2, accepted_at = ?3, accepted_by = ?4 WHERE seq = ?1 AND accepted IS NOT ?2",
        params![reply_seq, accepted, stamp.to_string(), member],
    )?;
    Ok(n > 0)
}

pub fn set_resolved(
    conn: &Connection,
    entry_seq: EntrySeq,
    resolved: bool,
    stamp: &Stamp,
    member: &str,
    now: Millis,
) -> anyhow::Result<()> {
    conn.execute(
        "UPDATE entries SET resolved = ?2, resolved_at = ?3, resolved_by = ?4, updated_ms = max(updated_ms, ?5)
         WHERE seq = ?1",
        params![entry_seq, resolved, stamp.to_string(), member, now],
    )?;
    Ok(())
}

/// An entry's record carries the stamps of its reviews, endorsements and links, and an importer
/// takes `updated_at` from the record's newest stamp; local changes move it the same way, so both
/// sides of an exchange agree on it.
fn stamp_millis(stamp: &Stamp) -> Millis {
    Millis::try_from(stamp.millis).unwrap_or(Millis::MAX)
}

pub fn set_reviewed(
    conn: &Connection,
    entry_seq: EntrySeq,
    stamp: &Stamp,
    member: &str,
) -> anyhow::Result<()> {
    conn.execute(
        "UPDATE entries SET reviewed_at = ?2, reviewed_by = ?3, updated_ms = max(updated_ms, ?4)
         WHERE seq = ?1",
        params![entry_seq, stamp.to_string(), member, stamp_millis(stamp)],
    )?;
    Ok(())
}

/// Record "this helped me"; returns false when the member had already said so.
pub fn endorse(
    conn: &Connection,
    record_id: &str,
    member: &str,
    stamp: &Stamp,
) -> anyhow::Result<bool> {
    let n = conn.execute(
        "INSERT OR IGNORE INTO endorsements (record_id, member, stamp) VALUES (?1, ?2, ?3)",
        params![record_id, member, stamp.to_string()],
    )?;
    if n > 0 {
        conn.execute(
            "UPDATE entries SET updated_ms = max(updated_ms, ?2) WHERE id = ?1",
            params![record_id, stamp_millis(stamp)],
        )?;
        // The bound the join applies (limits::ENDORSEMENTS): the earliest members are kept.
        conn.prepare_cached(
            "DELETE FROM endorsements WHERE record_id = ?1
               AND (SELECT count(*) FROM endorsements WHERE record_id = ?1) > ?2
               AND (stamp, member) NOT IN (SELECT stamp, member FROM endorsements
                                           WHERE record_id = ?1 ORDER BY stamp, member LIMIT ?2)",
        )?
        .execute(params![record_id, crate::limits::ENDORSEMENTS])?;
    }
    Ok(n > 0)
}

pub fn add_occurrence(
    conn: &Connection,
    entry_seq: EntrySeq,
    member: &str,
    now: Millis,
    note: Option<&str>,
) -> anyhow::Result<String> {
    let id = ids::new_id();
    conn.execute(
        "INSERT INTO occurrences (id, entry_seq, member, at_ms, note) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, entry_seq, member, now, note],
    )?;
    super::exchange::keep_bounded(conn, entry_seq, None)?;
    Ok(id)
}

pub fn set_link(
    conn: &Connection,
    source_seq: EntrySeq,
    target_id: &str,
    kind: &str,
    present: bool,
    stamp: &Stamp,
) -> anyhow::Result<bool> {
    let current: Option<bool> = conn
        .query_row(
            "SELECT present FROM links WHERE source_seq = ?1 AND target_id = ?2 AND kind = ?3",
            params![source_seq, target_id, kind],
            |r| r.get(0),
        )
        .optional()?;
    if current == Some(present) || (current.is_none() && !present) {
        return Ok(false);
    }
    conn.execute(
        "INSERT INTO links (source_seq, target_id, kind, present, stamp) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (source_seq, target_id, kind) DO UPDATE SET present = excluded.present, stamp = excluded.stamp",
        params![source_seq, target_id, kind, present, stamp.to_string()],
    )?;
    conn.execute(
        "UPDATE entries SET updated_ms = max(updated_ms, ?2) WHERE seq = ?1",
        params![source_seq, stamp_millis(stamp)],
    )?;
    super::exchange::keep_bounded(conn, source_seq, Some(stamp))?;
    Ok(true)
}

/// Live replies of an entry: accepted first, then most endorsed, then oldest.
pub fn replies(conn: &Connection, entry_seq: EntrySeq) -> anyhow::Result<Vec<ReplyView>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.author, r.created_ms, r.body, r.accepted,
                (SELECT count(*) FROM endorsements h WHERE h.record_id = r.id) AS helped
         FROM replies r WHERE r.entry_seq = ?1 AND r.deleted = 0
         ORDER BY r.accepted DESC, helped DESC, r.created_ms, r.id",
    )?;
    let rows = stmt.query_map([entry_seq], |r| {
        Ok(ReplyView {
            id: r.get(0)?,
            short_id: String::new(),
            author: r.get(1)?,
            created_at: timefmt::rfc3339(r.get(2)?),
            body: r.get(3)?,
            accepted: r.get(4)?,
            helped: r.get(5)?,
        })
    })?;
    let mut replies: Vec<ReplyView> = rows.collect::<Result<_, _>>()?;
    for reply in &mut replies {
        reply.short_id = short_id(conn, &reply.id)?;
    }
    Ok(replies)
}

pub fn helped_count(conn: &Connection, record_id: &str) -> anyhow::Result<u64> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM endorsements WHERE record_id = ?1")?
        .query_row([record_id], |r| r.get(0))?)
}

pub fn occurrences(conn: &Connection, entry_seq: EntrySeq) -> anyhow::Result<Occurrences> {
    let (count, members, last): (u64, u64, Option<Millis>) = conn
        .prepare_cached(
            "SELECT count(*), count(DISTINCT member), max(at_ms) FROM occurrences
              WHERE entry_seq = ?1",
        )?
        .query_row([entry_seq], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let mut stmt = conn.prepare_cached(
        "SELECT note FROM occurrences WHERE entry_seq = ?1 AND note IS NOT NULL ORDER BY at_ms, id",
    )?;
    let notes = stmt
        .query_map([entry_seq], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(Occurrences {
        count,
        members,
        last_seen: last.map(timefmt::rfc3339),
        notes,
    })
}

pub fn links(
    conn: &Connection,
    entry_seq: EntrySeq,
    entry_id: &str,
) -> anyhow::Result<Vec<LinkView>> {
    let ends: [(&str, &dyn rusqlite::ToSql, LinkDirection); 2] = [
        (
            "SELECT l.kind, e.id, e.title FROM links l JOIN entries e ON e.id = l.target_id
             WHERE l.source_seq = ?1 AND l.present = 1 AND e.deleted = 0 ORDER BY l.kind, e.id",
            &entry_seq,
            LinkDirection::To,
        ),
        (
            "SELECT l.kind, e.id, e.title FROM links l JOIN entries e ON e.seq = l.source_seq
             WHERE l.target_id = ?1 AND l.present = 1 AND e.deleted = 0 ORDER BY l.kind, e.id",
            &entry_id,
            LinkDirection::From,
        ),
    ];
    let mut out = Vec::new();
    for (sql, end, direction) in ends {
        let mut stmt = conn.prepare_cached(sql)?;
        for row in stmt.query_map([end], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
        })? {
            let (kind, id, title) = row?;
            // The format holds these four kinds only; a row of any other is not a link to show.
            let Some(kind) = LinkKind::parse(&kind) else {
                continue;
            };
            out.push(LinkView {
                kind,
                direction,
                short_id: short_id(conn, &id)?,
                id,
                title,
            });
        }
    }
    Ok(out)
}

/// The live entry that `entry_seq` is a duplicate of (one hop), if any: the lowest id when a
/// duplicate names several.
fn duplicate_of(conn: &Connection, entry_seq: EntrySeq) -> anyhow::Result<Option<EntrySeq>> {
    Ok(conn
        .prepare_cached(
            "SELECT e.seq FROM links l JOIN entries e ON e.id = l.target_id
             WHERE l.source_seq = ?1 AND l.kind = 'duplicate' AND l.present = 1 AND e.deleted = 0
             ORDER BY e.id LIMIT 1",
        )?
        .query_row([entry_seq], |r| r.get(0))
        .optional()?)
}

/// The original that `entry_seq` duplicates, through any chain ([`crate::community::original_of`]).
pub fn original_of(conn: &Connection, entry_seq: EntrySeq) -> anyhow::Result<Option<EntrySeq>> {
    let mut failed = None;
    let original = crate::community::original_of(entry_seq, |seq| {
        duplicate_of(conn, seq).unwrap_or_else(|e| {
            failed = Some(e);
            None
        })
    });
    match failed {
        Some(e) => Err(e),
        None => Ok(original),
    }
}

/// What `show` needs beyond the entry itself.
#[derive(Debug, Clone)]
pub struct PracticeFacts {
    pub resolved: Option<bool>,
    pub reviewed_ms: Option<Millis>,
    pub reviewed_by: Option<String>,
    pub created_ms: Millis,
}

pub fn facts(conn: &Connection, entry_seq: EntrySeq) -> anyhow::Result<PracticeFacts> {
    let (resolved, reviewed_at, reviewed_by, created_ms): (
        Option<bool>,
        Option<String>,
        Option<String>,
        Millis,
    ) = conn
        .prepare_cached(
            "SELECT resolved, reviewed_at, reviewed_by, created_ms FROM entries WHERE seq = ?1",
        )?
        .query_row([entry_seq], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
    let reviewed_ms = reviewed_at
        .and_then(|s| s.parse::<Stamp>().ok())
        .map(|s| s.millis as Millis);
    Ok(PracticeFacts {
        resolved,
        reviewed_ms,
        reviewed_by,
        created_ms,
    })
}

/// Recurring problems and questions ([`crate::rules::recurrence`]) that no live doc documents,
/// most frequent first: the same list as the undocumented gaps of `rep gaps`, from the same
/// snapshot (occurrences of a duplicate count on its original, members by identity).
pub fn undocumented_recurring(conn: &Connection, min: u64) -> anyhow::Result<Vec<Candidate>> {
    let mut out = super::snapshot::Snapshot::load(conn)?.undocumented_recurring(conn, "", min)?;
    for c in &mut out {
        c.short_id = short_id(conn, &c.id)?;
    }
    Ok(out)
}

/// Whether a live doc links to the entry as its write-up.
pub fn is_documented(conn: &Connection, entry_id: &str) -> anyhow::Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM links l JOIN entries d ON d.seq = l.source_seq
                        WHERE l.target_id = ?1 AND l.kind = 'documents' AND l.present = 1
                          AND d.deleted = 0)",
        )?
        .query_row([entry_id], |r| r.get(0))?)
}

/// One unit of contribution, for participation figures: who, in which domain, what, when.
/// Names are shared, not copied: a repertoire of 100,000 entries has hundreds of thousands of
/// activities and only a thousand members in a few dozen domains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    pub member: std::sync::Arc<str>,
    pub domain: std::sync::Arc<str>,
    pub what: crate::community::ActivityKind,
    pub at: Millis,
}
