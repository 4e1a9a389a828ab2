//! The only place that prints. Data goes to stdout (a table, plain lines or one JSON document),
//! status and warnings to stderr. Text from the database passes through [`sanitize`] (in `text`) first,
//! and every line to stderr passes it again (see [`to_stderr`]).

use std::cell::RefCell;
use std::io::{self, IsTerminal, Write};
use std::process::{Child, Stdio};

use comfy_table::{ContentArrangement, presets};
use serde::Serialize;

// The pure text functions live below every layer (`text`), so that the library can word its
// errors safely without reaching up to the printer; they are the output's API too.
pub use crate::text::{
    HIGHLIGHT_END, HIGHLIGHT_START, count, plain_highlight, plural, sanitize, sanitize_line,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The pager when `$PAGER` is not set; -F quits at once when the text fits on one screen.
const DEFAULT_PAGER: &str = "less -FRX";

pub struct Output {
    pub json: bool,
    quiet: bool,
    color: bool,
    stdout_is_tty: bool,
    /// The pager command, when paging is allowed: stdout is a terminal, no --json, no --no-pager.
    pager: Option<String>,
    /// The running pager that stdout goes to, once a command asked for it.
    paging: RefCell<Option<Child>>,
}

impl Output {
    pub fn new(json: bool, quiet: bool, choice: ColorChoice) -> Output {
        let stdout_is_tty = io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => stdout_is_tty && !no_color,
        };
        Output {
            json,
            quiet,
            color,
            stdout_is_tty,
            pager: None,
            paging: RefCell::new(None),
        }
    }

    /// Allow paging through `$PAGER` (else `less -FRX`) unless `--no-pager`, `--json` or a
    /// stdout that is not a terminal rule it out. An empty `$PAGER` or `cat` means no pager.
    pub fn allow_pager(&mut self, no_pager: bool) {
        if no_pager || self.json || !self.stdout_is_tty {
            return;
        }
        let command = match std::env::var("PAGER") {
            Ok(p) => p.trim().to_owned(),
            Err(_) => DEFAULT_PAGER.to_owned(),
        };
        if !command.is_empty() && command != "cat" {
            self.pager = Some(command);
        }
    }

    /// Send what this command prints next through the pager, when one is allowed. For output
    /// that can run past a screen: lists, search results, an entry with its thread.
    pub fn page(&self) {
        let Some(command) = &self.pager else { return };
        if self.paging.borrow().is_some() {
            return;
        }
        let spawned = std::process::Command::new("sh")
            .arg("-c")
            .arg(command)
            .stdin(Stdio::piped())
            .spawn();
        // A pager that cannot start is no reason to fail: print to the terminal instead.
        if let Ok(child) = spawned {
            *self.paging.borrow_mut() = Some(child);
        }
    }

    fn write_stdout(&self, bytes: &[u8]) -> io::Result<()> {
        if let Some(child) = self.paging.borrow_mut().as_mut()
            && let Some(stdin) = child.stdin.as_mut()
        {
            return stdin.write_all(bytes);
        }
        let mut out = io::stdout().lock();
        out.write_all(bytes)?;
        out.flush()
    }

    /// A progress bar on stderr for a long import or export, shown only on a terminal and never
    /// with --json or --quiet. `total` is the work in bytes, or `None` when unknown (a spinner).
    pub fn progress(&self, total: Option<u64>, what: &str) -> indicatif::ProgressBar {
        use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
        if self.json || self.quiet || !io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let bar = match total {
            Some(total) => ProgressBar::new(total).with_style(
                ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} ({eta} left)")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{spinner} {msg} {bytes} ({elapsed})")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        bar.set_draw_target(ProgressDrawTarget::stderr());
        bar.set_message(what.to_owned());
        bar
    }

    /// Print one JSON document on stdout.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> anyhow::Result<()> {
        // Serialise first: serde_json's writer errors hide the io::Error from the error chain,
        // which turned a closed pipe (`rep list --json | head`) into an internal error.
        let mut text = serde_json::to_string_pretty(value)?;
        text.push('\n');
        self.write_stdout(text.as_bytes())?;
        Ok(())
    }

    /// Print a line (or lines) on stdout. It takes only [`Own`] text, as a status line does:
    /// foreign text reaches stdout through [`Untrusted`] (or a [`Table`]'s cells) or not at all.
    pub fn print(&self, text: impl Into<Own>) -> anyhow::Result<()> {
        let text = text.into().0;
        if text.ends_with('\n') {
            self.write_stdout(text.as_bytes())?;
        } else {
            self.write_stdout(format!("{text}\n").as_bytes())?;
        }
        Ok(())
    }

    pub fn print_table(&self, table: &Table) -> anyhow::Result<()> {
        self.print(Own(table.render()))
    }

    /// A status line for humans on stderr, silenced by `--quiet`. It takes only [`Own`] text,
    /// so foreign text reaches it through [`Untrusted`] or not at all.
    pub fn status(&self, message: impl Into<Own>) {
        if !self.quiet {
            to_stderr(message);
        }
    }

    /// A note that something was empty or truncated; also silenced by `--quiet`.
    pub fn note(&self, message: impl Into<Own>) {
        if !self.quiet {
            to_stderr(Own(format!("note: {}", message.into().0)));
        }
    }

    /// A table in the house style: no borders, upper-case header, fitted to the terminal.
    pub fn table(&self, header: &[&'static str]) -> Table {
        self.table_of(header.iter().map(|h| Cell::from(*h)))
    }

    /// [`Output::table`] with a header that holds foreign text too (member names as columns).
    pub fn table_of(&self, header: impl IntoIterator<Item = Cell>) -> Table {
        let mut table = comfy_table::Table::new();
        table.load_preset(presets::NOTHING);
        if self.stdout_is_tty {
            table.set_content_arrangement(ContentArrangement::Dynamic);
        } else {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
        table.set_header(header.into_iter().map(|h| h.text.to_uppercase()));
        for column in table.column_iter_mut() {
            column.set_padding((0, 2));
        }
        Table(table)
    }

    /// Fit `table` to the terminal's width (`COLUMNS` when set, as in tests): hide the columns
    /// of `drop_first`, in that order, until every column left can be as wide as its longest
    /// word, then let the table wrap between words, never inside one. Without a width (a pipe
    /// and no `COLUMNS`) the table keeps whole lines, as scripts want.
    pub fn fit(&self, table: &mut Table, drop_first: &[usize]) {
        let table = &mut table.0;
        let from_env = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<u16>().ok())
            .filter(|c| *c > 0);
        let Some(width) = from_env.or_else(|| self.stdout_is_tty.then(|| table.width()).flatten())
        else {
            return;
        };
        let longest_word = |text: &str| {
            text.split_whitespace()
                .map(unicode_width::UnicodeWidthStr::width)
                .max()
                .unwrap_or(0)
        };
        let columns = table.column_count();
        let mut min = vec![0usize; columns];
        let rows = table.header().into_iter().chain(table.row_iter());
        for row in rows {
            for (i, cell) in row.cell_iter().enumerate().take(columns) {
                min[i] = min[i].max(longest_word(&cell.content()));
            }
        }
        // Each column carries two spaces of padding on its right.
        let needed = |hidden: &[usize]| -> usize {
            (0..columns)
                .filter(|i| !hidden.contains(i))
                .map(|i| min[i] + 2)
                .sum()
        };
        let mut hidden = Vec::new();
        for &column in drop_first {
            if needed(&hidden) <= usize::from(width) {
                break;
            }
            hidden.push(column);
        }
        table.set_content_arrangement(ContentArrangement::Dynamic);
        table.set_width(width);
        for (i, column) in table.column_iter_mut().enumerate() {
            column.set_constraint(if hidden.contains(&i) {
                comfy_table::ColumnConstraint::Hidden
            } else {
                comfy_table::ColumnConstraint::LowerBoundary(comfy_table::Width::Fixed(
                    u16::try_from(min[i] + 2).unwrap_or(u16::MAX),
                ))
            });
        }
    }

    /// Whether output is coloured (a terminal without NO_COLOR, or --color always).
    pub fn color(&self) -> bool {
        self.color
    }

    pub fn bold(&self, text: impl Into<Own>) -> Styled {
        self.paint("1", text.into())
    }

    pub fn dim(&self, text: impl Into<Own>) -> Styled {
        self.paint("2", text.into())
    }

    pub fn accent(&self, text: impl Into<Own>) -> Styled {
        self.paint("33", text.into())
    }

    fn paint(&self, code: &str, text: Own) -> Styled {
        Styled(paint(self.color, code, &text.0))
    }

    /// Turn the markers of a snippet (sanitised, so [`Own`]) into colour on a terminal, or `**`
    /// otherwise.
    pub fn highlight(&self, snippet: impl Into<Own>) -> Styled {
        let (start, end) = if self.color {
            ("\x1b[1;33m", "\x1b[0m")
        } else {
            ("**", "**")
        };
        Styled(
            snippet
                .into()
                .0
                .replace(HIGHLIGHT_START, start)
                .replace(HIGHLIGHT_END, end),
        )
    }
}

