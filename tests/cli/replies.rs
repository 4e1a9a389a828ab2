//! `rep edit`, `rep rm` and `rep restore` of a reply: its body's history and its tombstone, on
//! this machine and through export and import.

use std::path::Path;

use serde_json::Value;

use crate::support::{Repo, stderr, stdout};

/// A question with two answers, the first accepted.
fn answered() -> (Repo, String, String, String) {
    let repo = Repo::new();
    let q = repo.add(&["question", "How do we rotate the staging certs?"]);
    let a = repo.answer_at("2026-11-27T10:00:00Z", "bo", &q, "cert-manager renews them");
    let b = repo.answer_at("2026-11-27T10:05:00Z", "cy", &q, "by hand with kubectl");
    repo.rep_at("2026-11-27T10:10:00Z", &["accept", &a])
        .success();
    (repo, q, a, b)
}

fn export(repo: &Repo) -> String {
    repo.ok(&["export", "-", "-q"])
}

fn reply_line(export: &str, id: &str) -> Value {
    let line = export
        .lines()
        .find(|l| l.contains(&format!("\"type\":\"reply\",\"id\":\"{id}\"")))
        .expect("the reply is exported");
    serde_json::from_str(line).expect("JSON")
}

fn import(repo: &Repo, text: &str) {
    let file = repo.path().join("incoming.jsonl");
    std::fs::write(&file, text).expect("write");
    repo.ok(&["import", file.to_str().expect("path"), "-q"]);
}

#[test]
fn replies_an_edit_replaces_the_body_and_keeps_the_old_one() {
    let (repo, q, a, _) = answered();
    let edited = repo.json(&[
        "edit",
        &a[..8],
        "-m",
        "cert-manager renews them; check its logs first",
    ]);
    assert_eq!(edited["id"], a.as_str());
    assert_eq!(edited["entry"], q.as_str());
    assert_eq!(
        edited["body"],
        "cert-manager renews them; check its logs first"
    );
    assert_eq!(edited["author"], "bo", "the author stays who wrote it");
    assert_eq!(edited["edited_by"], "ana");
    assert_eq!(edited["accepted"], true);
    assert_eq!(edited["deleted"], false);
    let thread = repo.json(&["show", &q]);
    assert_eq!(
        thread["replies"][0]["body"],
        "cert-manager renews them; check its logs first"
    );
    let line = reply_line(&export(&repo), &a);
    assert_eq!(line["body_by"], "ana");
    assert_eq!(
        line["revisions"],
        serde_json::json!([{"value": "cert-manager renews them"}])
    );
    // The same body again changes nothing.
    let err = stderr(
        &repo
            .rep(&[
                "edit",
                &a,
                "-m",
                "cert-manager renews them; check its logs first",
            ])
            .success(),
    );
    assert!(err.contains("nothing changed in reply"), "{err}");
}

#[test]
fn replies_human_output_of_edit_rm_and_restore() {
    let (repo, q, a, _) = answered();
    let short = &a[..4];
    let mut out = String::new();
    for args in [
        vec!["edit", short, "-m", "a better answer"],
        vec!["rm", short],
        vec!["restore", short],
    ] {
        let assert = repo.rep(&args).success();
        out.push_str(&format!("$ rep {}\n{}", args.join(" "), stderr(&assert)));
        assert_eq!(stdout(&assert), "");
    }
    insta::assert_snapshot!(out.replace(short, "[REPLY]").replace(&q[..4], "[ENTRY]"));
}

#[test]
fn replies_a_deleted_reply_leaves_show_and_counts_and_its_acceptance() {
    let (repo, q, a, b) = answered();
    assert_eq!(repo.json(&["show", &q])["status"], "resolved");
    let gone = repo.json(&["rm", &a]);
    assert_eq!(gone["deleted"], true);
    let thread = repo.json(&["show", &q]);
    let ids: Vec<&str> = thread["replies"]
        .as_array()
        .expect("replies")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, [b.as_str()]);
    assert_eq!(
        thread["status"], "answered",
        "the accepted answer is gone, so the question is open to a better one"
    );
    let out = repo.ok(&["show", &q]);
    assert!(!out.contains("cert-manager"), "{out}");
    let members = repo.ok(&["members", "--json"]);
    assert!(
        !members.contains("\"bo\""),
        "bo's only reply is deleted: {members}"
    );
    // Deleting it again is refused, and says how to bring it back.
    let err = repo.fails(&["rm", &a]);
    assert!(err.contains("is deleted"), "{err}");
    assert!(err.contains("rep restore"), "{err}");
    // Restoring brings the reply and its acceptance back.
    repo.ok(&["restore", &a[..8], "-q"]);
    let thread = repo.json(&["show", &q]);
    assert_eq!(thread["status"], "resolved");
    assert_eq!(thread["replies"][0]["id"], a.as_str());
    assert_eq!(thread["replies"][0]["accepted"], true);
    let err = repo.fails(&["restore", &a]);
    assert!(err.contains("is not deleted"), "{err}");
}

