//! The SQLite store: opening (pragmas, permissions, migrations), transactions and the clock.
//! All SQL of the program lives under this module, with parameters always bound.

pub mod analysis;
mod bulk_index;
pub mod entries;
pub mod exchange;
pub mod health;
mod migrations;
pub mod practice;
pub mod ranking;
pub mod snapshot;

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};

use crate::clock::{Replica, Stamp};
use crate::error::RepError;
use crate::timefmt::Millis;

pub use migrations::LATEST as SCHEMA_VERSION;

/// Long enough that concurrent `rep` processes queue instead of failing with "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

/// How long a write that may be skipped waits for another writer.
const SKIPPABLE_WAIT: Duration = Duration::from_millis(200);

/// Whether an error is SQLite's "database is locked" (the busy timeout ran out).
fn is_busy(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        matches!(c.downcast_ref::<rusqlite::Error>(),
            Some(rusqlite::Error::SqliteFailure(f, _)) if f.code == ErrorCode::DatabaseBusy)
    })
}

/// The page size of new databases (see `Store::configure`).
const PAGE_SIZE: i64 = 16_384;

pub struct Store {
    conn: Connection,
}

impl Store {
    /// Open (creating it, readable by its owner only) and migrate the database at `path`.
    pub fn open(path: &Path) -> anyhow::Result<Store> {
        let env_error = |what: &str| {
            RepError::environment(format!("cannot {what} the database {}", path.display()))
                .with_hint("check the path given by --db or REP_DB, and its permissions")
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the directory {}", dir.display()))
                .context(env_error("create"))?;
        }
        create_private_file(path).context(env_error("create"))?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).context(env_error("open"))?;
        // Refuse a newer database before configure() changes it (it switches to WAL mode).
        if let Ok(version) = Self::user_version(&conn)
            && version > SCHEMA_VERSION
        {
            return Err(newer_schema(version));
        }
        let mut store = Store { conn };
        store.configure().map_err(|e| {
            let not_db = e.chain().any(|c| {
                matches!(c.downcast_ref::<rusqlite::Error>(),
                    Some(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::NotADatabase)
            });
            if not_db {
                anyhow::Error::new(
                    RepError::environment(format!("{} is not a repertoire database", path.display()))
                        .with_hint("point --db or REP_DB at a rep database, or at a new path"),
                )
            } else {
                e.context(env_error("open"))
            }
        })?;
        store.migrate()?;
        Ok(store)
    }

    /// An in-memory store, for unit tests and the fuzz targets.
    pub fn open_in_memory() -> anyhow::Result<Store> {
        let conn = Connection::open_in_memory()?;
        let mut store = Store { conn };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    fn configure(&mut self) -> anyhow::Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        // Takes effect only when the file is new (later, SQLite ignores it). Entries are text
        // of a kilobyte or more: 16 KiB pages need a quarter of the page reads, writes and
        // B-tree splits that 4 KiB pages do, which made a 100,000-entry import a fifth faster.
        self.conn.pragma_update(None, "page_size", PAGE_SIZE)?;
        let mode = self.switch_to_wal()?;
        if mode != "wal" && mode != "memory" {
            anyhow::bail!("could not switch to WAL mode (got {mode})");
        }
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        Ok(())
    }

