//! navi cheats, read as navi 2.24 reads them and written so that navi shows every tool.
//!
//! navi reads a file line by line: `% tags` starts a section, `# description` names the command
//! on the lines that follow (a blank line stays inside the command: heredocs), `$ name: command`
//! says where a `<name>` placeholder gets its values (a line ending in `\` goes on on the next),
//! `@ tags` lets a section use the variables of another, `;` is a comment, and a line starting
//! with three backticks (Markdown, `.cheat.md`) is dropped. The first character decides: an
//! indented `#` is part of a command, and so is a `$` line without a `:` or inside a fence. A
//! command shows only under a description, and only the first with the same tags and
//! description. At a `$` line it cannot parse navi stops reading the file.
//!
//! Variables are navi's across files: a section's own, then those of its `@` sections, and the
//! placeholders of a variable's command are looked up the same way. Each command becomes one
//! tool whose body holds its section line and every `$` line it can reach, so writing it back
//! out keeps its suggestions whatever file it lands in.

use std::collections::{HashMap, HashSet};

use super::{FileInfo, Found, KeyCounter, Parsed, Source, item_key};
use crate::model::Entry;
use crate::placeholders;

/// A command as navi shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cheat {
    /// The section's tags as written (`git, code`).
    pub tags: String,
    pub description: String,
    /// Its lines, blank ones inside kept, trailing blank ones dropped (as navi shows it).
    pub command: String,
    /// The line where the command starts, for reports.
    pub line: usize,
}

/// A `$` line navi can parse, continuation lines joined as navi joins them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    pub tags: String,
    pub name: String,
    /// The whole line, `$ name: command --- options`.
    pub line: String,
}

/// What navi reads from one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sheet {
    pub cheats: Vec<Cheat>,
    pub variables: Vec<Variable>,
    /// `@` lines: (the section's tags, the tags of the section it uses).
    pub extends: Vec<(String, String)>,
    /// Lines navi does not show, and why.
    pub skipped: Vec<(String, String)>,
}

/// navi's prefix cut: the text after the marker and one more byte, trimmed.
fn without_prefix(line: &str) -> String {
    line.get(2..)
        .or_else(|| line.char_indices().nth(2).map(|(i, _)| &line[i..]))
        .unwrap_or("")
        .trim()
        .to_owned()
}

/// Whether navi reads a line as (the start of) a variable line.
fn is_variable_start(line: &str) -> bool {
    line.starts_with('$') && line.contains(':')
}

/// Check a whole `$` line as navi does: `$ name: command`, then optional finder options after
/// `---`. Returns the variable's name, or why navi refuses the line.
pub fn parse_variable_line(line: &str) -> Result<(String, &str), String> {
    let rest = line
        .strip_prefix('$')
        .ok_or("a variable line starts with `$`")?;
    let colon = rest
        .find(':')
        .filter(|&i| i > 0)
        .ok_or("it has no `name:` before its command")?;
    let name = rest[..colon].trim().to_owned();
    let mut parts = rest[colon + 1..].split("---");
    let command = parts.next().unwrap_or("");
    if let Some(options) = parts.next() {
        check_options(options)?;
    }
    Ok((name, command))
}

/// navi's finder options after `---`: flags, and options that each take a value.
fn check_options(text: &str) -> Result<(), String> {
    let words = shellwords::split(text).map_err(|_| "its options miss a closing quote")?;
    let words: Vec<String> = words
        .into_iter()
        .filter(|w| !matches!(w.as_str(), "--multi" | "--prevent-extra" | "--expand"))
        .collect();
    for pair in words.chunks(2) {
        match pair {
            [flag, value]
                if matches!(flag.as_str(), "--headers" | "--header-lines" | "--column")
                    && value.parse::<u8>().is_err() =>
            {
                return Err(format!(
                    "the value of `{flag}` is not a number from 0 to 255"
                ));
            }
            [flag] => return Err(format!("the option `{flag}` has no value")),
            _ => {}
        }
    }
    Ok(())
}

