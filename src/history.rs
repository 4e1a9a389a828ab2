//! What `rep history` lists: every change a record knows of, of every field, newest first. Pure:
//! it reads the shared record (replica::EntryRecord or ReplyRecord) and nothing else.
//!
//! Text fields keep every value they held (their revisions). Tags, links and flags (deleted,
//! resolved, reviewed, accepted) carry only their latest state in the record, as in the exchange
//! format; the states they held before are the database's own record of them ([`PastState`],
//! store::past_states), kept as each change was made here or arrived by import or sync. So a
//! tag added, removed and added again shows three times where it happened or was merged step by
//! step, and once (as added) on a teammate's rep that only ever received the end state.

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

/// The fields whose past states the database records (migration 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateField {
    Tag,
    Links,
    Deleted,
    Resolved,
    Reviewed,
    Accepted,
}

impl StateField {
    const ALL: [StateField; 6] = [
        StateField::Tag,
        StateField::Links,
        StateField::Deleted,
        StateField::Resolved,
        StateField::Reviewed,
        StateField::Accepted,
    ];

    /// The field's name in `rep history` and in the database.
    pub fn name(self) -> &'static str {
        match self {
            StateField::Tag => "tag",
            StateField::Links => "links",
            StateField::Deleted => "deleted",
            StateField::Resolved => "resolved",
            StateField::Reviewed => "reviewed",
            StateField::Accepted => "accepted",
        }
    }

    pub fn from_name(name: &str) -> Option<StateField> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The words for a flag set and unset (`reviewed` is only ever set).
    fn words(self) -> [&'static str; 2] {
        match self {
            StateField::Deleted => ["deleted", "restored"],
            StateField::Resolved => ["resolved", "reopened"],
            StateField::Reviewed => ["reviewed", "reviewed"],
            StateField::Accepted => ["accepted", "unaccepted"],
            StateField::Tag | StateField::Links => ["+", "-"],
        }
    }
}

/// A state a tag, a link or a flag held before a later change replaced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastState {
    pub field: StateField,
    /// The tag, or the link's `TARGET KIND`; `None` for a flag.
    pub element: Option<String>,
    /// Present (tags, links) or set (flags).
    pub state: bool,
    pub at: Stamp,
    /// `None` for tags and links, whose changes the format does not attribute.
    pub by: Option<String>,
}

/// The past states as changes that are no longer in effect, leaving out a flag's state from
/// before it was ever changed (unset at or before `created`).
fn past_changes<'a>(
    past: &'a [PastState],
    created: Option<&'a Stamp>,
) -> impl Iterator<Item = Change> + 'a {
    past.iter()
        .filter(move |p| {
            let is_flag = p.element.is_none();
            !(is_flag && !p.state && created.is_some_and(|c| p.at <= *c))
        })
        .map(|p| {
            let [set, unset] = p.field.words();
            let value = match &p.element {
                Some(element) => format!("{}{element}", if p.state { set } else { unset }),
                None => if p.state { set } else { unset }.to_owned(),
            };
            Change {
                field: p.field.name(),
                value: Some(value),
                by: p.by.clone(),
                at: Some(p.at.clone()),
                current: false,
            }
        })
}

/// Every change of an entry, newest first: its record and the past states of its tags, links
/// and flags.
pub fn of_entry(record: &EntryRecord, past: &[PastState]) -> Vec<Change> {
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
    changes.extend(past_changes(past, created));
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
/// its acceptance and its deletion, with their past states.
pub fn of_reply(record: &ReplyRecord, past: &[PastState]) -> Vec<Change> {
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
    let created = past.iter().map(|p| &p.at).fold(
        std::cmp::min(&record.accepted.at, &record.deleted.at),
        std::cmp::min,
    );
    changes.extend(past_changes(past, Some(created)));
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
        let changes = of_entry(&r, &[]);
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
        let changes = of_entry(&r, &[]);
        assert_eq!(fields(&changes)[0], ("deleted", Some("restored"), true));
        assert_eq!(changes[0].by.as_deref(), Some("bob"));
    }

    #[test]
    fn past_states_show_as_earlier_changes_but_not_a_flag_as_it_was_created() {
        let mut r = record("3f2a0000-0000-4000-8000-000000000000", stamp(1, 0, 1));
        r.tags.insert(
            "locks".into(),
            TagState {
                present: true,
                at: stamp(4, 0, 1),
            },
        );
        r.deleted = Versioned {
            value: false,
            at: stamp(6, 0, 1),
            by: "ana".into(),
        };
        let past = |field, element: Option<&str>, state, at| PastState {
            field,
            element: element.map(str::to_owned),
            state,
            at: stamp(at, 0, 1),
            by: element.is_none().then(|| "bo".to_owned()),
        };
        let changes = of_entry(
            &r,
            &[
                past(StateField::Tag, Some("locks"), true, 2),
                past(StateField::Tag, Some("locks"), false, 3),
                past(StateField::Deleted, None, true, 5),
                // The deleted flag as the entry was created with it: no change.
                past(StateField::Deleted, None, false, 1),
            ],
        );
        let shown: Vec<_> = fields(&changes)
            .into_iter()
            .filter(|c| c.0 == "tag" || c.0 == "deleted")
            .collect();
        assert_eq!(
            shown,
            [
                ("deleted", Some("restored"), true),
                ("deleted", Some("deleted"), false),
                ("tag", Some("+locks"), true),
                ("tag", Some("-locks"), false),
                ("tag", Some("+locks"), false),
            ]
        );
        let deleted = changes.iter().find(|c| !c.current && c.field == "deleted");
        assert_eq!(deleted.and_then(|c| c.by.as_deref()), Some("bo"));
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
        let changes = of_reply(&r, &[]);
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
