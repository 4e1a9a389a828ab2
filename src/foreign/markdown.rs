//! Markdown notes (zk, nb, Obsidian): the title comes from front matter `title:`, else the first
//! `# heading`, else the file name; tags from front matter `tags:` and `#hashtags` in the text
//! (outside code). A note becomes one entry, a tool unless its front matter names another kind.

use super::front_matter;
use super::{FileInfo, Found, Parsed};
use crate::model::Kind;

/// Front matter `rep:` on the pages of rep's own Markdown export: `entry` or `index`.
pub const EXPORT_KEY: &str = "rep";
/// Around an entry's body on an exported page, so the body comes back as it was, without the
/// heading, facts and replies the page shows around it.
pub const BODY_START: &str = "<!-- rep:body -->";
pub const BODY_END: &str = "<!-- /rep:body -->";

pub fn parse_file(file: &FileInfo, text: &str) -> Result<Parsed, String> {
    let (front, rest) = front_matter::split(text)?;
    let scalar = |key: &str| {
        front
            .as_ref()
            .and_then(|f| f.get(key))
            .and_then(|v| v.as_scalar())
            .map(str::trim)
            .filter(|t| !t.is_empty())
    };
    let exported = scalar(EXPORT_KEY);
    if exported == Some("index") {
        return Ok(Parsed {
            found: Vec::new(),
            skipped: vec![(
                "index page".to_owned(),
                "an index page of rep's Markdown export, not an entry".to_owned(),
            )],
        });
    }
    let exported = exported == Some("entry");
    let mut body = rest.trim_start_matches(['\n', '\r']);
    let title = match scalar("title") {
        Some(t) => t.to_owned(),
        None => match first_heading(body) {
            Some((heading, after)) => {
                body = after.trim_start_matches(['\n', '\r']);
                heading
            }
            None => file.stem().to_owned(),
        },
    };
    if exported {
        body = marked_body(body).unwrap_or("");
    }
    let mut found = Found::tool(
        format!("markdown:{}", file.relative),
        super::title_line(&title),
    );
    let trimmed = body.trim_end();
    found.body = if trimmed.is_empty() {
        String::new()
    } else {
        format!("{trimmed}\n")
    };
    let mut skipped = Vec::new();
    if let Some(front) = &front {
        // zk reads `keywords:` as tags too.
        for key in ["tags", "keywords"] {
            for word in front.get(key).map(|v| v.words()).unwrap_or_default() {
                if word.contains(',') {
                    let parts: Vec<&str> = word
                        .split(',')
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .collect();
                    skipped.push((
                        format!("tag {word:?}"),
                        format!(
                            "a tag cannot hold a comma: the note is kept, with the tag split into {}",
                            parts.join(", ")
                        ),
                    ));
                    found.tags.extend(parts.into_iter().map(str::to_owned));
                } else {
                    found.tags.push(word);
                }
            }
        }
        found.kind = match scalar("kind") {
            Some("story") => Kind::Story,
            Some("problem") => Kind::Problem,
            Some("question") => Kind::Question,
            _ => Kind::Tool,
        };
        found.domain = scalar("domain").map(str::to_owned);
        if exported {
            found.command = scalar("command").map(str::to_owned);
            found.link = scalar("link").map(str::to_owned);
            found.id = scalar("id")
                .filter(|id| uuid::Uuid::parse_str(id).is_ok())
                .map(str::to_owned);
        }
    }
    if !exported {
        // An exported page lists its tags in front matter; a `#word` in its body is text.
        found.tags.extend(hashtags(body));
    }
    Ok(Parsed {
        found: vec![found],
        skipped,
    })
}

/// The body between the markers of an exported page: up to the first end marker, since the
/// replies that follow the body may quote anything.
fn marked_body(text: &str) -> Option<&str> {
    let start = text.find(BODY_START)? + BODY_START.len();
    let end = start + text[start..].find(BODY_END)?;
    Some(text[start..end].trim_start_matches('\n'))
}

/// A `# heading` that is the first non-blank line, and the text after it.
fn first_heading(text: &str) -> Option<(String, &str)> {
    let line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    let line = text[..line_end].trim();
    let heading = line.strip_prefix("# ")?.trim().trim_end_matches('#').trim();
    (!heading.is_empty()).then(|| (heading.to_owned(), &text[line_end..]))
}

