//! `rep import`: join an exchange file into the repertoire.

use std::io::BufRead;
use std::path::PathBuf;

use serde::Serialize;

use crate::context::Context;
use crate::error::RepError;
use crate::output::sanitize_line;
use crate::store::exchange::{self, ImportReport};

/// Merge an exported repertoire into this one
///
/// Record by record and field by field: the latest change of each field wins, tags merge per
/// tag, deletions travel as tombstones, and a record missing from the file is left alone. A value
/// that loses to a concurrent edit stays in `rep history`. Importing the same files in any
/// order, any number of times, gives the same repertoire. A bad file changes nothing.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep import team.jsonl
  rep import team.jsonl --dry-run
  git show origin/main:repertoire.jsonl | rep import -")]
pub struct Args {
    /// Exchange file to read, `-` for stdin
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Report what would change, and write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Serialize)]
struct Shown<'a> {
    dry_run: bool,
    #[serde(flatten)]
    report: &'a ImportReport,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let mut input: Box<dyn BufRead> = if args.file.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(&args.file)
            .map_err(|e| RepError::user(format!("cannot open {}: {e}", args.file.display())))?;
        Box::new(std::io::BufReader::with_capacity(1 << 16, file))
    };
    let report = ctx
        .store()?
        .write_or_rehearse(!args.dry_run, |w| exchange::import(w, &mut input))?;
    print_report(ctx, &report, args.dry_run)
}

/// Shared with `rep sync`.
pub fn print_report(ctx: &Context, report: &ImportReport, dry_run: bool) -> anyhow::Result<()> {
    if ctx.out.json {
        return ctx.out.json(&Shown { dry_run, report });
    }
    if !report.changes.is_empty() {
        let mut table = ctx
            .out
            .table(&["id", "outcome", "title", "lost concurrent edit"]);
        for c in &report.changes {
            table.add_row(vec![
                c.id[..8].to_owned(),
                c.outcome.to_owned(),
                sanitize_line(&c.title),
                c.lost_concurrent_edits.join(", "),
            ]);
        }
        ctx.out.print_table(&table)?;
    }
    let verb = if dry_run { "would add" } else { "added" };
    ctx.out.status(&format!(
        "{verb} {}, {} {}, {} unchanged, {} with a lost concurrent edit (kept in `rep history`){}",
        report.added,
        if dry_run { "would update" } else { "updated" },
        report.updated,
        report.unchanged,
        report.lost_concurrent_edits,
        if dry_run {
            "; nothing was written (dry run)"
        } else {
            ""
        }
    ));
    Ok(())
}
