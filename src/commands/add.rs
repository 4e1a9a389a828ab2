//! `rep add`: log a story, tool, problem or question.

use super::{BodyArgs, parse_tags, read_body};
use crate::context::Context;
use crate::editor::{self, Draft};
use crate::model::{self, Kind};
use crate::store::entries::NewEntry;

/// Log a story, tool, problem or question
///
/// Prints the new entry's full id on stdout (with --json, the whole entry).
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep add tool \"Show what holds a lock\" -d postgres -t locks --cmd \"SELECT * FROM pg_locks\"
  rep add story \"The night the WAL filled the disk\" -d postgres --body-file postmortem.md
  journalctl -u app --since today | rep add problem \"app restarts at midnight\" -d ops -
  rep add question \"How do we rotate the staging certs?\" -e")]
pub struct Args {
    /// What the entry is
    #[arg(value_enum)]
    pub kind: Kind,

    /// A one-line title (optional with -e)
    #[arg(required_unless_present = "edit")]
    pub title: Option<String>,

    /// `-` reads the body from stdin
    #[arg(value_name = "-", value_parser = ["-"], conflicts_with = "body_source")]
    pub stdin: Option<String>,

    #[command(flatten)]
    pub body: BodyArgs,

    /// Domain, a lowercase slug that may nest with '/' [default: config defaults.domain, else general]
    #[arg(short, long, value_name = "DOMAIN", add = crate::completion::domains())]
    pub domain: Option<String>,

    /// A tag (repeat, or separate with commas)
    #[arg(short = 't', long = "tag", value_name = "TAG", value_delimiter = ',', add = crate::completion::tags())]
    pub tags: Vec<String>,

    /// The command line of a tool: stored as text, never run
    #[arg(long = "cmd", value_name = "CMD")]
    pub command: Option<String>,

    /// URL or path of a reusable asset
    #[arg(long, value_name = "LINK")]
    pub link: Option<String>,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let mut title = args.title.clone().unwrap_or_default();
    let mut body = read_body(&args.body, args.stdin.is_some())?.unwrap_or_default();
    if args.body.edit {
        let draft = Draft {
            title: title.clone(),
            body: body.clone(),
        };
        let what = format!("New {} entry.", args.kind.as_str());
        let Some(written) = editor::edit(&draft, &what)? else {
            return Err(editor::cancelled());
        };
        (title, body) = (written.title, model::validate_body(written.body)?);
    }
    let domain = match &args.domain {
        Some(d) => model::normalize_domain(d)?,
        None => model::normalize_domain(&ctx.default_domain())?,
    };
    let new = NewEntry {
        kind: args.kind.clone(),
        title: model::validate_title(&title)?,
        body,
        domain,
        tags: parse_tags(&args.tags)?,
        author: ctx.member()?,
        command: args
            .command
            .as_deref()
            .map(|c| model::validate_field("command", c))
            .transpose()?
            .flatten(),
        link: args
            .link
            .as_deref()
            .map(|l| model::validate_field("link", l))
            .transpose()?
            .flatten(),
    };
    super::insert_and_report(ctx, &new)
}
