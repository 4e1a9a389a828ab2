//! The exchange format (docs/format.md) and the merge rules: pure data and pure functions, shared
//! by `rep import`, `rep sync` and `rep merge-driver`.
//!
//! A file is a header line, then one record per line sorted by (type, id). Every mutable field
//! carries its clock stamp and the member who set it; superseded values travel along as
//! revisions, so the merge of two records is a join: the value with the greatest stamp wins and
//! every other value ever seen stays in the history. Joins are idempotent, commutative and
//! associative, which is why imports in any order, repeated, converge.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::batch::{self, BatchSender};
use crate::clock::Stamp;
use crate::limits::{self, keep_newest};
use crate::model;
use crate::timefmt::Millis;

pub const FORMAT_NAME: &str = "repertoire";
/// Major changes are refused by older readers; minor ones only add optional data.
pub const FORMAT_MAJOR: u32 = 1;
/// 1.1: a reply's body is versioned (`body_at`, `body_by`) and keeps its history (`revisions`).
pub const FORMAT_MINOR: u32 = 1;
const MAX_LINE_BYTES: usize = limits::LINE_BYTES;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub format: String,
    pub version: String,
}

impl Header {
    pub fn current() -> Header {
        Header {
            format: FORMAT_NAME.to_owned(),
            version: format!("{FORMAT_MAJOR}.{FORMAT_MINOR}"),
        }
    }

    pub fn check(&self) -> Result<(), String> {
        if self.format != FORMAT_NAME {
            return Err(format!(
                "this is not a repertoire export (format {:?})",
                self.format
            ));
        }
        // Exactly MAJOR.MINOR, each a plain decimal number: `1.0.1` or `01.0` is no version rep
        // writes, and a reader that guessed at it could misread a later format.
        let number = |part: &str| {
            let plain = !part.is_empty()
                && part.bytes().all(|b| b.is_ascii_digit())
                && (part == "0" || !part.starts_with('0'));
            if plain {
                part.parse::<u32>().ok()
            } else {
                None
            }
        };
        let major = match self.version.split_once('.') {
            Some((major, minor)) if number(minor).is_some() => number(major),
            _ => None,
        };
        match major {
            None => Err(format!("unreadable format version {:?}", self.version)),
            Some(m) if m > FORMAT_MAJOR => Err(format!(
                "format version {} is newer than this rep reads ({FORMAT_MAJOR}.x); upgrade rep",
                self.version
            )),
            Some(_) => Ok(()),
        }
    }
}

impl Serialize for Stamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.text().as_str())
    }
}

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

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

/// The kinds of link between entries; stored on the source entry.
pub const LINK_KINDS: [&str; 4] = ["duplicate", "related", "supersedes", "documents"];

/// A reply to an entry: an answer, a solution or a comment. A record of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyRecord {
    pub id: String,
    /// The entry replied to.
    pub entry: String,
    pub created_at: String,
    pub author: String,
    pub body: String,
    /// The stamp of the edit that set `body`; absent while the body is the one first written
    /// (format 1.0 had no other), which ranks before every edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_at: Option<Stamp>,
    /// Who made that edit; present exactly when `body_at` is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_by: Option<String>,
    /// Bodies the reply held before, bounded as an entry's history is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revisions: Vec<ReplyRevision>,
    pub accepted: Versioned<bool>,
    pub deleted: Versioned<bool>,
    /// "This helped me": member -> stamp of the first time they said so.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub helped: BTreeMap<String, Stamp>,
}

/// A body a reply held before. The first body has no stamp and no editor: it was written with
/// the reply, by its author.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyRevision {
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Stamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

impl ReplyRevision {
    /// Which of two bodies is current: the later edit, then the revision's own order.
    fn newer(&self, other: &ReplyRevision) -> std::cmp::Ordering {
        self.at.cmp(&other.at).then_with(|| self.cmp(other))
    }
}

impl ReplyRecord {
    pub fn max_stamp(&self) -> &Stamp {
        [&self.accepted.at, &self.deleted.at]
            .into_iter()
            .chain(self.body_at.iter())
            .chain(self.revisions.iter().filter_map(|r| r.at.as_ref()))
            .chain(self.helped.values())
            .max()
            .unwrap_or(&self.deleted.at)
    }

    /// The current body, as the revision it would become when replaced.
    pub fn current_body(&self) -> ReplyRevision {
        ReplyRevision {
            value: self.body.clone(),
            at: self.body_at.clone(),
            by: self.body_by.clone(),
        }
    }

    fn set_body(&mut self, r: ReplyRevision) {
        self.body = r.value;
        self.body_at = r.at;
        self.body_by = r.by;
    }

    /// Every body this record knows of, the current one included.
    fn known_bodies(&self) -> BTreeSet<ReplyRevision> {
        let mut all: BTreeSet<ReplyRevision> = self.revisions.iter().cloned().collect();
        all.insert(self.current_body());
        all
    }

    pub fn validate(&self) -> Result<(), String> {
        for id in [&self.id, &self.entry] {
            let ok = uuid::Uuid::parse_str(id).is_ok_and(|u| u.hyphenated().to_string() == *id);
            if !ok {
                return Err(format!(
                    "id {:?} is not a lowercase hyphenated UUID",
                    clip(id)
                ));
            }
        }
        crate::timefmt::parse_exact(&self.created_at).ok_or_else(|| {
            format!(
                "created_at {:?} is not an RFC 3339 time",
                clip(&self.created_at)
            )
        })?;
        for member in [&self.author, &self.accepted.by, &self.deleted.by]
            .into_iter()
            .chain(self.helped.keys())
        {
            check_member(member)?;
        }
        for body in std::iter::once(self.current_body()).chain(self.revisions.iter().cloned()) {
            if body.at.is_some() != body.by.is_some() {
                return Err(
                    "a reply's body has a stamp without a member, or a member without a stamp"
                        .into(),
                );
            }
            if let Some(by) = &body.by {
                check_member(by)?;
            }
            if body.value.trim().is_empty() {
                return Err("a reply needs a body".into());
            }
            model::check_body(&body.value).map_err(|e| e.message)?;
        }
        Ok(())
    }
}

