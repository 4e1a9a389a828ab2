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
        .find(|l| !l.is_empty() && more_information(l).is_none())
}

/// The address of a "More information" line, in any language: tldr writes it as a label, a
/// colon (`:`, ` :` in French, `：` in Chinese), the address in angle brackets and a full stop
/// of the script (`.`, `。`, `।`, or none in Thai). Known by that shape rather than by a list
/// of labels, so a language added upstream is read too.
fn more_information(line: &str) -> Option<String> {
    let line = line.trim();
    let close = line.rfind('>')?;
    let after = &line[close + 1..];
    if after.chars().count() > 1 || after.chars().any(|c| c.is_alphanumeric()) {
        return None;
    }
    let open = line[..close].rfind('<')?;
    let label = line[..open].trim_end();
    if !(label.ends_with(':') || label.ends_with('：')) {
        return None;
    }
    let url = line[open + 1..close].trim();
    let web = url.starts_with("https://") || url.starts_with("http://");
    (web && !url.contains(char::is_whitespace)).then(|| url.to_owned())
}

fn page_link(page: &Page) -> Option<String> {
    page.description.iter().find_map(|l| more_information(l))
}

/// The language of a page: from the nearest `pages.<lang>` folder above it; `None` for English
/// (`pages`, or no such folder).
pub fn language_of(file: &FileInfo) -> Option<String> {
    let folder = file
        .ancestors
        .iter()
        .rev()
        .find(|name| *name == "pages" || name.starts_with("pages."))?;
    let lang = folder.strip_prefix("pages.")?;
    let valid = !lang.is_empty()
        && lang.len() <= 16
        && lang
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    (valid && lang != "en").then(|| lang.to_owned())
}

/// Tags rep adds to a page so it can be written back where it came from. Tags travel through
/// the exchange format, `rep sync` and merges unchanged, so no new field or schema is needed.
pub const LANGUAGE_TAG: &str = "lang:";
/// Only on pages whose file name is not what their `# name` gives (`jc.json.md` for `# jc`,
/// `colon.md` for `# :`).
pub const PAGE_TAG: &str = "tldr-page:";

/// The key of a page: English pages keep the key they always had (`tldr:common/tar`), so ids
/// imported before do not change; a translation adds its folder (`tldr:pages.de/common/tar`).
fn page_key(lang: Option<&str>, platform: Option<&str>, stem: &str) -> String {
    let mut key = String::from("tldr:");
    if let Some(lang) = lang {
        key.push_str(&format!("pages.{lang}/"));
    }
    if let Some(platform) = platform {
        key.push_str(&format!("{platform}/"));
    }
    key.push_str(stem);
    key
}

pub fn parse_file(file: &FileInfo, text: &str) -> Result<Parsed, String> {
    let page = parse_page(text)?;
    let lang = language_of(file);
    let key = page_key(lang.as_deref(), file.folder.as_deref(), file.stem());
    let title = match summary(&page) {
        Some(s) => format!("{}{TITLE_SEPARATOR}{s}", page.name),
        None => page.name.clone(),
    };
    let mut found = Found::tool(key, super::title_line(&title));
    found.body = render_body(&page);
    found.domain = file.folder.clone();
    found.command = page.examples.first().map(|e| e.command.clone());
    found.link = page_link(&page);
    let first_word = page.name.split_whitespace().next().unwrap_or_default();
    found.tags = [tag_from_name(first_word), tag_from_name(&page.name)]
        .into_iter()
        .flatten()
        .collect();
    found.tags.dedup();
    if let Some(lang) = &lang {
        found
            .tags
            .push(format!("{LANGUAGE_TAG}{}", lang.to_lowercase()));
    }
    let stem = file.stem();
    let page_tag = format!("{PAGE_TAG}{}", encode_stem(stem));
    if file_stem(&page.name) != stem
        && safe_stem(stem)
        && crate::model::normalize_tag(&page_tag).is_ok_and(|t| t == page_tag)
    {
        found.tags.push(page_tag);
    }
    Ok(Parsed {
        found: vec![found],
        skipped: Vec::new(),
    })
}

