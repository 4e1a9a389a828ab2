//! `rep restore`: bring back a deleted entry.

use crate::context::Context;

/// Bring back a deleted entry
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep rm 3f2a && rep restore 3f2a")]
pub struct Args {
    /// The deleted entry's id or a unique prefix of it
    pub id: String,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    crate::commands::rm::set_deleted(ctx, &args.id, false)
}
