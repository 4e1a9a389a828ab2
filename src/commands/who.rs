//! `rep who`: "has anyone dealt with this?" Members ranked by how much of their work matches.

use crate::context::Context;
use crate::expertise;
use crate::output::{Cell, Own, Untrusted};
use crate::search::fts_query;
use crate::store::analysis;
use crate::store::entries;

/// Find who has dealt with something
///
/// Ranks members by how much of their authored, answered and accepted work matches the words
/// (full-text, bm25), and shows the entries that make them relevant. Weights: accepted reply 4,
/// authored entry 3, reply 2, each times how well the entry matches.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep who vacuum bloat
  rep who 'certificate rotation' --json | jq -r '.[0].member'")]
pub struct Args {
    /// Words to look for
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,

    /// Show at most N members (0: all)
    #[arg(short = 'n', long, value_name = "N", default_value_t = 10, value_parser = crate::bounded::limit)]
    pub limit: usize,
}

/// How many matching entries and replies are looked at.
const DEPTH: usize = 200;

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let text = args.query.join(" ");
    let (ranked, short_ids) = match fts_query(&text) {
        Some(q) => ctx.store_for_reading()?.read(|c| {
            let mut work = analysis::matched_work(c, &q, DEPTH)?;
            // One member under every spelling and alias (crate::identity).
            let spellings = crate::store::member_spellings(c)?;
            for w in &mut work {
                w.member = spellings.display(&w.member);
            }
            let mut ranked = expertise::rank(&work);
            if args.limit > 0 {
                ranked.truncate(args.limit);
            }
            let ids = ranked
                .iter()
                .flat_map(|e| e.evidence.iter().map(|v| v.id.as_str()));
            let short_ids = entries::short_ids(c, ids)?;
            Ok((ranked, short_ids))
        })?,
        None => Default::default(),
    };
    if ctx.out.json {
        return ctx.out.json(&ranked);
    }
    if ranked.is_empty() {
        ctx.out.note(Own::new(format!(
            "nobody's work matches `{}` yet: `rep ask` puts the question to everyone",
            Untrusted(&text)
        )));
        return Ok(());
    }
    let mut table = ctx.out.table(&[
        "member", "score", "authored", "answered", "accepted", "evidence",
    ]);
    for e in &ranked {
        let evidence = e
            .evidence
            .iter()
            .map(|v| Cell::own(format!("{} {}", short_ids.of(&v.id), Untrusted(&v.title))));
        table.row([
            Untrusted(&e.member).into(),
            Cell::own(format!("{:.1}", e.score)),
            e.authored.into(),
            e.answered.into(),
            e.accepted.into(),
            Cell::lines(evidence),
        ]);
    }
    ctx.out.print_table(&table)
}
