//! What `rep history` lists: every change a record knows of, of every field, newest first. Pure:
//! it reads the shared record (replica::EntryRecord or ReplyRecord) and nothing else.
//!
//! Text fields keep every value they held (their revisions). Tags, links and flags (deleted,
//! resolved, reviewed, accepted) keep only their latest state and its stamp, which is what the
//! exchange format carries: so a tag added, removed and added again shows once, as added.

use crate::clock::Stamp;
use crate::replica::{EntryRecord, ReplyRecord, TagState, TextField, Versioned};

/// One change of one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// A text field's name, or `tag`, `link`'s set `links`, `deleted`, `resolved`, `reviewed`,
    /// `accepted`.
    pub field: &'static str,
    /// The value set: a text value, `+TAG`/`-TAG`, `+TARGET KIND`/`-TARGET KIND`, or the flag's
    /// word (`deleted`/`restored`, `resolved`/`reopened`, `reviewed`, `accepted`/`unaccepted`).
    pub value: Option<String>,
    /// Who made it; `None` where the format does not record it (tag and link states).
    pub by: Option<String>,
    /// When: the change's clock stamp; `None` for a reply's first body, written with the reply.
    pub at: Option<Stamp>,
    /// The value in effect (always true for set elements and flags: only their latest state is
    /// kept).
    pub current: bool,
}

/// Every change of an entry, newest first.
pub fn of_entry(record: &EntryRecord) -> Vec<Change> {
    let mut changes = Vec::new();
    for field in TextField::ALL {
        let current = record.current(field);
        changes.push(text_change(
            field,
            current.value,
            current.by,
            current.at,
            true,
        ));
    }
    for r in &record.revisions {
        changes.push(text_change(
            r.field,
            r.value.clone(),
            r.by.clone(),
            r.at.clone(),
            false,
        ));
    }
    let created = record.kind_created();
    changes.extend(set_changes("tag", &record.tags));
    changes.extend(set_changes("links", &record.links));
    changes.extend(flag_change(
        "deleted",
        &record.deleted,
        created,
        ["deleted", "restored"],
    ));
    for (name, flag, words) in [
        ("resolved", &record.resolved, ["resolved", "reopened"]),
        ("reviewed", &record.reviewed, ["reviewed", "reviewed"]),
    ] {
        if let Some(flag) = flag {
            changes.extend(flag_change(name, flag, None, words));
        }
    }
    newest_first(&mut changes);
    changes
}

/// Every change of a reply, newest first: its bodies (the first one, with no stamp, last),
/// its acceptance and its deletion.
pub fn of_reply(record: &ReplyRecord) -> Vec<Change> {
    let mut changes = Vec::new();
    let current = record.current_body();
    let body = |r: crate::replica::ReplyRevision, current: bool| Change {
        field: "body",
        value: Some(r.value),
        // The first body is the author's, written with the reply.
        by: Some(r.by.unwrap_or_else(|| record.author.clone())),
        at: r.at,
        current,
    };
    changes.push(body(current, true));
    changes.extend(record.revisions.iter().cloned().map(|r| body(r, false)));
    // A new reply's flags carry its creation stamp: only a later one is a change.
    let created = std::cmp::min(&record.accepted.at, &record.deleted.at);
    changes.extend(flag_change(
        "accepted",
        &record.accepted,
        Some(created),
        ["accepted", "unaccepted"],
    ));
    changes.extend(flag_change(
        "deleted",
        &record.deleted,
        Some(created),
        ["deleted", "restored"],
    ));
    newest_first(&mut changes);
    changes
}

fn text_change(
    field: TextField,
    value: Option<String>,
    by: String,
    at: Stamp,
    current: bool,
) -> Change {
    Change {
        field: field.name(),
        value,
        by: Some(by),
        at: Some(at),
        current,
    }
}

fn set_changes<'a>(
    field: &'static str,
    states: &'a std::collections::BTreeMap<String, TagState>,
) -> impl Iterator<Item = Change> + 'a {
    states.iter().map(move |(key, state)| Change {
        field,
        value: Some(format!("{}{key}", if state.present { '+' } else { '-' })),
        by: None,
        at: Some(state.at.clone()),
        current: true,
    })
}

