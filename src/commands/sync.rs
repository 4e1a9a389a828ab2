//! `rep sync`: share the repertoire through its git remote.

use std::time::Duration;

use serde::Serialize;

use crate::context::Context;
use crate::error::RepError;
use crate::store::exchange::ImportReport;
use crate::store::{self as db};
use crate::sync::{self, Git, SyncLock};

/// Share the repertoire through git
///
/// Fetches the remote's repertoire, merges it into yours by the import rules (never leaving
/// conflict markers), writes the merged file, commits and pushes, and retries for up to 30
/// seconds, with growing random pauses, while others push meanwhile. A push the remote refuses
/// (a hook, a protected branch, permissions) is not retried. Uses your git and its
/// credentials; set the remote once with `rep remote set`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep remote set git@example.com:team/repertoire.git
  rep sync
  rep sync --json | jq .added")]
pub struct Args {}

#[derive(Serialize)]
struct Synced<'a> {
    remote: &'a str,
    #[serde(flatten)]
    merged: &'a ImportReport,
    pushed: bool,
    attempts: u32,
}

/// `REP_SYNC_WAIT`: seconds to wait for another `rep sync` of the same database.
fn lock_wait() -> Duration {
    std::env::var("REP_SYNC_WAIT")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(sync::LOCK_WAIT, Duration::from_secs)
}

pub fn run(ctx: &mut Context, _args: Args) -> anyhow::Result<()> {
    sync::check_git()?;
    let member = ctx.member()?;
    let now = ctx.now();
    let db_path = ctx.db_path()?;
    let store = ctx.store()?;
    let Some(url) = store.read(|c| db::local_setting(c, "remote"))? else {
        return Err(RepError::usage("no remote to sync with")
            .with_hint("set one with `rep remote set URL` (a bare repository path works too)")
            .into());
    };
    sync::create_private_files();
    let _turn = SyncLock::take(&sync::lock_path(&db_path), lock_wait())?;
    let mut git = Git::sync_clone(sync::clone_dir(&db_path), &url)?;
    let synced = sync::sync(store, &mut git, &member, now).map_err(crate::error::with_hints)?;
    report(ctx, &url, &synced.merged, synced.attempts)
}

fn report(ctx: &Context, url: &str, merged: &ImportReport, attempts: u32) -> anyhow::Result<()> {
    if ctx.out.json {
        return ctx.out.json(&Synced {
            remote: url,
            merged,
            pushed: true,
            attempts,
        });
    }
    ctx.out.status(&format!(
        "synced with {}: {} added and {} updated from the remote, {} with a lost concurrent edit (kept in `rep history`)",
        crate::output::sanitize_line(url),
        merged.added,
        merged.updated,
        merged.lost_concurrent_edits
    ));
    Ok(())
}
