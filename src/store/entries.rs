//! SQL for entries: insert, resolve ids, change fields with their clocks, list and search.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

use super::{Writer, rules_sql};
use crate::clock::Stamp;
use crate::ids;
use crate::model::{Count, Entry, Kind, Renamed, SearchHit};
use crate::replica::TextField;
use crate::search;
use crate::text::{HIGHLIGHT_END, HIGHLIGHT_START};
use crate::timefmt::{self, Millis};

pub use super::entry_ids::{Scope, resolve, short_id, short_ids, short_ids_in};
use crate::model::{EntrySeq, ReplySeq};

pub(super) const COLUMNS: &str = "e.seq, e.id, e.kind, e.title, e.body, e.domain, e.tags, e.author, \
                       e.command, e.link, e.created_ms, e.updated_ms, e.deleted";

pub struct NewEntry {
    pub kind: Kind,
    pub title: String,
    pub body: String,
    pub domain: String,
    pub tags: Vec<String>,
    pub author: String,
    pub command: Option<String>,
    pub link: Option<String>,
}

/// Insert a new entry, every field stamped with one tick; returns its row and full id.
pub fn insert(w: &Writer<'_>, new: &NewEntry, now: Millis) -> anyhow::Result<(EntrySeq, String)> {
    insert_with_id(w, ids::new_id(), new, now)
}

fn insert_with_id(
    w: &Writer<'_>,
    id: String,
    new: &NewEntry,
    now: Millis,
) -> anyhow::Result<(EntrySeq, String)> {
    let stamp = w.tick(now)?.to_string();
    let mut tags = new.tags.clone();
    tags.sort();
    tags.dedup();
    let folded = search::body_folded(&new.body);
    w.conn().execute(
        "INSERT INTO entries (id, kind, kind_at, kind_by, title, title_at, title_by, body, body_at, body_by,
                              domain, domain_at, domain_by, command, command_at, command_by,
                              link, link_at, link_by, deleted, deleted_at, deleted_by, author,
                              created_ms, updated_ms, tags, body_folded)
         VALUES (?1, ?2, ?9, ?8, ?3, ?9, ?8, ?4, ?9, ?8, ?5, ?9, ?8, ?6, ?9, ?8, ?7, ?9, ?8,
                 0, ?9, ?8, ?8, ?10, ?10, ?11, ?12)",
        params![id, new.kind, new.title, new.body, new.domain, new.command, new.link, new.author, stamp, now, tags.join(" "), folded],
    )?;
    let seq = EntrySeq::from_row(w.conn().last_insert_rowid());
    index_new_entry(
        w.conn(),
        seq,
        &new.title,
        &tags.join(" "),
        &new.body,
        folded.as_deref(),
        new.command.as_deref(),
    )?;
    for tag in &tags {
        put_tag(w.conn(), TagRow::Any, seq, tag, true, &stamp)?;
    }
    Ok((seq, id))
}

