//! SQL for `rep news`: what arrived in this database since a member last looked, and the
//! member's "last looked" marker, kept in `meta` (local, never exported).
//!
//! "New" is what arrived here, not what was written after a time: an entry a teammate wrote
//! last week and `rep sync` brought in just now is news. Rows are numbered in the order they
//! arrive (`seq`, and the rowid of occurrences), so the marker holds the last numbers seen, and
//! the wall time of the look for acceptances, which change a row rather than add one.

use crate::model::news::{Item, News};
use rusqlite::{Connection, OptionalExtension, params};

use super::entries::short_id;
use crate::model::{EntrySeq, ReplySeq};
use crate::timefmt::{self, Millis};

/// Where a member last looked: the newest row of each kind, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marker {
    pub at_ms: Millis,
    pub entry_seq: EntrySeq,
    pub reply_seq: ReplySeq,
    pub occurrence_row: i64,
}

impl Marker {
    /// Before every row: all rows are after it (a `--since` window counts by time alone).
    const BEFORE_ANY: Marker = Marker {
        at_ms: 0,
        entry_seq: EntrySeq::from_row(0),
        reply_seq: ReplySeq::from_row(0),
        occurrence_row: 0,
    };
}

/// What counts as new: rows after a marker, or everything from a time on (`--since`).
#[derive(Debug, Clone, Copy)]
pub enum Window {
    After(Marker),
    Since(Millis),
}

fn key(member: &str) -> String {
    format!("news_marker:{member}")
}

pub fn marker(conn: &Connection, member: &str) -> anyhow::Result<Option<Marker>> {
    let text: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [key(member)],
            |r| r.get(0),
        )
        .optional()?;
    Ok(text.and_then(|t| {
        let n: Vec<i64> = t.split(' ').filter_map(|p| p.parse().ok()).collect();
        match n.as_slice() {
            [at_ms, entry_seq, reply_seq, occurrence_row] => Some(Marker {
                at_ms: *at_ms,
                entry_seq: EntrySeq::from_row(*entry_seq),
                reply_seq: ReplySeq::from_row(*reply_seq),
                occurrence_row: *occurrence_row,
            }),
            _ => None,
        }
    }))
}

/// The marker of a look made now: the newest row of each kind.
pub fn current(conn: &Connection, now: Millis) -> anyhow::Result<Marker> {
    let max = |table: &str, column: &str| -> anyhow::Result<i64> {
        Ok(conn.query_row(
            &format!("SELECT coalesce(max({column}), 0) FROM {table}"),
            [],
            |r| r.get(0),
        )?)
    };
    Ok(Marker {
        at_ms: now,
        entry_seq: EntrySeq::from_row(max("entries", "seq")?),
        reply_seq: ReplySeq::from_row(max("replies", "seq")?),
        occurrence_row: max("occurrences", "rowid")?,
    })
}

pub fn save_marker(conn: &Connection, member: &str, m: &Marker) -> anyhow::Result<()> {
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![
            key(member),
            format!(
                "{} {} {} {}",
                m.at_ms,
                m.entry_seq.row(),
                m.reply_seq.row(),
                m.occurrence_row
            )
        ],
    )?;
    Ok(())
}

/// The millisecond part of a clock stamp (`MILLIS.COUNTER.REPLICA`), in SQL.
const STAMP_MILLIS: &str = "CAST(substr({s}, 1, instr({s}, '.') - 1) AS INTEGER)";

pub fn news(
    conn: &Connection,
    window: Window,
    is_recurring: impl Fn(u64, u64) -> bool,
) -> anyhow::Result<News> {
    Ok(first_news(conn, window, is_recurring, usize::MAX, "")?.0)
}

/// How many items each section of [`News`] holds in all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub entries: usize,
    pub replies: usize,
    pub accepted: usize,
    pub recurring: usize,
}

