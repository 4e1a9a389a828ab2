//! `rep news`: what is new since the member last looked: entries, replies, accepted answers and
//! recurring problems. The "last looked" marker is this database's and this member's alone.

use crate::context::Context;
use crate::model::commands::NewsShown as Shown;
use crate::model::news::Item;
use crate::output::{Cell, Own, Untrusted, sanitize_line};
use crate::store::news::{self, Window};
use crate::timefmt;

/// How far back the first `rep news` looks, before there is a marker.
const FIRST_LOOK_DAYS: i64 = 7;

/// What is new since you last ran `rep news`
///
/// New entries, replies, accepted answers and recurring problems that arrived in this
/// repertoire (written here or brought by `rep sync` or `rep import`) since you last ran it; the
/// first time, those of the last 7 days. Run it after `rep sync`. Where you last looked is kept
/// in this database for you alone and never shared; --since looks from a date and leaves it.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep sync && rep news
  rep news --since 2w
  rep news --since 2026-11-01 --json | jq -r '.accepted[].title'")]
pub struct Args {
    /// Look from this time instead: a date (2026-01-31), an RFC 3339 time, or an age (7d, 2w)
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let now = ctx.now();
    let since = args
        .since
        .as_deref()
        .map(|s| timefmt::parse_since(s, now))
        .transpose()?;
    let member = ctx.member()?;
    let min = ctx.config.recurring.min_occurrences;
    let is_recurring =
        |occurrences, members| crate::rules::recurrence::is_recurring(occurrences, members, min);
    let store = ctx.store()?;
    let (news, from) = match since {
        Some(ms) => (
            store.read(|c| news::news(c, Window::Since(ms), is_recurring))?,
            ms,
        ),
        None => store.write_local(|c| {
            let window = match news::marker(c, &member)? {
                Some(m) => Window::After(m),
                None => Window::Since(now - FIRST_LOOK_DAYS * 24 * 3_600_000),
            };
            let news = news::news(c, window, is_recurring)?;
            news::save_marker(c, &member, &news::current(c, now)?)?;
            let from = match window {
                Window::After(m) => m.at_ms,
                Window::Since(ms) => ms,
            };
            Ok((news, from))
        })?,
    };
    if ctx.out.json {
        return ctx.out.json(&Shown {
            since: timefmt::rfc3339(from),
            news: &news,
        });
    }
    let when = timefmt::rfc3339(from)
        .replacen('T', " ", 1)
        .trim_end_matches('Z')
        .to_owned();
    let sections: [(&str, &[Item], &str); 4] = [
        ("new entries", &news.entries, "by"),
        ("new replies", &news.replies, "by"),
        ("accepted answers", &news.accepted, "accepted by"),
        ("recurring problems", &news.recurring, "last hit by"),
    ];
    if sections.iter().all(|(_, items, _)| items.is_empty()) {
        ctx.out.note(Own::new(format!("nothing new since {when}")));
        return Ok(());
    }
    let mut printed = false;
    for (heading, items, who) in sections {
        if items.is_empty() {
            continue;
        }
        if printed {
            ctx.out.print("")?;
        }
        printed = true;
        ctx.out.print(Own::new(format!(
            "{} ({})",
            ctx.out.bold(heading),
            items.len()
        )))?;
        let mut table = ctx.out.table(&["id", "kind", "title", who, "when"]);
        for item in items {
            let mut title = sanitize_line(&item.title);
            if let Some(n) = item.occurrences {
                title.push_str(&format!(" (seen {n} times)"));
            }
            table.row([
                Cell::own(&item.short_id),
                Untrusted(&item.kind).into(),
                // Sanitised above, with rep's own note of how often it was seen.
                Cell::own(title),
                Untrusted(&item.member).into(),
                Cell::own(item.at.replacen('T', " ", 1).trim_end_matches('Z')),
            ]);
        }
        ctx.out.print_table(&table)?;
    }
    ctx.out.status(Own::new(format!("new since {when}")));
    Ok(())
}