#[test]
fn replies_a_deleted_accepted_reply_leaves_the_entry_resolved_by_another() {
    let (repo, q, a, b) = answered();
    repo.ok(&["accept", &b, "-q"]);
    repo.ok(&["rm", &a, "-q"]);
    assert_eq!(repo.json(&["show", &q])["status"], "resolved");
}

fn db_bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read db")
}

#[test]
fn replies_bad_input_is_refused_and_changes_nothing() {
    let (repo, q, a, _) = answered();
    repo.ok(&["export", "-", "-q"]); // checkpoint, so the file is all there is
    let before = db_bytes(&repo.db());
    let usage = |args: &[&str], says: &str| {
        let err = stderr(&repo.rep(args).code(2));
        assert!(err.contains(says), "{args:?}: {err}");
    };
    usage(&["edit", &a, "--title", "x"], "a reply has only a body");
    usage(
        &["edit", &a, "-t", "certs", "-m", "x"],
        "a reply has only a body",
    );
    usage(&["edit", &a, "-m", "  "], "a reply cannot be empty");
    let err = repo.fails(&["restore", &q]);
    assert!(err.contains("is not deleted"), "{err}");
    assert_eq!(db_bytes(&repo.db()), before, "the database is unchanged");
}

#[test]
fn replies_edits_and_deletions_travel_through_export_and_import() {
    let (ana, q, a, b) = answered();
    let bob = Repo::new();
    import(&bob, &export(&ana));
    // Concurrently: ana edits a, bob edits a too and deletes b.
    ana.rep_at("2026-11-27T11:00:00Z", &["edit", &a, "-m", "ana's version"])
        .success();
    bob.rep_at("2026-11-27T11:01:00Z", &["edit", &a, "-m", "bob's version"])
        .success();
    bob.rep_at("2026-11-27T11:02:00Z", &["rm", &b]).success();
    import(&ana, &export(&bob));
    import(&bob, &export(&ana));
    let (from_ana, from_bob) = (export(&ana), export(&bob));
    assert_eq!(from_ana, from_bob, "both sides converge");
    let line = reply_line(&from_ana, &a);
    assert_eq!(line["body"], "bob's version", "the later edit wins");
    let kept: Vec<&str> = line["revisions"]
        .as_array()
        .expect("history")
        .iter()
        .map(|r| r["value"].as_str().expect("value"))
        .collect();
    assert_eq!(kept, ["ana's version", "cert-manager renews them"]);
    assert_eq!(reply_line(&from_ana, &b)["deleted"]["value"], true);
    let thread = ana.json(&["show", &q]);
    assert_eq!(thread["replies"].as_array().expect("replies").len(), 1);
    // Importing again changes nothing.
    import(&ana, &from_bob);
    assert_eq!(export(&ana), from_ana);
}

#[test]
fn replies_a_file_from_an_older_rep_still_imports() {
    // Format 1.0, as the rep of schema 5 wrote it: replies without body_at, body_by, revisions.
    let older = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/db/v5.expected.jsonl"),
    )
    .expect("fixture");
    assert!(older.starts_with("{\"format\":\"repertoire\",\"version\":\"1.0\"}\n"));
    let repo = Repo::new();
    import(&repo, &older);
    let now = export(&repo);
    assert!(now.starts_with("{\"format\":\"repertoire\",\"version\":\"1.1\"}\n"));
    assert_eq!(
        now.lines().skip(1).collect::<Vec<_>>(),
        older.lines().skip(1).collect::<Vec<_>>(),
        "the records are read as written"
    );
    // And its replies can be edited now.
    let reply: Value = serde_json::from_str(
        now.lines()
            .find(|l| l.starts_with("{\"type\":\"reply\""))
            .expect("a reply"),
    )
    .expect("JSON");
    let id = reply["id"].as_str().expect("id");
    repo.ok(&["edit", id, "-m", "edited after the upgrade", "-q"]);
    let line = reply_line(&export(&repo), id);
    assert_eq!(line["body"], "edited after the upgrade");
    assert_eq!(line["revisions"][0]["value"], reply["body"]);
}

#[test]
fn replies_the_editor_edits_a_replys_body() {
    let (repo, _, a, _) = answered();
    let editor = crate::support::script(
        &repo,
        "ed.sh",
        r#"grep -q '^cert-manager renews them$' "$1" || exit 9
printf 'Reply\n\ncert-manager renews them, unless its issuer expired\n' > "$1""#,
    );
    let out = repo
        .cmd()
        .env("EDITOR", &editor)
        .args(["edit", &a, "-e", "--json"])
        .assert()
        .success();
    let reply: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(
        reply["body"],
        "cert-manager renews them, unless its issuer expired"
    );
    // Saved unchanged: cancelled, nothing written.
    let err = stderr(
        &repo
            .cmd()
            .env("EDITOR", "true")
            .args(["edit", &a, "-e"])
            .assert()
            .code(1),
    );
    assert!(err.contains("cancelled"), "{err}");
}
