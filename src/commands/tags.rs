//! `rep tags`: the tags in use, most used first.

use super::{RenameArgs, print_counts};
use crate::context::Context;
use crate::model;
use crate::rename;
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
    Rename(RenameArgs),
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    if let Some(Action::Rename(rename)) = args.action {
        return rename_tag(ctx, rename);
    }
    let counts = ctx.store_for_reading()?.read(entries::tag_counts)?;
    print_counts(
        ctx,
        &counts,
        "tag",
        "no tags yet: add some with `rep add ... -t TAG` or `rep edit ID -t TAG`",
    )
}

/// `rep tags rename`.
fn rename_tag(ctx: &mut Context, args: RenameArgs) -> anyhow::Result<()> {
    let old = model::normalize_tag(&args.old)?;
    let new = model::normalize_tag(&args.new)?;
    rename::refuse_same(&old, &new, "tag")?;
    let now = ctx.now();
    let renamed = rename::tag(ctx.store()?, &old, &new, args.dry_run, now)?;
    super::report_rename(ctx, "tag", &old, &new, args.dry_run, &renamed)
}
