//! Error kinds that decide the exit code, and the hint printed with them.

use std::fmt;

use crate::output::sanitize_line;
use crate::store::error::ReplyIdError;

/// Exit codes are part of the CLI contract (docs/cli.md): keep them few and stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Ok = 0,
    /// Not found, ambiguous id, invalid value, bad import file: the data or the request is wrong.
    User = 1,
    /// The command line itself is wrong (clap errors, broken `--raw` search syntax).
    Usage = 2,
    /// The environment is wrong: database cannot be opened or is newer than this binary,
    /// config file unreadable, editor failed to start.
    Environment = 3,
    /// A bug in rep.
    Internal = 70,
    /// A sync server cannot be reached, or went away (a restart) and did not come back (issue 19).
    ServerUnavailable = 69,
    /// TLS to a sync server failed: no TLS, an unverifiable certificate, a bad CA file.
    ServerTls = 76,
    /// A sync server refused this role: authentication failed, or no right to read or write.
    ServerDenied = 77,
    /// A sync server without what rep needs: no such database, rep's schema not initialised,
    /// or a server schema newer than this rep.
    ServerSetup = 78,
    /// Ctrl-C while a list or menu was on screen: what a shell reports for a process SIGINT stopped.
    Interrupted = 130,
}

/// An error a caller can branch on; everything else travels as `anyhow::Error` with context.
#[derive(Debug)]
pub struct RepError {
    pub status: ExitStatus,
    pub message: String,
    pub hint: Option<String>,
}

impl RepError {
    pub fn user(message: impl Into<String>) -> Self {
        RepError {
            status: ExitStatus::User,
            message: message.into(),
            hint: None,
        }
    }
    pub fn usage(message: impl Into<String>) -> Self {
        RepError {
            status: ExitStatus::Usage,
            message: message.into(),
            hint: None,
        }
    }
    pub fn environment(message: impl Into<String>) -> Self {
        RepError {
            status: ExitStatus::Environment,
            message: message.into(),
            hint: None,
        }
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for RepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RepError {}

impl From<&ReplyIdError> for RepError {
    /// The sentences and hints of a refused reply id: written here, not in the store.
    fn from(refused: &ReplyIdError) -> RepError {
        use ReplyIdError::*;
        let shown = |input: &str| sanitize_line(input);
        match refused {
            NotAnId { input } => RepError::user(format!(
                "`{}` is not a reply id (at least 4 hex characters)",
                shown(input)
            )),
            AnEntry { input } => {
                RepError::user(format!("`{}` is an entry, not a reply", shown(input)))
                    .with_hint(format!("`rep show {}` lists its replies", shown(input)))
            }
            NoSuch { input } => RepError::user(format!(
                "no reply has an id starting with `{}`",
                shown(input)
            ))
            .with_hint("`rep show ENTRY` lists the replies with their ids"),
            Ambiguous { input } => {
                RepError::user(format!("reply id prefix `{}` is ambiguous", shown(input)))
                    .with_hint("type more characters of the id")
            }
            AmbiguousRecord { input } => {
                RepError::user(format!("id prefix `{}` is ambiguous", shown(input)))
                    .with_hint("type more characters of the id")
            }
            Deleted { input } => RepError::user(format!("reply {} is deleted", shown(input)))
                .with_hint(format!("`rep restore {}` brings it back", shown(input))),
            NotDeleted { input } => {
                RepError::user(format!("reply {} is not deleted", shown(input)))
                    .with_hint("nothing to restore")
            }
        }
    }
}

impl fmt::Display for ReplyIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&RepError::from(self).message)
    }
}