/// A tool as a tldr page: its own page back when it came from one, else a page made of its
/// title, body and command that tldr-lint accepts, with every command it holds.
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
        name: lint_name(name),
        ..Page::default()
    };
    match summary {
        Some(s) => page.description.push(sentence(s, '.')),
        None => {
            let prose = prose_lines(&entry.body, entry.command.as_deref());
            if prose.is_empty() {
                page.description.push(sentence(entry.title.trim(), '.'));
            } else {
                page.description
                    .extend(prose.iter().take(3).map(|l| sentence(l, '.')));
            }
        }
    }
    if let Some(link) = &entry.link {
        page.description
            .push(format!("More information: <{link}>."));
    }
    let fallback = sentence(summary.unwrap_or(entry.title.trim()), ':');
    let sheet = sheet_examples(&entry.body, &fallback);
    if sheet.is_empty() {
        if let Some(command) = entry.command.as_deref().and_then(one_line) {
            page.examples.push(Example {
                text: fallback,
                command,
            });
        }
    } else {
        page.examples = sheet;
    }
    page
}

/// The text of a sheet held in a body: the body when it is one fenced code block (how rep keeps
/// a cheat sheet), else the body itself when it holds cheat-style `# comment` lines over
/// commands (sheets imported before they were fenced).
fn sheet_text(body: &str) -> Option<String> {
    if let Some(inner) = only_code_block(body) {
        return Some(inner);
    }
    let lines: Vec<&str> = body.lines().filter(|l| !l.trim().is_empty()).collect();
    let comments = lines.iter().filter(|l| l.starts_with('#')).count();
    let heading_like = lines
        .iter()
        .any(|l| l.starts_with("# ") && l.trim_end().ends_with(['.', '!', '?']));
    (comments > 0 && comments < lines.len() && !heading_like && lines[0].starts_with('#'))
        .then(|| body.to_owned())
}

/// The inside of a body that is exactly one fenced code block.
pub fn only_code_block(body: &str) -> Option<String> {
    let trimmed = body.trim_matches('\n');
    let first = trimmed.lines().next()?;
    let fence_len = first.chars().take_while(|c| *c == '`').count();
    if fence_len < 3 {
        return None;
    }
    let fence = &first[..fence_len];
    let rest = trimmed[first.len()..].strip_prefix('\n')?;
    let inner = rest.strip_suffix(fence)?;
    let inner = inner.strip_suffix('\n').unwrap_or(inner);
    if inner.lines().any(|l| l.trim_start().starts_with(fence)) {
        return None;
    }
    Some(inner.to_owned())
}

/// Each command of a sheet as an example, described by the `#` comment lines above it.
fn sheet_examples(body: &str, fallback: &str) -> Vec<Example> {
    let Some(text) = sheet_text(body) else {
        return Vec::new();
    };
    let mut examples = Vec::new();
    let mut comment: Vec<String> = Vec::new();
    let mut command = String::new();
    let mut after_command = false;
    let mut flush = |command: &mut String, comment: &[String]| {
        if let Some(line) = one_line(command) {
            let text = if comment.is_empty() {
                fallback.to_owned()
            } else {
                sentence(&comment.join(" "), ':')
            };
            examples.push(Example {
                text,
                command: line,
            });
        }
        command.clear();
    };
    for line in text.lines() {
        let trimmed = line.trim();
        if !command.is_empty() {
            command.push('\n');
            command.push_str(line);
            if trimmed.ends_with('\\') {
                continue;
            }
            flush(&mut command, &comment);
            continue;
        }
        if trimmed.is_empty() {
            comment.clear();
        } else if let Some(c) = trimmed.strip_prefix('#') {
            if after_command {
                comment.clear();
                after_command = false;
            }
            if !c.trim().is_empty() {
                comment.push(c.trim().to_owned());
            }
        } else {
            after_command = true;
            command.push_str(line);
            if !trimmed.ends_with('\\') {
                flush(&mut command, &comment);
            }
        }
    }
    flush(&mut command, &comment);
    examples
}

