//! `rep who`: "has anyone dealt with this?" Members ranked by how much of their work matches.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::context::Context;
use crate::output::sanitize_line;
use crate::search::fts_query;
use crate::store::analysis::{self, MatchedWork};
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

#[derive(Debug, Serialize)]
pub struct Expert {
    pub member: String,
    /// Sum over matching work of weight × relevance (relevance 0–1, best match 1).
    pub score: f64,
    pub authored: u64,
    pub answered: u64,
    pub accepted: u64,
    /// The matching entries, best first (at most 5).
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Serialize)]
pub struct Evidence {
    pub id: String,
    pub title: String,
    pub how: &'static str,
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
            let mut ranked = rank(&work);
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
        ctx.out.note(&format!(
            "nobody's work matches `{}` yet: `rep ask` puts the question to everyone",
            sanitize_line(&text)
        ));
        return Ok(());
    }
    let mut table = ctx.out.table(&[
        "member", "score", "authored", "answered", "accepted", "evidence",
    ]);
    for e in &ranked {
        let evidence: Vec<String> = e
            .evidence
            .iter()
            .map(|v| format!("{} {}", short_ids.of(&v.id), sanitize_line(&v.title)))
            .collect();
        table.add_row(vec![
            sanitize_line(&e.member),
            format!("{:.1}", e.score),
            e.authored.to_string(),
            e.answered.to_string(),
            e.accepted.to_string(),
            evidence.join("\n"),
        ]);
    }
    ctx.out.print_table(&table)
}

/// Score members from matching work: weight × relevance scaled to the best match.
pub fn rank(work: &[MatchedWork]) -> Vec<Expert> {
    let best = work.iter().map(|w| w.relevance).fold(f64::MIN, f64::max);
    let mut by_member: BTreeMap<&str, Expert> = BTreeMap::new();
    // Best matches first, so that each member's evidence is listed best first.
    let mut work: Vec<&MatchedWork> = work.iter().collect();
    work.sort_by(|a, b| b.relevance.total_cmp(&a.relevance));
    for w in work {
        let relevance = if best > 0.0 {
            (w.relevance / best).clamp(0.0, 1.0)
        } else {
            1.0
        };
        let e = by_member.entry(&w.member).or_insert_with(|| Expert {
            member: w.member.clone(),
            score: 0.0,
            authored: 0,
            answered: 0,
            accepted: 0,
            evidence: Vec::new(),
        });
        let weight = match w.how {
            "accepted" => {
                e.accepted += 1;
                4.0
            }
            "answered" => {
                e.answered += 1;
                2.0
            }
            _ => {
                e.authored += 1;
                3.0
            }
        };
        e.score += weight * relevance;
        if e.evidence.len() < 5 && !e.evidence.iter().any(|v| v.id == w.entry_id) {
            e.evidence.push(Evidence {
                id: w.entry_id.clone(),
                title: w.title.clone(),
                how: w.how,
            });
        }
    }
    let mut ranked: Vec<Expert> = by_member.into_values().collect();
    for e in &mut ranked {
        e.score = (e.score * 100.0).round() / 100.0;
    }
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.member.cmp(&b.member)));
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(member: &str, how: &'static str, id: &str, relevance: f64) -> MatchedWork {
        MatchedWork {
            member: member.into(),
            how,
            entry_id: id.into(),
            title: id.into(),
            relevance,
        }
    }

    #[test]
    fn accepted_answers_weigh_most() {
        let work = vec![
            w("ana", "authored", "e1", 10.0),
            w("bob", "accepted", "e1", 10.0),
            w("cy", "answered", "e2", 5.0),
        ];
        let ranked = rank(&work);
        let got: Vec<(&str, f64)> = ranked
            .iter()
            .map(|e| (e.member.as_str(), e.score))
            .collect();
        assert_eq!(got, [("bob", 4.0), ("ana", 3.0), ("cy", 1.0)]);
        assert_eq!(ranked[0].evidence[0].how, "accepted");
    }
}
