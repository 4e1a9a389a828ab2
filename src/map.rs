//! The map of who knows what (`rep map`, the web view's map page): domains × members with each
//! domain's figures, and the map drawn for Graphviz or as an SVG heat map.

use std::collections::BTreeMap;

use crate::gaps::domain_people;
use crate::model::community::{DomainMap, Map};
use crate::store::snapshot::Snapshot;
use crate::text::sanitize_line;
use crate::timefmt;

/// The map of `domain` ("" for all) since `since`, under the community's recurrence setting.
pub fn build(snap: &Snapshot, min_occurrences: u64, domain: &str, since: i64) -> Map {
    let (facts, contributions, active) = (
        snap.domain_facts(domain, min_occurrences, since),
        snap.contributions(domain, since),
        snap.active_members(since),
    );
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
    Map {
        since: timefmt::rfc3339(since),
        members: members.into_iter().map(|(m, _)| m.to_owned()).collect(),
        domains,
    }
}

/// The largest cell of the map (at least 1): what colours and line widths are scaled to.
pub fn max_score(map: &Map) -> u64 {
    map.domains
        .iter()
        .flat_map(|d| d.people.scores.values())
        .copied()
        .max()
        .unwrap_or(1)
        .max(1)
}

/// Column members: the top `n`, and whether an "others" column is needed.
pub fn columns(map: &Map, n: usize) -> (Vec<&str>, bool) {
    let shown: Vec<&str> = map
        .members
        .iter()
        .take(n.max(1))
        .map(String::as_str)
        .collect();
    (shown, map.members.len() > n.max(1))
}

pub fn row_scores(d: &DomainMap, shown: &[&str]) -> (Vec<u64>, u64) {
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
