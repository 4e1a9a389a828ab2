//! `rep domains` and `rep tags`: counts of what is in use.

use crate::support::{Repo, fixture, stderr, stdout};

#[test]
fn domains_are_counted_by_name() {
    let (repo, _) = fixture();
    repo.add(&["tool", "another", "-d", "postgres"]);
    assert_eq!(
        repo.json(&["domains"]),
        serde_json::json!([
            {"name": "k8s", "entries": 1},
            {"name": "k8s/networking", "entries": 1},
            {"name": "postgres", "entries": 3},
            {"name": "postgres/vacuum", "entries": 1},
        ])
    );
}

#[test]
fn tags_are_counted_most_used_first() {
    let (repo, _) = fixture();
    repo.add(&["tool", "another", "-t", "locks,pg"]);
    assert_eq!(
        repo.json(&["tags"]),
        serde_json::json!([
            {"name": "pg", "entries": 3},
            {"name": "locks", "entries": 2},
            {"name": "certs", "entries": 1},
            {"name": "incident", "entries": 1},
            {"name": "memory", "entries": 1},
            {"name": "vacuum", "entries": 1},
            {"name": "wal", "entries": 1},
        ])
    );
}

#[test]
fn removed_tags_and_deleted_entries_do_not_count() {
    let repo = Repo::new();
    let a = repo.add(&["tool", "a", "-t", "x,y", "-d", "one"]);
    repo.add(&["tool", "b", "-t", "y", "-d", "two"]);
    repo.ok(&["edit", &a, "--untag", "x"]);
    assert_eq!(
        repo.json(&["tags"]),
        serde_json::json!([{"name": "y", "entries": 2}])
    );
    repo.ok(&["rm", &a]);
    assert_eq!(
        repo.json(&["tags"]),
        serde_json::json!([{"name": "y", "entries": 1}])
    );
    assert_eq!(
        repo.json(&["domains"]),
        serde_json::json!([{"name": "two", "entries": 1}])
    );
}

#[test]
fn empty_repertoire_notes() {
    let repo = Repo::empty();
    let assert = repo.rep(&["domains"]).success();
    assert_eq!(stdout(&assert), "");
    assert!(stderr(&assert).starts_with("note: no domains yet"));
    let assert = repo.rep(&["tags"]).success();
    assert_eq!(stdout(&assert), "");
    assert!(stderr(&assert).starts_with("note: no tags yet"));
    assert_eq!(repo.json(&["domains"]), serde_json::json!([]));
    assert_eq!(repo.json(&["tags"]), serde_json::json!([]));
    // An entry without tags still has no tags.
    repo.add(&["tool", "untagged"]);
    assert_eq!(repo.json(&["tags"]), serde_json::json!([]));
}

#[test]
fn table_snapshots() {
    let (repo, _) = fixture();
    insta::assert_snapshot!("domains_table", repo.ok(&["domains"]));
    insta::assert_snapshot!("tags_table", repo.ok(&["tags"]));
}