impl Drop for Output {
    /// Wait for the pager, so the prompt comes back only when the reader is done.
    fn drop(&mut self) {
        if let Some(mut child) = self.paging.get_mut().take() {
            drop(child.stdin.take());
            let _ = child.wait();
        }
    }
}

/// Text rep did not write: from the database, an imported file, a teammate or the command line.
/// It can only be shown sanitised: as one line ([`sanitize_line`]), or with `{:#}` keeping its
/// line breaks ([`sanitize`]). A table cell takes it or rep's own text ([`Cell`]), nothing else,
/// so that a forgotten sanitise is a compile error, not an escape-injection bug.
#[derive(Debug, Clone, Copy)]
pub struct Untrusted<'a>(pub &'a str);

impl std::fmt::Display for Untrusted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if f.alternate() {
            f.write_str(&sanitize(self.0))
        } else {
            f.write_str(&sanitize_line(self.0))
        }
    }
}

/// Text rep wrote itself, the only text a status line, a note or a style takes: literals,
/// numbers, ids rep formats, and foreign pieces only as [`Untrusted`] (sanitised as they are
/// formatted in). [`Own::new`] is the one door that does not sanitise, named so that a reader
/// sees each use, as [`Cell::own`] is for cells.
#[derive(Debug, Clone)]
pub struct Own(String);

