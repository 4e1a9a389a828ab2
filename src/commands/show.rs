//! `rep show`: one entry in full, with its thread: status, replies, occurrences, links, review.

use crate::commands::print_entry;
use crate::context::Context;
use crate::model::practice::Thread;
use crate::model::{LinkDirection, LinkKind};
use crate::output::{Own, count, sanitize, sanitize_line};
use crate::picker::{self, Wanted};
use crate::store::entries::{self, Scope};

/// Show one entry in full, with its replies
///
/// For questions and problems: the status (open, answered, resolved), replies with accepted
/// ones first, occurrences and whether it is recurring. For every entry: links (a duplicate
/// points to its original, a superseded entry to the newer one), endorsements and staleness.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep show 3f2a
  rep show 3f2a --json | jq -r .command
  rep show 3f2a --json | jq '.replies[] | select(.accepted) | .body'")]
pub struct Args {
    /// The entry's id or a unique prefix of it (at least 4 characters); on a terminal, leave it out to pick from a list
    pub id: Option<String>,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    // Deleted entries stay reachable by id; the list offers what people look for.
    let id = picker::entry_id(ctx, args.id, Wanted::LIVE)?;
    let seq = ctx
        .store_for_reading()?
        .read(|c| entries::resolve(c, &id, Scope::Any))?;
    let thread = ctx.thread(seq)?;
    if ctx.out.json {
        return ctx.out.json(&thread);
    }
    ctx.out.page();
    print_thread(ctx, &thread)
}

fn print_thread(ctx: &Context, t: &Thread) -> anyhow::Result<()> {
    let out = &ctx.out;
    for link in &t.links {
        let line = match (link.kind, link.direction) {
            (LinkKind::Duplicate, LinkDirection::To) => format!(
                "duplicate of {}: {}  (rep show {})",
                link.short_id,
                sanitize_line(&link.title),
                link.short_id
            ),
            (LinkKind::Supersedes, LinkDirection::From) => format!(
                "superseded by {}: {}  (rep show {})",
                link.short_id,
                sanitize_line(&link.title),
                link.short_id
            ),
            _ => continue,
        };
        out.print(out.accent(Own::new(format!("→ {line}"))))?;
    }
    print_entry(out, &t.entry)?;
    let mut facts = Vec::new();
    // A deleted entry's status line is `deleted` (print_entry), and nothing else.
    if let Some(status) = t.status.filter(|_| !t.entry.deleted) {
        facts.push(format!("status    {status}"));
    }
    if t.occurrences.count > 0 {
        let mut line = format!(
            "seen      {} by {}, last {}",
            count(t.occurrences.count, "time", "times"),
            count(t.occurrences.members, "member", "members"),
            t.occurrences
                .last_seen
                .as_deref()
                .unwrap_or("-")
                .replace('T', " ")
                .trim_end_matches('Z')
        );
        if t.recurring {
            line.push_str(if t.documented {
                " (recurring, documented)"
            } else {
                " (recurring, no write-up yet)"
            });
        }
        facts.push(line);
    }
    if t.helped > 0 {
        facts.push(format!(
            "helped    {}",
            count(t.helped, "member", "members")
        ));
    }
    if let (Some(at), Some(by)) = (&t.reviewed_at, &t.reviewed_by) {
        let at = at.replace('T', " ");
        facts.push(format!(
            "reviewed  {} by {}",
            at.trim_end_matches('Z'),
            sanitize_line(by)
        ));
    }
    if t.stale {
        facts.push(
            "stale     past its review interval or superseded: `rep review ID` if still true"
                .into(),
        );
    }
    for link in &t.links {
        let text = match (link.kind, link.direction) {
            (LinkKind::Duplicate, LinkDirection::To)
            | (LinkKind::Supersedes, LinkDirection::From) => continue,
            (LinkKind::Duplicate, _) => "duplicate",
            (LinkKind::Supersedes, _) => "supersedes",
            (LinkKind::Documents, LinkDirection::To) => "documents",
            (LinkKind::Documents, _) => "write-up",
            (LinkKind::Related, _) => "related",
        };
        facts.push(format!(
            "{text:<9} {} {}",
            link.short_id,
            sanitize_line(&link.title)
        ));
    }
    if !facts.is_empty() {
        // After a body, a blank line, so the facts do not read as its last lines.
        if !t.entry.body.trim().is_empty() {
            out.print("")?;
        }
        out.print(Own::new(
            facts
                .iter()
                .map(|f| out.dim(Own::new(f)).to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        ))?;
    }
    if !t.replies.is_empty() {
        let mut text = format!(
            "\n{}\n",
            out.bold(Own::new(count(t.replies.len() as u64, "reply", "replies")))
        );
        for r in &t.replies {
            let helped = if r.helped > 0 {
                format!("  helped {}", r.helped)
            } else {
                String::new()
            };
            let mark = if r.accepted {
                format!("  {}", out.bold("✓ accepted"))
            } else {
                String::new()
            };
            text.push_str(&format!(
                "\n{} {}  {}{}{}\n",
                out.accent(Own::new(&r.short_id)),
                sanitize_line(&r.author),
                r.created_at.replace('T', " ").trim_end_matches('Z'),
                helped,
                mark
            ));
            for line in sanitize(&r.body).trim_end().lines() {
                text.push_str(&format!("  {line}\n"));
            }
        }
        out.print(Own::new(text))?;
    } else if t.status == Some("open") && !t.entry.deleted {
        out.print(out.dim(Own::new(format!(
            "no replies yet: `rep answer {}` to reply",
            t.entry.short_id
        ))))?;
    }
    Ok(())
}
