//! What an import did, record by record.

use serde::Serialize;

use crate::replica::TextField;

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
    #[serde(rename = "type")]
    pub record_type: RecordType,
    /// The entry's title (for a reply, the title of the entry it answers).
    pub title: String,
    pub outcome: Outcome,
    /// Fields whose value lost to one written without seeing it; the loser is in `rep history`.
    pub lost_concurrent_edits: Vec<TextField>,
}

/// The two kinds of record in a file, as `--json` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordType {
    Entry,
    Reply,
}

impl RecordType {
    pub fn name(self) -> &'static str {
        match self {
            RecordType::Entry => "entry",
            RecordType::Reply => "reply",
        }
    }

    /// The name with its article, for a sentence.
    pub fn with_article(self) -> &'static str {
        match self {
            RecordType::Entry => "an entry",
            RecordType::Reply => "a reply",
        }
    }
}

impl std::fmt::Display for RecordType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

pub use crate::model::Outcome;

impl ImportReport {
    /// Count a record's outcome, and list a change while the list has room; `title` is only
    /// looked up then.
    pub(super) fn record(
        &mut self,
        id: &str,
        record_type: RecordType,
        title: impl FnOnce() -> anyhow::Result<String>,
        outcome: Outcome,
        lost: Vec<TextField>,
    ) -> anyhow::Result<()> {
        match outcome {
            Outcome::Added => self.added += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => {
                self.unchanged += 1;
                return Ok(());
            }
        }
        if !lost.is_empty() {
            self.lost_concurrent_edits += 1;
        }
        if self.changes.len() >= LISTED_CHANGES && lost.is_empty() {
            self.unlisted_changes += 1;
            return Ok(());
        }
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
