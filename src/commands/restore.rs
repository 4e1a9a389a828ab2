//! `rep restore`: bring back a deleted entry or reply.

use crate::context::Context;
use crate::picker::{self, Wanted};

/// Bring back a deleted entry or reply
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep rm 3f2a && rep restore 3f2a
  rep restore 9c1d       # a reply")]
pub struct Args {
    /// The deleted entry's or reply's id or a unique prefix of it; on a terminal, leave it out
    /// to pick an entry from a list
    pub id: Option<String>,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let id = picker::entry_id(ctx, args.id, Wanted::DELETED)?;
    crate::commands::rm::set_deleted(ctx, &id, false)
}