/// Add a newly inserted live entry to the full-text indexes (see migration 3 for why this is
/// not a trigger).
pub(super) fn index_new_entry(
    conn: &Connection,
    seq: EntrySeq,
    title: &str,
    tags: &str,
    body: &str,
    body_folded: Option<&str>,
    command: Option<&str>,
) -> anyhow::Result<()> {
    conn.prepare_cached(
        "INSERT INTO entries_fts(rowid, title, tags, body, command, body_folded)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![seq, title, tags, body, command, body_folded])?;
    super::ranking::index_new_entry(
        conn,
        seq,
        &super::ranking::WordsRow::new(title, tags, command),
    )
}

/// Add a newly inserted live reply to the replies' full-text index.
pub(super) fn index_new_reply(conn: &Connection, seq: ReplySeq, body: &str) -> anyhow::Result<()> {
    conn.prepare_cached("INSERT INTO replies_fts(rowid, body) VALUES (?1, ?2)")?
        .execute(params![seq, body])?;
    Ok(())
}

/// What [`upsert`] did to an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upserted {
    Added,
    /// The names of the fields that changed (`tags` for the tag set).
    Updated(Vec<&'static str>),
    Unchanged,
    /// The entry exists but is deleted; it was left alone.
    Deleted,
}

/// Make the entry with this `id` hold `new`: insert it when absent; when present, change only
/// the fields whose value differs, each stamped and its old value kept as a revision. The tag
/// set becomes exactly `new.tags`. A deleted entry is not brought back.
pub fn upsert(
    w: &Writer<'_>,
    id: &str,
    new: &NewEntry,
    now: Millis,
) -> anyhow::Result<(Upserted, EntrySeq)> {
    let conn = w.conn();
    let existing: Option<(EntrySeq, bool)> = conn
        .prepare_cached("SELECT seq, deleted FROM entries WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let seq = match existing {
        None => {
            let (seq, _) = insert_with_id(w, id.to_owned(), new, now)?;
            return Ok((Upserted::Added, seq));
        }
        Some((seq, true)) => return Ok((Upserted::Deleted, seq)),
        Some((seq, false)) => seq,
    };
    let current: [Option<String>; 6] = conn
        .prepare_cached(
            "SELECT kind, title, body, domain, command, link FROM entries WHERE seq = ?1",
        )?
        .query_row([seq], |r| {
            Ok([
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ])
        })?;
    let wanted = [
        (TextField::Kind, Some(new.kind.as_str())),
        (TextField::Title, Some(new.title.as_str())),
        (TextField::Body, Some(new.body.as_str())),
        (TextField::Domain, Some(new.domain.as_str())),
        (TextField::Command, new.command.as_deref()),
        (TextField::Link, new.link.as_deref()),
    ];
    let changed_fields: Vec<(TextField, Option<&str>)> = wanted
        .into_iter()
        .zip(&current)
        .filter(|((_, value), old)| old.as_deref() != *value)
        .map(|(wanted, _)| wanted)
        .collect();
    let present: Vec<String> = conn
        .prepare_cached("SELECT tag FROM entry_tags WHERE entry_seq = ?1 AND present = 1")?
        .query_map([seq], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let to_add: Vec<&String> = new.tags.iter().filter(|t| !present.contains(t)).collect();
    let to_remove: Vec<&String> = present.iter().filter(|t| !new.tags.contains(t)).collect();
    if changed_fields.is_empty() && to_add.is_empty() && to_remove.is_empty() {
        return Ok((Upserted::Unchanged, seq));
    }
    let stamp = w.tick(now)?;
    let mut names = Vec::new();
    for (field, value) in changed_fields {
        if set_field(conn, seq, field, value, &stamp, &new.author, now)? {
            names.push(field.name());
        }
    }
    if !to_add.is_empty() || !to_remove.is_empty() {
        for tag in to_add {
            set_tag(conn, seq, tag, true, &stamp, now)?;
        }
        for tag in to_remove {
            set_tag(conn, seq, tag, false, &stamp, now)?;
        }
        refresh_tags(conn, seq)?;
        names.push("tags");
    }
    Ok((Upserted::Updated(names), seq))
}

pub fn load(conn: &Connection, seq: EntrySeq) -> anyhow::Result<Entry> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM entries e WHERE e.seq = ?1"))?;
    let mut entry = stmt.query_row([seq], entry_from_row)?;
    entry.short_id = short_id(conn, &entry.id)?;
    Ok(entry)
}

pub(super) fn entry_from_row(r: &Row<'_>) -> rusqlite::Result<Entry> {
    let tags: String = r.get(6)?;
    Ok(Entry {
        id: r.get(1)?,
        short_id: String::new(),
        kind: r.get(2)?,
        title: r.get(3)?,
        body: r.get(4)?,
        domain: r.get(5)?,
        tags: tags.split_whitespace().map(str::to_owned).collect(),
        author: r.get(7)?,
        command: r.get(8)?,
        link: r.get(9)?,
        created_at: timefmt::rfc3339(r.get(10)?),
        updated_at: timefmt::rfc3339(r.get(11)?),
        deleted: r.get(12)?,
    })
}

/// The columns of a text field: value, clock stamp, member.
pub(super) fn columns(field: TextField) -> (&'static str, &'static str, &'static str) {
    match field {
        TextField::Kind => ("kind", "kind_at", "kind_by"),
        TextField::Title => ("title", "title_at", "title_by"),
        TextField::Body => ("body", "body_at", "body_by"),
        TextField::Domain => ("domain", "domain_at", "domain_by"),
        TextField::Command => ("command", "command_at", "command_by"),
        TextField::Link => ("link", "link_at", "link_by"),
    }
}

/// Set a field if its value changes, keeping the old value as a revision; returns whether it did.
pub fn set_field(
    conn: &Connection,
    seq: EntrySeq,
    field: TextField,
    value: Option<&str>,
    stamp: &Stamp,
    member: &str,
    now: Millis,
) -> anyhow::Result<bool> {
    let (column, at, by) = columns(field);
    let old: (Option<String>, String, String) = conn.query_row(
        &format!("SELECT {column}, {at}, {by} FROM entries WHERE seq = ?1"),
        [seq],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if old.0.as_deref() == value {
        return Ok(false);
    }
    conn.prepare_cached(
        "INSERT OR IGNORE INTO revisions (entry_seq, field, value, stamp, member) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![seq, field.name(), old.0, old.1, old.2])?;
    conn.execute(
        &format!(
            "UPDATE entries SET {column} = ?2, {at} = ?3, {by} = ?4, updated_ms = max(updated_ms, ?5) WHERE seq = ?1"
        ),
        params![seq, value, stamp.to_string(), member, now],
    )?;
    if field == TextField::Body {
        set_body_folded(conn, seq, value.unwrap_or_default())?;
    }
    super::exchange::keep_history_bounded(conn, seq, field)?;
    Ok(true)
}

/// Keep `body_folded` (migration 6) in step with a body just written; the trigger re-indexes
/// the entry only when it changes.
pub(super) fn set_body_folded(conn: &Connection, seq: EntrySeq, body: &str) -> anyhow::Result<()> {
    conn.prepare_cached(
        "UPDATE entries SET body_folded = ?2 WHERE seq = ?1 AND body_folded IS NOT ?2",
    )?
    .execute(params![seq, search::body_folded(body)])?;
    Ok(())
}

/// Compute `body_folded` for every entry of a database upgraded to migration 6.
pub(super) fn fold_bodies(conn: &Connection) -> anyhow::Result<usize> {
    let candidates: Vec<(EntrySeq, String)> = conn
        .prepare("SELECT seq, body FROM entries")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (seq, body) in &candidates {
        set_body_folded(conn, *seq, body)?;
    }
    Ok(candidates.len())
}

pub fn set_deleted(
    conn: &Connection,
    seq: EntrySeq,
    deleted: bool,
    stamp: &Stamp,
    member: &str,
    now: Millis,
) -> anyhow::Result<bool> {
    let changed = conn.execute(
        "UPDATE entries SET deleted = ?2, deleted_at = ?3, deleted_by = ?4, updated_ms = max(updated_ms, ?5)
         WHERE seq = ?1 AND deleted IS NOT ?2",
        params![seq, deleted, stamp.to_string(), member, now],
    )?;
    Ok(changed > 0)
}

/// Add or remove one tag; returns whether the set changed.
pub fn set_tag(
    conn: &Connection,
    seq: EntrySeq,
    tag: &str,
    present: bool,
    stamp: &Stamp,
    now: Millis,
) -> anyhow::Result<bool> {
    let current: Option<bool> = conn
        .prepare_cached("SELECT present FROM entry_tags WHERE entry_seq = ?1 AND tag = ?2")?
        .query_row(params![seq, tag], |r| r.get(0))
        .optional()?;
    if current.unwrap_or(false) == present {
        return Ok(false);
    }
    put_tag(conn, TagRow::Any, seq, tag, present, &stamp.to_string())?;
    conn.execute(
        "UPDATE entries SET updated_ms = max(updated_ms, ?2) WHERE seq = ?1",
        params![seq, now],
    )?;
    super::exchange::keep_bounded(conn, seq, Some(stamp))?;
    Ok(true)
}

/// Whether an entry may already hold the tag being written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum TagRow {
    /// It may: the row is inserted or updated.
    Any,
    /// The entry was inserted in this transaction and this is the first write of this tag (a
    /// record's tags are a map): a plain insert. The upsert may update, and so fire
    /// `past_tag_state`, and SQLite keeps a statement journal for every statement that may fire
    /// a trigger: for 10,000 new entries imported into 1,000,000 that journal took 82,776 writes
    /// (646 MB), every one of them from here.
    New,
}

pub(super) fn put_tag(
    conn: &Connection,
    row: TagRow,
    seq: EntrySeq,
    tag: &str,
    present: bool,
    stamp: &str,
) -> anyhow::Result<()> {
    let sql = match row {
        TagRow::Any => {
            "INSERT INTO entry_tags (entry_seq, tag, present, stamp) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (entry_seq, tag) DO UPDATE SET present = excluded.present, stamp = excluded.stamp"
        }
        TagRow::New => {
            "INSERT INTO entry_tags (entry_seq, tag, present, stamp) VALUES (?1, ?2, ?3, ?4)"
        }
    };
    conn.prepare_cached(sql)?
        .execute(params![seq, tag, present, stamp])?;
    Ok(())
}

/// Recompute the derived `tags` column (read by display and the full-text index).
pub fn refresh_tags(conn: &Connection, seq: EntrySeq) -> anyhow::Result<()> {
    conn.prepare_cached(
        "UPDATE entries SET tags = coalesce((SELECT group_concat(tag, ' ') FROM
             (SELECT tag FROM entry_tags WHERE entry_seq = ?1 AND present = 1 ORDER BY tag)), '')
         WHERE seq = ?1",
    )?
    .execute([seq])?;
    Ok(())
}

