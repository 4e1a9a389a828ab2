//! `rep sync`: share the repertoire through its remote, git or PostgreSQL.

use crate::output::{Own, Untrusted};
use std::time::Duration;

use serde::Serialize;

use crate::context::Context;
use crate::error::RepError;
use crate::store::exchange::ImportReport;
use crate::store::{self as db};
use crate::sync::postgres::{self as pg, PgUrl, Postgres};
use crate::sync::{self, Git, SyncLock};

/// Share the repertoire through its remote: git or PostgreSQL
///
/// With git: fetches the remote's repertoire, merges it into yours by the import rules (never
/// leaving conflict markers), writes the merged file, commits and pushes, and retries for up
/// to 30 seconds, with growing random pauses, while others push meanwhile. A push the remote
/// refuses (a hook, a protected branch, permissions) is not retried. Uses your git and its
/// credentials.
///
/// With PostgreSQL: receives the records written on the server since your last sync and joins
/// them by the same rules, then sends the records changed here since your last sync; the
/// server joins them under row locks, so many members sync at once without retries. A server
/// that restarts in the middle is tried once more. Set the remote once with `rep remote set`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep remote set git@example.com:team/repertoire.git
  rep sync
  rep sync --json | jq .added

  rep remote set postgres://ana@db.example.com/team?sslmode=require
  rep remote init             # once per server
  PGPASSWORD=... rep sync     # or a line in ~/.pgpass
  rep sync --json | jq '.sent, .received'")]
pub struct Args {}

#[derive(Serialize)]
struct Synced<'a> {
    remote: &'a str,
    #[serde(flatten)]
    merged: &'a ImportReport,
    pushed: bool,
    attempts: u32,
    /// A server remote: records sent, and received by the pull.
    #[serde(skip_serializing_if = "Option::is_none")]
    sent: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    received: Option<usize>,
}

/// `REP_SYNC_WAIT`: seconds to wait for another `rep sync` of the same database.
fn lock_wait() -> Duration {
    std::env::var("REP_SYNC_WAIT")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(sync::LOCK_WAIT, Duration::from_secs)
}

pub fn run(ctx: &mut Context, _args: Args) -> anyhow::Result<()> {
    let Some(url) = ctx.store()?.read(|c| db::local_setting(c, "remote"))? else {
        return Err(RepError::usage("no remote to sync with")
            .with_hint("set one with `rep remote set URL` (a bare repository path works too)")
            .into());
    };
    if pg::is_postgres(&url) {
        return run_server(ctx, &url);
    }
    sync::check_git()?;
    let member = ctx.member()?;
    let now = ctx.now();
    let db_path = ctx.db_path()?;
    let store = ctx.store()?;
    sync::create_private_files();
    let _turn = SyncLock::take(&sync::lock_path(&db_path), lock_wait())?;
    let mut git = Git::sync_clone(sync::clone_dir(&db_path), &url)?;
    let synced = sync::sync(store, &mut git, &member, now).map_err(crate::error::with_hints)?;
    report(ctx, &url, &synced.merged, synced.attempts)
}

/// How long a sync whose server went away waits for it to come back before its one retry.
const SERVER_BACK_WAIT: Duration = Duration::from_secs(15);

/// `rep sync` with a PostgreSQL server.
fn run_server(ctx: &mut Context, url: &str) -> anyhow::Result<()> {
    let shown = pg::masked(url);
    let parsed = PgUrl::parse(url).map_err(|e| {
        RepError::user(format!(
            "the remote `{}` cannot be used: {e}",
            crate::output::sanitize_line(&shown)
        ))
        .with_hint("set it again with `rep remote set postgres://USER@HOST/DB`")
    })?;
    let now = ctx.now();
    let member = ctx.member()?;
    let db_path = ctx.db_path()?;
    let _turn = SyncLock::take(&sync::lock_path(&db_path), lock_wait())?;
    let mut warnings: Vec<String> = Vec::new();
    let mut warn = |w: &str| warnings.push(w.to_owned());
    let store = ctx.store()?;
    let mut attempts = 1;
    let outcome = loop {
        let outcome = Postgres::connect(&parsed, &shown, &mut warn)
            .and_then(|mut server| sync::sync(store, &mut server, &member, now));
        match outcome {
            // The server went away in the middle (a restart): each local join is one
            // transaction, so running again from the start is safe. Once.
            Err(e) if attempts == 1 && pg::is_transient(&e) => {
                attempts += 1;
                wait_for_server(&parsed, &shown);
            }
            other => break other,
        }
    };
    warnings.dedup();
    for w in &warnings {
        ctx.out
            .status(Own::new(format!("warning: {:#}", Untrusted(w))));
    }
    let synced = outcome.map_err(crate::error::with_hints)?;
    if ctx.out.json {
        return ctx.out.json(&Synced {
            remote: &shown,
            merged: &synced.merged,
            pushed: true,
            attempts,
            sent: Some(synced.sent),
            received: Some(synced.received),
        });
    }
    let merged = &synced.merged;
    ctx.out.status(Own::new(format!(
        "synced with {}: {} received, {} sent; {} added and {} updated from the server, {} with a lost concurrent edit (kept in `rep history`)",
        Untrusted(&shown),
        synced.received,
        synced.sent,
        merged.added,
        merged.updated,
        merged.lost_concurrent_edits
    )));
    Ok(())
}

/// Wait, up to [`SERVER_BACK_WAIT`], until the server accepts connections again.
fn wait_for_server(url: &PgUrl, shown: &str) {
    let deadline = std::time::Instant::now() + SERVER_BACK_WAIT;
    loop {
        std::thread::sleep(Duration::from_millis(250));
        match Postgres::connect(url, shown, &mut |_| {}) {
            Ok(_) => return,
            Err(e) if pg::is_unreachable(&e) && std::time::Instant::now() < deadline => {}
            Err(_) => return,
        }
    }
}

fn report(ctx: &Context, url: &str, merged: &ImportReport, attempts: u32) -> anyhow::Result<()> {
    if ctx.out.json {
        return ctx.out.json(&Synced {
            remote: url,
            merged,
            pushed: true,
            attempts,
            sent: None,
            received: None,
        });
    }
    ctx.out.status(Own::new(format!(
        "synced with {}: {} added and {} updated from the remote, {} with a lost concurrent edit (kept in `rep history`)",
        Untrusted(url),
        merged.added,
        merged.updated,
        merged.lost_concurrent_edits
    )));
    Ok(())
}
