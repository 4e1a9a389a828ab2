//! The placeholders of a recalled command, the rules that find them, and the values navi would
//! suggest for them: pure text work, no terminal (see [`crate::recall`] for the prompts).
//!
//! Two styles are found, as their cheat sheets write them:
//! - navi: `<name>`, a `<`, then a letter, digit or `_`, then letters, digits, `_` or `-`, then
//!   `>`, with nothing else in between (no space) and no `\` before the `<`, as navi reads
//!   them (letters and digits of any script; the navi import finds variables by this rule). So `sort < file`,
//!   `a<b`, `cat <<EOF`, `2>&1` and `<(cmd)` are shell, not placeholders.
//! - tldr: `{{name}}`, two braces, one or more characters that are not a brace or a line break,
//!   two braces. `{{path/to/file}}` is a free-text placeholder named `path/to/file`;
//!   `{{[-r|--recursive]}}` offers its alternatives, `-r` and `--recursive`.
//!
//! Everything that is not a placeholder is kept byte for byte: filling every placeholder with
//! its own text gives the command back (proptested below).

use std::collections::HashMap;

/// A piece of a command: text kept as it is, or a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Slot(Slot<'a>),
}

/// One occurrence of a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot<'a> {
    /// As written, braces or angle brackets included: `<branch>`, `{{path}}`. Two occurrences
    /// with the same text are one placeholder, filled once.
    pub raw: &'a str,
    /// Without the brackets: `branch`, `path`, `[-r|--recursive]`.
    pub name: &'a str,
}

impl Slot<'_> {
    /// The choices of a tldr option placeholder (`{{[-r|--recursive]}}`), in their order;
    /// `None` for a free-text placeholder.
    pub fn alternatives(&self) -> Option<Vec<&str>> {
        let inner = self.name.strip_prefix('[')?.strip_suffix(']')?;
        let choices: Vec<&str> = inner.split('|').map(str::trim).collect();
        (choices.len() > 1 && choices.iter().all(|c| !c.is_empty())).then_some(choices)
    }

    /// Whether this is a navi placeholder, whose suggestions a `$ name:` line may give.
    pub fn is_navi(&self) -> bool {
        self.raw.starts_with('<')
    }
}

/// `text` cut into pieces at every placeholder (see the module's rules).
pub fn scan(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut text_from = 0;
    let mut at = 0;
    let bytes = text.as_bytes();
    while at < bytes.len() {
        let found = match bytes[at] {
            b'<' if at == 0 || bytes[at - 1] != b'\\' => navi_len(&text[at..]),
            b'{' => tldr_len(&text[at..]),
            _ => None,
        };
        match found {
            Some(len) => {
                if text_from < at {
                    pieces.push(Piece::Text(&text[text_from..at]));
                }
                let raw = &text[at..at + len];
                let name = if raw.starts_with('<') {
                    &raw[1..len - 1]
                } else {
                    &raw[2..len - 2]
                };
                pieces.push(Piece::Slot(Slot { raw, name }));
                at += len;
                text_from = at;
            }
            // Slices start only at a `<` or `{`, ASCII bytes, which are always the first byte
            // of a character: stepping one byte never splits one.
            None => at += 1,
        }
    }
    if text_from < text.len() {
        pieces.push(Piece::Text(&text[text_from..]));
    }
    pieces
}

/// The length of a navi placeholder at the start of `text`.
fn navi_len(text: &str) -> Option<usize> {
    let name = text.strip_prefix('<')?;
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let len: usize = name
        .chars()
        .take_while(|&c| word(c))
        .map(char::len_utf8)
        .sum();
    let starts_well = name.chars().next().is_some_and(|c| c != '-' && word(c));
    (starts_well && name[len..].starts_with('>')).then_some(len + 2)
}

/// The length of a tldr placeholder at the start of `text`.
fn tldr_len(text: &str) -> Option<usize> {
    let name = text.strip_prefix("{{")?;
    let len = name
        .bytes()
        .take_while(|&c| !matches!(c, b'{' | b'}' | b'\n' | b'\r'))
        .count();
    (len > 0 && name[len..].starts_with("}}")).then_some(len + 4)
}

