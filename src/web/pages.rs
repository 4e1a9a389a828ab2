//! The pages, as maud templates: every `(expr)` is escaped by maud, so text written by others
//! can only ever be text. The one exception is a Markdown body, whose HTML comes from
//! markdown.rs, and the entry's links, whose targets are checked there too.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::assets;
use super::markdown;
use super::views::{DomainPage, EntryPage, Found, Home};
use crate::gaps::Gap;
use crate::model::community::Map;
use crate::model::news::Item;
use crate::model::{Count, Entry, LinkDirection, LinkKind};
use crate::output::{HIGHLIGHT_END, HIGHLIGHT_START, sanitize, sanitize_line};
use crate::participation::MemberSummary;

/// Where pages link to: the server's paths, or the static export's relative files.
#[derive(Clone, Debug)]
pub struct Links {
    /// `/` on the server; `../` repeated to the export's top folder in a static page.
    root: String,
    static_site: bool,
}

impl Links {
    pub fn server() -> Links {
        Links {
            root: "/".into(),
            static_site: false,
        }
    }

    /// Links for the static page at `path` (relative to the export's folder, `/`-separated).
    pub fn static_page(path: &str) -> Links {
        Links {
            root: "../".repeat(path.matches('/').count()),
            static_site: true,
        }
    }

    fn page(&self, name: &str) -> String {
        if self.static_site {
            format!("{}{name}.html", self.root)
        } else {
            format!("{}{name}", self.root)
        }
    }

    pub fn home(&self) -> String {
        if self.static_site {
            format!("{}index.html", self.root)
        } else {
            self.root.clone()
        }
    }

    pub fn search(&self) -> String {
        self.page("search")
    }

    pub fn entry(&self, id: &str) -> String {
        self.page(&format!("entry/{}", url_segment(id)))
    }

    pub fn domain(&self, domain: &str) -> String {
        self.page(&format!("domain/{}", url_path(domain)))
    }

    fn asset(&self, name: &str) -> String {
        format!("{}assets/{name}", self.root)
    }

    fn map_svg(&self) -> String {
        format!("{}map.svg", self.root)
    }
}

/// Percent-encode everything but unreserved characters (RFC 3986) and, for a path, `/`.
fn encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && b == b'/')
        {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn url_segment(text: &str) -> String {
    encode(text, false)
}

pub fn url_path(text: &str) -> String {
    encode(text, true)
}

/// A word for a shell command line: quoted unless it is plainly safe.
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word.chars().all(|c| {
            c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':' | '@' | '+' | ',')
        });
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

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

fn items_section(links: &Links, heading: &str, who: &str, items: &[Item]) -> Markup {
    html! {
        section {
            h3 { (heading) " " span.count { "(" (items.len()) ")" } }
            @if items.is_empty() {
                p.empty { "Nothing this week." }
            } @else {
                ul.items {
                    @for item in items.iter().take(super::views::HOME_ITEMS) {
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
                                    td { (short(&sanitize_line(c.value.as_deref().unwrap_or("(none)")), 120)) }
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

fn short(text: &str, max: usize) -> String {
    if text.chars().count() > max {
        text.chars().take(max - 1).collect::<String>() + "…"
    } else {
        text.to_owned()
    }
}

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

pub fn not_found(what: &str) -> Page {
    Page {
        title: "Not found".into(),
        command: "rep search WORDS".into(),
        body: html! { h1 { "Not found" } p { (what) } },
        section: "",
        needs_index: false,
    }
}
