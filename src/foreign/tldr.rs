//! tldr pages: `# name`, `> description` lines, then `- what it does:` and `` `command` `` pairs.
//! A page becomes one tool whose body is the page without its heading, so writing it back out
//! as a page gives the same examples.

use super::{FileInfo, Found, Parsed, tag_from_name};
use crate::model::Entry;

/// Between the command name and the description in an entry's title.
pub const TITLE_SEPARATOR: &str = " — ";

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Page {
    pub name: String,
    pub description: Vec<String>,
    pub examples: Vec<Example>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The line after `- `, as written (usually ending in `:`).
    pub text: String,
    pub command: String,
}

/// Read a whole page, heading included.
pub fn parse_page(text: &str) -> Result<Page, String> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim_end()));
    let name = loop {
        match lines.next() {
            None => return Err("the page is empty".into()),
            Some((_, "")) => continue,
            Some((n, line)) => match line.strip_prefix("# ") {
                Some(name) if !name.trim().is_empty() => break name.trim().to_owned(),
                _ => {
                    return Err(format!("line {n}: a page starts with a `# name` heading"));
                }
            },
        }
    };
    let mut page = parse_rest(lines)?;
    page.name = name;
    Ok(page)
}

/// Read the part of a page after its heading (an imported entry's body).
pub fn parse_body(text: &str) -> Result<Page, String> {
    parse_rest(text.lines().enumerate().map(|(i, l)| (i + 1, l.trim_end())))
}

fn parse_rest<'a>(lines: impl Iterator<Item = (usize, &'a str)>) -> Result<Page, String> {
    let mut page = Page::default();
    let mut pending: Option<String> = None;
    for (n, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        if let Some(description) = line.strip_prefix('>') {
            if !page.examples.is_empty() || pending.is_some() {
                return Err(format!(
                    "line {n}: a `>` description line after the examples"
                ));
            }
            page.description.push(description.trim().to_owned());
        } else if let Some(text) = line.strip_prefix("- ") {
            if pending.is_some() {
                return Err(format!("line {n}: an example without a command before it"));
            }
            pending = Some(text.trim().to_owned());
        } else if line.len() >= 2 && line.starts_with('`') && line.ends_with('`') {
            let Some(text) = pending.take() else {
                return Err(format!("line {n}: a command without a `- ` description"));
            };
            page.examples.push(Example {
                text,
                command: line[1..line.len() - 1].to_owned(),
            });
        } else {
            return Err(format!(
                "line {n}: expected `> description`, `- example:` or a `command` in backticks"
            ));
        }
    }
    if pending.is_some() {
        return Err("the last example has no command".into());
    }
    Ok(page)
}

/// The page without its heading, in the canonical layout.
pub fn render_body(page: &Page) -> String {
    let mut out = String::new();
    for line in &page.description {
        out.push_str("> ");
        out.push_str(line);
        out.push('\n');
    }
    for example in &page.examples {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("- {}\n\n`{}`\n", example.text, example.command));
    }
    out
}

pub fn render_page(page: &Page) -> String {
    let body = render_body(page);
    if body.is_empty() {
        format!("# {}\n", page.name)
    } else {
        format!("# {}\n\n{body}", page.name)
    }
}

/// The first description line that says what the command is (not the "More information" line).
fn summary(page: &Page) -> Option<&str> {
    page.description
        .iter()
        .map(String::as_str)
        .find(|l| !l.is_empty() && !l.starts_with("More information"))
}

fn more_information(page: &Page) -> Option<String> {
    let line = page
        .description
        .iter()
        .find(|l| l.starts_with("More information"))?;
    let start = line.find('<')? + 1;
    let end = start + line[start..].find('>')?;
    let url = line[start..end].trim();
    (!url.is_empty() && !url.contains(char::is_whitespace)).then(|| url.to_owned())
}

