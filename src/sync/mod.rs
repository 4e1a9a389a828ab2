//! `rep sync` as a library: one protocol over any engine that can hold a team's repertoire.
//!
//! A sync pulls what the remote holds that is new here and joins it into the database (the
//! same join as `rep import`), sends this repertoire's state, joins what the remote's own join
//! added, and starts over if the remote moved meanwhile. What to do at each turn is decided by
//! pure functions ([`plan`], [`needs_pull`], [`after_push`], [`server_plan`],
//! [`own_writes_kept`]), tested on their own; [`sync`] performs them against a [`Remote`].
//! Both engines are a [`Remote`] and differ in what they are sent ([`Sends`]): git (`git`)
//! holds the whole file, and a push of it can lose a race; a server (PostgreSQL, `postgres`,
//! issue 19) holds records by id, is sent only what changed here since the last push, joins it
//! itself under row locks, and tells what changed there since a cursor.

use std::io::BufRead;
use std::time::{Duration, Instant};

use crate::replica::Record;
use crate::store::exchange::{self, ImportReport};
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
    /// It went through; what the remote's own join of it brought (a server's; git holds what
    /// was sent, as it was sent).
    Done(PushReply),
    /// Someone pushed first (or was pushing at the same time): fetch, join and try again.
    Raced(String),
    /// The server refused it for its own reasons (a hook, a protected branch, permissions).
    Refused(String),
}

/// How an engine is sent this repertoire's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sends {
    /// The whole state, in the exchange format (git: one file); a push can lose a race, and
    /// the sync then starts over.
    Whole,
    /// Only the records changed here since the last push, which the remote joins itself by
    /// the same laws as `rep import`, serialising pushes of the same records (a server).
    Changes,
}

/// What a push sends.
pub enum Outgoing<'a> {
    /// The whole state: the engine exports it from this snapshot of the database.
    Whole(&'a rusqlite::Connection),
    /// These changed records (one part of them: see [`PUSH_BATCH`]).
    Changes(&'a [Record]),
}

/// Where this repertoire's last pull from its remote left off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Since {
    /// The remote version last joined here (git: the file's blob id; a server: its cursor);
    /// `None` before the first pull.
    pub version: Option<String>,
    /// This repertoire's own server writes at or above the cursor, whose rows it already holds
    /// (a pull leaves them out). Empty for git.
    pub own: Vec<String>,
}

/// `receive(version, file)`: join a pulled exchange file, and remember its version.
pub type Receive<'a> = dyn FnMut(&str, &mut (dyn BufRead + Send)) -> anyhow::Result<()> + 'a;

/// An engine that holds the team's shared state: git and PostgreSQL. Each attempt of a
/// [`sync`] calls, in order: `pull`; `has_unpushed` only if the [`plan`] needs it; `push`
/// (once, or once per part of the changes); after a push that went through, `version`.
pub trait Remote {
    fn sends(&self) -> Sends;
    /// Bring the remote's newest state here, and hand what is new since `since` to `receive`
    /// as an exchange file with its version, if anything is ([`needs_pull`] for a version
    /// that names the whole state). Returns the remote's version now (`None` while it holds
    /// nothing yet) and how many records came.
    fn pull(&mut self, since: &Since, receive: &mut Receive<'_>) -> anyhow::Result<Pulled>;
    /// Whether something written here earlier has not reached the remote yet (a run killed
    /// between its commit and its push).
    fn has_unpushed(&self) -> anyhow::Result<bool>;
    /// Send `outgoing` as `member`'s; `Done` also when there was nothing to send.
    fn push(&mut self, member: &str, outgoing: Outgoing<'_>) -> anyhow::Result<Pushed>;
    /// The version both sides now hold after a push went through, when the push itself made
    /// one (git's new file); `None` keeps the version of the pull (a server's cursor).
    fn version(&self) -> anyhow::Result<Option<String>>;
}

/// What a pull brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pulled {
    /// The remote's version now: where the next pull starts.
    pub version: Option<String>,
    pub received: usize,
}

/// What a push did on a server.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PushReply {
    /// The joined records that differ from those sent (the server held something this
    /// repertoire did not), in the file's order: joined here too.
    pub changed_here: Vec<Record>,
    /// The transactions that wrote (a server's ids), if anything was written.
    pub writers: Vec<String>,
    /// Rows inserted or changed on the server.
    pub written: usize,
}

/// Whether a remote at `version` holds something not joined here yet, when a version names
/// the remote's whole state (git).
pub fn needs_pull(since: &Since, version: Option<&str>) -> bool {
    version.is_some_and(|version| since.version.as_deref() != Some(version))
}

