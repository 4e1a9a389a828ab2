use super::report::*;
use super::rows::*;
use super::*;
use crate::exchange;
use crate::model::{EntrySeq, ReplySeq};
use crate::replica::{self, Record, ReplyRecord, TagState, TextField, Versioned};
use crate::store::Store;
use crate::store::entries::{self, NewEntry};
use crate::timefmt::Millis;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn export_bytes(store: &mut Store) -> Vec<u8> {
    let mut out = Vec::new();
    store.read(|c| export(c, &[], &mut out)).unwrap();
    out
}

fn import_bytes(store: &mut Store, bytes: &[u8]) -> ImportReport {
    store.write(|w| import(w, bytes, Millis::MAX)).unwrap()
}

#[derive(Debug, Clone)]
enum Op {
    Create {
        title: u8,
    },
    Edit {
        entry: usize,
        field: u8,
        value: u8,
    },
    Tag {
        entry: usize,
        tag: u8,
        present: bool,
    },
    Delete {
        entry: usize,
        deleted: bool,
    },
    Answer {
        entry: usize,
    },
    Accept {
        reply: usize,
    },
    /// On an entry, or on a reply when `reply` is set (then `entry` picks the reply).
    Helped {
        entry: usize,
        reply: bool,
    },
    Seen {
        entry: usize,
    },
    Link {
        from: usize,
        to: usize,
        present: bool,
        kind: u8,
    },
    Review {
        entry: usize,
    },
    Resolve {
        entry: usize,
        resolved: bool,
    },
    Send {
        to: usize,
    },
    EditReply {
        reply: usize,
        value: u8,
    },
    DeleteReply {
        reply: usize,
        deleted: bool,
    },
}

/// Weighted so that most histories hold replies, acceptances, endorsements of entries and
/// replies, occurrences and links of every kind, and indices mostly name records that exist.
fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..4).prop_map(|title| Op::Create { title }),
        2 => (0usize..4, 0u8..3, 0u8..4).prop_map(|(entry, field, value)| Op::Edit {
            entry,
            field,
            value
        }),
        1 => (0usize..4, 0u8..3, any::<bool>()).prop_map(|(entry, tag, present)| Op::Tag {
            entry,
            tag,
            present
        }),
        1 => (0usize..4, any::<bool>()).prop_map(|(entry, deleted)| Op::Delete { entry, deleted }),
        3 => (0usize..4).prop_map(|entry| Op::Answer { entry }),
        2 => (0usize..3).prop_map(|reply| Op::Accept { reply }),
        3 => (0usize..3, any::<bool>()).prop_map(|(entry, reply)| Op::Helped { entry, reply }),
        2 => (0usize..4).prop_map(|entry| Op::Seen { entry }),
        2 => (0usize..4, 0usize..4, any::<bool>(), 0u8..4).prop_map(|(from, to, present, kind)| {
            Op::Link {
                from,
                to,
                present,
                kind,
            }
        }),
        1 => (0usize..4).prop_map(|entry| Op::Review { entry }),
        1 => (0usize..4, any::<bool>())
            .prop_map(|(entry, resolved)| Op::Resolve { entry, resolved }),
        4 => (0usize..3).prop_map(|to| Op::Send { to }),
        2 => (0usize..3, 0u8..3).prop_map(|(reply, value)| Op::EditReply { reply, value }),
        1 => (0usize..3, any::<bool>())
            .prop_map(|(reply, deleted)| Op::DeleteReply { reply, deleted }),
    ]
}

/// What the replicas wrote that must survive every exchange.
#[derive(Debug, Default)]
struct Written {
    occurrences: usize,
    endorsements: std::collections::BTreeSet<(String, String)>,
    accepted: std::collections::BTreeSet<String>,
    /// (reply, body): every body a reply was given, kept as current or in its history.
    reply_bodies: std::collections::BTreeSet<(String, String)>,
}

