//! What a database file must be before and while SQLite opens it, and the errors rep gives
//! (as [`StoreError`] values) when it is not: rep's own file (its header and application id), not newer than this rep,
//! not damaged, writable or on a full disk; created private.

use std::path::Path;

use rusqlite::{Connection, ErrorCode, OptionalExtension};

use super::error::{StoreError, is_damaged_database, sqlite_code};
use super::{APPLICATION_ID, Identity, PAGE_SIZE, SCHEMA_VERSION, SQLITE_MAGIC, Store};
use crate::clock::Replica;

pub(super) fn newer_schema(version: u32) -> anyhow::Error {
    StoreError::NewerSchema {
        version,
        supported: SCHEMA_VERSION,
    }
    .into()
}

/// A write that met a page SQLite reports damaged: the transaction was rolled back (SQLite
/// never commits past SQLITE_CORRUPT), so say that nothing was written, and why. Running a full
/// `PRAGMA quick_check` before every write would find damage the write never touches, but costs
/// 0.16-0.58 s on a 100,000-entry database; `rep doctor` is that check.
pub(super) fn refuse_damaged(e: anyhow::Error) -> anyhow::Error {
    if is_damaged_database(&e) {
        e.context(StoreError::DamagedWrite)
    } else if sqlite_code(&e) == Some(ErrorCode::ReadOnly) {
        e.context(StoreError::ReadOnlyNothingWritten)
    } else {
        e
    }
}

/// What the file at the path is, from read-only queries alone.
pub(super) fn identify(conn: &Connection) -> rusqlite::Result<Identity> {
    let application_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if application_id == APPLICATION_ID {
        return Ok(Identity::Rep { claimed: true });
    }
    if application_id != 0 {
        return Ok(Identity::Foreign(format!(
            "its application id is {application_id:#010x}, not rep's {APPLICATION_ID:#010x}"
        )));
    }
    let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    if objects == 0 {
        return Ok(Identity::Empty);
    }
    let has_meta: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta')",
        [],
        |r| r.get(0),
    )?;
    let replica: Option<String> = if has_meta {
        conn.query_row("SELECT value FROM meta WHERE key = 'replica_id'", [], |r| {
            r.get(0)
        })
        .optional()?
    } else {
        None
    };
    let version = Store::user_version(conn)?;
    if version >= 1 && replica.is_some_and(|r| Replica::parse(&r).is_some()) {
        Ok(Identity::Rep { claimed: false })
    } else {
        Ok(Identity::Foreign(
            "it has tables, but not rep's (no meta table with a replica id)".to_owned(),
        ))
    }
}

/// Refuse a file that is not SQLite at all, or another program's SQLite file by its header's
/// application id, before SQLite opens it (opening could create -wal and -shm files beside it).
pub(super) fn check_header(path: &Path) -> anyhow::Result<()> {
    use std::io::Read as _;
    let mut header = [0u8; 100];
    let read = std::fs::File::open(path)
        .and_then(|f| f.take(100).read(&mut header))
        .unwrap_or(0);
    if read == 0 {
        return Ok(());
    }
    if read < 100 || &header[..16] != SQLITE_MAGIC {
        return Err(not_a_database(path));
    }
    let application_id = i32::from_be_bytes([header[68], header[69], header[70], header[71]]);
    if application_id != 0 && application_id != APPLICATION_ID {
        return Err(foreign_database(
            path,
            &format!(
                "its application id is {application_id:#010x}, not rep's {APPLICATION_ID:#010x}"
            ),
        ));
    }
    Ok(())
}

fn not_a_database(path: &Path) -> anyhow::Error {
    StoreError::NotADatabase {
        path: path.to_owned(),
    }
    .into()
}

pub(super) fn foreign_database(path: &Path, why: &str) -> anyhow::Error {
    StoreError::Foreign {
        path: path.to_owned(),
        why: why.to_owned(),
    }
    .into()
}

pub(super) fn is_read_only_error(e: &anyhow::Error) -> bool {
    sqlite_code(e).is_some_and(|code| {
        matches!(
            code,
            ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied
        )
    }) || e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| {
            io.kind() == std::io::ErrorKind::PermissionDenied || io.raw_os_error() == Some(30)
        })
    })
}

pub(super) fn is_cannot_open(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::CannotOpen || f.code == ErrorCode::ReadOnly)
}

/// `path` for a `file:` URI: absolute, with `%`, `?` and `#` escaped.
pub(super) fn uri_path(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    absolute
        .to_string_lossy()
        .replace('%', "%25")
        .replace('?', "%3f")
        .replace('#', "%23")
}

/// Errors of opening, said in the user's terms: not a database, damaged, read-only, or the
/// disk is full; else a cannot-open with the usual hint.
pub(super) fn open_error(e: anyhow::Error, path: &Path) -> anyhow::Error {
    let path = path.to_owned();
    if sqlite_code(&e) == Some(ErrorCode::NotADatabase) {
        return StoreError::NotADatabase { path }.into();
    }
    if is_disk_full(&e, &path) {
        return e.context(StoreError::DiskFull { path });
    }
    if is_damaged_database(&e) {
        return e.context(StoreError::Damaged { path });
    }
    e.context(StoreError::CannotOpen { path })
}

/// `e` as "the disk is full" when SQLite or the file system says so, else `e` unchanged.
pub(super) fn disk_full_or(e: anyhow::Error, path: &Path) -> anyhow::Error {
    if is_disk_full(&e, path) {
        e.context(StoreError::DiskFull {
            path: path.to_owned(),
        })
    } else {
        e
    }
}

pub(super) fn is_disk_full(e: &anyhow::Error, path: &Path) -> bool {
    sqlite_code(e) == Some(ErrorCode::DiskFull)
        || e.chain().any(|c| {
            c.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::StorageFull)
        })
        || (sqlite_code(e) == Some(ErrorCode::SystemIoFailure) && no_space_left(path))
}

/// Whether the -wal file beside `path` is absent or empty: then the main file alone holds the
/// whole database, and reading it as immutable sees exactly what a normal open would.
pub(super) fn wal_is_empty(path: &Path) -> bool {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(wal).map_or(true, |m| m.len() == 0)
}

/// SQLite reports a full disk while mapping its -shm file as a plain I/O error: ask the file
/// system whether it has room for one more page.
fn no_space_left(path: &Path) -> bool {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Ok(mut probe) = tempfile::tempfile_in(dir) else {
        return false;
    };
    use std::io::Write as _;
    let page = [0u8; PAGE_SIZE as usize];
    matches!(probe.write_all(&page).and_then(|()| probe.sync_all()), Err(e) if e.kind() == std::io::ErrorKind::StorageFull)
}

/// Create the file with owner-only permissions before SQLite does, so a new repertoire is never
/// readable by others; SQLite gives its -wal and -shm files the same mode.
pub(super) fn create_private_file(path: &Path) -> std::io::Result<()> {
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
