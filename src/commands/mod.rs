//! One file per subcommand: its arguments and a `run` that reads like a recipe. Shared pieces of
//! argument handling and entry display live here.

pub mod accept;
pub mod add;
pub mod answer;
pub mod ask;
pub mod backup;
pub mod capture;
pub mod completions;
pub mod config;
pub mod doctor;
pub mod document;
pub mod domains;
pub mod edit;
pub mod export;
pub mod gaps;
pub mod git_setup;
pub mod helped;
pub mod history;
pub mod import;
pub mod link;
pub mod list;
pub mod man;
pub mod map;
pub mod members;
pub mod merge_driver;
pub mod news;
pub mod open;
pub mod pick;
pub mod remote;
pub mod resolve;
pub mod review;
pub mod rm;
pub mod search;
pub mod seen;
pub mod serve;
pub mod shell_init;
pub mod show;
pub mod stats;
pub mod sync;
pub mod tags;
pub mod version;
pub mod who;
pub mod whoami;

use crate::output::{self, Cell, Output, Own, Untrusted, sanitize, sanitize_line};
use std::io::Read as _;

use std::path::PathBuf;

use crate::context::Context;
use crate::error::RepError;
use crate::limits::{self, BODY_BYTES as MAX_BODY_BYTES};
use crate::model::EntrySeq;
use crate::model::Renamed;
use crate::model::commands::Renaming;
use crate::model::{self, Entry};
use crate::recording;
use crate::store::entries::{self, Filter, NewEntry};
use crate::timefmt;

/// Where a body comes from; `-` (stdin) is a positional argument of each command.
#[derive(Debug, clap::Args)]
pub struct BodyArgs {
    /// Body text (Markdown)
    #[arg(
        short = 'm',
        long = "message",
        value_name = "BODY",
        group = "body_source"
    )]
    pub message: Option<String>,

    /// Read the body from a file
    #[arg(long, value_name = "FILE", group = "body_source")]
    pub body_file: Option<PathBuf>,

    /// Write the title and body in $VISUAL or $EDITOR
    #[arg(short = 'e', long = "edit", group = "body_source")]
    pub edit: bool,
}

/// The body given by flags or stdin, if any; `None` means "not given".
pub fn read_body(args: &BodyArgs, from_stdin: bool) -> anyhow::Result<Option<String>> {
    let (bytes, source) = if let Some(message) = &args.message {
        return Ok(Some(model::validate_body(message.clone())?));
    } else if let Some(path) = &args.body_file {
        let file = std::fs::File::open(path).map_err(|e| {
            RepError::user(format!("cannot read the body file {}: {e}", path.display()))
        })?;
        (read_limited(file)?, path.display().to_string())
    } else if from_stdin {
        (read_limited(std::io::stdin().lock())?, "stdin".to_owned())
    } else {
        return Ok(None);
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        RepError::user(format!(
            "the body from {source} is not valid UTF-8 (at byte {})",
            e.utf8_error().valid_up_to()
        ))
        .with_hint("convert it to UTF-8 first, e.g. with iconv")
    })?;
    Ok(Some(model::validate_body(text)?))
}

/// Read at most one byte past the limit, so a huge input fails fast instead of filling memory.
fn read_limited(reader: impl std::io::Read) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_BODY_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() > MAX_BODY_BYTES {
        return Err(RepError::user(format!(
            "the body is over the limit of {MAX_BODY_BYTES} bytes (1 MiB)"
        ))
        .with_hint("link to large material with --link instead of pasting it")
        .into());
    }
    Ok(bytes)
}

pub fn parse_tags(raw: &[String]) -> anyhow::Result<Vec<String>> {
    let mut tags = Vec::new();
    for tag in raw {
        let tag = model::normalize_tag(tag)?;
        if !tags.contains(&tag) {
            tags.push(tag);
        }
        // Checked as we go: the duplicate scan above is quadratic, fine for 64 tags, not 100,000.
        if tags.len() > limits::LIVE_TAGS {
            return Err(RepError::user(format!("more than {} tags", limits::LIVE_TAGS)).into());
        }
    }
    Ok(tags)
}

/// Write a new entry in one transaction and answer with it: its full id on stdout (with --json,
/// the whole entry) and a status line; for `add` and `capture`.
pub fn insert_and_report(ctx: &mut Context, new: &NewEntry) -> anyhow::Result<()> {
    let now = ctx.now();
    let store = ctx.store()?;
    let entry = store.write(|w| {
        let (seq, _) = entries::insert(w, new, now)?;
        entries::load(w.conn(), seq)
    })?;
    if ctx.out.json {
        return ctx.out.json(&entry);
    }
    ctx.out.print(Own::new(&entry.id))?;
    ctx.out
        .status(Own::new(format!("added {} {}", entry.kind, entry.short_id)));
    Ok(())
}