/// `#tag` words outside fenced and inline code; a tag has a letter in it (`#1` is an issue).
pub fn hashtags(text: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    let mut fence: Option<&str> = None;
    for line in text.lines() {
        let t = line.trim_start();
        if let Some(open) = fence {
            if t.starts_with(open) {
                fence = None;
            }
            continue;
        }
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = Some(&t[..3]);
            continue;
        }
        let mut in_code = false;
        let mut previous = ' ';
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '`' {
                in_code = !in_code;
            } else if c == '#' && !in_code && previous.is_whitespace() {
                let word: String = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '/'))
                    .collect();
                let word = word.trim_end_matches(['-', '/']);
                if word.chars().any(char::is_alphabetic) && !tags.iter().any(|t| t == word) {
                    tags.push(word.to_owned());
                }
                i += 1 + word.chars().count();
                previous = '#';
                continue;
            }
            previous = c;
            i += 1;
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn info() -> FileInfo {
        FileInfo {
            relative: "notes/Postgres locks.md".into(),
            folder: Some("notes".into()),
            ancestors: Vec::new(),
        }
    }

    #[test]
    fn title_from_front_matter_heading_or_file_name() {
        let a = parse_file(
            &info(),
            "---\ntitle: Locks\ntags: [pg, ops]\n---\n# Heading\nText #vacuum\n",
        )
        .unwrap();
        assert_eq!(a.found[0].title, "Locks");
        assert_eq!(a.found[0].body, "# Heading\nText #vacuum\n");
        assert_eq!(a.found[0].tags, ["pg", "ops", "vacuum"]);
        assert_eq!(a.found[0].key, "markdown:notes/Postgres locks.md");

        let b = parse_file(&info(), "\n# Heading\n\nText\n").unwrap();
        assert_eq!(b.found[0].title, "Heading");
        assert_eq!(b.found[0].body, "Text\n");

        let c = parse_file(&info(), "Just text\n").unwrap();
        assert_eq!(c.found[0].title, "Postgres locks");
        assert_eq!(c.found[0].kind, Kind::Tool);
    }

    #[test]
    fn kind_and_string_tags_from_front_matter() {
        let a = parse_file(&info(), "---\nkind: story\ntags: incident, pg\n---\nbody\n").unwrap();
        assert_eq!(a.found[0].kind, Kind::Story);
        assert_eq!(a.found[0].tags, ["incident", "pg"]);
    }

    #[test]
    fn hashtags_skip_code_headings_and_numbers() {
        let text = "# Title\nSee #pg/locks and #ops, not #1 or a#b.\n`#nope` and\n```\n#nope\n```\n## Sub #yes\n";
        assert_eq!(hashtags(text), ["pg/locks", "ops", "yes"]);
    }

    #[test]
    fn a_page_of_rep_s_export_gives_back_its_entry() {
        let page = "---\nrep: entry\nid: 5f0c2a8e-9a4b-4c3e-8f00-0123456789ab\ntitle: \"A \\\"quoted\\\" title\"\nkind: problem\ndomain: pg/locks\ntags: [\"a\", \"b-c\"]\ncommand: \"select 1\\n  from x;\"\nlink: \"https://x.example/\"\n---\n\n# A \"quoted\" title\n\n- kind: problem\n\n```sh\nselect 1\n```\n\n<!-- rep:body -->\nBody #word\n<!-- /rep:body -->\n\n## Replies (1)\n\n### Reply by bo, t\n\n<!-- /rep:body -->\n";
        let f = &parse_file(&info(), page).unwrap().found[0];
        assert_eq!(f.title, "A \"quoted\" title");
        assert_eq!(f.kind, Kind::Problem);
        assert_eq!(f.domain.as_deref(), Some("pg/locks"));
        assert_eq!(f.tags, ["a", "b-c"]);
        assert_eq!(f.command.as_deref(), Some("select 1\n  from x;"));
        assert_eq!(f.link.as_deref(), Some("https://x.example/"));
        assert_eq!(
            f.id.as_deref(),
            Some("5f0c2a8e-9a4b-4c3e-8f00-0123456789ab")
        );
        assert_eq!(f.body, "Body #word\n");
        let index = parse_file(&info(), "---\nrep: index\n---\n# Repertoire\n").unwrap();
        assert!(index.found.is_empty());
        assert_eq!(index.skipped[0].0, "index page");
    }

    #[test]
    fn broken_front_matter_is_an_error() {
        assert!(parse_file(&info(), "---\ntitle: x\n").is_err());
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,300}", t in "(---\n(title|tags|kind): [a-z#\\[\\], ]{0,10}\n---\n)?(#{0,2} ?[a-z#`~ ]{0,12}\n){0,8}") {
            let _ = parse_file(&info(), &s);
            let _ = parse_file(&info(), &t);
        }
    }
}
