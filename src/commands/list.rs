//! `rep list`: entries, newest first, filtered.

use crate::commands::{FilterArgs, print_entry_table};
use crate::context::Context;
use crate::output::Own;
use crate::rules::staleness;
use crate::store::entries::{self, Sort};

/// List entries
///
/// A domain filter includes its sub-domains: `-d k8s` lists k8s/networking too.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep list
  rep list --kind tool --domain postgres --tag locks
  rep list --author ana --since 2w --sort updated
  rep list --stale --domain postgres
  rep list --limit 0 --json | jq length")]
pub struct Args {
    #[command(flatten)]
    pub filter: FilterArgs,

    /// Show at most N entries (0: all)
    #[arg(short = 'n', long, value_name = "N", default_value_t = 50, value_parser = crate::bounded::limit)]
    pub limit: usize,

    /// Only stale entries: past their review interval, or superseded
    #[arg(long)]
    pub stale: bool,

    /// Order of the entries
    #[arg(long, value_enum, default_value_t = Sort::Created)]
    pub sort: Sort,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let mut filter = args.filter.to_filter(ctx)?;
    if args.stale {
        // The same definition as the stale gap of `rep gaps` (docs/gaps.md).
        let reviewed_before =
            staleness::reviewed_before(ctx.now(), ctx.config.review.interval_days);
        let window = staleness::window_start(ctx.now(), ctx.config.community.window_days);
        filter.stale = Some(ctx.store_for_reading()?.read(|c| {
            Ok(crate::store::snapshot::Snapshot::load(c)?.stale_seqs("", reviewed_before, window))
        })?);
    }
    // One more than asked tells whether there are more, without counting them all.
    let fetch = (args.limit > 0).then_some(args.limit + 1);
    let mut found = ctx.store_for_reading()?.read(|c| {
        filter.resolve_members(c)?;
        entries::list(c, &filter, args.sort, fetch)
    })?;
    let more = args.limit > 0 && found.len() > args.limit;
    found.truncate(if args.limit > 0 {
        args.limit
    } else {
        found.len()
    });
    if ctx.out.json {
        ctx.out.json(&found)?;
    } else if found.is_empty() {
        if args.filter.is_empty() && !args.stale {
            ctx.out
                .note("no entries yet: try `rep add tool \"A first trick\" --cmd \"...\"`");
        } else {
            ctx.out.note(
                "no entries match these filters: drop one, or try `rep search WORDS` across everything",
            );
        }
        return Ok(());
    } else {
        ctx.out.page();
        print_entry_table(&ctx.out, &found)?;
    }
    if more {
        ctx.out.note(Own::new(format!(
            "showing the first {}; use --limit N or --limit 0 for more",
            args.limit
        )));
    }
    Ok(())
}
