//! Turning what a user typed into a full-text query that can never be a syntax error.

/// Build an FTS5 query from free text: every word is quoted (so `"`, `*`, `:`, `-`, `AND`, `NEAR`
/// and the rest are just text), words must all match, and the last word also matches as a
/// prefix unless the text ends in a space, so results appear while a word is still being typed.
/// Returns `None` when the text has no word to search for.
pub fn fts_query(text: &str) -> Option<String> {
    // FTS5 reads a query up to its first NUL, which would leave a quote open: NUL splits words.
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '\0')
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect();
    let (last, rest) = words.split_last()?;
    let quote = |w: &str| format!("\"{}\"", w.replace('"', "\"\""));
    let mut query: Vec<String> = rest.iter().map(|w| quote(w)).collect();
    let prefix = !text.ends_with(char::is_whitespace);
    query.push(if prefix {
        format!("{}*", quote(last))
    } else {
        quote(last)
    });
    Some(query.join(" "))
}

/// Words of three letters or more that every question has ("how do we ... the ..."): matching
/// on them alone would list unrelated entries as similar.
const STOP_WORDS: &[&str] = &[
    "all", "and", "any", "are", "but", "can", "did", "does", "for", "from", "has", "have", "how",
    "its", "not", "our", "should", "that", "the", "their", "then", "there", "this", "was", "what",
    "when", "where", "which", "who", "why", "will", "with", "you", "your",
];

/// A query for entries similar to a text: any of its words (three letters or more) may match,
/// and bm25 ranks those that match more and rarer words first.
pub fn similarity_query(text: &str) -> Option<String> {
    let mut words: Vec<String> = Vec::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        let word = word.to_lowercase();
        if word.chars().count() >= 3
            && !STOP_WORDS.contains(&word.as_str())
            && !words.contains(&word)
            && words.len() < 16
        {
            words.push(word);
        }
    }
    if words.is_empty() {
        return None;
    }
    Some(
        words
            .iter()
            .map(|w| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(" OR "),
    )
}

/// Short words that carry no subject ("how do I ... in the ..."), on top of `STOP_WORDS`.
const SHORT_STOP_WORDS: &[&str] = &[
    "a", "am", "an", "as", "at", "be", "by", "do", "i", "if", "in", "is", "it", "me", "my", "of",
    "on", "or", "so", "to", "up", "we",
];

/// The words of a search that found nothing, normalised so that similar searches group together:
/// lowercase, a plural `s` dropped, words every question has ("how", "do", "the") left out,
/// sorted and unique. A search of only such words keeps them. `None` when no word is left.
/// `rep search rotate certs` and `rep ask "How do we rotate the certs?"` give the same key.
pub fn miss_key(text: &str) -> Option<String> {
    let mut words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let w = w.to_lowercase();
            match w.strip_suffix('s') {
                Some(stem) if stem.chars().count() >= 3 && !stem.ends_with('s') => stem.to_owned(),
                _ => w,
            }
        })
        .collect();
    let is_stop =
        |w: &String| STOP_WORDS.contains(&w.as_str()) || SHORT_STOP_WORDS.contains(&w.as_str());
    if !words.iter().all(is_stop) {
        words.retain(|w| !is_stop(w));
    }
    words.sort();
    words.dedup();
    (!words.is_empty()).then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rusqlite::Connection;

    #[test]
    fn words_are_quoted_and_the_last_is_a_prefix() {
        assert_eq!(fts_query("vacuum full").unwrap(), r#""vacuum" "full"*"#);
        assert_eq!(fts_query("vacuum ").unwrap(), r#""vacuum""#);
        assert_eq!(
            fts_query(r#"say "hi" AND"#).unwrap(),
            r#""say" """hi""" "AND"*"#
        );
        assert_eq!(fts_query("  - * "), None);
        assert_eq!(fts_query("a\0b").unwrap(), r#""a" "b"*"#);
    }

    fn index() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE VIRTUAL TABLE t USING fts5(a, tokenize = 'porter unicode61 remove_diacritics 2');
             INSERT INTO t VALUES ('the quick brown fox'), ('NEAR AND OR NOT');",
        )
        .unwrap();
        conn
    }

    #[test]
    fn similarity_takes_any_longer_word() {
        assert_eq!(
            similarity_query("How do I fix a DNS error?").unwrap(),
            r#""fix" OR "dns" OR "error""#
        );
        assert_eq!(similarity_query("a b ?"), None);
        assert_eq!(similarity_query("Who has the key?").unwrap(), r#""key""#);
        assert_eq!(
            similarity_query("How does this work?").unwrap(),
            r#""work""#
        );
        assert_eq!(similarity_query("what is the, and why"), None);
    }

    #[test]
    fn misses_group_by_their_words() {
        assert_eq!(
            miss_key("Rotate certs staging").unwrap(),
            "cert rotate staging"
        );
        assert_eq!(
            miss_key("staging: rotate the cert"),
            miss_key("cert rotate staging the")
        );
        assert_eq!(miss_key("class glass"), Some("class glass".into()));
        assert_eq!(
            miss_key("How do we rotate the staging certs?"),
            miss_key("rotate staging cert")
        );
        assert_eq!(miss_key("how do I").unwrap(), "do how i");
        assert_eq!(miss_key("  ?! "), None);
    }

    #[test]
    fn stems_and_prefixes_match() {
        let conn = index();
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM t WHERE t MATCH ?1",
                [fts_query("foxes bro").unwrap()],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        #[test]
        fn any_text_is_a_valid_query(text in "\\PC{0,60}|[\"*:^(){}+\\-. a-zA-Z\\x00-\\x1f]{0,30}") {
            let conn = index();
            if let Some(q) = fts_query(&text) {
                let result: rusqlite::Result<i64> =
                    conn.query_row("SELECT count(*) FROM t WHERE t MATCH ?1", [&q], |r| r.get(0));
                prop_assert!(result.is_ok(), "query {:?} from {:?} failed: {:?}", q, text, result);
            }
        }
    }
}
