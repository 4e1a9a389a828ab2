//! `rep tags rename` and `rep domains rename`: one name changed on every entry that holds it,
//! in one transaction of ordinary stamped edits, so that the result merges like any other edit.

use serde::Serialize;

use crate::context::Context;
use crate::error::RepError;
use crate::model;
use crate::output::sanitize_line;
use crate::replica::TextField;
use crate::store::entries::{self, Renamed};

/// What `rep tags rename` and `rep domains rename` take.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The name in use
    pub old: String,
    /// The name it becomes
    pub new: String,
    /// List what would change, and change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Serialize)]
struct Shown<'a> {
    what: &'static str,
    from: &'a str,
    to: &'a str,
    dry_run: bool,
    entries: &'a [Renamed],
}

/// Rename a tag: on each entry that has it, the old tag is removed and the new one added.
pub fn tag(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let old = model::normalize_tag(&args.old)?;
    let new = model::normalize_tag(&args.new)?;
    refuse_same(&old, &new, "tag")?;
    let now = ctx.now();
    let renamed = ctx.store()?.write_or_rehearse(!args.dry_run, |w| {
        let conn = w.conn();
        let renamed = entries::holding_tag(conn, &old, &new)?;
        if renamed.is_empty() {
            return Err(
                RepError::user(format!("no entry has the tag {}", sanitize_line(&old)))
                    .with_hint("`rep tags` lists the tags in use")
                    .into(),
            );
        }
        let stamp = w.tick(now)?;
        for r in &renamed {
            // Removed first, so that the entry's live tags never exceed their limit.
            entries::set_tag(conn, r.seq, &old, false, &stamp, now)?;
            entries::set_tag(conn, r.seq, &new, true, &stamp, now)?;
            entries::refresh_tags(conn, r.seq)?;
        }
        Ok(renamed)
    })?;
    report(ctx, "tag", &old, &new, args.dry_run, &renamed)
}

/// Rename a domain and move its sub-domains with it (`k8s` -> `kube` moves `k8s/networking` to
/// `kube/networking`).
pub fn domain(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let old = model::normalize_domain(&args.old)?;
    let new = model::normalize_domain(&args.new)?;
    refuse_same(&old, &new, "domain")?;
    let now = ctx.now();
    let member = ctx.member()?;
    let renamed = ctx.store()?.write_or_rehearse(!args.dry_run, |w| {
        let conn = w.conn();
        let renamed = entries::in_domain_tree(conn, &old, |d| model::move_domain(d, &old, &new))?;
        if renamed.is_empty() {
            return Err(RepError::user(format!(
                "no entry is in the domain {}",
                sanitize_line(&old)
            ))
            .with_hint("`rep domains` lists the domains in use")
            .into());
        }
        // Every new domain must be valid (a longer prefix can push one past the length limit)
        // before anything is written.
        for r in &renamed {
            model::normalize_domain(&r.to)?;
        }
        let stamp = w.tick(now)?;
        for r in &renamed {
            entries::set_field(
                conn,
                r.seq,
                TextField::Domain,
                Some(&r.to),
                &stamp,
                &member,
                now,
            )?;
        }
        Ok(renamed)
    })?;
    report(ctx, "domain", &old, &new, args.dry_run, &renamed)
}

fn refuse_same(old: &str, new: &str, what: &str) -> anyhow::Result<()> {
    if old == new {
        return Err(RepError::usage(format!(
            "the old and the new {what} are the same: {}",
            sanitize_line(old)
        ))
        .with_hint(format!("give the {what} in use, then the name it becomes"))
        .into());
    }
    Ok(())
}

fn report(
    ctx: &Context,
    what: &'static str,
    from: &str,
    to: &str,
    dry_run: bool,
    renamed: &[Renamed],
) -> anyhow::Result<()> {
    if ctx.out.json {
        return ctx.out.json(&Shown {
            what,
            from,
            to,
            dry_run,
            entries: renamed,
        });
    }
    if dry_run {
        let mut table = ctx.out.table(&["id", "title", what, "becomes"]);
        for r in renamed {
            let gone = if r.deleted { " (deleted)" } else { "" };
            table.add_row(vec![
                r.short_id.clone(),
                format!("{}{gone}", sanitize_line(&r.title)),
                sanitize_line(&r.from),
                sanitize_line(&r.to),
            ]);
        }
        ctx.out.print_table(&table)?;
    }
    let n = renamed.len();
    let entries = if n == 1 { "entry" } else { "entries" };
    let verb = if dry_run { "would rename" } else { "renamed" };
    ctx.out.status(&format!(
        "{verb} {what} {} to {} on {n} {entries}",
        sanitize_line(from),
        sanitize_line(to)
    ));
    Ok(())
}
