//! `rep domains`: the domains in use, with entry counts.

use crate::context::Context;
use crate::output::sanitize_line;
use crate::store::entries;

/// List domains with their number of entries
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep domains
  rep domains --json | jq -r '.[] | select(.entries > 10) | .name'")]
pub struct Args {}

pub fn run(ctx: &mut Context, _args: Args) -> anyhow::Result<()> {
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
