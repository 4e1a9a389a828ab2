//! An entry with its thread: status, replies with the accepted one first, links,
//! occurrences, review and history.

use maud::{Markup, PreEscaped, html};

use super::{Links, Page, entry_link, kind_badge, when};
use crate::model::{LinkDirection, LinkKind};
use crate::output::{sanitize, sanitize_line};
use crate::web::markdown;
use crate::web::views::EntryPage;

/// An entry's own link (a tool's documentation): a link only when its target is safe.
fn outside_link(url: &str) -> Markup {
    let shown = sanitize_line(url);
    html! {
        @if markdown::is_safe_url(url) {
            a href=(url) rel="noopener noreferrer nofollow" { (shown) }
        } @else {
            span.unsafe-link { (shown) }
        }
    }
}

pub fn entry(links: &Links, page: &EntryPage) -> Page {
    let t = &page.thread;
    let e = &t.entry;
    let body = html! {
        @for link in &t.links {
            @if link.makes_a_duplicate() {
                p.notice { "Duplicate of " (entry_link(links, &link.id, &link.title)) }
            } @else if link.kind == LinkKind::Supersedes && link.direction == LinkDirection::From {
                p.notice { "Superseded by " (entry_link(links, &link.id, &link.title)) }
            }
        }
        article.entry {
            header {
                h1 { (sanitize_line(&e.title)) }
                p.meta {
                    (kind_badge(&e.kind))
                    @if let Some(status) = t.status.filter(|_| !e.deleted) { " " span class={ "status status-" (status) } { (status) } }
                    @if e.deleted { " " span.status.status-deleted { "deleted" } }
                    " in " a href=(links.domain(&e.domain)) { (sanitize_line(&e.domain)) }
                    " · by " (sanitize_line(&e.author)) " · " (when(&e.created_at))
                    @if e.updated_at != e.created_at { " · changed " (when(&e.updated_at)) }
                }
                @if !e.tags.is_empty() {
                    ul.tags aria-label="Tags" { @for tag in &e.tags { li { (sanitize_line(tag)) } } }
                }
            }
            @if let Some(cmd) = &e.command {
                pre.command { code { (sanitize(cmd)) } }
            }
            @if let Some(url) = &e.link {
                p { "Link: " (outside_link(url)) }
            }
            div.body { (PreEscaped(markdown::to_html(&e.body))) }
            dl.facts {
                @if t.occurrences.count > 0 {
                    dt { "Seen" }
                    dd {
                        (crate::output::count(t.occurrences.count, "time", "times")) " by "
                        (crate::output::count(t.occurrences.members, "member", "members"))
                        @if let Some(last) = &t.occurrences.last_seen { ", last " (when(last)) }
                        @if t.recurring { @if t.documented { " (recurring, documented)" } @else { " (recurring, no write-up yet)" } }
                    }
                }
                @if t.helped > 0 { dt { "Helped" } dd { (crate::output::count(t.helped, "member", "members")) } }
                @if let (Some(at), Some(by)) = (&t.reviewed_at, &t.reviewed_by) {
                    dt { "Reviewed" } dd { (when(at)) " by " (sanitize_line(by)) }
                }
                @if t.stale { dt { "Stale" } dd { "past its review interval or superseded" } }
                @for link in &t.links {
                    @let label = match (link.kind, link.direction) {
                        (LinkKind::Duplicate, LinkDirection::To) => "duplicate of",
                        (LinkKind::Supersedes, LinkDirection::From) => "superseded by",
                        (LinkKind::Duplicate, _) => "duplicate",
                        (LinkKind::Supersedes, _) => "supersedes",
                        (LinkKind::Documents, LinkDirection::To) => "documents",
                        (LinkKind::Documents, _) => "write-up",
                        (LinkKind::Related, _) => "related",
                    };
                    dt { (label) } dd { (entry_link(links, &link.id, &link.title)) }
                }
            }
            @if !t.occurrences.notes.is_empty() {
                section aria-labelledby="occurrences" {
                    h2 #occurrences { "Occurrences" }
                    ul { @for note in &t.occurrences.notes { li { (sanitize_line(note)) } } }
                }
            }
        }
        section.replies aria-labelledby="replies" {
            h2 #replies { (crate::output::count(t.replies.len() as u64, "reply", "replies")) }
            @if t.replies.is_empty() && t.status == Some("open") && !e.deleted {
                p.empty { "No replies yet: " code { "rep answer " (e.short_id) } " to reply." }
            }
            @for r in &t.replies {
                article.reply.accepted[r.accepted] id={ "reply-" (r.short_id) } {
                    header {
                        strong { (sanitize_line(&r.author)) } " · " (when(&r.created_at))
                        @if r.helped > 0 { " · helped " (r.helped) }
                        @if r.accepted { " " span.status.status-accepted { "✓ accepted" } }
                    }
                    div.body { (PreEscaped(markdown::to_html(&r.body))) }
                }
            }
        }
        @if !page.history.is_empty() {
            details.history {
                summary { "History (" (page.history.len()) " changes)" }
                div.table-wrap {
                    table {
                        thead { tr { th scope="col" { "when" } th scope="col" { "who" } th scope="col" { "field" } th scope="col" { "value" } } }
                        tbody {
                            @for c in &page.history {
                                tr {
                                    td { @if let Some(at) = &c.at { (when(&crate::timefmt::rfc3339(i64::try_from(at.millis).unwrap_or(i64::MAX)))) } @else { (when(&e.created_at)) } }
                                    td { (sanitize_line(c.by.as_deref().unwrap_or(""))) }
                                    td { (c.field) @if c.current { " (current)" } }
                                    td { (short_line(c.value.as_deref().unwrap_or("(none)"), 120)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Page {
        title: e.title.clone(),
        command: format!("rep show {}", e.short_id),
        body,
        section: "",
        needs_index: false,
    }
}

/// [`short`] of [`sanitize_line`]: a past body can be long, and only its first `max`
/// characters are shown, so a prefix of it is cleaned when that is enough. The clean line of a
/// prefix is a prefix of the clean line of the whole (escape sequences, controls and whitespace
/// runs are dropped or shortened as they are read), so when it is already longer than `max`,
/// the text shown is the same.
fn short_line(text: &str, max: usize) -> String {
    let mut cut = text.len().min(max.saturating_mul(8));
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    if cut < text.len() {
        let head = sanitize_line(&text[..cut]);
        if head.chars().count() > max {
            return short(&head, max);
        }
    }
    short(&sanitize_line(text), max)
}

fn short(text: &str, max: usize) -> String {
    if text.chars().count() > max {
        text.chars().take(max - 1).collect::<String>() + "…"
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Text with escape sequences, controls, whitespace runs and wide characters, long
        /// enough to be cut: the prefix shortcut shows what cleaning the whole would.
        #[test]
        fn a_long_value_is_shortened_as_if_cleaned_whole(
            text in proptest::collection::vec(
                prop::sample::select(vec![
                    "a", "word ", "   ", "\n\t", "\x1b[31m", "\x1b]0;title\x07", "\x1b", "[",
                    "\u{9b}", "\u{202e}", "é", "漢字", "\x07", "\\", "m",
                ]),
                0..400,
            ).prop_map(|parts| parts.concat()),
            max in 1usize..40,
        ) {
            prop_assert_eq!(short_line(&text, max), short(&sanitize_line(&text), max));
        }
    }
}
