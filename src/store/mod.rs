//! The SQLite store: opening (pragmas, permissions, migrations), transactions and the clock.
//! All SQL of the program lives under this module, with parameters always bound.

pub mod analysis;
mod bulk_index;
pub mod entries;
mod entry_ids;
pub mod error;
pub mod exchange;
mod file_checks;
pub mod health;
pub mod imported;
mod kind;
mod members;
mod migrations;
pub mod news;
pub mod past_states;
pub mod picking;
pub mod practice;
pub mod ranking;
pub mod rules_sql;
mod seq;
pub mod server;
pub mod snapshot;
pub mod sync_changes;
pub mod waiting;

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};

use crate::clock::{Replica, Stamp};
use crate::timefmt::Millis;
use error::StoreError;

pub use members::{identities, member_spellings, set_alias};
pub use migrations::LATEST as SCHEMA_VERSION;

use file_checks::{
    check_header, create_private_file, disk_full_or, foreign_database, identify, is_cannot_open,
    is_disk_full, is_read_only_error, newer_schema, open_error, refuse_damaged, uri_path,
    wal_is_empty,
};

/// Long enough that concurrent `rep` processes queue instead of failing with "database is locked",
/// even behind a large import on a busy machine (a debug build's 20,000-record import took over
/// 15 s at a load of 10); only a writer stuck for two minutes makes the others give up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(120);

/// How long a write that may be skipped waits for another writer.
const SKIPPABLE_WAIT: Duration = Duration::from_millis(200);
/// SQLite's default size of the log, in pages, at which a commit checkpoints it.
const WAL_AUTOCHECKPOINT: i64 = 1000;

/// Whether an error is SQLite's "database is locked" (the busy timeout ran out).
fn is_busy(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        matches!(c.downcast_ref::<rusqlite::Error>(),
            Some(rusqlite::Error::SqliteFailure(f, _)) if f.code == ErrorCode::DatabaseBusy)
    })
}

/// The page size of new databases (see `Store::configure`).
const PAGE_SIZE: i64 = 16_384;

/// `PRAGMA application_id` of every rep database: the ASCII bytes "REP1" (0x52455031). It tells
/// rep's files from other programs' SQLite files (a browser's `places.sqlite`), which rep refuses
/// untouched. Set when rep creates a database, and on older rep databases (known by their `meta`
/// table and replica id) the first time they are opened for writing.
pub const APPLICATION_ID: i32 = 0x5245_5031;

/// The 16 bytes every SQLite database file starts with.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

pub struct Store {
    conn: Connection,
    read_only: bool,
    /// A read transaction held across many [`Store::read`]s ([`Store::hold_read`]).
    held_read: bool,
}

/// What a file at the database path is, told before rep changes anything in it.
#[derive(Debug, PartialEq, Eq)]
enum Identity {
    /// No schema at all: a file rep just created, or an empty SQLite file.
    Empty,
    /// A rep database: with rep's application id, or an older one without it.
    Rep { claimed: bool },
    /// Another program's database, and why rep thinks so.
    Foreign(String),
}

