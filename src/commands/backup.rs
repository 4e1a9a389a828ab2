//! `rep backup`: a consistent copy of the database, taken while others keep writing.

use crate::output::{Own, Untrusted, count};
use std::path::PathBuf;

use crate::context::Context;
use crate::error::RepError;
use crate::model::commands::BackedUp as Shown;

/// Copy the database to a file, safely while rep is in use
///
/// Uses SQLite's online backup, so the copy is one consistent state even while other rep
/// commands write. The copy is readable by its owner only, appears only once complete, and is a
/// database that `--db` can open directly.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep backup ~/backups/repertoire-$(date +%F).db
  rep backup latest.db --force
  rep --db latest.db doctor")]
pub struct Args {
    /// File to write; it must not exist yet unless --force is given
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let source = ctx.db_path()?;
    if same_file(&source, &args.file) {
        return Err(RepError::usage("the backup file is the database itself")
            .with_hint("give a different FILE")
            .into());
    }
    let copy = ctx.store_for_reading()?.backup_to(&args.file, args.force)?;
    let bytes = std::fs::metadata(&args.file).map(|m| m.len()).unwrap_or(0);
    let shown = Shown {
        path: args.file.display().to_string(),
        bytes,
        copy: &copy,
    };
    if ctx.out.json {
        return ctx.out.json(&shown);
    }
    ctx.out.status(Own::new(format!(
        "copied {} ({}, integrity {}) to {:#}",
        count(copy.entries, "entry", "entries"),
        count(bytes, "byte", "bytes"),
        copy.integrity,
        Untrusted(&args.file.display().to_string())
    )));
    Ok(())
}

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
