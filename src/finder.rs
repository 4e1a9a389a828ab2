//! A prompt line with a list under it that a callback refills at each keystroke: the entry
//! pickers (filtered in the database as the user types, so the first frame never waits for the
//! whole repertoire) and the placeholder prompts (choices, or free text).
//!
//! Drawn on stderr: the prompt with what was typed and a `|` for the cursor, an optional dim
//! hint, then at most [`ROWS`] rows with `>` at the chosen one. Keys: typing and Backspace edit
//! the query (Ctrl-U empties it), Up/Down (Ctrl-P/Ctrl-N) move, Enter takes the chosen row (or,
//! where free text is allowed and nothing is listed, what was typed), Tab takes what was typed,
//! Esc cancels. Ctrl-C and signals give the terminal back ([`crate::terminal`]).

use std::time::Instant;

use dialoguer::console::{Key, Term, style};

use crate::output::sanitize_line;
use crate::terminal;

/// Rows of the list shown at once.
pub const ROWS: usize = 15;

/// What the user did.
#[derive(Debug)]
pub enum Outcome<T> {
    Chosen(T),
    /// Free text, where the prompt allows it.
    Typed(String),
    Cancelled,
}

/// One prompt with its list.
pub struct Finder<'a> {
    pub prompt: &'a str,
    /// Dim lines under the prompt.
    pub hints: Vec<String>,
    /// Whether Enter on an empty list (or Tab) gives what was typed.
    pub free_text: bool,
    pub initial: String,
}

impl Finder<'_> {
    /// Show the prompt until the user decides. `rows(query)` gives the lines to list and what
    /// each stands for, best first; it runs once for the first frame and once per change of
    /// the query, so it must be quick.
    pub fn run<T>(
        &self,
        mut rows: impl FnMut(&str) -> anyhow::Result<Vec<(String, T)>>,
    ) -> anyhow::Result<Outcome<T>> {
        terminal::guard();
        let term = Term::buffered_stderr();
        let _ = term.hide_cursor();
        let outcome = self.interact(&term, &mut rows);
        let _ = term.flush();
        terminal::restore();
        outcome
    }

    fn interact<T>(
        &self,
        term: &Term,
        rows: &mut impl FnMut(&str) -> anyhow::Result<Vec<(String, T)>>,
    ) -> anyhow::Result<Outcome<T>> {
        let mut query = sanitize_line(&self.initial);
        let mut listed = rows(&query)?;
        let mut chosen = 0usize;
        let mut drawn = self.draw(term, &query, &listed, chosen)?;
        if let Some(started) = STARTED.get() {
            note_timing("first_frame", *started, &query);
        }
        loop {
            let key = term.read_key_raw().map_err(|e| {
                anyhow::Error::new(e).context("while reading a key from the terminal")
            })?;
            let before = query.clone();
            match key {
                Key::CtrlC => {
                    let _ = term.clear_last_lines(drawn);
                    let _ = term.flush();
                    terminal::interrupted();
                }
                Key::Escape => {
                    term.clear_last_lines(drawn)?;
                    return Ok(Outcome::Cancelled);
                }
                Key::Enter if !listed.is_empty() => {
                    term.clear_last_lines(drawn)?;
                    let (_, value) = listed.swap_remove(chosen.min(listed.len() - 1));
                    return Ok(Outcome::Chosen(value));
                }
                Key::Enter | Key::Tab if self.free_text => {
                    term.clear_last_lines(drawn)?;
                    return Ok(Outcome::Typed(query));
                }
                Key::ArrowUp | Key::Char('\u{10}') => chosen = chosen.saturating_sub(1),
                Key::ArrowDown | Key::Char('\u{e}') => {
                    chosen = (chosen + 1).min(listed.len().saturating_sub(1));
                }
                Key::Backspace => {
                    query.pop();
                }
                Key::Char('\u{15}') => query.clear(),
                Key::Char(c) if !c.is_control() => query.push(c),
                _ => {}
            }
            if query != before {
                let asked = Instant::now();
                listed = rows(&query)?;
                note_timing("refill", asked, &query);
                chosen = 0;
            }
            term.clear_last_lines(drawn)?;
            drawn = self.draw(term, &query, &listed, chosen)?;
        }
    }

    /// Draw one frame; gives how many lines it took.
    fn draw<T>(
        &self,
        term: &Term,
        query: &str,
        listed: &[(String, T)],
        chosen: usize,
    ) -> anyhow::Result<usize> {
        let width = usize::from(term.size().1).saturating_sub(4).max(20);
        let plain = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let mut lines = vec![fit(&format!("{} {query}|", self.prompt), width)];
        for hint in &self.hints {
            let hint = fit(hint, width);
            lines.push(if plain {
                hint
            } else {
                style(hint).dim().to_string()
            });
        }
        // The window of rows that holds the chosen one.
        let first = chosen.saturating_sub(ROWS - 1);
        for (at, (line, _)) in listed.iter().enumerate().skip(first).take(ROWS) {
            let mark = if at == chosen { "> " } else { "  " };
            let line = fit(line, width);
            lines.push(if at == chosen && !plain {
                format!("{mark}{}", style(line).bold())
            } else {
                format!("{mark}{line}")
            });
        }
        if listed.is_empty() && !self.free_text {
            lines.push(if plain {
                "  (no match)".to_owned()
            } else {
                style("  (no match)").dim().to_string()
            });
        }
        for line in &lines {
            term.write_line(line)?;
        }
        term.flush()?;
        Ok(lines.len())
    }
}

/// `line` cut to `width` characters, with `…` where it was cut: a line wider than the
/// terminal wraps, and the list then redraws over itself.
pub fn fit(line: &str, width: usize) -> String {
    if line.chars().count() <= width {
        return line.to_owned();
    }
    let mut cut: String = line.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// When the process started, for [`note_timing`].
static STARTED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// Call first thing in the process: the clock the first frame is measured from.
pub fn mark_process_start() {
    STARTED.get_or_init(Instant::now);
}

/// With `REP_PICKER_TIMINGS=FILE`, append to FILE how many milliseconds after the process
/// started the first frame was drawn (`first_frame 12.3`), then how long each refill of the
/// list took (`refill 2.1 rsy`): bench/picker.sh measures with it. A file, not the screen, so
/// that a measure never lands in the frame it measures.
fn note_timing(what: &str, since: Instant, query: &str) {
    let Some(file) = std::env::var_os("REP_PICKER_TIMINGS") else {
        return;
    };
    let ms = since.elapsed().as_secs_f64() * 1000.0;
    let line = format!("{what} {ms:.2} {}\n", sanitize_line(query));
    // A measure that cannot be written is only a missing measure.
    let _ = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .and_then(|mut f| std::io::Write::write_all(&mut f, line.as_bytes()));
}