/// Apply one local operation on replica `store` at wall time `now`; returns a created id.
fn apply(
    store: &mut Store,
    op: &Op,
    ids: &[String],
    replies: &mut Vec<String>,
    written: &mut Written,
    now: i64,
    member: &str,
) -> Option<String> {
    use crate::store::practice;
    let seq_of = |store: &mut Store, entry: usize| -> Option<EntrySeq> {
        let id = ids.get(entry)?;
        store.read(|c| seq_of(c, id)).unwrap()
    };
    match op {
        Op::Create { title } => {
            let new = NewEntry {
                kind: "tool".into(),
                title: format!("title {title}"),
                body: String::new(),
                domain: "general".into(),
                tags: vec![],
                author: member.into(),
                command: None,
                link: None,
            };
            let (_, id) = store.write(|w| entries::insert(w, &new, now)).unwrap();
            return Some(id);
        }
        Op::Edit {
            entry,
            field,
            value,
        } => {
            let seq = seq_of(store, *entry)?;
            let field = [TextField::Title, TextField::Body, TextField::Command][*field as usize];
            let value = format!("value {value}");
            store
                .write(|w| {
                    let stamp = w.tick(now)?;
                    entries::set_field(w.conn(), seq, field, Some(&value), &stamp, member, now)
                })
                .unwrap();
        }
        Op::Tag {
            entry,
            tag,
            present,
        } => {
            let seq = seq_of(store, *entry)?;
            store
                .write(|w| {
                    let stamp = w.tick(now)?;
                    entries::set_tag(w.conn(), seq, &format!("t{tag}"), *present, &stamp, now)?;
                    entries::refresh_tags(w.conn(), seq)
                })
                .unwrap();
        }
        Op::Delete { entry, deleted } => {
            let seq = seq_of(store, *entry)?;
            store
                .write(|w| {
                    let stamp = w.tick(now)?;
                    entries::set_deleted(w.conn(), seq, *deleted, &stamp, member, now)
                })
                .unwrap();
        }
        Op::Answer { entry } => {
            let seq = seq_of(store, *entry)?;
            let (_, id) = store
                .write(|w| practice::add_reply(w, seq, member, "an answer", now))
                .unwrap();
            replies.push(id);
        }
        Op::Accept { reply } => {
            let id = replies.get(*reply)?.clone();
            let seq: Option<ReplySeq> = store.read(|c| reply_seq_of(c, &id)).unwrap();
            let seq = seq?;
            store
                .write(|w| {
                    let stamp = w.tick(now)?;
                    practice::set_accepted(w.conn(), seq, true, &stamp, member)?;
                    let entry = practice::reply_entry(w.conn(), seq)?;
                    practice::set_resolved(w.conn(), entry, true, &stamp, member, now)
                })
                .unwrap();
            written.accepted.insert(id);
        }
        Op::EditReply { reply, value } => {
            let id = replies.get(*reply)?.clone();
            let seq = store.read(|c| reply_seq_of(c, &id)).unwrap()?;
            let body = format!("reply {value}");
            store
                .write(|w| {
                    let stamp = w.tick(now)?;
                    practice::set_reply_body(w.conn(), seq, &body, &stamp, member)
                })
                .unwrap();
            written.reply_bodies.insert((id, body));
        }
        Op::DeleteReply { reply, deleted } => {
            let id = replies.get(*reply)?.clone();
            let seq = store.read(|c| reply_seq_of(c, &id)).unwrap()?;
            store
                .write(|w| {
                    let stamp = w.tick(now)?;
                    practice::set_reply_deleted(w.conn(), seq, *deleted, &stamp, member, now)
                })
                .unwrap();
        }
        Op::Helped { entry, reply } => {
            let id = if *reply {
                let id = replies.get(*entry)?.clone();
                store.read(|c| reply_seq_of(c, &id)).unwrap()?;
                id
            } else {
                seq_of(store, *entry)?;
                ids.get(*entry)?.clone()
            };
            store
                .write(|w| {
                    let stamp = w.tick(now)?;
                    practice::endorse(w.conn(), &id, member, &stamp)
                })
                .unwrap();
            written.endorsements.insert((id, member.to_owned()));
        }
        Op::Seen { entry } => {
            let seq = seq_of(store, *entry)?;
            store
                .write(|w| {
                    w.tick(now)?;
                    practice::add_occurrence(w.conn(), seq, member, now, Some("again"))
                })
                .unwrap();
            written.occurrences += 1;
        }
        Op::Link {
            from,
            to,
            present,
            kind,
        } => {
            // The CLI refuses a link from an entry to itself, and so does import.
            if from == to {
                return None;
            }
            let seq = seq_of(store, *from)?;
            let target = ids.get(*to)?.clone();
            let kind = ["related", "duplicate", "supersedes", "documents"][*kind as usize];
            store
                .write(|w| {
                    let stamp = w.tick(now)?;
                    practice::set_link(w.conn(), seq, &target, kind, *present, &stamp)
                })
                .unwrap();
        }
        Op::Review { entry } => {
            let seq = seq_of(store, *entry)?;
            store
                .write(|w| {
                    let stamp = w.tick(now)?;
                    practice::set_reviewed(w.conn(), seq, &stamp, member)
                })
                .unwrap();
        }
        Op::Resolve { entry, resolved } => {
            let seq = seq_of(store, *entry)?;
            store
                .write(|w| {
                    let stamp = w.tick(now)?;
                    practice::set_resolved(w.conn(), seq, *resolved, &stamp, member, now)
                })
                .unwrap();
        }
        Op::Send { .. } => {}
    }
    None
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// Random histories on three replicas with skewed and tied clocks, exchanged in random
    /// orders with repeats, end with byte-identical exports; nothing written is lost.
    #[test]
    fn replicas_converge(
        steps in proptest::collection::vec((0usize..3, op(), 0i64..3), 1..80),
        skew in proptest::collection::vec(-5_000i64..5_000, 3),
        final_order in proptest::collection::vec((0usize..3, 0usize..3), 6..12),
    ) {
        let mut replicas: Vec<Store> = (0..3).map(|_| Store::open_in_memory().unwrap()).collect();
        let members = ["ana", "bob", "cy"];
        let mut ids: Vec<String> = Vec::new();
        let mut replies: Vec<String> = Vec::new();
        let mut written = Written::default();
        let mut written_titles: Vec<(String, String)> = Vec::new();
        // Two entries every replica knows, so that replies, occurrences and links come early.
        for title in 0..2 {
            let id = apply(&mut replicas[0], &Op::Create { title }, &ids, &mut replies, &mut written, 999_000, "ana");
            ids.extend(id);
        }
        let seed = export_bytes(&mut replicas[0]);
        for other in replicas.iter_mut().skip(1) {
            import_bytes(other, &seed);
        }
        for (i, (r, op, tick)) in steps.iter().enumerate() {
            // Wall clocks advance slowly and often tie; each replica's is skewed.
            let now = 1_000_000 + (i as i64 / 3) * 10 + tick + skew[*r];
            if let Op::Send { to } = op {
                let bytes = export_bytes(&mut replicas[*r]);
                import_bytes(&mut replicas[*to], &bytes);
                continue;
            }
            if let Op::Edit { entry, field: 0, value } = op {
                let known = ids.get(*entry).filter(|id| replicas[*r].read(|c| seq_of(c, id)).unwrap().is_some());
                if let Some(id) = known {
                    written_titles.push((id.clone(), format!("value {value}")));
                }
            }
            if let Some(id) = apply(&mut replicas[*r], op, &ids, &mut replies, &mut written, now, members[*r]) {
                ids.push(id);
            }
        }
        // Deliver in a random order with repeats, then all-to-all so everyone has seen all.
        for (from, to) in final_order {
            let bytes = export_bytes(&mut replicas[from]);
            import_bytes(&mut replicas[to], &bytes);
        }
        for _round in 0..2 {
            for from in 0..3 {
                let bytes = export_bytes(&mut replicas[from]);
                for to in replicas.iter_mut() {
                    import_bytes(to, &bytes);
                }
            }
        }
        let exports: Vec<Vec<u8>> = replicas.iter_mut().map(export_bytes).collect();
        prop_assert_eq!(&exports[0], &exports[1]);
        prop_assert_eq!(&exports[1], &exports[2]);
        let text = String::from_utf8(exports[0].clone()).unwrap();
        for (id, title) in &written_titles {
            let prefix = format!("{{\"type\":\"entry\",\"id\":\"{id}\"");
            let line = text.lines().find(|l| l.starts_with(&prefix));
            if let Some(line) = line {
                prop_assert!(line.contains(&format!("\"{title}\"")), "title {} of {} lost", title, id);
            }
        }
        // Nothing of the practice is lost: every reply, acceptance, occurrence and endorsement.
        let records: Vec<serde_json::Value> = text
            .lines()
            .skip(1)
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let exported_replies: Vec<&serde_json::Value> =
            records.iter().filter(|r| r["type"] == "reply").collect();
        prop_assert_eq!(exported_replies.len(), replies.len());
        for reply in &exported_replies {
            let id = reply["id"].as_str().unwrap();
            prop_assert_eq!(
                reply["accepted"]["value"].as_bool().unwrap(),
                written.accepted.contains(id),
                "acceptance of reply {}", id
            );
        }
        for (id, body) in &written.reply_bodies {
            let reply = exported_replies.iter().find(|r| r["id"] == id.as_str()).unwrap();
            let held = reply["body"] == body.as_str()
                || reply["revisions"]
                    .as_array()
                    .is_some_and(|rs| rs.iter().any(|r| r["value"] == body.as_str()));
            prop_assert!(held, "body {} of reply {} lost", body, id);
        }
        let occurrences: usize = records
            .iter()
            .filter_map(|r| r["occurrences"].as_array())
            .map(Vec::len)
            .sum();
        prop_assert_eq!(occurrences, written.occurrences);
        let endorsements: std::collections::BTreeSet<(String, String)> = records
            .iter()
            .filter_map(|r| Some((r["id"].as_str()?, r["helped"].as_object()?)))
            .flat_map(|(id, helped)| helped.keys().map(move |m| (id.to_owned(), m.clone())))
            .collect();
        prop_assert_eq!(&endorsements, &written.endorsements);
        // Round trip: an empty repertoire importing the export gives the same bytes.
        let mut fresh = Store::open_in_memory().unwrap();
        import_bytes(&mut fresh, &exports[0]);
        prop_assert_eq!(&export_bytes(&mut fresh), &exports[0]);
        // Importing again changes nothing.
        let again = import_bytes(&mut replicas[0], &exports[1]);
        prop_assert_eq!(again.added + again.updated, 0);
    }
}