impl Own {
    pub fn new(text: impl Into<String>) -> Own {
        Own(text.into())
    }
}

impl From<&'static str> for Own {
    fn from(text: &'static str) -> Own {
        Own(text.to_owned())
    }
}

impl From<Untrusted<'_>> for Own {
    fn from(text: Untrusted<'_>) -> Own {
        Own(sanitize_line(text.0))
    }
}

impl std::fmt::Display for Own {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// rep's own text in colour ([`Output::bold`] and the like): it carries the only escape
/// sequences rep prints, so it is a type of its own that no door takes for foreign text; it goes
/// to stdout or into a cell, never to stderr.
#[derive(Debug, Clone)]
pub struct Styled(String);

/// Styled text prints as it is ([`Output::print`]).
impl std::ops::Deref for Styled {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Styled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A style inside another (a dimmed snippet with its highlights).
impl From<Styled> for Own {
    fn from(text: Styled) -> Own {
        Own(text.0)
    }
}

impl From<Styled> for Cell {
    fn from(text: Styled) -> Cell {
        Cell::own(text.0)
    }
}

/// One table cell: foreign text, sanitised to one line when the cell is made, or rep's own text
/// (a literal, a number, an id rep formats, a style of [`Output::bold`] and the like).
#[derive(Debug, Clone)]
pub struct Cell {
    text: String,
    /// Background and foreground, as xterm 256-colour numbers (the map's heat cells).
    shade: Option<(u8, u8)>,
}

impl Cell {
    /// Text rep wrote itself, built from literals, numbers and [`Untrusted`] pieces: the one
    /// door into a cell that does not sanitise, named so that a reader sees each use.
    pub fn own(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            shade: None,
        }
    }

    /// Cells one under the other in one cell (a finding and its problems, a member's evidence).
    pub fn lines(cells: impl IntoIterator<Item = Cell>) -> Cell {
        let text: Vec<String> = cells.into_iter().map(|c| c.text).collect();
        Cell::own(text.join("\n"))
    }

    /// This cell on background `bg` in foreground `fg` (xterm 256 colours).
    pub fn shaded(mut self, bg: u8, fg: u8) -> Cell {
        self.shade = Some((bg, fg));
        self
    }

    fn into_comfy(self) -> comfy_table::Cell {
        let cell = comfy_table::Cell::new(self.text);
        match self.shade {
            Some((bg, fg)) => cell
                .bg(comfy_table::Color::AnsiValue(bg))
                .fg(comfy_table::Color::AnsiValue(fg)),
            None => cell,
        }
    }
}

impl From<Untrusted<'_>> for Cell {
    fn from(text: Untrusted<'_>) -> Cell {
        Cell::own(sanitize_line(text.0))
    }
}

