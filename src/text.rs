//! Text made safe and counted, with no I/O: the one sanitiser that strips whatever could drive a
//! terminal from someone else's text, the search snippets' highlight markers, and counted
//! nouns. Pure, so that every layer (the replica's validation, the store's snippets, the
//! output) uses the same functions; `output` re-exports them.

/// Markers that search snippets put around a match; turned into colour or `**` on display.
pub const HIGHLIGHT_START: char = '\u{E000}';
pub const HIGHLIGHT_END: char = '\u{E001}';

/// `n` and its noun, singular for one: "1 reply", "3 replies", "0 members". Every count that
/// a sentence shows goes through here, so that none says "1 replies".
pub fn count<N: std::fmt::Display + PartialEq + From<u8>>(n: N, one: &str, many: &str) -> String {
    let word = if n == N::from(1) { one } else { many };
    format!("{n} {word}")
}

/// The word for `n` things: `one` when `n` is 1, else `many` ("time" or "times").
pub fn plural<'a, N: PartialEq + From<u8>>(n: N, one: &'a str, many: &'a str) -> &'a str {
    if n == N::from(1) { one } else { many }
}

/// Replace snippet markers with `**` for JSON output.
pub fn plain_highlight(snippet: &str) -> String {
    snippet.replace([HIGHLIGHT_START, HIGHLIGHT_END], "**")
}

/// Characters that draw nothing but change how the text around them reads or where it breaks:
/// bidirectional controls (U+061C, U+200E/U+200F, U+202A-U+202E, U+2066-U+2069), zero-width
/// characters (U+200B-U+200D, U+2060, U+FEFF), and the line and paragraph separators
/// U+2028/U+2029, which some terminals and shells treat as line breaks.
pub fn is_invisible_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}'
    )
}

/// Remove everything that could drive a terminal: escape sequences (CSI, OSC, DCS and the rest,
/// in 7-bit and 8-bit form), other control characters except newline and tab, and the
/// invisible characters of [`is_invisible_control`] that can make text read differently from
/// what it is.
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => match chars.next() {
                // CSI: parameters then one final byte in @..~
                Some('[') => skip_csi(&mut chars),
                // OSC, DCS, SOS, PM, APC: a string ended by BEL or ST (ESC \)
                Some(']' | 'P' | 'X' | '^' | '_') => skip_string(&mut chars),
                // two- or three-character sequences such as ESC ( B
                Some('(' | ')' | '*' | '+' | '#' | '%') => {
                    chars.next();
                }
                _ => {}
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            c if is_invisible_control(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// [`sanitize`] for a table cell or a single line: whitespace runs become one space.
pub fn sanitize_line(text: &str) -> String {
    sanitize(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\x07' | '\u{9c}' => break,
            '\x1b' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn strips_colour_title_and_clipboard_sequences() {
        assert_eq!(sanitize("a\x1b[31mred\x1b[0m"), "ared");
        assert_eq!(sanitize("x\x1b]0;pwned title\x07y"), "xy");
        assert_eq!(sanitize("x\x1b]52;c;ZXZpbA==\x1b\\y"), "xy");
        assert_eq!(sanitize("x\u{9b}2Jy"), "xy");
        assert_eq!(sanitize("bell\x07 nul\0 del\x7f"), "bell nul del");
    }

    #[test]
    fn strips_bidi_overrides_but_keeps_text() {
        assert_eq!(sanitize("abc\u{202e}fed"), "abcfed");
        assert_eq!(sanitize("héllo\n\tworld ✓"), "héllo\n\tworld ✓");
    }

    #[test]
    fn counts_agree_with_their_number() {
        assert_eq!(count(1u64, "reply", "replies"), "1 reply");
        assert_eq!(count(0u64, "reply", "replies"), "0 replies");
        assert_eq!(count(2u32, "time", "times"), "2 times");
    }

    #[test]
    fn line_form_collapses_whitespace() {
        assert_eq!(sanitize_line("a\n\n b\tc"), "a b c");
    }

    #[test]
    fn strips_zero_width_separators_and_every_bidi_control() {
        for c in [
            '\u{061c}', '\u{200b}', '\u{200c}', '\u{200d}', '\u{200e}', '\u{200f}', '\u{2028}',
            '\u{2029}', '\u{202a}', '\u{202e}', '\u{2060}', '\u{2066}', '\u{2069}', '\u{feff}',
        ] {
            assert_eq!(sanitize(&format!("a{c}b")), "ab", "U+{:04X}", c as u32);
        }
        assert_eq!(
            sanitize("مرحبا עברית"),
            "مرحبا עברית",
            "right-to-left text itself stays"
        );
    }

    /// The characters a terminal must never get from rep, listed here by hand rather than
    /// through the predicate under test.
    const NEVER_SHOWN: &[char] = &[
        '\u{061c}', '\u{200b}', '\u{200c}', '\u{200d}', '\u{200e}', '\u{200f}', '\u{2028}',
        '\u{2029}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2060}',
        '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{feff}',
    ];

    proptest! {
        #[test]
        fn output_never_holds_escape_or_control(
            s in "\\PC*|[\\x00-\\x7f\\u{80}-\\u{9f}]*|[a-z \\x1b\\x07\\u{9b}\\u{61c}\\u{200b}-\\u{200f}\\u{2028}-\\u{202e}\\u{2060}\\u{2066}-\\u{2069}\\u{feff}]*"
        ) {
            let clean = sanitize(&s);
            prop_assert!(!clean.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
            prop_assert!(!clean.chars().any(|c| NEVER_SHOWN.contains(&c)), "{:?}", clean);
        }

        #[test]
        fn sanitize_is_idempotent(s in "[\\x00-\\x7f\\u{80}-\\u{9f}a-zé\\u{200b}\\u{2028}\\u{202e}]*") {
            let once = sanitize(&s);
            prop_assert_eq!(sanitize(&once), once.clone());
        }
    }
}
