//! `rep gaps`: what the community is missing, ranked, each with the command that closes it.

use crate::context::Context;
use crate::gaps::Gap;
use crate::output::{Cell, Own, Untrusted, sanitize_line};

/// Find what the community is missing
///
/// Unanswered and unresolved questions, recurring problems without a write-up, domains that
/// rest on one person or have demand but no active expert, stale knowledge, searches that found
/// nothing, and thin domains (many questions, few stories, tools and docs). Each gap has a
/// score, its evidence and the command that would close it. Thresholds are config keys
/// (`rep config`); definitions are in docs/gaps.md; --explain shows every score's formula and
/// inputs.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep gaps
  rep gaps --domain postgres --explain
  rep gaps --json | jq -r '.[] | select(.kind == \"unanswered\") | .command'")]
pub struct Args {
    /// Only gaps in this domain and its sub-domains
    #[arg(short, long, value_name = "DOMAIN")]
    pub domain: Option<String>,

    /// Show the formula and the inputs behind each score
    #[arg(long)]
    pub explain: bool,

    /// Show at most N gaps (0: all)
    #[arg(short = 'n', long, value_name = "N", default_value_t = 25, value_parser = crate::bounded::limit)]
    pub limit: usize,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let domain = super::domain_filter(args.domain.as_deref())?;
    let (found, total) = ctx.gaps(&domain, args.limit)?;
    let shown: Vec<&Gap> = found.iter().collect();
    if ctx.out.json {
        return ctx.out.json(&shown);
    }
    if shown.is_empty() {
        ctx.out
            .note("no gaps found: questions are answered, problems written up, knowledge reviewed");
        return Ok(());
    }
    let mut table = ctx
        .out
        .table(&["score", "kind", "subject", "evidence", "to close it"]);
    for g in &shown {
        let mut evidence = sanitize_line(&g.evidence);
        if args.explain {
            let inputs: Vec<String> = g.inputs.iter().map(|(k, v)| format!("{k} {v}")).collect();
            evidence.push_str(&format!("\nscore = {} ({})", g.formula, inputs.join(", ")));
        }
        let subject = match &g.domain {
            Some(d) if *d != g.subject => {
                format!("{} [{}]", sanitize_line(&g.subject), sanitize_line(d))
            }
            _ => sanitize_line(&g.subject),
        };
        table.row([
            Cell::own(g.score.to_string()),
            Cell::own(g.kind.as_str().replace('_', " ")),
            // Both built of sanitised pieces above.
            Cell::own(subject),
            Cell::own(evidence),
            Untrusted(&g.command).into(),
        ]);
    }
    ctx.out.print_table(&table)?;
    if total > shown.len() {
        ctx.out.note(Own::new(format!(
            "{} more {}; --limit 0 shows all",
            total - shown.len(),
            crate::output::plural(total - shown.len(), "gap", "gaps")
        )));
    }
    Ok(())
}