/// Join two states of one reply: the body is a versioned value with its history, as an entry's
/// fields are; flags are last-writer-wins; endorsements are a union keeping each member's first
/// stamp; the facts set at creation, should two files disagree, keep the smaller.
pub fn join_reply(a: &ReplyRecord, b: &ReplyRecord) -> ReplyRecord {
    let mut out = a.clone();
    let key = |r: &ReplyRecord| (r.created_at.clone(), r.author.clone(), r.entry.clone());
    if key(b) < key(a) {
        (out.created_at, out.author, out.entry) = key(b);
    }
    let mut bodies: Vec<ReplyRevision> =
        a.known_bodies().union(&b.known_bodies()).cloned().collect();
    let newest = (0..bodies.len())
        .max_by(|&x, &y| bodies[x].newer(&bodies[y]))
        .expect("a reply has a body");
    out.set_body(bodies.swap_remove(newest));
    out.revisions = bound_reply_history(bodies);
    out.accepted = max_versioned(&a.accepted, &b.accepted);
    out.deleted = max_versioned(&a.deleted, &b.deleted);
    join_helped(&mut out.helped, &b.helped);
    bound_helped(&mut out.helped);
    out
}

/// The bodies a reply keeps of those it no longer holds: the same rule as an entry's history
/// (docs/format.md, "History"), so a reply can never outgrow the line an entry fits in.
fn bound_reply_history(history: Vec<ReplyRevision>) -> Vec<ReplyRevision> {
    let (mut small, mut large): (Vec<ReplyRevision>, Vec<ReplyRevision>) = history
        .into_iter()
        .partition(|r| !limits::revisions_kept(limits::escaped_len(&r.value)).0);
    let newest_first = |x: &ReplyRevision, y: &ReplyRevision| y.newer(x);
    keep_newest(&mut small, limits::SMALL_REVISIONS, newest_first);
    keep_newest(&mut large, limits::LARGE_REVISIONS, newest_first);
    small.append(&mut large);
    small.sort();
    small
}

/// Endorsements keep the earliest members: joining only ever moves a member's stamp earlier,
/// so the bound commutes with the join.
fn bound_helped(helped: &mut BTreeMap<String, Stamp>) {
    if helped.len() <= limits::ENDORSEMENTS {
        return;
    }
    let mut all: Vec<(String, Stamp)> = std::mem::take(helped).into_iter().collect();
    keep_newest(&mut all, limits::ENDORSEMENTS, |(m, a), (n, b)| {
        (a, m).cmp(&(b, n))
    });
    *helped = all.into_iter().collect();
}

/// Tag and link states keep the newest: joining only ever moves a state's stamp later.
fn bound_states(states: &mut BTreeMap<String, TagState>, cap: usize) {
    if states.len() <= cap {
        return;
    }
    let mut all: Vec<(String, TagState)> = std::mem::take(states).into_iter().collect();
    keep_newest(&mut all, cap, |(k, a), (l, b)| {
        (&b.at, b.present, l).cmp(&(&a.at, a.present, k))
    });
    *states = all.into_iter().collect();
}

/// The history a field keeps of the values it no longer holds: in each size class, the newest
/// by stamp (docs/format.md, "History").
pub fn bound_history(history: Vec<Revision>) -> Vec<Revision> {
    let (mut small, mut large): (Vec<Revision>, Vec<Revision>) =
        history.into_iter().partition(|r| {
            let escaped = r.value.as_deref().map_or(0, limits::escaped_len);
            !limits::revisions_kept(escaped).0
        });
    let newest_first = |x: &Revision, y: &Revision| y.at.cmp(&x.at).then_with(|| y.cmp(x));
    keep_newest(&mut small, limits::SMALL_REVISIONS, newest_first);
    keep_newest(&mut large, limits::LARGE_REVISIONS, newest_first);
    small.append(&mut large);
    small.sort();
    small
}

/// The order in which two states of one occurrence (which rep never changes, but a crafted
/// file may) are joined, and in which occurrences rank for the bound: the later wins.
fn occurrence_rank(o: &Occurrence) -> (&str, &str, &str, Option<&str>) {
    (&o.at, &o.id, &o.member, o.note.as_deref())
}

/// A member name as a record must hold it: valid and without surrounding spaces, so that two
/// names shown alike are the same name.
fn check_member(name: &str) -> Result<(), String> {
    match crate::context::validate_member(name) {
        Ok(trimmed) if trimmed == name => Ok(()),
        Ok(_) => Err(format!(
            "member name {:?} has surrounding spaces",
            clip(name)
        )),
        Err(e) => Err(e.message),
    }
}

fn join_helped(into: &mut BTreeMap<String, Stamp>, other: &BTreeMap<String, Stamp>) {
    for (member, at) in other {
        into.entry(member.clone())
            .and_modify(|mine| {
                if at < mine {
                    *mine = at.clone();
                }
            })
            .or_insert_with(|| at.clone());
    }
}

fn join_set(into: &mut BTreeMap<String, TagState>, other: &BTreeMap<String, TagState>) {
    for (key, state) in other {
        into.entry(key.clone())
            .and_modify(|mine| {
                if (&state.at, state.present) > (&mine.at, mine.present) {
                    *mine = state.clone();
                }
            })
            .or_insert_with(|| state.clone());
    }
}

