//! `rep sync` as a library: one protocol over any engine that can hold a team's repertoire.
//!
//! A sync takes the remote's state, joins it into the database (the same join as `rep import`),
//! writes the joined state back and publishes it, and starts over if the remote moved
//! meanwhile. What to do at each turn is decided by pure functions ([`plan`],
//! [`after_push`]), tested on their own; [`sync`] performs the plan against a [`Remote`].
//! Git (`git`) holds the whole file and is a [`Remote`]. A server (PostgreSQL, `postgres`,
//! issue 19) holds records by id and joins what is pushed to it itself: it is a [`Server`], and
//! [`sync_with_server`] sends only what changed here since the last push and receives only what
//! changed there since its cursor ([`server_plan`] decides which, [`own_writes_kept`] keeps the
//! bookkeeping of the cursor).

use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

use crate::replica::Record;
use crate::store::exchange::{self, ImportReport, Written};
use crate::store::sync_changes::{self, RecordRow};
use crate::store::{self as db, Store};
use crate::timefmt::Millis;

mod git;
pub mod postgres;

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

/// A server engine: it holds each record by id, joins what is pushed to it by the same laws as
/// `rep import`, and tells what changed since a cursor.
pub trait Server {
    /// Stream the records written since `since` (`None`: all of them), except those whose
    /// last writer is one of `own` (this repertoire's pushes, already joined here), to
    /// `receive` as an exchange file, with the cursor to ask from next time. `receive` is
    /// called only when at least one record came.
    fn pull(
        &mut self,
        since: Option<&str>,
        own: &[String],
        receive: &mut dyn FnMut(&str, &mut (dyn BufRead + Send)) -> anyhow::Result<()>,
    ) -> anyhow::Result<Pulled>;
    /// Join `records` into the server's state, serialised with other pushes of the same
    /// records by the server, in one server transaction.
    fn push(&mut self, records: &[Record]) -> anyhow::Result<PushReply>;
}

/// What a pull brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pulled {
    /// Where the next pull starts.
    pub cursor: String,
    pub received: usize,
}

/// What a push did on the server.
#[derive(Debug, Default)]
pub struct PushReply {
    /// The joined records that differ from those sent (the server held something this
    /// repertoire did not), in the file's order: joined here too.
    pub changed_here: Vec<Record>,
    /// The transaction that wrote, if anything was written.
    pub writer: Option<String>,
    /// Rows inserted or changed on the server.
    pub written: usize,
}

/// The local bookkeeping of a server remote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerState {
    /// The cursor of the last pull; `None` before the first.
    pub cursor: Option<String>,
    /// This repertoire's pushes at or above the cursor, whose rows it already holds.
    pub own: Vec<String>,
    /// Changes are tracked for the server (`rep remote set` turns it on).
    pub tracking: bool,
}

/// What a server sync does before its pull.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Before {
    Nothing,
    /// Changes were not tracked (a remote set by other means): mark every record as changed,
    /// since the server may lack any of them, and pull from the start.
    StartTracking,
}

/// Decide what a server sync does before its pull.
pub fn server_plan(state: &ServerState) -> Before {
    if state.tracking {
        Before::Nothing
    } else {
        Before::StartTracking
    }
}

/// The own writes worth excluding from pulls from `cursor` on: those at or above it (a pull
/// never asks for rows below its cursor). Transaction ids are decimal numbers.
pub fn own_writes_kept(own: &[String], cursor: &str) -> Vec<String> {
    let Ok(cursor) = cursor.parse::<u64>() else {
        return own.to_vec();
    };
    own.iter()
        .filter(|xid| xid.parse::<u64>().map_or(true, |x| x >= cursor))
        .cloned()
        .collect()
}

/// How many records one push transaction carries: a first push of a large repertoire goes in
/// parts, each joined and committed on its own, so memory and the server's locks stay bounded.
pub const PUSH_BATCH: usize = 2_000;

const CURSOR_KEY: &str = "server.cursor";
const OWN_KEY: &str = "server.own";
/// Forget what this repertoire knows of a server, and track changes for the one now set:
/// every record it holds now is marked as changed (the server may lack any of them), and the
/// next sync pulls everything.
pub fn start_server_remote(conn: &rusqlite::Connection) -> anyhow::Result<()> {
    sync_changes::set_tracking(conn, true)?;
    sync_changes::mark_all(conn)?;
    db::set_local_setting(conn, CURSOR_KEY, "")?;
    db::set_local_setting(conn, OWN_KEY, "")
}

