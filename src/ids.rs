//! Record ids: random UUIDs everywhere, shown to humans as their shortest unique prefix.

/// Humans never see fewer characters than this, as in git and jj.
pub const MIN_PREFIX: usize = 4;

pub fn new_id() -> String {
    uuid::Uuid::new_v4().hyphenated().to_string()
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
