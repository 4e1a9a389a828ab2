//! `rep tags`: the tags in use, most used first.

use super::{Grouping, RenameArgs};
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

/// What `rep tags` lists and renames.
const TAGS: Grouping = Grouping {
    what: "tag",
    counts: entries::tag_counts,
    empty: "no tags yet: add some with `rep add ... -t TAG` or `rep edit ID -t TAG`",
    normalize: model::normalize_tag,
    rename: |ctx, old, new, dry_run| {
        let now = ctx.now();
        rename::tag(ctx.store()?, old, new, dry_run, now)
    },
};

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let rename = args.action.map(|Action::Rename(rename)| rename);
    super::list_or_rename(ctx, &TAGS, rename)
}
