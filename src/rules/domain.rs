//! "This domain and its sub-domains": what a domain filter takes in. The SQL form is
//! [`crate::store::rules_sql::within_domain`]; it compares byte ranges rather than using LIKE,
//! so `%` and `_` in a domain are plain characters in both forms and nothing needs escaping.

/// `domain` is `filter` itself or nested under it (`k8s/networking` is within `k8s`; `k8s2`
/// is not).
pub fn is_within(domain: &str, filter: &str) -> bool {
    domain
        .strip_prefix(filter)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Within any of `filters`; everything is within an empty list.
pub fn is_within_any(domain: &str, filters: &[String]) -> bool {
    filters.is_empty() || filters.iter().any(|f| is_within(domain, f))
}

/// Within `filter`; everything is within the empty filter (no `--domain`).
pub fn is_within_or_all(domain: &str, filter: &str) -> bool {
    filter.is_empty() || is_within(domain, filter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_domains_are_within_and_siblings_are_not() {
        assert!(is_within("k8s", "k8s"));
        assert!(is_within("k8s/networking", "k8s"));
        assert!(!is_within("k8s2", "k8s"));
        assert!(!is_within("k8s-net/x", "k8s"));
        assert!(!is_within("k8", "k8s"));
        assert!(is_within_any("anything", &[]));
        assert!(is_within_or_all("anything", ""));
    }
}
