//! Choosing an entry when no id was typed: a list on the terminal, never on a pipe, filtered in
//! the database as the user types ([`crate::store::picking`]), so that its first frame is quick
//! and every live entry is in reach at any size. Every command that takes an entry id goes
//! through [`entry_id`]; `rep pick` through [`choose_entry`].

use std::io::IsTerminal as _;

use dialoguer::console::Term;

use crate::context::Context;
use crate::error::RepError;
use crate::finder::{Finder, Outcome};
use crate::model::Entry;
use crate::output::sanitize_line;
use crate::store::entries::Scope;
use crate::store::picking::{self, Offer};
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
        kinds: crate::rules::kinds::WITH_STATUS,
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
    let offer = Offer {
        scope: wanted.scope,
        kinds: wanted.kinds,
        with_command: false,
    };
    match choose_entry(ctx, "entry (type to filter, Esc to cancel)", offer, "")? {
        Some(entry) => Ok(entry.id),
        None => Err(RepError::user("cancelled: no entry was chosen; nothing was written").into()),
    }
}

/// An entry chosen in a list of those `offer` allows (with their commands when it asks for
/// them), starting from `query`; `None` when the user pressed Esc. Fails with a hint when there
/// is nothing at all to offer.
pub fn choose_entry(
    ctx: &mut Context,
    prompt: &str,
    offer: Offer<'_>,
    query: &str,
) -> anyhow::Result<Option<Entry>> {
    let store = ctx.store_for_reading()?;
    let first_page = store.read(|c| picking::offered(c, offer, ""))?;
    if first_page.is_empty() {
        return Err(nothing_to_pick(offer).into());
    }
    // Read once: it is also the first frame when nothing was typed yet.
    let mut first_page = Some(first_page).filter(|_| query.trim().is_empty());
    let finder = Finder {
        prompt,
        hints: Vec::new(),
        free_text: false,
        initial: query.to_owned(),
    };
    let outcome = finder.run(|typed| {
        let found = match first_page.take() {
            Some(page) => page,
            None => store.read(|c| picking::offered(c, offer, typed))?,
        };
        Ok(found
            .into_iter()
            .map(|e| (item_line(&e, offer.with_command), e))
            .collect())
    })?;
    Ok(match outcome {
        Outcome::Chosen(entry) => Some(entry),
        Outcome::Typed(_) | Outcome::Cancelled => None,
    })
}

fn nothing_to_pick(offer: Offer<'_>) -> RepError {
    if offer.with_command {
        return RepError::user("no tools with a command yet").with_hint(
            "run a command, then `rep-save` saves it; or `rep add tool TITLE --cmd CMD`",
        );
    }
    match (offer.scope, offer.kinds) {
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