#[test]
fn a_bad_line_changes_nothing() {
    let mut store = Store::open_in_memory().unwrap();
    let new = NewEntry {
        kind: "tool".into(),
        title: "t".into(),
        body: String::new(),
        domain: "general".into(),
        tags: vec![],
        author: "ana".into(),
        command: None,
        link: None,
    };
    store.write(|w| entries::insert(w, &new, 1)).unwrap();
    let good = export_bytes(&mut store);
    let mut other = Store::open_in_memory().unwrap();
    let mut bad = good.clone();
    bad.extend_from_slice(b"{\"type\":\"entry\"}\n");
    let result = other.write(|w| import(w, &bad[..], Millis::MAX));
    let message = format!("{:#}", result.unwrap_err());
    assert!(message.contains("line 3"), "{message}");
    assert_eq!(
        export_bytes(&mut other),
        exchange::header_line()
            .into_bytes()
            .into_iter()
            .chain(*b"\n")
            .collect::<Vec<_>>()
    );
}

#[test]
fn files_are_checked_for_the_usual_damage() {
    let mut store = Store::open_in_memory().unwrap();
    let header = exchange::header_line();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"".to_vec(), "empty"),
        (b"not json\n".to_vec(), "header"),
        (
            br#"{"format":"repertoire","version":"9.0"}"#.iter().copied().chain(*b"\n").collect(),
            "newer",
        ),
        (
            format!("{header}\n<<<<<<< HEAD\n").into_bytes(),
            "conflict marker",
        ),
        (
            format!("{header}\n{{\"type\":\"entry\"").into_bytes(),
            "truncated",
        ),
        (format!("{header}\n\u{0}\n").into_bytes(), "line 2"),
    ];
    for (bytes, expected) in cases {
        let err = store
            .write(|w| import(w, &bytes[..], Millis::MAX))
            .unwrap_err();
        let message = format!("{err:#}");
        assert!(
            message.contains(expected),
            "expected {expected:?} in {message:?}"
        );
    }
}

