//! The home page: what is new this week, the open questions, recurring problems without a
//! write-up and the top gaps.

use maud::{Markup, html};

use super::{Links, Page, entry_link, kind_badge, when};
use crate::model::news::Item;
use crate::output::sanitize_line;
use crate::web::views::Home;

/// A news section: its first items (as many as the home lists) and how many it holds in all.
fn items_section(links: &Links, heading: &str, who: &str, items: &[Item], total: usize) -> Markup {
    html! {
        section {
            h3 { (heading) " " span.count { "(" (total) ")" } }
            @if items.is_empty() {
                p.empty { "Nothing this week." }
            } @else {
                ul.items {
                    @for item in items {
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
    let c = &home.news_counts;
    let body = html! {
        h1 { "The repertoire" }
        section aria-labelledby="new" {
            h2 #new { "New this week" }
            div.grid {
                (items_section(links, "New entries", "by", &n.entries, c.entries))
                (items_section(links, "New replies", "by", &n.replies, c.replies))
                (items_section(links, "Accepted answers", "accepted by", &n.accepted, c.accepted))
                (items_section(links, "Recurring this week", "last hit by", &n.recurring, c.recurring))
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
        section aria-labelledby="gaps" {
            h2 #gaps { "Gaps" }
            p {
                "Recurring problems without a write-up, the questions waiting longest, domains that rest on one member: "
                a href=(links.page("gaps")) { "every gap, ranked, with its evidence" } "."
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
