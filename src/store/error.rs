//! What the store refuses, as values: a database file it cannot open or write, an id that names
//! no entry or reply (or one in the wrong state), and the SQLite failures that are the
//! environment's fault. The store never writes a sentence for the user; `error.rs` turns each
//! refusal into its message, exit code and hint, in one place.

use std::path::PathBuf;

use rusqlite::ErrorCode;

/// A database file that cannot be used as asked, or a write the database refused. Each is an
/// environment failure (exit 3) except [`StoreError::DamagedWrite`] and
/// [`StoreError::BackupExists`], which are the user's to fix (exit 1), and
/// [`StoreError::SearchSyntax`], a usage error (exit 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// A reading command was given a path where there is no file.
    Missing { path: PathBuf },
    /// The path names a folder.
    Folder { path: PathBuf },
    /// The file's metadata could not be read.
    CannotRead { path: PathBuf },
    /// The file (or its folder) could not be created.
    CannotCreate { path: PathBuf },
    /// SQLite could not open the file.
    CannotOpen { path: PathBuf },
    /// Not an SQLite file at all.
    NotADatabase { path: PathBuf },
    /// Another program's SQLite file, and why rep thinks so.
    Foreign { path: PathBuf, why: String },
    /// SQLite found the file damaged while opening it.
    Damaged { path: PathBuf },
    /// A write met a damaged page; nothing was written.
    DamagedWrite,
    /// The schema is newer than this binary's.
    NewerSchema { version: u32, supported: u32 },
    /// An older schema that a read-only open cannot upgrade.
    NeedsUpgrade { path: PathBuf, version: u32 },
    /// A read-only file with no repertoire in it.
    EmptyReadOnly { path: PathBuf },
    /// The store was opened read-only and a command asked to write.
    ReadOnly,
    /// A write failed because the file or its folder is read-only.
    ReadOnlyNothingWritten,
    /// The disk that holds the file is full.
    DiskFull { path: PathBuf },
    /// A backup's target exists and may not be replaced.
    BackupExists { target: PathBuf },
    /// A backup's target cannot be written.
    CannotWriteBackup { target: PathBuf },
    /// The source of a backup is damaged.
    DamagedBackup { target: PathBuf },
    /// Another process held the database for the whole busy timeout.
    StayedLocked,
    /// A `--raw` full-text query SQLite could not parse; `message` is SQLite's.
    SearchSyntax { message: String },
}

// Display (the message) lives in error.rs with the hints: the store writes no sentences.
impl std::error::Error for StoreError {}

/// A typed entry id that the store cannot take. `input` is the text as the user gave it,
/// unsanitised: whoever shows it sanitises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryIdError {
    /// Not hexadecimal.
    NotAnId { input: String },
    /// Shorter than the shortest prefix rep takes.
    TooShort { input: String, min: usize },
    /// It names a reply; `entry` is the short id of the entry the reply answers.
    AReply { input: String, entry: String },
    /// No entry has an id that starts so.
    NoSuch { input: String },
    /// The entry is deleted and the command wants a live one.
    Deleted { input: String },
    /// The entry is live and the command wants a deleted one.
    NotDeleted { input: String },
    /// More than one entry starts so: the first ten, and whether there are more.
    Ambiguous {
        input: String,
        candidates: Vec<Candidate>,
        more: bool,
    },
}

/// One of the entries an ambiguous prefix matches, as stored (unsanitised).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub deleted: bool,
}

impl std::error::Error for EntryIdError {}

/// A reply id as typed that the store cannot take. `input` is the text as the user gave it,
/// unsanitised: whoever shows it sanitises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyIdError {
    /// Shorter than the shortest prefix, or not hex.
    NotAnId { input: String },
    /// It names an entry, not a reply.
    AnEntry { input: String },
    /// No reply has an id that starts so.
    NoSuch { input: String },
    /// More than one reply starts so.
    Ambiguous { input: String },
    /// More than one record (replies and entries together) starts so.
    AmbiguousRecord { input: String },
    /// The reply is deleted and the command wants a live one.
    Deleted { input: String },
    /// The reply is live and the command wants a deleted one.
    NotDeleted { input: String },
}

impl std::error::Error for ReplyIdError {}

/// The SQLite failure code anywhere in the chain.
pub fn sqlite_code(e: &anyhow::Error) -> Option<ErrorCode> {
    e.chain()
        .find_map(|c| match c.downcast_ref::<rusqlite::Error>() {
            Some(rusqlite::Error::SqliteFailure(f, _)) => Some(f.code),
            _ => None,
        })
}

/// True when SQLite found the database file damaged (SQLITE_CORRUPT or SQLITE_NOTADB).
pub fn is_damaged_database(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        matches!(c.downcast_ref::<rusqlite::Error>(),
            Some(rusqlite::Error::SqliteFailure(f, _))
                if matches!(f.code, ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase))
    })
}

/// True when SQLite said the disk is full.
pub fn is_sqlite_disk_full(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        matches!(c.downcast_ref::<rusqlite::Error>(),
            Some(rusqlite::Error::SqliteFailure(f, _)) if f.code == ErrorCode::DiskFull)
    })
}

/// An SQLite error is the environment's fault only when the file, its disk or another process
/// is to blame: busy or locked, cannot open, full, not a database or damaged, read-only, I/O or
/// permissions, out of memory. Anything else (a constraint violated, SQL that does not run, a
/// column of the wrong type, a row that is not there) is a bug in rep.
pub fn is_environment_failure(err: &rusqlite::Error) -> bool {
    use ErrorCode::*;
    match err {
        rusqlite::Error::SqliteFailure(f, _) => matches!(
            f.code,
            DatabaseBusy
                | DatabaseLocked
                | CannotOpen
                | DiskFull
                | NotADatabase
                | DatabaseCorrupt
                | ReadOnly
                | SystemIoFailure
                | PermissionDenied
                | FileLockingProtocolFailed
                | OutOfMemory
                | NoLargeFileSupport
        ),
        rusqlite::Error::InvalidPath(_) => true,
        _ => false,
    }
}
