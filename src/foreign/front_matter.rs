//! The small subset of YAML front matter that notes and cheat sheets use: `key: scalar`, quoted
//! scalars, `[a, b]` flow lists, `- item` block lists and `|`/`>` block scalars. Anything nested
//! deeper is skipped, since no field we import lives there. A full YAML parser would accept far
//! more than these files hold, and the well-known serde YAML crates are no longer maintained.

/// One front-matter value, as far as we read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Scalar(String),
    List(Vec<String>),
}

impl Value {
    /// The value as a list of words: a list as it is, a scalar split on commas and spaces
    /// (Obsidian accepts `tags: a, b` and `tags: a b`).
    pub fn words(&self) -> Vec<String> {
        match self {
            Value::List(items) => items.clone(),
            Value::Scalar(s) => s
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }

    pub fn as_scalar(&self) -> Option<&str> {
        match self {
            Value::Scalar(s) => Some(s),
            Value::List(_) => None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrontMatter {
    pairs: Vec<(String, Value)>,
}

impl FrontMatter {
    /// The value of a top-level key, whatever its case (`TiTLe`), as zk reads them; a repeated
    /// key keeps its last value, as YAML readers do.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }
}

/// Split `text` into its front matter (when it opens with a `---` line) and the rest.
pub fn split(text: &str) -> Result<(Option<FrontMatter>, &str), String> {
    let Some(after_open) = strip_fence_line(text, "---") else {
        return Ok((None, text));
    };
    let mut offset = 0;
    for line in after_open.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare.trim_end() == "---" || bare.trim_end() == "..." {
            let inner = &after_open[..offset];
            let rest = &after_open[offset + line.len()..];
            return Ok((Some(parse(inner)?), rest));
        }
        offset += line.len();
    }
    Err("the front matter opened by `---` is never closed".into())
}

fn strip_fence_line<'a>(text: &'a str, fence: &str) -> Option<&'a str> {
    let rest = text.strip_prefix(fence)?;
    let (line, after) = match rest.find('\n') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, ""),
    };
    line.trim().is_empty().then_some(after)
}

/// Parse the lines between the fences.
pub fn parse(inner: &str) -> Result<FrontMatter, String> {
    let lines: Vec<&str> = inner.lines().collect();
    let mut pairs = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let number = i + 1;
        i += 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if line.starts_with([' ', '\t']) || line.starts_with("- ") {
            // Belongs to a key whose value we skipped.
            continue;
        }
        let Some((key, rest)) = split_key(line) else {
            return Err(format!(
                "front matter line {number} is not `key: value`: {:?}",
                clip(line)
            ));
        };
        let rest = rest.trim();
        let value = if rest.is_empty() {
            let mut items = Vec::new();
            let mut nested = false;
            while i < lines.len() {
                let next = lines[i];
                let t = next.trim();
                if t.is_empty() || t.starts_with('#') {
                    i += 1;
                    continue;
                }
                if let Some(item) = t.strip_prefix("- ").or((t == "-").then_some(""))
                    && next.starts_with([' ', '\t', '-'])
                {
                    items.push(scalar(item.trim()).map_err(|e| at(i + 1, e))?);
                    i += 1;
                    continue;
                }
                if next.starts_with([' ', '\t']) {
                    nested = true;
                    i += 1;
                    continue;
                }
                break;
            }
            if nested && items.is_empty() {
                continue;
            }
            if items.is_empty() {
                Value::Scalar(String::new())
            } else {
                Value::List(items)
            }
        } else if rest.starts_with('[') {
            Value::List(flow_list(rest).map_err(|e| at(number, e))?)
        } else if rest.starts_with('{') {
            continue;
        } else if matches!(rest.chars().next(), Some('|' | '>')) {
            let folded = rest.starts_with('>');
            let mut block = Vec::new();
            while i < lines.len() && (lines[i].starts_with([' ', '\t']) || lines[i].is_empty()) {
                block.push(lines[i].trim());
                i += 1;
            }
            let joined = block.join(if folded { " " } else { "\n" });
            Value::Scalar(joined.trim().to_owned())
        } else {
            Value::Scalar(scalar(rest).map_err(|e| at(number, e))?)
        };
        pairs.push((key.to_owned(), value));
    }
    Ok(FrontMatter { pairs })
}

fn at(number: usize, e: String) -> String {
    format!("front matter line {number}: {e}")
}

fn clip(s: &str) -> String {
    s.chars().take(60).collect()
}

fn split_key(line: &str) -> Option<(&str, &str)> {
    let colon = line.find(':')?;
    let key = line[..colon].trim();
    let rest = &line[colon + 1..];
    let valid = !key.is_empty()
        && !key.contains(['"', '\'', '[', ']', '{', '}', '#'])
        && (rest.is_empty() || rest.starts_with([' ', '\t']));
    valid.then_some((key.trim_matches(['"', '\'']), rest))
}

