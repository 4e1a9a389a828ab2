//! The tuning of a large import, in one guard: a larger page cache; without a server remote, the
//! idle change-marking triggers dropped; into an empty repertoire
//! the secondary indexes built once at the end and the full-text index built on a second core
//! meanwhile; into one that holds entries, the full-text index written in batches after the
//! rows (store::bulk_index::TextBatch). Dropping the guard, however the import ends, restores the
//! connection's normal settings; the dropped indexes come back with the caller's transaction,
//! which either commits them rebuilt by [`BulkLoad::finish`] or rolls their drop back.

use rusqlite::Connection;

use super::super::bulk_index::{BulkIndex, NewText, TextBatch};
use super::super::sync_changes;

/// The cache of a bulk write, in KiB (SQLite's negative `cache_size`). A bulk write touches
/// far more pages than the default 2 MiB cache holds. 16 MiB keeps the indexes' hot pages in
/// memory; 32 MiB measured no faster and cost 10 MB more of the 100 MB an import may use.
const BULK_CACHE_KIB: i64 = 16_384;

/// The cache while the deferred indexes are built. Building an index is mostly sorting. With a
/// small sort buffer SQLite sorts in runs, and with helper threads it sorts runs on the second
/// core meanwhile: the indexes of 100,000 entries took a fifth less time than with one large
/// sort in memory.
const INDEX_BUILD_CACHE_KIB: i64 = 4_000;
const INDEX_BUILD_THREADS: i64 = 2;

/// A secondary index dropped for the import and built again at its end.
struct DeferredIndex {
    sql: String,
    table: String,
}

/// Bulk-load mode of one connection, for one import inside one transaction.
pub(super) struct BulkLoad<'c> {
    conn: &'c Connection,
    cache_before: i64,
    threads_before: i64,
    /// The repertoire held no entry when the import began.
    empty: bool,
    deferred: Vec<DeferredIndex>,
    /// The definitions of the idle change-marking triggers dropped for the import.
    idle_triggers: Vec<String>,
    /// Where new records' text goes: to other threads into an empty repertoire, else to
    /// batches; `None` into an empty database in memory (tests): each record indexes itself.
    text: Option<NewText>,
}

impl<'c> BulkLoad<'c> {
    pub(super) fn start(conn: &'c Connection) -> anyhow::Result<BulkLoad<'c>> {
        let cache_before: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        let threads_before: i64 = conn.query_row("PRAGMA threads", [], |r| r.get(0))?;
        conn.pragma_update(None, "cache_size", -BULK_CACHE_KIB)?;
        let mut load = BulkLoad {
            conn,
            cache_before,
            threads_before,
            empty: false,
            deferred: Vec::new(),
            idle_triggers: Vec::new(),
            text: None,
        };
        if !sync_changes::is_tracking(conn)? {
            load.drop_idle_triggers()?;
        }
        load.empty = conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM entries)", [], |r| {
            r.get(0)
        })?;
        if load.empty {
            load.defer_indexes()?;
            load.text = BulkIndex::start(conn)?.map(NewText::Threads);
        } else {
            load.text = Some(NewText::Batched(TextBatch::new()));
        }
        Ok(load)
    }

    /// Into an empty repertoire, build the secondary indexes once at the end (sorting is much
    /// cheaper than 100,000 random insertions into each). The index definitions are read back
    /// from the schema, so the migrations stay their only source.
    fn defer_indexes(&mut self) -> anyhow::Result<()> {
        let mut stmt = self.conn.prepare(
            "SELECT name, sql, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
               AND tbl_name IN ('entries', 'entry_tags', 'replies', 'occurrences', 'links',
                                'revisions', 'entry_names')",
        )?;
        let found = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        for (name, sql, table) in found {
            self.conn.execute_batch(&format!("DROP INDEX \"{name}\""))?;
            self.deferred.push(DeferredIndex { sql, table });
        }
        Ok(())
    }

    /// Without a server remote, the triggers that mark changes for one (store::sync_changes)
    /// mark nothing, yet SQLite keeps a statement journal for every statement that fires a
    /// trigger: 10,000 new entries into 1,000,000 wrote 590,000 pages to it. They are dropped
    /// for the import and made again by [`BulkLoad::finish`] from their own definitions, read
    /// back from the schema as the indexes are.
    fn drop_idle_triggers(&mut self) -> anyhow::Result<()> {
        let found = self
            .conn
            .prepare(
                "SELECT name, sql FROM sqlite_master
                  WHERE type = 'trigger' AND name LIKE 'sync\\_%' ESCAPE '\\'",
            )?
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        for (name, sql) in found {
            self.conn
                .execute_batch(&format!("DROP TRIGGER \"{name}\""))?;
            self.idle_triggers.push(sql);
        }
        Ok(())
    }

    /// The repertoire held nothing when the import began: no record can be there already.
    pub(super) fn was_empty(&self) -> bool {
        self.empty
    }

    /// Where a new record's text goes to be indexed, when it is indexed in bulk.
    pub(super) fn text_index(&mut self) -> Option<&mut NewText> {
        self.text.as_mut()
    }

    /// Build what was deferred; the normal settings come back as the guard drops.
    pub(super) fn finish(mut self) -> anyhow::Result<()> {
        let conn = self.conn;
        if !self.deferred.is_empty() {
            conn.pragma_update(None, "threads", INDEX_BUILD_THREADS)?;
            conn.pragma_update(None, "cache_size", -INDEX_BUILD_CACHE_KIB)?;
        }
        // The exact names are filled by the bulk index's copy (store::bulk_index), in name
        // order: their index by entry, inserted into as they came, cost more than all the rest
        // of the copy; built after it, it is one sort.
        let text = self.text.take();
        let (after_copy, now_built): (Vec<_>, Vec<_>) = std::mem::take(&mut self.deferred)
            .into_iter()
            .partition(|index| index.table == "entry_names" && text.is_some());
        for index in now_built {
            conn.execute_batch(&index.sql)?;
        }
        if let Some(text) = text {
            text.finish(conn)?;
        }
        for index in after_copy {
            conn.execute_batch(&index.sql)?;
        }
        for sql in std::mem::take(&mut self.idle_triggers) {
            conn.execute_batch(&sql)?;
        }
        Ok(())
    }
}

impl Drop for BulkLoad<'_> {
    fn drop(&mut self) {
        // Per-connection settings: a failure here leaves only a slower connection, and the
        // import's own outcome is the one worth reporting.
        let _ = self
            .conn
            .pragma_update(None, "cache_size", self.cache_before);
        let _ = self
            .conn
            .pragma_update(None, "threads", self.threads_before);
    }
}
