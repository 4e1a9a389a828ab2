//! The command tree. Doc comments here are the `--help` text users read.

use std::path::PathBuf;

use clap::{Args, CommandFactory as _, Parser, Subcommand};

use crate::commands;
use crate::output::ColorChoice;

const EXAMPLES: &str = "\
Examples:
  rep add tool \"Find what holds a lock\" -d postgres -t locks --cmd \"SELECT * FROM pg_locks\"
  rep search lock
  rep list --domain postgres --limit 10
  rep show 3f2a
  rep search vacuum --json | jq -r '.[].title'

Exit codes: 0 ok, 1 data error (not found, ambiguous id, invalid value), 2 usage error,
3 environment error (database or config cannot be used), 70 internal error.";

/// A terminal-first knowledge repertoire for communities of practice.
///
/// Log tricks, stories, tools and recurring problems from the shell, tagged by domain, and find
/// them again in an instant. Everything lives in one local SQLite file.
#[derive(Debug, Parser)]
#[command(name = "rep", version, after_help = EXAMPLES, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Database file [default: repertoire.db in the user data directory]
    #[arg(
        long,
        global = true,
        env = "REP_DB",
        value_name = "PATH",
        hide_env_values = true
    )]
    pub db: Option<PathBuf>,

    /// Print one JSON document on stdout instead of text (schema: docs/json.md)
    #[arg(long, global = true)]
    pub json: bool,

    /// Act as this member [default: config user.name, git user.name, login name]
    #[arg(
        long = "as",
        global = true,
        env = "REP_USER",
        value_name = "NAME",
        hide_env_values = true
    )]
    pub as_member: Option<String>,

    /// Print only data and errors, no status notes
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Do not page long output through $PAGER (else less -FRX)
    #[arg(long, global = true)]
    pub no_pager: bool,

    /// When to use colour (NO_COLOR turns off `auto`)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

// Each command's arguments are built only when it is the one parsed (`defer`): building all
// of them was most of clap's share of a command's start (see [`command_to_run`]).
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    Add(commands::add::Args),
    Show(commands::show::Args),
    Open(commands::open::Args),
    Edit(commands::edit::Args),
    Rm(commands::rm::Args),
    Restore(commands::rm::RestoreArgs),
    History(commands::history::Args),
    Ask(commands::ask::Args),
    Answer(commands::answer::Args),
    Accept(commands::accept::Args),
    Resolve(commands::resolve::Args),
    Reopen(commands::resolve::ReopenArgs),
    Helped(commands::helped::Args),
    Seen(commands::seen::Args),
    Document(commands::document::Args),
    Link(commands::link::Args),
    Review(commands::review::Args),
    List(commands::list::Args),
    Search(commands::search::Args),
    Domains(commands::domains::Args),
    Tags(commands::tags::Args),
    Members(commands::members::Args),
    Map(commands::map::Args),
    Who(commands::who::Args),
    Gaps(commands::gaps::Args),
    Stats(commands::stats::Args),
    Whoami(commands::whoami::Args),
    Export(commands::export::Args),
    Import(commands::import::Args),
    Sync(commands::sync::Args),
    News(commands::news::Args),
    Serve(commands::serve::Args),
    Remote(commands::remote::Args),
    GitSetup(commands::git_setup::Args),
    MergeDriver(commands::merge_driver::Args),
    Config(commands::config::Args),
    Version(commands::version::Args),
    Doctor(commands::doctor::Args),
    Backup(commands::backup::Args),
    ShellInit(commands::shell_init::Args),
    Completions(commands::completions::Args),
    Man(commands::man::Args),
    #[command(hide = true)]
    Pick(commands::pick::Args),
    #[command(hide = true)]
    Capture(commands::capture::Args),
}

/// The commands of `rep --help` by activity, in the order people meet them. A command missing
/// here is listed under "Other", so none is ever hidden by forgetting it.
const COMMAND_GROUPS: &[(&str, &[&str])] = &[
    (
        "Log and find",
        &[
            "add", "show", "open", "edit", "rm", "restore", "history", "list", "search",
        ],
    ),
    (
        "Ask and answer",
        &["ask", "answer", "accept", "resolve", "reopen", "helped"],
    ),
    ("The practice", &["seen", "document", "link", "review"]),
    (
        "Map and gaps",
        &["map", "gaps", "who", "members", "domains", "tags", "stats"],
    ),
    (
        "Sharing",
        &[
            "sync",
            "news",
            "export",
            "serve",
            "import",
            "remote",
            "git-setup",
            "merge-driver",
        ],
    ),
    (
        "Setup",
        &[
            "whoami",
            "config",
            "doctor",
            "backup",
            "shell-init",
            "completions",
            "man",
            "version",
        ],
    ),
];

/// The command tree a command runs with: each command's arguments built only if it is the one
/// called, and no top-level help, which lists every command with its summary (so builds them
/// all). When the top-level help is what the arguments ask for, clap says so with an error of
/// kind [`needs_the_help`], and the caller parses again with [`command`].
pub fn command_to_run() -> clap::Command {
    Cli::command()
}

/// Whether clap stopped to show a help that [`command_to_run`]'s tree cannot write.
pub fn needs_the_help(err: &clap::Error) -> bool {
    use clap::error::ErrorKind;
    matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    )
}

/// The command tree, with the top-level help listing commands by activity and the global
/// options once, apart from each command's own (clap has headings for options only).
pub fn command() -> clap::Command {
    let mut cmd = Cli::command();
    // The summaries are in the commands' deferred parts.
    cmd.build();
    // `help` (which building added) has its line at the end.
    let visible: Vec<&clap::Command> = cmd
        .get_subcommands()
        .filter(|c| !c.is_hide_set() && c.get_name() != "help")
        .collect();
    let width = visible
        .iter()
        .map(|c| c.get_name().len())
        .max()
        .unwrap_or(0);
    let line = |c: &clap::Command| {
        let about = c.get_about().map(|a| a.to_string()).unwrap_or_default();
        format!("  {:<width$}  {about}\n", c.get_name())
    };
    let mut groups = String::new();
    for (heading, names) in COMMAND_GROUPS {
        groups.push_str(&format!("{heading}:\n"));
        for name in *names {
            if let Some(c) = visible.iter().find(|c| c.get_name() == *name) {
                groups.push_str(&line(c));
            }
        }
        groups.push('\n');
    }
    let grouped: Vec<&str> = COMMAND_GROUPS
        .iter()
        .flat_map(|(_, n)| n.iter().copied())
        .collect();
    let others: Vec<&&clap::Command> = visible
        .iter()
        .filter(|c| !grouped.contains(&c.get_name()))
        .collect();
    if !others.is_empty() {
        groups.push_str("Other:\n");
        for c in others {
            groups.push_str(&line(c));
        }
        groups.push('\n');
    }
    groups
        .push_str(&line(&clap::Command::new("help").about(
            "Print this message or the help of the given subcommand(s)",
        )));
    // Braces in the about texts would read as template placeholders.
    let groups = groups.replace('{', "{{").replace('}', "}}");
    cmd.help_template(format!(
        "{{before-help}}{{about-with-newline}}\n{{usage-heading}} {{usage}}\n\n{groups}\n\
         Global options:\n{{options}}{{after-help}}"
    ))
}
