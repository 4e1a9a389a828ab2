//! `rep tags`: the tags in use, most used first.

use crate::commands::domains::print_counts;
use crate::context::Context;
use crate::store::entries;

/// List tags with their number of entries, most used first
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep tags
  rep tags --json | jq -r '.[0].name'")]
pub struct Args {}

pub fn run(ctx: &mut Context, _args: Args) -> anyhow::Result<()> {
    let counts = ctx.store_for_reading()?.read(entries::tag_counts)?;
    print_counts(
        ctx,
        &counts,
        "tag",
        "no tags yet: add some with `rep add ... -t TAG` or `rep edit ID -t TAG`",
    )
}