/// Filters shared by `list` and `search`.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub kind: Option<String>,
    /// A domain includes its sub-domains.
    pub domain: Option<String>,
    pub tags: Vec<String>,
    /// Any spelling or alias of the member: see [`Filter::resolve_members`].
    pub author: Option<String>,
    /// Every spelling of `author` that the repertoire holds, once resolved.
    pub author_spellings: Vec<String>,
    pub since: Option<Millis>,
    /// Only these entries (row ids): the stale ones, as [`super::snapshot::Snapshot::stale_seqs`]
    /// finds them.
    pub stale: Option<Vec<EntrySeq>>,
}

impl Filter {
    /// No filter at all: every live entry passes.
    pub fn is_everything(&self) -> bool {
        self.kind.is_none()
            && self.domain.is_none()
            && self.tags.is_empty()
            && self.author.is_none()
            && self.since.is_none()
            && self.stale.is_none()
    }

    /// Find every spelling of the author asked for (case, aliases: [`crate::identity`]), so
    /// that `--author bruno` lists Bruno's entries too.
    pub fn resolve_members(&mut self, conn: &Connection) -> anyhow::Result<()> {
        if let Some(author) = &self.author {
            self.author_spellings = super::member_spellings(conn)?.spellings_of(author);
        }
        Ok(())
    }

