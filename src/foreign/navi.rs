//! navi cheats: `% tags` start a section, `# description` names the command on the lines that
//! follow, `$ name: command` defines where a `<name>` placeholder gets its values, `;` is a
//! comment. Each command becomes one tool; the `$` lines it uses travel in its body, so writing
//! it back out keeps its suggestions.

use super::{FileInfo, Found, Parsed};
use crate::model::Entry;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cheat {
    pub tags: Vec<String>,
    pub description: Option<String>,
    pub command: String,
    /// `$ name: ...` lines (without the `$ `) whose `<name>` the command uses.
    pub variables: Vec<String>,
}

pub fn parse(text: &str) -> Result<Vec<Cheat>, String> {
    let mut cheats: Vec<Cheat> = Vec::new();
    let mut tags: Vec<String> = Vec::new();
    let mut variables: Vec<String> = Vec::new();
    let mut section_start = 0;
    let mut description: Option<String> = None;
    let mut open = false;
    let attach = |cheats: &mut [Cheat], variables: &[String]| {
        for cheat in cheats {
            for v in variables {
                let name = v.split(':').next().unwrap_or_default().trim();
                let used = cheat.command.contains(&format!("<{name}>"));
                if used && !cheat.variables.contains(v) {
                    cheat.variables.push(v.clone());
                }
            }
        }
    };
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim_end();
        if line.trim().is_empty() {
            open = false;
            continue;
        }
        match line.chars().next() {
            Some('%') => {
                attach(&mut cheats[section_start..], &variables);
                section_start = cheats.len();
                variables.clear();
                tags = line[1..]
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect();
                description = None;
                open = false;
            }
            Some('#') => {
                description = Some(line[1..].trim().to_owned()).filter(|d| !d.is_empty());
                open = false;
            }
            Some(';') | Some('@') => open = false,
            Some('$') => {
                let definition = line[1..].trim();
                if !definition.contains(':') {
                    return Err(format!(
                        "line {n}: a `$` variable line needs `name: command`"
                    ));
                }
                variables.push(definition.to_owned());
                open = false;
            }
            _ => {
                if open && let Some(last) = cheats.last_mut() {
                    last.command.push('\n');
                    last.command.push_str(line);
                    continue;
                }
                cheats.push(Cheat {
                    tags: tags.clone(),
                    description: description.take(),
                    command: line.to_owned(),
                    variables: Vec::new(),
                });
                open = true;
            }
        }
    }
    attach(&mut cheats[section_start..], &variables);
    Ok(cheats)
}

pub fn parse_file(file: &FileInfo, text: &str) -> Result<Parsed, String> {
    let cheats = parse(text)?;
    if cheats.is_empty() {
        return Err("no commands in the file".into());
    }
    let mut parsed = Parsed::default();
    for cheat in cheats {
        let key = format!("navi:{}:{}", file.relative, cheat.command);
        let title = cheat
            .description
            .clone()
            .unwrap_or_else(|| super::title_line(&cheat.command));
        let mut found = Found::tool(key, title);
        found.command = Some(cheat.command);
        found.tags = cheat.tags;
        found.body = cheat.variables.iter().map(|v| format!("$ {v}\n")).collect();
        parsed.found.push(found);
    }
    Ok(parsed)
}

/// Tools as one cheat file: a `%` line whenever the tags change, then `# title` and command.
pub fn render(entries: &[&Entry]) -> String {
    let mut out = String::new();
    let mut last_tags: Option<String> = None;
    for entry in entries {
        let Some(command) = entry.command.as_deref().filter(|c| !c.trim().is_empty()) else {
            continue;
        };
        let tags = if entry.tags.is_empty() {
            entry.domain.replace('/', ", ")
        } else {
            entry.tags.join(", ")
        };
        if last_tags.as_deref() != Some(tags.as_str()) {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("% {tags}\n"));
            last_tags = Some(tags);
        }
        out.push_str(&format!("\n# {}\n", entry.title.replace('\n', " ")));
        // A blank line would end the command, and a leading marker would change its meaning.
        for line in command.lines().filter(|l| !l.trim().is_empty()) {
            if line.starts_with(['%', '#', '$', ';', '@']) {
                out.push(' ');
            }
            out.push_str(line);
            out.push('\n');
        }
        for line in entry.body.lines().filter(|l| l.starts_with("$ ")) {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Whether a tool can be written as a cheat at all.
pub fn has_command(entry: &Entry) -> bool {
    entry
        .command
        .as_deref()
        .is_some_and(|c| !c.trim().is_empty())
}

/// Tools as a folder of cheats, one `<domain>.cheat` per domain (`k8s/networking.cheat`).
pub fn files_by_domain(entries: &[&Entry]) -> Vec<(std::path::PathBuf, String)> {
    let mut by_domain: std::collections::BTreeMap<&str, Vec<&Entry>> = Default::default();
    for entry in entries.iter().filter(|e| has_command(e)) {
        by_domain
            .entry(entry.domain.as_str())
            .or_default()
            .push(entry);
    }
    by_domain
        .into_iter()
        .map(|(domain, list)| {
            let mut path: std::path::PathBuf = domain.split('/').collect();
            path.set_extension("cheat");
            (path, render(&list))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const GIT: &str = "% git, code\n\n# Change branch\ngit checkout <branch>\n\n$ branch: git branch | awk '{print $NF}'\n\n; a comment\n# Show log\ngit log \\\n  --oneline\n\ngit status\n\n% docker\n\n# Run\ndocker run <image>\n";

    #[test]
    fn each_command_is_a_tool_with_its_section_tags() {
        let f = FileInfo {
            relative: "git.cheat".into(),
            folder: None,
            ancestors: Vec::new(),
        };
        let parsed = parse_file(&f, GIT).unwrap();
        let titles: Vec<_> = parsed.found.iter().map(|f| f.title.as_str()).collect();
        assert_eq!(titles, ["Change branch", "Show log", "git status", "Run"]);
        let first = &parsed.found[0];
        assert_eq!(first.key, "navi:git.cheat:git checkout <branch>");
        assert_eq!(first.tags, ["git", "code"]);
        assert_eq!(first.body, "$ branch: git branch | awk '{print $NF}'\n");
        assert_eq!(
            parsed.found[1].command.as_deref(),
            Some("git log \\\n  --oneline")
        );
        assert_eq!(parsed.found[3].tags, ["docker"]);
        assert_eq!(parsed.found[3].body, "");
    }

    #[test]
    fn malformed_files_say_why() {
        let f = FileInfo {
            relative: "x.cheat".into(),
            folder: None,
            ancestors: Vec::new(),
        };
        assert!(
            parse_file(&f, "% a\n# only words\n")
                .unwrap_err()
                .contains("no commands")
        );
        assert!(
            parse_file(&f, "% a\n$ nocolon\nls\n")
                .unwrap_err()
                .contains("line 2")
        );
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,300}", t in "([%#$;@]? ?[a-z<>:, ]{0,10}\n){0,12}") {
            let f = FileInfo { relative: "a.cheat".into(), folder: None, ancestors: Vec::new() };
            let _ = parse_file(&f, &s);
            let _ = parse_file(&f, &t);
        }
    }
}