pub fn parse_file(file: &FileInfo, text: &str) -> Result<Parsed, String> {
    let page = parse_page(text)?;
    let key = match &file.folder {
        Some(folder) => format!("tldr:{folder}/{}", file.stem()),
        None => format!("tldr:{}", file.stem()),
    };
    let title = match summary(&page) {
        Some(s) => format!("{}{TITLE_SEPARATOR}{s}", page.name),
        None => page.name.clone(),
    };
    let mut found = Found::tool(key, super::title_line(&title));
    found.body = render_body(&page);
    found.domain = file.folder.clone();
    found.command = page.examples.first().map(|e| e.command.clone());
    found.link = more_information(&page);
    let first_word = page.name.split_whitespace().next().unwrap_or_default();
    found.tags = [tag_from_name(first_word), tag_from_name(&page.name)]
        .into_iter()
        .flatten()
        .collect();
    found.tags.dedup();
    Ok(Parsed {
        found: vec![found],
        skipped: Vec::new(),
    })
}

/// A tool as a tldr page: its own page back when it came from one, else a page made of its
/// title, body and command.
pub fn page_of(entry: &Entry) -> Page {
    let (name, summary) = match entry.title.split_once(TITLE_SEPARATOR) {
        Some((name, summary)) => (name.trim(), Some(summary.trim())),
        None => (entry.title.trim(), None),
    };
    if let Ok(mut page) = parse_body(&entry.body)
        && (!page.examples.is_empty() || !page.description.is_empty())
    {
        page.name = name.to_owned();
        return page;
    }
    let mut page = Page {
        name: name.to_owned(),
        ..Page::default()
    };
    let described: Vec<String> = entry
        .body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(3)
        .map(str::to_owned)
        .collect();
    match summary {
        Some(s) => page.description.push(s.to_owned()),
        None if described.is_empty() => page.description.push(entry.title.trim().to_owned()),
        None => page.description.extend(described),
    }
    if let Some(link) = &entry.link {
        page.description
            .push(format!("More information: <{link}>."));
    }
    if let Some(command) = &entry.command {
        // A page holds one-line commands.
        page.examples.push(Example {
            text: format!("{}:", summary.unwrap_or(entry.title.trim())),
            command: command.lines().collect::<Vec<_>>().join(" "),
        });
    }
    page
}

/// A page's file name: the command name as tldr names files (lowercase, `-` for spaces).
pub fn file_stem(name: &str) -> String {
    let mut stem = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+' | '[' | ']' | '!') {
            stem.push(c);
        } else if c.is_whitespace() {
            stem.push('-');
        }
    }
    let mut collapsed = String::with_capacity(stem.len());
    for c in stem.chars() {
        if !(c == '-' && collapsed.ends_with('-')) {
            collapsed.push(c);
        }
    }
    let stem = collapsed.trim_matches(['-', '.']).to_owned();
    if stem.is_empty() {
        "page".to_owned()
    } else {
        stem
    }
}