    /// Switching a new database to WAL needs an exclusive lock, and SQLite answers SQLITE_BUSY
    /// at once, without the busy handler, while another process opening the same new file
    /// holds a shared lock; so retry here, for as long as the busy timeout would wait.
    fn switch_to_wal(&self) -> rusqlite::Result<String> {
        let deadline = Instant::now() + BUSY_TIMEOUT;
        loop {
            match self
                .conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            {
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == ErrorCode::DatabaseBusy && Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(5));
                }
                result => return result,
            }
        }
    }

    fn user_version(conn: &Connection) -> rusqlite::Result<u32> {
        conn.query_row("PRAGMA user_version", [], |r| r.get(0))
    }

    fn migrate(&mut self) -> anyhow::Result<()> {
        let version = Self::user_version(&self.conn)?;
        if version == SCHEMA_VERSION {
            // Entries another program changed wait to be indexed again (see migration 4).
            if ranking::has_pending(&self.conn)? {
                self.write_local(|_| Ok(()))?;
            }
            return Ok(());
        }
        if version > SCHEMA_VERSION {
            return Err(newer_schema(version));
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the lock.
        let version = Self::user_version(&tx)?;
        if version > SCHEMA_VERSION {
            return Err(newer_schema(version));
        }
        for (i, sql) in migrations::MIGRATIONS
            .iter()
            .enumerate()
            .skip(version as usize)
        {
            tx.execute_batch(sql)
                .with_context(|| format!("while migrating to schema {}", i + 1))?;
        }
        ranking::catch_up(&tx)?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        let replica = uuid::Uuid::new_v4().simple().to_string();
        tx.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES ('replica_id', ?1)",
            [replica],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Run `f` in one write transaction, taken up front so that it never fails half-way on a
    /// lock upgrade; the busy timeout queues it behind other writers.
    pub fn write<T>(
        &mut self,
        f: impl FnOnce(&Writer<'_>) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        self.write_or_rehearse(true, f)
    }

    /// A write of local-only bookkeeping (sync state, search misses): it leaves the
    /// generation alone, so it does not count as a change to share.
    pub fn write_local<T>(
        &mut self,
        f: impl FnOnce(&Connection) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        ranking::catch_up(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Like [`Store::write_local`], for bookkeeping whose loss is harmless (a search that
    /// found nothing): committed without waiting for the disk (`synchronous = OFF` for this
    /// one transaction), and not at all when another process holds the write lock for longer
    /// than [`SKIPPABLE_WAIT`] (a long import): a search never waits on, nor fails for, a
    /// write it did not need. `None` when skipped.
    pub fn write_unsynced<T>(
        &mut self,
        f: impl FnOnce(&Connection) -> anyhow::Result<T>,
    ) -> anyhow::Result<Option<T>> {
        self.conn.pragma_update(None, "synchronous", "OFF")?;
        self.conn.busy_timeout(SKIPPABLE_WAIT)?;
        let result = self.write_local(f);
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        match result {
            Ok(value) => Ok(Some(value)),
            Err(e) if is_busy(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// A number that grows with every shared write: `rep sync` compares it to know whether
    /// there is anything new to export.
    pub fn generation(&mut self) -> anyhow::Result<i64> {
        Ok(self
            .conn
            .query_row(
                "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'",
                [],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0))
    }

    /// Like [`Store::write`], but with `commit == false` everything is rolled back at the end:
    /// a dry run that goes through exactly the same steps.
    pub fn write_or_rehearse<T>(
        &mut self,
        commit: bool,
        f: impl FnOnce(&Writer<'_>) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&Writer { tx: &tx })?;
        ranking::catch_up(&tx)?;
        if commit {
            tx.execute(
                "INSERT INTO meta(key, value) VALUES ('generation', '1')
                 ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
                [],
            )?;
            tx.commit()?;
        } else {
            tx.rollback()?;
        }
        Ok(value)
    }

    /// Run `f` on one consistent snapshot.
    pub fn read<T>(
        &mut self,
        f: impl FnOnce(&Connection) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Deferred)?;
        let value = f(&tx)?;
        tx.finish()?;
        Ok(value)
    }
}

/// What a write transaction can do beyond plain SQL: stamp changes.
pub struct Writer<'a> {
    tx: &'a rusqlite::Transaction<'a>,
}

impl Writer<'_> {
    pub fn conn(&self) -> &Connection {
        self.tx
    }

    /// The next clock stamp for a local change, persisted so it is never handed out twice.
    pub fn tick(&self, now: Millis) -> anyhow::Result<Stamp> {
        let replica = replica_id(self.tx)?;
        let last: Option<String> = self
            .tx
            .query_row("SELECT value FROM meta WHERE key = 'clock'", [], |r| {
                r.get(0)
            })
            .optional()?;
        let last = last
            .map(|s| s.parse::<Stamp>())
            .transpose()
            .context("the stored clock is corrupt")?;
        let stamp = Stamp::next(last.as_ref(), u64::try_from(now).unwrap_or(0), replica);
        self.tx.execute(
            "INSERT INTO meta(key, value) VALUES ('clock', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [stamp.to_string()],
        )?;
        Ok(stamp)
    }
}

impl Writer<'_> {
    /// Move the clock past a stamp seen in imported data, so later local changes order after it.
    pub fn observe(&self, seen: &Stamp) -> anyhow::Result<()> {
        let last: Option<String> = self
            .tx
            .query_row("SELECT value FROM meta WHERE key = 'clock'", [], |r| {
                r.get(0)
            })
            .optional()?;
        let last = last.and_then(|s| s.parse::<Stamp>().ok());
        if last
            .as_ref()
            .is_none_or(|l| (l.millis, l.counter) < (seen.millis, seen.counter))
        {
            self.tx.execute(
                "INSERT INTO meta(key, value) VALUES ('clock', ?1)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [seen.to_string()],
            )?;
        }
        Ok(())
    }
}

/// Local-only settings of this database (never exported): the sync remote and its bookkeeping.
pub fn local_setting(conn: &Connection, key: &str) -> anyhow::Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [format!("local.{key}")],
            |r| r.get(0),
        )
        .optional()?)
}

pub fn set_local_setting(conn: &Connection, key: &str, value: &str) -> anyhow::Result<()> {
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [format!("local.{key}"), value.to_owned()],
    )?;
    Ok(())
}

fn replica_id(conn: &Connection) -> anyhow::Result<Replica> {
    let text: String = conn
        .query_row("SELECT value FROM meta WHERE key = 'replica_id'", [], |r| {
            r.get(0)
        })
        .context("the database has no replica id")?;
    Replica::parse(&text).with_context(|| {
        format!("the database's replica id {text:?} is damaged (expected 32 hex digits)")
    })
}

fn newer_schema(version: u32) -> anyhow::Error {
    RepError::environment(format!(
        "the database has schema version {version}, newer than this rep understands ({SCHEMA_VERSION})"
    ))
    .with_hint("upgrade rep; the database was left untouched")
    .into()
}

/// Create the file with owner-only permissions before SQLite does, so a new repertoire is never
/// readable by others; SQLite gives its -wal and -shm files the same mode.
fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skippable_write_is_skipped_while_another_process_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rep.db");
        let mut store = Store::open(&path).unwrap();
        let write = |store: &mut Store| {
            store.write_unsynced(|c| {
                crate::store::analysis::record_miss(c, "rotate cert", "", 1)?;
                Ok(())
            })
        };
        assert_eq!(write(&mut store).unwrap(), Some(()));
        let other = Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let started = Instant::now();
        assert_eq!(write(&mut store).unwrap(), None);
        assert!(started.elapsed() < Duration::from_secs(2));
        other.execute_batch("ROLLBACK").unwrap();
        assert_eq!(write(&mut store).unwrap(), Some(()));
        // The connection is back to its usual settings.
        let sync: i64 = store
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 1, "NORMAL");
    }

    #[test]
    fn ticks_strictly_increase_even_with_a_fixed_clock() {
        let mut store = Store::open_in_memory().unwrap();
        let stamps = store
            .write(|w| {
                (0..5)
                    .map(|_| w.tick(1_000))
                    .collect::<anyhow::Result<Vec<_>>>()
            })
            .unwrap();
        assert!(stamps.windows(2).all(|p| p[0] < p[1]));
        let later = store.write(|w| w.tick(500)).unwrap();
        assert!(
            later > stamps[4],
            "the clock must not go back with the wall clock"
        );
    }

    #[test]
    fn newer_schema_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        drop(Store::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(conn);
        let err = Store::open(&path).err().unwrap();
        assert_eq!(
            crate::error::status_of(&err),
            crate::error::ExitStatus::Environment
        );
        let conn = Connection::open(&path).unwrap();
        assert_eq!(Store::user_version(&conn).unwrap(), SCHEMA_VERSION + 1);
    }

    #[cfg(unix)]
    #[test]
    fn new_database_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/db");
        drop(Store::open(&path).unwrap());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
