//! What a record must hold to be let in: every value one rep itself could have written, and no
//! stamp far ahead of the reader's clock.

use super::{EntryRecord, LINK_KINDS, Record, ReplyRecord, TextField};
use crate::limits;
use crate::model;
use crate::timefmt::Millis;

impl ReplyRecord {
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

impl EntryRecord {
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

/// A stamp far in the future would win every later change of its field, on every replica, until
/// that day: such a record is refused rather than let in.
pub fn check_stamps_ahead(record: &Record, now: Millis) -> Result<(), String> {
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
