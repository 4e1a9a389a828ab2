//! `rep review`: "still true", stamped with who and when.

use crate::context::Context;
use crate::picker::{self, Wanted};
use crate::store::entries::{self, Scope};
use crate::store::practice;

/// Mark an entry as reviewed: still true
///
/// Entries not reviewed within the review interval (config review.interval_days, default 180)
/// are stale: `rep list --stale` lists them.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep list --stale --domain postgres
  rep review 3f2a")]
pub struct Args {
    /// The entry's id or a unique prefix of it; on a terminal, leave it out to pick from a list
    pub id: Option<String>,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let member = ctx.member()?;
    let now = ctx.now();
    let id = picker::entry_id(ctx, args.id, Wanted::LIVE)?;
    let seq = ctx.store()?.write(|w| {
        let seq = entries::resolve(w.conn(), &id, Scope::Live)?;
        let stamp = w.tick(now)?;
        practice::set_reviewed(w.conn(), seq, &stamp, &member)?;
        Ok(seq)
    })?;
    super::answer_with_thread(ctx, seq, |_, named| format!("reviewed {named}"))
}
