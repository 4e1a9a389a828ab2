//! `rep edit`: each field flag, tags, clearing, stdin, the editor, and refusing no-ops.

use crate::support::{NOW, Repo, parse_json, script, stderr, stdout};

const LATER: &str = "2026-11-28T14:30:00Z";

fn tool(repo: &Repo) -> String {
    repo.add(&[
        "tool",
        "Find locks",
        "-m",
        "old body",
        "-d",
        "postgres",
        "-t",
        "locks,misc",
        "--cmd",
        "SELECT 1",
        "--link",
        "https://example.org/a",
    ])
}

fn edit_json(repo: &Repo, id: &str, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["edit", id];
    all.extend_from_slice(args);
    all.push("--json");
    parse_json(&stdout(&repo.rep_at(LATER, &all).success()))
}

#[test]
fn each_flag_changes_only_its_field_and_stamps_the_update() {
    let repo = Repo::new();
    let id = tool(&repo);
    let original = repo.entry(&id);
    let body_file = repo.path().join("body.md");
    std::fs::write(&body_file, "from a file\n").unwrap();
    let body_file = body_file.to_str().unwrap().to_owned();
    let cases: Vec<(Vec<&str>, &str, serde_json::Value)> = vec![
        (
            vec!["--title", " Show blocking locks "],
            "title",
            "Show blocking locks".into(),
        ),
        (vec!["--kind", "problem"], "kind", "problem".into()),
        (vec!["-m", "new body"], "body", "new body".into()),
        (
            vec!["--body-file", &body_file],
            "body",
            "from a file\n".into(),
        ),
        (
            vec!["-d", "Postgres/Locking"],
            "domain",
            "postgres/locking".into(),
        ),
        (
            vec!["--cmd", "SELECT * FROM pg_locks"],
            "command",
            "SELECT * FROM pg_locks".into(),
        ),
        (
            vec!["--link", "https://example.org/b"],
            "link",
            "https://example.org/b".into(),
        ),
    ];
    let mut expected = original.clone();
    for (args, field, value) in cases {
        let entry = edit_json(&repo, &id, &args);
        expected[field] = value;
        expected["updated_at"] = LATER.into();
        assert_eq!(entry, expected, "after {args:?}");
        assert_eq!(repo.entry(&id), expected);
    }
    assert_eq!(expected["created_at"], NOW);
    assert_eq!(expected["author"], "ana");
}

#[test]
fn tags_are_added_and_removed() {
    let repo = Repo::new();
    let id = tool(&repo);
    let entry = edit_json(&repo, &id, &["-t", "Deadlock,#pg", "--untag", "MISC"]);
    assert_eq!(
        entry["tags"],
        serde_json::json!(["deadlock", "locks", "pg"])
    );
    let entry = edit_json(&repo, &id, &["--untag", "locks,pg", "--untag", "deadlock"]);
    assert_eq!(entry["tags"], serde_json::json!([]));
    // A removed tag can come back.
    let entry = edit_json(&repo, &id, &["--tag", "locks"]);
    assert_eq!(entry["tags"], serde_json::json!(["locks"]));
    assert_eq!(repo.list_ids(&["-t", "locks"]), [id.as_str()]);
    assert!(repo.list_ids(&["-t", "misc"]).is_empty());
}

#[test]
fn an_empty_command_or_link_clears_it() {
    let repo = Repo::new();
    let id = tool(&repo);
    let entry = edit_json(&repo, &id, &["--cmd", ""]);
    assert!(entry["command"].is_null());
    assert_eq!(entry["link"], "https://example.org/a");
    let entry = edit_json(&repo, &id, &["--link", ""]);
    assert!(entry["link"].is_null());
}

#[test]
fn nothing_to_change_is_a_usage_error() {
    let repo = Repo::new();
    let id = tool(&repo);
    let assert = repo.rep(&["edit", &id]).code(2);
    let err = stderr(&assert);
    assert!(err.contains("error: nothing to change"), "{err}");
    assert!(err.contains("hint: name a field"), "{err}");
}

#[test]
fn setting_the_same_values_changes_nothing() {
    let repo = Repo::new();
    let id = tool(&repo);
    let before = repo.entry(&id);
    let assert = repo
        .rep_at(
            LATER,
            &[
                "edit",
                &id,
                "--title",
                "Find locks",
                "-t",
                "locks",
                "--untag",
                "absent",
            ],
        )
        .success();
    let short = before["short_id"].as_str().unwrap();
    assert_eq!(stderr(&assert), format!("nothing changed in {short}\n"));
    assert_eq!(repo.entry(&id), before);
}

