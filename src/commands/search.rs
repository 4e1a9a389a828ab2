//! `rep search`: ranked full-text search.

use crate::commands::FilterArgs;
use crate::context::Context;
use crate::output::{Cell, Own, Untrusted, plain_highlight, sanitize, sanitize_line};
use crate::store::{entries, ranking};

/// Search entries, best match first
///
/// An entry whose name or title is the query comes first, then those with every word in their
/// name or title, then anywhere (titles and tool names weigh most, then tags, commands,
/// bodies); the last word also matches as the start of a longer word, so results appear while
/// a word is still being typed; then other forms of the words (lock, locks, locking). A word
/// that matches nothing is corrected to the nearest word the repertoire holds, and the search
/// says so. Anything you type is a valid query; --raw takes SQLite FTS5 syntax instead (OR,
/// NOT, "phrases", NEAR).
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

    /// Show at most N hits (0: all)
    #[arg(short = 'n', long, value_name = "N", default_value_t = 20, value_parser = crate::bounded::limit)]
    pub limit: usize,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let text = args.query.join(" ");
    let mut filter = args.filter.to_filter(ctx)?;
    if filter.author.is_some() {
        ctx.store_for_reading()?
            .read(|c| filter.resolve_members(c))?;
    }
    let limit = (args.limit > 0).then_some(args.limit);
    // A search with no word to look for did not run, and is not a miss.
    let (mut hits, corrected, ran) = if args.raw {
        let hits = ctx
            .store_for_reading()?
            .read(|c| entries::search(c, &text, &filter, limit))?;
        (hits, None, true)
    } else if crate::search::Words::parse(&text).is_some() {
        let ranked = ctx
            .store_for_reading()?
            .read(|c| ranking::search(c, &text, &filter, limit))?;
        (ranked.hits, ranked.corrected, true)
    } else {
        (Vec::new(), None, false)
    };
    if let Some(correction) = &corrected {
        ctx.out.status(Own::new(format!(
            "showing results for \"{}\" (no match for \"{}\")",
            Untrusted(&correction.query),
            Untrusted(&correction.unmatched.join(" "))
        )));
        for hit in &mut hits {
            hit.corrected = Some(correction.query.clone());
        }
    }
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
                ctx.out.highlight(Own::new(&title)).to_string()
            } else {
                let snippet = ctx.out.dim(ctx.out.highlight(Own::new(&snippet)));
                format!("{title}\n{snippet}")
            };
            table.row([
                Cell::own(&e.short_id),
                Untrusted(&e.kind).into(),
                Untrusted(&e.domain).into(),
                // The title and snippet, sanitised above, with rep's own highlight.
                Cell::own(cell),
            ]);
        }
        ctx.out.page();
        ctx.out.print_table(&table)?;
    }
    if hits.is_empty() {
        // Found through a correction is found: only a search that found nothing is a miss.
        if ran {
            super::record_miss(ctx, &text, filter.domain.as_deref())?;
        }
        ctx.out
            .note(Own::new(format!(
                "nothing matches `{}`: try fewer or other words, or write it down with `rep ask` or `rep add`",
                Untrusted(&text)
            )));
    }
    Ok(())
}

fn strip_marks(s: &str) -> String {
    s.replace(
        [crate::output::HIGHLIGHT_START, crate::output::HIGHLIGHT_END],
        "",
    )
}