fn file_of(n: usize) -> String {
    let mut text = exchange::header_line();
    text.push('\n');
    for i in 0..n {
        let mut record = replica::tests::record(
            &format!("0b6c3c3e-6a2f-4b7e-9d1c-{i:012x}"),
            replica::tests::stamp(1_795_000_000_000, 0, 1),
        );
        record.body.value = format!("record {i} ").repeat(40);
        text.push_str(&exchange::to_line(&Record::Entry(record)));
        text.push('\n');
    }
    text
}

/// Entries with varied text (one deleted, so not indexed), and replies to some of them.
fn varied_file(n: usize) -> String {
    let words = [
        "kubernetes",
        "postgres",
        "vacuum",
        "ingress",
        "timeout",
        "backup",
        "dns",
    ];
    let at = replica::tests::stamp(1_795_000_000_000, 0, 1);
    let mut lines = vec![exchange::header_line()];
    let mut replies = Vec::new();
    for i in 0..n {
        let id = format!("0b6c3c3e-6a2f-4b7e-9d1c-{i:012x}");
        let mut record = replica::tests::record(&id, at.clone());
        let word = |k: usize| words[(i + k * 3) % words.len()];
        record.title.value = format!("{} and {} {i}", word(0), word(1));
        record.body.value = format!("{} {} {} ", word(2), word(3), word(0)).repeat(1 + i % 5);
        record.command.value = (i % 3 == 0).then(|| format!("kubectl get {}", word(4)));
        record.tags.insert(
            word(5).to_owned(),
            TagState {
                present: true,
                at: at.clone(),
            },
        );
        record.deleted.value = i == 3;
        lines.push(exchange::to_line(&Record::Entry(record)));
        if i % 4 == 0 {
            replies.push(exchange::to_line(&Record::Reply(ReplyRecord {
                id: format!("1b6c3c3e-6a2f-4b7e-9d1c-{i:012x}"),
                entry: id,
                created_at: "2026-11-27T09:00:00.000Z".into(),
                author: "bob".into(),
                body: format!("try {} before {}", word(6), word(1)),
                body_at: None,
                body_by: None,
                revisions: Vec::new(),
                accepted: Versioned {
                    value: false,
                    at: at.clone(),
                    by: "bob".into(),
                },
                deleted: Versioned {
                    value: false,
                    at: at.clone(),
                    by: "bob".into(),
                },
                helped: BTreeMap::new(),
            })));
        }
    }
    lines.extend(replies);
    lines.join("\n") + "\n"
}

