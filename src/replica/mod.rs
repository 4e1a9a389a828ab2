//! The replicated state of a repertoire: the records every member's copy holds and the join
//! that merges two states of one record. Pure data and pure functions, with no I/O and no
//! threads; the file format that carries these records is `crate::exchange`, and the database
//! rows that hold them are `store::exchange`.
//!
//! Every mutable field carries its clock stamp and the member who set it; superseded values
//! travel along as revisions, so the merge of two records is a join: the value with the greatest
//! stamp wins and every other value ever seen stays in the history. Joins are idempotent,
//! commutative and associative, which is why imports in any order, repeated, converge.

use serde::{Deserialize, Serialize};

use crate::clock::Stamp;

mod entry;
mod join;
mod reply;
mod validate;

pub use entry::{EntryRecord, Occurrence, canonical, join};
pub use join::{bound_history, check_joined, join_files};
pub use reply::{ReplyRecord, ReplyRevision, join_reply};
pub use validate::check_stamps_ahead;

/// A field's value with the stamp of the change that set it and who made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Versioned<T> {
    pub value: T,
    pub at: Stamp,
    pub by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagState {
    pub present: bool,
    pub at: Stamp,
}

/// A value a field held before, kept so that nothing anyone wrote is lost.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revision {
    pub field: TextField,
    pub value: Option<String>,
    pub at: Stamp,
    pub by: String,
}

/// The single-valued fields that keep a history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TextField {
    Kind,
    Title,
    Body,
    Domain,
    Command,
    Link,
}

impl TextField {
    pub const ALL: [TextField; 6] = [
        TextField::Kind,
        TextField::Title,
        TextField::Body,
        TextField::Domain,
        TextField::Command,
        TextField::Link,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TextField::Kind => "kind",
            TextField::Title => "title",
            TextField::Body => "body",
            TextField::Domain => "domain",
            TextField::Command => "command",
            TextField::Link => "link",
        }
    }

    pub fn from_name(name: &str) -> Option<TextField> {
        TextField::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
#[allow(clippy::large_enum_variant)] // records are streamed one at a time; boxing buys nothing
pub enum Record {
    Entry(EntryRecord),
    Reply(ReplyRecord),
}

impl Record {
    pub fn id(&self) -> &str {
        match self {
            Record::Entry(r) => &r.id,
            Record::Reply(r) => &r.id,
        }
    }

    fn type_order(&self) -> u8 {
        match self {
            Record::Entry(_) => 0,
            Record::Reply(_) => 1,
        }
    }

    /// The file's sort key: (type, id).
    pub fn sort_key(&self) -> (u8, &str) {
        (self.type_order(), self.id())
    }
}

/// The kinds of link between entries; stored on the source entry.
pub const LINK_KINDS: [&str; 4] = ["duplicate", "related", "supersedes", "documents"];

#[cfg(test)]
pub(crate) mod tests;
