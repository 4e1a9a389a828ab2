//! Error kinds that decide the exit code, and the hint printed with them.

use std::fmt;

use crate::model::ValueError;
use crate::output::sanitize_line;
use crate::store::error::{EntryIdError, ReplyIdError, StoreError};

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
    /// A sync server holds a record rep cannot read (a row written by other means): refused,
    /// never replaced (issue 19).
    ServerData = 65,
    /// Ctrl-C while a list or menu was on screen: what a shell reports for a process SIGINT stopped.
    Interrupted = 130,
}

/// An error a caller can branch on; everything else travels as `anyhow::Error` with context.
#[derive(Debug, Clone)]
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

impl From<&EntryIdError> for RepError {
    /// The sentences and hints of a refused entry id: written here, not in the store.
    fn from(refused: &EntryIdError) -> RepError {
        use EntryIdError::*;
        let shown = |input: &str| sanitize_line(input);
        match refused {
            NotAnId { input } => RepError::user(format!("`{}` is not an entry id", shown(input)))
                .with_hint("ids are hexadecimal; `rep list` shows them"),
            TooShort { input, min } => RepError::user(format!(
                "id prefix `{}` is too short: type at least {min} characters",
                shown(input)
            ))
            .with_hint("`rep list` shows the shortest unique ids"),
            AReply { input, entry } => {
                RepError::user(format!("`{}` is a reply, not an entry", shown(input)))
                    .with_hint(format!("the entry it answers is {entry}"))
            }
            NoSuch { input } => RepError::user(format!(
                "no entry has an id starting with `{}`",
                shown(input)
            ))
            .with_hint("`rep list` or `rep search WORDS` shows ids"),
            Deleted { input } => RepError::user(format!("entry {} is deleted", shown(input)))
                .with_hint(format!("`rep restore {}` brings it back", shown(input))),
            NotDeleted { input } => {
                RepError::user(format!("entry {} is not deleted", shown(input))).with_hint(format!(
                    "nothing to restore; `rep show {}` shows it",
                    shown(input)
                ))
            }
            Ambiguous {
                input,
                candidates,
                more,
            } => {
                let mut message = format!("id prefix `{}` is ambiguous; it matches:", shown(input));
                for c in candidates {
                    let gone = if c.deleted { " (deleted)" } else { "" };
                    message.push_str(&format!(
                        "\n  {}  {}  {}{gone}",
                        c.id,
                        sanitize_line(&c.kind),
                        sanitize_line(&c.title)
                    ));
                }
                if *more {
                    message.push_str("\n  ...");
                }
                RepError::user(message).with_hint("type more characters of the id")
            }
        }
    }
}

impl fmt::Display for EntryIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&RepError::from(self).message)
    }
}

impl From<&StoreError> for RepError {
    /// The sentences and hints of a database the store cannot open or write: written here, not
    /// in the store.
    fn from(refused: &StoreError) -> RepError {
        use StoreError::*;
        const CHECK_PATH: &str = "check the path given by --db or REP_DB, and its permissions";
        const ELSEWHERE: &str = "point --db or REP_DB at a rep database, or at a new path";
        match refused {
            Missing { path } => RepError::environment(format!(
                "there is no repertoire database at {}",
                path.display()
            ))
            .with_hint(
                "check --db or REP_DB; a command that writes (rep add, rep import) creates it",
            ),
            Folder { path } => {
                RepError::environment(format!("the database {} is a folder", path.display()))
                    .with_hint(
                        "check the path given by --db or REP_DB: it names a rep database file",
                    )
            }
            CannotRead { path } => {
                RepError::environment(format!("cannot read the database {}", path.display()))
            }
            CannotCreate { path } => {
                RepError::environment(format!("cannot create the database {}", path.display()))
                    .with_hint(CHECK_PATH)
            }
            CannotOpen { path } => {
                RepError::environment(format!("cannot open the database {}", path.display()))
                    .with_hint(CHECK_PATH)
            }
            NotADatabase { path } => {
                RepError::environment(format!("{} is not a repertoire database", path.display()))
                    .with_hint(ELSEWHERE)
            }
            Foreign { path, why } => RepError::environment(format!(
                "{} is another program's SQLite database, not a repertoire ({why}); rep left it untouched",
                path.display()
            ))
            .with_hint(format!("{ELSEWHERE} for a new repertoire")),
            // The hint of a damaged database (`hint_of`) says what to do.
            Damaged { path } => {
                RepError::environment(format!("the database {} is damaged", path.display()))
            }
            DamagedWrite => RepError::user(
                "the database is damaged: rep refused to write into it, and nothing was written",
            ),
            NewerSchema { version, supported } => RepError::environment(format!(
                "the database has schema version {version}, newer than this rep understands ({supported})"
            ))
            .with_hint("upgrade rep; the database was left untouched"),
            NeedsUpgrade { path, version } => RepError::environment(format!(
                "the database {} has schema version {version} and needs an upgrade, which needs write access",
                path.display()
            ))
            .with_hint("run rep once where the file is writable, or copy it somewhere writable"),
            EmptyReadOnly { path } => RepError::environment(format!(
                "{} holds no repertoire yet, and it is read-only",
                path.display()
            )),
            ReadOnly => RepError::environment("the database is read-only here")
                .with_hint("run the command where the database file is writable"),
            ReadOnlyNothingWritten => {
                RepError::environment("the database is read-only here: nothing was written")
                    .with_hint(
                        "run the command where the database file and its folder are writable",
                    )
            }
            DiskFull { path } => {
                RepError::environment(format!("the disk that holds {} is full", path.display()))
                    .with_hint("free some space on that disk, then run the command again")
            }
            BackupExists { target } => {
                RepError::user(format!("{} already exists", target.display()))
                    .with_hint("choose a new file name, or pass --force to replace it")
            }
            CannotWriteBackup { target } => {
                RepError::environment(format!("cannot write {}", target.display()))
            }
            DamagedBackup { target } => RepError::user(format!(
                "the database is damaged, so no backup was written to {}",
                target.display()
            )),
            StayedLocked => {
                RepError::environment("the database stayed locked for the whole busy timeout")
                    .with_hint("retry when the other rep commands have finished")
            }
            SearchSyntax { message } => {
                RepError::usage(format!("invalid search syntax: {message}"))
                    .with_hint("drop --raw to search for the words as typed")
            }
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&RepError::from(self).message)
    }
}

