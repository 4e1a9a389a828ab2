//! rep's tables on a PostgreSQL server, the engine `rep sync` reaches through
//! `sync::postgres`: every statement the server is sent is written here, as the SQLite
//! repertoire's are in the rest of `store`. The engine connects, decides what to send and words
//! the errors for the user; these functions only read and write, and hand the server's own
//! errors back unchanged (a deadlock must stay one for the engine to retry the push).
//!
//! The server holds one row per record: its exchange line, and the id of the transaction that
//! wrote it last (the pull's cursor, docs/design.md "The server cursor").

use postgres::types::{ToSql, Type};
use postgres::{Client, Row, RowIter, SimpleQueryMessage};

pub mod schema;

pub use schema::{Initialised, SchemaError};

/// Begin a push's transaction; `end_read` first ends the pull's read-only one, in the same
/// round trip.
pub fn begin(client: &mut Client, end_read: bool) -> Result<(), postgres::Error> {
    client.batch_execute(if end_read { "COMMIT; BEGIN" } else { "BEGIN" })
}

pub fn commit(client: &mut Client) -> Result<(), postgres::Error> {
    client.batch_execute("COMMIT")
}

pub fn roll_back(client: &mut Client) -> Result<(), postgres::Error> {
    client.batch_execute("ROLLBACK")
}

/// A record sent by a push, as [`lock_or_insert`] found it.
pub enum Sent {
    /// The server held it already, and it is now locked: the server's line.
    Held { id: String, line: String },
    /// It was new to the server and is inserted: the id of the transaction writing it.
    Inserted { id: String, xid: String },
}

/// In one statement, lock the rows the server holds of the records sent (`ids` sorted, with
/// their file-order kinds and lines), in id order so that two pushes never wait on each other
/// crosswise, and insert the others. A record inserted by another push that committed after
/// this statement's snapshot is in neither list: [`lock`] takes it next.
pub fn lock_or_insert(
    client: &mut Client,
    ids: &[&str],
    kinds: &[i16],
    lines: &[String],
) -> Result<Vec<Sent>, postgres::Error> {
    let rows = client.query_typed(
        "WITH sent AS (
             SELECT * FROM unnest($1::text[], $2::int2[], $3::text[]) AS s(id, kind, line)
         ), held AS (
             SELECT r.id, r.line FROM repertoire.records r
             WHERE r.id = ANY($1::text[]) ORDER BY r.id FOR UPDATE
         ), inserted AS (
             INSERT INTO repertoire.records (id, kind, line)
             SELECT id, kind, line FROM sent WHERE id NOT IN (SELECT id FROM held)
             ON CONFLICT (id) DO NOTHING RETURNING id, xid::text
         )
         SELECT true, id, line FROM held
         UNION ALL SELECT false, id, xid FROM inserted",
        &[
            (&ids, Type::TEXT_ARRAY),
            (&kinds, Type::INT2_ARRAY),
            (&lines, Type::TEXT_ARRAY),
        ],
    )?;
    Ok(rows
        .iter()
        .map(|row| {
            let (held, id, text): (bool, String, String) = (row.get(0), row.get(1), row.get(2));
            if held {
                Sent::Held { id, line: text }
            } else {
                Sent::Inserted { id, xid: text }
            }
        })
        .collect())
}

/// Lock the rows of `ids` in id order: each id and its line.
pub fn lock(client: &mut Client, ids: &[&str]) -> Result<Vec<(String, String)>, postgres::Error> {
    let rows = client.query_typed(
        "SELECT id, line FROM repertoire.records WHERE id = ANY($1::text[])
         ORDER BY id FOR UPDATE",
        &[(&ids, Type::TEXT_ARRAY)],
    )?;
    Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
}

/// Replace the lines of `ids` (each with the line at its place in `lines`), stamped with this
/// transaction's id: the id of the transaction for each row written.
pub fn rewrite(
    client: &mut Client,
    ids: &[&str],
    lines: &[String],
) -> Result<Vec<String>, postgres::Error> {
    let rows = client.query_typed(
        "UPDATE repertoire.records r SET line = u.line, xid = pg_current_xact_id()
         FROM unnest($1::text[], $2::text[]) AS u(id, line) WHERE r.id = u.id
         RETURNING r.xid::text",
        &[(&ids, Type::TEXT_ARRAY), (&lines, Type::TEXT_ARRAY)],
    )?;
    Ok(rows.iter().map(|row| row.get(0)).collect())
}

/// The rows of `ids` the server holds, without locking them (a role that may only read): each
/// id and its line.
pub fn read(client: &mut Client, ids: &[&str]) -> Result<Vec<(String, String)>, postgres::Error> {
    let rows = client.query_typed(
        "SELECT id, line FROM repertoire.records WHERE id = ANY($1::text[])",
        &[(&ids, Type::TEXT_ARRAY)],
    )?;
    Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
}

/// Where the server's changes stand, read in the pull's snapshot.
pub struct PullHead {
    /// The server schema's version (`None`: the version table is empty).
    pub version: Option<i32>,
    /// The cursor of the next pull: the snapshot's xmin.
    pub cursor: Option<String>,
}

/// Begin the pull's read-only transaction (it stays open, for [`changed_since`] to read in the
/// same snapshot) and read where the changes stand: every transaction below the snapshot's
/// xmin has ended, so no row with a smaller xid can appear after this pull. `None` when the
/// server answered no row.
pub fn begin_pull(client: &mut Client) -> Result<Option<PullHead>, postgres::Error> {
    let head = client.simple_query(&format!(
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
         SELECT {}::text, pg_snapshot_xmin(pg_current_snapshot())::text",
        schema::VERSION_QUERY
    ))?;
    Ok(head.iter().find_map(|message| match message {
        SimpleQueryMessage::Row(row) => Some(PullHead {
            version: row.get(0).and_then(|v| v.parse::<i32>().ok()),
            cursor: row.get(1).map(str::to_owned),
        }),
        _ => None,
    }))
}

/// The rows written at or after the cursor `since` by other transactions than `own` (this
/// repertoire's writes, whose rows it holds already), streamed in the exchange file's order;
/// read each with [`changed_row`].
pub fn changed_since<'a>(
    client: &'a mut Client,
    since: &str,
    own: &[String],
) -> Result<RowIter<'a>, postgres::Error> {
    client.query_typed_raw(
        "SELECT line, id FROM repertoire.records
         WHERE xid >= $1::text::xid8 AND NOT (xid::text = ANY($2::text[]))
         ORDER BY kind, id",
        [
            (&since as &(dyn ToSql + Sync), Type::TEXT),
            (&own as &(dyn ToSql + Sync), Type::TEXT_ARRAY),
        ],
    )
}

/// A row of [`changed_since`]: its exchange line and its record's id.
pub fn changed_row(row: &Row) -> Result<(&str, &str), postgres::Error> {
    Ok((row.try_get(0)?, row.try_get(1)?))
}