/// The names of the navi placeholders of `text`, every occurrence, in order.
pub fn navi_names(text: &str) -> Vec<&str> {
    scan(text)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Slot(slot) if slot.is_navi() => Some(slot.name),
            _ => None,
        })
        .collect()
}

/// Each placeholder once, in the order it first appears.
pub fn distinct<'a>(pieces: &'a [Piece<'a>]) -> Vec<&'a Slot<'a>> {
    let mut out: Vec<&Slot> = Vec::new();
    for piece in pieces {
        if let Piece::Slot(slot) = piece
            && !out.iter().any(|s| s.raw == slot.raw)
        {
            out.push(slot);
        }
    }
    out
}

/// The command with each placeholder replaced by its value (by its raw text), inserted as
/// typed, without shell quoting (as navi does); a placeholder without a value stays.
pub fn fill(pieces: &[Piece<'_>], values: &HashMap<String, String>) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Slot(slot) => {
                out.push_str(values.get(slot.raw).map_or(slot.raw, String::as_str))
            }
        }
    }
    out
}

/// What an entry says about a navi placeholder's values: a `$ name: command --- options` line
/// of its body (what the navi import keeps there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The line's command, as written: shown, never run.
    pub command: String,
    /// The values it would print, when the command is a plain literal list that needs no
    /// shell to read (`echo -e "a\nb"`, `printf 'a\nb'`); `None` otherwise.
    pub values: Option<Vec<String>>,
}

/// The suggestions an entry's body holds, by placeholder name; the last line for a name wins,
/// as in navi.
pub fn suggestions(body: &str) -> HashMap<String, Suggestion> {
    let mut out = HashMap::new();
    for line in body.lines() {
        let Some(rest) = line.strip_prefix('$') else {
            continue;
        };
        let Some((name, generator)) = rest.split_once(':') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        let (command, options) = match generator.split_once("---") {
            Some((command, options)) => (command.trim(), options.trim()),
            None => (generator.trim(), ""),
        };
        if command.is_empty() {
            continue;
        }
        out.insert(
            name.to_owned(),
            Suggestion {
                command: command.to_owned(),
                values: literal_values(command, options),
            },
        );
    }
    out
}

/// The lines a suggestion command prints, when reading it needs no shell: `echo` (with `-e`
/// or `-n`) or `printf` of quoted or bare words, with no expansion, redirection, pipe, glob or
/// second command anywhere, and no finder options that change what is offered (`--column`,
/// `--map`, ...). navi offers each printed line; this does the same without running anything.
fn literal_values(command: &str, options: &str) -> Option<Vec<String>> {
    let plain_options = options
        .split_whitespace()
        .all(|o| matches!(o, "--multi" | "--prevent-extra" | "--expand"));
    if !plain_options
        || command.contains([
            '$', '`', '|', ';', '&', '<', '>', '(', ')', '*', '?', '[', '~', '%', '\n',
        ])
    {
        return None;
    }
    let words = shellwords::split(command).ok()?;
    let (program, args) = words.split_first()?;
    let (escapes, args) = match program.as_str() {
        "echo" => {
            let flags = args
                .iter()
                .take_while(|a| matches!(a.as_str(), "-e" | "-n" | "-E" | "-en" | "-ne"))
                .count();
            let escapes = args[..flags].iter().any(|f| f.contains('e'));
            (escapes, args[flags..].join(" "))
        }
        "printf" if args.len() == 1 => (true, args[0].clone()),
        _ => return None,
    };
    let text = if escapes { unescape(&args)? } else { args };
    let values: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    (!values.is_empty()).then_some(values)
}