/// What this repertoire knows of its last sync with an engine that is sent the whole state.
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

/// Decide an attempt of an engine sent the whole state: `remote` is the version just
/// fetched; `unpushed` is asked only when everything else says there is nothing to do (it
/// costs the engine a query). (An engine sent changes has nothing to do exactly when no
/// change is marked here.)
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
    let since = Since {
        version: local.imported.clone(),
        own: Vec::new(),
    };
    Ok(Step::Exchange {
        pull: needs_pull(&since, remote),
    })
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
    pushed: &Pushed,
    attempt: u32,
    elapsed: Duration,
    pause: Duration,
) -> Result<Next, SyncError> {
    match pushed {
        Pushed::Done(_) => Ok(Next::Done),
        Pushed::Refused(reason) => Err(SyncError::Refused(reason.clone())),
        Pushed::Raced(reason) if elapsed + pause > RETRY_BUDGET => Err(SyncError::KeptMoving {
            budget: RETRY_BUDGET,
            attempts: attempt,
            reason: reason.clone(),
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
    /// Records sent (a server: the changed ones; git: none counted), and of those, rows the
    /// server changed.
    pub sent: usize,
    pub written: usize,
    /// Records received by pulls (git: none counted).
    pub received: usize,
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

const IMPORTED_KEY: &str = "sync.imported";
const GENERATION_KEY: &str = "sync.generation";
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

/// Where the last pull from a `sends` engine left off, and (whole state) the plan's view of
/// this repertoire.
fn since(conn: &rusqlite::Connection, sends: Sends) -> anyhow::Result<(Since, LocalState)> {
    let generation = db::generation(conn)?;
    Ok(match sends {
        Sends::Whole => {
            let imported = db::local_setting(conn, IMPORTED_KEY)?;
            let local = LocalState {
                imported: imported.clone(),
                published_generation: db::local_setting(conn, GENERATION_KEY)?,
                generation,
            };
            (
                Since {
                    version: imported,
                    own: Vec::new(),
                },
                local,
            )
        }
        Sends::Changes => {
            let state = server_state(conn)?;
            let local = LocalState {
                imported: state.cursor.clone(),
                published_generation: None,
                generation,
            };
            (
                Since {
                    version: state.cursor,
                    own: state.own,
                },
                local,
            )
        }
    })
}

/// Remember that the remote's state up to `version` is joined here (and, for a server, which
/// own writes the next pull must still leave out).
fn remember_pull(
    conn: &rusqlite::Connection,
    sends: Sends,
    version: &str,
    own: &[String],
) -> anyhow::Result<()> {
    match sends {
        Sends::Whole => db::set_local_setting(conn, IMPORTED_KEY, version),
        Sends::Changes => {
            db::set_local_setting(conn, CURSOR_KEY, version)?;
            db::set_local_setting(conn, OWN_KEY, &own.join(","))
        }
    }
}

/// Join an exchange file from the remote: for a server, with the change triggers silent
/// (what the server sent is not a change to send back).
fn join_incoming(
    w: &db::Writer<'_>,
    sends: Sends,
    input: &mut (dyn BufRead + Send),
    now: Millis,
) -> anyhow::Result<ImportReport> {
    match sends {
        Sends::Whole => exchange::import(w, input, now),
        Sends::Changes => sync_changes::quietly(w.conn(), || exchange::import(w, input, now)),
    }
}

/// Run the protocol against `remote` until both sides hold the same state. The caller holds
/// the sync lock of this database.
///
/// Each attempt pulls what the remote holds that is new here and joins it (one local
/// transaction with the version pulled), then sends this repertoire's state in one snapshot
/// of the database (git: the whole joined state; a server: the records changed since the last
/// push, part by part, so memory stays bounded on a first push of a large repertoire), and
/// after a push that went through joins what the remote's own join added and remembers what
/// was published (one local transaction). A push that lost a race starts over. A run stopped
/// anywhere leaves both sides consistent: the next run sends again what was not marked as
/// sent, and a join of something already held changes nothing.
pub fn sync(
    store: &mut Store,
    remote: &mut dyn Remote,
    member: &str,
    now: Millis,
) -> anyhow::Result<Synced> {
    let sends = remote.sends();
    let started = Instant::now();
    let mut synced = Synced::default();
    if sends == Sends::Changes && server_plan(&store.read(server_state)?) == Before::StartTracking {
        store.write_local(start_server_remote)?;
    }
    loop {
        synced.attempts += 1;
        let (since, local) = store.read(|c| since(c, sends))?;
        let merged = &mut synced.merged;
        let pulled = remote.pull(&since, &mut |version, input| {
            let own = own_writes_kept(&since.own, version);
            let report = store.write(|w| {
                let report = join_incoming(w, sends, input, now)?;
                remember_pull(w.conn(), sends, version, &own)?;
                Ok(report)
            })?;
            add(merged, report);
            Ok(())
        })?;
        synced.received += pulled.received;
        let own = match &pulled.version {
            Some(version) => own_writes_kept(&since.own, version),
            None => since.own.clone(),
        };
        if sends == Sends::Changes
            && pulled.received == 0
            && let Some(version) = &pulled.version
            && since.version.as_ref() != Some(version)
        {
            // Nothing came, but the cursor moved on.
            store.write_local(|c| remember_pull(c, sends, version, &own))?;
        }
        if sends == Sends::Whole
            && plan(&local, pulled.version.as_deref(), || remote.has_unpushed())? == Step::UpToDate
        {
            return Ok(synced);
        }
        // What to send is read in one snapshot with the generation it describes: a write
        // that lands after it is then still new to the next sync, never marked as shared
        // without being pushed.
        let (pushed, generation) = store.read(|c| {
            let pushed = match sends {
                Sends::Whole => remote.push(member, Outgoing::Whole(c))?,
                Sends::Changes => push_changes(c, remote, member, &mut synced)?,
            };
            Ok((pushed, db::generation(c)?))
        })?;
        if sends == Sends::Changes && synced.sent == 0 {
            return Ok(synced);
        }
        let pause = git::pause_after(synced.attempts);
        match after_push(&pushed, synced.attempts, started.elapsed(), pause)? {
            Next::Done => {
                let Pushed::Done(reply) = pushed else {
                    unreachable!("a push is done only when it went through")
                };
                settle(
                    store,
                    remote,
                    sends,
                    generation,
                    own,
                    reply,
                    now,
                    &mut synced,
                )?;
                return Ok(synced);
            }
            Next::Retry(pause) => std::thread::sleep(pause),
        }
    }
}

/// Push the records changed here since the last push, part by part; the replies of all the
/// parts in one.
fn push_changes(
    c: &rusqlite::Connection,
    remote: &mut dyn Remote,
    member: &str,
    synced: &mut Synced,
) -> anyhow::Result<Pushed> {
    let mut all = PushReply::default();
    let rows: Vec<RecordRow> = sync_changes::changed(c)?;
    for part in rows.chunks(PUSH_BATCH) {
        let records = part
            .iter()
            .map(|row| sync_changes::load(c, *row))
            .collect::<anyhow::Result<Vec<Record>>>()?;
        let reply = match remote.push(member, Outgoing::Changes(&records))? {
            Pushed::Done(reply) => reply,
            other => return Ok(other),
        };
        synced.sent += records.len();
        synced.written += reply.written;
        all.changed_here.extend(reply.changed_here);
        all.writers.extend(reply.writers);
    }
    Ok(Pushed::Done(all))
}
/// After a push that went through: join what the remote's join added, and remember what was
/// published (git: this generation and the file's version; a server: forget the changes
/// sent, keep the push's own writes out of the next pull), in one local transaction.
#[allow(clippy::too_many_arguments)]
fn settle(
    store: &mut Store,
    remote: &dyn Remote,
    sends: Sends,
    generation: i64,
    mut own: Vec<String>,
    reply: PushReply,
    now: Millis,
    synced: &mut Synced,
) -> anyhow::Result<()> {
    let version = remote.version()?;
    own.extend(reply.writers);
    let remember = |c: &rusqlite::Connection| -> anyhow::Result<()> {
        match sends {
            Sends::Whole => {
                if let Some(version) = &version {
                    db::set_local_setting(c, IMPORTED_KEY, version)?;
                }
                db::set_local_setting(c, GENERATION_KEY, &generation.to_string())
            }
            Sends::Changes => {
                sync_changes::set_tracking(c, true)?;
                sync_changes::forget_before(c, generation)?;
                db::set_local_setting(c, OWN_KEY, &own.join(","))
            }
        }
    };
    if reply.changed_here.is_empty() {
        return store.write_local(remember);
    }
    let text = crate::exchange::file_text(&reply.changed_here);
    let report = store.write(|w| {
        let report = join_incoming(w, sends, &mut std::io::Cursor::new(text.as_bytes()), now)?;
        remember(w.conn())?;
        Ok(report)
    })?;
    add(&mut synced.merged, report);
    Ok(())
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