    pub(super) fn sql(&self, params: &mut Vec<Value>) -> String {
        // The unary + keeps the planner off entries_for_analysis (deleted, kind, ...), which
        // would make it sort every live entry instead of reading the index of the order asked.
        let mut sql = String::from("+e.deleted = 0");
        let bind = |params: &mut Vec<Value>, v: Value| {
            params.push(v);
            params.len()
        };
        if let Some(kind) = &self.kind {
            let n = bind(params, kind.clone().into());
            sql.push_str(&format!(" AND e.kind = ?{n}"));
        }
        if let Some(domain) = &self.domain {
            let n = bind(params, domain.clone().into());
            sql.push_str(&format!(" AND {}", rules_sql::within_domain("e.domain", n)));
        }
        for tag in &self.tags {
            let n = bind(params, tag.clone().into());
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM entry_tags t WHERE t.entry_seq = e.seq AND t.tag = ?{n} AND t.present = 1)"
            ));
        }
        if let Some(author) = &self.author {
            let spellings = if self.author_spellings.is_empty() {
                std::slice::from_ref(author)
            } else {
                &self.author_spellings
            };
            let json = serde_json::to_string(spellings).unwrap_or_default();
            let n = bind(params, json.into());
            sql.push_str(&format!(
                " AND e.author IN (SELECT value FROM json_each(?{n}))"
            ));
        }
        if let Some(since) = self.since {
            let n = bind(params, since.into());
            sql.push_str(&format!(" AND e.created_ms >= ?{n}"));
        }
        if let Some(seqs) = &self.stale {
            let rows: Vec<i64> = seqs.iter().map(|s| s.row()).collect();
            let json = serde_json::to_string(&rows).unwrap_or_default();
            let n = bind(params, json.into());
            sql.push_str(&format!(
                " AND e.seq IN (SELECT value FROM json_each(?{n}))"
            ));
        }
        sql
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Sort {
    /// Newest first
    Created,
    /// Most recently changed first
    Updated,
    /// Alphabetical
    Title,
}

