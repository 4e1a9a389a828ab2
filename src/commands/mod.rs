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
pub mod rename;
pub mod resolve;
pub mod restore;
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

use std::io::Read as _;
use std::path::PathBuf;

use crate::context::Context;
use crate::error::RepError;
use crate::limits::{self, BODY_BYTES as MAX_BODY_BYTES};
use crate::model::{self, Entry};
use crate::output::{Output, sanitize, sanitize_line};
use crate::store::entries::Filter;
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
            kind: self.kind.map(|k| k.as_str().to_owned()),
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
            stale_before: None,
            active_members: Vec::new(),
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
        out.accent(&e.short_id),
        out.dim(&e.kind),
        out.bold(&sanitize_line(&e.title))
    ));
    let mut field = |name: &str, value: &str| {
        text.push_str(&format!("{}  {}\n", out.dim(&format!("{name:<8}")), value));
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
    out.print(&text)
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
        table.add_row(vec![
            e.short_id.clone(),
            e.kind.clone(),
            sanitize_line(&e.domain),
            sanitize_line(&e.title),
            sanitize_line(&e.tags.join(" ")),
        ]);
    }
    out.print_table(&table)
}