/// Read one file as navi does.
pub fn read(text: &str) -> Sheet {
    let mut sheet = Sheet::default();
    let mut tags = String::new();
    let mut description = String::new();
    let mut snippet: Vec<&str> = Vec::new();
    let mut snippet_line = 0;
    let mut variable = String::new();
    let mut variable_line = 0;
    let mut in_fence = false;
    let mut shown: HashMap<(String, String), usize> = HashMap::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, &line) in lines.iter().enumerate() {
        let n = i + 1;
        let is_variable = !variable.is_empty() || (is_variable_start(line) && !in_fence);
        let ends_snippet = line.starts_with(['%', '#']) || is_variable && variable.is_empty();
        if line.is_empty() {
            if !snippet.is_empty() {
                snippet.push("");
            }
            continue;
        }
        if ends_snippet && !line.starts_with(['@', ';']) {
            flush(
                &mut sheet,
                &mut shown,
                &tags,
                &description,
                &snippet,
                snippet_line,
            );
            snippet.clear();
        }
        if line.starts_with('%') {
            tags = without_prefix(line);
        } else if line.starts_with('@') {
            sheet.extends.push((tags.clone(), without_prefix(line)));
        } else if line.starts_with(';') {
        } else if line.starts_with('#') {
            description = without_prefix(line);
        } else if is_variable {
            if variable.is_empty() {
                variable_line = n;
            }
            variable.push_str(line.trim_end_matches('\\'));
            if line.ends_with('\\') {
                continue;
            }
            let whole = std::mem::take(&mut variable);
            match parse_variable_line(&whole) {
                Ok((name, _)) => sheet.variables.push(Variable {
                    tags: tags.clone(),
                    name,
                    line: whole,
                }),
                Err(why) => {
                    let unread = lines.len() - n;
                    sheet.skipped.push((
                        format!("line {variable_line}"),
                        format!(
                            "navi cannot parse this `$` line ({why}) and stops reading the file \
                             here, so the {unread} lines after it were not imported; fix the \
                             line and import again"
                        ),
                    ));
                    return sheet;
                }
            }
        } else if line.starts_with("```") {
            in_fence = !in_fence;
        } else {
            if snippet.is_empty() {
                snippet_line = n;
            }
            snippet.push(line);
        }
    }
    if !variable.is_empty() {
        sheet.skipped.push((
            format!("line {variable_line}"),
            "the file ends inside a `$` line continued with `\\`; navi shows nothing after it"
                .into(),
        ));
        return sheet;
    }
    flush(
        &mut sheet,
        &mut shown,
        &tags,
        &description,
        &snippet,
        snippet_line,
    );
    sheet
}

/// navi's "write the command": only under a description, only the first of its tags and
/// description.
fn flush(
    sheet: &mut Sheet,
    shown: &mut HashMap<(String, String), usize>,
    tags: &str,
    description: &str,
    snippet: &[&str],
    line: usize,
) {
    let end = snippet
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(0, |i| i + 1);
    let command = snippet[..end].join("\n");
    if command.trim().is_empty() {
        return;
    }
    let which = format!("line {line}");
    if description.is_empty() {
        let reason = if line == 1 && snippet[0] == "---" {
            "front matter (a `---` block), which navi does not show"
        } else {
            "a command with no `# description` before it, which navi does not show"
        };
        sheet.skipped.push((which, reason.into()));
        return;
    }
    let identity = (tags.trim().to_owned(), description.trim().to_owned());
    if let Some(first) = shown.get(&identity) {
        sheet.skipped.push((
            which,
            format!(
                "navi shows only the first command described {description:?} in section \
                 {tags:?} (line {first})"
            ),
        ));
        return;
    }
    shown.insert(identity, line);
    sheet.cheats.push(Cheat {
        tags: tags.to_owned(),
        description: description.to_owned(),
        command,
        line,
    });
}

