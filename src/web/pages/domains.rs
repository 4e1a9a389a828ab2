//! The list of domains, and one domain with its figures, newest entries and gaps.

use maud::html;

use super::{Links, Page, entry_list, gaps_table, names, shell_word};
use crate::model::Count;
use crate::output::sanitize_line;
use crate::web::views::DomainPage;

pub fn domains(links: &Links, counts: &[Count]) -> Page {
    let body = html! {
        h1 { "Domains" }
        @if counts.is_empty() {
            p.empty { "No domains yet." }
        } @else {
            ul.domains {
                @for c in counts {
                    li { a href=(links.domain(&c.name)) { (sanitize_line(&c.name)) } " " span.count { "(" (c.entries) ")" } }
                }
            }
        }
    };
    Page {
        title: "Domains".into(),
        command: "rep domains".into(),
        body,
        section: "domains",
        needs_index: false,
    }
}

pub fn domain(links: &Links, d: &DomainPage) -> Page {
    let body = html! {
        h1 { "Domain " (sanitize_line(&d.domain)) }
        @if let Some(f) = &d.figures {
            dl.facts {
                dt { "Entries" } dd { (f.facts.entries_by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect::<Vec<_>>().join(", ")) }
                dt { "Questions" } dd { (f.facts.open_questions) " open, " (f.facts.answered_questions) " answered, " (f.facts.resolved_questions) " resolved" }
                dt { "Recurring" } dd { (f.facts.recurring) }
                dt { "Bus factor" } dd { (f.people.bus_factor) }
                dt { "Experts" } dd { (names(&f.people.experts)) }
                dt { "Core" } dd { (names(&f.people.core)) }
            }
        }
        section aria-labelledby="entries" {
            h2 #entries { "Entries " span.count { "(" (d.total) ")" } }
            @if d.total as usize > d.entries.len() {
                p.meta { "The newest " (d.entries.len()) "; search or `rep list --domain` for the rest." }
            }
            (entry_list(links, &d.entries))
        }
        section aria-labelledby="domain-gaps" {
            h2 #domain-gaps { "Gaps" }
            @if d.gaps.is_empty() { p.empty { "No gaps found." } } @else { (gaps_table(links, &d.gaps, false)) }
        }
    };
    Page {
        title: format!("Domain {}", d.domain),
        command: format!("rep list --domain {}", shell_word(&d.domain)),
        body,
        section: "domains",
        needs_index: false,
    }
}
