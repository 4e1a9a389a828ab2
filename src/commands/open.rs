//! `rep open`: open an entry's link in the browser or mail client, or print it.

use crate::context::Context;
use crate::error::RepError;
use crate::model::commands::Opened as Shown;
use crate::opener;
use crate::output::{Own, Untrusted};
use crate::picker::{self, Wanted};
use crate::store::entries::{self, Scope};

/// Open an entry's link with the system opener, or print it
///
/// Only http, https and mailto links are opened (with xdg-open, or open on macOS, run directly,
/// never through a shell); rep refuses to open anything else. Without a display (DISPLAY and
/// WAYLAND_DISPLAY unset) or with --print, the link is printed instead, whatever it is.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep open 3f2a
  rep open 3f2a --print | wl-copy
  rep open 3f2a --json | jq -r .link")]
pub struct Args {
    /// The entry's id or a unique prefix of it; on a terminal, leave it out to pick from a list
    pub id: Option<String>,

    /// Print the link instead of opening it
    #[arg(long)]
    pub print: bool,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let id = picker::entry_id(ctx, args.id, Wanted::LIVE)?;
    let entry = ctx.store_for_reading()?.read(|c| {
        let seq = entries::resolve(c, &id, Scope::Live)?;
        entries::load(c, seq)
    })?;
    let link = entry.link.clone().ok_or_else(|| {
        RepError::user(format!("{} has no link", entry.short_id))
            .with_hint(format!("`rep edit {} --link URL` sets one", entry.short_id))
    })?;
    let display = opener::has_display(|v| std::env::var(v).ok());
    let opened = !args.print && display;
    if opened {
        // Printing any link is harmless; opening one is not.
        opener::open(opener::openable(&link)?)?;
    }
    if ctx.out.json {
        return ctx.out.json(&Shown {
            id: entry.id,
            link: link.clone(),
            opened,
        });
    }
    if opened {
        ctx.out
            .status(Own::new(format!("opened {}", Untrusted(&link))));
    } else {
        ctx.out.print(Untrusted(&link))?;
    }
    Ok(())
}
