//! `rep tags`: the tags in use, most used first.

use crate::commands::domains::print_counts;
use crate::context::Context;
use crate::store::entries;

/// List tags with their number of entries, most used first; rename one
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep tags
  rep tags --json | jq -r '.[0].name'
  rep tags rename postgresql postgres --dry-run
  rep tags rename postgresql postgres")]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Rename a tag on every entry that has it, as one edit that merges like any other
    #[command(after_help = "\
Examples:
  rep tags rename postgresql postgres --dry-run
  rep tags rename postgresql postgres --json | jq '.entries | length'")]
    Rename(crate::commands::rename::Args),
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    if let Some(Action::Rename(rename)) = args.action {
        return crate::commands::rename::tag(ctx, rename);
    }
    let counts = ctx.store_for_reading()?.read(entries::tag_counts)?;
    print_counts(
        ctx,
        &counts,
        "tag",
        "no tags yet: add some with `rep add ... -t TAG` or `rep edit ID -t TAG`",
    )
}