/// Every `$` line a command with these tags can reach, in the order of the files and lines
/// that hold them. `files` are all the sheets of the import, as navi reads all its paths.
fn reachable(sheets: &[&Sheet], tags: &str, command: &str) -> Vec<String> {
    // navi keeps the last definition of a name in a section.
    let mut by_section: HashMap<(&str, &str), (usize, &Variable)> = HashMap::new();
    let mut order = 0;
    for sheet in sheets {
        for v in &sheet.variables {
            by_section.insert((v.tags.as_str(), v.name.as_str()), (order, v));
            order += 1;
        }
    }
    let used: Vec<&str> = sheets
        .iter()
        .flat_map(|s| &s.extends)
        .filter(|(from, _)| from == tags)
        .map(|(_, to)| to.as_str())
        .collect();
    let find = |name: &str| {
        std::iter::once(tags)
            .chain(used.iter().copied())
            .find_map(|section| by_section.get(&(section, name)).copied())
    };
    let mut found: Vec<(usize, &Variable)> = Vec::new();
    let mut names_done: HashSet<&str> = HashSet::new();
    let mut pending: Vec<&str> = placeholders::navi_names(command);
    while let Some(name) = pending.pop() {
        if !names_done.insert(name) {
            continue;
        }
        if let Some((place, v)) = find(name) {
            if !found.iter().any(|(p, _)| *p == place) {
                found.push((place, v));
            }
            let generator = parse_variable_line(&v.line).map_or("", |(_, c)| c);
            pending.extend(placeholders::navi_names(generator));
        }
    }
    found.sort_by_key(|(place, _)| *place);
    found.into_iter().map(|(_, v)| v.line.clone()).collect()
}

/// Parse every file of an import together, as navi reads all of its paths before it shows
/// anything: variables and `@` sections reach across files.
pub fn parse_files(files: &[(FileInfo, Result<String, String>)]) -> Vec<Result<Parsed, String>> {
    let sheets: Vec<Result<Sheet, String>> = files
        .iter()
        .map(|(_, text)| text.as_deref().map(read).map_err(Clone::clone))
        .collect();
    let readable: Vec<&Sheet> = sheets.iter().filter_map(|s| s.as_ref().ok()).collect();
    files
        .iter()
        .zip(&sheets)
        .map(|((info, _), sheet)| {
            let sheet = sheet.as_ref().map_err(Clone::clone)?;
            to_parsed(info, sheet, &readable)
        })
        .collect()
}

/// One file read alone (a variable in another file is not reachable).
pub fn parse_file(file: &FileInfo, text: &str) -> Result<Parsed, String> {
    let sheet = read(text);
    to_parsed(file, &sheet, &[&sheet])
}

fn to_parsed(file: &FileInfo, sheet: &Sheet, all: &[&Sheet]) -> Result<Parsed, String> {
    if sheet.cheats.is_empty()
        && sheet.variables.is_empty()
        && sheet.extends.is_empty()
        && sheet.skipped.is_empty()
    {
        return Err("no commands in the file".into());
    }
    let mut parsed = Parsed {
        skipped: sheet.skipped.clone(),
        ..Parsed::default()
    };
    let mut names = KeyCounter::default();
    for cheat in &sheet.cheats {
        let key = item_key(Source::Navi, &file.relative, &names.nth(&cheat.description));
        let mut found = Found::tool(key, cheat.description.clone());
        // Earlier versions keyed a command by its text, each line trimmed at the end.
        let old_command: Vec<&str> = cheat.command.lines().map(str::trim_end).collect();
        found.legacy_key = Some(format!("navi:{}:{}", file.relative, old_command.join("\n")));
        found.command = Some(cheat.command.clone());
        found.tags = cheat
            .tags
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        let mut body = format!("% {}\n", cheat.tags);
        for line in reachable(all, &cheat.tags, &cheat.command) {
            body.push_str(&line);
            body.push('\n');
        }
        found.body = body;
        parsed.found.push(found);
    }
    Ok(parsed)
}

/// The section line and `$` lines an entry's body carries, when it came from navi (or was
/// written the same way).
fn body_parts(body: &str) -> (Option<&str>, Vec<&str>) {
    let mut section = None;
    let mut variables = Vec::new();
    for line in body.lines() {
        if let Some(tags) = line.strip_prefix("% ") {
            section.get_or_insert(tags.trim());
        } else if line.starts_with('$') {
            variables.push(line);
        }
    }
    (section, variables)
}

/// The tags to write for an entry: its section as written when that still says the entry's
/// tags, else its tags (or its domain).
fn section_of(entry: &Entry) -> String {
    let (section, _) = body_parts(&entry.body);
    let normalised = |text: &str| {
        let mut tags: Vec<String> = text
            .split(',')
            .filter_map(|t| crate::model::normalize_tag(t).ok())
            .collect();
        tags.sort();
        tags.dedup();
        tags
    };
    match section {
        Some(s) if normalised(s) == entry.tags => s.to_owned(),
        _ if entry.tags.is_empty() => entry.domain.replace('/', ", "),
        _ => entry.tags.join(", "),
    }
}

