//! `rep version`: versions of the binary and of the contracts it speaks.

use crate::context::Context;
use crate::model::JSON_SCHEMA_VERSION;
use crate::model::commands::Versions;
use crate::output::Own;
use crate::store::SCHEMA_VERSION;

/// Print version information
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep version
  rep version --json | jq .json_schema")]
pub struct Args {}

pub fn run(ctx: &mut Context, _args: Args) -> anyhow::Result<()> {
    let v = Versions {
        name: "rep",
        version: env!("CARGO_PKG_VERSION"),
        json_schema: JSON_SCHEMA_VERSION,
        database_schema: SCHEMA_VERSION,
    };
    if ctx.out.json {
        return ctx.out.json(&v);
    }
    ctx.out.print(Own::new(format!(
        "rep {}\njson schema {}\ndatabase schema {}",
        v.version, v.json_schema, v.database_schema
    )))
}
