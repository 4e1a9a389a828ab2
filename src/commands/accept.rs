//! `rep accept`: mark a reply as the one that solved a question or problem.

use crate::context::Context;
use crate::error::RepError;
use crate::store::practice;

/// Accept a reply as a solution
///
/// More than one reply may be accepted (contexts differ). Accepting resolves the question or
/// problem the reply belongs to.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep show 3f2a          # lists replies with their ids
  rep accept 9c1d")]
pub struct Args {
    /// The reply's id or a unique prefix of it
    pub reply: String,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let member = ctx.member()?;
    let now = ctx.now();
    let (entry_seq, changed) = ctx.store()?.write(|w| {
        let c = w.conn();
        let reply = practice::resolve_reply(c, &args.reply)?;
        let entry = practice::reply_entry(c, reply)?;
        let (kind, deleted) = practice::kind_and_deleted(c, entry)?;
        if deleted {
            return Err(RepError::user("the entry this reply answers is deleted").into());
        }
        if !crate::rules::kinds::has_status(&kind) {
            return Err(RepError::user(format!(
                "only replies to questions and problems can be accepted; this one is on a {kind}"
            ))
            .with_hint("`rep helped REPLY` says that a comment helped you")
            .into());
        }
        let stamp = w.tick(now)?;
        let changed = practice::set_accepted(c, reply, true, &stamp, &member)?;
        practice::set_resolved(c, entry, true, &stamp, &member, now)?;
        Ok((entry, changed))
    })?;
    let verb = if changed {
        "accepted"
    } else {
        "already accepted"
    };
    super::answer_with_thread(ctx, entry_seq, |_, named| {
        format!("{verb}; {named} is resolved")
    })
}
