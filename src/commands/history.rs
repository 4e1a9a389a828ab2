//! `rep history`: every value an entry's fields have held, with who set it and when.

use serde::Serialize;

use crate::context::Context;
use crate::exchange::Revision;
use crate::output::sanitize_line;
use crate::picker::{self, Wanted};
use crate::store::entries::{self, Scope};
use crate::store::exchange::load_record;
use crate::timefmt;

/// List the revisions of an entry
///
/// Every edit keeps the value it replaced, and so does every merge where one person's change
/// lost to another's: nothing anyone wrote is lost.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep history 3f2a
  rep history 3f2a --json | jq -r '.[] | select(.field == \"body\") | .value'")]
pub struct Args {
    /// The entry's id or a unique prefix of it; on a terminal, leave it out to pick from a list
    pub id: Option<String>,
}

#[derive(Serialize)]
struct Shown {
    field: &'static str,
    value: Option<String>,
    by: String,
    at: String,
    stamp: String,
    current: bool,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let id = picker::entry_id(ctx, args.id, Wanted::ANY)?;
    let record = ctx.store_for_reading()?.read(|c| {
        let seq = entries::resolve(c, &id, Scope::Any)?;
        load_record(c, seq)
    })?;
    let currents: Vec<Revision> = crate::exchange::TextField::ALL
        .iter()
        .map(|f| record.current(*f))
        .collect();
    let mut all: Vec<(Revision, bool)> = currents.into_iter().map(|r| (r, true)).collect();
    all.extend(record.revisions.iter().cloned().map(|r| (r, false)));
    all.sort_by(|a, b| b.0.at.cmp(&a.0.at).then(a.0.field.cmp(&b.0.field)));
    let shown: Vec<Shown> = all
        .into_iter()
        .map(|(r, current)| Shown {
            field: r.field.name(),
            value: r.value,
            by: r.by,
            at: timefmt::rfc3339(i64::try_from(r.at.millis).unwrap_or(i64::MAX)),
            stamp: r.at.to_string(),
            current,
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
            sanitize_line(&s.by),
            s.field.to_owned(),
            value,
            if s.current {
                "current".into()
            } else {
                String::new()
            },
        ]);
    }
    ctx.out.page();
    ctx.out.print_table(&table)
}
