//! `rep history`: every change of every field of an entry or a reply, tags and deletions too.

use serde_json::Value;

use crate::support::{Repo, stderr};

fn rows(history: &Value) -> Vec<(String, String, bool)> {
    history
        .as_array()
        .expect("array")
        .iter()
        .map(|r| {
            (
                r["field"].as_str().expect("field").to_owned(),
                r["value"].as_str().unwrap_or("(none)").to_owned(),
                r["current"].as_bool().expect("current"),
            )
        })
        .collect()
}

fn row(field: &str, value: &str, current: bool) -> (String, String, bool) {
    (field.to_owned(), value.to_owned(), current)
}

#[test]
fn history_shows_tags_deletions_and_restores_with_the_text_fields() {
    let repo = Repo::new();
    let e = repo.add(&["tool", "Show locks", "-t", "locks", "--cmd", "SELECT 1"]);
    repo.rep_at(
        "2026-11-27T09:05:00Z",
        &[
            "edit",
            &e,
            "--title",
            "Show blocking locks",
            "--untag",
            "locks",
            "-t",
            "pg",
        ],
    )
    .success();
    repo.rep_at("2026-11-27T09:10:00Z", &["rm", &e]).success();
    let history = repo.json(&["history", &e]);
    let shown = rows(&history);
    assert_eq!(shown[0], row("deleted", "deleted", true));
    assert!(shown.contains(&row("tag", "-locks", true)), "{shown:?}");
    assert!(shown.contains(&row("tag", "+pg", true)), "{shown:?}");
    assert!(shown.contains(&row("title", "Show blocking locks", true)));
    assert!(shown.contains(&row("title", "Show locks", false)));
    assert_eq!(history[0]["by"], "ana");
    let tag = history
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["field"] == "tag")
        .unwrap();
    assert_eq!(tag["by"], Value::Null, "tag states do not record who");
    repo.rep_at("2026-11-27T09:15:00Z", &["restore", &e])
        .success();
    let out = repo.ok(&["history", &e[..4]]);
    insta::assert_snapshot!(out);
}

#[test]
fn history_of_a_reply_shows_its_bodies_acceptance_and_deletion() {
    let repo = Repo::new();
    let q = repo.add(&["question", "How do we rotate the certs?"]);
    let a = repo.answer_at("2026-11-27T10:00:00Z", "bo", &q, "cert-manager renews them");
    repo.rep_at("2026-11-27T10:10:00Z", &["accept", &a])
        .success();
    repo.rep_at(
        "2026-11-27T10:20:00Z",
        &["edit", &a, "-m", "check its logs first"],
    )
    .success();
    repo.rep_at("2026-11-27T10:30:00Z", &["rm", &a]).success();
    let history = repo.json(&["history", &a]);
    assert_eq!(
        rows(&history),
        [
            row("deleted", "deleted", true),
            row("body", "check its logs first", true),
            row("accepted", "accepted", true),
            row("body", "cert-manager renews them", false),
        ]
    );
    let first = &history[3];
    assert_eq!(first["by"], "bo", "the first body is its author's");
    assert_eq!(
        first["at"], "2026-11-27T10:00:00Z",
        "written with the reply"
    );
    assert_eq!(first["stamp"], Value::Null);
    insta::assert_snapshot!(repo.ok(&["history", &a]));
    // The question's history shows its resolution and reopening.
    let entry = rows(&repo.json(&["history", &q]));
    assert_eq!(entry[0], row("resolved", "reopened", true), "{entry:?}");
}

#[test]
fn history_of_an_unknown_id_fails_and_says_so() {
    let repo = Repo::new();
    repo.add(&["tool", "something"]);
    let err = stderr(&repo.rep(&["history", "ffff"]).code(1));
    assert!(
        err.contains("no entry has an id starting with `ffff`"),
        "{err}"
    );
}

/// The changes of one field, newest first, as (value, current).
fn of_field(history: &Value, field: &str) -> Vec<(String, bool)> {
    rows(history)
        .into_iter()
        .filter(|(f, _, _)| f == field)
        .map(|(_, value, current)| (value, current))
        .collect()
}

fn changes(values: &[(&str, bool)]) -> Vec<(String, bool)> {
    values.iter().map(|(v, c)| ((*v).to_owned(), *c)).collect()
}

