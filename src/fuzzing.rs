//! Entry points for the cargo-fuzz targets in fuzz/: thin wrappers over the import parser, the
//! whole import and the search path, so the rest of the library can stay private. Not an API.

use crate::error::{ExitStatus, status_of};
use crate::store::{Store, entries};

/// Parse `bytes` as a header and as a record line; either may fail, neither may panic.
pub fn parse_line(bytes: &[u8]) {
    let _ = crate::exchange::parse_header(bytes);
    let _ = crate::exchange::parse_line(2, bytes);
}

/// Import `bytes` as a whole file into a fresh in-memory store holding one entry. A refused
/// file must be a data error (exit 1) and leave the store as it was.
pub fn import(bytes: &[u8]) {
    let mut store = seeded_store();
    let before = export(&mut store);
    let input = bytes;
    let outcome = store.write(|w| crate::store::exchange::import(w, input, i64::MAX));
    // As `rep import` reports it: a refused file is the CLI's data error.
    if let Err(err) = outcome.map_err(crate::error::with_hints) {
        assert_eq!(status_of(&err), ExitStatus::User, "{err:#}");
        assert_eq!(
            export(&mut store),
            before,
            "a refused import changed the store"
        );
    }
}

/// Search for `bytes` (as lossy UTF-8) as typed text, which must always be a valid query, and
/// as raw FTS5 syntax, which may only fail as a usage error.
pub fn search(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let mut store = seeded_store();
    let filter = entries::Filter::default();
    let ranked = store.read(|c| crate::store::ranking::search(c, &text, &filter, Some(10)));
    assert!(ranked.is_ok(), "{text:?}: {:?}", ranked.err());
    if let Err(err) = store.read(|c| entries::search(c, &text, &filter, Some(10))) {
        assert_eq!(status_of(&err), ExitStatus::Usage, "{err:#}");
    }
}

fn seeded_store() -> Store {
    let mut store = Store::open_in_memory().expect("an in-memory store opens");
    let entry = entries::NewEntry {
        kind: crate::model::Kind::Tool,
        title: "Show what holds a lock".into(),
        body: "SELECT * FROM pg_locks; vacuum full".into(),
        domain: "postgres".into(),
        tags: vec!["locks".into()],
        author: "ana".into(),
        command: Some("psql -c 'select 1'".into()),
        link: None,
    };
    store
        .write(|w| entries::insert(w, &entry, 1_795_000_000_000))
        .expect("the seed entry is written");
    store
}

fn export(store: &mut Store) -> Vec<u8> {
    let mut out = Vec::new();
    store
        .read(|c| crate::store::exchange::export(c, &[], &mut out))
        .expect("the store exports");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A line rep itself writes, for the mutation cases below.
    const VALID: &str = r#"{"type":"entry","id":"0b6c3c3e-6a2f-4b7e-9d1c-2f6f5e0c8a11","created_at":"2026-11-27T09:00:00.000Z","author":"ana","kind":{"value":"tool","at":"1795000000000.000000.0000000000000000000000000000feed","by":"ana"},"title":{"value":"t","at":"1795000000000.000000.0000000000000000000000000000feed","by":"ana"},"body":{"value":"","at":"1795000000000.000000.0000000000000000000000000000feed","by":"ana"},"domain":{"value":"general","at":"1795000000000.000000.0000000000000000000000000000feed","by":"ana"},"command":{"value":null,"at":"1795000000000.000000.0000000000000000000000000000feed","by":"ana"},"link":{"value":null,"at":"1795000000000.000000.0000000000000000000000000000feed","by":"ana"},"deleted":{"value":false,"at":"1795000000000.000000.0000000000000000000000000000feed","by":"ana"},"tags":{"x":{"present":true,"at":"1795000000000.000000.0000000000000000000000000000feed"}}}"#;
    const HEADER: &str = r#"{"format":"repertoire","version":"1.0"}"#;

    #[test]
    fn the_mutation_base_imports() {
        let file = format!("{HEADER}\n{VALID}\n");
        let mut store = seeded_store();
        let report = store
            .write(|w| crate::store::exchange::import(w, file.as_bytes(), i64::MAX))
            .unwrap();
        assert_eq!(report.added, 1);
    }

    fn mutated() -> impl Strategy<Value = Vec<u8>> {
        (
            proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            any::<bool>(),
        )
            .prop_map(|(edits, cut)| {
                let mut bytes = VALID.as_bytes().to_vec();
                for (at, byte) in edits {
                    let i = at.index(bytes.len());
                    if byte % 3 == 0 {
                        bytes.remove(i);
                    } else {
                        bytes[i] = byte;
                    }
                }
                if cut {
                    bytes.truncate(bytes.len() / 2);
                }
                bytes
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_never_panic_the_parser(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            parse_line(&bytes);
        }

        #[test]
        fn mutated_lines_never_panic_the_parser(bytes in mutated()) {
            parse_line(&bytes);
        }

        #[test]
        fn arbitrary_files_import_cleanly_or_change_nothing(
            body in proptest::collection::vec(any::<u8>(), 0..400),
            with_header in any::<bool>(),
        ) {
            let mut file = if with_header { format!("{HEADER}\n").into_bytes() } else { Vec::new() };
            file.extend(body);
            import(&file);
        }

        #[test]
        fn mutated_records_import_cleanly_or_change_nothing(line in mutated(), newline in any::<bool>()) {
            let mut file = format!("{HEADER}\n").into_bytes();
            file.extend(line);
            if newline {
                file.push(b'\n');
            }
            import(&file);
        }

        #[test]
        fn arbitrary_bytes_are_a_query_or_a_usage_error(bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
            search(&bytes);
        }

        #[test]
        fn fts_syntax_soup_is_a_query_or_a_usage_error(text in "[\"*:^(){}+\\-.,a-zA-Z0-9 ]{0,40}|(AND|OR|NOT|NEAR|[\"*():^ ]|title|x){0,12}") {
            search(text.as_bytes());
        }
    }
}
