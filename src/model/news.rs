//! The `--json` shape of `rep news`: what changed since the member last looked.

use serde::Serialize;

/// One piece of news: an entry, or something that happened to one.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// The entry's, reply's id.
    pub id: String,
    pub short_id: String,
    /// The entry it is about (the entry itself for a new entry).
    pub entry: String,
    pub kind: crate::model::Kind,
    pub title: String,
    /// Who wrote it, accepted it, or hit the problem last.
    pub member: String,
    pub at: String,
    /// For recurring problems: occurrences, all told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurrences: Option<u64>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct News {
    pub entries: Vec<Item>,
    pub replies: Vec<Item>,
    pub accepted: Vec<Item>,
    pub recurring: Vec<Item>,
}
