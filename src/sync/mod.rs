//! `rep sync` as a library: one protocol over any engine that can hold a team's repertoire.
//!
//! A sync takes the remote's state, joins it into the database (the same join as `rep import`),
//! writes the joined state back and publishes it, and starts over if the remote moved
//! meanwhile. What to do at each turn is decided by pure functions ([`plan`],
//! [`after_push`]), tested on their own; [`sync`] performs the plan against a [`Remote`].
//! Git is the engine today (`git`); a server engine (PostgreSQL, issue 19) implements the same
//! trait, with its cursor as the remote's version and its changed records as the file.

use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

use crate::store::exchange::{self, ImportReport, Written};
use crate::store::{self as db, Store};
use crate::timefmt::Millis;

mod git;

pub use git::{
    FILE_NAME, Git, LOCK_WAIT, RETRY_BUDGET, SyncLock, check_git, clone_dir, create_private_files,
    lock_path,
};

/// What a push came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pushed {
    Done,
    /// Someone pushed first (or was pushing at the same time): fetch, join and try again.
    Raced(String),
    /// The server refused it for its own reasons (a hook, a protected branch, permissions).
    Refused(String),
}

/// An engine that holds the team's shared state. Each attempt of a sync calls, in order:
/// `fetch`, then `has_unpushed` only if the plan needs it, `incoming` when there is something
/// new to pull, `write_state`, `publish`, and after a successful push `version`.
pub trait Remote {
    /// Bring the remote's newest state here; its version (git: the file's blob id; a server:
    /// its cursor), or `None` while the remote holds nothing yet.
    fn fetch(&mut self) -> anyhow::Result<Option<String>>;
    /// Whether something written here earlier has not reached the remote yet (a run killed
    /// between its commit and its push).
    fn has_unpushed(&self) -> anyhow::Result<bool>;
    /// The fetched state, in the exchange format.
    fn incoming(&self) -> anyhow::Result<Box<dyn BufRead + Send>>;
    /// Store the local state, written by `export`, ready to publish.
    fn write_state(
        &self,
        export: &mut dyn FnMut(&mut (dyn Write + Send)) -> anyhow::Result<Written>,
    ) -> anyhow::Result<Written>;
    /// Publish the stored state as `member`'s; `Done` also when there was nothing to send.
    fn publish(&mut self, member: &str, written: &Written) -> anyhow::Result<Pushed>;
    /// The version both sides now hold, after a push went through.
    fn version(&self) -> anyhow::Result<Option<String>>;
}

/// What this repertoire knows of its last sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalState {
    /// The remote version last joined into the database.
    pub imported: Option<String>,
    /// The database generation last published.
    pub published_generation: Option<String>,
    /// The database generation now.
    pub generation: i64,
}

/// One attempt's work, as [`plan`] decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing new on either side: no export, no commit, no push.
    UpToDate,
    /// Join the remote's state first when `pull`, then write ours and publish it.
    Exchange { pull: bool },
}

/// Decide an attempt: `remote` is the version just fetched; `unpushed` is asked only when
/// everything else says there is nothing to do (it costs the engine a query).
pub fn plan(
    local: &LocalState,
    remote: Option<&str>,
    unpushed: impl FnOnce() -> anyhow::Result<bool>,
) -> anyhow::Result<Step> {
    let unchanged_here =
        local.published_generation.as_deref() == Some(local.generation.to_string().as_str());
    let pulled_already = remote.is_some() && remote == local.imported.as_deref();
    if unchanged_here && pulled_already && !unpushed()? {
        return Ok(Step::UpToDate);
    }
    let pull = remote.is_some_and(|version| local.imported.as_deref() != Some(version));
    Ok(Step::Exchange { pull })
}

/// What follows a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    Done,
    /// Lost a race: pause, then start over from the fetch.
    Retry(Duration),
}

/// Why a sync stopped short; the repertoire holds whatever was fetched and joined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    #[error("the remote refused the push: {0}")]
    Refused(String),
    #[error(
        "the remote kept moving for {} s ({attempts} attempts; last: {reason})",
        budget.as_secs()
    )]
    KeptMoving {
        budget: Duration,
        attempts: u32,
        reason: String,
    },
}

/// Decide after a push: done, retry after `pause` while the retry budget allows, or stop.
pub fn after_push(
    pushed: Pushed,
    attempt: u32,
    elapsed: Duration,
    pause: Duration,
) -> Result<Next, SyncError> {
    match pushed {
        Pushed::Done => Ok(Next::Done),
        Pushed::Refused(reason) => Err(SyncError::Refused(reason)),
        Pushed::Raced(reason) if elapsed + pause > RETRY_BUDGET => Err(SyncError::KeptMoving {
            budget: RETRY_BUDGET,
            attempts: attempt,
            reason,
        }),
        Pushed::Raced(_) => Ok(Next::Retry(pause)),
    }
}

/// What a finished sync did.
#[derive(Debug, Default)]
pub struct Synced {
    /// What joining the remote's state brought, over all attempts.
    pub merged: ImportReport,
    pub attempts: u32,
}

/// Run the protocol against `remote` until both sides hold the same state. The caller holds
/// the sync lock of this database.
pub fn sync(
    store: &mut Store,
    remote: &mut dyn Remote,
    member: &str,
    now: Millis,
) -> anyhow::Result<Synced> {
    let started = Instant::now();
    let mut synced = Synced::default();
    loop {
        synced.attempts += 1;
        let version = remote.fetch()?;
        let local = store.read(|c| {
            Ok(LocalState {
                imported: db::local_setting(c, "sync.imported")?,
                published_generation: db::local_setting(c, "sync.generation")?,
                generation: db::generation(c)?,
            })
        })?;
        let pull = match plan(&local, version.as_deref(), || remote.has_unpushed())? {
            Step::UpToDate => return Ok(synced),
            Step::Exchange { pull } => pull,
        };
        if let (true, Some(version)) = (pull, &version) {
            let mut input = remote.incoming()?;
            let report = store.write(|w| exchange::import(w, &mut input, now))?;
            store.write_local(|c| db::set_local_setting(c, "sync.imported", version))?;
            add(&mut synced.merged, report);
        }
        // The generation is read in the snapshot that is exported: a write that lands after
        // it is then still new to the next sync, never marked as shared without being pushed.
        let (written, exported_generation) = store.read(|c| {
            let written = remote.write_state(&mut |out| exchange::export(c, &[], out))?;
            Ok((written, db::generation(c)?))
        })?;
        let pushed = remote.publish(member, &written)?;
        let pause = git::pause_after(synced.attempts);
        match after_push(pushed, synced.attempts, started.elapsed(), pause)? {
            Next::Done => {
                // Both sides now hold exactly this state and this generation of the database.
                let version = remote.version()?;
                store.write_local(|c| {
                    if let Some(version) = &version {
                        db::set_local_setting(c, "sync.imported", version)?;
                    }
                    db::set_local_setting(c, "sync.generation", &exported_generation.to_string())
                })?;
                return Ok(synced);
            }
            Next::Retry(pause) => std::thread::sleep(pause),
        }
    }
}

/// Add one attempt's import to the sync's: counts add up, except `unchanged`, which is the
/// last join's (each attempt joins the whole remote state again).
fn add(merged: &mut ImportReport, report: ImportReport) {
    merged.added += report.added;
    merged.updated += report.updated;
    merged.unchanged = report.unchanged;
    merged.lost_concurrent_edits += report.lost_concurrent_edits;
    merged.changes.extend(report.changes);
    merged.unlisted_changes += report.unlisted_changes;
}

#[cfg(test)]
mod tests;
