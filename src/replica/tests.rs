use std::collections::BTreeMap;

use super::*;
use crate::clock::Stamp;
use crate::exchange::to_line;
use crate::limits;
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

pub const ID: &str = "0b6c3c3e-6a2f-4b7e-9d1c-2f6f5e0c8a11";

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

}
