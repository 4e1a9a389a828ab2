//! Completion as you type: the shell runs `rep` with COMPLETE=SHELL set, and rep answers with
//! candidates instead of running a command. Domains and tags come from the repertoire.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use clap::CommandFactory as _;
use clap_complete::CompleteEnv;
use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};

use crate::cli::Cli;
use crate::store::Store;
use crate::store::entries;

/// The environment variable that turns a run of `rep` into a completion request.
pub const ENV_VAR: &str = "COMPLETE";

/// Answer a completion request if this run is one; `true` when it was.
pub fn answer_if_asked(args: &[OsString]) -> bool {
    let current_dir = std::env::current_dir().ok();
    CompleteEnv::with_factory(Cli::command)
        .var(ENV_VAR)
        .try_complete(args.iter().cloned(), current_dir.as_deref())
        .unwrap_or_else(|e| e.exit())
}

pub fn domains() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| {
        let typed = current.to_string_lossy();
        names(entries::domain_counts)
            .into_iter()
            .filter(|d| d.starts_with(typed.as_ref()))
            .map(CompletionCandidate::new)
            .collect::<Vec<_>>()
    })
}

/// Tags, also after a comma (`-t locks,pg`).
pub fn tags() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| {
        let typed = current.to_string_lossy();
        let (done, last) = match typed.rfind(',') {
            Some(at) => (&typed[..=at], &typed[at + 1..]),
            None => ("", typed.as_ref()),
        };
        names(entries::tag_counts)
            .into_iter()
            .filter(|t| t.starts_with(last) && !done.split(',').any(|d| d == t))
            .map(|t| CompletionCandidate::new(format!("{done}{t}")))
            .collect::<Vec<_>>()
    })
}

/// Names from the database, or none: completing must never fail loudly or create a database.
fn names(
    query: impl FnOnce(&rusqlite::Connection) -> anyhow::Result<Vec<crate::model::Count>>,
) -> Vec<String> {
    let path = match std::env::var_os("REP_DB").filter(|p| !p.is_empty()) {
        Some(path) => PathBuf::from(path),
        None => match crate::context::default_db_path() {
            Ok(path) => path,
            Err(_) => return Vec::new(),
        },
    };
    if !path.is_file() {
        return Vec::new();
    }
    let Ok(mut store) = Store::open_for_reading(&path) else {
        return Vec::new();
    };
    // Candidates reach the terminal through the shell: sanitised like every other output.
    store
        .read(query)
        .map(|counts| {
            counts
                .into_iter()
                .map(|c| crate::output::sanitize_line(&c.name))
                .filter(|name| !name.is_empty())
                .collect()
        })
        .unwrap_or_default()
}
