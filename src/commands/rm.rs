//! `rep rm`: delete an entry, as a tombstone that `rep restore` can undo.

use crate::context::Context;
use crate::output::sanitize_line;
use crate::picker::{self, Wanted};
use crate::store::entries::{self, Scope};

/// Delete an entry (it can be restored)
///
/// The entry is hidden from list and search but kept, so that `rep restore` brings it back and
/// the deletion travels to teammates when repertoires are shared.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep rm 3f2a
  rep restore 3f2a")]
pub struct Args {
    /// The entry's id or a unique prefix of it; on a terminal, leave it out to pick from a list
    pub id: Option<String>,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let id = picker::entry_id(ctx, args.id, Wanted::LIVE)?;
    set_deleted(ctx, &id, true)
}

/// Shared by `rm` and `restore`: flip the tombstone in one stamped write.
pub fn set_deleted(ctx: &mut Context, id: &str, deleted: bool) -> anyhow::Result<()> {
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
        ctx.out.status(&format!(
            "deleted {} {title}\n(`rep restore {}` brings it back)",
            entry.short_id, entry.short_id
        ));
    } else {
        ctx.out
            .status(&format!("restored {} {title}", entry.short_id));
    }
    Ok(())
}