impl From<&ValueError> for RepError {
    /// The sentences and hints of a refused value: written here, not in the model.
    fn from(refused: &ValueError) -> RepError {
        use ValueError::*;
        match refused {
            TitleEmpty => RepError::user("the title is empty").with_hint("give a short one-line title"),
            TitleNul => RepError::user("the title contains a NUL byte"),
            TitleLines => RepError::user("the title must be one line")
                .with_hint("put the details in the body with -m, --body-file or -"),
            TitleLong { limit } => RepError::user(format!(
                "the title is longer than the limit of {limit} characters"
            ))
            .with_hint("put the details in the body"),
            BodyLarge { bytes, limit } => RepError::user(format!(
                "the body is {bytes} bytes, over the limit of {limit} bytes (1 MiB)"
            ))
            .with_hint("link to large material with --link instead of pasting it"),
            BodyNul => RepError::user("the body contains a NUL byte"),
            FieldLong { name, limit } => RepError::user(format!(
                "the {name} is longer than the limit of {limit} bytes"
            )),
            FieldNul { name } => RepError::user(format!("the {name} contains a NUL byte")),
            Domain { input, why } => RepError::user(format!(
                "invalid domain {:?}: {why}",
                crate::text::sanitize(input)
            ))
            .with_hint(
                "use lowercase words, digits, '-', '_' or '.', nested with '/', e.g. k8s/networking",
            ),
            Tag { input, why } => RepError::user(format!(
                "invalid tag {:?}: {why}",
                crate::text::sanitize(input)
            ))
            .with_hint("tags are short words like 'vacuum' or 'copy-1'"),
            Member { input } => RepError::user(format!(
                "invalid member name {:?}: use one line of up to {} printable characters",
                sanitize_line(input),
                crate::limits::MEMBER_CHARS
            )),
        }
    }
}

impl From<ValueError> for RepError {
    fn from(refused: ValueError) -> RepError {
        RepError::from(&refused)
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&RepError::from(self).message)
    }
}

/// An error that decides status and hint: a `RepError`, or a library error turned into one
/// here.
fn decisive(cause: &(dyn std::error::Error + 'static)) -> Option<RepError> {
    if let Some(rep) = cause.downcast_ref::<RepError>() {
        return Some(rep.clone());
    }
    if let Some(store) = cause.downcast_ref::<StoreError>() {
        return Some(store.into());
    }
    if let Some(entry) = cause.downcast_ref::<EntryIdError>() {
        return Some(entry.into());
    }
    if let Some(value) = cause.downcast_ref::<ValueError>() {
        return Some(value.into());
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
            ImportError::ReusedId { .. } | ImportError::OccurrenceElsewhere { .. } => {
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

/// The status for any error: the first typed error in the chain decides, else the environment
/// for I/O and the SQLite failures that are the environment's, else a bug.
pub fn status_of(err: &anyhow::Error) -> ExitStatus {
    if let Some(rep) = context_rep_error(err) {
        return rep.status;
    }
    for cause in err.chain() {
        if let Some(rep) = decisive(cause) {
            return rep.status;
        }
        if let Some(sqlite) = cause.downcast_ref::<rusqlite::Error>() {
            return if crate::store::error::is_environment_failure(sqlite) {
                ExitStatus::Environment
            } else {
                ExitStatus::Internal
            };
        }
        if cause.downcast_ref::<std::io::Error>().is_some() {
            return ExitStatus::Environment;
        }
    }
    ExitStatus::Internal
}

pub fn hint_of(err: &anyhow::Error) -> Option<String> {
    let disk_full = crate::store::error::is_sqlite_disk_full(err);
    context_rep_error(err)
        .and_then(|r| r.hint)
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
    crate::store::error::is_damaged_database(err)
}

/// A typed error attached with `.context(...)`: `chain()` yields such a layer as anyhow's own
/// wrapper type, which `downcast_ref` on the chain item never matches; anyhow's own
/// `downcast_ref` does, outermost layer first.
fn context_rep_error(err: &anyhow::Error) -> Option<RepError> {
    if let Some(rep) = err.downcast_ref::<RepError>() {
        return Some(rep.clone());
    }
    if let Some(store) = err.downcast_ref::<StoreError>() {
        return Some(store.into());
    }
    if let Some(value) = err.downcast_ref::<ValueError>() {
        return Some(value.into());
    }
    err.downcast_ref::<EntryIdError>().map(RepError::from)
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