/// Live entries matching `filter`, at most `limit` (all when `None`).
pub fn list(
    conn: &Connection,
    filter: &Filter,
    sort: Sort,
    limit: Option<usize>,
) -> anyhow::Result<Vec<Entry>> {
    let mut params = Vec::new();
    let filter_sql = filter.sql(&mut params);
    let order = match sort {
        Sort::Created => "e.created_ms DESC, e.id",
        Sort::Updated => "e.updated_ms DESC, e.id",
        Sort::Title => "e.title COLLATE NOCASE, e.id",
    };
    let limit = limit.map_or(-1, |l| l as i64);
    params.push(limit.into());
    let sql = format!(
        "SELECT {COLUMNS} FROM entries e WHERE {filter_sql} ORDER BY {order} LIMIT ?{}",
        params.len()
    );
    query_entries(conn, &sql, params)
}

/// What a listing of every live entry shows of each (the static site's search index): no body,
/// no short id.
pub struct Listed {
    pub seq: EntrySeq,
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub domain: String,
    pub tags: String,
}

/// Every live entry in title order, as [`list`] with [`Sort::Title`] orders them, read in one
/// query: the static export lists 100,000 entries, where `list` would also read each body and
/// look up each short id.
pub fn list_all_titles(conn: &Connection) -> anyhow::Result<Vec<Listed>> {
    let mut stmt = conn.prepare(
        "SELECT e.seq, e.id, e.kind, e.title, e.domain, e.tags FROM entries e
         WHERE +e.deleted = 0 ORDER BY e.title COLLATE NOCASE, e.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Listed {
            seq: r.get(0)?,
            id: r.get(1)?,
            kind: r.get(2)?,
            title: r.get(3)?,
            domain: r.get(4)?,
            tags: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Full-text search in FTS5 syntax (`rep search --raw`, similar entries), best `limit` first
/// (all with `None`); errors in the syntax are usage errors.
pub fn search(
    conn: &Connection,
    fts_query: &str,
    filter: &Filter,
    limit: Option<usize>,
) -> anyhow::Result<Vec<SearchHit>> {
    let mut params: Vec<Value> = vec![fts_query.to_owned().into()];
    let filter_sql = filter.sql(&mut params);
    params.push(limit.map_or(-1, |l| l as i64).into());
    let sql = format!(
        "SELECT {COLUMNS}, entries_fts.rank,
                snippet(entries_fts, -1, char({start}), char({end}), '…', 16)
         FROM entries_fts JOIN entries e ON e.seq = entries_fts.rowid
         WHERE entries_fts MATCH ?1 AND {filter_sql}
         ORDER BY entries_fts.rank LIMIT ?{n}",
        start = HIGHLIGHT_START as u32,
        end = HIGHLIGHT_END as u32,
        n = params.len(),
    );
    let run = || -> rusqlite::Result<Vec<SearchHit>> {
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(params.iter()), |r| {
            Ok(SearchHit {
                entry: entry_from_row(r)?,
                score: r.get(13)?,
                snippet: r.get(14)?,
                matched: None,
                corrected: None,
            })
        })?;
        rows.collect()
    };
    // Only SQLite's generic error is a query it could not parse; a damaged index (SQLITE_CORRUPT)
    // or any other failure is not the user's syntax.
    let mut hits = run().map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, Some(message))
            if f.code == rusqlite::ErrorCode::Unknown =>
        {
            anyhow::Error::new(super::error::StoreError::SearchSyntax { message })
        }
        other => other.into(),
    })?;
    for hit in &mut hits {
        hit.entry.short_id = short_id(conn, &hit.entry.id)?;
    }
    Ok(hits)
}

