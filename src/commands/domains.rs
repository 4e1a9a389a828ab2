//! `rep domains`: the domains in use, with entry counts.

use super::{RenameArgs, print_counts};
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

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    if let Some(Action::Rename(rename)) = args.action {
        return rename_domain(ctx, rename);
    }
    let counts = ctx.store_for_reading()?.read(entries::domain_counts)?;
    print_counts(
        ctx,
        &counts,
        "domain",
        "no domains yet: entries get one with `rep add ... -d DOMAIN`",
    )
}

/// `rep domains rename`.
fn rename_domain(ctx: &mut Context, args: RenameArgs) -> anyhow::Result<()> {
    let old = model::normalize_domain(&args.old)?;
    let new = model::normalize_domain(&args.new)?;
    rename::refuse_same(&old, &new, "domain")?;
    let now = ctx.now();
    let member = ctx.member()?;
    let renamed = rename::domain(ctx.store()?, &old, &new, args.dry_run, now, &member)?;
    super::report_rename(ctx, "domain", &old, &new, args.dry_run, &renamed)
}