/// A plain or quoted scalar, without a trailing ` # comment`.
fn scalar(text: &str) -> Result<String, String> {
    let text = text.trim();
    if let Some(inner) = text.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => return Ok(out),
                '\\' => match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(other) => out.push(other),
                    None => break,
                },
                c => out.push(c),
            }
        }
        return Err("a double-quoted value is never closed".into());
    }
    if let Some(inner) = text.strip_prefix('\'') {
        let mut out = String::new();
        let mut chars = inner.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\'' {
                if chars.peek() == Some(&'\'') {
                    chars.next();
                    out.push('\'');
                } else {
                    return Ok(out);
                }
            } else {
                out.push(c);
            }
        }
        return Err("a single-quoted value is never closed".into());
    }
    let plain = match text.find(" #") {
        Some(i) => &text[..i],
        None => text,
    };
    Ok(plain.trim().to_owned())
}

/// `[a, "b c", 'd']` on one line.
fn flow_list(text: &str) -> Result<Vec<String>, String> {
    let without_comment = match text.rfind(" #") {
        Some(i) if text[..i].trim_end().ends_with(']') => &text[..i],
        _ => text,
    };
    let inner = without_comment
        .trim()
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .ok_or("a `[` list is not closed by `]` on the same line")?;
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in inner.chars() {
        match (quote, c) {
            (None, '"' | '\'') => {
                quote = Some(c);
                current.push(c);
            }
            (Some(q), c) if c == q => {
                quote = None;
                current.push(c);
            }
            (None, ',') => {
                items.push(std::mem::take(&mut current));
            }
            (None, '[' | ']' | '{' | '}') => {
                return Err("nested lists or maps are not supported here".into());
            }
            _ => current.push(c),
        }
    }
    if quote.is_some() {
        return Err("a quoted list item is never closed".into());
    }
    items.push(current);
    let mut out = Vec::new();
    for item in items {
        let value = scalar(&item)?;
        if !value.is_empty() {
            out.push(value);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_scalars_and_both_list_forms() {
        let text = "---\ntitle: \"A: note\"\ntags: [vcs, 'dev ops', \"x\"]\nother:\n  - a\n  - b\nsyntax: bash # comment\nnested:\n  key: value\n---\nbody\n";
        let (fm, rest) = split(text).unwrap();
        let fm = fm.unwrap();
        assert_eq!(rest, "body\n");
        assert_eq!(fm.get("title").unwrap().as_scalar(), Some("A: note"));
        assert_eq!(
            fm.get("tags").unwrap(),
            &Value::List(vec!["vcs".into(), "dev ops".into(), "x".into()])
        );
        assert_eq!(
            fm.get("other").unwrap(),
            &Value::List(vec!["a".into(), "b".into()])
        );
        assert_eq!(fm.get("syntax").unwrap().as_scalar(), Some("bash"));
        assert!(fm.get("nested").is_none());
    }

    #[test]
    fn keys_are_read_whatever_their_case() {
        let (fm, _) = split("---\nTiTLe: x\ntAGs: [a]\n---\n").unwrap();
        let fm = fm.unwrap();
        assert_eq!(fm.get("title").unwrap().as_scalar(), Some("x"));
        assert_eq!(fm.get("tags").unwrap().words(), ["a"]);
    }

    #[test]
    fn block_list_at_the_key_indent() {
        let (fm, _) = split("---\ntags:\n- one\n- two\n---\n").unwrap();
        assert_eq!(fm.unwrap().get("tags").unwrap().words(), vec!["one", "two"]);
    }

    #[test]
    fn scalar_tags_split_on_commas_and_spaces() {
        let (fm, _) = split("---\ntags: a, b c\n---\n").unwrap();
        assert_eq!(fm.unwrap().get("tags").unwrap().words(), ["a", "b", "c"]);
    }

    #[test]
    fn no_front_matter_and_errors() {
        assert_eq!(split("# Title\n").unwrap().0, None);
        assert!(split("---\ntitle: x\n").is_err());
        assert!(split("---\ntags: [a, b\n---\n").is_err());
        assert!(split("---\njust text\n---\n").is_err());
        assert!(split("---\ntitle: \"open\n---\n").is_err());
    }

    #[test]
    fn crlf_is_accepted() {
        let (fm, rest) = split("---\r\ntitle: x\r\n---\r\nbody").unwrap();
        assert_eq!(fm.unwrap().get("title").unwrap().as_scalar(), Some("x"));
        assert_eq!(rest, "body");
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,200}", t in "(---\n)?([a-z]{1,4}: ?[\\[\\]'\"a-z, #|>-]{0,12}\n|  - [a-z'\"]{0,5}\n){0,8}(---\n)?.{0,20}") {
            let _ = split(&s);
            let _ = split(&t);
        }
    }
}