fn max_optional(
    a: &Option<Versioned<bool>>,
    b: &Option<Versioned<bool>>,
) -> Option<Versioned<bool>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(max_versioned(a, b)),
        (Some(x), None) | (None, Some(x)) => Some(x.clone()),
        (None, None) => None,
    }
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
        let text = || r.value.clone().unwrap_or_default();
        match r.field {
            TextField::Kind => {
                self.kind = Versioned {
                    value: text(),
                    at: r.at.clone(),
                    by: r.by.clone(),
                }
            }
            TextField::Title => {
                self.title = Versioned {
                    value: text(),
                    at: r.at.clone(),
                    by: r.by.clone(),
                }
            }
            TextField::Body => {
                self.body = Versioned {
                    value: text(),
                    at: r.at.clone(),
                    by: r.by.clone(),
                }
            }
            TextField::Domain => {
                self.domain = Versioned {
                    value: text(),
                    at: r.at.clone(),
                    by: r.by.clone(),
                }
            }
            TextField::Command => {
                self.command = Versioned {
                    value: r.value.clone(),
                    at: r.at.clone(),
                    by: r.by.clone(),
                }
            }
            TextField::Link => {
                self.link = Versioned {
                    value: r.value.clone(),
                    at: r.at.clone(),
                    by: r.by.clone(),
                }
            }
        }
    }

    /// Every value a field has held that this record knows of, the current one included.
    fn known(&self, field: TextField) -> BTreeSet<Revision> {
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

    /// Check what an importer cannot trust: every value must be one rep itself could have written.
    pub fn validate(&self) -> Result<(), String> {
        let ok_uuid =
            uuid::Uuid::parse_str(&self.id).is_ok_and(|u| u.hyphenated().to_string() == self.id);
        if !ok_uuid {
            return Err(format!(
                "id {:?} is not a lowercase hyphenated UUID",
                clip(&self.id)
            ));
        }
        crate::timefmt::parse_exact(&self.created_at).ok_or_else(|| {
            format!(
                "created_at {:?} is not an RFC 3339 time",
                clip(&self.created_at)
            )
        })?;
        for member in [
            &self.author,
            &self.kind.by,
            &self.title.by,
            &self.body.by,
            &self.domain.by,
        ]
        .into_iter()
        .chain([&self.command.by, &self.link.by, &self.deleted.by])
        .chain(self.revisions.iter().map(|r| &r.by))
        {
            check_member(member)?;
        }
        for field in TextField::ALL {
            validate_value(field, self.value_of(field))?;
        }
        // Counts are not refused: the canonical form keeps the newest of each collection.
        for tag in self.tags.keys() {
            match model::normalize_tag(tag) {
                Ok(t) if &t == tag => {}
                _ => return Err(format!("tag {:?} is not a normalised tag", clip(tag))),
            }
        }
        for r in &self.revisions {
            validate_value(r.field, r.value.as_deref())?;
        }
        for by in self
            .resolved
            .iter()
            .chain(&self.reviewed)
            .map(|v| &v.by)
            .chain(self.helped.keys())
        {
            check_member(by)?;
        }
        for key in self.links.keys() {
            let target = key.split_once(' ').and_then(|(target, kind)| {
                let valid = uuid::Uuid::parse_str(target)
                    .is_ok_and(|u| u.hyphenated().to_string() == target)
                    && LINK_KINDS.contains(&kind);
                valid.then_some(target)
            });
            match target {
                None => return Err(format!("link {:?} is not \"TARGET-ID KIND\"", clip(key))),
                Some(target) if target == self.id => {
                    return Err("the entry links to itself".to_owned());
                }
                Some(_) => {}
            }
        }
        for o in &self.occurrences {
            check_member(&o.member)?;
            crate::timefmt::parse_exact(&o.at)
                .ok_or_else(|| format!("occurrence time {:?} is not RFC 3339", clip(&o.at)))?;
            if uuid::Uuid::parse_str(&o.id).map(|u| u.hyphenated().to_string()) != Ok(o.id.clone())
            {
                return Err(format!("occurrence id {:?} is not a UUID", clip(&o.id)));
            }
            if let Some(note) = &o.note {
                model::validate_field("occurrence note", note).map_err(|e| e.message)?;
            }
        }
        Ok(())
    }
}

fn clip(s: &str) -> String {
    crate::output::sanitize_line(&s.chars().take(60).collect::<String>())
}

