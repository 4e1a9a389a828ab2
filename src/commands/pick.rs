//! `rep pick`: the plumbing under the shell's Ctrl-G: choose a tool, print its command.

use crate::context::Context;
use crate::error::RepError;
use crate::output::{Own, Untrusted};
use crate::picker;
use crate::recall;
use crate::store::entries::{self, Scope};
use crate::store::picking::Offer;

/// Choose a tool in a list and print only its command (for `rep shell-init`)
///
/// Prints the command and nothing else on stdout, never runs it; prints nothing when the list
/// is cancelled. Placeholders in the command (navi's `<name>`, tldr's `{{name}}`) are asked
/// for first, each once, and filled in as typed; Esc there prints nothing too. Needs a terminal
/// on stdin and stderr.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Text to start the search with (the shell passes what is on the command line)
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "QUERY"
    )]
    pub query: Vec<String>,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    if !picker::interactive() {
        return Err(
            RepError::usage("`rep pick` needs a terminal to show its list")
                .with_hint(
                    "in scripts, use `rep search WORDS --kind tool --json | jq -r '.[0].command'`",
                )
                .into(),
        );
    }
    let offer = Offer {
        scope: Scope::Live,
        kinds: &["tool"],
        with_command: true,
    };
    let query = args.query.join(" ");
    let prompt = "tool (type to filter, Esc to cancel)";
    let Some(chosen) = picker::choose_entry(ctx, prompt, offer, query.trim())? else {
        return Ok(());
    };
    // The list leaves bodies out; the body holds a navi import's suggestion lines.
    let body = ctx.store_for_reading()?.read(|c| {
        let seq = entries::resolve(c, &chosen.id, Scope::Live)?;
        Ok(entries::load(c, seq)?.body)
    })?;
    let command = chosen.command.as_deref().unwrap_or_default();
    let Some(command) = recall::fill_on_terminal(command, &body)? else {
        return Ok(());
    };
    // Only the command: the shell puts these bytes on the prompt, so no escape may pass.
    ctx.out
        .print(Own::new(format!("{:#}", Untrusted(&command)).trim_end()))
}