/// The bulk indexer's scratch files in `dir`.
fn scratch_files(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| name.contains(".index-"))
        .collect()
}

/// Ranked rows for `query` in the full-text table `table`.
fn ranked(store: &mut Store, table: &str, query: &str) -> Vec<i64> {
    store
        .read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT rowid FROM {table} WHERE {table} MATCH ?1 ORDER BY rank, rowid"
            ))?;
            let rows = stmt.query_map([query], |r| r.get(0))?;
            Ok(rows.collect::<Result<Vec<i64>, _>>()?)
        })
        .unwrap()
}

/// An import into an empty repertoire on disk builds its full-text indexes in a scratch
/// database and copies them in; one in memory indexes record by record. Both must give
/// sound indexes that answer every query alike, and leave no scratch file behind.
#[test]
fn bulk_indexing_equals_indexing_record_by_record() {
    let file = varied_file(700);
    let dir = tempfile::tempdir().unwrap();
    let mut on_disk = Store::open(&dir.path().join("rep.db")).unwrap();
    let mut in_memory = Store::open_in_memory().unwrap();
    import_bytes(&mut on_disk, file.as_bytes());
    import_bytes(&mut in_memory, file.as_bytes());
    on_disk
        .read(|c| {
            c.execute_batch(
                "INSERT INTO entries_fts(entries_fts) VALUES ('integrity-check');
                 INSERT INTO entries_words(entries_words) VALUES ('integrity-check');
                 INSERT INTO replies_fts(replies_fts) VALUES ('integrity-check');",
            )?;
            Ok(())
        })
        .unwrap();
    for query in [
        "kubernetes",
        "postgres OR dns",
        "vacuum ingress",
        "\"get timeout\"",
        "backup",
    ] {
        let expected = ranked(&mut in_memory, "entries_fts", query);
        assert!(!expected.is_empty(), "{query}");
        assert!(!expected.contains(&4), "the deleted entry is not indexed");
        assert_eq!(
            ranked(&mut on_disk, "entries_fts", query),
            expected,
            "{query}"
        );
        let expected = ranked(&mut in_memory, "entries_words", query);
        assert!(!expected.is_empty(), "{query} in the word index");
        assert_eq!(
            ranked(&mut on_disk, "entries_words", query),
            expected,
            "{query} in the word index"
        );
    }
    let names = |store: &mut Store| {
        store
            .read(|c| {
                let mut stmt =
                    c.prepare("SELECT name, entry_seq FROM entry_names ORDER BY 1, 2")?;
                let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(rows.collect::<Result<Vec<(String, i64)>, _>>()?)
            })
            .unwrap()
    };
    let expected = names(&mut in_memory);
    assert!(!expected.is_empty());
    assert_eq!(names(&mut on_disk), expected);
    for query in ["dns", "try before"] {
        let expected = ranked(&mut in_memory, "replies_fts", query);
        assert!(!expected.is_empty(), "{query}");
        assert_eq!(
            ranked(&mut on_disk, "replies_fts", query),
            expected,
            "{query}"
        );
    }
    assert_eq!(export_bytes(&mut on_disk), export_bytes(&mut in_memory));
    assert_eq!(scratch_files(dir.path()), Vec::<String>::new());
}

