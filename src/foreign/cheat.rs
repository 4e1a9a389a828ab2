//! cheat sheets (cheat/cheat): a file named after the command, optional front matter with
//! `tags: [...]` and `syntax:`, then `# comment` lines over commands. A sheet becomes one tool:
//! its path in the cheatpath is the title (`vim-plugins/vim-fzf`, as `cheat` names it), its
//! file name a tag, its first command the command, and its text the body as one fenced code
//! block: a sheet is plain text, and its `# comment` lines are not Markdown headings.

use super::front_matter;
use super::{FileInfo, Found, Parsed, tag_from_name};

pub fn parse_file(file: &FileInfo, text: &str) -> Result<Parsed, String> {
    let text = text.replace("\r\n", "\n");
    let (front, rest) = front_matter::split(&text)?;
    let body = rest.trim_matches('\n').trim_end();
    if body.trim().is_empty() {
        return Err("the sheet is empty".into());
    }
    let name = file.stem();
    let title = match file.relative.rsplit_once('/') {
        Some((folders, _)) => format!("{folders}/{name}"),
        None => name.to_owned(),
    };
    let mut found = Found::tool(format!("cheat:{}", file.relative), title);
    let syntax = front
        .as_ref()
        .and_then(|f| f.get("syntax"))
        .and_then(|v| v.as_scalar())
        .filter(|s| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .unwrap_or("");
    found.body = code_block(body, syntax);
    found.command = body
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned);
    found.tags.extend(tag_from_name(name));
    if let Some(tags) = front.as_ref().and_then(|f| f.get("tags")) {
        found.tags.extend(tags.words());
    }
    Ok(Parsed {
        found: vec![found],
        skipped: Vec::new(),
    })
}

/// `text` as one fenced code block, fenced longer than any backtick run inside it.
pub fn code_block(text: &str, syntax: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{syntax}\n{text}\n{fence}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn info() -> FileInfo {
        FileInfo {
            relative: "personal/tar".into(),
            folder: Some("personal".into()),
            ancestors: Vec::new(),
        }
    }

    #[test]
    fn sheet_keeps_front_matter_tags() {
        let text = "---\nsyntax: bash\ntags: [ archive, compression ]\n---\n# To extract:\ntar -xvf /path/to/foo.tar\n\n# To create:\ntar -cvf foo.tar bar/\n";
        let parsed = parse_file(&info(), text).unwrap();
        let f = &parsed.found[0];
        assert_eq!(f.key, "cheat:personal/tar");
        assert_eq!(f.tags, ["tar", "archive", "compression"]);
        assert_eq!(f.command.as_deref(), Some("tar -xvf /path/to/foo.tar"));
        assert!(f.body.starts_with("```bash\n# To extract:\n"));
        assert!(f.body.ends_with("bar/\n```\n"));
        assert_eq!(f.title, "personal/tar");
    }

    #[test]
    fn sheets_without_front_matter_and_broken_ones() {
        let parsed = parse_file(&info(), "# list\nls -la\n").unwrap();
        assert_eq!(parsed.found[0].tags, ["tar"]);
        assert!(parse_file(&info(), "---\ntags: [a]\n# never closed\n").is_err());
        assert!(
            parse_file(&info(), "---\ntags: [a]\n---\n\n")
                .unwrap_err()
                .contains("empty")
        );
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,300}", t in "(---\n)?(tags: \\[[a-z, ]{0,8}\\]?\n)?(---\n)?[#a-z \n]{0,40}") {
            let _ = parse_file(&info(), &s);
            let _ = parse_file(&info(), &t);
        }
    }
}
