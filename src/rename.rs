//! Renaming a tag or a domain on every entry that holds it, in one transaction of ordinary
//! stamped edits, so that the result merges like any other edit.

use crate::error::RepError;
use crate::model;
use crate::model::Renamed;
use crate::replica::TextField;
use crate::store::Store;
use crate::store::entries;
use crate::text::sanitize_line;
use crate::timefmt::Millis;

/// Rename a tag: on each entry that has it, the old tag is removed and the new one added.
/// With `dry_run`, the same work is rehearsed and rolled back. `old` and `new` are normalised
/// and differ ([`refuse_same`]).
pub fn tag(
    store: &mut Store,
    old: &str,
    new: &str,
    dry_run: bool,
    now: Millis,
) -> anyhow::Result<Vec<Renamed>> {
    store.write_or_rehearse(!dry_run, |w| {
        let conn = w.conn();
        let renamed = entries::holding_tag(conn, old, new)?;
        if renamed.is_empty() {
            return Err(
                RepError::user(format!("no entry has the tag {}", sanitize_line(old)))
                    .with_hint("`rep tags` lists the tags in use")
                    .into(),
            );
        }
        let stamp = w.tick(now)?;
        for r in &renamed {
            // Removed first, so that the entry's live tags never exceed their limit.
            entries::set_tag(conn, r.seq, old, false, &stamp, now)?;
            entries::set_tag(conn, r.seq, new, true, &stamp, now)?;
            entries::refresh_tags(conn, r.seq)?;
        }
        Ok(renamed)
    })
}

/// Rename a domain and move its sub-domains with it (`k8s` -> `kube` moves `k8s/networking` to
/// `kube/networking`). `old` and `new` are normalised and differ.
pub fn domain(
    store: &mut Store,
    old: &str,
    new: &str,
    dry_run: bool,
    now: Millis,
    member: &str,
) -> anyhow::Result<Vec<Renamed>> {
    store.write_or_rehearse(!dry_run, |w| {
        let conn = w.conn();
        let renamed = entries::in_domain_tree(conn, old, |d| model::move_domain(d, old, new))?;
        if renamed.is_empty() {
            return Err(RepError::user(format!(
                "no entry is in the domain {}",
                sanitize_line(old)
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
                member,
                now,
            )?;
        }
        Ok(renamed)
    })
}

/// Refused before anything opens: renaming a name to itself is a slip of the command line.
pub fn refuse_same(old: &str, new: &str, what: &str) -> anyhow::Result<()> {
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