impl Store {
    /// For commands that write: open (creating it, readable by its owner only, and its folder)
    /// and migrate the database at `path`.
    pub fn open(path: &Path) -> anyhow::Result<Store> {
        let cannot_create = || StoreError::CannotCreate {
            path: path.to_owned(),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the directory {}", dir.display()))
                .map_err(|e| disk_full_or(e, path))
                .with_context(cannot_create)?;
        }
        create_private_file(path)
            .map_err(|e| disk_full_or(e.into(), path))
            .with_context(cannot_create)?;
        if let Err(e) = std::fs::OpenOptions::new().write(true).open(path) {
            return Err(anyhow::Error::new(e).context(StoreError::ReadOnlyNothingWritten));
        }
        check_header(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            Connection::open_with_flags(path, flags).with_context(|| StoreError::CannotOpen {
                path: path.to_owned(),
            })?;
        // Even the first read queues behind another process creating or checkpointing the file.
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Tell what the file is before configure() changes it (it switches to WAL mode).
        let identity = identify(&conn).map_err(|e| open_error(e.into(), path))?;
        if let Identity::Foreign(why) = identity {
            return Err(foreign_database(path, &why));
        }
        if let Ok(version) = Self::user_version(&conn)
            && version > SCHEMA_VERSION
        {
            return Err(newer_schema(version));
        }
        let mut store = Store {
            conn,
            read_only: false,
            held_read: false,
        };
        store.configure().map_err(|e| open_error(e, path))?;
        store.migrate().map_err(|e| open_error(e, path))?;
        if identity != (Identity::Rep { claimed: true }) {
            store
                .conn
                .pragma_update(None, "application_id", APPLICATION_ID)
                .map_err(|e| open_error(e.into(), path))?;
        }
        Ok(store)
    }

    /// For commands that only read: the database must exist (a typo in REP_DB must not create
    /// an empty repertoire and its folders). A file or file system rep cannot write to is opened
    /// read-only; otherwise as [`Store::open`] does, so an older schema is migrated.
    pub fn open_for_reading(path: &Path) -> anyhow::Result<Store> {
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::Missing {
                    path: path.to_owned(),
                }
                .into());
            }
            Err(e) => {
                return Err(anyhow::Error::new(e).context(StoreError::CannotRead {
                    path: path.to_owned(),
                }));
            }
            Ok(meta) if meta.is_dir() => {
                return Err(StoreError::Folder {
                    path: path.to_owned(),
                }
                .into());
            }
            Ok(_) => {}
        }
        let writable = std::fs::OpenOptions::new().write(true).open(path).is_ok();
        if !writable {
            return Self::open_read_only(path, false);
        }
        match Self::open(path) {
            Err(e) if is_read_only_error(&e) => Self::open_read_only(path, false),
            // A full disk leaves no room for the -shm file SQLite maps to read a WAL database;
            // with nothing in the -wal file the main file can be read as immutable instead.
            Err(e) if is_disk_full(&e, path) && wal_is_empty(path) => {
                Self::open_read_only(path, true).map_err(|_| e)
            }
            result => result,
        }
    }

    /// For `rep serve`: open read-only (SQLITE_OPEN_READ_ONLY and `query_only`) even where the
    /// file is writable, so that no request can change the repertoire; the schema must be
    /// current, since migrating would be a write.
    pub fn open_strictly_read_only(path: &Path) -> anyhow::Result<Store> {
        if !path.is_file() {
            return Err(StoreError::Missing {
                path: path.to_owned(),
            }
            .into());
        }
        Self::open_read_only(path, false)
    }

    /// Open without writing anything, not even the -shm file when the file system refuses it.
    /// `immutable`: read the main file alone, which only a caller that knows nobody can be
    /// writing it may ask for.
    fn open_read_only(path: &Path, immutable: bool) -> anyhow::Result<Store> {
        check_header(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let immutable_uri = format!("file:{}?immutable=1", uri_path(path));
        let open_immutable =
            || Connection::open_with_flags(&immutable_uri, flags | OpenFlags::SQLITE_OPEN_URI);
        let conn = if immutable {
            open_immutable()
        } else {
            match Connection::open_with_flags(path, flags) {
                // See below: a read-only file system without the -shm file.
                Err(e) if is_cannot_open(&e) => open_immutable(),
                result => result,
            }
        }
        .map_err(|e| open_error(e.into(), path))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let conn = match identify(&conn) {
            Ok(_) => conn,
            // A WAL database on a read-only file system whose -shm file does not exist: nobody
            // can be writing it, so it can be read as immutable.
            Err(e) if is_cannot_open(&e) => {
                drop(conn);
                let conn =
                    Connection::open_with_flags(&immutable_uri, flags | OpenFlags::SQLITE_OPEN_URI)
                        .map_err(|e| open_error(e.into(), path))?;
                conn.busy_timeout(BUSY_TIMEOUT)?;
                conn
            }
            Err(e) => return Err(open_error(e.into(), path)),
        };
        match identify(&conn).map_err(|e| open_error(e.into(), path))? {
            Identity::Foreign(why) => return Err(foreign_database(path, &why)),
            Identity::Empty => {
                return Err(StoreError::EmptyReadOnly {
                    path: path.to_owned(),
                }
                .into());
            }
            Identity::Rep { .. } => {}
        }
        let version = Self::user_version(&conn)?;
        if version > SCHEMA_VERSION {
            return Err(newer_schema(version));
        }
        if version < SCHEMA_VERSION {
            return Err(StoreError::NeedsUpgrade {
                path: path.to_owned(),
                version,
            }
            .into());
        }
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "query_only", "ON")?;
        Ok(Store {
            conn,
            read_only: true,
            held_read: false,
        })
    }

    /// Whether this store was opened read-only (a read-only file or file system).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn refuse_if_read_only(&self) -> anyhow::Result<()> {
        if self.read_only {
            return Err(StoreError::ReadOnly.into());
        }
        Ok(())
    }

    /// An empty repertoire that is never written: what read-only commands see when the default
    /// database does not exist yet (nothing is created until a command writes).
    pub fn nothing_yet() -> anyhow::Result<Store> {
        let mut store = Self::open_in_memory()?;
        store.read_only = true;
        Ok(store)
    }

    /// An in-memory store, for unit tests and the fuzz targets.
    pub fn open_in_memory() -> anyhow::Result<Store> {
        let conn = Connection::open_in_memory()?;
        let mut store = Store {
            conn,
            read_only: false,
            held_read: false,
        };
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
            // Entries another program changed wait to be indexed again (see migration 5); a
            // read-only database is searched as it is.
            if !self.read_only && ranking::has_pending(&self.conn)? {
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
        if version > 0 && version < migrations::BOUNDED_FROM {
            exchange::bound_all(&tx).context("while bounding the history of old entries")?;
        }
        if version > 0 && version < migrations::FOLDED_FROM {
            entries::fold_bodies(&tx).context("while indexing the bodies' folded words")?;
        }
        ranking::catch_up(&tx)?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        let replica = crate::ids::random_uuid().simple().to_string();
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
        self.transact(End::Local, |tx| f(tx))
    }

    /// Like [`Store::write_local`], for bookkeeping whose loss is harmless (a search that
    /// found nothing): committed without waiting for the disk (`synchronous = OFF` for this
    /// one transaction), and not at all when another process holds the write lock for longer
    /// than [`SKIPPABLE_WAIT`] (a long import): a search never waits on, nor fails for, a
    /// write it did not need. `None` when skipped.
    ///
    /// Nor does it wait at the end of the process: the checkpoint SQLite runs as the last
    /// connection closes would sync the log, the file and the folder (three fsyncs, most of a
    /// miss's time) only to make the miss durable. So the connection closes without it, and the
    /// miss stays in the log until the next write's close copies it in; the file is never
    /// written unsynced, so nothing another process committed is at risk. For the same reason
    /// the transaction runs no automatic checkpoint: that one would copy other processes'
    /// commits into the file without a sync. A later durable write of this process
    /// ([`Store::transact`]) restores both.
    pub fn write_unsynced<T>(
        &mut self,
        f: impl FnOnce(&Connection) -> anyhow::Result<T>,
    ) -> anyhow::Result<Option<T>> {
        self.conn.pragma_update(None, "synchronous", "OFF")?;
        self.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        self.conn.busy_timeout(SKIPPABLE_WAIT)?;
        let result = self.write_local(f);
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        self.conn
            .pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT)?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        if result.is_ok() {
            self.checkpoint_at_close(false)?;
        }
        match result {
            Ok(value) => Ok(Some(value)),
            Err(e) if is_busy(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Like [`Store::write`], but with `commit == false` everything is rolled back at the end:
    /// a dry run that goes through exactly the same steps.
    pub fn write_or_rehearse<T>(
        &mut self,
        commit: bool,
        f: impl FnOnce(&Writer<'_>) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let end = if commit { End::Shared } else { End::Rehearsal };
        self.transact(end, |tx| f(&Writer { tx }))
    }

    /// One write transaction, taken up front, and how it ends; the word index catches up
    /// inside it, and damage or a read-only file met on the way is said as such.
    fn transact<T>(
        &mut self,
        end: End,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        self.refuse_if_read_only()?;
        // Whatever an unsynced write left, this one is durable at the latest when the process
        // ends (see [`Store::write_unsynced`]).
        self.checkpoint_at_close(true)?;
        let run = || -> anyhow::Result<T> {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            ranking::catch_up(&tx)?;
            match end {
                End::Local => tx.commit()?,
                End::Shared => {
                    tx.execute(
                        "INSERT INTO meta(key, value) VALUES ('generation', '1')
                         ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
                        [],
                    )?;
                    tx.commit()?;
                }
                End::Rehearsal => tx.rollback()?,
            }
            Ok(value)
        };
        run().map_err(refuse_damaged)
    }

    /// [`Store::write_or_rehearse`] for a write that may bring far more than the database holds
    /// (`rep import`). Into an empty repertoire that no other connection has open, it runs with
    /// a rollback journal instead of the write-ahead log: the log would hold every new page
    /// (2.2 GB for a million entries) until the commit's checkpoint copied each of them into the
    /// file a second time, so the import needed twice the database's size in free disk. With
    /// the rollback journal each new page is written once, into the file, and the journal holds
    /// only the few pages the empty database had: a crash rolls those back on the next open,
    /// and the import is all or nothing as before. The log comes back at the end (and on the
    /// next open, whatever happened). While it runs, other processes wait for it (the busy
    /// timeout) instead of reading the empty repertoire beside it.
    pub fn write_bulk_or_rehearse<T>(
        &mut self,
        commit: bool,
        f: impl FnOnce(&Writer<'_>) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let direct = commit && self.begin_direct_write()?;
        let result = self.write_or_rehearse(commit, f);
        if direct {
            // The outcome is the write's; a log not restored here is restored by the next
            // open (`configure`), which every process does first.
            let _ = self.switch_to_wal();
            let _ = self.conn.pragma_update(None, "synchronous", "NORMAL");
        }
        result
    }

    /// Switch an empty file-backed repertoire to a rollback journal; false (and nothing
    /// changed) when it is not empty, has no file, or another connection has it open.
    fn begin_direct_write(&mut self) -> anyhow::Result<bool> {
        if self.read_only || self.conn.path().is_none_or(str::is_empty) {
            return Ok(false);
        }
        let empty: bool =
            self.conn
                .query_row("SELECT NOT EXISTS (SELECT 1 FROM entries)", [], |r| {
                    r.get(0)
                })?;
        if !empty {
            return Ok(false);
        }
        // Leaving WAL needs the only connection; SQLite answers busy (or keeps "wal") otherwise.
        match self
            .conn
            .query_row("PRAGMA journal_mode = DELETE", [], |r| {
                r.get::<_, String>(0)
            }) {
            Ok(mode) if mode == "delete" => {}
            _ => return Ok(false),
        }
        // A rollback journal is crash-safe at every moment only when synced in full.
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        Ok(true)
    }

    /// Whether closing the connection (the process's last) checkpoints the log, as SQLite
    /// does by default.
    fn checkpoint_at_close(&self, checkpoint: bool) -> rusqlite::Result<()> {
        self.conn
            .set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, !checkpoint)?;
        Ok(())
    }

    /// Run `f` on one consistent snapshot.
    pub fn read<T>(
        &mut self,
        f: impl FnOnce(&Connection) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        if self.held_read {
            return f(&self.conn);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Deferred)?;
        let value = f(&tx)?;
        tx.finish()?;
        Ok(value)
    }

    /// Begin one read transaction that every [`Store::read`] joins until
    /// [`Store::release_read`]: one snapshot, and one pair of shared-memory locks, for many
    /// reads. The static export's workers read each entry page in two transactions; their
    /// connections share the file's lock state in this process, and taking it twice a page
    /// made them wait on one another (about four futex calls a page).
    pub fn hold_read(&mut self) -> anyhow::Result<()> {
        anyhow::ensure!(!self.held_read, "a read is held already");
        self.conn.execute_batch("BEGIN DEFERRED")?;
        self.held_read = true;
        Ok(())
    }

    /// End the read transaction of [`Store::hold_read`].
    pub fn release_read(&mut self) -> anyhow::Result<()> {
        if std::mem::take(&mut self.held_read) {
            self.conn.execute_batch("COMMIT")?;
        }
        Ok(())
    }
}

/// How a write transaction ends: committed as local bookkeeping, committed as a change to share
/// (the generation grows), or rolled back (a dry run).
#[derive(Clone, Copy)]
enum End {
    Local,
    Shared,
    Rehearsal,
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

/// A number that grows with every shared write: `rep sync` compares it to know whether there
/// is anything new to export. Read it in the same [`Store::read`] as what it describes.
pub fn generation(conn: &Connection) -> anyhow::Result<i64> {
    Ok(conn
        .query_row(
            "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_within_a_held_read_share_one_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rep.db");
        let mut writer = Store::open(&path).unwrap();
        let mut reader = Store::open_for_reading(&path).unwrap();
        let count = |store: &mut Store| -> i64 {
            store
                .read(|c| Ok(c.query_row("SELECT count(*) FROM entries", [], |r| r.get(0))?))
                .unwrap()
        };
        let new = entries::NewEntry {
            kind: "tool".into(),
            title: "one".into(),
            body: String::new(),
            domain: "general".into(),
            tags: vec![],
            author: "ana".into(),
            command: None,
            link: None,
        };
        reader.hold_read().unwrap();
        assert_eq!(count(&mut reader), 0);
        writer.write(|w| entries::insert(w, &new, 1)).unwrap();
        assert_eq!(count(&mut reader), 0, "the held snapshot");
        assert!(reader.hold_read().is_err(), "one held read at a time");
        reader.release_read().unwrap();
        assert_eq!(count(&mut reader), 1);
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

    #[test]
    fn a_skippable_write_is_skipped_while_another_process_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rep.db");
        let mut store = Store::open(&path).unwrap();
        let write = |store: &mut Store| {
            store.write_unsynced(|c| {
                crate::store::analysis::record_miss(c, "rotate cert", "rotate cert", "", 1)?;
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
}
