//! repertoire: a terminal-first knowledge repertoire for communities of practice.
//! The `rep` binary is a thin shell over [`main_with_args`].

mod batch;
mod bounded;
mod cli;
mod clock;
mod commands;
mod community;
mod completion;
mod config;
mod context;
mod editor;
mod error;
mod exchange;
mod expertise;
mod finder;
mod foreign;
#[doc(hidden)]
pub mod fuzzing;
mod gaps;
mod history;
mod identity;
mod ids;
mod limits;
mod map;
mod markdown;
mod model;
mod opener;
mod output;
mod participation;
mod picker;
mod placeholders;
mod recall;
mod recording;
mod rename;

mod render;
mod replica;
mod rules;
mod search;
mod stem;
mod store;
mod sync;
mod tempfiles;
mod terminal;
mod text;
mod thread;
mod timefmt;
mod web;
mod weekly;
mod writeup;

use std::ffi::OsString;
use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::context::Context;
use crate::error::ExitStatus;

/// Parse `args`, run the command, print any error with its hint, and give the exit code.
pub fn main_with_args(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    finder::mark_process_start();
    let args: Vec<OsString> = args.into_iter().collect();
    if completion::answer_if_asked(&args) {
        return exit(ExitStatus::Ok);
    }
    let parse = |cmd: clap::Command, args: &[OsString]| {
        cmd.try_get_matches_from(args)
            .and_then(|matches| <Cli as clap::FromArgMatches>::from_arg_matches(&matches))
    };
    let parsed = match parse(cli::command_to_run(), &args) {
        Err(err) if cli::needs_the_help(&err) => parse(cli::command(), &args),
        parsed => parsed,
    };
    let cli = match parsed {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            let status = if err.use_stderr() {
                ExitStatus::Usage
            } else {
                ExitStatus::Ok
            };
            return exit(status);
        }
    };
    let outcome = std::panic::catch_unwind(|| run(cli));
    match outcome {
        Ok(Ok(())) => exit(ExitStatus::Ok),
        Ok(Err(err)) if error::is_broken_pipe(&err) => exit(ExitStatus::Ok),
        Ok(Err(err)) => {
            report(&err);
            exit(error::status_of(&err))
        }
        Err(_) => {
            output::to_stderr(
                "error: internal error: rep crashed; this is a bug, please report it",
            );
            exit(ExitStatus::Internal)
        }
    }
}

fn exit(status: ExitStatus) -> ExitCode {
    ExitCode::from(status as u8)
}

fn report(err: &anyhow::Error) {
    let mut text = format!("error: {err}");
    for cause in err.chain().skip(1) {
        text.push_str(&format!("\n  caused by: {cause}"));
    }
    if let Some(hint) = error::hint_of(err) {
        text.push_str(&format!("\nhint: {hint}"));
    }
    output::to_stderr(output::Own::new(output::sanitize(&text)));
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let mut ctx = Context::new(&cli.global)?;
    match cli.command {
        Command::Add(args) => commands::add::run(&mut ctx, args),
        Command::Show(args) => commands::show::run(&mut ctx, args),
        Command::Edit(args) => commands::edit::run(&mut ctx, args),
        Command::Rm(args) => commands::rm::run(&mut ctx, args),
        Command::Restore(args) => commands::rm::restore(&mut ctx, args),
        Command::History(args) => commands::history::run(&mut ctx, args),
        Command::Ask(args) => commands::ask::run(&mut ctx, args),
        Command::Answer(args) => commands::answer::run(&mut ctx, args),
        Command::Accept(args) => commands::accept::run(&mut ctx, args),
        Command::Resolve(args) => commands::resolve::run(&mut ctx, args),
        Command::Reopen(args) => commands::resolve::reopen(&mut ctx, args),
        Command::Helped(args) => commands::helped::run(&mut ctx, args),
        Command::Seen(args) => commands::seen::run(&mut ctx, args),
        Command::Document(args) => commands::document::run(&mut ctx, args),
        Command::Link(args) => commands::link::run(&mut ctx, args),
        Command::Review(args) => commands::review::run(&mut ctx, args),
        Command::List(args) => commands::list::run(&mut ctx, args),
        Command::Search(args) => commands::search::run(&mut ctx, args),
        Command::Serve(args) => commands::serve::run(&mut ctx, args),
        Command::Domains(args) => commands::domains::run(&mut ctx, args),
        Command::Tags(args) => commands::tags::run(&mut ctx, args),
        Command::Members(args) => commands::members::run(&mut ctx, args),
        Command::Map(args) => commands::map::run(&mut ctx, args),
        Command::Who(args) => commands::who::run(&mut ctx, args),
        Command::Gaps(args) => commands::gaps::run(&mut ctx, args),
        Command::Stats(args) => commands::stats::run(&mut ctx, args),
        Command::Open(args) => commands::open::run(&mut ctx, args),
        Command::News(args) => commands::news::run(&mut ctx, args),
        Command::Whoami(args) => commands::whoami::run(&mut ctx, args),
        Command::Export(args) => commands::export::run(&mut ctx, args),
        Command::Import(args) => commands::import::run(&mut ctx, args),
        Command::Sync(args) => commands::sync::run(&mut ctx, args),
        Command::Remote(args) => commands::remote::run(&mut ctx, args),
        Command::GitSetup(args) => commands::git_setup::run(&mut ctx, args),
        Command::MergeDriver(args) => commands::merge_driver::run(&mut ctx, args),
        Command::Config(args) => commands::config::run(&mut ctx, args),
        Command::Version(args) => commands::version::run(&mut ctx, args),
        Command::Doctor(args) => commands::doctor::run(&mut ctx, args),
        Command::Backup(args) => commands::backup::run(&mut ctx, args),
        Command::ShellInit(args) => commands::shell_init::run(&mut ctx, args),
        Command::Completions(args) => commands::completions::run(&mut ctx, args),
        Command::Man(args) => commands::man::run(&mut ctx, args),
        Command::Pick(args) => commands::pick::run(&mut ctx, args),
        Command::Capture(args) => commands::capture::run(&mut ctx, args),
    }
}
