use super::report::*;
use super::rows::*;
use super::*;
use crate::exchange::{RecordReader, file_text};
use crate::model::EntrySeq;
use crate::replica::join_files;
use crate::replica::{Record, TextField};
use crate::store::Store;
use crate::store::entries::{self, NewEntry};
use crate::timefmt::Millis;
use proptest::prelude::*;

fn export_bytes(store: &mut Store) -> Vec<u8> {
    let mut out = Vec::new();
    store.read(|c| export(c, &[], &mut out)).unwrap();
    out
}

fn import_bytes(store: &mut Store, bytes: &[u8]) -> anyhow::Result<ImportReport> {
    store.write(|w| import(w, bytes, Millis::MAX))
}

fn records(bytes: &[u8]) -> Vec<Record> {
    let mut reader = RecordReader::new(bytes, Millis::MAX);
    let mut out = Vec::new();
    while let Some(r) = reader.next_record().unwrap() {
        out.push(r);
    }
    out
}

/// What the CLI does, at the scale that broke sharing before the bounds.
#[derive(Debug, Clone)]
enum Use {
    /// `rep edit ID --title ...`, this many times.
    Retitle(usize, u16),
    /// `rep edit ID -` with a body of this many KiB, escaped as heavily as JSON allows.
    BigBody(usize, u16),
    /// `rep edit ID -t r0,...,r63`, then `--untag` them all.
    TagChurn(usize, u8),
    /// `rep edit ID --cmd X`, then `--cmd ""`.
    SetAndClearCommand(usize),
    /// Export and import into another replica.
    Send(usize),
}

fn a_use() -> impl Strategy<Value = Use> {
    prop_oneof![
        3 => (0usize..2, 1u16..300).prop_map(|(e, n)| Use::Retitle(e, n)),
        1 => (0usize..2, 17u16..1025).prop_map(|(e, n)| Use::BigBody(e, n)),
        2 => (0usize..2, 0u8..12).prop_map(|(e, r)| Use::TagChurn(e, r)),
        1 => (0usize..2).prop_map(Use::SetAndClearCommand),
        3 => (0usize..3).prop_map(Use::Send),
    ]
}

fn new_entry(title: &str) -> NewEntry {
    NewEntry {
        kind: "tool".into(),
        title: title.into(),
        body: String::new(),
        domain: "general".into(),
        tags: vec![],
        author: "ana".into(),
        command: None,
        link: None,
    }
}

fn set(
    store: &mut Store,
    seq: EntrySeq,
    field: TextField,
    value: Option<&str>,
    at: i64,
    member: &str,
) {
    store
        .write(|w| {
            let stamp = w.tick(at)?;
            entries::set_field(w.conn(), seq, field, value, &stamp, member, at)
        })
        .unwrap();
}

fn apply(store: &mut Store, seqs: &[EntrySeq], used: &Use, now: &mut i64, member: &str) {
    let mut tick = || {
        *now += 1;
        *now
    };
    match used {
        Use::Retitle(e, n) => {
            for i in 0..*n {
                let at = tick();
                let title = format!("{member} {at} {i}");
                set(store, seqs[*e], TextField::Title, Some(&title), at, member);
            }
        }
        Use::BigBody(e, kib) => {
            let unit = "\u{1}\"\n\\ é✓ ";
            let size = usize::from(*kib) * 1024;
            let mut body = unit.repeat(size / unit.len() + 1);
            let mut cut = size - 20;
            while !body.is_char_boundary(cut) {
                cut -= 1;
            }
            body.truncate(cut);
            let at = tick();
            body.push_str(&at.to_string());
            set(store, seqs[*e], TextField::Body, Some(&body), at, member);
        }
        Use::TagChurn(e, round) => {
            for present in [true, false] {
                let at = tick();
                store
                    .write(|w| {
                        let stamp = w.tick(at)?;
                        for i in 0..64 {
                            let tag = format!("{member}-r{round}-t{i}");
                            entries::set_tag(w.conn(), seqs[*e], &tag, present, &stamp, at)?;
                        }
                        entries::refresh_tags(w.conn(), seqs[*e])
                    })
                    .unwrap();
            }
        }
        Use::SetAndClearCommand(e) => {
            let at = tick();
            let command = format!("echo {at}");
            set(
                store,
                seqs[*e],
                TextField::Command,
                Some(&command),
                at,
                member,
            );
            set(store, seqs[*e], TextField::Command, None, tick(), member);
        }
        Use::Send(_) => {}
    }
}

