//! `rep capture`: the plumbing under the shell's `rep-save`: a command line becomes a tool.

use super::parse_tags;
use crate::context::Context;
use crate::error::RepError;
use crate::model::{self, Kind};
use crate::picker;
use crate::store::entries::NewEntry;

/// Save a command line as a tool entry, asking for its title (for `rep shell-init`)
///
/// On a terminal, asks for the title (unless given) and the domain, pre-filled from -d, config
/// defaults.domain, or the name of the git repository of the current directory.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The command line to save (stored as text, never run)
    #[arg(long = "cmd", value_name = "CMD")]
    pub command: String,

    /// Domain [default: config defaults.domain, else the git repository's name, else general]
    #[arg(short, long, value_name = "DOMAIN", add = crate::completion::domains())]
    pub domain: Option<String>,

    /// A tag (repeat, or separate with commas)
    #[arg(short = 't', long = "tag", value_name = "TAG", value_delimiter = ',', add = crate::completion::tags())]
    pub tags: Vec<String>,

    /// The title; asked for on a terminal when left out
    #[arg(trailing_var_arg = true, value_name = "TITLE")]
    pub title: Vec<String>,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let command = args.command.trim();
    if command.is_empty() {
        return Err(RepError::usage("there is no command line to save")
            .with_hint("run a command first, then `rep-save`; or `rep add tool TITLE --cmd CMD`")
            .into());
    }
    let mut title = args.title.join(" ");
    let mut domain = args.domain.clone().unwrap_or_else(|| default_domain(ctx));
    if picker::interactive() {
        let shown = crate::output::Untrusted(command);
        crate::output::to_stderr(crate::output::Own::new(format!("saving: {shown}")));
        if title.trim().is_empty() {
            title = ask("title", "")?;
        }
        if args.domain.is_none() {
            domain = ask("domain", &domain)?;
        }
    }
    if title.trim().is_empty() {
        return Err(RepError::usage("the title is missing")
            .with_hint("give it after the command: `rep-save \"What this does\"`")
            .into());
    }
    // What `rep add tool TITLE -d DOMAIN -t TAG --cmd CMD` checks, in the same order.
    let new = NewEntry {
        kind: Kind::Tool,
        domain: model::normalize_domain(&domain)?,
        title: model::validate_title(&title)?,
        body: String::new(),
        tags: parse_tags(&args.tags)?,
        author: ctx.member()?,
        command: model::validate_field("command", command)?,
        link: None,
    };
    super::insert_and_report(ctx, &new)
}

fn ask(prompt: &str, initial: &str) -> anyhow::Result<String> {
    let answer: String = crate::picker::on_terminal(&dialoguer::console::Term::stderr(), |term| {
        dialoguer::Input::new()
            .with_prompt(prompt)
            .with_initial_text(initial)
            .allow_empty(true)
            .interact_text_on(term)
    })?;
    if answer.trim().is_empty() {
        return Err(
            RepError::user(format!("cancelled: no {prompt} given; nothing was written")).into(),
        );
    }
    Ok(answer.trim().to_owned())
}

/// config defaults.domain, else the git repository's name as a domain, else `general`.
fn default_domain(ctx: &Context) -> String {
    if ctx.config.defaults.domain.is_some() {
        return ctx.default_domain();
    }
    git_repository_name()
        .and_then(|name| model::normalize_domain(&slug(&name)).ok())
        .unwrap_or_else(|| ctx.default_domain())
}

fn git_repository_name() -> Option<String> {
    let top = String::from_utf8(crate::context::git_stdout(&[
        "rev-parse",
        "--show-toplevel",
    ])?)
    .ok()?;
    let name = std::path::Path::new(top.trim()).file_name()?.to_str()?;
    Some(name.to_owned())
}

/// A folder name as a domain segment: lowercase, other characters as '-'.
fn slug(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect::<String>()
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .to_owned()
}
