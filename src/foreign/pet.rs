//! pet snippets: a TOML file of `[[snippets]]` with `description`, `command`, `tag` and `output`.
//! pet writes them capitalised (`[[Snippets]]`, `Description`, `Tag`, `Output`) and its TOML
//! decoder matches keys without regard to case, so this reader does too: an exact lowercase key
//! first, else the first key that matches ignoring case. Each snippet becomes one tool; its
//! output is kept in the body.

use super::{FileInfo, Found, Parsed, Source, item_key};

/// The value of `key` in `table`, found as pet's decoder finds it.
fn get<'a>(table: &'a toml::Table, key: &str) -> Option<&'a toml::Value> {
    table.get(key).or_else(|| {
        table
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// A string field: absent is empty, another type is an error naming the key.
fn text(table: &toml::Table, key: &str) -> Result<String, String> {
    match get(table, key) {
        None => Ok(String::new()),
        Some(toml::Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(format!(
            "`{key}` is not a string but of type {}",
            other.type_str()
        )),
    }
}

fn tags(table: &toml::Table) -> Result<Vec<String>, String> {
    match get(table, "tag") {
        None => Ok(Vec::new()),
        Some(toml::Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("`tag` holds a value of type {}", v.type_str()))
            })
            .collect(),
        Some(other) => Err(format!(
            "`tag` is not a list but of type {}",
            other.type_str()
        )),
    }
}

pub fn parse_file(file: &FileInfo, text_of_file: &str) -> Result<Parsed, String> {
    let table: toml::Table = toml::from_str(text_of_file)
        .map_err(|e| format!("not valid TOML: {}", one_line(&e.to_string())))?;
    let Some(snippets) = get(&table, "snippets") else {
        return Err("no [[snippets]] in the file".into());
    };
    let Some(snippets) = snippets.as_array() else {
        return Err("`snippets` is not a list of [[snippets]] tables".into());
    };
    let mut parsed = Parsed::default();
    let mut keys = super::KeyCounter::default();
    for (i, value) in snippets.iter().enumerate() {
        let which = format!("snippet {}", i + 1);
        let Some(snippet) = value.as_table() else {
            parsed
                .skipped
                .push((which, "not a table of description, command, tag".into()));
            continue;
        };
        let fields = (|| {
            Ok::<_, String>((
                text(snippet, "description")?,
                text(snippet, "command")?,
                tags(snippet)?,
                text(snippet, "output")?,
            ))
        })();
        let (description, command, tag, output) = match fields {
            Ok(f) => f,
            Err(e) => {
                parsed.skipped.push((which, e));
                continue;
            }
        };
        if command.trim().is_empty() {
            parsed.skipped.push((which, "it has no command".into()));
            continue;
        }
        // Where the snippet lives: its file and its description, or its place among the
        // snippets without one; never its command, so an edited command updates the entry.
        let item = if description.trim().is_empty() {
            keys.nth("untitled")
        } else {
            keys.nth(&description)
        };
        let key = item_key(Source::Pet, &file.relative, &item);
        let title = if description.trim().is_empty() {
            super::title_line(&command)
        } else {
            description.clone()
        };
        let mut found = Found::tool(key, title);
        // Earlier versions keyed a snippet by its description and command.
        found.legacy_key = Some(format!("pet:{description}\u{0}{command}"));
        found.command = Some(command);
        found.tags = tag;
        let output = output.trim_end();
        if !output.trim().is_empty() {
            let fence = if output.contains("```") {
                "````"
            } else {
                "```"
            };
            found.body = format!("Output:\n\n{fence}\n{output}\n{fence}\n");
        }
        parsed.found.push(found);
    }
    Ok(parsed)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn info() -> FileInfo {
        FileInfo {
            relative: "snippet.toml".into(),
            folder: None,
            ancestors: Vec::new(),
        }
    }

    #[test]
    fn snippets_keep_description_command_tags_output() {
        let text = "[[snippets]]\n  description = \"ping google\"\n  command = \"ping 8.8.8.8\"\n  tag = [\"network\", \"google\"]\n  output = \"64 bytes from 8.8.8.8\"\n\n[[snippets]]\n  description = \"no command\"\n\n[[snippets]]\n  description = 5\n  command = \"x\"\n\n[[snippets]]\n  command = \"uptime\"\n";
        let parsed = parse_file(&info(), text).unwrap();
        assert_eq!(parsed.found.len(), 2);
        let f = &parsed.found[0];
        assert_eq!(f.key, "pet:snippet.toml#ping google");
        assert_eq!(
            f.legacy_key.as_deref(),
            Some("pet:ping google\u{0}ping 8.8.8.8")
        );
        assert_eq!(f.title, "ping google");
        assert_eq!(f.command.as_deref(), Some("ping 8.8.8.8"));
        assert_eq!(f.tags, ["network", "google"]);
        assert_eq!(f.body, "Output:\n\n```\n64 bytes from 8.8.8.8\n```\n");
        assert_eq!(parsed.found[1].title, "uptime");
        assert_eq!(parsed.skipped.len(), 2);
        assert_eq!(
            parsed.skipped[0],
            ("snippet 2".into(), "it has no command".into())
        );
        assert_eq!(parsed.skipped[1].0, "snippet 3");
        assert!(parsed.skipped[1].1.contains("`description`"));
        assert_eq!(parsed.found[1].key, "pet:snippet.toml#untitled");
    }

    #[test]
    fn keys_in_any_case_as_pet_writes_and_reads_them() {
        // pet's own encoder writes this (its snippet tests), and its decoder ignores case.
        let text = "\n[[Snippets]]\n  Description = \"Test snippet\"\n  Output = \"Hello, World!\"\n  Tag = [\"test\"]\n  command = \"echo 'Hello, World!'\"\n\n[[sNiPpEtS]]\n  DESCRIPTION = \"Test snippet\"\n  COMMAND = \"echo 2\"\n  tAg = [\"two\"]\n";
        let parsed = parse_file(&info(), text).unwrap();
        assert!(parsed.skipped.is_empty(), "{:?}", parsed.skipped);
        let f = &parsed.found[0];
        assert_eq!(f.title, "Test snippet");
        assert_eq!(f.command.as_deref(), Some("echo 'Hello, World!'"));
        assert_eq!(f.tags, ["test"]);
        assert_eq!(f.body, "Output:\n\n```\nHello, World!\n```\n");
        // Only the first array of tables named `snippets` in any case is pet's.
        assert_eq!(parsed.found.len(), 1);
    }

    #[test]
    fn broken_files_say_why() {
        assert!(
            parse_file(&info(), "[[snippets]\n")
                .unwrap_err()
                .contains("TOML")
        );
        assert!(
            parse_file(&info(), "x = 1\n")
                .unwrap_err()
                .contains("no [[snippets]]")
        );
        assert!(parse_file(&info(), "snippets = 1\n").is_err());
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,300}", t in "(\\[\\[snippets\\]\\]\n)?([a-z]{1,11} = (\"[a-z ]{0,6}\"|\\[\"[a-z]{0,4}\"\\]|[0-9]{1,3})\n){0,6}") {
            let _ = parse_file(&info(), &s);
            let _ = parse_file(&info(), &t);
        }
    }
}
