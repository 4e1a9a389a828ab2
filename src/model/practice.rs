//! The `--json` shapes of the practice: an entry's thread (replies, occurrences, links), a reply
//! on its own, what `rep seen` and `rep helped` record, and write-up candidates.

use serde::Serialize;

use super::{Entry, LinkDirection, LinkKind};

/// One reply, deleted or not, with the entry it answers: what `rep edit`, `rep rm` and
/// `rep restore` of a reply report.
#[derive(Debug, Clone, Serialize)]
pub struct ReplyState {
    pub id: String,
    pub short_id: String,
    pub entry: String,
    pub entry_short_id: String,
    pub author: String,
    pub created_at: String,
    pub body: String,
    pub accepted: bool,
    pub deleted: bool,
    /// When and by whom the body was last edited; absent while it is the first body.
    pub edited_at: Option<String>,
    pub edited_by: Option<String>,
}

/// A reply as `rep show` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ReplyView {
    pub id: String,
    pub short_id: String,
    pub author: String,
    pub created_at: String,
    pub body: String,
    pub accepted: bool,
    pub helped: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Occurrences {
    pub count: u64,
    pub members: u64,
    pub last_seen: Option<String>,
    pub notes: Vec<String>,
}

/// A link as `rep show` lists it, seen from the entry shown.
#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    pub kind: LinkKind,
    /// `to` when the shown entry is the source (it is a duplicate of, supersedes, documents the
    /// other), `from` when the other entry links to it.
    pub direction: LinkDirection,
    pub id: String,
    pub short_id: String,
    pub title: String,
}

impl LinkView {
    /// The shown entry is a duplicate of this link's other end (see community::status).
    pub fn makes_a_duplicate(&self) -> bool {
        self.kind == LinkKind::Duplicate && self.direction == LinkDirection::To
    }
}

/// A recurring problem or question without a write-up, for `rep document --candidates`.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub id: String,
    pub short_id: String,
    pub kind: crate::model::Kind,
    pub title: String,
    pub domain: String,
    pub occurrences: u64,
    pub members: u64,
}

/// An entry with everything around it; also the `--json` shape of `rep show`.
#[derive(Debug, Serialize)]
pub struct Thread {
    #[serde(flatten)]
    pub entry: Entry,
    /// `open`, `answered` or `resolved` for questions and problems; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    pub replies: Vec<ReplyView>,
    pub occurrences: Occurrences,
    pub recurring: bool,
    pub documented: bool,
    pub helped: u64,
    pub links: Vec<LinkView>,
    pub reviewed_at: Option<String>,
    pub reviewed_by: Option<String>,
    pub stale: bool,
}

/// The `--json` shape of `rep seen`.
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

/// The `--json` shape of `rep helped`.
#[derive(Serialize)]
pub struct Helped {
    pub id: String,
    pub helped: u64,
    pub new: bool,
}