/// A flag's latest state, unless it is the state it was created with (`false` at `created`);
/// with no `created`, a flag that exists at all was changed.
fn flag_change(
    field: &'static str,
    flag: &Versioned<bool>,
    created: Option<&Stamp>,
    [set, unset]: [&str; 2],
) -> Option<Change> {
    let untouched = !flag.value && created.is_some_and(|c| flag.at <= *c);
    (!untouched).then(|| Change {
        field,
        value: Some(if flag.value { set } else { unset }.to_owned()),
        by: Some(flag.by.clone()),
        at: Some(flag.at.clone()),
        current: true,
    })
}

/// Newest first; a reply's first body (no stamp) last; equal stamps in field order.
fn newest_first(changes: &mut [Change]) {
    changes.sort_by(|a, b| b.at.cmp(&a.at).then(a.field.cmp(b.field)));
}

impl EntryRecord {
    /// The stamp the entry was created with: its kind's first value (a kind is set at creation
    /// and rarely changes, so its oldest known value is the creation).
    fn kind_created(&self) -> Option<&Stamp> {
        self.revisions
            .iter()
            .filter(|r| r.field == TextField::Kind)
            .map(|r| &r.at)
            .chain([&self.kind.at])
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replica::tests::{record, stamp};
    use crate::replica::{ReplyRevision, Revision};

    fn fields(changes: &[Change]) -> Vec<(&str, Option<&str>, bool)> {
        changes
            .iter()
            .map(|c| (c.field, c.value.as_deref(), c.current))
            .collect()
    }

    #[test]
    fn an_entry_shows_every_text_value_its_tags_and_its_deletion() {
        let mut r = record("3f2a0000-0000-4000-8000-000000000000", stamp(1, 0, 1));
        r.revisions.push(Revision {
            field: TextField::Title,
            value: Some("old".into()),
            at: stamp(1, 0, 1),
            by: "ana".into(),
        });
        r.title.value = "new".into();
        r.title.at = stamp(2, 0, 1);
        r.tags.insert(
            "locks".into(),
            TagState {
                present: false,
                at: stamp(3, 0, 1),
            },
        );
        let changes = of_entry(&r);
        let shown = fields(&changes);
        assert!(!shown.iter().any(|c| c.0 == "deleted"), "never deleted");
        assert_eq!(shown[0], ("tag", Some("-locks"), true));
        assert_eq!(shown[1], ("title", Some("new"), true));
        assert!(shown.contains(&("title", Some("old"), false)));
        r.deleted = Versioned {
            value: false,
            at: stamp(4, 0, 1),
            by: "bob".into(),
        };
        let changes = of_entry(&r);
        assert_eq!(fields(&changes)[0], ("deleted", Some("restored"), true));
        assert_eq!(changes[0].by.as_deref(), Some("bob"));
    }

    #[test]
    fn a_reply_shows_its_bodies_first_written_last() {
        let r = ReplyRecord {
            id: "1b6c3c3e-6a2f-4b7e-9d1c-000000000001".into(),
            entry: "3f2a0000-0000-4000-8000-000000000000".into(),
            created_at: "2026-11-27T09:00:00.000Z".into(),
            author: "bob".into(),
            body: "second".into(),
            body_at: Some(stamp(5, 0, 1)),
            body_by: Some("ana".into()),
            revisions: vec![ReplyRevision {
                value: "first".into(),
                at: None,
                by: None,
            }],
            accepted: Versioned {
                value: true,
                at: stamp(3, 0, 1),
                by: "ana".into(),
            },
            deleted: Versioned {
                value: false,
                at: stamp(1, 0, 1),
                by: "bob".into(),
            },
            helped: Default::default(),
        };
        let changes = of_reply(&r);
        assert_eq!(
            fields(&changes),
            [
                ("body", Some("second"), true),
                ("accepted", Some("accepted"), true),
                ("body", Some("first"), false),
            ]
        );
        assert_eq!(changes[2].by.as_deref(), Some("bob"), "the author wrote it");
    }
}
