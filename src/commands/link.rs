//! `rep link`: relate two entries: a duplicate, a related entry, or one that supersedes another.

use crate::context::Context;
use crate::error::RepError;
use crate::model::LinkKind;
use crate::store::entries::{self, Scope};
use crate::store::practice;

/// Link two entries
///
/// `rep link A B --kind duplicate`: A is a duplicate of B, and `rep show A` points to B.
/// `rep link A B --kind supersedes`: A replaces B, and B is shown as superseded (and stale).
/// `rep link A B --kind related`: see also.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep link 3f2a 77b0 --kind duplicate
  rep link 5e1c 3f2a --kind supersedes
  rep link 3f2a 77b0 --kind related --remove")]
pub struct Args {
    /// The entry the link starts from
    pub from: String,
    /// The entry it points to
    pub to: String,
    /// What the link says
    #[arg(long, value_enum)]
    pub kind: LinkKind,
    /// Remove the link instead
    #[arg(long)]
    pub remove: bool,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let now = ctx.now();
    let kind = args.kind.as_str();
    let seq = ctx.store()?.write(|w| {
        let c = w.conn();
        let from = entries::resolve(c, &args.from, Scope::Live)?;
        let to = entries::resolve(c, &args.to, Scope::Live)?;
        if from == to {
            return Err(RepError::user("an entry cannot link to itself").into());
        }
        let target = practice::entry_id(c, to)?;
        let stamp = w.tick(now)?;
        practice::set_link(c, from, &target, kind, !args.remove, &stamp)?;
        Ok(from)
    })?;
    let verb = if args.remove { "unlinked" } else { "linked" };
    super::answer_with_thread(ctx, seq, |_, named| format!("{verb} {named} ({kind})"))
}