/// A git remote now: changes are no longer tracked for a server.
pub fn stop_server_remote(conn: &rusqlite::Connection) -> anyhow::Result<()> {
    sync_changes::set_tracking(conn, false)
}

fn server_state(conn: &rusqlite::Connection) -> anyhow::Result<ServerState> {
    let setting = |key| -> anyhow::Result<Option<String>> {
        Ok(db::local_setting(conn, key)?.filter(|v| !v.is_empty()))
    };
    Ok(ServerState {
        cursor: setting(CURSOR_KEY)?,
        own: setting(OWN_KEY)?
            .map(|v| v.split(',').map(str::to_owned).collect())
            .unwrap_or_default(),
        tracking: sync_changes::is_tracking(conn)?,
    })
}

/// What a server sync did.
#[derive(Debug, Default)]
pub struct ServerSynced {
    pub merged: ImportReport,
    /// Records sent, and of those, rows the server changed.
    pub sent: usize,
    pub written: usize,
    /// Records received by the pull.
    pub received: usize,
}

/// Sync with a server: pull what changed there since the cursor and join it here (one local
/// transaction with the new cursor), then push what changed here since the last push and join
/// here what the server's join added (one local transaction that also forgets what was sent).
/// A run stopped anywhere leaves both sides consistent: the next run sends again what was not
/// marked as sent, and the server's join of something it holds already changes nothing.
pub fn sync_with_server(
    store: &mut Store,
    server: &mut dyn Server,
    now: Millis,
) -> anyhow::Result<ServerSynced> {
    let mut synced = ServerSynced::default();
    let mut state = store.read(server_state)?;
    if server_plan(&state) == Before::StartTracking {
        store.write_local(start_server_remote)?;
        state = store.read(server_state)?;
    }
    let pulled = server.pull(state.cursor.as_deref(), &state.own, &mut |cursor, input| {
        let kept = own_writes_kept(&state.own, cursor).join(",");
        let report = store.write(|w| {
            let report = sync_changes::quietly(w.conn(), || exchange::import(w, &mut *input, now))?;
            db::set_local_setting(w.conn(), CURSOR_KEY, cursor)?;
            db::set_local_setting(w.conn(), OWN_KEY, &kept)?;
            Ok(report)
        })?;
        add(&mut synced.merged, report);
        Ok(())
    })?;
    synced.received = pulled.received;
    let own = own_writes_kept(&state.own, &pulled.cursor);
    if pulled.received == 0 && state.cursor.as_deref() != Some(pulled.cursor.as_str()) {
        let own = own.join(",");
        store.write_local(|c| {
            db::set_local_setting(c, CURSOR_KEY, &pulled.cursor)?;
            db::set_local_setting(c, OWN_KEY, &own)
        })?;
    }
    // What to send, read in one snapshot with the generation it describes, and loaded part
    // by part as it is pushed (memory stays bounded on a first push of a large repertoire).
    let mut changed_here: Vec<Record> = Vec::new();
    let mut own = own;
    let generation = store.read(|c| {
        let rows: Vec<RecordRow> = sync_changes::changed(c)?;
        for part in rows.chunks(PUSH_BATCH) {
            let records = part
                .iter()
                .map(|row| sync_changes::load(c, *row))
                .collect::<anyhow::Result<Vec<Record>>>()?;
            let reply = server.push(&records)?;
            synced.sent += records.len();
            synced.written += reply.written;
            changed_here.extend(reply.changed_here);
            own.extend(reply.writer);
        }
        db::generation(c)
    })?;
    if synced.sent == 0 {
        return Ok(synced);
    }
    let own = own.join(",");
    let finish = |c: &rusqlite::Connection| -> anyhow::Result<()> {
        sync_changes::set_tracking(c, true)?;
        sync_changes::forget_before(c, generation)?;
        db::set_local_setting(c, OWN_KEY, &own)
    };
    if changed_here.is_empty() {
        store.write_local(finish)?;
    } else {
        let text = crate::exchange::file_text(&changed_here);
        let report = store.write(|w| {
            let report = sync_changes::quietly(w.conn(), || {
                exchange::import(w, std::io::Cursor::new(text.as_bytes()), now)
            })?;
            finish(w.conn())?;
            Ok(report)
        })?;
        add(&mut synced.merged, report);
    }
    Ok(synced)
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
