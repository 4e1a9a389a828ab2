//! `rep serve`: the repertoire as read-only web pages, for members who never open a terminal.

use crate::output::Own;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;

use crate::context::Context;
use crate::error::RepError;
use crate::web::{self, Serving};

/// Serve the repertoire as read-only web pages
///
/// Home (what is new this week, open questions, recurring problems, top gaps), search with the
/// ranking of `rep search`, domains, each entry with its thread and history, members, the map
/// and gaps. Nothing a browser sends can change the repertoire: the database is opened
/// read-only and only GET is answered. Listens on 127.0.0.1 unless --bind says otherwise; any
/// other address needs --token-file, and then every request needs the token (as
/// `Authorization: Bearer TOKEN`, or the cookie set by the one-time link printed on start).
/// Details: docs/web.md.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep serve
  rep serve --bind 127.0.0.1:0          # any free port; the URL is printed
  head -c 32 /dev/urandom | base64 > ~/.rep-token
  rep serve --bind 0.0.0.0:8080 --token-file ~/.rep-token
  rep export site/ --format html        # the same pages as files")]
pub struct Args {
    /// Address and port to listen on
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// A file holding the token every request must carry (needed beyond 127.0.0.1)
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let token = args.token_file.as_deref().map(read_token).transpose()?;
    let serving = Serving {
        bind: args.bind,
        token,
        db: ctx.db_path()?,
    };
    let out = &ctx.out;
    web::serve(&ctx.config, serving, &mut |line| out.print(Own::new(line)))
}

/// The token: the file's first line, which must be long enough to resist guessing.
fn read_token(path: &std::path::Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the token file {}", path.display()))
        .map_err(|e| e.context(RepError::environment("cannot read the token file")))?;
    let token = text.lines().next().unwrap_or("").trim().to_owned();
    if token.chars().count() < web::MIN_TOKEN_CHARS {
        return Err(RepError::usage(format!(
            "the token in {} is shorter than {} characters",
            path.display(),
            web::MIN_TOKEN_CHARS
        ))
        .with_hint("e.g. head -c 32 /dev/urandom | base64 > FILE")
        .into());
    }
    Ok(token)
}