/// Record one occurrence and say when it makes the entry recurring; for `seen` and `ask`.
pub fn record_occurrence(
    ctx: &mut Context,
    seq: EntrySeq,
    note: Option<&str>,
) -> anyhow::Result<model::practice::Seen> {
    let member = ctx.member()?;
    let now = ctx.now();
    let min = ctx.config.recurring.min_occurrences;
    let recording::Occurrence {
        seen,
        entry,
        duplicate,
    } = recording::occurrence(ctx.store()?, seq, &member, now, min, note)?;
    if let Some(duplicate) = &duplicate {
        ctx.out.status(Own::new(format!(
            "{} is a duplicate of {}: counted there",
            duplicate.short_id, entry.short_id
        )));
    }
    ctx.out.status(Own::new(format!(
        "seen {} by {}: {} {}",
        output::count(seen.occurrences.count, "time", "times"),
        output::count(seen.occurrences.members, "member", "members"),
        entry.short_id,
        Untrusted(&entry.title)
    )));
    if seen.recurring && !seen.documented {
        ctx.out.status(Own::new(format!(
            "this keeps coming back and has no write-up yet: `rep document {}` writes it once and for all",
            entry.short_id
        )));
    }
    Ok(seen)
}

/// Remember a search that found nothing, when the config asks to; for `search` and `ask`.
pub fn record_miss(ctx: &mut Context, text: &str, domain: Option<&str>) -> anyhow::Result<()> {
    if !ctx.config.search.record_misses {
        return Ok(());
    }
    let now = ctx.now();
    recording::search_miss(ctx.store_for_reading()?, text, domain, now)
}

/// Filters shared by `list` and `search`.
#[derive(Debug, clap::Args)]
pub struct FilterArgs {
    /// Only this kind
    #[arg(short, long, value_enum)]
    pub kind: Option<model::Kind>,

    /// Only this domain and its sub-domains
    #[arg(short, long, value_name = "DOMAIN", add = crate::completion::domains())]
    pub domain: Option<String>,

    /// Only entries with this tag (repeat to require several)
    #[arg(short = 't', long = "tag", value_name = "TAG", add = crate::completion::tags())]
    pub tags: Vec<String>,

    /// Only entries by this member
    #[arg(short, long, value_name = "NAME")]
    pub author: Option<String>,

    /// Only entries created since DATE (2026-01-31, an RFC 3339 time, or an age: 7d, 2w, 12h)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
}

