//! Writing an entry in `$VISUAL`/`$EDITOR`: a template that explains itself; saving it empty or
//! unchanged cancels, as `git commit` does.

use std::io::Write as _;

use anyhow::Context as _;

use crate::error::RepError;

const SCISSORS: &str = "# ------------------------ >8 ------------------------";

/// What the user wrote: a title and a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub title: String,
    pub body: String,
}

/// What saving the draft as it was offered means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unchanged {
    /// Nothing to write (an entry being added or edited): as `git commit`, cancel.
    Cancels,
    /// rep wrote the draft for the user (a write-up): saved as it is, it is written as it is.
    Accepts,
}

fn template_for(draft: &Draft, what: &str, unchanged: Unchanged) -> String {
    let mut text = String::new();
    text.push_str(&draft.title);
    text.push_str("\n\n");
    text.push_str(&draft.body);
    if !draft.body.is_empty() && !draft.body.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!(
        "{SCISSORS}\n\
         # {what}\n\
         # Write the title on the first line, then a blank line, then the body (Markdown).\n\
         # Everything from the scissors line down is ignored.\n\
         # {}\n",
        match unchanged {
            Unchanged::Cancels =>
                "Save an empty or unchanged text to cancel: nothing will be written.",
            Unchanged::Accepts =>
                "Save it as it is to keep the draft; save an empty text to cancel.",
        }
    ));
    text
}

/// Read a saved template back; `None` when there is no title.
pub fn parse(text: &str) -> Option<Draft> {
    let kept = match text.find(SCISSORS) {
        Some(at) => &text[..at],
        None => text,
    };
    let mut lines = kept.lines().skip_while(|l| l.trim().is_empty());
    let title = lines.next()?.trim().to_owned();
    let body: Vec<&str> = lines.skip_while(|l| l.trim().is_empty()).collect();
    let body = body.join("\n").trim_end().to_owned();
    Some(Draft { title, body })
}

/// The error every `-e` flow returns when the user cancels: exit 1, as `git commit` does when
/// its message is left empty, so that a script or `&&` chain stops there.
pub fn cancelled() -> anyhow::Error {
    RepError::user("cancelled: the text was saved empty or unchanged; nothing was written")
        .with_hint("write a title on the first line and save to go ahead")
        .into()
}

/// Open the editor on `draft`; `Ok(None)` when the user cancelled (saved it empty or unchanged).
pub fn edit(draft: &Draft, what: &str) -> anyhow::Result<Option<Draft>> {
    edit_with(draft, what, Unchanged::Cancels)
}

/// Open the editor on `draft`; `Ok(None)` only when the user saved it empty.
pub fn edit_with(
    draft: &Draft,
    what: &str,
    if_unchanged: Unchanged,
) -> anyhow::Result<Option<Draft>> {
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()))
        .unwrap_or_else(|| "vi".to_owned());
    let mut file = tempfile::Builder::new()
        .prefix("rep-entry-")
        .suffix(".md")
        .tempfile()?;
    file.write_all(template_for(draft, what, if_unchanged).as_bytes())?;
    file.flush()?;
    // Through the shell, as git does, so EDITOR may carry arguments ("code --wait").
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("rep")
        .arg(file.path())
        .status()
        .map_err(|e| RepError::environment(format!("cannot start the editor `{editor}`: {e}")))?;
    if !status.success() {
        return Err(
            RepError::environment(format!("the editor `{editor}` exited with {status}"))
                .with_hint("nothing was written; set VISUAL or EDITOR to a working editor")
                .into(),
        );
    }
    let bytes = std::fs::read(file.path()).context("cannot read back the edited file")?;
    let text = String::from_utf8(bytes)
        .map_err(|_| RepError::user("the edited text is not valid UTF-8; nothing was written"))?;
    // Compare with the draft as it reads back from the template, not the draft itself: the
    // round trip trims blank lines and trailing space, which must not count as a change.
    let unchanged = parse(&template_for(draft, what, if_unchanged));
    match parse(&text) {
        Some(edited) if Some(&edited) != unchanged.as_ref() => Ok(Some(edited)),
        Some(edited) if if_unchanged == Unchanged::Accepts => Ok(Some(edited)),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn template_round_trips() {
        let d = Draft {
            title: "Title".into(),
            body: "# Heading\n\nsome *text*".into(),
        };
        assert_eq!(parse(&template_for(&d, "x", Unchanged::Cancels)), Some(d));
    }

    #[test]
    fn empty_template_has_no_title() {
        let d = Draft {
            title: String::new(),
            body: String::new(),
        };
        assert_eq!(parse(&template_for(&d, "x", Unchanged::Cancels)), None);
    }

    proptest! {
        #[test]
        fn round_trip_for_one_line_titles(title in "[^\\n\\r#][^\\n\\r]{0,30}", body in "[^\\r]{0,80}") {
            prop_assume!(!title.trim().is_empty());
            let d = Draft { title: title.trim().to_owned(), body: body.trim_end().to_owned() };
            prop_assume!(!d.body.starts_with(|c: char| c.is_whitespace()));
            prop_assume!(!d.body.contains(SCISSORS));
            prop_assert_eq!(parse(&template_for(&d, "x", Unchanged::Cancels)), Some(d));
        }
    }
}
