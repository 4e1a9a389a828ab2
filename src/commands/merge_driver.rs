//! `rep merge-driver`: a git merge driver that joins two exchange files instead of merging text.

use crate::output::{Own, Untrusted, count};
use std::path::PathBuf;

use crate::context::Context;
use crate::error::RepError;
use crate::exchange::{self, ReadError, RecordReader};
use crate::replica::{self, Record};
use crate::tempfiles::write_atomically;

/// Merge two versions of an exchange file (for git; see `rep git-setup`)
///
/// Writes the join of OURS and THEIRS into OURS and exits 0; the base is not needed because
/// the join keeps every change. If a side does not parse, exits 1 and leaves git's conflict.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  git config merge.repertoire.driver \"rep merge-driver %O %A %B %P\"
  rep merge-driver base.jsonl ours.jsonl theirs.jsonl repertoire.jsonl")]
pub struct Args {
    /// The common ancestor (%O), unused
    pub base: PathBuf,
    /// Our version (%A); receives the result
    pub ours: PathBuf,
    /// Their version (%B)
    pub theirs: PathBuf,
    /// The path in the repository (%P), for messages
    pub path: Option<PathBuf>,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let now = ctx.now();
    let ours = read_all(&args.ours, now)?;
    let theirs = read_all(&args.theirs, now)?;
    let merged = replica::join_files(ours, theirs);
    // The checks import makes against the repertoire, made against the other side, so that the
    // driver never writes a file that import refuses.
    replica::check_joined(&merged).map_err(|reason| {
        RepError::user(format!("cannot merge: {reason}"))
            .with_hint("left as a git conflict; fix the file by hand or re-export it")
    })?;
    let text = exchange::file_text(&merged);
    write_atomically(&args.ours, "merge", |out| {
        Ok(out.write_all(text.as_bytes())?)
    })?;
    let shown = args
        .path
        .as_ref()
        .unwrap_or(&args.ours)
        .display()
        .to_string();
    ctx.out.status(Own::new(format!(
        "merged {} in {:#}",
        count(merged.len() as u64, "entry", "entries"),
        Untrusted(&shown)
    )));
    Ok(())
}

fn read_all(path: &PathBuf, now: crate::timefmt::Millis) -> anyhow::Result<Vec<Record>> {
    let file = std::fs::File::open(path)
        .map_err(|e| RepError::user(format!("cannot open {}: {e}", path.display())))?;
    let mut reader = RecordReader::new(std::io::BufReader::new(file), now);
    let mut records = Vec::new();
    loop {
        match reader.next_record() {
            Ok(Some(record)) => records.push(record),
            Ok(None) => return Ok(records),
            Err(ReadError::Io(e)) => return Err(e.into()),
            Err(ReadError::Line(e)) => {
                return Err(RepError::user(format!("{}: {e}", path.display()))
                    .with_hint("left as a git conflict; fix the file by hand or re-export it")
                    .into());
            }
        }
    }
}
