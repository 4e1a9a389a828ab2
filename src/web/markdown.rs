//! Markdown bodies as HTML, with raw HTML shown as text and only safe links kept.
//! pulldown-cmark parses and escapes; this module decides what may become markup.

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};

use crate::output::sanitize;

/// The body as HTML: text escaped, raw HTML (blocks and inline) turned into text, links and
/// images kept only for `http`, `https`, `mailto` and relative targets (an image becomes a link
/// to it, so a page never loads anything from elsewhere), and control and bidi characters
/// removed first, as everywhere rep shows foreign text.
pub fn to_html(body: &str) -> String {
    let clean = sanitize(body);
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    // Per open link or image: whether its start was kept, so its end is kept or dropped too.
    let mut kept: Vec<bool> = Vec::new();
    let events = Parser::new_ext(&clean, options).filter_map(|event| match event {
        Event::Html(text) | Event::InlineHtml(text) => Some(Event::Text(text)),
        Event::Start(Tag::HtmlBlock) => Some(Event::Start(Tag::Paragraph)),
        Event::End(TagEnd::HtmlBlock) => Some(Event::End(TagEnd::Paragraph)),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let safe = is_safe_url(&dest_url);
            kept.push(safe);
            safe.then_some(Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }))
        }
        Event::Start(Tag::Image {
            dest_url, title, ..
        }) => {
            let safe = is_safe_url(&dest_url);
            kept.push(safe);
            safe.then_some(Event::Start(Tag::Link {
                link_type: LinkType::Inline,
                dest_url,
                title,
                id: CowStr::Borrowed(""),
            }))
        }
        Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => kept
            .pop()
            .unwrap_or(false)
            .then_some(Event::End(TagEnd::Link)),
        other => Some(other),
    });
    let mut out = String::with_capacity(clean.len() + clean.len() / 4);
    html::push_html(&mut out, events);
    out
}

/// Whether a link target may be a link: `http:`, `https:`, `mailto:` or relative (no scheme).
/// Anything else (`javascript:`, `data:`, `vbscript:`, a scheme hidden behind a tab or an
/// entity) stays text. A scheme is what comes before a `:` that precedes any `/`, `?` or `#`.
pub fn is_safe_url(url: &str) -> bool {
    let url = url.trim();
    let end = url.find(['/', '?', '#']).unwrap_or(url.len());
    match url[..end].find(':') {
        None => !url.chars().any(char::is_control),
        Some(colon) => {
            let scheme = url[..colon].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_text() {
        let html = to_html("hi <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{html}"
        );
    }

    #[test]
    fn only_safe_links_stay_links() {
        let html = to_html(
            "[a](javascript:alert(1)) [b](https://example.org/x) [c](JaVaScRiPt:alert(1)) \
             <javascript:alert(2)> [d](page.html) [e](data:text/html,x) [f](mailto:a@b.c) \
             ![g](http://tracker.example/p.png)",
        );
        // Shown as text, never as a target.
        assert!(!html.to_lowercase().contains("href=\"javascript"), "{html}");
        assert!(!html.contains("href=\"data:"), "{html}");
        assert!(
            html.contains("javascript:alert(2)"),
            "an autolink stays text: {html}"
        );
        assert!(
            html.contains("<a href=\"https://example.org/x\">b</a>"),
            "{html}"
        );
        assert!(html.contains("<a href=\"page.html\">d</a>"), "{html}");
        assert!(html.contains("<a href=\"mailto:a@b.c\">f</a>"), "{html}");
        assert!(!html.contains("<img"), "an image is only a link: {html}");
        assert!(html.contains(">g</a>"), "{html}");
    }

    #[test]
    fn schemes() {
        for ok in [
            "https://x",
            "http://x",
            "mailto:a@b",
            "a/b:c",
            "#top",
            "?q=a:b",
            "x.html",
        ] {
            assert!(is_safe_url(ok), "{ok}");
        }
        for bad in [
            "javascript:x",
            " javascript:x",
            "java\tscript:x",
            "data:x",
            "vbscript:x",
            "file:///etc",
        ] {
            assert!(!is_safe_url(bad), "{bad}");
        }
    }

    #[test]
    fn bidi_and_control_characters_are_removed() {
        let html = to_html("abc\u{202e}def\u{7}ghi");
        assert!(html.contains("abcdefghi"), "{html}");
    }
}