/// An export of some domains holds exactly the records of the whole export that are in
/// them (subdomains included), each with all its parts.
#[test]
fn a_domain_export_is_the_whole_export_filtered() {
    let domains = ["ops", "ops/dns", "db", "opsx"];
    let mut file = varied_file(120);
    for (i, domain) in domains.iter().cycle().take(120).enumerate() {
        let id = format!("0b6c3c3e-6a2f-4b7e-9d1c-{i:012x}");
        let needle = format!("\"id\":\"{id}\"");
        let line_start = file.find(&needle).unwrap();
        let line_end = line_start + file[line_start..].find('\n').unwrap();
        let line = file[line_start..line_end].replacen(
            "\"domain\":{\"value\":\"general\"",
            &format!("\"domain\":{{\"value\":\"{domain}\""),
            1,
        );
        file.replace_range(line_start..line_end, &line);
    }
    let mut store = Store::open_in_memory().unwrap();
    import_bytes(&mut store, file.as_bytes());
    let whole = String::from_utf8(export_bytes(&mut store)).unwrap();
    let mut only_ops = Vec::new();
    store
        .read(|c| export(c, &["ops".to_owned()], &mut only_ops))
        .unwrap();
    let in_ops: std::collections::BTreeSet<String> = whole
        .lines()
        .skip(1)
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let d = v["domain"]["value"].as_str()?;
            (d == "ops" || d.starts_with("ops/")).then(|| v["id"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(in_ops.len(), 60);
    let expected: Vec<&str> = whole
        .lines()
        .enumerate()
        .filter(|(i, l)| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            *i == 0
                || in_ops.contains(v["id"].as_str().unwrap_or(""))
                || in_ops.contains(v["entry"].as_str().unwrap_or(""))
        })
        .map(|(_, l)| l)
        .collect();
    assert!(expected.iter().any(|l| l.contains("\"tags\":{")));
    assert!(expected.iter().any(|l| l.contains("\"type\":\"reply\"")));
    assert_eq!(
        String::from_utf8(only_ops).unwrap(),
        expected.join("\n") + "\n"
    );
}

/// A scratch file left by a killed import is removed by the next bulk import; another
/// repertoire's beside it is not touched.
#[test]
fn a_killed_imports_scratch_file_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    let stale = dir.path().join(".rep.db.index-AbC123");
    let other = dir.path().join(".other.db.index-AbC123");
    std::fs::write(&stale, b"left by a killed import").unwrap();
    std::fs::write(&other, b"another repertoire's import").unwrap();
    let mut store = Store::open(&dir.path().join("rep.db")).unwrap();
    import_bytes(&mut store, varied_file(10).as_bytes());
    assert!(!stale.exists());
    assert!(other.exists());
}

/// A file that turns out bad after many records stops the bulk indexer too: the database is
/// as before and the scratch file is gone.
#[test]
fn a_bad_bulk_import_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("rep.db")).unwrap();
    let mut file = varied_file(2_000);
    file.push_str("{\"type\":\"entry\", broken\n");
    let before = export_bytes(&mut store);
    assert!(
        store
            .write(|w| import(w, file.as_bytes(), Millis::MAX))
            .is_err()
    );
    assert_eq!(export_bytes(&mut store), before);
    assert_eq!(scratch_files(dir.path()), Vec::<String>::new());
    // And the next import, into the still empty repertoire, works.
    let mut in_memory = Store::open_in_memory().unwrap();
    import_bytes(&mut in_memory, varied_file(50).as_bytes());
    import_bytes(&mut store, varied_file(50).as_bytes());
    let expected = ranked(&mut in_memory, "entries_fts", "kubernetes");
    assert!(!expected.is_empty());
    assert_eq!(ranked(&mut store, "entries_fts", "kubernetes"), expected);
}