/// [`news`] with at most `limit` items a section (the first ones, in the same order), and how
/// many each section holds, in `domain` and its sub-domains (`""`: all). Short ids, a query
/// each, are found only for the items kept: a week of 100,000 entries brings thousands.
pub fn first_news(
    conn: &Connection,
    window: Window,
    is_recurring: impl Fn(u64, u64) -> bool,
    limit: usize,
    domain: &str,
) -> anyhow::Result<(News, Counts)> {
    let (m, since) = match window {
        Window::After(m) => (m, None),
        Window::Since(ms) => (Marker::BEFORE_ANY, Some(ms)),
    };
    // With a marker, rows after it; with --since, rows from that time (since = NULL otherwise).
    // `+e.deleted` keeps the planner off entries_for_analysis (deleted, ...), which it would
    // otherwise read whole, 100,000 rows, to find a week's entries. New entries: a condition the
    // planner can serve from an index (entries_news for a time, which holds every column the
    // count reads, so only the rows listed are read; `+` keeps it off the row ids then), where a
    // CASE would make it read every entry.
    let entry_window = if since.is_some() {
        "+e.seq > ?1 AND e.created_ms >= ?2"
    } else {
        "e.seq > ?1 AND ?2 IS NULL"
    };
    let accepted_ms = STAMP_MILLIS.replace("{s}", "r.accepted_at");
    let within = |param| super::rules_sql::within_domain_or_all("e.domain", param);
    let entries = first_items(
        conn,
        Section {
            columns: "e.id, e.id, e.kind, e.title, e.author, e.created_ms, NULL",
            rows: &format!(
                "FROM entries e WHERE +e.deleted = 0 AND {entry_window} AND {}",
                within(3)
            ),
            order: "e.created_ms, e.id",
        },
        &[&m.entry_seq, &since, &domain],
        limit,
    )?;
    // The same for replies (replies_news) and occurrences (occurrences_by_time).
    let (reply_window, occurrence_window) = if since.is_some() {
        (
            "+r.seq > ?1 AND r.created_ms >= ?2",
            "+o.rowid > ?1 AND o.at_ms >= ?2",
        )
    } else {
        ("r.seq > ?1 AND ?2 IS NULL", "o.rowid > ?1 AND ?2 IS NULL")
    };
    let replies = first_items(
        conn,
        Section {
            columns: "r.id, e.id, e.kind, e.title, r.author, r.created_ms, NULL",
            rows: &format!(
                "FROM replies r JOIN entries e ON e.seq = r.entry_seq
                 WHERE r.deleted = 0 AND +e.deleted = 0 AND {reply_window} AND {}",
                within(3)
            ),
            order: "r.created_ms, r.id",
        },
        &[&m.reply_seq, &since, &domain],
        limit,
    )?;
    // From replies_accepted, which holds every column the condition reads.
    let accepted_columns =
        format!("r.id, e.id, e.kind, e.title, r.accepted_by, {accepted_ms}, NULL");
    let accepted = first_items(
        conn,
        Section {
            columns: &accepted_columns,
            rows: &format!(
                "FROM replies r JOIN entries e ON e.seq = r.entry_seq
                 WHERE r.accepted = 1 AND r.deleted = 0 AND +e.deleted = 0
                   AND (CASE WHEN ?3 IS NULL THEN r.seq > ?1 OR {accepted_ms} >= ?2
                             ELSE {accepted_ms} >= ?3 END) AND {}",
                within(4)
            ),
            order: "6, r.id",
        },
        &[&m.reply_seq, &m.at_ms, &since, &domain],
        limit,
    )?;
    // The entries hit in the window, each with its occurrences and members counted in one
    // grouped pass, not a query an entry (a week of 100,000 entries hits hundreds). The kind,
    // title and last member are read only for the entries listed: reading them for every hit
    // took most of the home page's time.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT e.seq, e.id, max(a.at_ms), count(*), count(DISTINCT a.member)
           FROM entries e JOIN occurrences a ON a.entry_seq = e.seq
         WHERE +e.deleted = 0
           AND e.seq IN (SELECT o.entry_seq FROM occurrences o WHERE {occurrence_window})
           AND {}
         GROUP BY e.seq
         ORDER BY 3, e.id",
        within(3)
    ))?;
    let hit = stmt
        .query_map(params![m.occurrence_row, since, domain], |r| {
            Ok(Hit {
                seq: r.get(0)?,
                id: r.get(1)?,
                last_ms: r.get::<_, Option<i64>>(2)?.unwrap_or(0),
                occurrences: r.get(3)?,
                members: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut counts = Counts {
        entries: entries.1,
        replies: replies.1,
        accepted: accepted.1,
        recurring: 0,
    };
    let mut news = News {
        entries: entries.0,
        replies: replies.0,
        accepted: accepted.0,
        recurring: Vec::new(),
    };
    for hit in hit {
        if is_recurring(hit.occurrences, hit.members) {
            counts.recurring += 1;
            if news.recurring.len() < limit {
                news.recurring.push(recurring_item(conn, hit)?);
            }
        }
    }
    Ok((news, counts))
}

/// An entry hit in the window, with its occurrences and members counted.
struct Hit {
    seq: EntrySeq,
    id: String,
    last_ms: Millis,
    occurrences: u64,
    members: u64,
}

/// A recurring entry as news lists it: its kind and title, and the member who hit it last.
fn recurring_item(conn: &Connection, hit: Hit) -> anyhow::Result<Item> {
    let (kind, title, member) = conn
        .prepare_cached(
            "SELECT e.kind, e.title,
                (SELECT o.member FROM occurrences o WHERE o.entry_seq = e.seq
                  ORDER BY o.at_ms DESC, o.id DESC LIMIT 1)
               FROM entries e WHERE e.seq = ?1",
        )?
        .query_row([hit.seq], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, Option<String>>(2)?))
        })?;
    Ok(Item {
        short_id: short_id(conn, &hit.id)?,
        entry: hit.id.clone(),
        id: hit.id,
        kind,
        title,
        member: member.unwrap_or_default(),
        at: timefmt::rfc3339(hit.last_ms),
        occurrences: Some(hit.occurrences),
    })
}

