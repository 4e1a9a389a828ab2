//! `rep seen`: "hit this again", an occurrence of a problem or question.

use crate::context::Context;
use crate::model;
use crate::picker::{self, Wanted};
use crate::store::entries::{self, Scope};

/// Record that you hit a problem or question again
///
/// What keeps coming back is worth writing down once and for all: an entry with enough
/// occurrences from two or more members is recurring (config recurring.min_occurrences), and
/// `rep document ID` writes it up.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep seen 3f2a
  rep seen 3f2a -m \"again on the staging cluster after the upgrade\"")]
pub struct Args {
    /// The problem's or question's id or a unique prefix of it; on a terminal, leave it out to pick from a list
    pub id: Option<String>,

    /// What was different this time
    #[arg(short = 'm', long = "message", value_name = "NOTE")]
    pub note: Option<String>,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let note = args
        .note
        .as_deref()
        .map(|n| model::validate_field("note", n.trim()))
        .transpose()?
        .flatten();
    let id = picker::entry_id(ctx, args.id, Wanted::OPEN_ENDED)?;
    let seq = ctx
        .store()?
        .read(|c| entries::resolve(c, &id, Scope::Live))?;
    let seen = super::record_occurrence(ctx, seq, note.as_deref())?;
    if ctx.out.json {
        return ctx.out.json(&seen);
    }
    Ok(())
}
