//! `rep news`: what arrived since the member last looked, or since a date; the marker is
//! local to this database and member, and never exported.

use serde_json::Value;

use crate::support::{Repo, stderr};

fn titles(news: &Value, section: &str) -> Vec<String> {
    news[section]
        .as_array()
        .expect(section)
        .iter()
        .map(|i| i["title"].as_str().expect("title").to_owned())
        .collect()
}

#[test]
fn news_shows_what_is_new_once_then_nothing() {
    let repo = Repo::new();
    let tool = repo.add(&["tool", "Show locks"]);
    let first = repo.json(&["news"]);
    assert_eq!(titles(&first, "entries"), ["Show locks"]);
    assert_eq!(
        first["since"], "2026-11-20T09:00:00Z",
        "the first look spans 7 days"
    );
    let again = repo.json(&["news"]);
    assert_eq!(titles(&again, "entries"), Vec::<String>::new());
    let err = stderr(&repo.rep(&["news"]).success());
    assert!(err.contains("nothing new since"), "{err}");
    // Each member has their own marker.
    let bo = repo.json(&["news", "--as", "bo"]);
    assert_eq!(titles(&bo, "entries"), ["Show locks"]);
    let _ = tool;
}

#[test]
fn news_lists_entries_replies_acceptances_and_recurring_problems() {
    let repo = Repo::new();
    let old = repo.add(&["problem", "Disk full on the runner"]);
    repo.ok(&["news", "-q"]);
    // Later than the problem, so that the two list in a known order.
    let q = repo.add_at(
        "2026-11-27T09:30:00Z",
        &["question", "How do we rotate the certs?"],
    );
    let a = repo.answer_at("2026-11-27T10:00:00Z", "bo", &q, "cert-manager renews them");
    repo.rep_at("2026-11-27T10:10:00Z", &["accept", &a])
        .success();
    for (member, at) in [
        ("bo", "2026-11-27T11:00:00Z"),
        ("cy", "2026-11-27T11:01:00Z"),
        ("dee", "2026-11-27T11:02:00Z"),
    ] {
        repo.rep_at(at, &["--as", member, "seen", &old]).success();
    }
    let out = repo.ok(&["news"]);
    let mut redacted = out.clone();
    for id in [&old, &q, &a] {
        redacted = redacted.replace(&id[..4], "[ID]");
    }
    insta::assert_snapshot!(redacted);
    let since = repo.json(&["news", "--since", "2026-11-27"]);
    assert_eq!(
        titles(&since, "entries"),
        ["Disk full on the runner", "How do we rotate the certs?"]
    );
    assert_eq!(titles(&since, "replies"), ["How do we rotate the certs?"]);
    assert_eq!(titles(&since, "accepted"), ["How do we rotate the certs?"]);
    assert_eq!(titles(&since, "recurring"), ["Disk full on the runner"]);
    assert_eq!(since["recurring"][0]["occurrences"], 3);
    assert_eq!(since["accepted"][0]["id"], a.as_str());
    // --since leaves the marker where it was: nothing new since the last look.
    assert_eq!(
        titles(&repo.json(&["news"]), "entries"),
        Vec::<String>::new()
    );
}

#[test]
fn news_counts_what_sync_brings_even_when_written_earlier() {
    let ana = Repo::new();
    let bob = Repo::new();
    // Written by bob at 08:00, before ana's look at 09:00, but brought in after it.
    bob.add_at("2026-11-27T08:00:00Z", &["tool", "Bob's trick"]);
    ana.ok(&["news", "-q"]);
    let file = ana.path().join("bob.jsonl");
    std::fs::write(&file, bob.ok(&["export", "-", "-q"])).expect("write");
    ana.ok(&["import", file.to_str().unwrap(), "-q"]);
    assert_eq!(titles(&ana.json(&["news"]), "entries"), ["Bob's trick"]);
    // The marker is local: it is not in the export.
    let export = ana.ok(&["export", "-", "-q"]);
    assert!(!export.contains("news_marker"), "{export}");
}

#[test]
fn news_bad_since_is_a_usage_error_and_changes_nothing() {
    let repo = Repo::new();
    repo.add(&["tool", "Show locks"]);
    repo.ok(&["export", "-", "-q"]);
    let before = std::fs::read(repo.db()).expect("db");
    let err = stderr(&repo.rep(&["news", "--since", "last tuesday"]).code(2));
    assert!(err.contains("invalid date"), "{err}");
    assert_eq!(std::fs::read(repo.db()).expect("db"), before);
}
