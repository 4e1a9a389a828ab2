//! `rep rm` and `rep restore`: delete an entry or a reply, as a tombstone, and undo that.

use crate::context::Context;
use crate::model::ReplySeq;
use crate::output::{Own, sanitize_line};
use crate::picker::{self, Wanted};
use crate::store::entries::{self, Scope};
use crate::store::practice;

/// Delete an entry or a reply (it can be restored)
///
/// The entry is hidden from list and search but kept, so that `rep restore` brings it back and
/// the deletion travels to teammates when repertoires are shared. A deleted reply leaves
/// `rep show` and the counts; a deleted accepted reply no longer answers its question, which
/// reopens when no other accepted reply is left.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep rm 3f2a
  rep restore 3f2a
  rep rm 9c1d            # a reply (`rep show ENTRY` lists their ids)")]
pub struct Args {
    /// The entry's or reply's id or a unique prefix of it; on a terminal, leave it out to pick
    /// an entry from a list
    pub id: Option<String>,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let id = picker::entry_id(ctx, args.id, Wanted::LIVE)?;
    set_deleted(ctx, &id, true)
}

/// Bring back a deleted entry or reply
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep rm 3f2a && rep restore 3f2a
  rep restore 9c1d       # a reply")]
pub struct RestoreArgs {
    /// The deleted entry's or reply's id or a unique prefix of it; on a terminal, leave it out
    /// to pick an entry from a list
    pub id: Option<String>,
}

pub fn restore(ctx: &mut Context, args: RestoreArgs) -> anyhow::Result<()> {
    let id = picker::entry_id(ctx, args.id, Wanted::DELETED)?;
    set_deleted(ctx, &id, false)
}

/// Shared by `rm` and `restore`: flip the tombstone of the entry or reply `id` names in one
/// stamped write.
fn set_deleted(ctx: &mut Context, id: &str, deleted: bool) -> anyhow::Result<()> {
    let scope = if deleted { Scope::Live } else { Scope::Deleted };
    let reply = ctx
        .store_for_reading()?
        .read(|c| practice::reply_named(c, id, scope))?;
    match reply {
        Some(reply_seq) => set_reply_deleted(ctx, reply_seq, deleted),
        None => set_entry_deleted(ctx, id, deleted),
    }
}

fn set_reply_deleted(ctx: &mut Context, reply_seq: ReplySeq, deleted: bool) -> anyhow::Result<()> {
    let now = ctx.now();
    let member = ctx.member()?;
    let (reply, reopened) = ctx.store()?.write(|w| {
        let stamp = w.tick(now)?;
        let reopened =
            practice::set_reply_deleted(w.conn(), reply_seq, deleted, &stamp, &member, now)?;
        Ok((practice::reply_state(w.conn(), reply_seq)?, reopened))
    })?;
    if ctx.out.json {
        return ctx.out.json(&reply);
    }
    let reopened = if reopened {
        "; it was the accepted answer, so the entry is open again"
    } else {
        ""
    };
    if deleted {
        ctx.out.status(Own::new(format!(
            "deleted reply {} to {}{reopened}\n(`rep restore {}` brings it back)",
            reply.short_id, reply.entry_short_id, reply.short_id
        )));
    } else {
        ctx.out.status(Own::new(format!(
            "restored reply {} to {}",
            reply.short_id, reply.entry_short_id
        )));
    }
    Ok(())
}

fn set_entry_deleted(ctx: &mut Context, id: &str, deleted: bool) -> anyhow::Result<()> {
    let now = ctx.now();
    let member = ctx.member()?;
    let scope = if deleted { Scope::Live } else { Scope::Deleted };
    let entry = ctx.store()?.write(|w| {
        let seq = entries::resolve(w.conn(), id, scope)?;
        let stamp = w.tick(now)?;
        entries::set_deleted(w.conn(), seq, deleted, &stamp, &member, now)?;
        entries::load(w.conn(), seq)
    })?;
    if ctx.out.json {
        return ctx.out.json(&entry);
    }
    let title = sanitize_line(&entry.title);
    if deleted {
        ctx.out.status(Own::new(format!(
            "deleted {} {title}\n(`rep restore {}` brings it back)",
            entry.short_id, entry.short_id
        )));
    } else {
        ctx.out
            .status(Own::new(format!("restored {} {title}", entry.short_id)));
    }
    Ok(())
}
