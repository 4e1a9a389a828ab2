//! cheat sheets (cheat/cheat): a file named after the command, optional front matter with
//! `tags: [...]` and `syntax:`, then `# comment` lines over commands. A sheet becomes one tool:
//! its name is the title and a tag, its text the body, its first command the command.

use super::front_matter;
use super::{FileInfo, Found, Parsed, tag_from_name};

pub fn parse_file(file: &FileInfo, text: &str) -> Result<Parsed, String> {
    let (front, rest) = front_matter::split(text)?;
    let body = rest.trim_matches('\n').trim_end();
    if body.trim().is_empty() {
        return Err("the sheet is empty".into());
    }
    let name = file.stem();
    let mut found = Found::tool(format!("cheat:{}", file.relative), name.to_owned());
    found.body = format!("{body}\n");
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn info() -> FileInfo {
        FileInfo {
            relative: "personal/tar".into(),
            folder: Some("personal".into()),
        }
    }

    #[test]
    fn sheet_keeps_front_matter_tags() {
        let text = "---\nsyntax: bash\ntags: [ archive, compression ]\n---\n# To extract:\ntar -xvf /path/to/foo.tar\n\n# To create:\ntar -cvf foo.tar bar/\n";
        let parsed = parse_file(&info(), text).unwrap();
        let f = &parsed.found[0];
        assert_eq!(f.key, "cheat:personal/tar");
        assert_eq!(f.title, "tar");
        assert_eq!(f.tags, ["tar", "archive", "compression"]);
        assert_eq!(f.command.as_deref(), Some("tar -xvf /path/to/foo.tar"));
        assert!(f.body.starts_with("# To extract:\n"));
        assert!(f.body.ends_with("bar/\n"));
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