/// The first error in the chain that decides status and hint: a `RepError`, or a library
/// error turned into one here.
fn decisive(cause: &(dyn std::error::Error + 'static)) -> Option<RepError> {
    if let Some(rep) = cause.downcast_ref::<RepError>() {
        return Some(RepError {
            status: rep.status,
            message: rep.message.clone(),
            hint: rep.hint.clone(),
        });
    }
    cause.downcast_ref::<ReplyIdError>().map(RepError::from)
}

/// An import refused: a user error, with what to do next.
impl From<crate::store::exchange::ImportError> for RepError {
    fn from(e: crate::store::exchange::ImportError) -> Self {
        use crate::store::exchange::ImportError;
        let hint = match &e {
            ImportError::Unreadable(_) => "the database was not changed; fix or re-export the file",
            ImportError::ReplyWithoutEntry { .. } => {
                "the database was not changed; export the whole repertoire, not a part"
            }
            ImportError::ReusedId { .. } => {
                "the database was not changed; the file was not written by rep"
            }
        };
        RepError::user(e.to_string()).with_hint(hint)
    }
}

/// A sync stopped short: the remote's doing, with what to do next.
impl From<crate::sync::SyncError> for RepError {
    fn from(e: crate::sync::SyncError) -> Self {
        use crate::sync::SyncError;
        let hint = match &e {
            SyncError::Refused(_) => {
                "your repertoire is intact and holds what was fetched; the remote's own \
                 rules (a hook, a protected branch, permissions) stopped it: ask whoever \
                 runs the remote"
            }
            SyncError::KeptMoving { .. } => {
                "your repertoire is intact and holds what was fetched; run `rep sync` again"
            }
        };
        RepError::environment(e.to_string()).with_hint(hint)
    }
}

/// A library error as the command reports it: the typed errors of import and sync become a
/// [`RepError`] with their hint; anything else (a read failure, a database error) passes
/// unchanged.
pub fn with_hints(err: anyhow::Error) -> anyhow::Error {
    let err = match err.downcast::<crate::store::exchange::ImportError>() {
        Ok(refused) => return RepError::from(refused).into(),
        Err(other) => other,
    };
    match err.downcast::<crate::sync::SyncError>() {
        Ok(stopped) => RepError::from(stopped).into(),
        Err(other) => other,
    }
}

/// The status for any error: the first `RepError` in the chain decides, else it is a bug-class
/// failure unless it is plainly I/O.
pub fn status_of(err: &anyhow::Error) -> ExitStatus {
    if let Some(rep) = context_rep_error(err) {
        return rep.status;
    }
    for cause in err.chain() {
        if let Some(rep) = decisive(cause) {
            return rep.status;
        }
        if let Some(sqlite) = cause.downcast_ref::<rusqlite::Error>() {
            return sqlite_status(sqlite);
        }
        if cause.downcast_ref::<std::io::Error>().is_some() {
            return ExitStatus::Environment;
        }
    }
    ExitStatus::Internal
}

/// An SQLite error is the environment's fault only when the file, its disk or another process
/// is to blame: busy or locked, cannot open, full, not a database or damaged, read-only, I/O or
/// permissions, out of memory. Anything else (a constraint violated, SQL that does not run, a
/// column of the wrong type, a row that is not there) is a bug in rep, and says so.
fn sqlite_status(err: &rusqlite::Error) -> ExitStatus {
    use rusqlite::ErrorCode::*;
    match err {
        rusqlite::Error::SqliteFailure(f, _) => match f.code {
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
            | NoLargeFileSupport => ExitStatus::Environment,
            _ => ExitStatus::Internal,
        },
        rusqlite::Error::InvalidPath(_) => ExitStatus::Environment,
        _ => ExitStatus::Internal,
    }
}

pub fn hint_of(err: &anyhow::Error) -> Option<String> {
    let disk_full = err.chain().any(|c| {
        matches!(c.downcast_ref::<rusqlite::Error>(),
            Some(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::DiskFull)
    });
    context_rep_error(err)
        .and_then(|r| r.hint.clone())
        .or_else(|| err.chain().filter_map(decisive).find_map(|r| r.hint))
        .or(disk_full.then(|| {
            "the disk is full: nothing of this command was written; free some space and retry"
                .to_owned()
        }))
        .or(is_damaged_database(err).then(|| {
            "the database is damaged: `rep doctor` says where; `rep export FILE` saves what is \
             readable, or restore a backup"
                .to_owned()
        }))
}

/// True when SQLite found the database file damaged (SQLITE_CORRUPT or SQLITE_NOTADB).
pub fn is_damaged_database(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        matches!(c.downcast_ref::<rusqlite::Error>(),
            Some(rusqlite::Error::SqliteFailure(f, _))
                if matches!(f.code, rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase))
    })
}

/// A `RepError` attached with `.context(...)`: `chain()` yields such a layer as anyhow's own
/// wrapper type, which `downcast_ref` on the chain item never matches; anyhow's own
/// `downcast_ref` does, outermost layer first.
fn context_rep_error(err: &anyhow::Error) -> Option<&RepError> {
    err.downcast_ref::<RepError>()
}

/// True when the error is only the reader of our stdout going away (`rep list | head -1`).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context as _;

    fn sqlite_failure(code: i32) -> anyhow::Error {
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None).into()
    }

    #[test]
    fn an_sqlite_bug_is_internal_and_a_sick_environment_is_not() {
        use rusqlite::ffi;
        for code in [
            ffi::SQLITE_BUSY,
            ffi::SQLITE_LOCKED,
            ffi::SQLITE_CANTOPEN,
            ffi::SQLITE_FULL,
            ffi::SQLITE_NOTADB,
            ffi::SQLITE_CORRUPT,
            ffi::SQLITE_READONLY,
            ffi::SQLITE_IOERR,
            ffi::SQLITE_PERM,
        ] {
            assert_eq!(
                status_of(&sqlite_failure(code)),
                ExitStatus::Environment,
                "code {code}"
            );
        }
        for code in [
            ffi::SQLITE_CONSTRAINT,
            ffi::SQLITE_ERROR,
            ffi::SQLITE_MISMATCH,
        ] {
            assert_eq!(
                status_of(&sqlite_failure(code)),
                ExitStatus::Internal,
                "code {code}"
            );
        }
        let no_row = anyhow::Error::new(rusqlite::Error::QueryReturnedNoRows).context("loading x");
        assert_eq!(status_of(&no_row), ExitStatus::Internal);
        // A RepError given as context still decides, whatever SQLite said underneath.
        let told = sqlite_failure(ffi::SQLITE_CONSTRAINT).context(RepError::user("no such x"));
        assert_eq!(status_of(&told), ExitStatus::User);
    }

    #[test]
    fn a_rep_error_given_as_context_decides_status_and_hint() {
        let io = std::io::Error::other("disk on fire");
        let err = Err::<(), _>(io)
            .context(RepError::user("cannot read x").with_hint("fix x"))
            .unwrap_err();
        assert_eq!(status_of(&err), ExitStatus::User);
        assert_eq!(hint_of(&err).as_deref(), Some("fix x"));

        let err =
            anyhow::Error::new(RepError::usage("bad").with_hint("inner")).context("while doing y");
        assert_eq!(status_of(&err), ExitStatus::Usage);
        assert_eq!(hint_of(&err).as_deref(), Some("inner"));
    }
}