/// Run a query of [`COLUMNS`] and give each entry its short id.
fn query_entries(conn: &Connection, sql: &str, params: Vec<Value>) -> anyhow::Result<Vec<Entry>> {
    entries_of(conn, &mut conn.prepare(sql)?, params)
}

/// The entries a prepared query of [`COLUMNS`] finds, each with its short id.
pub(crate) fn entries_of(
    conn: &Connection,
    stmt: &mut rusqlite::Statement<'_>,
    params: Vec<Value>,
) -> anyhow::Result<Vec<Entry>> {
    let mut entries: Vec<Entry> = stmt
        .query_map(params_from_iter(params), entry_from_row)?
        .collect::<Result<_, _>>()?;
    for entry in &mut entries {
        entry.short_id = short_id(conn, &entry.id)?;
    }
    Ok(entries)
}

/// Every entry, deleted ones too (so that a restore finds the new name), that holds `tag`.
pub fn holding_tag(conn: &Connection, tag: &str, new: &str) -> anyhow::Result<Vec<Renamed>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.seq, e.id, e.title, e.deleted FROM entry_tags t JOIN entries e ON e.seq = t.entry_seq
         WHERE t.tag = ?1 AND t.present = 1 ORDER BY e.id",
    )?;
    let rows = stmt.query_map([tag], |r| {
        Ok(Renamed {
            seq: r.get(0)?,
            id: r.get(1)?,
            short_id: String::new(),
            title: r.get(2)?,
            deleted: r.get(3)?,
            from: tag.to_owned(),
            to: new.to_owned(),
        })
    })?;
    with_short_ids(conn, rows.collect::<Result<_, _>>()?)
}

/// Every entry, deleted ones too, in `domain` or one of its sub-domains, with the domain
/// `move_to` gives it.
pub fn in_domain_tree(
    conn: &Connection,
    domain: &str,
    move_to: impl Fn(&str) -> String,
) -> anyhow::Result<Vec<Renamed>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT seq, id, title, deleted, domain FROM entries WHERE {} ORDER BY id",
        rules_sql::within_domain("domain", 1)
    ))?;
    let rows = stmt.query_map([domain], |r| {
        let from: String = r.get(4)?;
        Ok(Renamed {
            seq: r.get(0)?,
            id: r.get(1)?,
            short_id: String::new(),
            title: r.get(2)?,
            deleted: r.get(3)?,
            to: move_to(&from),
            from,
        })
    })?;
    with_short_ids(conn, rows.collect::<Result<_, _>>()?)
}

fn with_short_ids(conn: &Connection, mut renamed: Vec<Renamed>) -> anyhow::Result<Vec<Renamed>> {
    for r in &mut renamed {
        r.short_id = short_id(conn, &r.id)?;
    }
    Ok(renamed)
}

pub fn domain_counts(conn: &Connection) -> anyhow::Result<Vec<Count>> {
    counts(
        conn,
        "SELECT domain, count(*) FROM entries WHERE deleted = 0 GROUP BY domain ORDER BY domain",
    )
}

pub fn tag_counts(conn: &Connection) -> anyhow::Result<Vec<Count>> {
    counts(
        conn,
        "SELECT t.tag, count(*) AS n FROM entry_tags t JOIN entries e ON e.seq = t.entry_seq
         WHERE t.present = 1 AND e.deleted = 0 GROUP BY t.tag ORDER BY n DESC, t.tag",
    )
}