/// The rows of `sql`, the first `limit` with their short ids, and how many rows there were.
fn items(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    limit: usize,
) -> anyhow::Result<(Vec<Item>, usize)> {
    let mut items = rows(conn, sql, params)?;
    let total = items.len();
    items.truncate(limit);
    for item in &mut items {
        item.short_id = short_id(conn, &item.id)?;
    }
    Ok((items, total))
}

/// The rows of `sql` as items, without their short ids.
fn rows(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> anyhow::Result<Vec<Item>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, |r| {
        Ok(Item {
            id: r.get(0)?,
            short_id: String::new(),
            entry: r.get(1)?,
            kind: r.get(2)?,
            title: r.get(3)?,
            member: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
            at: timefmt::rfc3339(r.get::<_, Option<i64>>(5)?.unwrap_or(0)),
            occurrences: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A news section's query: the columns of an item (as [`rows`] reads them), the rows (`FROM ...
/// WHERE ...`) and their order.
struct Section<'a> {
    columns: &'a str,
    rows: &'a str,
    order: &'a str,
}

/// [`items`] for a section that lists its first `limit` rows: those rows only, and the count.
/// The count selects no column of the rows, so an index that holds the condition's columns
/// answers it without reading the rows themselves (long ones: bodies and all).
fn first_items(
    conn: &Connection,
    section: Section<'_>,
    params: &[&dyn rusqlite::ToSql],
    limit: usize,
) -> anyhow::Result<(Vec<Item>, usize)> {
    let Section {
        columns,
        rows,
        order,
    } = section;
    if limit == usize::MAX {
        return items(
            conn,
            &format!("SELECT {columns} {rows} ORDER BY {order}"),
            params,
            limit,
        );
    }
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) {rows}"))?
        .query_row(params, |r| r.get(0))?;
    let (first, _) = items(
        conn,
        &format!("SELECT {columns} {rows} ORDER BY {order} LIMIT {limit}"),
        params,
        limit,
    )?;
    Ok((first, usize::try_from(total).unwrap_or(0)))
}
