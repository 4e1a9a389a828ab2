//! Choosing an entry when no id was typed: a fuzzy list on the terminal, never on a pipe.
//! Every command that takes an entry id goes through [`entry_id`].

use std::io::IsTerminal as _;

use dialoguer::FuzzySelect;
use dialoguer::console::Term;
use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};

use crate::context::Context;
use crate::error::RepError;
use crate::model::Entry;
use crate::output::sanitize_line;
use crate::store::entries::{self, Scope};
use crate::terminal;

/// What a command accepts in place of a missing id.
#[derive(Debug, Clone, Copy)]
pub struct Wanted {
    pub scope: Scope,
    /// Only these kinds (any when empty).
    pub kinds: &'static [&'static str],
}

impl Wanted {
    pub const LIVE: Wanted = Wanted {
        scope: Scope::Live,
        kinds: &[],
    };
    pub const ANY: Wanted = Wanted {
        scope: Scope::Any,
        kinds: &[],
    };
    pub const DELETED: Wanted = Wanted {
        scope: Scope::Deleted,
        kinds: &[],
    };
    pub const OPEN_ENDED: Wanted = Wanted {
        scope: Scope::Live,
        kinds: &["problem", "question"],
    };
}

/// Prompts only when a person is there to answer: stdin and stderr are terminals.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// The id the user typed, or one chosen from a list on a terminal. Without a terminal a
/// missing id is a usage error that names the argument.
pub fn entry_id(
    ctx: &mut Context,
    given: Option<String>,
    wanted: Wanted,
) -> anyhow::Result<String> {
    if let Some(id) = given {
        return Ok(id);
    }
    if !interactive() {
        return Err(RepError::usage("the argument <ID> is missing")
            .with_hint(
                "give the entry's id (`rep list` or `rep search WORDS` shows ids); \
                 on a terminal, leave it out to pick from a list",
            )
            .into());
    }
    let found = ctx
        .store_for_reading()?
        .read(|c| entries::pick_candidates(c, wanted.scope, wanted.kinds, false))?;
    if found.is_empty() {
        return Err(nothing_to_pick(wanted).into());
    }
    let items: Vec<String> = found.iter().map(|e| item_line(e, false)).collect();
    match choose("entry (type to filter, Esc to cancel)", &items, "")? {
        Some(at) => Ok(found[at].id.clone()),
        None => Err(RepError::user("cancelled: no entry was chosen; nothing was written").into()),
    }
}

fn nothing_to_pick(wanted: Wanted) -> RepError {
    match (wanted.scope, wanted.kinds) {
        (Scope::Deleted, _) => RepError::user("no deleted entries: there is nothing to restore")
            .with_hint("`rep rm ID` deletes an entry; `rep list` shows the live ones"),
        (_, []) => RepError::user("no entries yet")
            .with_hint("try `rep add tool \"A first trick\" --cmd \"...\"`"),
        (_, _) => RepError::user("no open problems or questions yet")
            .with_hint("`rep ask \"What I am stuck on\"` asks one"),
    }
}

/// One line of a picker: short id, kind, domain, title and, when asked, the command. A deleted
/// entry (offered only by pickers that take one, such as `rep history`) says so.
pub fn item_line(e: &Entry, with_command: bool) -> String {
    let mut line = format!(
        "{:<6} {:<8} {:<12} {}",
        e.short_id,
        e.kind,
        sanitize_line(&e.domain),
        sanitize_line(&e.title)
    );
    if e.deleted {
        line.push_str("  (deleted)");
    }
    if with_command && let Some(command) = &e.command {
        line.push_str("  $ ");
        line.push_str(&sanitize_line(command));
    }
    line
}

/// `line` cut to `width` characters, with `…` where it was cut.
fn fit(line: &str, width: usize) -> String {
    if line.chars().count() <= width {
        return line.to_owned();
    }
    let mut cut: String = line.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// A fuzzy list on stderr; `None` when the user pressed Esc or q.
pub fn choose(prompt: &str, items: &[String], query: &str) -> anyhow::Result<Option<usize>> {
    let colorful = ColorfulTheme::default();
    let plain = SimpleTheme;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme: &dyn Theme = if no_color { &plain } else { &colorful };
    let term = Term::stderr();
    // A line wider than the terminal wraps, and the list then redraws over itself.
    let width = usize::from(term.size().1).saturating_sub(4).max(20);
    let items: Vec<String> = items.iter().map(|i| fit(i, width)).collect();
    on_terminal(&term, |term| {
        FuzzySelect::with_theme(theme)
            .with_prompt(prompt)
            .items(&items)
            .with_initial_text(sanitize_line(query))
            .max_length(15)
            .report(false)
            .default(0)
            .interact_on_opt(term)
    })
}

/// Run a dialoguer prompt on `term` and give the terminal back as it was on every way out:
/// dialoguer hides the cursor and leaves it hidden when the prompt is cancelled, and on Ctrl-C
/// console raises SIGINT itself, which would end the process before anything showed it again.
/// Ctrl-C, or SIGINT, SIGTERM or SIGHUP from elsewhere, restores the terminal and exits with
/// 128 + the signal's number, writing nothing ([`terminal`]).
pub fn on_terminal<T>(
    term: &Term,
    prompt: impl FnOnce(&Term) -> dialoguer::Result<T>,
) -> anyhow::Result<T> {
    terminal::guard();
    let outcome = prompt(term);
    terminal::restore();
    match outcome {
        Ok(value) => Ok(value),
        Err(dialoguer::Error::IO(io)) if io.kind() == std::io::ErrorKind::Interrupted => {
            terminal::interrupted()
        }
        Err(dialoguer::Error::IO(io)) => {
            Err(anyhow::Error::new(io).context("while showing the list"))
        }
    }
}