#[test]
fn human_output_is_a_status_line() {
    let repo = Repo::new();
    let id = tool(&repo);
    let assert = repo.rep(&["edit", &id, "--title", "Renamed"]).success();
    assert_eq!(stdout(&assert), "");
    let short = repo.entry(&id)["short_id"].as_str().unwrap().to_owned();
    assert_eq!(stderr(&assert), format!("updated {short} Renamed\n"));
}

#[test]
fn body_from_stdin() {
    let repo = Repo::new();
    let id = tool(&repo);
    repo.cmd()
        .args(["edit", &id, "-"])
        .write_stdin("piped body\n")
        .assert()
        .success();
    assert_eq!(repo.entry(&id)["body"], "piped body\n");
    let assert = repo
        .cmd()
        .args(["edit", &id, "-"])
        .write_stdin(b"\xff\xfe".to_vec())
        .assert()
        .code(1);
    assert!(stderr(&assert).contains("not valid UTF-8"));
    assert_eq!(repo.entry(&id)["body"], "piped body\n");
}

#[test]
fn an_invalid_value_changes_nothing_at_all() {
    let repo = Repo::new();
    let id = tool(&repo);
    let before = repo.entry(&id);
    repo.rep(&["edit", &id, "--title", "ok", "-d", "../etc"])
        .code(1);
    repo.rep(&["edit", &id, "--title", "a\nb", "-t", "new"])
        .code(1);
    repo.rep(&["edit", &id, "--title", "ok", "-t", "  "])
        .code(1);
    repo.rep(&["edit", &id, "--kind", "recipe"]).code(2);
    assert_eq!(repo.entry(&id), before);
}

#[test]
fn search_follows_edits() {
    let repo = Repo::new();
    let id = tool(&repo);
    assert_eq!(repo.search_ids(&["locks"]), [id.as_str()]);
    repo.ok(&[
        "edit",
        &id,
        "--title",
        "Autovacuum tuning",
        "--untag",
        "locks",
        "-m",
        "tune it",
    ]);
    assert!(repo.search_ids(&["locks"]).is_empty());
    assert_eq!(repo.search_ids(&["autovacuum"]), [id.as_str()]);
    assert_eq!(repo.search_ids(&["tune"]), [id.as_str()]);
    repo.ok(&["edit", &id, "--cmd", "VACUUM VERBOSE"]);
    assert_eq!(repo.search_ids(&["verbose"]), [id]);
}

#[test]
fn the_editor_changes_title_and_body() {
    let repo = Repo::new();
    let id = tool(&repo);
    let editor = script(
        &repo,
        "ed.sh",
        r#"grep -q '^old body$' "$1" || exit 9
printf 'Edited title\n\nEdited body\n' > "$1""#,
    );
    let out = repo
        .cmd()
        .env("EDITOR", &editor)
        .args(["edit", &id, "-e", "--json"])
        .assert()
        .success();
    let entry = parse_json(&stdout(&out));
    assert_eq!(entry["title"], "Edited title");
    assert_eq!(entry["body"], "Edited body");
    assert_eq!(entry["tags"], serde_json::json!(["locks", "misc"]));
}

#[test]
fn saving_the_editor_unchanged_leaves_the_entry_alone() {
    let repo = Repo::new();
    let id = tool(&repo);
    // A body with surrounding blank lines and a trailing newline, as stdin often gives.
    repo.cmd()
        .args(["edit", &id, "-"])
        .write_stdin("first line\n\n  indented\n")
        .assert()
        .success();
    let before = repo.entry(&id);
    let assert = repo
        .cmd()
        .env("REP_NOW", LATER)
        .env("EDITOR", "true")
        .args(["edit", &id, "-e"])
        .assert()
        .code(1);
    // Cancelling exits 1 in every `-e` flow, as `git commit` does with an empty message.
    assert!(stderr(&assert).contains("cancelled"), "{}", stderr(&assert));
    assert_eq!(repo.entry(&id), before);
}

#[test]
fn a_failing_editor_changes_nothing() {
    let repo = Repo::new();
    let id = tool(&repo);
    let before = repo.entry(&id);
    repo.cmd()
        .env("EDITOR", "exit 4;")
        .args(["edit", &id, "-e"])
        .assert()
        .code(3);
    assert_eq!(repo.entry(&id), before);
}

#[test]
fn unknown_ids_are_data_errors() {
    let repo = Repo::new();
    let id = tool(&repo);
    let other = if id.starts_with("abcd") {
        "dcba"
    } else {
        "abcd"
    };
    let assert = repo.rep(&["edit", other, "--title", "x"]).code(1);
    assert!(stderr(&assert).contains("no entry has an id starting with"));
}
