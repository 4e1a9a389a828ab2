//! `rep domains`: the domains in use, with entry counts.

use super::{Grouping, RenameArgs};
use crate::context::Context;
use crate::model;
use crate::rename;
use crate::store::entries;

/// List domains with their number of entries; rename one
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep domains
  rep domains --json | jq -r '.[] | select(.entries > 10) | .name'
  rep domains rename k8s kube --dry-run")]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Rename a domain and its sub-domains on every entry, as one edit that merges like any other
    ///
    /// `k8s` -> `kube` moves `k8s/networking` to `kube/networking`. Deleted entries move too, so
    /// that a restore finds the new name.
    #[command(after_help = "\
Examples:
  rep domains rename k8s kube --dry-run
  rep domains rename k8s kube
  rep domains rename k8s/networking k8s/net --json | jq -r '.entries[].to'")]
    Rename(RenameArgs),
}

/// What `rep domains` lists and renames.
const DOMAINS: Grouping = Grouping {
    what: "domain",
    counts: entries::domain_counts,
    empty: "no domains yet: entries get one with `rep add ... -d DOMAIN`",
    normalize: model::normalize_domain,
    rename: |ctx, old, new, dry_run| {
        let now = ctx.now();
        let member = ctx.member()?;
        rename::domain(ctx.store()?, old, new, dry_run, now, &member)
    },
};

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let rename = args.action.map(|Action::Rename(rename)| rename);
    super::list_or_rename(ctx, &DOMAINS, rename)
}