fn validate_value(field: TextField, value: Option<&str>) -> Result<(), String> {
    let name = field.name();
    let required = || format!("{name} must have a value");
    match field {
        TextField::Kind => {
            let kind = value.ok_or_else(required)?;
            let valid = !kind.is_empty()
                && kind.len() <= limits::KIND_BYTES
                && kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
            if !valid {
                return Err(format!("kind {:?} is not a lowercase word", clip(kind)));
            }
        }
        TextField::Title => {
            let title = value.ok_or_else(required)?;
            match model::validate_title(title) {
                Ok(t) if t == title => {}
                Ok(_) => return Err("title has surrounding spaces".into()),
                Err(e) => return Err(e.message),
            }
        }
        TextField::Body => {
            model::check_body(value.ok_or_else(required)?).map_err(|e| e.message)?;
        }
        TextField::Domain => {
            let domain = value.ok_or_else(required)?;
            match model::normalize_domain(domain) {
                Ok(d) if d == domain => {}
                _ => return Err(format!("domain {:?} is not a valid domain", clip(domain))),
            }
        }
        TextField::Command | TextField::Link => {
            if let Some(v) = value {
                if v.is_empty() {
                    return Err(format!("{name} is empty; absent values are null"));
                }
                model::validate_field(name, v).map_err(|e| e.message)?;
            }
        }
    }
    Ok(())
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

fn max_versioned(a: &Versioned<bool>, b: &Versioned<bool>) -> Versioned<bool> {
    if (&b.at, b.value, &b.by) > (&a.at, a.value, &a.by) {
        b.clone()
    } else {
        a.clone()
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

/// One record as its line of the file, without the newline.
pub fn to_line(record: &Record) -> String {
    serde_json::to_string(record).expect("records always serialise")
}

/// One record and its newline. Serialised into a buffer first: writing to `dyn Write` piece by
/// piece was twice as slow.
pub fn write_line(out: &mut dyn std::io::Write, record: &Record) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(record).map_err(std::io::Error::from)?;
    line.push(b'\n');
    out.write_all(&line)
}

/// Hands records to a thread that serialises and writes them; see [`write_in_background`].
pub struct RecordSink {
    sender: BatchSender<Record>,
}

impl RecordSink {
    pub fn write(&mut self, record: Record) -> anyhow::Result<()> {
        anyhow::ensure!(self.sender.push(record), "the export writer stopped");
        Ok(())
    }
}

/// Run `produce` with a sink whose records are serialised and written to `out` on a second
/// thread: an export spends about as long turning records into JSON and writing them as
/// reading them from the database, so the two halves overlap.
pub fn write_in_background<W: std::io::Write + Send, T>(
    mut out: W,
    produce: impl FnOnce(&mut RecordSink) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    std::thread::scope(|scope| {
        let (sender, receiver) = batch::channel::<Record>();
        let writer = scope.spawn(move || -> std::io::Result<()> {
            for batch in receiver {
                for record in &batch {
                    write_line(&mut out, record)?;
                }
            }
            out.flush()
        });
        let mut sink = RecordSink { sender };
        let produced = produce(&mut sink).and_then(|value| {
            anyhow::ensure!(sink.sender.flush(), "the export writer stopped");
            Ok(value)
        });
        drop(sink);
        match writer.join() {
            // The writer's own error (a full disk, a closed pipe) explains a failed send.
            Ok(Err(e)) => Err(e.into()),
            Ok(Ok(())) => produced,
            Err(_) => Err(anyhow::anyhow!("the export writer crashed")),
        }
    })
}

pub fn header_line() -> String {
    serde_json::to_string(&Header::current()).expect("the header always serialises")
}

/// Why a line was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// Parse and check one line (1-based `line` for messages).
pub fn parse_line(line: usize, bytes: &[u8]) -> Result<Record, LineError> {
    let fail = |reason: String| LineError { line, reason };
    let text = std::str::from_utf8(bytes)
        .map_err(|e| fail(format!("not valid UTF-8 (at byte {})", e.valid_up_to())))?;
    if let Some(marker) = conflict_marker(text) {
        return Err(fail(format!(
            "a git conflict marker ({marker}); resolve the merge or use `rep git-setup`"
        )));
    }
    let record = parse_record(text).map_err(|e| fail(json_reason(&e)))?;
    match &record {
        Record::Entry(entry) => entry.validate().map_err(fail)?,
        Record::Reply(reply) => reply.validate().map_err(fail)?,
    }
    Ok(record)
}

/// Records as rep writes them start with their type, which lets the parser read them straight
/// into their struct; any other key order goes through serde's buffered tag lookup, which
/// allocates far more.
fn parse_record(text: &str) -> serde_json::Result<Record> {
    const ENTRY: &str = r#"{"type":"entry","#;
    const REPLY: &str = r#"{"type":"reply","#;
    if let Some(rest) = text.strip_prefix(ENTRY) {
        return serde_json::from_str(&format!("{{{rest}")).map(Record::Entry);
    }
    if let Some(rest) = text.strip_prefix(REPLY) {
        return serde_json::from_str(&format!("{{{rest}")).map(Record::Reply);
    }
    serde_json::from_str(text)
}

pub fn parse_header(bytes: &[u8]) -> Result<Header, LineError> {
    let fail = |reason: String| LineError { line: 1, reason };
    let text = std::str::from_utf8(bytes).map_err(|_| fail("not valid UTF-8".into()))?;
    if let Some(marker) = conflict_marker(text) {
        return Err(fail(format!("a git conflict marker ({marker})")));
    }
    let header: Header = serde_json::from_str(text).map_err(|e| {
        fail(format!(
            "not a repertoire export header: {}",
            json_reason(&e)
        ))
    })?;
    header.check().map_err(fail)?;
    Ok(header)
}

fn conflict_marker(text: &str) -> Option<&'static str> {
    ["<<<<<<<", "=======", ">>>>>>>", "|||||||"]
        .into_iter()
        .find(|m| text.starts_with(m))
}

fn json_reason(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Eof => "truncated JSON",
        Category::Syntax => "not valid JSON",
        Category::Data => "unexpected content",
        Category::Io => "unreadable",
    };
    let detail = e.to_string();
    // serde_json appends "at line 1 column N": the column is useful, the line is ours.
    let detail = detail.split(" at line ").next().unwrap_or(&detail);
    format!("{what}: {}", crate::output::sanitize_line(detail))
}

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    Line(LineError),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot read: {e}"),
            ReadError::Line(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ReadError {}

/// What crosses from the parsing thread, in order.
#[allow(clippy::large_enum_variant)] // nearly every item is a record; boxing buys nothing
enum Parsed {
    Record(Record),
    Failed(ReadError),
    End,
}

/// Feed every record of `input` to `apply`, parsing on a second thread meanwhile: reading and
/// JSON parsing are a sixth of a large import and overlap with the database work. Memory stays
/// bounded (a few batches in flight). A reading error is returned as a [`ReadError`] inside
/// the `anyhow::Error`, after the records before it; an error from `apply` stops the parsing.
pub fn each_record<R: std::io::BufRead + Send>(
    input: R,
    now: Millis,
    mut apply: impl FnMut(Record) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    std::thread::scope(|scope| {
        let (mut sender, receiver) = batch::channel();
        let parser = scope.spawn(move || {
            let mut reader = RecordReader::new(input, now);
            loop {
                let parsed = match reader.next_record() {
                    Ok(Some(record)) => Parsed::Record(record),
                    Ok(None) => Parsed::End,
                    Err(e) => Parsed::Failed(e),
                };
                let last = !matches!(parsed, Parsed::Record(_));
                // A failed send means the consumer stopped on an error of its own.
                if !sender.push(parsed) || last {
                    let _ = sender.flush();
                    return;
                }
            }
        });
        let mut outcome = Err(anyhow::anyhow!("the file reader stopped before the end"));
        'batches: for batch in receiver.iter() {
            for parsed in batch {
                let stop = match parsed {
                    Parsed::Record(record) => apply(record).err().map(Err),
                    Parsed::Failed(e) => Some(Err(e.into())),
                    Parsed::End => Some(Ok(())),
                };
                if let Some(end) = stop {
                    outcome = end;
                    break 'batches;
                }
            }
        }
        // Dropping the receiver ends a parser still running; a parser that panicked is a bug,
        // reported as one, and the caller's transaction is never committed on it.
        drop(receiver);
        match parser.join() {
            Ok(()) => outcome,
            Err(_) => Err(anyhow::anyhow!("the file reader crashed")),
        }
    })
}

/// The format's order: each record after the one before it by [`Record::sort_key`], as every
/// export writes them. Checking it finds a repeated id in constant memory, whatever the size.
#[derive(Default)]
struct OrderCheck {
    last: Option<(u8, String)>,
}

