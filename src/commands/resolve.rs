//! `rep resolve` and `rep reopen`: a question's or problem's resolution, by hand.

use crate::context::Context;
use crate::error::RepError;
use crate::model;
use crate::picker::{self, Wanted};
use crate::store::entries::{self, Scope};
use crate::store::practice;

/// Mark a question or problem resolved, with or without an accepted reply
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep resolve 3f2a
  rep resolve 3f2a -m \"fixed upstream in 2.4, nothing to do on our side\"")]
pub struct Args {
    /// The question's or problem's id or a unique prefix of it; on a terminal, leave it out to pick from a list
    pub id: Option<String>,

    /// How it was resolved (kept as a reply)
    #[arg(short = 'm', long = "message", value_name = "NOTE")]
    pub note: Option<String>,
}

/// Reopen a resolved question or problem
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep reopen 3f2a")]
pub struct ReopenArgs {
    /// The question's or problem's id or a unique prefix of it; on a terminal, leave it out to pick from a list
    pub id: Option<String>,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let note = args
        .note
        .map(model::validate_body)
        .transpose()?
        .filter(|n| !n.trim().is_empty());
    let id = picker::entry_id(ctx, args.id, Wanted::OPEN_ENDED)?;
    set(ctx, &id, true, note.as_deref())
}

pub fn reopen(ctx: &mut Context, args: ReopenArgs) -> anyhow::Result<()> {
    let id = picker::entry_id(ctx, args.id, Wanted::OPEN_ENDED)?;
    set(ctx, &id, false, None)
}

fn set(ctx: &mut Context, id: &str, resolved: bool, note: Option<&str>) -> anyhow::Result<()> {
    let member = ctx.member()?;
    let now = ctx.now();
    let seq = ctx.store()?.write(|w| {
        let c = w.conn();
        let seq = entries::resolve(c, id, Scope::Live)?;
        let (kind, _) = practice::kind_and_deleted(c, seq)?;
        if !crate::rules::kinds::has_status(&kind) {
            return Err(RepError::user(format!(
                "only questions and problems are resolved; this is a {kind}"
            ))
            .with_hint("`rep review ID` marks any other entry as still true")
            .into());
        }
        if let Some(note) = note {
            practice::add_reply(w, seq, &member, note, now)?;
        }
        let stamp = w.tick(now)?;
        practice::set_resolved(c, seq, resolved, &stamp, &member, now)?;
        Ok(seq)
    })?;
    super::answer_with_thread(ctx, seq, |thread, named| {
        format!("{named} is {}", thread.status.unwrap_or("-"))
    })
}
