//! SQL for `imported_items` (migration 7): where each item of another tool's files lives, and
//! the entry it became. The rules (which key wins, what counts as removed) are foreign::apply's.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::Writer;

/// An item as recorded by the import that last met it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedItem {
    pub key: String,
    pub entry_id: String,
    pub file: String,
    pub position: i64,
}

/// The entry an item key became, when an import recorded it.
pub fn entry_for_key(conn: &Connection, key: &str) -> anyhow::Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT entry_id FROM imported_items WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

/// Whether an entry with this id exists, deleted or not.
pub fn entry_exists(conn: &Connection, id: &str) -> anyhow::Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM entries WHERE id = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Whether some item key already leads to this entry.
pub fn is_recorded(conn: &Connection, entry_id: &str) -> anyhow::Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM imported_items WHERE entry_id = ?1 LIMIT 1")?
        .query_row([entry_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Record (or move) an item: the latest import that meets a key owns its row.
pub fn record(w: &Writer<'_>, source: &str, root: &str, item: &ImportedItem) -> anyhow::Result<()> {
    w.conn()
        .prepare_cached(
            "INSERT INTO imported_items (key, entry_id, source, root, file, position)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(key) DO UPDATE SET entry_id = excluded.entry_id,
                 source = excluded.source, root = excluded.root, file = excluded.file,
                 position = excluded.position",
        )?
        .execute(params![
            item.key,
            item.entry_id,
            source,
            root,
            item.file,
            item.position
        ])?;
    Ok(())
}

/// Every item recorded from this source and imported path, with the entries still live.
pub fn live_under_root(
    conn: &Connection,
    source: &str,
    root: &str,
) -> anyhow::Result<Vec<(ImportedItem, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.key, i.entry_id, i.file, i.position, e.title
         FROM imported_items i JOIN entries e ON e.id = i.entry_id
         WHERE i.source = ?1 AND i.root = ?2 AND e.deleted = 0
         ORDER BY i.position",
    )?;
    let rows = stmt.query_map([source, root], |r| {
        Ok((
            ImportedItem {
                key: r.get(0)?,
                entry_id: r.get(1)?,
                file: r.get(2)?,
                position: r.get(3)?,
            },
            r.get(4)?,
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// For each entry imported from this source: the file it came from and its place, from the
/// latest import that met it.
pub fn files_by_entry(
    conn: &Connection,
    source: &str,
) -> anyhow::Result<HashMap<String, (String, i64)>> {
    // A database of schema 5 opened read-only (a file rep cannot write) has no record yet.
    let recorded: bool = conn
        .prepare_cached("SELECT count(*) > 0 FROM sqlite_master WHERE name = 'imported_items'")?
        .query_row([], |r| r.get(0))?;
    if !recorded {
        return Ok(HashMap::new());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT entry_id, file, position FROM imported_items WHERE source = ?1
         ORDER BY root, position",
    )?;
    let rows = stmt.query_map([source], |r| {
        Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?)))
    })?;
    let mut out = HashMap::new();
    for row in rows {
        let (id, place) = row?;
        out.entry(id).or_insert(place);
    }
    Ok(out)
}
