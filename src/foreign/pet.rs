//! pet snippets: a TOML file of `[[snippets]]` with `description`, `command`, `tag` and `output`.
//! Each snippet becomes one tool; its output is kept in the body.

use serde::Deserialize;

use super::{FileInfo, Found, Parsed};

#[derive(Debug, Deserialize)]
struct Snippet {
    #[serde(default)]
    description: String,
    #[serde(default)]
    command: String,
    #[serde(default)]
    tag: Vec<String>,
    #[serde(default)]
    output: String,
}

pub fn parse_file(_file: &FileInfo, text: &str) -> Result<Parsed, String> {
    let table: toml::Table = toml::from_str(text)
        .map_err(|e| format!("not valid TOML: {}", one_line(&e.to_string())))?;
    let Some(snippets) = table.get("snippets") else {
        return Err("no [[snippets]] in the file".into());
    };
    let Some(snippets) = snippets.as_array() else {
        return Err("`snippets` is not a list of [[snippets]] tables".into());
    };
    let mut parsed = Parsed::default();
    for (i, value) in snippets.iter().enumerate() {
        let which = format!("snippet {}", i + 1);
        let snippet: Snippet = match value.clone().try_into() {
            Ok(s) => s,
            Err(e) => {
                parsed.skipped.push((which, one_line(&e.to_string())));
                continue;
            }
        };
        if snippet.command.trim().is_empty() {
            parsed.skipped.push((which, "it has no command".into()));
            continue;
        }
        let key = format!("pet:{}\u{0}{}", snippet.description, snippet.command);
        let title = if snippet.description.trim().is_empty() {
            super::title_line(&snippet.command)
        } else {
            snippet.description.clone()
        };
        let mut found = Found::tool(key, title);
        found.command = Some(snippet.command);
        found.tags = snippet.tag;
        let output = snippet.output.trim_end();
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
        assert_eq!(f.key, "pet:ping google\u{0}ping 8.8.8.8");
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