#[test]
fn history_shows_each_change_of_a_tag_or_flag_that_went_back_and_forth() {
    let repo = Repo::new();
    let q = repo.add(&["question", "Why does the deploy hang?", "-t", "deploy"]);
    for (minute, args) in [
        ("01", vec!["edit", &q, "--untag", "deploy"]),
        ("02", vec!["edit", &q, "-t", "deploy"]),
        ("03", vec!["resolve", &q]),
        ("04", vec!["reopen", &q]),
        ("05", vec!["--as", "bo", "resolve", &q]),
        ("06", vec!["rm", &q]),
        ("07", vec!["restore", &q]),
        ("08", vec!["review", &q]),
        ("09", vec!["review", &q]),
    ] {
        repo.rep_at(&format!("2026-11-27T10:{minute}:00Z"), &args)
            .success();
    }
    let history = repo.json(&["history", &q]);
    assert_eq!(
        of_field(&history, "tag"),
        changes(&[("+deploy", true), ("-deploy", false), ("+deploy", false)])
    );
    assert_eq!(
        of_field(&history, "resolved"),
        changes(&[("resolved", true), ("reopened", false), ("resolved", false)])
    );
    assert_eq!(
        of_field(&history, "deleted"),
        changes(&[("restored", true), ("deleted", false)]),
        "the state it was created with is no change"
    );
    assert_eq!(
        of_field(&history, "reviewed"),
        changes(&[("reviewed", true), ("reviewed", false)])
    );
    let resolved: Vec<(&str, &str)> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["field"] == "resolved")
        .map(|r| (r["by"].as_str().unwrap(), r["at"].as_str().unwrap()))
        .collect();
    assert_eq!(
        resolved,
        [
            ("bo", "2026-11-27T10:05:00Z"),
            ("ana", "2026-11-27T10:04:00Z"),
            ("ana", "2026-11-27T10:03:00Z"),
        ]
    );
    insta::assert_snapshot!(repo.ok(&["history", &q[..4]]));
}

#[test]
fn history_of_a_reply_shows_each_acceptance_and_deletion() {
    let repo = Repo::new();
    let q = repo.add(&["question", "How do we rotate the certs?"]);
    let a = repo.answer_at("2026-11-27T10:00:00Z", "bo", &q, "cert-manager renews them");
    for (minute, cmd) in [("01", "accept"), ("02", "rm"), ("03", "restore")] {
        repo.rep_at(&format!("2026-11-27T10:{minute}:00Z"), &[cmd, &a])
            .success();
    }
    let history = repo.json(&["history", &a]);
    assert_eq!(
        of_field(&history, "deleted"),
        changes(&[("restored", true), ("deleted", false)])
    );
    // Deleting the accepted reply took its acceptance away; restoring it brought it back.
    let accepted = of_field(&history, "accepted");
    assert_eq!(
        accepted.first(),
        Some(&("accepted".to_owned(), true)),
        "{accepted:?}"
    );
}

/// A merge that replaces a state keeps the one it replaced, as an edit does: the teammate who
/// imports sees the tag go and come back as each file brought it.
#[test]
fn history_keeps_the_states_an_import_replaces() {
    let ana = Repo::new();
    let bo = Repo::new();
    let e = ana.add(&["tool", "Show locks", "-t", "locks"]);
    let file = ana.path().join("team.jsonl");
    let file = file.to_str().unwrap();
    let share = |now: &str| {
        ana.rep_at(now, &["export", file]).success();
        bo.rep_at(now, &["import", file, "-q"]).success();
    };
    share("2026-11-27T10:00:00Z");
    ana.rep_at("2026-11-27T10:01:00Z", &["edit", &e, "--untag", "locks"])
        .success();
    share("2026-11-27T10:02:00Z");
    ana.rep_at("2026-11-27T10:03:00Z", &["edit", &e, "-t", "locks"])
        .success();
    share("2026-11-27T10:04:00Z");
    // An import of the same state again records nothing more.
    share("2026-11-27T10:05:00Z");
    let expected = changes(&[("+locks", true), ("-locks", false), ("+locks", false)]);
    assert_eq!(of_field(&bo.json(&["history", &e]), "tag"), expected);
    assert_eq!(of_field(&ana.json(&["history", &e]), "tag"), expected);
}
