//! `rep map`: who knows what: domains × members, with each domain's figures.

use std::collections::BTreeMap;

use crate::context::Context;
use crate::gaps::domain_people;
use crate::model;
use crate::model::community::{DomainMap, Map};
use crate::output::{Cell, Untrusted, sanitize_line};
use crate::rules::staleness::window_start;
use crate::store::snapshot::Snapshot;
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

pub fn build(ctx: &mut Context, domain: &str, since: i64) -> anyhow::Result<Map> {
    let min = ctx.config.recurring.min_occurrences;
    let (facts, contributions, active) = ctx.store_for_reading()?.read(|c| {
        let snap = Snapshot::load(c)?;
        Ok((
            snap.domain_facts(domain, min, since),
            snap.contributions(domain, since),
            snap.active_members(since),
        ))
    })?;
    let mut people = domain_people(&contributions, &active);
    let mut totals: BTreeMap<&str, u64> = BTreeMap::new();
    for c in &contributions {
        *totals.entry(&c.member).or_default() += c.score;
    }
    let mut members: Vec<(&str, u64)> = totals.into_iter().collect();
    members.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let domains = facts
        .into_iter()
        .map(|f| {
            let p = people.remove(&f.domain).unwrap_or_default();
            DomainMap {
                facts: f,
                people: p,
            }
        })
        .collect();
    Ok(Map {
        since: timefmt::rfc3339(since),
        members: members.into_iter().map(|(m, _)| m.to_owned()).collect(),
        domains,
    })
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let domain = args
        .domain
        .as_deref()
        .map(model::normalize_domain)
        .transpose()?
        .unwrap_or_default();
    let since = match &args.since {
        Some(s) => timefmt::parse_since(s, ctx.now())?,
        None => window_start(ctx.now(), ctx.config.community.window_days),
    };
    let map = build(ctx, &domain, since)?;
    if ctx.out.json {
        return ctx.out.json(&map);
    }
    match args.format {
        MapFormat::Dot => ctx.out.print(&dot(&map)),
        MapFormat::Svg => ctx.out.print(&svg(&map, args.columns)),
        MapFormat::Table => table(ctx, &map, args.columns),
    }
}

/// The largest cell of the map (at least 1): what colours and line widths are scaled to.
fn max_score(map: &Map) -> u64 {
    map.domains
        .iter()
        .flat_map(|d| d.people.scores.values())
        .copied()
        .max()
        .unwrap_or(1)
        .max(1)
}

/// Column members: the top `n`, and whether an "others" column is needed.
fn columns(map: &Map, n: usize) -> (Vec<&str>, bool) {
    let shown: Vec<&str> = map
        .members
        .iter()
        .take(n.max(1))
        .map(String::as_str)
        .collect();
    (shown, map.members.len() > n.max(1))
}

fn row_scores(d: &DomainMap, shown: &[&str]) -> (Vec<u64>, u64) {
    let cells: Vec<u64> = shown
        .iter()
        .map(|m| d.people.scores.get(*m).copied().unwrap_or(0))
        .collect();
    let others: u64 = d
        .people
        .scores
        .iter()
        .filter(|(m, _)| !shown.contains(&m.as_str()))
        .map(|(_, s)| s)
        .sum();
    (cells, others)
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
    ctx.out
        .status(&format!("contributions since {}", &map.since[..10]));
    Ok(())
}

fn quoted(text: &str) -> String {
    let clean = sanitize_line(text);
    format!("\"{}\"", clean.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Graphviz: domains and members as nodes, an edge per contribution, thicker for more.
pub fn dot(map: &Map) -> String {
    let max = max_score(map) as f64;
    let mut out =
        String::from("graph repertoire {\n  rankdir=LR;\n  node [fontname=\"sans-serif\"];\n");
    for d in &map.domains {
        out.push_str(&format!(
            "  {} [label={}, shape=folder];\n",
            quoted(&format!("d:{}", d.facts.domain)),
            quoted(&format!(
                "{} (bus factor {})",
                d.facts.domain, d.people.bus_factor
            ))
        ));
    }
    for m in &map.members {
        out.push_str(&format!(
            "  {} [label={}, shape=ellipse];\n",
            quoted(&format!("m:{m}")),
            quoted(m)
        ));
    }
    for d in &map.domains {
        for (m, score) in &d.people.scores {
            out.push_str(&format!(
                "  {} -- {} [label=\"{score}\", penwidth={:.1}];\n",
                quoted(&format!("d:{}", d.facts.domain)),
                quoted(&format!("m:{m}")),
                1.0 + 5.0 * (*score as f64) / max
            ));
        }
    }
    out.push_str("}\n");
    out
}

fn xml(text: &str) -> String {
    sanitize_line(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The heat map as an SVG picture: no fonts or scripts loaded, only shapes and text.
pub fn svg(map: &Map, n: usize) -> String {
    let (shown, others) = columns(map, n);
    let mut names: Vec<String> = shown.iter().map(|m| m.to_string()).collect();
    if others {
        names.push("others".into());
    }
    let (label_w, cell_w, cell_h, head_h) = (180, 70, 26, 40);
    let width = label_w + cell_w * names.len() + 10;
    let height = head_h + cell_h * map.domains.len() + 10;
    let max = max_score(map);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <title>Who knows what, since {}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
        &map.since[..10]
    );
    for (i, name) in names.iter().enumerate() {
        let x = label_w + i * cell_w + cell_w / 2;
        out.push_str(&format!(
            "<text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>\n",
            head_h - 12,
            xml(name)
        ));
    }
    for (r, d) in map.domains.iter().enumerate() {
        let y = head_h + r * cell_h;
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n",
            label_w - 8,
            y + 17,
            xml(&d.facts.domain)
        ));
        let (cells, rest) = row_scores(d, &shown);
        for (i, score) in cells.into_iter().chain(others.then_some(rest)).enumerate() {
            let x = label_w + i * cell_w;
            let t = score as f64 / max as f64;
            // From a pale to a deep green as the share of the largest cell grows.
            let (r0, g0, b0) = (240.0, 247.0, 238.0);
            let (r1, g1, b1) = (27.0, 120.0, 55.0);
            let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
            let fill = if score == 0 {
                "#f5f5f5".to_owned()
            } else {
                format!("#{:02x}{:02x}{:02x}", mix(r0, r1), mix(g0, g1), mix(b0, b1))
            };
            let ink = if t > 0.5 { "white" } else { "black" };
            out.push_str(&format!(
                "<rect x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"white\"/>\n",
                cell_w, cell_h
            ));
            if score > 0 {
                out.push_str(&format!(
                    "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{ink}\">{score}</text>\n",
                    x + cell_w / 2,
                    y + 17
                ));
            }
        }
    }
    out.push_str("</svg>\n");
    out
}
