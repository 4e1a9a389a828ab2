//! A recalled command's placeholders, asked for on the terminal before the command goes on the
//! prompt: each distinct placeholder once, in order, its name as the prompt; a tldr option
//! placeholder offers its alternatives, a navi one the values its `$ name:` line would give
//! when that line is a plain literal list. A suggestion line is someone else's shell command:
//! it is shown as a hint and never run. Values go in as typed, unquoted, as navi inserts them:
//! the command lands on the prompt, where it can still be read and edited before it runs.

use std::collections::HashMap;

use crate::finder::{Finder, Outcome};
use crate::output::sanitize_line;
use crate::placeholders::{self, Slot};

/// `command` with its placeholders filled on the terminal; `None` when the user pressed Esc
/// (nothing goes on the prompt). `body` is the entry's, where a navi import keeps its
/// `$ name: command` lines.
pub fn fill_on_terminal(command: &str, body: &str) -> anyhow::Result<Option<String>> {
    let pieces = placeholders::scan(command);
    let slots = placeholders::distinct(&pieces);
    if slots.is_empty() {
        return Ok(Some(command.to_owned()));
    }
    let suggestions = placeholders::suggestions(body);
    let shown_command = sanitize_line(command);
    let mut values: HashMap<String, String> = HashMap::new();
    for (at, slot) in slots.iter().enumerate() {
        let suggestion = if slot.is_navi() {
            suggestions.get(slot.name)
        } else {
            None
        };
        let choices = choices_for(slot, suggestion);
        let mut hints = vec![format!("in: {shown_command}")];
        if let Some(s) = suggestion {
            hints.push(format!("suggested by: {}", sanitize_line(&s.command)));
        }
        if !choices.is_empty() {
            hints.push("Enter takes the value chosen, Tab what you typed".to_owned());
        }
        let prompt = format!("{} ({}/{}):", sanitize_line(slot.name), at + 1, slots.len());
        let finder = Finder {
            prompt: &prompt,
            hints,
            free_text: true,
            initial: String::new(),
        };
        let outcome = finder.run(|query| {
            let query = query.to_lowercase();
            Ok(choices
                .iter()
                .filter(|c| c.to_lowercase().contains(&query))
                .map(|c| (sanitize_line(c), c.clone()))
                .collect())
        })?;
        match outcome {
            Outcome::Chosen(value) | Outcome::Typed(value) => {
                values.insert(slot.raw.to_owned(), value);
            }
            Outcome::Cancelled => return Ok(None),
        }
    }
    Ok(Some(placeholders::fill(&pieces, &values)))
}

/// The values to offer for `slot`: a tldr option's alternatives, or a literal navi list.
fn choices_for(slot: &Slot<'_>, suggestion: Option<&placeholders::Suggestion>) -> Vec<String> {
    if let Some(alternatives) = slot.alternatives() {
        return alternatives.into_iter().map(str::to_owned).collect();
    }
    suggestion
        .and_then(|s| s.values.clone())
        .unwrap_or_default()
}