/// Body lines that read as prose: not a navi `$ var:` line, a `#` comment or heading, code,
/// or a line of the command.
fn prose_lines(body: &str, command: Option<&str>) -> Vec<String> {
    if sheet_text(body).is_some() {
        return Vec::new();
    }
    let command_lines: Vec<&str> = command
        .map(|c| c.lines().map(str::trim).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut in_fence = false;
    for line in body.lines() {
        let t = line.trim();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        let markup = ['$', '#', '%', ';', '@', '|', '<', '`'];
        if in_fence || t.is_empty() || t.starts_with(markup) || command_lines.contains(&t) {
            continue;
        }
        let t = t.trim_start_matches(['-', '*', '>', '+']).trim();
        if !t.is_empty() {
            out.push(t.to_owned());
        }
    }
    out
}

/// A command as the one line a tldr example holds: `\` continuations joined (the shell reads
/// `a \` + newline + `b` as `a b`), other lines joined by a space, backtick substitutions
/// written `$(...)` (tldr-lint cannot parse a backtick inside a command), tabs as spaces.
fn one_line(command: &str) -> Option<String> {
    let mut joined = String::new();
    for line in command.lines() {
        let piece = line.trim();
        if piece.is_empty() {
            continue;
        }
        let piece = piece.strip_suffix('\\').map_or(piece, str::trim_end);
        if !joined.is_empty() && !piece.is_empty() {
            joined.push(' ');
        }
        joined.push_str(piece);
    }
    let mut out = String::new();
    let mut open = false;
    let ticks = joined.matches('`').count();
    for c in joined.chars() {
        match c {
            '`' if ticks.is_multiple_of(2) => {
                out.push_str(if open { ")" } else { "$(" });
                open = !open;
            }
            '`' => out.push('\''),
            '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    let out = out.trim().to_owned();
    (!out.is_empty()).then_some(out)
}

/// A line as tldr-lint wants a description: a capital first letter and `end` (`.` for the
/// page's `>` lines, `:` for an example) in place of other closing punctuation.
fn sentence(text: &str, end: char) -> String {
    let text = text
        .trim()
        .trim_start_matches(['#', ' '])
        .trim_end_matches(['.', ':', ',', ';', '!', '?', ' ']);
    let text = text.replace('\t', " ");
    let text = stream_terms_in_backticks(&text);
    let mut chars = text.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Run".to_owned(),
    };
    out.push(end);
    out
}

/// `stdout`, `stdin`, `stderr` and `regex` as tldr writes them: lowercase, in backticks
/// (tldr-lint's TLDR112).
fn stream_terms_in_backticks(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            let core = word.trim_matches(|c: char| !c.is_alphanumeric());
            let lower = core.to_ascii_lowercase();
            let term = matches!(lower.as_str(), "stdout" | "stdin" | "stderr" | "regex");
            if term && !word.contains('`') {
                word.replacen(core, &format!("`{lower}`"), 1)
            } else {
                word.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A page name tldr-lint accepts (letters, digits and `_+[]{}()!%,^~$:><|?. -`), for pages
/// rep makes; a page that came from tldr keeps its own.
fn lint_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let allowed = c.is_ascii_alphanumeric() || "_+[]{}()!%,^~$:><|?. -".contains(c);
        out.push(if allowed { c } else { ' ' });
    }
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    let out = out.trim_end_matches('.').trim_end().to_owned();
    if out.is_empty() {
        "page".to_owned()
    } else {
        out
    }
}

/// Longest file stem rep makes from a title: far below the 255 bytes of a file name, so a long
/// valid title never stops an export.
const MAX_STEM_BYTES: usize = 100;

/// A page's file name: the command name as tldr names files (lowercase, `-` for spaces).
pub fn file_stem(name: &str) -> String {
    let mut stem = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+' | '[' | ']' | '!') {
            stem.push(c);
        } else if c.is_whitespace() {
            stem.push('-');
        }
        if stem.len() >= MAX_STEM_BYTES {
            break;
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

/// Whether a file stem from a tldr checkout can be written back as a file name here: one name
/// part (`.` is fine: it is written `..md`), no separator or control character, and short.
fn safe_stem(stem: &str) -> bool {
    !stem.is_empty()
        && stem.len() <= MAX_STEM_BYTES
        && !stem.contains(['/', '\\', '\0'])
        && !stem.chars().any(char::is_control)
}

/// A file stem as tag text: what a tag cannot hold (a comma, space, upper case, `%`) as `%XX`.
fn encode_stem(stem: &str) -> String {
    let mut out = String::new();
    for c in stem.chars() {
        if c == ',' || c == '%' || c.is_whitespace() || c.is_uppercase() {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn decode_stem(text: &str) -> Option<String> {
    let mut bytes = Vec::new();
    let mut rest = text.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'%' {
            let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(b);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

/// The folder of a page's language inside an export: English pages at the top, a translation
/// under `pages.<lang>/` as in the tldr repository (`lang:pt_br` gives `pages.pt_BR`).
fn language_folder(entry: &Entry) -> Option<String> {
    let lang = entry
        .tags
        .iter()
        .find_map(|t| t.strip_prefix(LANGUAGE_TAG))?;
    let valid = !lang.is_empty()
        && lang
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid {
        return None;
    }
    let code = match lang.split_once('_') {
        Some((language, region)) => format!("{language}_{}", region.to_uppercase()),
        None => lang.to_owned(),
    };
    Some(format!("pages.{code}"))
}

/// The file stem a page had in tldr, when rep kept it.
fn original_stem(entry: &Entry) -> Option<String> {
    entry
        .tags
        .iter()
        .find_map(|t| t.strip_prefix(PAGE_TAG))
        .and_then(decode_stem)
        .filter(|s| safe_stem(s))
}

/// The most examples a page holds (tldr-lint's TLDR019).
pub const MAX_EXAMPLES: usize = 8;

/// A page with more examples than tldr allows as several: `name.md`, `name-2.md`, ..., each
/// saying which part it is, so every command is kept.
fn split_page(stem: String, page: Page) -> Vec<(String, Page)> {
    if page.examples.len() <= MAX_EXAMPLES {
        return vec![(stem, page)];
    }
    let chunks: Vec<&[Example]> = page.examples.chunks(MAX_EXAMPLES).collect();
    let count = chunks.len();
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, examples)| {
            let n = i + 1;
            let mut description = page.description.clone();
            description.push(format!("Part {n} of {count}."));
            let part = Page {
                name: if n == 1 {
                    page.name.clone()
                } else {
                    format!("{} {n}", page.name)
                },
                description,
                examples: examples.to_vec(),
            };
            let part_stem = if n == 1 {
                stem.clone()
            } else {
                format!("{stem}-{n}")
            };
            (part_stem, part)
        })
        .collect()
}

/// Tools as a folder of pages: `<domain>/<name>.md` (translations under `pages.<lang>/`), each
/// imported page under its own file name. When two tools want one file, a page imported from
/// that very file keeps it and the other gets the start of its id. Paths are built from
/// validated domain segments and [`file_stem`] or a checked tldr file name only.
pub fn site(entries: &[&Entry]) -> Vec<(std::path::PathBuf, String)> {
    struct Planned<'a> {
        path: Vec<String>,
        stem: String,
        imported_here: bool,
        entry: &'a Entry,
        page: Page,
    }
    let mut planned: Vec<Planned<'_>> = entries
        .iter()
        .flat_map(|e| {
            let page = page_of(e);
            let stem = original_stem(e).unwrap_or_else(|| file_stem(&page.name));
            let lang = language_folder(e);
            let raw_lang = lang.as_deref().and_then(|l| l.strip_prefix("pages."));
            let imported_here =
                super::entry_id(&page_key(raw_lang, Some(&e.domain), &stem)) == e.id;
            let mut path: Vec<String> = lang.into_iter().collect();
            path.extend(e.domain.split('/').map(str::to_owned));
            // A page tldr wrote stays whole; one rep makes holds at most what tldr-lint allows.
            let parts = if imported_here {
                vec![(stem, page)]
            } else {
                split_page(stem, page)
            };
            parts.into_iter().map(move |(stem, page)| Planned {
                path: path.clone(),
                stem,
                imported_here,
                entry: e,
                page,
            })
        })
        .collect();
    planned.sort_by(|a, b| {
        (&a.path, &a.stem, !a.imported_here, &a.entry.id).cmp(&(
            &b.path,
            &b.stem,
            !b.imported_here,
            &b.entry.id,
        ))
    });
    let mut out = Vec::new();
    let mut previous: Option<(Vec<String>, String)> = None;
    for p in planned {
        let here = Some((p.path.clone(), p.stem.clone()));
        let file = if previous == here {
            format!("{}-{}.md", p.stem, &p.entry.id[..8.min(p.entry.id.len())])
        } else {
            format!("{}.md", p.stem)
        };
        let mut path: std::path::PathBuf = p.path.iter().collect();
        path.push(file);
        out.push((path, render_page(&p.page)));
        previous = here;
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
            ancestors: Vec::new(),
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
        // The file is `tar.md`, not what `# git commit` gives: the tag keeps its name.
        assert_eq!(parsed.found[0].tags, ["git", "git-commit", "tldr-page:tar"]);
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

    #[test]
    fn more_information_is_found_in_every_language() {
        for line in [
            "More information: <https://a.example/x>.",
            "Weitere Informationen: <https://a.example/x>.",
            "Plus d'informations : <https://a.example/x>.",
            "更多信息：<https://a.example/x>.",
            "もっと詳しく: <https://a.example/x>。",
            "अधिक जानकारी: <https://a.example/x>।",
            "ข้อมูลเพิ่มเติม: <https://a.example/x>",
        ] {
            assert_eq!(
                more_information(line).as_deref(),
                Some("https://a.example/x"),
                "{line}"
            );
        }
        assert_eq!(more_information("Compare <a> and <b>."), None);
        assert_eq!(
            more_information("See: <https://a.example/x> for more."),
            None
        );
    }

    #[test]
    fn the_language_comes_from_the_pages_folder() {
        let at = |ancestors: &[&str]| FileInfo {
            relative: "tar.md".into(),
            folder: ancestors.last().map(|s| (*s).to_owned()),
            ancestors: ancestors.iter().map(|s| (*s).to_owned()).collect(),
        };
        assert_eq!(
            language_of(&at(&["tldr", "pages.de", "common"])).as_deref(),
            Some("de")
        );
        assert_eq!(
            language_of(&at(&["pages.pt_BR", "linux"])).as_deref(),
            Some("pt_BR")
        );
        assert_eq!(language_of(&at(&["tldr", "pages", "common"])), None);
        assert_eq!(
            language_of(&at(&["pages.de", "pages", "common"])),
            None,
            "nearest wins"
        );
        assert_eq!(language_of(&at(&["notes"])), None);
        let parsed = parse_file(&at(&["pages.zh_TW", "common"]), TAR).unwrap();
        assert_eq!(parsed.found[0].key, "tldr:pages.zh_TW/common/tar");
        assert_eq!(parsed.found[0].tags, ["tar", "lang:zh_tw"]);
    }

    fn tool(title: &str, body: &str, command: Option<&str>) -> Entry {
        Entry {
            id: "0123456789".into(),
            short_id: "0123".into(),
            kind: "tool".into(),
            title: title.into(),
            body: body.into(),
            domain: "ops".into(),
            tags: vec![],
            author: "a".into(),
            command: command.map(str::to_owned),
            link: None,
            created_at: String::new(),
            updated_at: String::new(),
            deleted: false,
        }
    }

    #[test]
    fn continuations_stay_valid_shell_and_backticks_become_substitutions() {
        let page = page_of(&tool(
            "Show log",
            "",
            Some("git log \\\n  --oneline \\\n  -n 3"),
        ));
        assert_eq!(page.examples[0].command, "git log --oneline -n 3");
        let page = page_of(&tool("Stamp", "", Some("echo `date +%F` done")));
        assert_eq!(page.examples[0].command, "echo $(date +%F) done");
    }

    #[test]
    fn navi_variables_and_comments_are_not_descriptions() {
        let page = page_of(&tool(
            "Change branch",
            "$ branch: git branch | awk '{print $NF}'\n",
            Some("git checkout <branch>"),
        ));
        assert_eq!(page.description, ["Change branch."]);
        assert_eq!(page.examples[0].text, "Change branch:");
    }

    #[test]
    fn a_sheet_keeps_every_command_under_its_comment() {
        let body = "```bash\n# To extract an archive:\ntar -xvf foo.tar\n\n# To create one\n# from a folder:\ntar -cvf foo.tar \\\n  bar/\ntar -czvf foo.tgz bar/\n```\n";
        let page = page_of(&tool("personal/tar", body, Some("tar -xvf foo.tar")));
        let got: Vec<(&str, &str)> = page
            .examples
            .iter()
            .map(|e| (e.text.as_str(), e.command.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("To extract an archive:", "tar -xvf foo.tar"),
                ("To create one from a folder:", "tar -cvf foo.tar bar/"),
                ("To create one from a folder:", "tar -czvf foo.tgz bar/"),
            ]
        );
        assert_eq!(page.description, ["Personal/tar."]);
        assert_eq!(page.name, "personal/tar".replace('/', " "));
    }

    #[test]
    fn a_long_sheet_is_split_into_pages_tldr_lint_accepts() {
        let body: String = (1..=19)
            .map(|i| format!("# To run step {i}:\nstep {i}\n\n"))
            .collect();
        let entry = tool("steps", &format!("```\n{body}```\n"), Some("step 1"));
        let site = site(&[&entry]);
        let names: Vec<String> = site.iter().map(|(p, _)| p.display().to_string()).collect();
        assert_eq!(names, ["ops/steps.md", "ops/steps-2.md", "ops/steps-3.md"]);
        let pages: Vec<Page> = site.iter().map(|(_, t)| parse_page(t).unwrap()).collect();
        let counts: Vec<usize> = pages.iter().map(|p| p.examples.len()).collect();
        assert_eq!(counts, [8, 8, 3]);
        assert_eq!(pages[2].name, "steps 3");
        assert_eq!(pages[2].description.last().unwrap(), "Part 3 of 3.");
    }

    #[test]
    fn stream_names_are_written_as_tldr_wants_them() {
        assert_eq!(
            sentence("print STDOUT, then stderr", ':'),
            "Print `stdout`, then `stderr`:"
        );
        assert_eq!(sentence("keep `stdin`", '.'), "Keep `stdin`.");
    }

    #[test]
    fn long_titles_give_short_file_names() {
        let stem = file_stem(&"word ".repeat(60));
        assert!(stem.len() <= MAX_STEM_BYTES, "{}", stem.len());
    }

    /// An imported page as the entry rep stores for it.
    fn imported(file: &FileInfo, text: &str) -> Entry {
        let found = parse_file(file, text).unwrap().found.remove(0);
        let p = super::super::prepare(found, None, "general").unwrap();
        Entry {
            short_id: p.id[..8].to_owned(),
            id: p.id,
            kind: "tool".into(),
            title: p.title,
            body: p.body,
            domain: p.domain,
            tags: p.tags,
            author: "a".into(),
            command: p.command,
            link: p.link,
            created_at: String::new(),
            updated_at: String::new(),
            deleted: false,
        }
    }

    fn page_strategy() -> impl Strategy<Value = Page> {
        let example = ("[A-Z][a-z {}]{0,15}", "[a-z]([a-z {}|./-]{0,20}[a-z])?").prop_map(
            |(text, command)| Example {
                text: format!("{}:", text.trim_end()),
                command,
            },
        );
        (
            "[a-z]([a-z0-9 .+-]{0,12}[a-z0-9])?",
            proptest::collection::vec("[A-Z][a-z ,]{0,20}", 1..3),
            proptest::option::of("[a-z]{1,8}"),
            proptest::collection::vec(example, 0..8),
        )
            .prop_map(|(name, description, link, examples)| {
                let mut description: Vec<String> = description
                    .into_iter()
                    .map(|d| format!("{}.", d.trim_end()))
                    .collect();
                if let Some(link) = link {
                    description.push(format!("More information: <https://{link}.example/>."));
                }
                Page {
                    name,
                    description,
                    examples,
                }
            })
    }

    proptest! {
        /// Any canonical page, in any language and under any file name, imported and exported
        /// again, is the same file at the same place.
        #[test]
        fn export_after_import_gives_the_same_file_back(
            page in page_strategy(),
            stem in proptest::option::of("[a-z0-9,.%$ A-Z]([a-z0-9.+_,%$-]{0,20}[a-z0-9])?"),
            lang in proptest::option::of(proptest::sample::select(vec!["de", "pt_BR", "zh_TW"])),
        ) {
            let text = render_page(&page);
            let stem = stem.unwrap_or_else(|| file_stem(&page.name));
            let mut ancestors = vec!["tldr".to_owned()];
            ancestors.push(match lang {
                Some(l) => format!("pages.{l}"),
                None => "pages".to_owned(),
            });
            ancestors.push("common".to_owned());
            let file = FileInfo {
                relative: format!("common/{stem}.md"),
                folder: Some("common".into()),
                ancestors,
            };
            let entry = imported(&file, &text);
            let site = site(&[&entry]);
            let mut want = std::path::PathBuf::new();
            if let Some(l) = lang {
                want.push(format!("pages.{l}"));
            }
            want.push("common");
            want.push(format!("{stem}.md"));
            prop_assert_eq!(&site[0].0, &want);
            prop_assert_eq!(&site[0].1, &text);
        }

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