/// Tools as a folder of pages: `<domain>/<name>.md`, a name used twice in a domain getting the
/// start of its id. Paths are built from validated domain segments and [`file_stem`] only.
pub fn site(entries: &[&Entry]) -> Vec<(std::path::PathBuf, String)> {
    let mut pages: Vec<(String, String, &Entry, Page)> = entries
        .iter()
        .map(|e| {
            let page = page_of(e);
            (e.domain.clone(), file_stem(&page.name), *e, page)
        })
        .collect();
    pages.sort_by(|a, b| (&a.0, &a.1, &a.2.id).cmp(&(&b.0, &b.1, &b.2.id)));
    let mut out = Vec::new();
    let mut previous: Option<(String, String)> = None;
    for (domain, stem, entry, page) in pages {
        let taken = previous.as_ref() == Some(&(domain.clone(), stem.clone()));
        let file = if taken {
            format!("{stem}-{}.md", &entry.id[..8.min(entry.id.len())])
        } else {
            format!("{stem}.md")
        };
        let mut path: std::path::PathBuf = domain.split('/').collect();
        path.push(file);
        out.push((path, render_page(&page)));
        previous = Some((domain, stem));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TAR: &str = "# tar\n\n> Archiving utility.\n> More information: <https://example.org/tar>.\n\n- [c]reate an archive:\n\n`tar cf {{target.tar}} {{file}}`\n\n- E[x]tract:\n\n`tar xf {{source.tar}}`\n";

    fn info(folder: Option<&str>) -> FileInfo {
        FileInfo {
            relative: "tar.md".into(),
            folder: folder.map(str::to_owned),
        }
    }

    #[test]
    fn a_page_becomes_a_tool() {
        let parsed = parse_file(&info(Some("common")), TAR).unwrap();
        let f = &parsed.found[0];
        assert_eq!(f.key, "tldr:common/tar");
        assert_eq!(f.title, "tar — Archiving utility.");
        assert_eq!(f.domain.as_deref(), Some("common"));
        assert_eq!(f.command.as_deref(), Some("tar cf {{target.tar}} {{file}}"));
        assert_eq!(f.link.as_deref(), Some("https://example.org/tar"));
        assert_eq!(f.tags, ["tar"]);
        assert!(f.body.contains("- E[x]tract:\n\n`tar xf {{source.tar}}`"));
        assert!(f.body.starts_with("> Archiving utility.\n"));
    }

    #[test]
    fn canonical_pages_round_trip() {
        let page = parse_page(TAR).unwrap();
        assert_eq!(render_page(&page), TAR);
        assert_eq!(
            parse_body(&render_body(&page)).unwrap().examples,
            page.examples
        );
    }

    #[test]
    fn malformed_pages_say_why() {
        assert!(parse_page("").unwrap_err().contains("empty"));
        assert!(parse_page("tar\n").unwrap_err().contains("heading"));
        assert!(
            parse_page("# x\n\n- a:\n")
                .unwrap_err()
                .contains("no command")
        );
        assert!(parse_page("# x\n\nhello\n").unwrap_err().contains("line 3"));
    }

    #[test]
    fn multi_word_names_give_two_tags() {
        let parsed = parse_file(&info(None), "# git commit\n\n> Commit.\n").unwrap();
        assert_eq!(parsed.found[0].tags, ["git", "git-commit"]);
        assert_eq!(parsed.found[0].key, "tldr:tar");
        assert_eq!(parsed.found[0].command, None);
    }

    #[test]
    fn any_tool_can_become_a_page() {
        let entry = Entry {
            id: "x".into(),
            short_id: "x".into(),
            kind: "tool".into(),
            title: "Find locks".into(),
            body: "Shows who waits.\n".into(),
            domain: "pg".into(),
            tags: vec![],
            author: "a".into(),
            command: Some("SELECT *\nFROM pg_locks".into()),
            link: None,
            created_at: String::new(),
            updated_at: String::new(),
            deleted: false,
        };
        let page = page_of(&entry);
        assert_eq!(
            render_page(&page),
            "# Find locks\n\n> Shows who waits.\n\n- Find locks:\n\n`SELECT * FROM pg_locks`\n"
        );
        assert_eq!(file_stem("ARK: Survival Ascended"), "ark-survival-ascended");
        assert_eq!(file_stem("../.."), "page");
        assert_eq!(file_stem("acme.sh --dns"), "acme.sh-dns");
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,300}", t in "(# [a-z ]{0,6}\n|> [a-z.]{0,8}\n|- [a-z:]{0,8}\n|`[a-z {}]{0,8}`\n|\n){0,12}") {
            let f = info(Some("common"));
            let _ = parse_file(&f, &s);
            if let Ok(p) = parse_page(&t) {
                prop_assert_eq!(parse_page(&render_page(&p)).unwrap(), p);
            }
        }
    }
}
