//! `rep man`: man pages for rep and every subcommand, from the same text as `--help`.

use crate::output::{Own, Untrusted};
use std::path::PathBuf;

use anyhow::Context as _;
use clap::CommandFactory as _;

use crate::cli::Cli;
use crate::context::Context;
use crate::error::RepError;

/// Write man pages for rep and every subcommand
///
/// One page per command (rep.1, rep-add.1, ...). The default folder is on man's search path
/// on most systems, so `man rep-add` works right after.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep man && man rep-search
  rep man ./man && man -l ./man/rep-add.1")]
pub struct Args {
    /// Folder to write the pages into [default: $XDG_DATA_HOME/man/man1, else ~/.local/share/man/man1]
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let dir = match args.dir {
        Some(dir) => dir,
        None => default_dir()?,
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| RepError::environment(format!("cannot create {}: {e}", dir.display())))?;
    clap_mangen::generate_to(Cli::command(), &dir)
        .with_context(|| format!("while writing man pages into {}", dir.display()))?;
    let mut pages: Vec<String> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("rep") && name.ends_with(".1"))
        .collect();
    pages.sort();
    if ctx.out.json {
        return ctx.out.json(&serde_json::json!({
            "dir": dir.display().to_string(),
            "pages": pages,
        }));
    }
    ctx.out.print(Untrusted(&dir.display().to_string()))?;
    ctx.out.status(Own::new(format!(
        "wrote {}; try `man rep` (or `man -l {:#}`)",
        crate::output::count(pages.len(), "man page", "man pages"),
        Untrusted(&dir.join("rep.1").display().to_string())
    )));
    if let Some(root) = dir.parent()
        && let Some(search_path) = man_search_path()
        && !man_looks_in(root, &search_path)
    {
        let keep = if std::env::var_os("MANPATH").is_some_and(|m| !m.is_empty()) {
            "$MANPATH"
        } else {
            // An empty last element keeps man's own search path (man-db, mandoc, BSD man).
            ""
        };
        ctx.out.status(Own::new(format!(
            "man does not look in {:#} yet: add this line to your shell's startup file\n  \
             export MANPATH=\"{:#}:{keep}\"",
            Untrusted(&root.display().to_string()),
            Untrusted(&root.display().to_string())
        )));
    }
    Ok(())
}

/// Where `man` looks: `$MANPATH`, else what `manpath` says (it derives folders from `PATH`
/// too); `None` when neither tells, and then rep says nothing rather than guess.
fn man_search_path() -> Option<String> {
    if let Some(path) = std::env::var("MANPATH").ok().filter(|p| !p.is_empty()) {
        return Some(path);
    }
    let out = std::process::Command::new("manpath")
        .arg("-q")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Whether a man search path (folders joined by `:`) holds `root`, the folder above `man1`.
fn man_looks_in(root: &std::path::Path, search_path: &str) -> bool {
    let same = |p: &std::path::Path| {
        p == root
            || p.canonicalize()
                .ok()
                .zip(root.canonicalize().ok())
                .is_some_and(|(a, b)| a == b)
    };
    search_path
        .split(':')
        .filter(|p| !p.is_empty())
        .any(|p| same(std::path::Path::new(p)))
}

fn default_dir() -> anyhow::Result<PathBuf> {
    if let Some(data) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(data).join("man/man1"));
    }
    match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(".local/share/man/man1")),
        None => Err(RepError::environment("cannot tell where your home is")
            .with_hint("name the folder: `rep man DIR`")
            .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_above_man1_must_be_on_the_search_path() {
        let root = std::path::Path::new("/home/ana/.local/share/man");
        assert!(man_looks_in(
            root,
            "/usr/share/man:/home/ana/.local/share/man"
        ));
        assert!(!man_looks_in(root, "/usr/share/man:/usr/local/man"));
        assert!(!man_looks_in(root, ""));
    }
}
