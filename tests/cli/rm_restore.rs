//! `rep rm` and `rep restore`: tombstones that hide an entry and bring it back.

use crate::support::{Repo, stderr, stdout};

#[test]
fn rm_hides_the_entry_everywhere_and_restore_brings_it_back() {
    let repo = Repo::new();
    let keep = repo.add(&[
        "tool",
        "Vacuum full locks the table",
        "-d",
        "pg",
        "-t",
        "vacuum",
    ]);
    let gone = repo.add(&["tool", "Vacuum freeze", "-d", "ops", "-t", "freeze,vacuum"]);

    let assert = repo.rep(&["rm", &gone[..8]]).success();
    assert_eq!(stdout(&assert), "");
    let short = repo.entry(&gone)["short_id"].as_str().unwrap().to_owned();
    assert_eq!(
        stderr(&assert),
        format!("deleted {short} Vacuum freeze\n(`rep restore {short}` brings it back)\n")
    );
    assert_eq!(repo.list_ids(&[]), [keep.as_str()]);
    assert_eq!(repo.search_ids(&["vacuum"]), [keep.as_str()]);
    assert!(repo.search_ids(&["freeze"]).is_empty());
    let domains = repo.json(&["domains"]);
    assert_eq!(domains, serde_json::json!([{"name": "pg", "entries": 1}]));
    let tags = repo.json(&["tags"]);
    assert_eq!(tags, serde_json::json!([{"name": "vacuum", "entries": 1}]));

    let assert = repo.rep(&["restore", &gone]).success();
    assert_eq!(stderr(&assert), format!("restored {short} Vacuum freeze\n"));
    let mut listed = repo.list_ids(&[]);
    listed.sort();
    let mut both = vec![keep.clone(), gone.clone()];
    both.sort();
    assert_eq!(listed, both);
    assert_eq!(repo.search_ids(&["freeze"]), [gone.as_str()]);
    assert_eq!(
        repo.json(&["tags"])[0],
        serde_json::json!({"name": "vacuum", "entries": 2})
    );
}

#[test]
fn show_of_a_deleted_entry_works_and_says_deleted() {
    let repo = Repo::new();
    let id = repo.add(&["problem", "Flaky DNS"]);
    repo.ok(&["rm", &id]);
    let entry = repo.entry(&id);
    assert_eq!(entry["deleted"], true);
    assert_eq!(entry["title"], "Flaky DNS");
    let human = repo.ok(&["show", &id]);
    assert!(human.contains("\nstatus    deleted\n"), "{human}");
    repo.ok(&["restore", &id]);
    assert!(!repo.ok(&["show", &id]).contains("deleted"));
}

#[test]
fn rm_of_a_deleted_entry_and_restore_of_a_live_one_are_errors() {
    let repo = Repo::new();
    let id = repo.add(&["tool", "t"]);
    let assert = repo.rep(&["restore", &id]).code(1);
    assert!(stderr(&assert).contains(&format!("entry {id} is not deleted")));
    repo.ok(&["rm", &id]);
    let assert = repo.rep(&["rm", &id[..4]]).code(1);
    let err = stderr(&assert);
    assert!(
        err.contains(&format!("entry {} is deleted", &id[..4])),
        "{err}"
    );
    assert!(
        err.contains(&format!("hint: `rep restore {}`", &id[..4])),
        "{err}"
    );
    // Edit refuses deleted entries too.
    repo.rep(&["edit", &id, "--title", "x"]).code(1);
    assert_eq!(repo.entry(&id)["title"], "t");
}

#[test]
fn rm_and_restore_json_return_the_entry_and_stamp_the_change() {
    let repo = Repo::new();
    let id = repo.add(&["tool", "t"]);
    let later = "2026-11-28T10:00:00Z";
    let out = repo.rep_at(later, &["rm", &id, "--json"]).success();
    let entry = crate::support::parse_json(&stdout(&out));
    assert_eq!(entry["id"], id.as_str());
    assert_eq!(entry["deleted"], true);
    assert_eq!(entry["updated_at"], later);
    assert_eq!(entry["created_at"], crate::support::NOW);
    let entry = repo.json(&["restore", &id]);
    assert_eq!(entry["deleted"], false);
}

#[test]
fn rm_of_unknown_ids_changes_nothing() {
    let repo = Repo::new();
    let id = repo.add(&["tool", "t"]);
    let other = if id.starts_with("abcd") {
        "dcba"
    } else {
        "abcd"
    };
    repo.rep(&["rm", other]).code(1);
    repo.rep(&["rm", "abc"]).code(1);
    repo.rep(&["rm"]).code(2);
    assert_eq!(repo.entry(&id)["deleted"], false);
}
