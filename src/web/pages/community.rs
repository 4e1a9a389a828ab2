//! The pages about the community as a whole: members, the map of who knows what, and gaps.

use maud::html;

use super::{Links, Page, gaps_table, names, when};
use crate::gaps::Gap;
use crate::model::community::Map;
use crate::output::sanitize_line;
use crate::participation::MemberSummary;

pub fn members(_links: &Links, members: &[MemberSummary]) -> Page {
    let body = html! {
        h1 { "Members" }
        p { "Counts are all-time; participation (core, active, peripheral) comes from the recent window." }
        @if members.is_empty() {
            p.empty { "No activity yet." }
        } @else {
            div.table-wrap {
                table {
                    thead { tr {
                        th scope="col" { "member" } th scope="col" { "entries" } th scope="col" { "replies" }
                        th scope="col" { "accepted" } th scope="col" { "docs" } th scope="col" { "seen" }
                        th scope="col" { "reviews" } th scope="col" { "helped" } th scope="col" { "last active" }
                        th scope="col" { "participation" }
                    } }
                    tbody {
                        @for m in members {
                            tr {
                                th scope="row" { (sanitize_line(&m.member)) }
                                td.num { (m.entries) } td.num { (m.replies) } td.num { (m.accepted_replies) }
                                td.num { (m.docs) } td.num { (m.occurrences) } td.num { (m.reviews) }
                                td.num { (m.endorsements_received) }
                                td { @if let Some(t) = &m.last_active { (when(t)) } }
                                td { (m.levels.iter().map(|l| format!("{}: {}", sanitize_line(&l.domain), l.level.name())).collect::<Vec<_>>().join(", ")) }
                            }
                        }
                    }
                }
            }
        }
    };
    Page {
        title: "Members".into(),
        command: "rep members".into(),
        body,
        section: "members",
        needs_index: false,
    }
}

pub fn map(links: &Links, map: &Map) -> Page {
    let since = map.since.get(..10).unwrap_or(&map.since);
    let body = html! {
        h1 { "Who knows what" }
        p { "Contributions since " (since) ": doc 5, accepted reply 4, entry 3, review 2, endorsement received 1." }
        @if map.domains.is_empty() {
            p.empty { "Nothing to map yet." }
        } @else {
            figure.map {
                img src=(links.map_svg()) alt={ "Heat map of contributions by domain and member since " (since) "; the table below has the same figures." };
            }
            div.table-wrap {
                table {
                    thead { tr {
                        th scope="col" { "domain" } th scope="col" { "entries" } th scope="col" { "open" }
                        th scope="col" { "resolved" } th scope="col" { "recurring" } th scope="col" { "bus factor" }
                        th scope="col" { "experts" } th scope="col" { "core" }
                    } }
                    tbody {
                        @for d in &map.domains {
                            tr {
                                th scope="row" { a href=(links.domain(&d.facts.domain)) { (sanitize_line(&d.facts.domain)) } }
                                td { (d.facts.entries_by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect::<Vec<_>>().join(", ")) }
                                td.num { (d.facts.open_questions) } td.num { (d.facts.resolved_questions) }
                                td.num { (d.facts.recurring) } td.num { (d.people.bus_factor) }
                                td { (names(&d.people.experts)) } td { (names(&d.people.core)) }
                            }
                        }
                    }
                }
            }
        }
    };
    Page {
        title: "Map".into(),
        command: "rep map".into(),
        body,
        section: "map",
        needs_index: false,
    }
}

/// The map's picture: `rep map --format svg`, served as an image (which runs no script).
pub fn map_svg(map: &Map) -> String {
    crate::map::svg(map, 8)
}

pub fn gaps(links: &Links, gaps: &[Gap]) -> Page {
    let body = html! {
        h1 { "Gaps" }
        p { "What the community is missing, ranked, each with its evidence and the command that would close it." }
        @if gaps.is_empty() { p.empty { "No gaps found." } } @else { (gaps_table(links, gaps, true)) }
    };
    Page {
        title: "Gaps".into(),
        command: "rep gaps --explain".into(),
        body,
        section: "gaps",
        needs_index: false,
    }
}
