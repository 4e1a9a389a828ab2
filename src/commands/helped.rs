//! `rep helped`: "this helped me", once per member per entry or reply.

use serde::Serialize;

use crate::context::Context;
use crate::output::count;
use crate::picker::{self, Wanted};
use crate::store::practice::{self, Target};

/// Say that an entry or a reply helped you
///
/// One per member per record; counts are shown in `rep show` and break ties in search.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep helped 3f2a
  rep helped 9c1d        # a reply")]
pub struct Args {
    /// The id (or unique prefix) of an entry or a reply; on a terminal, leave it out to pick from a list
    pub id: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct Helped {
    id: String,
    pub(crate) helped: u64,
    pub(crate) new: bool,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let typed = picker::entry_id(ctx, args.id, Wanted::LIVE)?;
    let shown = record(ctx, &typed)?;
    if ctx.out.json {
        return ctx.out.json(&shown);
    }
    if shown.new {
        ctx.out.status(&format!(
            "noted: it helped {} so far",
            count(shown.helped, "member", "members")
        ));
    } else {
        ctx.out.status(&format!(
            "you had already said so ({} so far)",
            count(shown.helped, "member", "members")
        ));
    }
    Ok(())
}

/// Note that the entry or reply `typed` names helped the member, in one transaction; also what
/// picking an entry that cannot recur (a tool, a doc) in the `rep ask` menu records.
pub(crate) fn record(ctx: &mut Context, typed: &str) -> anyhow::Result<Helped> {
    let member = ctx.member()?;
    let now = ctx.now();
    ctx.store()?.write(|w| {
        let c = w.conn();
        let id: String = match practice::resolve_target(c, typed)? {
            Target::Entry(seq) => practice::entry_id(c, seq)?,
            Target::Reply(seq) => {
                c.query_row("SELECT id FROM replies WHERE seq = ?1", [seq], |r| r.get(0))?
            }
        };
        let stamp = w.tick(now)?;
        let new = practice::endorse(c, &id, &member, &stamp)?;
        Ok(Helped {
            helped: practice::helped_count(c, &id)?,
            id,
            new,
        })
    })
}
