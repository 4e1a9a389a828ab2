//! Record ids: random UUIDs everywhere, shown to humans as their shortest unique prefix.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// Humans never see fewer characters than this, as in git and jj.
pub const MIN_PREFIX: usize = 4;

pub fn new_id() -> String {
    random_uuid().hyphenated().to_string()
}

/// A random UUID (v4): new record ids and a new database's replica id. Under `REP_TEST_SEED`
/// (tests and the docs' transcripts only, see docs/cli.md) the sequence is fixed by the seed and
/// the order of the calls in this process, so a transcript shows the same ids on every run.
pub fn random_uuid() -> uuid::Uuid {
    match test_seed() {
        Some(seed) => seeded_uuid(seed, SEEDED_CALLS.fetch_add(1, Ordering::Relaxed)),
        None => uuid::Uuid::new_v4(),
    }
}

/// How many seeded UUIDs this process has made: the position in the seed's sequence.
static SEEDED_CALLS: AtomicU64 = AtomicU64::new(0);

/// `REP_TEST_SEED` as a number, read once. Never meant for a real repertoire: two members with
/// the same seed would make the same ids for different entries.
fn test_seed() -> Option<u64> {
    static SEED: OnceLock<Option<u64>> = OnceLock::new();
    *SEED.get_or_init(|| {
        std::env::var("REP_TEST_SEED")
            .ok()
            .and_then(|s| s.trim().parse().ok())
    })
}

/// The `n`th UUID of `seed`'s sequence: splitmix64, a well-mixed counter-based generator, so
/// that neighbouring seeds and positions give unrelated ids (and unrelated short prefixes).
fn seeded_uuid(seed: u64, n: u64) -> uuid::Uuid {
    fn splitmix64(mut x: u64) -> u64 {
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^ (x >> 31)
    }
    let base = splitmix64(seed).wrapping_add(n.wrapping_mul(2));
    let high = splitmix64(base);
    let low = splitmix64(base.wrapping_add(1));
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&high.to_be_bytes());
    bytes[8..].copy_from_slice(&low.to_be_bytes());
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// The shortest prefix of `id` (at least [`MIN_PREFIX`]) that no other id shares, given its
/// neighbours in sorted order: only they can share the longest prefix with it.
pub fn shortest_unique_prefix(id: &str, prev: Option<&str>, next: Option<&str>) -> String {
    let common = |other: Option<&str>| {
        other.map_or(0, |o| {
            id.bytes()
                .zip(o.bytes())
                .take_while(|(a, b)| a == b)
                .count()
        })
    };
    let len = (common(prev).max(common(next)) + 1).clamp(MIN_PREFIX, id.len());
    id[..len].to_owned()
}

/// The record ids (hyphenated UUIDs, as [`new_id`] makes them) in a sentence, in order: how a
/// hint or a gap's command written with whole ids gets them shortened for display.
pub fn ids_in(text: &str) -> Vec<&str> {
    const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];
    let bytes = text.as_bytes();
    let is_id_at = |start: usize| {
        let mut at = start;
        for (i, len) in GROUPS.iter().enumerate() {
            if i > 0 {
                if bytes.get(at) != Some(&b'-') {
                    return false;
                }
                at += 1;
            }
            let group = bytes.get(at..at + len);
            if !group.is_some_and(|g| g.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))) {
                return false;
            }
            at += len;
        }
        // Not part of a longer run of hex digits.
        !bytes.get(at).is_some_and(u8::is_ascii_hexdigit)
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i + 36 <= bytes.len() {
        let boundary = i == 0 || !bytes[i - 1].is_ascii_hexdigit() && bytes[i - 1] != b'-';
        if boundary && is_id_at(i) {
            out.push(&text[i..i + 36]);
            i += 36;
        } else {
            i += 1;
        }
    }
    out
}

/// Lower-case a typed prefix and check it could be an id prefix at all.
pub fn normalize_prefix(input: &str) -> Option<String> {
    let prefix = input.trim().to_ascii_lowercase();
    let valid = !prefix.is_empty()
        && prefix.len() <= 36
        && prefix.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    valid.then_some(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_seed_gives_distinct_version_4_ids_that_differ_from_another_seeds() {
        let first: Vec<_> = (0..100).map(|n| seeded_uuid(1, n)).collect();
        let mut unique = first.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 100);
        assert!(first.iter().all(|id| id.get_version_num() == 4));
        assert_ne!(seeded_uuid(1, 0), seeded_uuid(2, 0));
        assert_ne!(seeded_uuid(1, 1), seeded_uuid(2, 0));
        assert_eq!(seeded_uuid(7, 3), seeded_uuid(7, 3));
    }

    #[test]
    fn prefix_is_at_least_four_and_unique() {
        assert_eq!(shortest_unique_prefix("abcdef12", None, None), "abcd");
        assert_eq!(
            shortest_unique_prefix("abcdef12", Some("abcde000"), None),
            "abcdef"
        );
        assert_eq!(
            shortest_unique_prefix("abcdef12", Some("a0"), Some("abcdef1f")),
            "abcdef12"
        );
    }

    #[test]
    fn ids_are_found_in_sentences() {
        let a = "0123abcd-0000-4000-8000-00000000000a";
        let b = "ffffabcd-0000-4000-8000-00000000000b";
        let text = format!("rep show {a}  # then rep accept {b}, or 0123abcd-0000");
        assert_eq!(ids_in(&text), [a, b]);
        assert_eq!(ids_in(&format!("x{a}")), [a]);
        assert!(
            ids_in(&format!("0{a}")).is_empty(),
            "part of a longer hex run"
        );
    }

    #[test]
    fn typed_prefixes_are_checked() {
        assert_eq!(normalize_prefix(" ABCD ").as_deref(), Some("abcd"));
        assert_eq!(normalize_prefix("xyz"), None);
        assert_eq!(normalize_prefix(""), None);
    }

    proptest! {
        #[test]
        fn shortest_prefix_distinguishes_from_all(mut ids in proptest::collection::btree_set("[0-9a-f]{8}", 2..50)) {
            let sorted: Vec<String> = std::mem::take(&mut ids).into_iter().collect();
            for (i, id) in sorted.iter().enumerate() {
                let prev = i.checked_sub(1).map(|j| sorted[j].as_str());
                let next = sorted.get(i + 1).map(String::as_str);
                let p = shortest_unique_prefix(id, prev, next);
                prop_assert!(p.len() >= MIN_PREFIX);
                let matching = sorted.iter().filter(|o| o.starts_with(&p)).count();
                prop_assert_eq!(matching, 1);
            }
        }
    }
}
