//! `rep helped`: "this helped me", once per member per entry or reply.

use crate::context::Context;
use crate::output::{Own, count};
use crate::picker::{self, Wanted};
use crate::recording;

/// Say that an entry or a reply helped you
///
/// One per member per record; counts are shown in `rep show` and break ties in search.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep helped 3f2a
  rep helped 9c1d        # a reply")]
pub struct Args {
    /// The id (or unique prefix) of an entry or a reply; on a terminal, leave it out to pick from a list
    pub id: Option<String>,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let typed = picker::entry_id(ctx, args.id, Wanted::LIVE)?;
    let member = ctx.member()?;
    let now = ctx.now();
    let shown = recording::endorsement(ctx.store()?, &typed, &member, now)?;
    if ctx.out.json {
        return ctx.out.json(&shown);
    }
    if shown.new {
        ctx.out.status(Own::new(format!(
            "noted: it helped {} so far",
            count(shown.helped, "member", "members")
        )));
    } else {
        ctx.out.status(Own::new(format!(
            "you had already said so ({} so far)",
            count(shown.helped, "member", "members")
        )));
    }
    Ok(())
}
