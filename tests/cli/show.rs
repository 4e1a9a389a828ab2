//! `rep show`: resolving ids and prefixes, and the full view of one entry.

use crate::support::{Repo, fixture, redact_fixture, stderr, stdout};

/// Make `other` share its first `n` characters with `id`, as random ids sometimes do.
pub fn force_shared_prefix(repo: &Repo, id: &str, other: &str, n: usize) -> String {
    let crafted = format!("{}{}", &id[..n], &other[n..]);
    assert_ne!(crafted, id);
    let conn = rusqlite::Connection::open(repo.db()).expect("open db");
    let changed = conn
        .execute(
            "UPDATE entries SET id = ?1 WHERE id = ?2",
            [crafted.as_str(), other],
        )
        .expect("rewrite id");
    assert_eq!(changed, 1);
    crafted
}

#[test]
fn a_prefix_of_four_or_more_or_the_full_id_finds_the_entry() {
    let repo = Repo::new();
    let id = repo.add(&["tool", "Find what holds a lock"]);
    for typed in [
        id.clone(),
        id[..4].to_owned(),
        id[..9].to_owned(),
        id.to_uppercase(),
        format!("  {}  ", &id[..6]),
    ] {
        let entry = repo.json(&["show", &typed]);
        assert_eq!(entry["id"], id.as_str(), "typed {typed:?}");
        assert_eq!(entry["title"], "Find what holds a lock");
    }
}

#[test]
fn a_too_short_prefix_is_refused() {
    let repo = Repo::new();
    let id = repo.add(&["tool", "t"]);
    let assert = repo.rep(&["show", &id[..3]]).code(1);
    assert_eq!(stdout(&assert), "");
    assert!(
        stderr(&assert).contains("is too short: type at least 4 characters"),
        "{}",
        stderr(&assert)
    );
}

#[test]
fn an_unknown_or_malformed_id_is_a_data_error() {
    let repo = Repo::new();
    let id = repo.add(&["tool", "t"]);
    let unknown = if id.starts_with("0000") {
        "ffff"
    } else {
        "0000"
    };
    let assert = repo.rep(&["show", unknown]).code(1);
    assert!(
        stderr(&assert).contains(&format!("no entry has an id starting with `{unknown}`")),
        "{}",
        stderr(&assert)
    );
    let assert = repo.rep(&["show", "zzzz"]).code(1);
    assert!(stderr(&assert).contains("`zzzz` is not an entry id"));
    let too_long = format!("{id}0");
    repo.rep(&["show", &too_long]).code(1);
    repo.rep(&["show", ""]).code(1);
}

#[test]
fn an_ambiguous_prefix_lists_the_candidates() {
    let repo = Repo::new();
    let first = repo.add(&["tool", "First of two"]);
    let second = repo.add(&["story", "Second of two"]);
    let second = force_shared_prefix(&repo, &first, &second, 4);
    let assert = repo.rep(&["show", &first[..4]]).code(1);
    assert_eq!(stdout(&assert), "");
    let err = stderr(&assert);
    assert!(
        err.contains(&format!("id prefix `{}` is ambiguous", &first[..4])),
        "{err}"
    );
    assert!(
        err.contains(&format!("{first}  tool  First of two")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{second}  story  Second of two")),
        "{err}"
    );
    assert!(
        err.contains("hint: type more characters of the id"),
        "{err}"
    );

    // Short ids grow to tell the two apart, and those longer prefixes work.
    let listed = repo.json(&["list"]);
    for entry in listed.as_array().unwrap() {
        let short = entry["short_id"].as_str().unwrap();
        assert!(short.len() >= 5, "{short}");
        assert_eq!(repo.entry(short)["id"], entry["id"]);
    }
}

#[test]
fn ambiguity_counts_deleted_entries_and_says_so() {
    let repo = Repo::new();
    let live = repo.add(&["tool", "Live one"]);
    let gone = repo.add(&["tool", "Gone one"]);
    let gone = force_shared_prefix(&repo, &live, &gone, 5);
    repo.ok(&["rm", &gone]);
    let err = stderr(&repo.rep(&["show", &live[..5]]).code(1));
    assert!(
        err.contains(&format!("{gone}  tool  Gone one (deleted)")),
        "{err}"
    );
}

#[test]
fn human_view_snapshot() {
    let (repo, entries) = fixture();
    let id = entries[0].1["id"].as_str().unwrap();
    let out = repo.ok(&["show", id]);
    insta::assert_snapshot!("show_tool", redact_fixture(&out, &entries));

    // An edited entry also shows when it changed; a link and no body.
    let id = entries[4].1["id"].as_str().unwrap();
    repo.rep_at("2026-11-26T12:00:00Z", &["edit", id, "-t", "indexes"])
        .success();
    let out = repo.ok(&["show", id]);
    insta::assert_snapshot!("show_edited_with_link", redact_fixture(&out, &entries));
}

#[test]
fn colour_only_when_asked() {
    let repo = Repo::new();
    let id = repo.add(&["tool", "Colourful"]);
    let plain = repo.ok(&["show", &id]);
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
    let auto = stdout(&repo.rep(&["show", &id, "--color", "auto"]).success());
    assert!(!auto.contains('\u{1b}'), "{auto:?}");
    let always = stdout(&repo.rep(&["show", &id, "--color", "always"]).success());
    assert!(always.contains("\u{1b}[1mColourful\u{1b}[0m"), "{always:?}");
    let never = stdout(
        &repo
            .cmd()
            .env_remove("NO_COLOR")
            .args(["show", &id, "--color", "never"])
            .assert()
            .success(),
    );
    assert!(!never.contains('\u{1b}'));
}

/// A kind from a later rep (the format allows any lowercase word) is kept as it came: listed,
/// shown and exported unchanged, never turned into one of ours.
#[test]
fn a_later_kind_is_shown_listed_and_exported_as_it_came() {
    let newer = Repo::new();
    let id = newer.add(&["tool", "Braise the shoulder"]);
    let file = newer.path().join("newer.jsonl");
    newer.ok(&["export", file.to_str().unwrap()]);
    let text = std::fs::read_to_string(&file).unwrap();
    let from = r#""kind":{"value":"tool""#;
    assert!(text.contains(from), "{text}");
    std::fs::write(&file, text.replace(from, r#""kind":{"value":"recipe""#)).unwrap();

    let older = Repo::new();
    older.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(older.entry(&id)["kind"], "recipe");
    let shown = older.ok(&["show", &id]);
    assert!(shown.contains(" recipe  Braise the shoulder"), "{shown}");
    let listed = older.ok(&["list"]);
    assert!(listed.contains("recipe"), "{listed}");
    let again = older.path().join("again.jsonl");
    older.ok(&["export", again.to_str().unwrap()]);
    let exported = std::fs::read_to_string(&again).unwrap();
    assert!(
        exported.contains(r#""kind":{"value":"recipe""#),
        "{exported}"
    );
}
