//! `rep domains`: the domains in use, with entry counts.

use crate::context::Context;
use crate::output::sanitize_line;
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
    Rename(crate::commands::rename::Args),
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    if let Some(Action::Rename(rename)) = args.action {
        return crate::commands::rename::domain(ctx, rename);
    }
    let counts = ctx.store_for_reading()?.read(entries::domain_counts)?;
    print_counts(
        ctx,
        &counts,
        "domain",
        "no domains yet: entries get one with `rep add ... -d DOMAIN`",
    )
}

/// Shared by `domains` and `tags`.
pub fn print_counts(
    ctx: &Context,
    counts: &[crate::model::Count],
    what: &str,
    empty: &str,
) -> anyhow::Result<()> {
    if ctx.out.json {
        return ctx.out.json(counts);
    }
    if counts.is_empty() {
        ctx.out.note(empty);
        return Ok(());
    }
    let mut table = ctx.out.table(&[what, "entries"]);
    for c in counts {
        table.add_row(vec![sanitize_line(&c.name), c.entries.to_string()]);
    }
    ctx.out.print_table(&table)
}
