//! `rep seen`: "hit this again", an occurrence of a problem or question.

use serde::Serialize;

use crate::context::Context;
use crate::error::RepError;
use crate::model;
use crate::output::count;
use crate::output::sanitize_line;
use crate::picker::{self, Wanted};
use crate::store::entries::{self, Scope};
use crate::store::practice::{self, Occurrences};

/// Record that you hit a problem or question again
///
/// What keeps coming back is worth writing down once and for all: an entry with enough
/// occurrences from two or more members is recurring (config recurring.min_occurrences), and
/// `rep document ID` writes it up.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep seen 3f2a
  rep seen 3f2a -m \"again on the staging cluster after the upgrade\"")]
pub struct Args {
    /// The problem's or question's id or a unique prefix of it; on a terminal, leave it out to pick from a list
    pub id: Option<String>,

    /// What was different this time
    #[arg(short = 'm', long = "message", value_name = "NOTE")]
    pub note: Option<String>,
}

#[derive(Serialize)]
pub struct Seen {
    /// The entry the occurrence counts on: the original, when the one named is a duplicate.
    pub id: String,
    /// The duplicate named, when the occurrence was forwarded to its original.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate: Option<String>,
    pub occurrences: Occurrences,
    pub recurring: bool,
    pub documented: bool,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let note = args
        .note
        .as_deref()
        .map(|n| model::validate_field("note", n.trim()))
        .transpose()?
        .flatten();
    let id = picker::entry_id(ctx, args.id, Wanted::OPEN_ENDED)?;
    let seq = ctx
        .store()?
        .read(|c| entries::resolve(c, &id, Scope::Live))?;
    let seen = record(ctx, seq, note.as_deref())?;
    if ctx.out.json {
        return ctx.out.json(&seen);
    }
    Ok(())
}

/// Record one occurrence and say when it makes the entry recurring; shared with `rep ask`.
pub fn record(ctx: &mut Context, seq: i64, note: Option<&str>) -> anyhow::Result<Seen> {
    let member = ctx.member()?;
    let now = ctx.now();
    let min = ctx.config.recurring.min_occurrences;
    let (entry, duplicate, seen) = ctx.store()?.write(|w| {
        let c = w.conn();
        let entry = entries::load(c, seq)?;
        if !crate::rules::kinds::has_status(&entry.kind) {
            return Err(RepError::user(format!(
                "`rep seen` is for problems and questions; {} is a {}",
                entry.short_id, entry.kind
            ))
            .with_hint(format!(
                "`rep helped {}` says it helped you",
                entry.short_id
            ))
            .into());
        }
        // A duplicate forwards its occurrences to the original it duplicates.
        let (seq, entry, duplicate) = match practice::original_of(c, seq)? {
            Some(original) => (original, entries::load(c, original)?, Some(entry)),
            None => (seq, entry, None),
        };
        w.tick(now)?;
        practice::add_occurrence(c, seq, &member, now, note)?;
        let occurrences = practice::occurrences(c, seq)?;
        let seen = Seen {
            duplicate: duplicate.as_ref().map(|d| d.id.clone()),
            recurring: crate::rules::recurrence::is_recurring(
                occurrences.count,
                occurrences.members,
                min,
            ),
            documented: practice::is_documented(c, &entry.id)?,
            id: entry.id.clone(),
            occurrences,
        };
        Ok((entry, duplicate, seen))
    })?;
    if let Some(duplicate) = &duplicate {
        ctx.out.status(&format!(
            "{} is a duplicate of {}: counted there",
            duplicate.short_id, entry.short_id
        ));
    }
    ctx.out.status(&format!(
        "seen {} by {}: {} {}",
        count(seen.occurrences.count, "time", "times"),
        count(seen.occurrences.members, "member", "members"),
        entry.short_id,
        sanitize_line(&entry.title)
    ));
    if seen.recurring && !seen.documented {
        ctx.out.status(&format!(
            "this keeps coming back and has no write-up yet: `rep document {}` writes it once and for all",
            entry.short_id
        ));
    }
    Ok(seen)
}
