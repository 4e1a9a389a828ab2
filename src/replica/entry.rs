//! An entry's replicated state, its join and its canonical form.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::join::{
    bound_helped, bound_history, bound_states, join_helped, join_set, max_optional, max_versioned,
};
use super::{Revision, TagState, TextField, Versioned};
use crate::clock::Stamp;
use crate::limits::{self, keep_newest};

/// "Hit this again": one occurrence of a problem or question. Immutable once recorded.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Occurrence {
    pub id: String,
    pub member: String,
    /// RFC 3339 with milliseconds.
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The order in which two states of one occurrence (which rep never changes, but a crafted
/// file may) are joined, and in which occurrences rank for the bound: the later wins.
fn occurrence_rank(o: &Occurrence) -> (&str, &str, &str, Option<&str>) {
    (&o.at, &o.id, &o.member, o.note.as_deref())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryRecord {
    pub id: String,
    /// RFC 3339 with milliseconds; set once, never changed.
    pub created_at: String,
    pub author: String,
    pub kind: Versioned<String>,
    pub title: Versioned<String>,
    pub body: Versioned<String>,
    pub domain: Versioned<String>,
    pub command: Versioned<Option<String>>,
    pub link: Versioned<Option<String>>,
    pub deleted: Versioned<bool>,
    pub tags: BTreeMap<String, TagState>,
    /// A question marked resolved (`rep resolve`, `rep accept`) or reopened; absent until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<Versioned<bool>>,
    /// The latest "still true" review (`rep review`): `by` reviewed it at `at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<Versioned<bool>>,
    /// Links to other entries, "TARGET-ID KIND" -> present/absent with its stamp.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub links: BTreeMap<String, TagState>,
    /// "This helped me": member -> stamp of the first time they said so.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub helped: BTreeMap<String, Stamp>,
    /// Occurrences ("hit this again"), sorted by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub occurrences: Vec<Occurrence>,
    /// Sorted by (field, value, at, by); never holds a field's current value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revisions: Vec<Revision>,
}

impl EntryRecord {
    /// The current value of a text field, borrowed.
    pub fn value_of(&self, field: TextField) -> Option<&str> {
        match field {
            TextField::Kind => Some(&self.kind.value),
            TextField::Title => Some(&self.title.value),
            TextField::Body => Some(&self.body.value),
            TextField::Domain => Some(&self.domain.value),
            TextField::Command => self.command.value.as_deref(),
            TextField::Link => self.link.value.as_deref(),
        }
    }
    /// The current value of a text field, as the revision it would become when replaced.
    pub fn current(&self, field: TextField) -> Revision {
        let (value, at, by) = match field {
            TextField::Kind => (Some(self.kind.value.clone()), &self.kind.at, &self.kind.by),
            TextField::Title => (
                Some(self.title.value.clone()),
                &self.title.at,
                &self.title.by,
            ),
            TextField::Body => (Some(self.body.value.clone()), &self.body.at, &self.body.by),
            TextField::Domain => (
                Some(self.domain.value.clone()),
                &self.domain.at,
                &self.domain.by,
            ),
            TextField::Command => (
                self.command.value.clone(),
                &self.command.at,
                &self.command.by,
            ),
            TextField::Link => (self.link.value.clone(), &self.link.at, &self.link.by),
        };
        Revision {
            field,
            value,
            at: at.clone(),
            by: by.clone(),
        }
    }

    fn set_current(&mut self, r: &Revision) {
        fn stamped<T>(value: T, r: &Revision) -> Versioned<T> {
            Versioned {
                value,
                at: r.at.clone(),
                by: r.by.clone(),
            }
        }
        let text = || r.value.clone().unwrap_or_default();
        match r.field {
            TextField::Kind => self.kind = stamped(text(), r),
            TextField::Title => self.title = stamped(text(), r),
            TextField::Body => self.body = stamped(text(), r),
            TextField::Domain => self.domain = stamped(text(), r),
            TextField::Command => self.command = stamped(r.value.clone(), r),
            TextField::Link => self.link = stamped(r.value.clone(), r),
        }
    }

    /// Every value a field has held that this record knows of, the current one included.
    pub(super) fn known(&self, field: TextField) -> BTreeSet<Revision> {
        let mut all: BTreeSet<Revision> = self
            .revisions
            .iter()
            .filter(|r| r.field == field)
            .cloned()
            .collect();
        all.insert(self.current(field));
        all
    }

    /// The largest stamp in the record, so an importer can move its clock past it.
    pub fn max_stamp(&self) -> &Stamp {
        let fields = TextField::ALL.iter().map(|f| self.field_stamp(*f));
        let rest = [&self.deleted.at]
            .into_iter()
            .chain(self.tags.values().map(|t| &t.at))
            .chain(self.links.values().map(|t| &t.at))
            .chain(self.helped.values())
            .chain(self.resolved.iter().chain(&self.reviewed).map(|v| &v.at));
        let revisions = self.revisions.iter().map(|r| &r.at);
        fields
            .chain(rest)
            .chain(revisions)
            .max()
            .unwrap_or(&self.deleted.at)
    }

    fn field_stamp(&self, field: TextField) -> &Stamp {
        match field {
            TextField::Kind => &self.kind.at,
            TextField::Title => &self.title.at,
            TextField::Body => &self.body.at,
            TextField::Domain => &self.domain.at,
            TextField::Command => &self.command.at,
            TextField::Link => &self.link.at,
        }
    }
}

/// What a join did to the local record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Joined {
    pub record: EntryRecord,
    /// Fields where one side's value lost to a value written without seeing it.
    pub lost_concurrent_edits: Vec<TextField>,
}

/// Join two states of the same entry. The result depends only on the set of facts in both, so
/// `join(a, b) == join(b, a)`, `join(a, a) == a`, and grouping does not matter.
pub fn join(a: &EntryRecord, b: &EntryRecord) -> Joined {
    debug_assert_eq!(a.id, b.id);
    let mut out = a.clone();
    if (&b.created_at, &b.author) < (&a.created_at, &a.author) {
        out.created_at = b.created_at.clone();
        out.author = b.author.clone();
    }
    let mut revisions = Vec::new();
    let mut lost = Vec::new();
    for field in TextField::ALL {
        let (known_a, known_b) = (a.known(field), b.known(field));
        let all: BTreeSet<Revision> = known_a.union(&known_b).cloned().collect();
        let winner = all
            .iter()
            .max_by(|x, y| x.at.cmp(&y.at).then_with(|| x.cmp(y)))
            .cloned();
        let Some(winner) = winner else { continue };
        out.set_current(&winner);
        // A side lost a concurrent edit when its current value was unknown to the winning side.
        let (cur_a, cur_b) = (a.current(field), b.current(field));
        let lost_a = cur_a != winner && !known_b.contains(&cur_a) && known_b.contains(&winner);
        let lost_b = cur_b != winner && !known_a.contains(&cur_b) && known_a.contains(&winner);
        if lost_a || lost_b {
            lost.push(field);
        }
        revisions.extend(bound_history(
            all.into_iter().filter(|r| *r != winner).collect(),
        ));
    }
    out.revisions = revisions;
    out.deleted = max_versioned(&a.deleted, &b.deleted);
    join_set(&mut out.tags, &b.tags);
    bound_states(&mut out.tags, limits::TAG_STATES);
    join_set(&mut out.links, &b.links);
    bound_states(&mut out.links, limits::LINKS);
    out.resolved = max_optional(&a.resolved, &b.resolved);
    out.reviewed = max_optional(&a.reviewed, &b.reviewed);
    join_helped(&mut out.helped, &b.helped);
    bound_helped(&mut out.helped);
    let mut occurrences: BTreeMap<&str, &Occurrence> = BTreeMap::new();
    for o in a.occurrences.iter().chain(&b.occurrences) {
        occurrences
            .entry(o.id.as_str())
            .and_modify(|mine| {
                if occurrence_rank(o) > occurrence_rank(mine) {
                    *mine = o;
                }
            })
            .or_insert(o);
    }
    let mut occurrences: Vec<Occurrence> = occurrences.into_values().cloned().collect();
    keep_newest(&mut occurrences, limits::OCCURRENCES, |x, y| {
        occurrence_rank(y).cmp(&occurrence_rank(x))
    });
    out.occurrences = occurrences;
    Joined {
        record: out,
        lost_concurrent_edits: lost,
    }
}

/// Put a record in its one canonical form: each field's current value is the latest it knows
/// of, and the revisions are sorted and unique.
pub fn canonical(record: EntryRecord) -> EntryRecord {
    // The common case, a record with no history and its occurrences in order, is canonical
    // already: skip the join's copies.
    let ordered = record.occurrences.windows(2).all(|w| w[0].id < w[1].id);
    let bounded = record.tags.len() <= limits::TAG_STATES
        && record.links.len() <= limits::LINKS
        && record.helped.len() <= limits::ENDORSEMENTS
        && record.occurrences.len() <= limits::OCCURRENCES;
    if record.revisions.is_empty() && ordered && bounded {
        return record;
    }
    join(&record, &record).record
}
