//! `rep map`: who knows what: domains × members, with each domain's figures.

use crate::context::Context;
use crate::map::{self, columns, max_score, row_scores};
use crate::model::community::Map;
use crate::output::{Cell, Own, Untrusted, sanitize_line};
use crate::rules::staleness::window_start;
use crate::timefmt;

/// Map who knows what
///
/// A heat map of domains (rows) × members (columns): each cell is the member's contribution
/// score in the domain (doc 5, accepted reply 4, entry 3, review 2, endorsement received 1)
/// since --since (default: the community window, config community.window_days). Then, per
/// domain: entries by kind, open and resolved questions, recurring problems, experts, core
/// members and the bus factor. --format dot or svg draws the map for a team page.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep map
  rep map --domain k8s --since 2026-01-01
  rep map --format svg > map.svg
  rep map --format dot | dot -Tpng > map.png")]
pub struct Args {
    /// Only this domain and its sub-domains
    #[arg(short, long, value_name = "DOMAIN")]
    pub domain: Option<String>,

    /// Count contributions since DATE (2026-01-31, RFC 3339, or an age: 90d, 12w)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,

    /// Output format
    #[arg(long, value_enum, default_value_t = MapFormat::Table)]
    pub format: MapFormat,

    /// Members shown as columns (the most contributing; the rest are summed as "others")
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = crate::bounded::columns)]
    pub columns: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MapFormat {
    /// A heat map and a table of domain figures
    Table,
    /// Graphviz: domains and members joined by their contribution
    Dot,
    /// A heat map as an SVG picture
    Svg,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let domain = super::domain_filter(args.domain.as_deref())?;
    let since = match &args.since {
        Some(s) => timefmt::parse_since(s, ctx.now())?,
        None => window_start(ctx.now(), ctx.config.community.window_days),
    };
    let map = ctx.map(&domain, since)?;
    if ctx.out.json {
        return ctx.out.json(&map);
    }
    match args.format {
        MapFormat::Dot => ctx.out.print(Own::new(map::dot(&map))),
        MapFormat::Svg => ctx.out.print(Own::new(map::svg(&map, args.columns))),
        MapFormat::Table => table(ctx, &map, args.columns),
    }
}

fn table(ctx: &Context, map: &Map, n: usize) -> anyhow::Result<()> {
    if map.domains.is_empty() {
        ctx.out
            .note("nothing to map yet: add entries with -d DOMAIN");
        return Ok(());
    }
    let (shown, others) = columns(map, n);
    let mut header: Vec<Cell> = vec!["domain".into()];
    header.extend(shown.iter().map(|m| Untrusted(m).into()));
    if others {
        header.push("others".into());
    }
    let mut heat = ctx.out.table_of(header);
    if ctx.out.color() {
        heat.enforce_styling();
    }
    let max = max_score(map);
    for d in &map.domains {
        let (cells, rest) = row_scores(d, &shown);
        let mut row: Vec<Cell> = vec![Untrusted(&d.facts.domain).into()];
        for score in cells.into_iter().chain(others.then_some(rest)) {
            let text = if score == 0 {
                "·".to_owned()
            } else {
                score.to_string()
            };
            let mut cell = Cell::own(text);
            if ctx.out.color() && score > 0 {
                // Five greens from light to dark (xterm 256 colours), by share of the maximum.
                let shades = [194u8, 157, 114, 71, 28];
                let level = ((score * 5 - 1) / max).min(4) as usize;
                cell = cell.shaded(shades[level], if level >= 3 { 15 } else { 0 });
            }
            row.push(cell);
        }
        heat.row(row);
    }
    // Member names are single words: the heat map wraps between them, never inside one
    // (fewer members with --members N make it narrower).
    ctx.out.fit(&mut heat, &[]);
    ctx.out.print_table(&heat)?;
    ctx.out.print("")?;
    let mut figures = ctx.out.table(&[
        "domain",
        "entries",
        "open",
        "resolved",
        "recurring",
        "bus factor",
        "experts",
        "core",
    ]);
    for d in &map.domains {
        let kinds: Vec<String> = d
            .facts
            .entries_by_kind
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        let list = |v: &[String]| {
            v.iter()
                .map(|m| sanitize_line(m))
                .collect::<Vec<_>>()
                .join(", ")
        };
        figures.row([
            Untrusted(&d.facts.domain).into(),
            Cell::own(kinds.join(", ")),
            d.facts.open_questions.into(),
            d.facts.resolved_questions.into(),
            d.facts.recurring.into(),
            d.people.bus_factor.into(),
            Cell::own(list(&d.people.experts)),
            Cell::own(list(&d.people.core)),
        ]);
    }
    // Narrow terminals lose the finer figures first; the domain and its core stay.
    ctx.out.fit(&mut figures, &[4, 3, 5, 1, 2, 6]);
    ctx.out.print_table(&figures)?;
    ctx.out.status(Own::new(format!(
        "contributions since {}",
        &map.since[..10]
    )));
    Ok(())
}