impl OrderCheck {
    /// Why `record` cannot follow the record before it, if it cannot.
    fn follow(&mut self, record: &Record) -> Result<(), String> {
        let (order, id) = record.sort_key();
        if let Some((last_order, last_id)) = &mut self.last {
            match (*last_order, last_id.as_str()).cmp(&(order, id)) {
                std::cmp::Ordering::Less => {
                    *last_order = order;
                    last_id.clear();
                    last_id.push_str(id);
                }
                std::cmp::Ordering::Equal => return Err(format!("record {id} appears twice")),
                std::cmp::Ordering::Greater => {
                    return Err(format!(
                        "record {id} is out of order: entries come first, then replies, each \
                         sorted by id, as `rep export` writes them (the record before is {last_id})"
                    ));
                }
            }
        } else {
            self.last = Some((order, id.to_owned()));
        }
        Ok(())
    }
}

/// Reads an exchange file record by record, checking the header, line limits, truncation and
/// order (hence repeated ids) as it goes, so a file of any size streams in constant memory.
pub struct RecordReader<R> {
    input: R,
    buf: Vec<u8>,
    line: usize,
    order: OrderCheck,
    /// The reader's wall clock: stamps far ahead of it are refused.
    now: Millis,
}

impl<R: std::io::BufRead> RecordReader<R> {
    /// A reader for `input`, refusing stamps more than [`limits::STAMP_AHEAD_MS`] ahead of `now`.
    pub fn new(input: R, now: Millis) -> RecordReader<R> {
        RecordReader {
            input,
            buf: Vec::new(),
            line: 0,
            order: OrderCheck::default(),
            now,
        }
    }

