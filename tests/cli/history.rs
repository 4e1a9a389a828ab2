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