/// A full disk, simulated by capping the pages the database may use: the import fails with
/// an error that says so, and nothing of it is left behind.
#[test]
fn a_full_disk_fails_the_import_cleanly() {
    use crate::error::{ExitStatus, status_of};
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("db")).unwrap();
    let entry = NewEntry {
        kind: "tool".into(),
        title: "kept".into(),
        body: String::new(),
        domain: "general".into(),
        tags: vec![],
        author: "ana".into(),
        command: None,
        link: None,
    };
    store.write(|w| entries::insert(w, &entry, 1_000)).unwrap();
    let before = export_bytes(&mut store);
    let pages: u32 = store
        .conn
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    store
        .conn
        .pragma_update(None, "max_page_count", pages + 20)
        .unwrap();
    let file = file_of(2_000);
    let err = store
        .write(|w| import(w, file.as_bytes(), Millis::MAX))
        .unwrap_err();
    assert_eq!(status_of(&err), ExitStatus::Environment, "{err:#}");
    let text = format!("{err:#}");
    assert!(text.contains("full"), "{text}");
    assert!(crate::error::hint_of(&err).unwrap().contains("nothing"));
    assert_eq!(export_bytes(&mut store), before, "nothing half-written");
    let ok: String = store
        .conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    // With room again, the same file imports whole.
    store
        .conn
        .pragma_update(None, "max_page_count", 1_000_000)
        .unwrap();
    let report = store
        .write(|w| import(w, file.as_bytes(), Millis::MAX))
        .unwrap();
    assert_eq!(report.added, 2_000);
}

/// Into a repertoire that holds entries, new records' text is indexed in batches after their
/// rows: the indexes answer as if each record had been indexed on its own, and a small import
/// adds one segment to each index, not one per entry.
#[test]
fn batched_indexing_into_a_repertoire_with_entries_equals_indexing_record_by_record() {
    let file = varied_file(700);
    let cut = file
        .find("\"id\":\"0b6c3c3e-6a2f-4b7e-9d1c-00000000015e\"")
        .unwrap();
    let cut = file[..cut].rfind('\n').unwrap() + 1;
    let header = file.lines().next().unwrap().to_owned() + "\n";
    let (first, second) = (&file[..cut], header + &file[cut..]);
    let dir = tempfile::tempdir().unwrap();
    let mut on_disk = Store::open(&dir.path().join("rep.db")).unwrap();
    let mut in_memory = Store::open_in_memory().unwrap();
    import_bytes(&mut on_disk, first.as_bytes());
    import_bytes(&mut on_disk, second.as_bytes());
    import_bytes(&mut in_memory, file.as_bytes());
    let segments = |store: &mut Store, table: &str| -> i64 {
        store
            .read(|c| {
                c.execute_batch(&format!(
                    "INSERT INTO {table}({table}) VALUES ('integrity-check')"
                ))?;
                Ok(c.query_row(
                    &format!("SELECT count(DISTINCT segid) FROM {table}_idx"),
                    [],
                    |r| r.get(0),
                )?)
            })
            .unwrap()
    };
    for table in ["entries_fts", "entries_words", "replies_fts"] {
        assert!(
            segments(&mut on_disk, table) <= 2,
            "{table}: one per import"
        );
    }
    for (table, query) in [
        ("entries_fts", "kubernetes"),
        ("entries_fts", "postgres OR dns"),
        ("entries_fts", "\"get timeout\""),
        ("entries_words", "vacuum ingress"),
        ("entries_words", "backup"),
        ("replies_fts", "try before"),
    ] {
        let expected = ranked(&mut in_memory, table, query);
        // Every reply, and entries from row 351 on, came with the second import.
        let second = |seq: i64| table == "replies_fts" || seq > 350;
        assert!(expected.iter().any(|&seq| second(seq)), "{table} {query}");
        assert_eq!(
            ranked(&mut on_disk, table, query),
            expected,
            "{table} {query}"
        );
    }
    assert_eq!(export_bytes(&mut on_disk), export_bytes(&mut in_memory));
}
