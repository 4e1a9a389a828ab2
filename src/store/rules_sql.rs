//! The SQL forms of the rules in [`crate::rules`]: the same definitions as conditions over the
//! `entries` table, for filters that must run in the database. Each has an agreement test
//! against its Rust predicate.

/// `column` is the domain bound at `?{param}` or one of its sub-domains: the SQL form of
/// [`crate::rules::domain::is_within`]. A range, not LIKE: `'0'` follows `'/'` in byte order,
/// so `[d/, d0)` is exactly the sub-domains, `%` and `_` need no escaping, and an index on the
/// column serves it.
pub fn within_domain(column: &str, param: usize) -> String {
    format!("({column} = ?{param} OR ({column} >= ?{param} || '/' AND {column} < ?{param} || '0'))")
}

/// [`within_domain`], or every row when the bound domain is `''`: the SQL form of
/// [`crate::rules::domain::is_within_or_all`].
pub fn within_domain_or_all(column: &str, param: usize) -> String {
    format!("(?{param} = '' OR {})", within_domain(column, param))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::domain;
    use proptest::prelude::*;
    use rusqlite::Connection;

    /// Domain-like names from a small alphabet, so that prefixes, siblings and sub-domains
    /// meet often; with the characters LIKE would take as patterns, and some beyond ASCII.
    fn name() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop::sample::select(vec![
                "a", "b", "%", "_", "/", "é", "日", "-", ".", "0", "a/b",
            ]),
            1..6,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn the_sql_domain_filter_agrees_with_the_predicate(
            domains in proptest::collection::vec(name(), 1..20),
            filter in name(),
        ) {
            let conn = Connection::open_in_memory().unwrap();
            conn.execute_batch("CREATE TABLE t (domain TEXT NOT NULL)").unwrap();
            for d in &domains {
                conn.execute("INSERT INTO t VALUES (?1)", [d]).unwrap();
            }
            let query = |condition: String, bound: &str| -> Vec<String> {
                let mut stmt = conn
                    .prepare(&format!("SELECT domain FROM t WHERE {condition} ORDER BY rowid"))
                    .unwrap();
                stmt.query_map([bound], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
            };
            let within: Vec<String> =
                domains.iter().filter(|d| domain::is_within(d, &filter)).cloned().collect();
            prop_assert_eq!(query(within_domain("domain", 1), &filter), within);
            prop_assert_eq!(query(within_domain_or_all("domain", 1), ""), domains.clone());
            let or_all: Vec<String> =
                domains.iter().filter(|d| domain::is_within_or_all(d, &filter)).cloned().collect();
            prop_assert_eq!(query(within_domain_or_all("domain", 1), &filter), or_all);
        }
    }
}
