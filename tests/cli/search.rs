//! `rep search`: ranking, stemming, prefixes, hostile queries, `--raw`, filters and output.

use crate::support::{Repo, fixture, parse_json, redact_fixture, stderr, stdout};

#[test]
fn a_title_match_ranks_above_a_body_match() {
    let repo = Repo::new();
    let in_body = repo.add(&[
        "story",
        "A long night",
        "-m",
        "We ran vacuum by hand at 3am.",
    ]);
    let in_title = repo.add(&[
        "tool",
        "Vacuum a big table",
        "-m",
        "Use a maintenance window.",
    ]);
    let in_tag = repo.add(&["tool", "Table maintenance", "-t", "vacuum"]);
    assert_eq!(repo.search_ids(&["vacuum"]), [in_title, in_tag, in_body]);
}

#[test]
fn hits_carry_the_entry_a_score_and_a_snippet() {
    let repo = Repo::new();
    let id = repo.add(&[
        "tool",
        "Find what holds a lock",
        "-m",
        "Join pg_locks with activity.",
    ]);
    let hits = repo.json(&["search", "activity"]);
    let hit = &hits[0];
    assert_eq!(hits.as_array().unwrap().len(), 1);
    assert_eq!(hit["id"], id.as_str());
    assert_eq!(hit["title"], "Find what holds a lock");
    assert_eq!(hit["deleted"], false);
    assert!(hit["score"].is_f64(), "{hit}");
    assert_eq!(hit["snippet"], "Join pg_locks with **activity**.");
    let mut keys: Vec<&str> = hit
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "author",
            "body",
            "command",
            "created_at",
            "deleted",
            "domain",
            "id",
            "kind",
            "link",
            "matched",
            "score",
            "short_id",
            "snippet",
            "tags",
            "title",
            "updated_at"
        ]
    );
    // Scores are ordered: lower is better.
    repo.add(&["tool", "Activity monitor"]);
    let hits = repo.json(&["search", "activity"]);
    let scores: Vec<f64> = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] <= w[1]), "{scores:?}");
    assert_eq!(hits[0]["title"], "Activity monitor");
}

#[test]
fn words_match_their_other_forms() {
    let repo = Repo::new();
    let id = repo.add(&["problem", "Locking storms during deploys"]);
    assert_eq!(repo.search_ids(&["locks"]), [id.as_str()]);
    assert_eq!(repo.search_ids(&["lock"]), [id.as_str()]);
    assert_eq!(repo.search_ids(&["deploy", "storm"]), [id.as_str()]);
    let accented = repo.add(&["story", "Café crème outage"]);
    assert_eq!(repo.search_ids(&["cafe"]), [accented]);
}

#[test]
fn every_word_must_match() {
    let repo = Repo::new();
    let both = repo.add(&["tool", "vacuum and bloat"]);
    repo.add(&["tool", "vacuum only"]);
    assert_eq!(repo.search_ids(&["vacuum", "bloat"]), [both.as_str()]);
    assert_eq!(repo.search_ids(&["vacuum bloat"]), [both]);
}

#[test]
fn the_last_word_matches_as_a_prefix_unless_followed_by_a_space() {
    let repo = Repo::new();
    let id = repo.add(&["tool", "Autovacuum tuning"]);
    assert_eq!(repo.search_ids(&["autovac"]), [id.as_str()]);
    assert_eq!(repo.search_ids(&["tuning", "autovac"]), [id.as_str()]);
    // Only the last word is a prefix.
    assert!(repo.search_ids(&["tun", "autovac"]).is_empty());
    assert!(repo.search_ids(&["autovac", "tuning"]).is_empty());
    assert!(repo.search_ids(&["autovac "]).is_empty());
}

#[test]
fn hostile_queries_are_just_text() {
    let repo = Repo::new();
    let id = repo.add(&[
        "tool",
        "NEAR AND OR NOT a:b -x",
        "-m",
        "star * quote \" caret ^",
    ]);
    for query in [
        "\"",
        "*",
        "AND",
        "OR",
        "NOT",
        "NEAR(",
        "NEAR",
        "a:b",
        "-x",
        "^",
        "(",
        ")",
        "{",
        "title:",
        "\"unterminated",
        "a OR",
        "x AND NOT",
        "col:*",
        "+",
        "'",
        "\\",
        "--",
        "NEAR(a b, 2)",
    ] {
        // `--` so that clap leaves `-x` and `--` to the query.
        let assert = repo.rep(&["search", "--json", "--", query]).success();
        let hits = parse_json(&stdout(&assert));
        assert!(hits.is_array(), "{query:?}");
    }
    assert_eq!(repo.search_ids(&["AND"]), [id.as_str()]);
    assert_eq!(repo.search_ids(&["NEAR("]), [id.as_str()]);
    assert_eq!(repo.search_ids(&["a:b"]), [id.as_str()]);
    let dashed = repo.rep(&["search", "--json", "--", "-x"]).success();
    assert_eq!(
        crate::support::ids_of(&parse_json(&stdout(&dashed))),
        [id.as_str()]
    );
    assert_eq!(repo.search_ids(&["not", "or"]), [id]);
    // Without any word there is nothing to search for.
    let assert = repo.rep(&["search", "*"]).success();
    assert_eq!(stdout(&assert), "");
    assert!(stderr(&assert).contains("nothing matches `*`"));
}

