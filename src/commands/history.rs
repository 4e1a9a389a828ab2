//! `rep history`: every change of every field of an entry or a reply, with who made it and when.

use serde::Serialize;

use crate::context::Context;
use crate::history::{self, Change};
use crate::output::sanitize_line;
use crate::picker::{self, Wanted};
use crate::store::entries::{self, Scope};
use crate::store::exchange::{load_record, load_reply};
use crate::store::practice;
use crate::timefmt;

/// List every change of an entry or a reply
///
/// Every edit keeps the value it replaced, and so does every merge where one person's change
/// lost to another's: nothing anyone wrote is lost. Tags, links, deletion, resolution, review and
/// acceptance show their latest change.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep history 3f2a
  rep history 9c1d       # a reply: its bodies, acceptance and deletion
  rep history 3f2a --json | jq -r '.[] | select(.field == \"body\") | .value'")]
pub struct Args {
    /// The entry's or reply's id or a unique prefix of it (deleted ones too); on a terminal,
    /// leave it out to pick an entry from a list
    pub id: Option<String>,
}

#[derive(Serialize)]
struct Shown {
    field: &'static str,
    value: Option<String>,
    by: Option<String>,
    at: String,
    stamp: Option<String>,
    current: bool,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let id = picker::entry_id(ctx, args.id, Wanted::ANY)?;
    let (changes, created_at) = ctx
        .store_for_reading()?
        .read(|c| match practice::reply_named(c, &id, Scope::Any)? {
            Some(seq) => {
                let reply = load_reply(c, seq)?;
                Ok((history::of_reply(&reply), reply.created_at))
            }
            None => {
                let seq = entries::resolve(c, &id, Scope::Any)?;
                let record = load_record(c, seq)?;
                Ok((history::of_entry(&record), record.created_at))
            }
        })?;
    let created = timefmt::parse_exact(&created_at).map_or(created_at, timefmt::rfc3339);
    let shown: Vec<Shown> = changes
        .into_iter()
        .map(|c: Change| Shown {
            field: c.field,
            value: c.value,
            by: c.by,
            at: c.at.as_ref().map_or_else(
                || created.clone(),
                |at| timefmt::rfc3339(i64::try_from(at.millis).unwrap_or(i64::MAX)),
            ),
            stamp: c.at.map(|at| at.to_string()),
            current: c.current,
        })
        .collect();
    if ctx.out.json {
        return ctx.out.json(&shown);
    }
    let mut table = ctx.out.table(&["when", "who", "field", "value", ""]);
    for s in &shown {
        let mut value = sanitize_line(s.value.as_deref().unwrap_or("(none)"));
        if value.chars().count() > 60 {
            value = value.chars().take(59).collect::<String>() + "…";
        }
        let when = s.at.replacen('T', " ", 1).trim_end_matches('Z').to_owned();
        table.add_row(vec![
            when,
            sanitize_line(s.by.as_deref().unwrap_or("")),
            s.field.to_owned(),
            value,
            // Only a text field has earlier values to tell the current one from.
            if s.current && crate::replica::TextField::from_name(s.field).is_some() {
                "current".into()
            } else {
                String::new()
            },
        ]);
    }
    ctx.out.page();
    ctx.out.print_table(&table)
}
