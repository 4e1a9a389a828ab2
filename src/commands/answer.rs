//! `rep answer`: reply to an entry: an answer to a question, a solution to a problem, or a
//! comment on anything else.

use crate::commands::{BodyArgs, read_body};
use crate::context::Context;
use crate::editor::{self, Draft};
use crate::error::RepError;
use crate::model;
use crate::model::commands::Answered;
use crate::output::{Own, Untrusted, sanitize_line};
use crate::picker::{self, Wanted};
use crate::store::entries::{self, Scope};
use crate::store::practice;

/// Reply to a question, problem or any entry
///
/// Prints the reply's id. The asker (or anyone) marks a reply that solved it with `rep accept`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep answer 3f2a -m \"Run VACUUM (VERBOSE) first to see what it frees\"
  cat fix.md | rep answer 3f2a -
  rep answer 3f2a -e")]
pub struct Args {
    /// The entry's id or a unique prefix of it; on a terminal, leave it out to pick from a list
    pub id: Option<String>,

    /// `-` reads the reply from stdin
    #[arg(value_name = "-", value_parser = ["-"], conflicts_with = "body_source")]
    pub stdin: Option<String>,

    #[command(flatten)]
    pub body: BodyArgs,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let member = ctx.member()?;
    let now = ctx.now();
    let id = picker::entry_id(ctx, args.id, Wanted::LIVE)?;
    let entry = ctx.store()?.read(|c| {
        let seq = entries::resolve(c, &id, Scope::Live)?;
        entries::load(c, seq)
    })?;
    let mut body = read_body(&args.body, args.stdin.is_some())?;
    if args.body.edit {
        let draft = Draft {
            title: format!("Re: {}", sanitize_line(&entry.title)),
            body: String::new(),
        };
        let Some(written) =
            editor::edit(&draft, "Your reply: keep the first line, write below it.")?
        else {
            return Err(editor::cancelled());
        };
        body = Some(model::validate_body(written.body)?);
    }
    let body = body.filter(|b| !b.trim().is_empty()).ok_or_else(|| {
        RepError::usage("the reply is empty")
            .with_hint("give it with -m TEXT, -, --body-file FILE or -e")
    })?;
    let reply = ctx.store()?.write(|w| {
        let seq = entries::resolve(w.conn(), &entry.id, Scope::Live)?;
        let (reply_seq, _) = practice::add_reply(w, seq, &member, &body, now)?;
        let views = practice::replies(w.conn(), seq)?;
        let id = practice::reply_id(w.conn(), reply_seq)?;
        views
            .into_iter()
            .find(|v| v.id == id)
            .ok_or_else(|| anyhow::anyhow!("the new reply is missing"))
    })?;
    if ctx.out.json {
        return ctx.out.json(&Answered {
            reply: &reply,
            entry_id: entry.id,
        });
    }
    ctx.out.print(Own::new(&reply.id))?;
    ctx.out.status(Own::new(format!(
        "replied {} to {} {}",
        reply.short_id,
        entry.short_id,
        Untrusted(&entry.title)
    )));
    Ok(())
}