#[test]
fn raw_takes_fts5_syntax() {
    let repo = Repo::new();
    let full = repo.add(&["tool", "vacuum full rewrites the table"]);
    let plain = repo.add(&["tool", "vacuum in the background"]);
    assert_eq!(
        repo.search_ids(&["--raw", "vacuum NOT full"]),
        [plain.as_str()]
    );
    let mut either = repo.search_ids(&["--raw", "full OR background"]);
    either.sort();
    let mut expected = vec![full.clone(), plain];
    expected.sort();
    assert_eq!(either, expected);
    assert_eq!(
        repo.search_ids(&["--raw", "\"rewrites the\""]),
        [full.as_str()]
    );
    assert_eq!(repo.search_ids(&["--raw", "title:rewrite*"]), [full]);
}

#[test]
fn broken_raw_syntax_is_a_usage_error() {
    let repo = Repo::new();
    repo.add(&["tool", "vacuum"]);
    for query in [
        "\"unterminated",
        "AND",
        "vacuum NOT",
        "nosuchcolumn:x",
        "NEAR(",
    ] {
        let assert = repo.rep(&["search", "--raw", query]).code(2);
        assert_eq!(stdout(&assert), "", "{query:?}");
        let err = stderr(&assert);
        assert!(
            err.contains("error: invalid search syntax"),
            "{query:?}: {err}"
        );
        assert!(err.contains("hint: drop --raw"), "{query:?}: {err}");
    }
}

#[test]
fn no_hits_is_success_with_a_note() {
    let repo = Repo::new();
    repo.add(&["tool", "vacuum"]);
    let assert = repo.rep(&["search", "kubernetes"]).success();
    assert_eq!(stdout(&assert), "");
    assert_eq!(
        stderr(&assert),
        "note: nothing matches `kubernetes`: try fewer or other words, or write it down with `rep ask` or `rep add`\n"
    );
    let assert = repo.rep(&["search", "kubernetes", "--json"]).success();
    assert_eq!(parse_json(&stdout(&assert)), serde_json::json!([]));
    assert!(stderr(&assert).contains("nothing matches"));
    assert_eq!(
        stderr(&repo.rep(&["search", "kubernetes", "-q"]).success()),
        ""
    );
    // On an empty repertoire too.
    let empty = Repo::new();
    let assert = empty.rep(&["search", "x", "--json"]).success();
    assert_eq!(parse_json(&stdout(&assert)), serde_json::json!([]));
}

#[test]
fn a_query_is_required() {
    let repo = Repo::new();
    repo.rep(&["search"]).code(2);
}

#[test]
fn filters_apply_to_hits() {
    let (repo, entries) = fixture();
    let id = |i: usize| entries[i].1["id"].as_str().unwrap().to_owned();
    // "pg" appears in the tags of 0 and 4.
    let mut all = repo.search_ids(&["pg"]);
    all.sort();
    let mut expected = vec![id(0), id(4)];
    expected.sort();
    assert_eq!(all, expected);
    assert_eq!(
        repo.search_ids(&["pg", "--kind", "tool", "-d", "postgres/vacuum"]),
        [id(4)]
    );
    assert_eq!(repo.search_ids(&["pg", "-t", "locks"]), [id(0)]);
    assert_eq!(repo.search_ids(&["pg", "--since", "2026-11-23"]), [id(4)]);
    assert!(repo.search_ids(&["pg", "--author", "bo"]).is_empty());
    assert_eq!(
        repo.search_ids(&["certs", "-a", "bo", "-d", "k8s"]),
        [id(3)]
    );
    assert!(repo.search_ids(&["certs", "-d", "postgres"]).is_empty());
}

#[test]
fn limit_caps_the_hits() {
    let repo = Repo::new();
    for i in 0..25 {
        repo.add(&["tool", &format!("lock trick {i}"), "-q"]);
    }
    assert_eq!(repo.search_ids(&["lock"]).len(), 20);
    assert_eq!(repo.search_ids(&["lock", "-n", "3"]).len(), 3);
    assert_eq!(repo.search_ids(&["lock", "--limit", "100"]).len(), 25);
}

#[test]
fn table_snapshot() {
    let (repo, entries) = fixture();
    let out = repo.ok(&["search", "pg"]);
    insta::assert_snapshot!("search_table", redact_fixture(&out, &entries));
    let out = repo.ok(&["search", "archive"]);
    insta::assert_snapshot!("search_body_snippet", redact_fixture(&out, &entries));
}