/// A `$` line of a body that rep may write: navi parses it and it does not run on.
fn writable_variable(line: &str) -> bool {
    !line.ends_with('\\') && parse_variable_line(line).is_ok()
}

/// What writing cheats changed: (entry title, what and why), e.g. a `$` line left out.
pub type Dropped = Vec<(String, String)>;

/// The (section, description) pairs an export has written: navi shows one command per pair,
/// across all the files it reads.
pub type Shown = HashSet<(String, String)>;

/// A description navi shows in this section: the title, or `title (2)` when another command of
/// the export took it.
fn unique_description(shown: &mut Shown, tags: &str, title: &str) -> String {
    let title = title.replace('\n', " ");
    let mut candidate = title.clone();
    let mut n = 1;
    while !shown.insert((tags.trim().to_owned(), candidate.trim().to_owned())) {
        n += 1;
        candidate = format!("{title} ({n})");
    }
    candidate
}

/// Tools as one cheat file, in the order given: a `%` line when the section changes, then each
/// tool's `# title`, its command, and the `$` lines it uses (those navi can parse, once per
/// section).
pub fn render(entries: &[&Entry], shown: &mut Shown) -> (String, Dropped) {
    let mut out = String::new();
    let mut dropped = Vec::new();
    let mut section: Option<String> = None;
    let mut written: HashSet<String> = HashSet::new();
    for entry in entries {
        let Some(command) = entry.command.as_deref().filter(|c| !c.trim().is_empty()) else {
            continue;
        };
        let tags = section_of(entry);
        if section.as_deref() != Some(tags.as_str()) {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("% {tags}\n"));
            section = Some(tags.clone());
            written.clear();
        }
        let description = unique_description(shown, &tags, &entry.title);
        if description != entry.title.replace('\n', " ") {
            dropped.push((
                entry.title.clone(),
                format!(
                    "written as {description:?}: navi shows one command per section and description"
                ),
            ));
        }
        out.push_str(&format!("\n# {description}\n"));
        for line in command.trim_matches('\n').lines() {
            // navi would read such a line as something else than a command line.
            if line.starts_with(['%', '#', ';', '@'])
                || is_variable_start(line)
                || line.starts_with("```")
            {
                out.push(' ');
            }
            out.push_str(line);
            out.push('\n');
        }
        let (_, variables) = body_parts(&entry.body);
        for line in variables {
            if !writable_variable(line) {
                dropped.push((
                    entry.title.clone(),
                    format!(
                        "left out a `$` line navi cannot parse: {}",
                        crate::text::sanitize_line(line)
                    ),
                ));
            } else if written.insert(line.to_owned()) {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    (out, dropped)
}

/// Whether a tool can be written as a cheat at all.
pub fn has_command(entry: &Entry) -> bool {
    entry
        .command
        .as_deref()
        .is_some_and(|c| !c.trim().is_empty())
}

/// Tools as a folder of cheats: each tool imported from navi back in the file it came from, in
/// its place there (`places`: entry id to file and place); the others in one `<domain>.cheat` per
/// domain (`k8s/networking.cheat`), by title.
pub fn files(
    entries: &[&Entry],
    places: &HashMap<String, (String, i64)>,
) -> (Vec<(std::path::PathBuf, String)>, Dropped) {
    let mut by_file: std::collections::BTreeMap<std::path::PathBuf, Vec<(i64, &Entry)>> =
        Default::default();
    for entry in entries.iter().filter(|e| has_command(e)) {
        let (path, place) = match places.get(&entry.id) {
            Some((file, place)) if safe_relative(file) => (file.split('/').collect(), *place),
            _ => {
                let mut path: std::path::PathBuf = entry.domain.split('/').collect();
                path.set_extension("cheat");
                (path, i64::MAX)
            }
        };
        by_file.entry(path).or_default().push((place, entry));
    }
    let mut dropped = Vec::new();
    let mut shown = Shown::new();
    let files = by_file
        .into_iter()
        .map(|(path, mut list)| {
            // Stable: tools without a place keep the title order they came in.
            list.sort_by_key(|(place, _)| *place);
            let list: Vec<&Entry> = list.into_iter().map(|(_, e)| e).collect();
            let (text, lost) = render(&list, &mut shown);
            dropped.extend(lost);
            (path, text)
        })
        .collect();
    (files, dropped)
}

/// A recorded file name that stays inside the export folder.
fn safe_relative(file: &str) -> bool {
    !file.is_empty()
        && !file.starts_with('/')
        && file
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
        && (file.ends_with(".cheat") || file.ends_with(".cheat.md"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn info(name: &str) -> FileInfo {
        FileInfo {
            relative: name.into(),
            folder: None,
            ancestors: Vec::new(),
        }
    }

    const GIT: &str = "% git, code\n\n# Change branch\ngit checkout <branch>\n\n$ branch: git branch | awk '{print $NF}'\n\n; a comment\n# Show log\ngit log \\\n  --oneline\n\ngit status\n\n% docker\n\n# Run\ndocker run <image>\n";

    #[test]
    fn each_described_command_is_a_tool_with_its_section() {
        let parsed = parse_file(&info("git.cheat"), GIT).unwrap();
        let titles: Vec<_> = parsed.found.iter().map(|f| f.title.as_str()).collect();
        assert_eq!(titles, ["Change branch", "Show log", "Run"]);
        let first = &parsed.found[0];
        assert_eq!(first.key, "navi:git.cheat#Change branch");
        assert_eq!(
            first.legacy_key.as_deref(),
            Some("navi:git.cheat:git checkout <branch>")
        );
        assert_eq!(first.tags, ["git", "code"]);
        assert_eq!(
            first.body,
            "% git, code\n$ branch: git branch | awk '{print $NF}'\n"
        );
        // A blank line stays inside the command, as navi keeps it.
        assert_eq!(
            parsed.found[1].command.as_deref(),
            Some("git log \\\n  --oneline\n\ngit status")
        );
        assert_eq!(parsed.found[2].body, "% docker\n");
    }

    #[test]
    fn dollar_lines_fences_continuations_and_indents_as_navi_reads_them() {
        let text = "% x\n\n# heredoc\ncat <<EOF\n\n$ not a variable\n  # not a description\nEOF\n\n# fenced\n```sh\n$ PATH: still the command\n```\n\n# go on\necho <a>\n$ a: echo one \\\n  two --- --multi\n";
        let sheet = read(text);
        let commands: Vec<_> = sheet.cheats.iter().map(|c| c.command.as_str()).collect();
        assert_eq!(
            commands,
            [
                "cat <<EOF\n\n$ not a variable\n  # not a description\nEOF",
                "$ PATH: still the command",
                "echo <a>"
            ]
        );
        assert_eq!(sheet.variables[0].line, "$ a: echo one   two --- --multi");
        assert!(sheet.skipped.is_empty(), "{:?}", sheet.skipped);
    }

    #[test]
    fn what_navi_does_not_show_is_reported() {
        let text = "---\ntags: [a]\n---\n% s\n# one\nls\n$ v: x\nls -la\n# two\n$ bad: x --- --column many\n# three\nnever read\n";
        let sheet = read(text);
        assert_eq!(sheet.cheats.len(), 1);
        let reasons: Vec<_> = sheet
            .skipped
            .iter()
            .map(|(w, r)| format!("{w}: {r}"))
            .collect();
        assert!(
            reasons[0].starts_with("line 1: front matter"),
            "{reasons:?}"
        );
        assert!(
            reasons[1].starts_with("line 8: navi shows only the first"),
            "{reasons:?}"
        );
        assert!(
            reasons[2].starts_with("line 10: navi cannot parse"),
            "{reasons:?}"
        );
        assert!(reasons[2].contains("`--column`") && reasons[2].contains("2 lines after it"));
    }

    #[test]
    fn variables_reach_across_files_through_extends_and_generators() {
        let a = "% test, second\n@ test, first\n\n# nested\necho <wallpaper>\n$ wallpaper: echo \"<pictures>/w\"\n";
        let b = "% test, first\n$ unused: echo no\n$ pictures: echo /p\n";
        let files = vec![
            (info("a.cheat"), Ok(a.to_owned())),
            (info("b.cheat"), Ok(b.to_owned())),
        ];
        let parsed = parse_files(&files);
        let a = parsed[0].as_ref().unwrap();
        assert_eq!(
            a.found[0].body,
            "% test, second\n$ wallpaper: echo \"<pictures>/w\"\n$ pictures: echo /p\n"
        );
        assert!(parsed[1].as_ref().unwrap().found.is_empty());
    }

    #[test]
    fn variable_lines_are_checked_as_navi_checks_them() {
        assert!(
            parse_variable_line("$ user : echo -e \"$(whoami)\\nroot\" --- --prevent-extra")
                .is_ok()
        );
        assert!(parse_variable_line("$ f: ls --- --preview 'cat {}' --column 2").is_ok());
        assert!(parse_variable_line("$: x").is_err());
        assert!(parse_variable_line("$ x: y --- --mult").is_err());
        assert!(parse_variable_line("$ x: y --- --header 'a").is_err());
        assert!(parse_variable_line("$ x: y --- --headers -1").is_err());
        assert_eq!(
            placeholders::navi_names("a <b> \\<c> <d-e> <_f> <-g> <h <é>"),
            ["b", "d-e", "_f", "é"]
        );
    }

    #[test]
    fn malformed_files_say_why() {
        assert!(
            parse_file(&info("x.cheat"), "% a\n; only words\n")
                .unwrap_err()
                .contains("no commands")
        );
    }

    /// A generated cheat: a section, a description, a command of lines navi reads as command
    /// lines (blank ones inside), and variables it uses.
    fn cheat_strategy() -> impl Strategy<Value = (String, String, Vec<String>, Vec<String>)> {
        (
            "[a-z]{1,6}(, [a-z]{1,6}){0,2}",
            "[A-Za-z][A-Za-z ]{0,12}[a-z]",
            prop::collection::vec("([a-z<>=| -]{0,12}[a-z>])?", 1..5),
            prop::collection::vec("[a-z]{1,5}", 0..3),
        )
            .prop_filter("a command has a first line", |(_, _, lines, _)| {
                !lines[0].is_empty()
            })
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,300}", t in "([%#$;@`]? ?[a-z<>:, \\\\-]{0,10}\n){0,12}") {
            let _ = parse_file(&info("a.cheat"), &s);
            let _ = parse_file(&info("a.cheat"), &t);
        }

        #[test]
        fn writing_then_reading_gives_the_same_cheats(cheats in prop::collection::vec(cheat_strategy(), 1..6)) {
            let mut text = String::new();
            for (i, (tags, description, lines, vars)) in cheats.iter().enumerate() {
                let mut command = lines.join("\n");
                for v in vars {
                    command.push_str(&format!(" <{v}>"));
                }
                text.push_str(&format!("% {tags}\n\n# {description} {i}\n{command}\n"));
                for v in vars {
                    text.push_str(&format!("$ {v}: echo {v}\n"));
                }
                text.push('\n');
            }
            let first = parse_file(&info("a.cheat"), &text).unwrap();
            let entries: Vec<Entry> = first.found.iter().map(|f| Entry {
                id: f.key.clone(),
                short_id: String::new(),
                kind: "tool".into(),
                domain: "general".into(),
                author: "ana".into(),
                link: None,
                created_at: String::new(),
                updated_at: String::new(),
                deleted: false,
                title: f.title.clone(),
                tags: {
                    let mut t: Vec<String> = f.tags.iter().filter_map(|t| crate::model::normalize_tag(t).ok()).collect();
                    t.sort();
                    t.dedup();
                    t
                },
                body: f.body.clone(),
                command: f.command.clone(),
            }).collect();
            let refs: Vec<&Entry> = entries.iter().collect();
            let (written, dropped) = render(&refs, &mut Shown::new());
            prop_assert!(dropped.is_empty());
            let again = parse_file(&info("a.cheat"), &written).unwrap();
            let shape = |p: &Parsed| p.found.iter().map(|f| (f.title.clone(), f.command.clone(), f.body.clone())).collect::<Vec<_>>();
            prop_assert_eq!(shape(&again), shape(&first));
            prop_assert!(again.skipped.is_empty());
        }
    }
}
