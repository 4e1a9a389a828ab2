//! `rep search`: ranked full-text search.

use crate::commands::FilterArgs;
use crate::context::Context;
use crate::output::{plain_highlight, sanitize, sanitize_line};
use crate::search::fts_query;
use crate::store::entries;

/// Search entries, best match first
///
/// Every word must match (titles weigh most, then tags, commands, bodies); words match their
/// other forms (lock, locks, locking) and the last word also matches as a prefix. Anything you
/// type is a valid query; --raw takes SQLite FTS5 syntax instead (OR, NOT, "phrases", NEAR).
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep search vacuum bloat
  rep search 'pg_locks' --kind tool
  rep search --raw 'vacuum NOT full'
  rep search certificate --domain k8s --json | jq -r '.[0].id'")]
pub struct Args {
    /// Words to look for
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,

    /// Treat QUERY as SQLite FTS5 query syntax
    #[arg(long)]
    pub raw: bool,

    #[command(flatten)]
    pub filter: FilterArgs,

    /// Show at most N hits
    #[arg(short = 'n', long, value_name = "N", default_value_t = 20, value_parser = crate::bounded::limit)]
    pub limit: usize,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let text = args.query.join(" ");
    let filter = args.filter.to_filter(ctx)?;
    let query = if args.raw {
        Some(text.clone())
    } else {
        fts_query(&text)
    };
    // A search that did not run (no word, or --limit 0) is not a miss.
    let ran = query.is_some() && args.limit > 0;
    let mut hits = match query {
        Some(q) if ran => ctx
            .store_for_reading()?
            .read(|c| entries::search(c, &q, &filter, args.limit))?,
        _ => Vec::new(),
    };
    if ctx.out.json {
        for hit in &mut hits {
            hit.snippet = plain_highlight(&hit.snippet);
        }
        ctx.out.json(&hits)?;
    } else if !hits.is_empty() {
        let mut table = ctx.out.table(&["id", "kind", "domain", "title"]);
        for hit in &hits {
            let e = &hit.entry;
            let snippet = sanitize(&hit.snippet)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let title = sanitize_line(&e.title);
            let cell = if snippet.is_empty() || strip_marks(&snippet) == title {
                ctx.out.highlight(&title)
            } else {
                format!("{}\n{}", title, ctx.out.dim(&ctx.out.highlight(&snippet)))
            };
            table.add_row(vec![
                e.short_id.clone(),
                e.kind.clone(),
                sanitize_line(&e.domain),
                cell,
            ]);
        }
        ctx.out.page();
        ctx.out.print_table(&table)?;
    }
    if hits.is_empty() {
        if ran {
            record_miss(ctx, &text, filter.domain.as_deref())?;
        }
        ctx.out
            .note(&format!(
                "nothing matches `{}`: try fewer or other words, or write it down with `rep ask` or `rep add`",
                sanitize_line(&text)
            ));
    }
    Ok(())
}

/// Remember a search that found nothing (local only, unless turned off), for `rep gaps`.
pub fn record_miss(ctx: &mut Context, text: &str, domain: Option<&str>) -> anyhow::Result<()> {
    if !ctx.config.search.record_misses {
        return Ok(());
    }
    let Some(words) = crate::search::miss_key(text) else {
        return Ok(());
    };
    let now = ctx.now();
    let store = ctx.store_for_reading()?;
    if store.is_read_only() {
        // A read-only repertoire can be searched; it just cannot remember the miss.
        return Ok(());
    }
    store.write_local(|c| crate::store::analysis::record_miss(c, &words, domain.unwrap_or(""), now))
}

fn strip_marks(s: &str) -> String {
    s.replace(
        [crate::output::HIGHLIGHT_START, crate::output::HIGHLIGHT_END],
        "",
    )
}
