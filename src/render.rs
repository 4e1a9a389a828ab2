//! Markdown bodies made readable in a terminal: headings, lists, quotes, code blocks and inline
//! emphasis. The text is sanitised first, so the only escape sequences in the result are the
//! styles added here, and only when colour is on.

use crate::output::{paint, sanitize};

/// Render `markdown` for the terminal; with `color` off the result is plain text.
pub fn render(markdown: &str, color: bool) -> String {
    let text = sanitize(markdown);
    let mut out = String::new();
    let mut fence: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(open) = &fence {
            if trimmed.starts_with(open.as_str())
                && trimmed
                    .trim_matches(open.chars().next().unwrap_or('`'))
                    .trim()
                    .is_empty()
            {
                fence = None;
            } else {
                out.push_str(&format!("    {}\n", paint(color, "36", line)));
            }
            continue;
        }
        if let Some(marker) = fence_marker(trimmed) {
            fence = Some(marker);
            continue;
        }
        if let Some((level, title)) = heading(trimmed) {
            let title = inline(title, color);
            if color {
                let code = if level == 1 { "1;4" } else { "1" };
                out.push_str(&paint(true, code, &title));
            } else {
                out.push_str(&title);
                let rule = if level == 1 { '=' } else { '-' };
                out.push('\n');
                out.push_str(&rule.to_string().repeat(plain_width(&title)));
            }
            out.push('\n');
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('>') {
            let quoted = inline(rest.strip_prefix(' ').unwrap_or(rest), color);
            out.push_str(&format!("{} {}\n", paint(color, "2", "│"), quoted));
            continue;
        }
        let indent = &line[..line.len() - trimmed.len()];
        if let Some(item) = bullet(trimmed) {
            out.push_str(&format!(
                "{indent}{} {}\n",
                paint(color, "33", "•"),
                inline(item, color)
            ));
            continue;
        }
        if is_rule(trimmed) {
            out.push_str(&paint(color, "2", &"─".repeat(40)));
            out.push('\n');
            continue;
        }
        out.push_str(indent);
        out.push_str(&inline(trimmed, color));
        out.push('\n');
    }
    out.trim_end().to_owned()
}

/// "```" or "~~~" (three or more) opening a code block, as the marker that closes it.
fn fence_marker(line: &str) -> Option<String> {
    for c in ['`', '~'] {
        let n = line.chars().take_while(|&x| x == c).count();
        if n >= 3 {
            return Some(c.to_string().repeat(n));
        }
    }
    None
}

fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.chars().take_while(|&c| c == '#').count();
    if (1..=6).contains(&level) {
        let rest = &line[level..];
        if rest.is_empty() || rest.starts_with(' ') {
            return Some((level, rest.trim().trim_end_matches('#').trim_end()));
        }
    }
    None
}

fn bullet(line: &str) -> Option<&str> {
    for marker in ["- ", "* ", "+ "] {
        if let Some(item) = line.strip_prefix(marker) {
            return Some(item);
        }
    }
    None
}

fn is_rule(line: &str) -> bool {
    let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    compact.len() >= 3
        && ['-', '*', '_']
            .iter()
            .any(|&c| compact.chars().all(|x| x == c))
}

/// Inline code, strong and emphasis. Code spans are taken literally; unmatched markers stay.
fn inline(text: &str, color: bool) -> String {
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('`')
            && let Some(end) = after.find('`')
        {
            let code = &after[..end];
            if color {
                out.push_str(&paint(true, "36", code));
            } else {
                out.push('`');
                out.push_str(code);
                out.push('`');
            }
            rest = &after[end + 1..];
            continue;
        }
        if let Some((marker, code)) = [("**", "1"), ("__", "1"), ("*", "3"), ("_", "3")]
            .into_iter()
            .find(|(m, _)| rest.starts_with(m))
        {
            let after = &rest[marker.len()..];
            let word_start = after.chars().next().is_some_and(|c| !c.is_whitespace());
            // `_` inside a word (snake_case) is not emphasis.
            let inside_word = marker.starts_with('_')
                && out.chars().next_back().is_some_and(char::is_alphanumeric);
            if word_start
                && !inside_word
                && let Some(end) = after.find(marker)
                && end > 0
            {
                out.push_str(&paint(color, code, &inline(&after[..end], color)));
                rest = &after[end + marker.len()..];
                continue;
            }
        }
        let c = rest.chars().next().unwrap_or_default();
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn plain_width(text: &str) -> usize {
    text.chars().count().max(3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_rendering_keeps_the_words() {
        let md = "# Title\n\nSome **bold** and *em* and `code`.\n\n- one\n- two\n\n```sh\nls -l *.txt\n```";
        assert_eq!(
            render(md, false),
            "Title\n=====\n\nSome bold and em and `code`.\n\n• one\n• two\n\n    ls -l *.txt"
        );
    }

    #[test]
    fn snake_case_and_lone_stars_stay() {
        assert_eq!(render("a_b_c and 2 * 3 * 4", false), "a_b_c and 2 * 3 * 4");
    }

    #[test]
    fn escapes_in_the_text_never_pass() {
        let out = render("# \x1b]0;evil\x07Hi\n\x1b[31mred\x1b[0m `\x1b[2Jx`", true);
        assert!(!out.contains("\x1b]"), "{out:?}");
        assert!(
            !out.contains("\x1b[31m") && !out.contains("\x1b[2J"),
            "{out:?}"
        );
        assert!(out.contains("Hi") && out.contains("red"));
    }
}