impl FilterArgs {
    pub fn to_filter(&self, ctx: &Context) -> anyhow::Result<Filter> {
        Ok(Filter {
            kind: self.kind.as_ref().map(|k| k.as_str().to_owned()),
            domain: self
                .domain
                .as_deref()
                .map(model::normalize_domain)
                .transpose()?,
            tags: self
                .tags
                .iter()
                .map(|t| model::normalize_tag(t))
                .collect::<Result<_, _>>()?,
            author: self.author.as_ref().map(|a| a.trim().to_owned()),
            author_spellings: Vec::new(),
            since: self
                .since
                .as_deref()
                .map(|s| timefmt::parse_since(s, ctx.now()))
                .transpose()?,
            stale: None,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.kind.is_none()
            && self.domain.is_none()
            && self.tags.is_empty()
            && self.author.is_none()
            && self.since.is_none()
    }
}

/// One entry in full, for `show`, `add` and `edit`.
pub fn print_entry(out: &Output, e: &Entry) -> anyhow::Result<()> {
    let mut text = String::new();
    text.push_str(&format!(
        "{} {}  {}\n",
        out.accent(Own::new(&e.short_id)),
        out.dim(Untrusted(&e.kind)),
        out.bold(Untrusted(&e.title))
    ));
    let mut field = |name: &str, value: &str| {
        text.push_str(&format!(
            "{}  {}\n",
            out.dim(Own::new(format!("{name:<8}"))),
            value
        ));
    };
    field("domain", &sanitize_line(&e.domain));
    if !e.tags.is_empty() {
        field("tags", &sanitize_line(&e.tags.join(", ")));
    }
    if let Some(command) = &e.command {
        field("command", &sanitize(command).replace('\n', "\n          "));
    }
    if let Some(link) = &e.link {
        field("link", &sanitize_line(link));
    }
    field("author", &sanitize_line(&e.author));
    field("created", &human_time(&e.created_at));
    if e.updated_at != e.created_at {
        field("updated", &human_time(&e.updated_at));
    }
    if e.deleted {
        field("status", "deleted");
    }
    field("id", &e.id);
    if !e.body.trim().is_empty() {
        text.push('\n');
        text.push_str(&crate::render::render(&e.body, out.color()));
        text.push('\n');
    }
    out.print(Own::new(text))
}

fn human_time(rfc3339: &str) -> String {
    rfc3339
        .replacen('T', " ", 1)
        .trim_end_matches('Z')
        .to_owned()
        + " UTC"
}

/// Entries as a table, for `list`.
pub fn print_entry_table(out: &Output, entries: &[Entry]) -> anyhow::Result<()> {
    let mut table = out.table(&["id", "kind", "domain", "title", "tags"]);
    for e in entries {
        table.row([
            Cell::own(&e.short_id),
            Untrusted(&e.kind).into(),
            Untrusted(&e.domain).into(),
            Untrusted(&e.title).into(),
            Untrusted(&e.tags.join(" ")).into(),
        ]);
    }
    out.print_table(&table)
}

/// A `--domain` filter, normalised; `""` (every domain) when none is given.
pub fn domain_filter(domain: Option<&str>) -> Result<String, model::ValueError> {
    Ok(domain
        .map(model::normalize_domain)
        .transpose()?
        .unwrap_or_default())
}

/// How a command that changed one entry answers: with `--json`, the entry's thread; else one
/// status line, `line(thread, named)`, where `named` is the entry's short id and title.
pub fn answer_with_thread(
    ctx: &mut Context,
    seq: EntrySeq,
    line: impl FnOnce(&crate::model::practice::Thread, &str) -> String,
) -> anyhow::Result<()> {
    let thread = ctx.thread(seq)?;
    if ctx.out.json {
        return ctx.out.json(&thread);
    }
    let named = format!(
        "{} {}",
        thread.entry.short_id,
        Untrusted(&thread.entry.title)
    );
    ctx.out.status(Own::new(line(&thread, &named)));
    Ok(())
}

/// A name that groups entries and is renamed on all of them at once: a tag or a domain.
/// `rep tags` and `rep domains` differ only in these.
pub struct Grouping {
    /// The name in tables, `--json` and sentences: `tag` or `domain`.
    pub what: &'static str,
    /// The names in use with their entry counts.
    pub counts: fn(&rusqlite::Connection) -> anyhow::Result<Vec<crate::model::Count>>,
    /// The note when no entry has one.
    pub empty: &'static str,
    pub normalize: fn(&str) -> Result<String, model::ValueError>,
    /// Rename the first name to the second on every entry; with `true`, rehearse it.
    pub rename: fn(&mut Context, &str, &str, bool) -> anyhow::Result<Vec<Renamed>>,
}

/// `rep tags` and `rep domains`: the names in use, or with `rename`, a rename.
pub fn list_or_rename(
    ctx: &mut Context,
    grouping: &Grouping,
    rename: Option<RenameArgs>,
) -> anyhow::Result<()> {
    let Some(args) = rename else {
        let counts = ctx.store_for_reading()?.read(grouping.counts)?;
        return print_counts(ctx, &counts, grouping.what, grouping.empty);
    };
    let old = (grouping.normalize)(&args.old)?;
    let new = (grouping.normalize)(&args.new)?;
    crate::rename::refuse_same(&old, &new, grouping.what)?;
    let renamed = (grouping.rename)(ctx, &old, &new, args.dry_run)?;
    report_rename(ctx, grouping.what, &old, &new, args.dry_run, &renamed)
}

/// The names in use with their entry counts, for `domains` and `tags`.
fn print_counts(
    ctx: &Context,
    counts: &[crate::model::Count],
    what: &'static str,
    empty: &'static str,
) -> anyhow::Result<()> {
    if ctx.out.json {
        return ctx.out.json(counts);
    }
    if counts.is_empty() {
        ctx.out.note(empty);
        return Ok(());
    }
    let mut table = ctx.out.table(&[what, "entries"]);
    for c in counts {
        table.row([Untrusted(&c.name).into(), c.entries.into()]);
    }
    ctx.out.print_table(&table)
}

/// What `rep tags rename` and `rep domains rename` take.
#[derive(Debug, clap::Args)]
pub struct RenameArgs {
    /// The name in use
    pub old: String,
    /// The name it becomes
    pub new: String,
    /// List what would change, and change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// What `rep tags rename` and `rep domains rename` print.
fn report_rename(
    ctx: &Context,
    what: &'static str,
    from: &str,
    to: &str,
    dry_run: bool,
    renamed: &[Renamed],
) -> anyhow::Result<()> {
    if ctx.out.json {
        return ctx.out.json(&Renaming {
            what,
            from,
            to,
            dry_run,
            entries: renamed,
        });
    }
    if dry_run {
        let mut table = ctx.out.table(&["id", "title", what, "becomes"]);
        for r in renamed {
            let gone = if r.deleted { " (deleted)" } else { "" };
            table.row([
                Cell::own(&r.short_id),
                Cell::own(format!("{}{gone}", Untrusted(&r.title))),
                Untrusted(&r.from).into(),
                Untrusted(&r.to).into(),
            ]);
        }
        ctx.out.print_table(&table)?;
    }
    let n = renamed.len();
    let entries = if n == 1 { "entry" } else { "entries" };
    let verb = if dry_run { "would rename" } else { "renamed" };
    ctx.out.status(Own::new(format!(
        "{verb} {what} {} to {} on {n} {entries}",
        Untrusted(from),
        Untrusted(to)
    )));
    Ok(())
}
