//! `rep tags rename` and `rep domains rename`: one transaction of stamped edits, a dry run that
//! changes nothing, and a result that merges like any other edit.

use serde_json::Value;

use crate::support::{Repo, stderr, stdout};

fn three(repo: &Repo) -> [String; 3] {
    [
        repo.add(&["tool", "Trace a pod", "-d", "k8s", "-t", "postgresql"]),
        repo.add(&[
            "tool",
            "Debug DNS",
            "-d",
            "k8s/networking",
            "-t",
            "postgresql,dns",
        ]),
        repo.add(&["tool", "Old cluster", "-d", "k8s-old", "-t", "dns"]),
    ]
}

fn domains(repo: &Repo) -> Vec<String> {
    repo.json(&["domains"])
        .as_array()
        .expect("array")
        .iter()
        .map(|d| d["name"].as_str().expect("name").to_owned())
        .collect()
}

fn export(repo: &Repo) -> String {
    repo.ok(&["export", "-", "-q"])
}

fn import(repo: &Repo, text: &str) {
    let file = repo.path().join("incoming.jsonl");
    std::fs::write(&file, text).expect("write");
    repo.ok(&["import", file.to_str().expect("path"), "-q"]);
}

#[test]
fn rename_a_domain_moves_its_sub_domains_and_nothing_else() {
    let repo = Repo::new();
    let [a, b, c] = three(&repo);
    let done = repo.json(&["domains", "rename", "k8s", "kube"]);
    assert_eq!(done["what"], "domain");
    assert_eq!(done["dry_run"], false);
    let moved: Vec<(&str, &str, &str)> = done["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap(),
                e["from"].as_str().unwrap(),
                e["to"].as_str().unwrap(),
            )
        })
        .collect();
    let mut expected = vec![
        (a.as_str(), "k8s", "kube"),
        (b.as_str(), "k8s/networking", "kube/networking"),
    ];
    expected.sort();
    assert_eq!(moved, expected);
    assert_eq!(domains(&repo), ["k8s-old", "kube", "kube/networking"]);
    assert_eq!(repo.entry(&c)["domain"], "k8s-old");
    // The old domain stays in the history, as after any edit.
    let history = repo.json(&["history", &a]);
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["field"] == "domain" && r["value"] == "k8s" && r["current"] == false),
        "{history}"
    );
}

#[test]
fn rename_a_tag_on_every_entry_that_has_it() {
    let repo = Repo::new();
    let [a, b, c] = three(&repo);
    let err = stderr(
        &repo
            .rep(&["tags", "rename", "PostgreSQL", "postgres"])
            .success(),
    );
    assert_eq!(err, "renamed tag postgresql to postgres on 2 entries\n");
    assert_eq!(repo.entry(&a)["tags"], serde_json::json!(["postgres"]));
    assert_eq!(
        repo.entry(&b)["tags"],
        serde_json::json!(["dns", "postgres"])
    );
    assert_eq!(repo.entry(&c)["tags"], serde_json::json!(["dns"]));
    // Renaming onto a tag an entry already has merges the two.
    repo.ok(&["tags", "rename", "dns", "postgres", "-q"]);
    assert_eq!(repo.entry(&b)["tags"], serde_json::json!(["postgres"]));
    assert_eq!(repo.entry(&c)["tags"], serde_json::json!(["postgres"]));
}

#[test]
fn rename_dry_run_lists_and_changes_nothing() {
    let repo = Repo::new();
    three(&repo);
    export(&repo);
    let before = std::fs::read(repo.db()).expect("db");
    let assert = repo
        .rep(&["domains", "rename", "k8s", "kube", "--dry-run"])
        .success();
    let listed = stdout(&assert);
    let ids: Vec<String> = repo
        .json(&["list", "--sort", "title"])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["short_id"].as_str().unwrap().to_owned())
        .collect();
    let mut redacted = listed.clone();
    for (i, id) in ids.iter().enumerate() {
        redacted = redacted.replace(id.as_str(), &format!("[ID{i}]"));
    }
    // Rows come in id order, and ids are random: sorted here, so the snapshot is stable.
    let mut lines: Vec<&str> = redacted.lines().collect();
    lines[1..].sort_unstable();
    insta::assert_snapshot!(format!("{}\n{}", lines.join("\n"), stderr(&assert)));
    let json = repo.json(&["tags", "rename", "postgresql", "pg", "--dry-run"]);
    assert_eq!(json["dry_run"], true);
    assert_eq!(json["entries"].as_array().unwrap().len(), 2);
    assert_eq!(
        std::fs::read(repo.db()).expect("db"),
        before,
        "nothing changed"
    );
}

#[test]
fn rename_bad_input_is_refused_and_changes_nothing() {
    let repo = Repo::new();
    three(&repo);
    export(&repo);
    let before = std::fs::read(repo.db()).expect("db");
    let err = repo.fails(&["tags", "rename", "nope", "x"]);
    assert!(err.contains("no entry has the tag nope"), "{err}");
    let err = repo.fails(&["domains", "rename", "nowhere", "x"]);
    assert!(err.contains("no entry is in the domain nowhere"), "{err}");
    let err = stderr(&repo.rep(&["tags", "rename", "dns", "DNS"]).code(2));
    assert!(
        err.contains("the old and the new tag are the same"),
        "{err}"
    );
    let err = repo.fails(&["domains", "rename", "k8s", "bad domain!"]);
    assert!(err.contains("invalid domain"), "{err}");
    // A new name that pushes a sub-domain past the length limit refuses the whole rename.
    let long = "d".repeat(95);
    let err = repo.fails(&["domains", "rename", "k8s", &long]);
    assert!(err.contains("longer than 100 characters"), "{err}");
    assert_eq!(
        std::fs::read(repo.db()).expect("db"),
        before,
        "nothing changed"
    );
}

#[test]
fn rename_merges_like_any_other_edit() {
    let ana = Repo::new();
    let [a, b, _] = three(&ana);
    let bob = Repo::new();
    import(&bob, &export(&ana));
    // Concurrently: ana renames; bob tags one entry and moves the other.
    ana.rep_at(
        "2026-11-27T09:10:00Z",
        &["domains", "rename", "k8s", "kube"],
    )
    .success();
    ana.rep_at(
        "2026-11-27T09:10:00Z",
        &["tags", "rename", "postgresql", "pg"],
    )
    .success();
    bob.rep_at("2026-11-27T09:05:00Z", &["edit", &a, "-t", "tracing"])
        .success();
    bob.rep_at("2026-11-27T09:20:00Z", &["edit", &b, "-d", "dns"])
        .success();
    import(&ana, &export(&bob));
    import(&bob, &export(&ana));
    assert_eq!(export(&ana), export(&bob), "both sides converge");
    let entry_a: Value = ana.entry(&a);
    assert_eq!(entry_a["domain"], "kube");
    assert_eq!(entry_a["tags"], serde_json::json!(["pg", "tracing"]));
    assert_eq!(ana.entry(&b)["domain"], "dns", "bob's later move wins");
}