/// `\n`, `\t` and `\\` as echo -e and printf read them; any other escape is not plain.
fn unescape(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            '\\' => out.push('\\'),
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn slots(text: &str) -> Vec<&str> {
        scan(text)
            .into_iter()
            .filter_map(|p| match p {
                Piece::Slot(s) => Some(s.raw),
                Piece::Text(_) => None,
            })
            .collect()
    }

    #[test]
    fn navi_and_tldr_placeholders_are_found() {
        assert_eq!(
            slots("git checkout <branch> && cp {{path/to/file}} <dest_dir-2>"),
            ["<branch>", "{{path/to/file}}", "<dest_dir-2>"]
        );
        assert_eq!(
            slots("rm {{[-r|--recursive]}} {{path}}"),
            ["{{[-r|--recursive]}}", "{{path}}"]
        );
    }

    #[test]
    fn shell_redirections_and_brackets_are_not_placeholders() {
        for text in [
            "sort < file",
            "a<b",
            "cmd <in >out",
            "cat <<EOF\nx\nEOF",
            "diff <(ls a) <(ls b)",
            "2>&1",
            "echo \\<name>",
            "<-x>",
            "<>",
            "{{}}",
            "{{a\nb}}",
            "{{ unclosed",
            "f() { { x; }; }",
            "Vec< T >",
        ] {
            assert_eq!(slots(text), Vec::<&str>::new(), "{text:?}");
        }
    }

    #[test]
    fn nested_and_unbalanced_braces_keep_the_innermost_placeholder() {
        assert_eq!(slots("{{{x}}}"), ["{{x}}"]);
        assert_eq!(slots("{{a{{b}}"), ["{{b}}"]);
        assert_eq!(slots("}}{{c}}{{"), ["{{c}}"]);
    }

    #[test]
    fn alternatives_come_from_option_placeholders_only() {
        let pieces = scan("ls {{[-a|--all]}} {{[x]}} {{path}}");
        let found = distinct(&pieces);
        assert_eq!(found[0].alternatives(), Some(vec!["-a", "--all"]));
        assert_eq!(found[1].alternatives(), None);
        assert_eq!(found[2].alternatives(), None);
    }

    #[test]
    fn one_value_fills_every_occurrence_as_typed() {
        let pieces = scan("cp <f> <f>.bak && echo {{x}}");
        assert_eq!(distinct(&pieces).len(), 2);
        let values = HashMap::from([("<f>".to_owned(), "my file's".to_owned())]);
        assert_eq!(
            fill(&pieces, &values),
            "cp my file's my file's.bak && echo {{x}}"
        );
    }

    #[test]
    fn literal_suggestions_are_offered_and_commands_are_only_shown() {
        let body = "% git\n$ branch: git branch | awk '{print $NF}'\n\
                    $ color: echo -e \"red\\ngreen\\nblue\"\n$ size: printf 'S\\nM' --- --prevent-extra\n\
                    $ plain: echo \"a b c\"\n$ mapped: echo -e 'false\\ntrue' --- --map 'grep -q t'\n\
                    $ home: echo $HOME\n";
        let s = suggestions(body);
        assert_eq!(s["branch"].command, "git branch | awk '{print $NF}'");
        assert_eq!(s["branch"].values, None);
        assert_eq!(
            s["color"].values.as_deref(),
            Some(&["red".into(), "green".into(), "blue".into()][..])
        );
        assert_eq!(
            s["size"].values.as_deref(),
            Some(&["S".into(), "M".into()][..])
        );
        assert_eq!(s["plain"].values.as_deref(), Some(&["a b c".into()][..]));
        assert_eq!(s["mapped"].values, None);
        assert_eq!(s["home"].values, None);
    }

    proptest! {
        /// Any text: no panic, and every placeholder filled with its own text gives it back.
        #[test]
        fn filling_each_placeholder_with_itself_gives_the_text_back(
            text in "([<>{}\\\\a-z_ \n-]|\\{\\{|\\}\\}|<[a-zé]{1,3}>|é|\\PC){0,40}"
        ) {
            let pieces = scan(&text);
            let values: HashMap<String, String> = distinct(&pieces)
                .iter()
                .map(|s| (s.raw.to_owned(), s.raw.to_owned()))
                .collect();
            prop_assert_eq!(fill(&pieces, &values), text.clone());
            prop_assert_eq!(fill(&pieces, &HashMap::new()), text);
        }

        #[test]
        fn any_text_scans_without_panicking(text in "\\PC{0,60}") {
            let pieces = scan(&text);
            for slot in distinct(&pieces) {
                let _ = slot.alternatives();
            }
            let _ = suggestions(&text);
        }
    }
}
