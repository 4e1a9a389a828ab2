//! `rep git-setup`: install the merge driver in the current git repository.

use crate::output::{Own, Untrusted};
use std::io::Write as _;

use crate::context::Context;
use crate::error::RepError;
use crate::sync::{self, Git};

/// Install the repertoire merge driver in this git repository
///
/// For teams that keep the exported file in their own project repository: adds a
/// `.gitattributes` line for PATTERN and the driver to the repository's git config, so that
/// merges of the file join records instead of writing conflict markers. Every clone runs this
/// once (git does not version driver settings).
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep export docs/repertoire.jsonl && rep git-setup docs/repertoire.jsonl
  rep git-setup '*.rep.jsonl'")]
pub struct Args {
    /// Files the driver handles (a .gitattributes pattern)
    #[arg(default_value = sync::FILE_NAME)]
    pub pattern: String,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    sync::check_git()?;
    let here = Git::new(std::env::current_dir()?);
    let top = here.ok(&["rev-parse", "--show-toplevel"]).map_err(|_| {
        RepError::user("this is not a git repository")
            .with_hint("run it inside the repository that holds the file")
    })?;
    if args.pattern.contains(char::is_whitespace) || args.pattern.is_empty() {
        return Err(RepError::user("the pattern must be one word without spaces").into());
    }
    here.ok(&["config", "merge.repertoire.name", "repertoire join"])?;
    here.ok(&[
        "config",
        "merge.repertoire.driver",
        "rep merge-driver %O %A %B %P",
    ])?;
    let attributes = std::path::Path::new(&top).join(".gitattributes");
    let line = format!("{} merge=repertoire", args.pattern);
    let existing = std::fs::read_to_string(&attributes).unwrap_or_default();
    if !existing.lines().any(|l| l.trim() == line) {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&attributes)?;
        if !existing.is_empty() && !existing.ends_with('\n') {
            writeln!(file)?;
        }
        writeln!(file, "{line}")?;
    }
    if ctx.out.json {
        return ctx.out.json(&serde_json::json!({ "gitattributes": attributes.display().to_string(), "pattern": args.pattern }));
    }
    ctx.out.status(Own::new(format!(
        "merge driver installed for {:#} (commit .gitattributes)",
        Untrusted(&args.pattern)
    )));
    Ok(())
}
