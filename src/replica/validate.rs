//! What a record must hold to be let in: every value one rep itself could have written, and no
//! stamp far ahead of the reader's clock. A refusal is an [`Invalid`] value; its text (with the
//! offending value clipped and sanitised) is the reason the reader reports.

use std::fmt;

use super::{EntryRecord, LINK_KINDS, Record, ReplyRecord, TextField};
use crate::limits;
use crate::model;
use crate::timefmt::Millis;

/// Why a record is refused. Values are kept as found (clipped to 60 characters) and sanitised
/// only when shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// An id (`what`: "id", "occurrence id") that is not a lowercase hyphenated UUID.
    NotAUuid { what: &'static str, value: String },
    /// `created_at` that is not an RFC 3339 time.
    CreatedAt { value: String },
    /// An occurrence's time that is not an RFC 3339 time.
    OccurrenceTime { value: String },
    /// A member name with spaces around it.
    MemberSpaces { value: String },
    /// A value that rep's own checks (title, body, member, field) refuse.
    Value(model::ValueError),
    /// A reply body's stamp without its member, or the reverse.
    StampWithoutMember,
    /// A reply with an empty body.
    ReplyWithoutBody,
    /// A tag that is not in its normal form.
    Tag { value: String },
    /// A link key that is not "TARGET-ID KIND".
    Link { value: String },
    /// An entry that links to itself.
    LinksToItself,
    /// A required field without a value.
    Missing { field: &'static str },
    /// A kind that is not a lowercase word.
    Kind { value: String },
    /// A title with spaces around it.
    TitleSpaces,
    /// A domain that is not in its normal form.
    Domain { value: String },
    /// An optional field present but empty.
    Empty { field: &'static str },
    /// A stamp further ahead of this machine's clock than allowed (in hours).
    StampAhead { hours: i64, allowed: i64 },
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |v: &str| crate::text::sanitize_line(v);
        match self {
            Invalid::NotAUuid { what: "id", value } => {
                write!(
                    f,
                    "id {:?} is not a lowercase hyphenated UUID",
                    shown(value)
                )
            }
            Invalid::NotAUuid { what, value } => {
                write!(f, "{what} {:?} is not a UUID", shown(value))
            }
            Invalid::CreatedAt { value } => {
                write!(f, "created_at {:?} is not an RFC 3339 time", shown(value))
            }
            Invalid::OccurrenceTime { value } => {
                write!(f, "occurrence time {:?} is not RFC 3339", shown(value))
            }
            Invalid::MemberSpaces { value } => {
                write!(f, "member name {:?} has surrounding spaces", shown(value))
            }
            Invalid::Value(refused) => fmt::Display::fmt(refused, f),
            Invalid::StampWithoutMember => f.write_str(
                "a reply's body has a stamp without a member, or a member without a stamp",
            ),
            Invalid::ReplyWithoutBody => f.write_str("a reply needs a body"),
            Invalid::Tag { value } => write!(f, "tag {:?} is not a normalised tag", shown(value)),
            Invalid::Link { value } => {
                write!(f, "link {:?} is not \"TARGET-ID KIND\"", shown(value))
            }
            Invalid::LinksToItself => f.write_str("the entry links to itself"),
            Invalid::Missing { field } => write!(f, "{field} must have a value"),
            Invalid::Kind { value } => write!(f, "kind {:?} is not a lowercase word", shown(value)),
            Invalid::TitleSpaces => f.write_str("title has surrounding spaces"),
            Invalid::Domain { value } => {
                write!(f, "domain {:?} is not a valid domain", shown(value))
            }
            Invalid::Empty { field } => write!(f, "{field} is empty; absent values are null"),
            Invalid::StampAhead { hours, allowed } => write!(
                f,
                "a change stamped {hours} hours ahead of this machine's clock (at most {allowed} \
                 allowed): the machine that made it has a wrong date, or this one has"
            ),
        }
    }
}

impl std::error::Error for Invalid {}

fn refused_value(e: model::ValueError) -> Invalid {
    Invalid::Value(e)
}

impl ReplyRecord {
    pub fn validate(&self) -> Result<(), Invalid> {
        for id in [&self.id, &self.entry] {
            let ok = uuid::Uuid::parse_str(id).is_ok_and(|u| u.hyphenated().to_string() == *id);
            if !ok {
                return Err(Invalid::NotAUuid {
                    what: "id",
                    value: clip(id),
                });
            }
        }
        crate::timefmt::parse_exact(&self.created_at).ok_or_else(|| Invalid::CreatedAt {
            value: clip(&self.created_at),
        })?;
        for member in [&self.author, &self.accepted.by, &self.deleted.by]
            .into_iter()
            .chain(self.helped.keys())
        {
            check_member(member)?;
        }
        for body in std::iter::once(self.current_body()).chain(self.revisions.iter().cloned()) {
            if body.at.is_some() != body.by.is_some() {
                return Err(Invalid::StampWithoutMember);
            }
            if let Some(by) = &body.by {
                check_member(by)?;
            }
            if body.value.trim().is_empty() {
                return Err(Invalid::ReplyWithoutBody);
            }
            model::check_body(&body.value).map_err(refused_value)?;
        }
        Ok(())
    }
}

impl EntryRecord {
    /// Check what an importer cannot trust: every value must be one rep itself could have written.
    pub fn validate(&self) -> Result<(), Invalid> {
        let ok_uuid =
            uuid::Uuid::parse_str(&self.id).is_ok_and(|u| u.hyphenated().to_string() == self.id);
        if !ok_uuid {
            return Err(Invalid::NotAUuid {
                what: "id",
                value: clip(&self.id),
            });
        }
        crate::timefmt::parse_exact(&self.created_at).ok_or_else(|| Invalid::CreatedAt {
            value: clip(&self.created_at),
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
                _ => return Err(Invalid::Tag { value: clip(tag) }),
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
                None => return Err(Invalid::Link { value: clip(key) }),
                Some(target) if target == self.id => return Err(Invalid::LinksToItself),
                Some(_) => {}
            }
        }
        for o in &self.occurrences {
            check_member(&o.member)?;
            crate::timefmt::parse_exact(&o.at)
                .ok_or_else(|| Invalid::OccurrenceTime { value: clip(&o.at) })?;
            if uuid::Uuid::parse_str(&o.id).map(|u| u.hyphenated().to_string()) != Ok(o.id.clone())
            {
                return Err(Invalid::NotAUuid {
                    what: "occurrence id",
                    value: clip(&o.id),
                });
            }
            if let Some(note) = &o.note {
                model::validate_field("occurrence note", note).map_err(refused_value)?;
            }
        }
        Ok(())
    }
}

/// A member name as a record must hold it: valid and without surrounding spaces, so that two
/// names shown alike are the same name.
fn check_member(name: &str) -> Result<(), Invalid> {
    match crate::identity::validate_member(name) {
        Ok(trimmed) if trimmed == name => Ok(()),
        Ok(_) => Err(Invalid::MemberSpaces { value: clip(name) }),
        Err(e) => Err(refused_value(e)),
    }
}

/// The first 60 characters of a value, for a message.
fn clip(s: &str) -> String {
    s.chars().take(60).collect()
}

fn validate_value(field: TextField, value: Option<&str>) -> Result<(), Invalid> {
    let name = field.name();
    let required = || Invalid::Missing { field: name };
    match field {
        TextField::Kind => {
            let kind = value.ok_or_else(required)?;
            let valid = !kind.is_empty()
                && kind.len() <= limits::KIND_BYTES
                && kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
            if !valid {
                return Err(Invalid::Kind { value: clip(kind) });
            }
        }
        TextField::Title => {
            let title = value.ok_or_else(required)?;
            match model::validate_title(title) {
                Ok(t) if t == title => {}
                Ok(_) => return Err(Invalid::TitleSpaces),
                Err(e) => return Err(refused_value(e)),
            }
        }
        TextField::Body => {
            model::check_body(value.ok_or_else(required)?).map_err(refused_value)?;
        }
        TextField::Domain => {
            let domain = value.ok_or_else(required)?;
            match model::normalize_domain(domain) {
                Ok(d) if d == domain => {}
                _ => {
                    return Err(Invalid::Domain {
                        value: clip(domain),
                    });
                }
            }
        }
        TextField::Command | TextField::Link => {
            if let Some(v) = value {
                if v.is_empty() {
                    return Err(Invalid::Empty { field: name });
                }
                model::validate_field(name, v).map_err(refused_value)?;
            }
        }
    }
    Ok(())
}

/// A stamp far in the future would win every later change of its field, on every replica, until
/// that day: such a record is refused rather than let in.
pub fn check_stamps_ahead(record: &Record, now: Millis) -> Result<(), Invalid> {
    let newest = match record {
        Record::Entry(e) => e.max_stamp(),
        Record::Reply(r) => r.max_stamp(),
    };
    let ahead = i64::try_from(newest.millis)
        .unwrap_or(i64::MAX)
        .saturating_sub(now);
    if ahead > limits::STAMP_AHEAD_MS {
        return Err(Invalid::StampAhead {
            hours: ahead / 3_600_000,
            allowed: limits::STAMP_AHEAD_MS / 3_600_000,
        });
    }
    Ok(())
}