    /// The next record, canonicalised; `None` at the end of the file.
    pub fn next_record(&mut self) -> Result<Option<Record>, ReadError> {
        use std::io::{BufRead as _, Read as _};
        loop {
            self.buf.clear();
            let read = (&mut self.input)
                .take(MAX_LINE_BYTES as u64 + 1)
                .read_until(b'\n', &mut self.buf)
                .map_err(ReadError::Io)?;
            if read == 0 {
                if self.line == 0 {
                    return Err(self.fail(1, "the file is empty: there is no header".into()));
                }
                return Ok(None);
            }
            self.line += 1;
            if self.buf.last() != Some(&b'\n') {
                let reason = if self.buf.len() > MAX_LINE_BYTES {
                    format!("longer than the limit of {MAX_LINE_BYTES} bytes")
                } else {
                    "the last line has no newline: the file looks truncated".to_owned()
                };
                return Err(self.fail(self.line, reason));
            }
            self.buf.pop();
            if self.buf.last() == Some(&b'\r') {
                self.buf.pop();
            }
            if self.line == 1 {
                parse_header(&self.buf).map_err(ReadError::Line)?;
                continue;
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let record = parse_line(self.line, &self.buf).map_err(ReadError::Line)?;
            if let Err(reason) = self.order.follow(&record) {
                return Err(self.fail(self.line, reason));
            }
            if let Err(reason) = check_stamps_ahead(&record, self.now) {
                return Err(self.fail(self.line, reason));
            }
            return Ok(Some(match record {
                Record::Entry(entry) => Record::Entry(canonical(entry)),
                Record::Reply(reply) => Record::Reply(join_reply(&reply, &reply)),
            }));
        }
    }

    fn fail(&self, line: usize, reason: String) -> ReadError {
        ReadError::Line(LineError { line, reason })
    }
}

/// A stamp far in the future would win every later change of its field, on every replica, until
/// that day: such a record is refused rather than let in.
fn check_stamps_ahead(record: &Record, now: Millis) -> Result<(), String> {
    let newest = match record {
        Record::Entry(e) => e.max_stamp(),
        Record::Reply(r) => r.max_stamp(),
    };
    let ahead = i64::try_from(newest.millis)
        .unwrap_or(i64::MAX)
        .saturating_sub(now);
    if ahead > limits::STAMP_AHEAD_MS {
        return Err(format!(
            "a change stamped {} hours ahead of this machine's clock (at most {} allowed): the \
             machine that made it has a wrong date, or this one has",
            ahead / 3_600_000,
            limits::STAMP_AHEAD_MS / 3_600_000
        ));
    }
    Ok(())
}

/// Why two files cannot be joined, though each reads well on its own: the checks import makes
/// against the repertoire, made here against the other file.
pub fn check_joined(records: &[Record]) -> Result<(), String> {
    let entries: BTreeSet<&str> = records
        .iter()
        .filter_map(|r| match r {
            Record::Entry(e) => Some(e.id.as_str()),
            Record::Reply(_) => None,
        })
        .collect();
    for record in records {
        if let Record::Reply(reply) = record {
            if entries.contains(reply.id.as_str()) {
                return Err(format!("reply {} has the id of an entry", reply.id));
            }
            if !entries.contains(reply.entry.as_str()) {
                return Err(format!(
                    "reply {} answers entry {}, which is in neither file",
                    reply.id, reply.entry
                ));
            }
        }
    }
    Ok(())
}

/// Join two whole files' worth of records: the merge driver's work.
pub fn join_files(a: Vec<Record>, b: Vec<Record>) -> Vec<Record> {
    let mut merged: BTreeMap<(u8, String), Record> = BTreeMap::new();
    for record in a.into_iter().chain(b) {
        let key = (record.sort_key().0, record.id().to_owned());
        let joined = match (merged.remove(&key), record) {
            (Some(Record::Entry(mine)), Record::Entry(theirs)) => {
                Record::Entry(join(&mine, &theirs).record)
            }
            (Some(Record::Reply(mine)), Record::Reply(theirs)) => {
                Record::Reply(join_reply(&mine, &theirs))
            }
            (_, record) => record,
        };
        merged.insert(key, joined);
    }
    merged.into_values().collect()
}

/// A whole file's text for `records`, in canonical order.
pub fn file_text(records: &[Record]) -> String {
    let mut sorted: Vec<&Record> = records.iter().collect();
    sorted.sort_by(|x, y| x.sort_key().cmp(&y.sort_key()));
    let mut text = header_line();
    text.push('\n');
    for r in sorted {
        text.push_str(&to_line(r));
        text.push('\n');
    }
    text
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    pub fn stamp(millis: u64, counter: u32, replica: u8) -> Stamp {
        Stamp {
            millis,
            counter,
            replica: crate::clock::Replica::parse(&format!("{replica:032x}")).unwrap(),
        }
    }

    fn v<T>(value: T, at: Stamp) -> Versioned<T> {
        Versioned {
            value,
            at,
            by: "ana".into(),
        }
    }

    pub fn record(id: &str, at: Stamp) -> EntryRecord {
        EntryRecord {
            id: id.into(),
            created_at: "2026-11-27T09:00:00.000Z".into(),
            author: "ana".into(),
            kind: v("tool".into(), at.clone()),
            title: v("title".into(), at.clone()),
            body: v(String::new(), at.clone()),
            domain: v("general".into(), at.clone()),
            command: v(None, at.clone()),
            link: v(None, at.clone()),
            deleted: v(false, at.clone()),
            tags: BTreeMap::new(),
            resolved: None,
            reviewed: None,
            links: BTreeMap::new(),
            helped: BTreeMap::new(),
            occurrences: Vec::new(),
            revisions: Vec::new(),
        }
    }

    const ID: &str = "0b6c3c3e-6a2f-4b7e-9d1c-2f6f5e0c8a11";

    /// The largest record the limits let rep keep, every value escaped as much as JSON allows,
    /// fits in a line: rep never writes a line it refuses to read.
    #[test]
    fn the_largest_record_the_limits_allow_fits_in_a_line() {
        let control = |bytes: usize| "\u{1}".repeat(bytes);
        // A value that takes just under `escaped` bytes in the file.
        let escaping_to = |escaped: usize| control(escaped / 6);
        let wide = |chars: usize| "\u{1D538}".repeat(chars); // 4 bytes, a letter
        let member = wide(limits::MEMBER_CHARS);
        let mut r = record(ID, stamp(1, 0, 1));
        let at = |i: usize| stamp(2 + i as u64, 0, 1);
        r.author = member.clone();
        r.title.value = control(limits::TITLE_CHARS);
        r.body.value = control(limits::BODY_BYTES);
        r.command.value = Some(control(limits::FIELD_BYTES));
        r.link.value = Some(control(limits::FIELD_BYTES));
        r.domain.value = wide(limits::DOMAIN_CHARS);
        for field in TextField::ALL {
            let (small, large) = match field {
                TextField::Kind => ("k".repeat(limits::KIND_BYTES), None),
                TextField::Title => (control(limits::TITLE_CHARS), None),
                TextField::Domain => (wide(limits::DOMAIN_CHARS), None),
                TextField::Body => (
                    escaping_to(limits::SMALL_REVISION_BYTES),
                    Some(control(limits::BODY_BYTES)),
                ),
                TextField::Command | TextField::Link => (
                    escaping_to(limits::SMALL_REVISION_BYTES),
                    Some(control(limits::FIELD_BYTES)),
                ),
            };
            for i in 0..limits::SMALL_REVISIONS {
                r.revisions.push(Revision {
                    field,
                    value: Some(format!("{i:04}{small}")),
                    at: at(i),
                    by: member.clone(),
                });
            }
            for i in 0..large.as_ref().map_or(0, |_| limits::LARGE_REVISIONS) {
                r.revisions.push(Revision {
                    field,
                    value: large.clone().map(|l| format!("{i:04}{l}")),
                    at: at(100 + i),
                    by: member.clone(),
                });
            }
        }
        for i in 0..limits::TAG_STATES {
            let tag = format!("{i:04}{}", wide(limits::TAG_CHARS - 4));
            r.tags.insert(
                tag,
                TagState {
                    present: i % 2 == 0,
                    at: at(i),
                },
            );
        }
        for i in 0..limits::LINKS {
            let key = format!("{:08x}-0000-4000-8000-000000000000 supersedes", i);
            r.links.insert(
                key,
                TagState {
                    present: true,
                    at: at(i),
                },
            );
        }
        for i in 0..limits::ENDORSEMENTS {
            r.helped
                .insert(format!("{i:05}{}", wide(limits::MEMBER_CHARS - 5)), at(i));
        }
        for i in 0..limits::OCCURRENCES {
            r.occurrences.push(Occurrence {
                id: format!("{:08x}-0000-4000-8000-000000000000", i),
                member: member.clone(),
                at: "2026-11-27T09:00:00.000Z".into(),
                note: Some(control(limits::FIELD_BYTES)),
            });
        }
        let bounded = canonical(r.clone());
        assert_eq!(
            bounded.revisions.len(),
            r.revisions.len(),
            "the record is at its bounds"
        );
        let line = to_line(&Record::Entry(bounded));
        eprintln!("the largest record: {} bytes", line.len());
        assert!(
            line.len() <= limits::LINE_BYTES,
            "{} bytes, over {}",
            line.len(),
            limits::LINE_BYTES
        );
    }

    #[test]
    fn later_stamp_wins_and_loser_is_kept() {
        let base = record(ID, stamp(1, 0, 1));
        let mut a = base.clone();
        a.title = Versioned {
            value: "from a".into(),
            at: stamp(5, 0, 1),
            by: "ana".into(),
        };
        let mut b = base.clone();
        b.title = Versioned {
            value: "from b".into(),
            at: stamp(7, 0, 2),
            by: "bob".into(),
        };
        let joined = join(&a, &b);
        assert_eq!(joined.record.title.value, "from b");
        let kept: Vec<_> = joined
            .record
            .revisions
            .iter()
            .filter_map(|r| r.value.as_deref())
            .collect();
        assert_eq!(kept, ["from a"]);
        assert_eq!(joined.lost_concurrent_edits, vec![TextField::Title]);
        assert_eq!(join(&b, &a), joined, "the join is symmetric");
    }

    #[test]
    fn a_sequential_edit_is_not_a_conflict() {
        let a = record(ID, stamp(1, 0, 1));
        // b saw a's title and replaced it: a's value is in b's history.
        let mut b = a.clone();
        b.revisions.push(a.current(TextField::Title));
        b.title = Versioned {
            value: "newer".into(),
            at: stamp(2, 0, 2),
            by: "bob".into(),
        };
        let joined = join(&a, &b);
        assert_eq!(joined.record.title.value, "newer");
        assert!(joined.lost_concurrent_edits.is_empty());
    }

    #[test]
    fn tags_merge_per_element() {
        let mut a = record(ID, stamp(1, 0, 1));
        let mut b = a.clone();
        a.tags.insert(
            "x".into(),
            TagState {
                present: true,
                at: stamp(2, 0, 1),
            },
        );
        b.tags.insert(
            "y".into(),
            TagState {
                present: true,
                at: stamp(2, 0, 2),
            },
        );
        b.tags.insert(
            "x".into(),
            TagState {
                present: false,
                at: stamp(1, 5, 2),
            },
        );
        let joined = join(&a, &b).record;
        assert!(
            joined.tags["x"].present,
            "the later add wins over the earlier removal"
        );
        assert!(joined.tags["y"].present);
    }

    #[test]
    fn headers_are_checked() {
        assert!(parse_header(header_line().as_bytes()).is_ok());
        assert!(parse_header(br#"{"format":"repertoire","version":"2.0"}"#).is_err());
        assert!(parse_header(br#"{"format":"other","version":"1.0"}"#).is_err());
        assert!(parse_header(b"<<<<<<< HEAD").is_err());
    }

    #[test]
    fn lines_round_trip_and_bad_lines_say_why() {
        let r = Record::Entry(record(ID, stamp(1, 0, 1)));
        let line = to_line(&r);
        assert_eq!(parse_line(2, line.as_bytes()).unwrap(), r);
        let err = parse_line(3, &line.as_bytes()[..line.len() - 5]).unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.reason.contains("truncated"), "{}", err.reason);
        let missing = line.replace(r#""author":"ana","#, "");
        assert!(
            parse_line(4, missing.as_bytes())
                .unwrap_err()
                .reason
                .contains("author")
        );
        let bad_domain = line.replace(r#""value":"general""#, r#""value":"../../etc""#);
        assert!(
            parse_line(5, bad_domain.as_bytes())
                .unwrap_err()
                .reason
                .contains("domain")
        );
        assert!(
            parse_line(6, b"\xff\xfe")
                .unwrap_err()
                .reason
                .contains("UTF-8")
        );
        let unknown = line.replacen('{', r#"{"extra":1,"#, 1);
        assert!(parse_line(7, unknown.as_bytes()).is_err());
    }

    /// A file of `n` entries, ids in order, as an export writes it.
    fn file_of(n: usize) -> Vec<u8> {
        let mut out = format!("{}\n", header_line()).into_bytes();
        for i in 0..n {
            let id = format!("00000000-0000-4000-8000-{i:012}");
            write_line(&mut out, &Record::Entry(record(&id, stamp(1, 0, 1)))).unwrap();
        }
        out
    }

    #[test]
    fn each_record_delivers_every_record_in_order() {
        // More than one batch, and a last batch that is not full.
        let n = batch::SIZE * 3 + 7;
        let mut ids = Vec::new();
        each_record(&file_of(n)[..], Millis::MAX, |r| {
            ids.push(r.id().to_owned());
            Ok(())
        })
        .unwrap();
        assert_eq!(ids.len(), n);
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn each_record_stops_at_a_bad_line_and_says_where() {
        let mut file = file_of(batch::SIZE + 1);
        file.extend_from_slice(b"{not json\n");
        let mut seen = 0;
        let err = each_record(&file[..], Millis::MAX, |_| {
            seen += 1;
            Ok(())
        })
        .unwrap_err();
        match err.downcast::<ReadError>() {
            Ok(ReadError::Line(e)) => assert_eq!(e.line, batch::SIZE + 3),
            other => panic!("expected a line error, got {other:?}"),
        }
        assert_eq!(
            seen,
            batch::SIZE + 1,
            "the records before the bad line were delivered"
        );
    }

    #[test]
    fn each_record_stops_reading_when_the_consumer_fails() {
        // The parser is blocked on a full channel when the consumer gives up: it must notice
        // and end, or this test never returns.
        let mut seen = 0;
        let err = each_record(&file_of(batch::SIZE * 20)[..], Millis::MAX, |_| {
            seen += 1;
            anyhow::ensure!(seen < 3, "consumer failed");
            Ok(())
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "consumer failed");
        assert_eq!(seen, 3);
    }

    #[test]
    fn background_writing_writes_what_write_line_writes() {
        let records: Vec<Record> = (0..batch::SIZE * 2 + 3)
            .map(|i| {
                let id = format!("00000000-0000-4000-8000-{i:012}");
                Record::Entry(record(&id, stamp(1, 0, 1)))
            })
            .collect();
        let mut expected = Vec::new();
        for r in &records {
            write_line(&mut expected, r).unwrap();
        }
        let mut written = Vec::new();
        let count = write_in_background(&mut written, |sink| {
            for r in records.clone() {
                sink.write(r)?;
            }
            Ok(records.len())
        })
        .unwrap();
        assert_eq!(count, records.len());
        assert_eq!(written, expected);
    }

    /// A writer that fails after `left` bytes, like a full disk.
    struct FailingWriter {
        left: usize,
    }

    impl std::io::Write for FailingWriter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.left == 0 {
                return Err(std::io::Error::other("disk full"));
            }
            let n = buf.len().min(self.left);
            self.left -= n;
            Ok(n)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn background_writing_reports_the_writers_error() {
        // The producer has far more to send than the channel holds: it must be released when
        // the writer fails, and the error must be the writer's, not a broken channel.
        let err = write_in_background(FailingWriter { left: 10_000 }, |sink| {
            for i in 0..batch::SIZE * 50 {
                let id = format!("00000000-0000-4000-8000-{i:012}");
                sink.write(Record::Entry(record(&id, stamp(1, 0, 1))))?;
            }
            Ok(())
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
    }

    fn arb_text() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("a".to_owned()),
            Just("b".to_owned()),
            Just("c".to_owned())
        ]
    }

    fn arb_stamp() -> impl Strategy<Value = Stamp> {
        (0u64..4, 0u32..3, 0u8..3).prop_map(|(m, c, r)| stamp(m, c, r))
    }

    fn arb_record() -> impl Strategy<Value = EntryRecord> {
        (
            arb_stamp(),
            (arb_text(), arb_stamp()),
            (arb_text(), arb_stamp()),
            proptest::option::of((arb_text(), arb_stamp())),
            (any::<bool>(), arb_stamp()),
            proptest::collection::btree_map(arb_text(), (any::<bool>(), arb_stamp()), 0..3),
            proptest::collection::vec((arb_text(), arb_stamp()), 0..3),
        )
            .prop_map(|(base, title, body, command, deleted, tags, revs)| {
                let mut r = record(ID, base);
                r.title = v(title.0, title.1);
                r.body = v(body.0, body.1);
                if let Some((c, at)) = command {
                    r.command = v(Some(c), at);
                }
                r.deleted = v(deleted.0, deleted.1);
                r.tags = tags
                    .into_iter()
                    .map(|(k, (present, at))| (k, TagState { present, at }))
                    .collect();
                r.revisions = revs
                    .into_iter()
                    .map(|(value, at)| Revision {
                        field: TextField::Title,
                        value: Some(value),
                        at,
                        by: "bob".into(),
                    })
                    .collect();
                canonical(r)
            })
    }

    const REPLY_ID: &str = "1b6c3c3e-6a2f-4b7e-9d1c-000000000001";

    /// One reply's states: edited or not, with history, deleted or not, with crafted
    /// disagreements on its creation facts.
    fn arb_reply() -> impl Strategy<Value = ReplyRecord> {
        (
            arb_text(),
            proptest::option::of(arb_stamp()),
            proptest::collection::vec((arb_text(), proptest::option::of(arb_stamp())), 0..3),
            (any::<bool>(), arb_stamp()),
            (any::<bool>(), arb_stamp()),
            prop_oneof![Just("bob"), Just("cy")],
        )
            .prop_map(|(body, body_at, revs, accepted, deleted, author)| {
                let by = |at: &Option<Stamp>| at.as_ref().map(|_| "ana".to_owned());
                let r = ReplyRecord {
                    id: REPLY_ID.into(),
                    entry: ID.into(),
                    created_at: "2026-11-27T09:00:00.000Z".into(),
                    author: author.into(),
                    body,
                    body_by: by(&body_at),
                    body_at,
                    revisions: revs
                        .into_iter()
                        .map(|(value, at)| ReplyRevision {
                            value,
                            by: by(&at),
                            at,
                        })
                        .collect(),
                    accepted: v(accepted.0, accepted.1),
                    deleted: v(deleted.0, deleted.1),
                    helped: BTreeMap::new(),
                };
                join_reply(&r, &r)
            })
    }

    #[test]
    fn a_reply_edit_wins_over_the_first_body_which_stays_in_history() {
        let first = ReplyRecord {
            id: REPLY_ID.into(),
            entry: ID.into(),
            created_at: "2026-11-27T09:00:00.000Z".into(),
            author: "bob".into(),
            body: "first".into(),
            body_at: None,
            body_by: None,
            revisions: vec![],
            accepted: v(false, stamp(1, 0, 1)),
            deleted: v(false, stamp(1, 0, 1)),
            helped: BTreeMap::new(),
        };
        let mut edited = first.clone();
        edited.revisions.push(first.current_body());
        edited.body = "second".into();
        edited.body_at = Some(stamp(2, 0, 2));
        edited.body_by = Some("ana".into());
        edited.deleted = v(true, stamp(3, 0, 2));
        for joined in [join_reply(&first, &edited), join_reply(&edited, &first)] {
            assert_eq!(joined.body, "second");
            assert_eq!(joined.revisions, vec![first.current_body()]);
            assert!(joined.deleted.value);
        }
        assert!(edited.validate().is_ok());
        let mut half = edited.clone();
        half.body_by = None;
        assert!(half.validate().is_err(), "a stamp without its member");
    }

    proptest! {
        #[test]
        fn reply_join_is_idempotent(a in arb_reply()) {
            prop_assert_eq!(join_reply(&a, &a), a);
        }

        #[test]
        fn reply_join_is_commutative(a in arb_reply(), b in arb_reply()) {
            prop_assert_eq!(join_reply(&a, &b), join_reply(&b, &a));
        }

        #[test]
        fn reply_join_is_associative(a in arb_reply(), b in arb_reply(), c in arb_reply()) {
            let left = join_reply(&join_reply(&a, &b), &c);
            let right = join_reply(&a, &join_reply(&b, &c));
            prop_assert_eq!(left, right);
        }

        #[test]
        fn reply_join_loses_no_body(a in arb_reply(), b in arb_reply()) {
            let j = join_reply(&a, &b);
            for side in [&a, &b] {
                for body in side.known_bodies() {
                    prop_assert!(j.known_bodies().contains(&body), "lost {:?}", body);
                }
            }
        }

        #[test]
        fn join_is_idempotent(a in arb_record()) {
            prop_assert_eq!(join(&a, &a).record, a);
        }

        #[test]
        fn join_is_commutative(a in arb_record(), b in arb_record()) {
            prop_assert_eq!(join(&a, &b).record, join(&b, &a).record);
        }

        #[test]
        fn join_is_associative(a in arb_record(), b in arb_record(), c in arb_record()) {
            let left = join(&join(&a, &b).record, &c).record;
            let right = join(&a, &join(&b, &c).record).record;
            prop_assert_eq!(left, right);
        }

        #[test]
        fn join_loses_no_value(a in arb_record(), b in arb_record()) {
            let j = join(&a, &b).record;
            for side in [&a, &b] {
                for field in TextField::ALL {
                    for r in side.known(field) {
                        prop_assert!(j.known(field).contains(&r), "lost {:?}", r);
                    }
                }
            }
        }

        #[test]
        fn parse_line_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse_line(1, &bytes);
            let _ = parse_header(&bytes);
        }
    }
}
