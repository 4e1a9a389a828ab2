//! `rep sync`: share the repertoire through its git remote.

use serde::Serialize;

use crate::commands::export::write_atomically;
use crate::context::Context;
use crate::error::RepError;
use crate::store::exchange::{self, ImportReport};
use crate::store::{self as db};
use crate::sync::{self, ATTEMPTS, FILE_NAME, Git};

/// Share the repertoire through git
///
/// Fetches the remote's repertoire, merges it into yours by the import rules (never leaving
/// conflict markers), writes the merged file, commits and pushes, and retries if someone pushed
/// meanwhile. Uses your git and its credentials; set the remote once with `rep remote set`.
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
    attempts: usize,
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
    let git = Git::new(sync::clone_dir(&db_path));
    git.prepare(&url)?;
    let mut merged = ImportReport::default();
    for attempt in 1..=ATTEMPTS {
        git.take_remote()?;
        let file = git.dir().join(FILE_NAME);
        let remote_blob = git.file_blob()?;
        let (imported, synced) = store.read(|c| {
            Ok((
                db::local_setting(c, "sync.imported")?,
                db::local_setting(c, "sync.generation")?,
            ))
        })?;
        let unchanged_here = synced.as_deref() == Some(store.generation()?.to_string().as_str());
        if unchanged_here && remote_blob.is_some() && remote_blob == imported && !git.ahead()? {
            // Nothing new on either side: no export, no commit, no push.
            return report(ctx, &url, &merged, attempt);
        }
        if let Some(blob) = git.file_blob()? {
            let last = store.read(|c| db::local_setting(c, "sync.imported"))?;
            if last.as_deref() != Some(blob.as_str()) {
                let report = store.write(|w| {
                    let mut input = std::io::BufReader::new(std::fs::File::open(&file)?);
                    exchange::import(w, &mut input, now)
                })?;
                store.write_local(|c| db::set_local_setting(c, "sync.imported", &blob))?;
                merged.added += report.added;
                merged.updated += report.updated;
                merged.unchanged = report.unchanged;
                merged.lost_concurrent_edits += report.lost_concurrent_edits;
                merged.changes.extend(report.changes);
                merged.unlisted_changes += report.unlisted_changes;
            }
        }
        let count = store.read(|c| write_atomically(&file, |out| exchange::export(c, &[], out)))?;
        git.commit(
            &member,
            &format!("rep sync by {member}: {} entries", count.entries),
        )?;
        let pushed = if git.ahead()? { git.push()? } else { true };
        if pushed {
            // Both sides now hold exactly this file and this generation of the database.
            let blob = git.file_blob()?;
            let generation = store.generation()?.to_string();
            store.write_local(|c| {
                if let Some(blob) = &blob {
                    db::set_local_setting(c, "sync.imported", blob)?;
                }
                db::set_local_setting(c, "sync.generation", &generation)
            })?;
            return report(ctx, &url, &merged, attempt);
        }
    }
    Err(
        RepError::environment(format!("the remote kept moving during {ATTEMPTS} attempts"))
            .with_hint("your repertoire is intact and holds what was fetched; run `rep sync` again")
            .into(),
    )
}

fn report(ctx: &Context, url: &str, merged: &ImportReport, attempts: usize) -> anyhow::Result<()> {
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