impl From<&'static str> for Cell {
    fn from(text: &'static str) -> Cell {
        Cell::own(text)
    }
}

macro_rules! number_cells {
    ($($t:ty),*) => {$(
        impl From<$t> for Cell {
            fn from(n: $t) -> Cell {
                Cell::own(n.to_string())
            }
        }
    )*};
}
number_cells!(u32, u64, usize, i64);

/// A table of [`Cell`]s in the house style, made by [`Output::table`].
pub struct Table(comfy_table::Table);

impl Table {
    pub fn row(&mut self, cells: impl IntoIterator<Item = Cell>) {
        self.0.add_row(cells.into_iter().map(Cell::into_comfy));
    }

    /// Keep the cells' shades even where comfy-table thinks the output is no terminal.
    pub fn enforce_styling(&mut self) {
        self.0.enforce_styling();
    }

    /// The table as text, each line without its trailing padding.
    pub fn render(&self) -> String {
        let lines: Vec<String> = self.0.lines().map(|l| l.trim_end().to_owned()).collect();
        lines.join("\n")
    }
}

/// `text` in the SGR style `code` when `color` is on: the only escape sequences rep prints.
pub fn paint(color: bool, code: &str, text: &str) -> String {
    if color && !text.is_empty() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// One line on stderr, through [`sanitize`]: every status line, note, hint and error rep writes
/// there passes this one door, so foreign text that a call site forgot to sanitise still cannot
/// drive the terminal (rep's own stderr lines hold no escape sequences; colour is for stdout).
/// A stderr that cannot be written (a closed pipe, a full disk) loses the line and nothing
/// else: a status line must never turn a committed write into a failure, as `eprintln!`, which
/// panics there, did.
pub fn to_stderr(line: impl Into<Own>) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{}", stderr_line(&line.into().0));
}

fn stderr_line(line: &str) -> String {
    sanitize(line)
}

/// Where an export to stdout goes: the exact bytes into a pipe or file, and on a terminal the
/// same text line by line through [`sanitize`], as every other output is.
pub fn export_stdout() -> Box<dyn Write + Send> {
    if io::stdout().is_terminal() {
        Box::new(TerminalSafe {
            out: io::stdout(),
            line: Vec::new(),
        })
    } else {
        Box::new(io::stdout())
    }
}

/// Holds bytes until a line is whole (a character or an escape sequence may span writes), then
/// writes it sanitised.
struct TerminalSafe<W: Write> {
    out: W,
    line: Vec<u8>,
}

impl<W: Write> TerminalSafe<W> {
    fn write_line(&mut self) -> io::Result<()> {
        let text = String::from_utf8_lossy(&self.line);
        self.out.write_all(sanitize(&text).as_bytes())?;
        self.line.clear();
        Ok(())
    }
}

impl<W: Write> Write for TerminalSafe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for chunk in buf.split_inclusive(|b| *b == b'\n') {
            self.line.extend_from_slice(chunk);
            if chunk.ends_with(b"\n") {
                self.write_line()?;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.line.is_empty() {
            self.write_line()?;
        }
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stderr_line_never_carries_escapes_whatever_its_call_site_forgot() {
        let forgot = "imported \x1b]0;owned\x07title \x1b[2Jand \u{202e}more\nnext line";
        assert_eq!(stderr_line(forgot), "imported title and more\nnext line");
    }

    #[test]
    fn foreign_text_enters_a_status_line_or_a_style_only_sanitised() {
        let title = "a \x1b]0;owned\x07title\nwith \u{202e}lines";
        let line = Own::new(format!("asked abcd: {}", Untrusted(title)));
        assert_eq!(line.to_string(), "asked abcd: a title with lines");
        let kept = Own::new(format!("warning: {:#}", Untrusted(title)));
        assert_eq!(kept.to_string(), "warning: a title\nwith lines");
        assert_eq!(
            Own::from(Untrusted(title)).to_string(),
            "a title with lines"
        );
        let out = Output::new(false, false, ColorChoice::Always);
        assert_eq!(
            out.bold(Untrusted(title)).to_string(),
            "\x1b[1ma title with lines\x1b[0m"
        );
    }
}
