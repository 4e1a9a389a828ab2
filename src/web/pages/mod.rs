//! The pages, as maud templates: every `(expr)` is escaped by maud, so text written by others
//! can only ever be text. The one exception is a Markdown body, whose HTML comes from
//! markdown.rs, and the entry's links, whose targets are checked there too. This file holds the
//! layout every page shares and the fragments several pages use; each page (or group of pages)
//! has its own module.

mod community;
mod domains;
mod entry;
mod home;
mod links;
mod search;

use maud::{DOCTYPE, Markup, html};

use super::assets;
use crate::gaps::Gap;
use crate::model::Entry;
use crate::output::sanitize_line;

pub use community::{gaps, map, map_svg, members};
pub use domains::{domain, domains};
pub use entry::entry;
pub use home::home;
pub use links::{Links, shell_word};
pub use search::search;

/// One page: its title, the rep command that shows the same in a terminal, and its content.
pub struct Page {
    pub title: String,
    pub command: String,
    pub body: Markup,
    /// The nav item this page belongs to.
    pub section: &'static str,
    /// The static search page loads the search index.
    pub needs_index: bool,
}

const SECTIONS: [(&str, &str); 6] = [
    ("home", "Home"),
    ("search", "Search"),
    ("domains", "Domains"),
    ("members", "Members"),
    ("map", "Map"),
    ("gaps", "Gaps"),
];

pub fn layout(links: &Links, page: &Page) -> String {
    let href = |section: &str| match section {
        "home" => links.home(),
        other => links.page(other),
    };
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if links.static_site {
                    meta http-equiv="Content-Security-Policy" content=(assets::STATIC_CSP);
                }
                meta name="referrer" content="no-referrer";
                meta name="color-scheme" content="light dark";
                title { (sanitize_line(&page.title)) " · rep" }
                link rel="icon" href=(links.asset("icon.svg")) type="image/svg+xml";
                link rel="stylesheet" href=(links.asset("style.css"));
                @if page.needs_index {
                    script src=(links.asset("search-index.js")) defer {}
                }
                script src=(links.asset("app.js")) defer {}
            }
            body data-mode=(if links.static_site { "static" } else { "server" }) data-root=(links.root) {
                a.skip href="#main" { "Skip to content" }
                header.site {
                    nav aria-label="Sections" {
                        ul {
                            @for (section, label) in SECTIONS {
                                li {
                                    @if section == page.section {
                                        a href=(href(section)) aria-current="page" { (label) }
                                    } @else {
                                        a href=(href(section)) { (label) }
                                    }
                                }
                            }
                        }
                    }
                    @if page.section != "search" {
                        form.site-search role="search" action=(links.search()) method="get" {
                            label.visually-hidden for="site-q" { "Search the repertoire" }
                            input #site-q type="search" name="q" placeholder="Search";
                            button type="submit" { "Search" }
                        }
                    }
                }
                main #main tabindex="-1" {
                    (page.body)
                }
                footer.site {
                    p.command {
                        span { "In a terminal: " }
                        code #rep-command { (page.command) }
                        " "
                        button.copy type="button" data-copy="rep-command" hidden { "Copy" }
                    }
                }
            }
        }
    };
    markup.into_string()
}

/// A time as people read it: `2026-01-31 09:00:00`, in a `<time>` element.
fn when(rfc3339: &str) -> Markup {
    let shown = rfc3339.replacen('T', " ", 1);
    let shown = shown.trim_end_matches('Z');
    let shown = shown.split('.').next().unwrap_or(shown);
    html! { time datetime=(rfc3339) { (shown) } }
}

fn entry_link(links: &Links, id: &str, title: &str) -> Markup {
    html! { a href=(links.entry(id)) { (sanitize_line(title)) } }
}

fn kind_badge(kind: &str) -> Markup {
    html! { span.kind { (sanitize_line(kind)) } }
}

fn gaps_table(links: &Links, gaps: &[Gap], explain: bool) -> Markup {
    html! {
        div.table-wrap {
            table {
                thead { tr { th scope="col" { "score" } th scope="col" { "kind" } th scope="col" { "subject" } th scope="col" { "evidence" } th scope="col" { "to close it" } } }
                tbody {
                    @for g in gaps {
                        tr {
                            td.num { (g.score) }
                            td { (g.kind.as_str().replace('_', " ")) }
                            td {
                                @if let Some(id) = &g.id {
                                    (entry_link(links, id, &g.subject))
                                } @else {
                                    (sanitize_line(&g.subject))
                                }
                                @if let Some(d) = g.domain.as_ref().filter(|d| **d != g.subject) {
                                    " " a.domain href=(links.domain(d)) { "[" (sanitize_line(d)) "]" }
                                }
                            }
                            td {
                                (sanitize_line(&g.evidence))
                                @if explain {
                                    br;
                                    small.formula {
                                        "score = " (g.formula) " ("
                                        (g.inputs.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", "))
                                        ")"
                                    }
                                }
                            }
                            td { code { (sanitize_line(&g.command)) } }
                        }
                    }
                }
            }
        }
    }
}

fn entry_list(links: &Links, entries: &[Entry]) -> Markup {
    html! {
        ul.items {
            @for e in entries {
                li {
                    (kind_badge(&e.kind)) " " (entry_link(links, &e.id, &e.title))
                    span.meta { " by " (sanitize_line(&e.author)) ", " (when(&e.created_at)) }
                }
            }
        }
    }
}

fn names(list: &[String]) -> String {
    if list.is_empty() {
        "-".into()
    } else {
        list.iter()
            .map(|m| sanitize_line(m))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

pub fn not_found(what: &str) -> Page {
    Page {
        title: "Not found".into(),
        command: "rep search WORDS".into(),
        body: html! { h1 { "Not found" } p { (what) } },
        section: "",
        needs_index: false,
    }
}
