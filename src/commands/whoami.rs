//! `rep whoami`: the member name rep records, and where it comes from.

use crate::context::Context;
use crate::model::commands::Me;
use crate::output::Own;

/// Print the member name recorded for your actions
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep whoami
  rep --as ana whoami")]
pub struct Args {}

pub fn run(ctx: &mut Context, _args: Args) -> anyhow::Result<()> {
    let (name, source) = ctx.member_with_source()?;
    if ctx.out.json {
        return ctx.out.json(&Me { name, source });
    }
    ctx.out.print(crate::output::Untrusted(&name))?;
    ctx.out.status(Own::new(format!("(from {source})")));
    Ok(())
}
