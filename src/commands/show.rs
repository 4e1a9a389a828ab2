//! `rep show`: one entry in full.

use crate::commands::print_entry;
use crate::context::Context;
use crate::store::entries::{self, Scope};

/// Show one entry in full
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep show 3f2a
  rep show 3f2a --json | jq -r .command")]
pub struct Args {
    /// The entry's id or a unique prefix of it (at least 4 characters)
    pub id: String,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let entry = ctx.store()?.read(|c| {
        let seq = entries::resolve(c, &args.id, Scope::Any)?;
        entries::load(c, seq)
    })?;
    if ctx.out.json {
        return ctx.out.json(&entry);
    }
    print_entry(&ctx.out, &entry)
}
