//! Error kinds that decide the exit code, and the hint printed with them.

use std::fmt;

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
        if let Some(rep) = cause.downcast_ref::<RepError>() {
            return rep.status;
        }
        if cause.downcast_ref::<rusqlite::Error>().is_some()
            || cause.downcast_ref::<std::io::Error>().is_some()
        {
            return ExitStatus::Environment;
        }
    }
    ExitStatus::Internal
}

pub fn hint_of(err: &anyhow::Error) -> Option<&str> {
    let disk_full = err.chain().any(|c| {
        matches!(c.downcast_ref::<rusqlite::Error>(),
            Some(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::DiskFull)
    });
    context_rep_error(err)
        .and_then(|r| r.hint.as_deref())
        .or_else(|| {
            err.chain()
                .filter_map(|c| c.downcast_ref::<RepError>())
                .find_map(|r| r.hint.as_deref())
        })
        .or(disk_full.then_some(
            "the disk is full: nothing of this command was written; free some space and retry",
        ))
        .or(is_damaged_database(err).then_some(
            "the database is damaged: `rep doctor` says where; `rep export FILE` saves what is \
             readable, or restore a backup",
        ))
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

    #[test]
    fn a_rep_error_given_as_context_decides_status_and_hint() {
        let io = std::io::Error::other("disk on fire");
        let err = Err::<(), _>(io)
            .context(RepError::user("cannot read x").with_hint("fix x"))
            .unwrap_err();
        assert_eq!(status_of(&err), ExitStatus::User);
        assert_eq!(hint_of(&err), Some("fix x"));

        let err =
            anyhow::Error::new(RepError::usage("bad").with_hint("inner")).context("while doing y");
        assert_eq!(status_of(&err), ExitStatus::Usage);
        assert_eq!(hint_of(&err), Some("inner"));
    }
}
