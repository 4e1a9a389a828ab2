//! What an import did, record by record.

use serde::Serialize;

/// What an import did, record by record.
#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub lost_concurrent_edits: usize,
    /// Records that were added or changed, in file order: every one that lost a concurrent
    /// edit, and the others up to [`LISTED_CHANGES`], so memory stays flat for any file size.
    pub changes: Vec<ImportChange>,
    /// Changes counted but not listed.
    pub unlisted_changes: usize,
}

pub const LISTED_CHANGES: usize = 1000;

#[derive(Debug, Serialize)]
pub struct ImportChange {
    pub id: String,
    /// `entry` or `reply`.
    #[serde(rename = "type")]
    pub record_type: &'static str,
    /// The entry's title (for a reply, the title of the entry it answers).
    pub title: String,
    /// `added` or `updated`.
    pub outcome: &'static str,
    /// Fields whose value lost to one written without seeing it; the loser is in `rep history`.
    pub lost_concurrent_edits: Vec<&'static str>,
}

impl ImportReport {
    /// Count a change, and list it while the list has room; `title` is only looked up then.
    pub(super) fn record(
        &mut self,
        id: &str,
        record_type: &'static str,
        title: impl FnOnce() -> anyhow::Result<String>,
        added: bool,
        lost: Vec<&'static str>,
    ) -> anyhow::Result<()> {
        if added {
            self.added += 1;
        } else {
            self.updated += 1;
        }
        if !lost.is_empty() {
            self.lost_concurrent_edits += 1;
        }
        if self.changes.len() >= LISTED_CHANGES && lost.is_empty() {
            self.unlisted_changes += 1;
            return Ok(());
        }
        let outcome = if added { "added" } else { "updated" };
        self.changes.push(ImportChange {
            id: id.to_owned(),
            record_type,
            title: title()?,
            outcome,
            lost_concurrent_edits: lost,
        });
        Ok(())
    }
}
