//! The search page: the plain form, and the hits with their highlighted snippets.

use maud::{Markup, html};

use super::{Links, Page, entry_link, kind_badge, shell_word};
use crate::output::{HIGHLIGHT_END, HIGHLIGHT_START, sanitize, sanitize_line};
use crate::web::views::Found;

/// A snippet with rep's highlight marks as `<mark>`.
fn snippet(text: &str) -> Markup {
    let clean = sanitize(text);
    let mut parts = Vec::new();
    let mut marked = false;
    for piece in clean.split([HIGHLIGHT_START, HIGHLIGHT_END]) {
        parts.push((
            piece.split_whitespace().collect::<Vec<_>>().join(" "),
            marked,
        ));
        marked = !marked;
    }
    html! {
        @for (piece, marked) in &parts {
            @if *marked { mark { (piece) } } @else { (piece) " " }
        }
    }
}

pub fn search(links: &Links, query: &str, found: Option<&Found>) -> Page {
    let words: Vec<String> = query.split_whitespace().map(shell_word).collect();
    let command = if words.is_empty() {
        "rep search WORDS".to_owned()
    } else {
        format!("rep search {}", words.join(" "))
    };
    let body = html! {
        h1 { "Search" }
        form.search role="search" action=(links.search()) method="get" {
            label for="q" { "Words to look for" }
            div.row {
                input #q type="search" name="q" value=(query) autocomplete="off" autofocus;
                button type="submit" { "Search" }
            }
        }
        p #search-status role="status" aria-live="polite" {
            @if let Some(found) = found {
                @if let Some(corrected) = &found.corrected {
                    "Showing results for “" (sanitize_line(corrected)) "”."
                } @else if found.hits.is_empty() && !query.trim().is_empty() {
                    "Nothing matches “" (sanitize_line(query)) "”."
                } @else if !query.trim().is_empty() {
                    (crate::output::count(found.hits.len() as u64, "result", "results"))
                }
            }
        }
        ol #results.results {
            @if let Some(found) = found {
                @for hit in &found.hits {
                    li {
                        (entry_link(links, &hit.entry.id, &hit.entry.title))
                        " " (kind_badge(&hit.entry.kind))
                        span.meta { " in " (sanitize_line(&hit.entry.domain)) }
                        @if !hit.snippet.is_empty() {
                            p.snippet { (snippet(&hit.snippet)) }
                        }
                    }
                }
            }
        }
        @if links.static_site {
            noscript { p { "Searching this static copy needs JavaScript; without it, browse by " a href=(links.page("domains")) { "domain" } "." } }
        }
    };
    Page {
        title: if query.trim().is_empty() {
            "Search".into()
        } else {
            format!("Search: {query}")
        },
        command,
        body,
        section: "search",
        needs_index: links.static_site,
    }
}