/// A file that any rep reads: every line within the limit, imported into an empty
/// repertoire it gives back the same bytes.
fn assert_shareable(bytes: &[u8]) -> Result<(), TestCaseError> {
    for line in bytes.split(|b| *b == b'\n') {
        prop_assert!(line.len() <= crate::limits::LINE_BYTES);
    }
    let mut fresh = Store::open_in_memory().unwrap();
    let imported = import_bytes(&mut fresh, bytes);
    prop_assert!(imported.is_ok(), "{:?}", imported.err());
    prop_assert!(
        export_bytes(&mut fresh) == bytes,
        "the round trip changed the file"
    );
    Ok(())
}

proptest! {
    // Each case makes thousands of edits and megabytes of history: a few cases suffice.
    #![proptest_config(ProptestConfig::with_cases(4))]
    #[test]
    fn whatever_ordinary_use_writes_every_teammate_imports(
        uses in proptest::collection::vec((0usize..3, a_use()), 1..10),
    ) {
        let mut replicas: Vec<Store> = (0..3).map(|_| Store::open_in_memory().unwrap()).collect();
        let members = ["ana", "bob", "cy"];
        let mut ids = Vec::new();
        for title in ["first", "second"] {
            let (_, id) = replicas[0].write(|w| entries::insert(w, &new_entry(title), 1_000)).unwrap();
            ids.push(id);
        }
        let seed = export_bytes(&mut replicas[0]);
        for other in replicas.iter_mut().skip(1) {
            import_bytes(other, &seed).unwrap();
        }
        let mut clocks = [2_000i64, 2_000, 2_000];
        for (r, used) in &uses {
            if let Use::Send(to) = used {
                let bytes = export_bytes(&mut replicas[*r]);
                assert_shareable(&bytes)?;
                let imported = import_bytes(&mut replicas[*to], &bytes);
                prop_assert!(imported.is_ok(), "{:?}", imported.err());
                continue;
            }
            let seqs: Vec<EntrySeq> = ids
                .iter()
                .map(|id| replicas[*r].read(|c| seq_of(c, id)).unwrap().unwrap())
                .collect();
            apply(&mut replicas[*r], &seqs, used, &mut clocks[*r], members[*r]);
        }
        // Every replica's file, and the join of all three, is shareable.
        let exports: Vec<Vec<u8>> = replicas.iter_mut().map(export_bytes).collect();
        for bytes in &exports {
            assert_shareable(bytes)?;
        }
        let joined = exports
            .iter()
            .map(|b| records(b))
            .reduce(join_files)
            .unwrap();
        let joined = file_text(&joined).into_bytes();
        assert_shareable(&joined)?;
        for replica in replicas.iter_mut() {
            let imported = import_bytes(replica, &joined);
            prop_assert!(imported.is_ok(), "{:?}", imported.err());
        }
        // Having all seen the joined file, the replicas hold the same bytes.
        let after: Vec<Vec<u8>> = replicas.iter_mut().map(export_bytes).collect();
        prop_assert!(after[0] == after[1] && after[1] == after[2], "replicas differ");
        prop_assert!(after[0] == joined, "the import-join differs from the merge driver's");
    }
}

/// Two replicas edit the same entries apart; the merge driver's join of their files is the
/// same bytes as importing both into one repertoire, cleared values included.
#[derive(Debug, Clone)]
enum Edit {
    Title(usize, u8),
    Command(usize, Option<u8>),
    Link(usize, Option<u8>),
    Tag(usize, u8, bool),
}

fn an_edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0usize..3, 0u8..4).prop_map(|(e, v)| Edit::Title(e, v)),
        (0usize..3, proptest::option::of(0u8..3)).prop_map(|(e, v)| Edit::Command(e, v)),
        (0usize..3, proptest::option::of(0u8..3)).prop_map(|(e, v)| Edit::Link(e, v)),
        (0usize..3, 0u8..3, any::<bool>()).prop_map(|(e, t, p)| Edit::Tag(e, t, p)),
    ]
}

