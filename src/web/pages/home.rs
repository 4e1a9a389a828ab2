//! The home page: what is new this week, the open questions, recurring problems without a
//! write-up and the top gaps.

use maud::{Markup, html};

use super::{Links, Page, entry_link, gaps_table, kind_badge, when};
use crate::model::news::Item;
use crate::output::sanitize_line;
use crate::web::views::Home;

fn items_section(links: &Links, heading: &str, who: &str, items: &[Item]) -> Markup {
    html! {
        section {
            h3 { (heading) " " span.count { "(" (items.len()) ")" } }
            @if items.is_empty() {
                p.empty { "Nothing this week." }
            } @else {
                ul.items {
                    @for item in items.iter().take(crate::web::views::HOME_ITEMS) {
                        li {
                            (kind_badge(&item.kind)) " "
                            (entry_link(links, &item.entry, &item.title))
                            @if let Some(n) = item.occurrences { " (seen " (n) " times)" }
                            span.meta { " " (who) " " (sanitize_line(&item.member)) ", " (when(&item.at)) }
                        }
                    }
                }
            }
        }
    }
}

pub fn home(links: &Links, home: &Home) -> Page {
    let n = &home.news;
    let body = html! {
        h1 { "The repertoire" }
        section aria-labelledby="new" {
            h2 #new { "New this week" }
            div.grid {
                (items_section(links, "New entries", "by", &n.entries))
                (items_section(links, "New replies", "by", &n.replies))
                (items_section(links, "Accepted answers", "accepted by", &n.accepted))
                (items_section(links, "Recurring this week", "last hit by", &n.recurring))
            }
        }
        section aria-labelledby="open" {
            h2 #open { "Open questions " span.count { "(" (home.open_total) ")" } }
            @if home.open_questions.is_empty() {
                p.empty { "No question is waiting." }
            } @else {
                ul.items {
                    @for q in &home.open_questions {
                        li {
                            (entry_link(links, &q.id, &q.title))
                            span.meta {
                                " in " a href=(links.domain(&q.domain)) { (sanitize_line(&q.domain)) }
                                ", asked by " (sanitize_line(&q.author)) ", "
                                (crate::output::count(q.replies, "reply", "replies"))
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="recurring" {
            h2 #recurring { "Recurring problems without a write-up" }
            @if home.recurring.is_empty() {
                p.empty { "None: every recurring problem is written up." }
            } @else {
                ul.items {
                    @for r in &home.recurring {
                        li {
                            (kind_badge(&r.kind)) " " (entry_link(links, &r.id, &r.title))
                            span.meta { " seen " (r.occurrences) " times by " (r.members) " members" }
                        }
                    }
                }
            }
        }
        section aria-labelledby="gaps" {
            h2 #gaps { "Top gaps" }
            @if home.gaps.is_empty() {
                p.empty { "No gaps found." }
            } @else {
                (gaps_table(links, &home.gaps, false))
                @if home.gaps_total > home.gaps.len() {
                    p { a href=(links.page("gaps")) { "All " (home.gaps_total) " gaps" } }
                }
            }
        }
    };
    Page {
        title: "Home".into(),
        command: "rep news --since 7d".into(),
        body,
        section: "home",
        needs_index: false,
    }
}