fn counts(conn: &Connection, sql: &str) -> anyhow::Result<Vec<Count>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |r| {
        Ok(Count {
            name: r.get(0)?,
            entries: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn entry(title: &str, domain: &str, tags: &[&str]) -> NewEntry {
        NewEntry {
            kind: "tool".into(),
            title: title.into(),
            body: String::new(),
            domain: domain.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            author: "ana".into(),
            command: None,
            link: None,
        }
    }

    #[test]
    fn domain_filter_includes_sub_domains_only() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .write(|w| {
                for d in ["k8s", "k8s/networking", "k8s-old", "k8s0", "pg"] {
                    insert(w, &entry(d, d, &[]), 1)?;
                }
                Ok(())
            })
            .unwrap();
        let filter = Filter {
            domain: Some("k8s".into()),
            ..Filter::default()
        };
        let got = store.read(|c| list(c, &filter, Sort::Title, None)).unwrap();
        let titles: Vec<_> = got.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(titles, ["k8s", "k8s/networking"]);
    }

    #[test]
    fn deleted_entries_leave_the_index_and_come_back() {
        let mut store = Store::open_in_memory().unwrap();
        let (seq, _) = store
            .write(|w| insert(w, &entry("vacuum the table", "pg", &["bloat"]), 1))
            .unwrap();
        let hits = |store: &mut Store| {
            store
                .read(|c| search(c, "vacuum", &Filter::default(), Some(10)))
                .unwrap()
                .len()
        };
        assert_eq!(hits(&mut store), 1);
        store
            .write(|w| {
                let s = w.tick(2)?;
                set_deleted(w.conn(), seq, true, &s, "ana", 2)
            })
            .unwrap();
        assert_eq!(hits(&mut store), 0);
        store
            .write(|w| {
                let s = w.tick(3)?;
                set_deleted(w.conn(), seq, false, &s, "ana", 3)
            })
            .unwrap();
        assert_eq!(hits(&mut store), 1);
        store
            .read(|c| {
                Ok(c.execute(
                    "INSERT INTO entries_fts(entries_fts, rank) VALUES ('integrity-check', 1)",
                    [],
                )?)
            })
            .unwrap();
    }

    #[test]
    fn upsert_adds_then_changes_only_what_differs() {
        let mut store = Store::open_in_memory().unwrap();
        let id = "8786d6e5-b02a-596b-8e91-680f19dd1154";
        let mut new = entry("tar", "common", &["tar"]);
        new.command = Some("tar cf a.tar".into());
        let (first, seq) = store.write(|w| upsert(w, id, &new, 1)).unwrap();
        assert_eq!(first, Upserted::Added);
        assert_eq!(
            store.write(|w| upsert(w, id, &new, 2)).unwrap().0,
            Upserted::Unchanged
        );
        new.body = "more".into();
        new.tags = vec!["archive".into()];
        let (second, _) = store.write(|w| upsert(w, id, &new, 3)).unwrap();
        assert_eq!(second, Upserted::Updated(vec!["body", "tags"]));
        let e = store.read(|c| load(c, seq)).unwrap();
        assert_eq!(
            (e.body.as_str(), e.tags.clone()),
            ("more", vec!["archive".to_owned()])
        );
        let kept: i64 = store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM revisions WHERE entry_seq = ?1 AND field = 'body'",
                    [seq],
                    |r| r.get(0),
                )?)
            })
            .unwrap();
        assert_eq!(kept, 1, "the old body stays in the history");
        store
            .write(|w| {
                let s = w.tick(4)?;
                set_deleted(w.conn(), seq, true, &s, "ana", 4)
            })
            .unwrap();
        assert_eq!(
            store.write(|w| upsert(w, id, &new, 5)).unwrap().0,
            Upserted::Deleted
        );
    }

    #[test]
    fn tags_are_a_set_mirrored_in_the_index() {
        let mut store = Store::open_in_memory().unwrap();
        let (seq, _) = store
            .write(|w| insert(w, &entry("x", "pg", &["b", "a"]), 1))
            .unwrap();
        let e = store.read(|c| load(c, seq)).unwrap();
        assert_eq!(e.tags, ["a", "b"]);
        store
            .write(|w| {
                let s = w.tick(2)?;
                assert!(set_tag(w.conn(), seq, "c", true, &s, 2)?);
                assert!(!set_tag(w.conn(), seq, "c", true, &s, 2)?);
                assert!(set_tag(w.conn(), seq, "a", false, &s, 2)?);
                refresh_tags(w.conn(), seq)
            })
            .unwrap();
        assert_eq!(store.read(|c| load(c, seq)).unwrap().tags, ["b", "c"]);
        let hits = store
            .read(|c| search(c, "c", &Filter::default(), Some(10)))
            .unwrap();
        assert_eq!(hits.len(), 1);
        let counts = store.read(tag_counts).unwrap();
        assert_eq!(
            counts.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["b", "c"]
        );
    }
}