fn edit(store: &mut Store, seqs: &[EntrySeq], change: &Edit, now: i64, member: &str) {
    store
        .write(|w| {
            let stamp = w.tick(now)?;
            let c = w.conn();
            let value = |v: &Option<u8>, what: &str| v.map(|v| format!("{what} {v}"));
            match change {
                Edit::Title(e, v) => {
                    entries::set_field(
                        c,
                        seqs[*e],
                        TextField::Title,
                        Some(&format!("title {v}")),
                        &stamp,
                        member,
                        now,
                    )?;
                }
                Edit::Command(e, v) => {
                    entries::set_field(
                        c,
                        seqs[*e],
                        TextField::Command,
                        value(v, "cmd").as_deref(),
                        &stamp,
                        member,
                        now,
                    )?;
                }
                Edit::Link(e, v) => {
                    entries::set_field(
                        c,
                        seqs[*e],
                        TextField::Link,
                        value(v, "https://x/").as_deref(),
                        &stamp,
                        member,
                        now,
                    )?;
                }
                Edit::Tag(e, t, present) => {
                    entries::set_tag(c, seqs[*e], &format!("t{t}"), *present, &stamp, now)?;
                    entries::refresh_tags(c, seqs[*e])?;
                }
            }
            Ok(())
        })
        .unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn the_merge_driver_joins_as_import_does(
        ours in proptest::collection::vec((an_edit(), 0i64..3), 0..25),
        theirs in proptest::collection::vec((an_edit(), 0i64..3), 0..25),
    ) {
        let mut a = Store::open_in_memory().unwrap();
        let mut ids = Vec::new();
        for title in ["one", "two", "three"] {
            let (_, id) = a.write(|w| entries::insert(w, &new_entry(title), 1_000)).unwrap();
            ids.push(id);
        }
        let mut b = Store::open_in_memory().unwrap();
        import_bytes(&mut b, &export_bytes(&mut a)).unwrap();
        for (store, changes, member) in [(&mut a, &ours, "ana"), (&mut b, &theirs, "bob")] {
            let seqs: Vec<EntrySeq> = ids.iter().map(|id| store.read(|c| seq_of(c, id)).unwrap().unwrap()).collect();
            for (i, (change, tick)) in changes.iter().enumerate() {
                edit(store, &seqs, change, 2_000 + i as i64 * 2 + tick, member);
            }
        }
        let (file_a, file_b) = (export_bytes(&mut a), export_bytes(&mut b));
        let driver = file_text(&join_files(records(&file_a), records(&file_b))).into_bytes();
        let swapped = file_text(&join_files(records(&file_b), records(&file_a))).into_bytes();
        prop_assert!(driver == swapped, "the driver's join depends on the order");
        import_bytes(&mut a, &file_b).unwrap();
        prop_assert!(export_bytes(&mut a) == driver, "import-join differs from the driver's");
    }
}

/// A file rep wrote, and crafted variants of it that disagree on immutable facts: the same
/// occurrence with another note, member or time, a revision that differs only by member.
fn crafted_variants() -> (String, Vec<String>) {
    let mut origin = Store::open_in_memory().unwrap();
    let (seq, _) = origin
        .write(|w| entries::insert(w, &new_entry("base"), 1_000))
        .unwrap();
    origin
        .write(|w| {
            let stamp = w.tick(1_500)?;
            entries::set_field(
                w.conn(),
                seq,
                TextField::Title,
                Some("edited"),
                &stamp,
                "ana",
                1_500,
            )?;
            w.tick(1_600)?;
            crate::store::practice::add_occurrence(w.conn(), seq, "ana", 1_600, Some("first"))
        })
        .unwrap();
    let text = String::from_utf8(export_bytes(&mut origin)).unwrap();
    let variants = vec![
        text.replace("\"note\":\"first\"", "\"note\":\"second\""),
        text.replace("\"note\":\"first\"", "\"note\":\"a third\""),
        text.replace("\"member\":\"ana\"", "\"member\":\"bob\""),
        text.replace("1970-01-01T00:00:01.600Z", "1970-01-01T00:00:01.700Z"),
        text.replacen("\"by\":\"ana\"}]", "\"by\":\"mal\"}]", 1),
        text.replacen("\"by\":\"ana\"}]", "\"by\":\"cy\"}]", 1),
    ];
    for v in &variants {
        assert_ne!(v, &text, "every variant changes the file");
    }
    (text, variants)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    /// Any two orders of importing any of these files give the same bytes.
    #[test]
    fn crafted_disagreements_on_immutable_facts_converge(
        picks in proptest::collection::vec(0usize..7, 1..6),
        shuffle in proptest::collection::vec(any::<u8>(), 6),
    ) {
        let (text, variants) = crafted_variants();
        let all: Vec<&String> = std::iter::once(&text).chain(&variants).collect();
        let files: Vec<&String> = picks.iter().map(|&i| all[i]).collect();
        let mut reordered = files.clone();
        let mut keys: Vec<(u8, usize)> = (0..files.len()).map(|i| (shuffle[i % shuffle.len()], i)).collect();
        keys.sort();
        for (slot, (_, i)) in keys.into_iter().enumerate() {
            reordered[slot] = files[i];
        }
        reordered.reverse();
        let mut one = Store::open_in_memory().unwrap();
        let mut two = Store::open_in_memory().unwrap();
        for (store, order) in [(&mut one, &files), (&mut two, &reordered)] {
            for file in order.iter() {
                import_bytes(store, file.as_bytes()).unwrap();
            }
        }
        prop_assert!(export_bytes(&mut one) == export_bytes(&mut two));
    }
}
