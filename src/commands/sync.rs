//! `rep sync`: share the repertoire through its git remote.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::context::Context;
use crate::error::RepError;
use crate::store::exchange::{self, ImportReport};
use crate::store::{self as db};
use crate::sync::{self, FILE_NAME, Git, Pushed, RETRY_BUDGET, SyncLock};
use crate::tempfiles::write_atomically;

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
    let git = Git::sync_clone(sync::clone_dir(&db_path), &url)?;
    let started = Instant::now();
    let mut merged = ImportReport::default();
    let mut attempt = 0;
    loop {
        attempt += 1;
        git.take_remote()?;
        let file = git.dir().join(FILE_NAME);
        let remote_blob = git.file_blob()?;
        let (imported, synced, generation) = store.read(|c| {
            Ok((
                db::local_setting(c, "sync.imported")?,
                db::local_setting(c, "sync.generation")?,
                db::generation(c)?,
            ))
        })?;
        let unchanged_here = synced.as_deref() == Some(generation.to_string().as_str());
        if unchanged_here && remote_blob.is_some() && remote_blob == imported && !git.ahead()? {
            // Nothing new on either side: no export, no commit, no push.
            return report(ctx, &url, &merged, attempt);
        }
        if let Some(blob) = &remote_blob
            && imported.as_deref() != Some(blob.as_str())
        {
            let report = store
                .write(|w| {
                    let mut input = std::io::BufReader::new(std::fs::File::open(&file)?);
                    exchange::import(w, &mut input, now)
                })
                .map_err(crate::error::import_failed)?;
            store.write_local(|c| db::set_local_setting(c, "sync.imported", blob))?;
            merged.added += report.added;
            merged.updated += report.updated;
            merged.unchanged = report.unchanged;
            merged.lost_concurrent_edits += report.lost_concurrent_edits;
            merged.changes.extend(report.changes);
            merged.unlisted_changes += report.unlisted_changes;
        }
        // The generation is read in the snapshot that is exported: a write that lands after
        // it is then still new to the next sync, never marked as shared without being pushed.
        let (count, exported_generation) = store.read(|c| {
            let count = write_atomically(&file, "sync", |out| exchange::export(c, &[], out))?;
            Ok((count, db::generation(c)?))
        })?;
        let committed = git.commit(
            &member,
            &format!(
                "rep sync by {member}: {}",
                crate::output::count(count.entries, "entry", "entries")
            ),
        )?;
        // Without a new commit there may still be one to push: on a remote that has no branch
        // yet, the commit of a run killed before its push.
        let pushed = if committed || git.ahead()? {
            git.push()?
        } else {
            Pushed::Done
        };
        match pushed {
            Pushed::Done => {
                // Both sides now hold exactly this file and this generation of the database.
                let blob = git.file_blob()?;
                store.write_local(|c| {
                    if let Some(blob) = &blob {
                        db::set_local_setting(c, "sync.imported", blob)?;
                    }
                    db::set_local_setting(c, "sync.generation", &exported_generation.to_string())
                })?;
                return report(ctx, &url, &merged, attempt);
            }
            Pushed::Refused(reason) => {
                return Err(RepError::environment(format!(
                    "the remote refused the push: {reason}"
                ))
                .with_hint(
                    "your repertoire is intact and holds what was fetched; the remote's own \
                     rules (a hook, a protected branch, permissions) stopped it: ask whoever \
                     runs the remote",
                )
                .into());
            }
            Pushed::Raced(reason) => {
                let pause = sync::pause_after(attempt);
                if started.elapsed() + pause > RETRY_BUDGET {
                    return Err(RepError::environment(format!(
                        "the remote kept moving for {} s ({attempt} attempts; last: {reason})",
                        RETRY_BUDGET.as_secs()
                    ))
                    .with_hint(
                        "your repertoire is intact and holds what was fetched; run `rep sync` again",
                    )
                    .into());
                }
                std::thread::sleep(pause);
            }
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
