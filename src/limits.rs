//! Every limit rep keeps, in one place: how much a value may hold, how much history and how
//! many set elements an entry keeps, how far ahead a clock stamp may be, and how long a line of
//! the exchange file may be (docs/format.md, "Limits").
//!
//! Writes enforce the value limits, and the bounds on history and sets are not refusals but a
//! rule that every replica applies the same way (see [`keep_newest`]): the join keeps, of each
//! collection, the elements that rank first under a fixed total order. Because ranking first
//! among everything known is the same as ranking first among what each side kept, the join stays
//! idempotent, commutative and associative, replicas converge on the same kept history, and no
//! record rep writes can grow past what rep reads.

/// A title: one line of at most this many characters.
pub const TITLE_CHARS: usize = 300;
/// A body, in bytes of UTF-8.
pub const BODY_BYTES: usize = 1024 * 1024;
/// A command, a link or an occurrence's note, in bytes.
pub const FIELD_BYTES: usize = 8 * 1024;
/// A kind: a lowercase word.
pub const KIND_BYTES: usize = 32;
/// A tag, in characters.
pub const TAG_CHARS: usize = 64;
/// Live tags on one entry, enforced when tagging.
pub const LIVE_TAGS: usize = 64;
/// Tag states (live and removed) an entry keeps: the newest, by stamp.
pub const TAG_STATES: usize = 10 * LIVE_TAGS;
/// A domain, in characters.
pub const DOMAIN_CHARS: usize = 100;
/// A member name, in characters.
pub const MEMBER_CHARS: usize = 64;
/// Link states an entry keeps: the newest, by stamp.
pub const LINKS: usize = 10_000;
/// Endorsements a record keeps: the earliest, by stamp.
pub const ENDORSEMENTS: usize = 10_000;
/// Occurrences an entry keeps: the newest, by time.
pub const OCCURRENCES: usize = 1_000;

/// Revisions kept per field whose value is at most [`SMALL_REVISION_BYTES`] as written in the
/// file: the newest, by stamp.
pub const SMALL_REVISIONS: usize = 50;
/// Revisions kept per field whose value is larger: the newest, by stamp. Two large bodies of
/// history beside the current one keep an ordinary record of 1 MiB bodies within 8 MiB, the
/// line limit of earlier versions of rep.
pub const LARGE_REVISIONS: usize = 2;
/// Where a revision's value counts as large, in bytes as written in the file (JSON-escaped).
pub const SMALL_REVISION_BYTES: usize = 16 * 1024;

/// How far ahead of the importer's clock a stamp may be. A stamp far in the future would win
/// every later change of its field on every replica; one day covers any honest clock skew.
pub const STAMP_AHEAD_MS: i64 = 24 * 60 * 60 * 1000;

/// A line of the exchange file. The largest record rep can write under the limits above fits
/// (checked by a test that builds it); ordinary records are far smaller.
pub const LINE_BYTES: usize = 96 * 1024 * 1024;

/// The size of `value` as a JSON string in the file, quotes aside: what the line limit counts.
pub fn escaped_len(value: &str) -> usize {
    value
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0..=0x1f => 6,
            _ => 1,
        })
        .sum()
}

/// How many revisions of a field the history keeps in the size class of a value that takes
/// `escaped` bytes in the file.
pub fn revisions_kept(escaped: usize) -> (bool, usize) {
    if escaped <= SMALL_REVISION_BYTES {
        (false, SMALL_REVISIONS)
    } else {
        (true, LARGE_REVISIONS)
    }
}

/// Keep the first `cap` of `items` in the order `rank_first` (which must be a total order),
/// preserving the order of the rest as given. This is the bound applied to every collection:
/// an element survives exactly when fewer than `cap` known elements rank before it, so bounding
/// what each side kept and then joining gives what bounding the whole union gives, provided the
/// join of two states of one element never moves it back in the ranking.
pub fn keep_newest<T>(
    items: &mut Vec<T>,
    cap: usize,
    rank_first: impl Fn(&T, &T) -> std::cmp::Ordering,
) -> bool {
    if items.len() <= cap {
        return false;
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| rank_first(&items[a], &items[b]));
    let mut keep = vec![false; items.len()];
    for &i in &order[..cap] {
        keep[i] = true;
    }
    let mut i = 0;
    items.retain(|_| {
        let kept = keep[i];
        i += 1;
        kept
    });
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escaping_is_measured_as_serde_json_writes_it() {
        for text in [
            "plain",
            "a \"quote\" and \\",
            "tab\tnew\nline\r",
            "\u{1}\u{1b}[0m",
            "é✓",
        ] {
            let written = serde_json::to_string(text).unwrap();
            assert_eq!(escaped_len(text) + 2, written.len(), "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn escaped_len_matches_serde_json(text in "\\PC*|[\\x00-\\x7f]*") {
            prop_assert_eq!(escaped_len(&text) + 2, serde_json::to_string(&text).unwrap().len());
        }

        /// Bounding each part and then the union equals bounding the union: the law that lets
        /// every replica keep the same history.
        #[test]
        fn keeping_the_newest_commutes_with_union(
            a in proptest::collection::btree_set(0u16..200, 0..60),
            b in proptest::collection::btree_set(0u16..200, 0..60),
            cap in 1usize..40,
        ) {
            let bound = |set: &std::collections::BTreeSet<u16>| {
                let mut v: Vec<u16> = set.iter().copied().collect();
                keep_newest(&mut v, cap, |x, y| y.cmp(x));
                v.into_iter().collect::<std::collections::BTreeSet<u16>>()
            };
            let whole = bound(&a.union(&b).copied().collect());
            let parts = bound(&bound(&a).union(&bound(&b)).copied().collect());
            prop_assert_eq!(whole, parts);
        }
    }
}
