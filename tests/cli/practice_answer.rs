//! `rep answer`, `accept`, `resolve`, `reopen` and `helped`: a question's life from open to
//! resolved, the order of replies, and every id that is the wrong kind of record.

use serde_json::Value;

use crate::support::{NOW, Repo, redact, stderr};

fn status(repo: &Repo, id: &str) -> Value {
    repo.json(&["show", id])["status"].clone()
}

fn reply_ids(thread: &Value) -> Vec<String> {
    thread["replies"]
        .as_array()
        .expect("replies")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect()
}

#[test]
fn a_question_goes_from_open_to_answered_to_resolved_and_back() {
    let repo = Repo::new();
    let q = repo.add(&[
        "question",
        "How do we rotate the staging certs?",
        "-d",
        "k8s",
    ]);
    assert_eq!(status(&repo, &q), "open");
    let out = repo.ok(&["show", &q]);
    assert!(out.contains("status    open\n"), "{out}");
    assert!(out.contains(&format!(
        "no replies yet: `rep answer {}` to reply",
        &q[..4]
    )));

    let r = repo.answer_at("2026-11-27T10:00:00Z", "bo", &q, "cert-manager renews them");
    let answered = repo.json(&["answer", &q, "-m", "or by hand with kubectl", "--as", "cy"]);
    assert_eq!(answered["entry_id"], q.as_str());
    assert_eq!(answered["author"], "cy");
    assert_eq!(answered["body"], "or by hand with kubectl");
    assert_eq!(answered["accepted"], false);
    assert_eq!(answered["helped"], 0);
    assert_eq!(answered["created_at"], NOW);
    assert_eq!(status(&repo, &q), "answered");

    let accepted = repo.json(&["accept", &r[..8]]);
    assert_eq!(accepted["id"], q.as_str());
    assert_eq!(accepted["status"], "resolved");
    assert_eq!(accepted["replies"][0]["id"], r.as_str());
    assert_eq!(accepted["replies"][0]["accepted"], true);
    assert_eq!(accepted["replies"][1]["accepted"], false);
    let err = stderr(&repo.rep(&["accept", &r]).success());
    assert!(err.contains("already accepted;"), "{err}");

    let reopened = repo.json(&["reopen", &q]);
    assert_eq!(reopened["status"], "answered");
    assert_eq!(
        reopened["replies"][0]["accepted"], true,
        "reopening keeps acceptance"
    );
    assert_eq!(repo.json(&["resolve", &q])["status"], "resolved");
    assert_eq!(repo.json(&["reopen", &q])["status"], "answered");
}

#[test]
fn resolve_with_a_note_keeps_the_note_as_a_reply() {
    let repo = Repo::new();
    let p = repo.add(&["problem", "The nightly backup is slow"]);
    let thread = repo.json(&["resolve", &p, "-m", "fixed upstream in 2.4", "--as", "bo"]);
    assert_eq!(thread["status"], "resolved");
    let replies = thread["replies"].as_array().unwrap();
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0]["author"], "bo");
    assert_eq!(replies[0]["body"], "fixed upstream in 2.4");
    assert_eq!(replies[0]["accepted"], false);
    // Reopened, it has a reply, so it is answered rather than open.
    assert_eq!(repo.json(&["reopen", &p])["status"], "answered");
    // Without a note, nothing is added.
    let q = repo.add(&["question", "Who owns the billing cron?"]);
    let thread = repo.json(&["resolve", &q]);
    assert_eq!(thread["status"], "resolved");
    assert_eq!(thread["replies"], serde_json::json!([]));
    let err = stderr(&repo.rep(&["resolve", &q]).success());
    assert!(
        err.contains(&format!(
            "{} Who owns the billing cron? is resolved",
            &q[..4]
        )),
        "{err}"
    );
}

#[test]
fn replies_are_listed_accepted_first_then_by_endorsements_then_by_time() {
    let repo = Repo::new();
    let q = repo.add(&["question", "Which runner image builds arm64?"]);
    let r1 = repo.answer_at("2026-11-27T10:00:00Z", "bo", &q, "first");
    let r2 = repo.answer_at("2026-11-27T11:00:00Z", "cy", &q, "second");
    let r3 = repo.answer_at("2026-11-27T12:00:00Z", "dan", &q, "third");
    let r4 = repo.answer_at("2026-11-27T13:00:00Z", "eve", &q, "fourth");
    assert_eq!(
        reply_ids(&repo.json(&["show", &q])),
        [&r1, &r2, &r3, &r4].map(|s| s.clone())
    );
    for member in ["ana", "bo"] {
        repo.rep(&["helped", &r3, "--as", member]).success();
    }
    repo.rep(&["helped", &r2, "--as", "ana"]).success();
    assert_eq!(
        reply_ids(&repo.json(&["show", &q])),
        [&r3, &r2, &r1, &r4].map(|s| s.clone())
    );
    repo.rep(&["accept", &r4]).success();
    assert_eq!(
        reply_ids(&repo.json(&["show", &q])),
        [&r4, &r3, &r2, &r1].map(|s| s.clone())
    );
    // Several replies may be accepted; among them the same order holds.
    repo.rep(&["accept", &r1]).success();
    let thread = repo.json(&["show", &q]);
    assert_eq!(reply_ids(&thread), [&r1, &r4, &r3, &r2].map(|s| s.clone()));
    let accepted: Vec<bool> = thread["replies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["accepted"].as_bool().unwrap())
        .collect();
    assert_eq!(accepted, [true, true, false, false]);
    assert_eq!(thread["replies"][2]["helped"], 2);
    assert_eq!(thread["replies"][3]["helped"], 1);
}

#[test]
fn helped_counts_once_per_member_for_entries_and_replies() {
    let repo = Repo::new();
    let tool = repo.add(&["tool", "Find what holds a lock"]);
    let first = repo.json(&["helped", &tool]);
    assert_eq!(
        first,
        serde_json::json!({"id": tool, "helped": 1, "new": true})
    );
    let again = repo.json(&["helped", &tool[..6]]);
    assert_eq!(
        again,
        serde_json::json!({"id": tool, "helped": 1, "new": false})
    );
    let err = stderr(&repo.rep(&["helped", &tool]).success());
    assert!(
        err.contains("you had already said so (1 member so far)"),
        "{err}"
    );
    let other = repo.json(&["helped", &tool, "--as", "bo"]);
    assert_eq!(other["helped"], 2);
    assert_eq!(repo.json(&["show", &tool])["helped"], 2);
    assert!(repo.ok(&["show", &tool]).contains("helped    2 members\n"));

    let reply = repo.answer_at(NOW, "bo", &tool, "works on 16 too");
    assert_eq!(repo.json(&["helped", &reply])["helped"], 1);
    assert_eq!(repo.json(&["helped", &reply])["new"], false);
    let thread = repo.json(&["show", &tool]);
    assert_eq!(thread["helped"], 2, "the reply's endorsement is its own");
    assert_eq!(thread["replies"][0]["helped"], 1);
}

#[test]
fn accepting_a_reply_resolves_only_its_own_question() {
    let repo = Repo::new();
    let a = repo.add(&["question", "How do we rotate the staging certs?"]);
    let b = repo.add(&["question", "Who owns the billing cron?"]);
    let on_a = repo.answer_at(NOW, "bo", &a, "cert-manager");
    repo.answer_at(NOW, "cy", &b, "the payments team");
    let thread = repo.json(&["accept", &on_a]);
    assert_eq!(thread["id"], a.as_str());
    assert_eq!(status(&repo, &a), "resolved");
    assert_eq!(status(&repo, &b), "answered");
    assert_eq!(repo.json(&["show", &b])["replies"][0]["accepted"], false);
}

#[test]
fn only_replies_to_questions_and_problems_are_accepted() {
    let repo = Repo::new();
    let story = repo.add(&["story", "The night the WAL filled the disk"]);
    let comment = repo.answer_at(NOW, "bo", &story, "we had the same in 2024");
    let err = repo.fails(&["accept", &comment]);
    assert!(
        err.contains(
            "error: only replies to questions and problems can be accepted; this one is on a story"
        ),
        "{err}"
    );
    assert!(err.contains("hint: `rep helped REPLY`"), "{err}");
    let thread = repo.json(&["show", &story]);
    assert_eq!(thread["replies"][0]["accepted"], false);
    assert!(thread.get("status").is_none(), "a story has no status");
    // A problem's solution can be.
    let p = repo.add(&["problem", "Pods restart under memory pressure"]);
    let fix = repo.answer_at(NOW, "cy", &p, "set requests");
    assert_eq!(repo.json(&["accept", &fix])["status"], "resolved");
}

#[test]
fn resolving_or_reopening_anything_but_a_question_or_problem_is_refused() {
    let repo = Repo::new();
    let tool = repo.add(&["tool", "Find what holds a lock"]);
    for cmd in ["resolve", "reopen"] {
        let err = repo.fails(&[cmd, &tool]);
        assert!(
            err.contains("error: only questions and problems are resolved; this is a tool"),
            "{err}"
        );
    }
    let err = repo.fails(&["resolve", &tool, "-m", "note"]);
    assert!(err.contains("this is a tool"), "{err}");
    assert_eq!(
        repo.json(&["show", &tool])["replies"],
        serde_json::json!([])
    );
}

#[test]
fn a_deleted_entry_cannot_be_answered_accepted_or_resolved() {
    let repo = Repo::new();
    let q = repo.add(&["question", "Who owns the billing cron?"]);
    let r = repo.answer_at(NOW, "bo", &q, "payments");
    repo.rep(&["rm", &q]).success();
    for args in [
        vec!["answer", q.as_str(), "-m", "late"],
        vec!["resolve", q.as_str()],
        vec!["helped", q.as_str()],
    ] {
        let err = repo.fails(&args);
        assert!(
            err.contains(&format!("error: entry {q} is deleted")),
            "{err}"
        );
        assert!(err.contains("hint: `rep restore"), "{err}");
    }
    let err = repo.fails(&["accept", &r]);
    assert!(
        err.contains("error: the entry this reply answers is deleted"),
        "{err}"
    );
    repo.rep(&["restore", &q]).success();
    let thread = repo.json(&["show", &q]);
    assert_eq!(thread["status"], "answered");
    assert_eq!(thread["replies"].as_array().unwrap().len(), 1);
}

#[test]
fn bad_ids_and_ids_of_the_wrong_kind_of_record_are_refused() {
    let repo = Repo::new();
    let q = repo.add(&["question", "Who owns the billing cron?"]);
    let r = repo.answer_at(NOW, "bo", &q, "payments");
    let err = repo.fails(&["answer", "zzzz", "-m", "x"]);
    assert!(err.contains("error: `zzzz` is not an entry id"), "{err}");
    let err = repo.fails(&["answer", &q[..3], "-m", "x"]);
    assert!(err.contains("is too short"), "{err}");
    let unknown = if q.starts_with("0000") {
        "ffff"
    } else {
        "0000"
    };
    let err = repo.fails(&["answer", unknown, "-m", "x"]);
    assert!(
        err.contains(&format!(
            "error: no entry has an id starting with `{unknown}`"
        )),
        "{err}"
    );
    // A reply id where an entry id is expected: say which entry it answers.
    for args in [
        vec!["answer", r.as_str(), "-m", "x"],
        vec!["seen", r.as_str()],
        vec!["resolve", r.as_str()],
        vec!["review", r.as_str()],
        vec!["document", r.as_str()],
        vec!["link", r.as_str(), q.as_str(), "--kind", "related"],
    ] {
        let err = repo.fails(&args);
        assert!(
            err.contains(&format!("error: `{r}` is a reply, not an entry")),
            "{args:?}: {err}"
        );
        assert!(
            err.contains(&format!(
                "hint: the entry it answers is {}",
                repo.short_id(&q)
            )),
            "{err}"
        );
    }
    // An entry id where a reply id is expected: say that it is an entry.
    let err = repo.fails(&["accept", &q]);
    assert!(
        err.contains(&format!("error: `{q}` is an entry, not a reply")),
        "{err}"
    );
    assert!(
        err.contains(&format!("hint: `rep show {q}` lists its replies")),
        "{err}"
    );
    let err = repo.fails(&["accept", "zz"]);
    assert!(err.contains("`zz` is not a reply id"), "{err}");
    let err = repo.fails(&["accept", unknown]);
    assert!(
        err.contains(&format!(
            "error: no reply has an id starting with `{unknown}`"
        )),
        "{err}"
    );
    // Nothing was written by any of these.
    let thread = repo.json(&["show", &q]);
    assert_eq!(thread["status"], "answered");
    assert_eq!(thread["replies"].as_array().unwrap().len(), 1);
    assert_eq!(thread["occurrences"]["count"], 0);
}

#[test]
fn an_empty_reply_is_a_usage_error() {
    let repo = Repo::new();
    let q = repo.add(&["question", "Who owns the billing cron?"]);
    let assert = repo.rep(&["answer", &q, "-m", "  "]).code(2);
    assert!(stderr(&assert).contains("error: the reply is empty"));
    let assert = repo.rep(&["answer", &q]).code(2);
    assert!(stderr(&assert).contains("hint: give it with -m TEXT, -, --body-file FILE or -e"));
    // A reply piped on stdin with `-`.
    let r = repo
        .cmd()
        .args(["answer", &q, "-"])
        .write_stdin("from a pipe\n")
        .assert()
        .success();
    let id = crate::support::stdout(&r).trim().to_owned();
    let thread = repo.json(&["show", &q]);
    assert_eq!(thread["replies"][0]["id"], id.as_str());
    assert_eq!(thread["replies"][0]["body"], "from a pipe\n");
}

#[test]
fn a_reply_can_be_written_in_the_editor() {
    let repo = Repo::new();
    let q = repo.add(&["question", "Who owns the billing cron?"]);
    let editor = crate::support::script(&repo, "ed.sh", "sed -i '2a the payments team' \"$1\"");
    let out = repo
        .cmd()
        .env("EDITOR", &editor)
        .args(["answer", &q, "-e"])
        .assert()
        .success();
    assert_eq!(crate::support::stdout(&out).trim().len(), 36);
    let thread = repo.json(&["show", &q]);
    assert_eq!(
        thread["replies"][0]["body"].as_str().unwrap().trim(),
        "the payments team"
    );
    // An editor that changes nothing cancels.
    let unchanged = crate::support::script(&repo, "same.sh", "true");
    let assert = repo
        .cmd()
        .env("EDITOR", &unchanged)
        .args(["answer", &q, "-e"])
        .assert()
        .code(1);
    assert!(stderr(&assert).contains("cancelled"));
    assert_eq!(
        repo.json(&["show", &q])["replies"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// The full view of a question thread: status, occurrences, links, replies with the accepted
/// mark and endorsements.
#[test]
fn show_of_a_question_thread() {
    for _ in 0..5 {
        let repo = Repo::new();
        let q = repo.add_at(
            "2026-11-20T10:00:00Z",
            &[
                "question",
                "How do we rotate the staging certs?",
                "-d",
                "k8s/networking",
                "-t",
                "certs",
                "-m",
                "They expire on Friday.",
            ],
        );
        let tool = repo.add_at(
            "2026-11-20T11:00:00Z",
            &["tool", "List certificate expiry dates", "-d", "k8s"],
        );
        let dup = repo.add_at(
            "2026-11-21T09:00:00Z",
            &["question", "Staging certs expired again", "-d", "k8s"],
        );
        let r1 = repo.answer_at("2026-11-20T12:00:00Z", "bo", &q, "Run `cmctl renew`.");
        let r2 = repo.answer_at(
            "2026-11-20T13:00:00Z",
            "cy",
            &q,
            "Delete the secret and let\ncert-manager issue a new one.",
        );
        repo.rep_at("2026-11-20T14:00:00Z", &["helped", &r2, "--as", "dan"])
            .success();
        repo.rep_at("2026-11-21T08:00:00Z", &["accept", &r1])
            .success();
        for (at, member) in [
            ("2026-11-22T09:00:00Z", "ana"),
            ("2026-11-23T09:00:00Z", "bo"),
            ("2026-11-24T09:00:00Z", "ana"),
        ] {
            repo.rep_at(at, &["seen", &q, "--as", member]).success();
        }
        repo.rep(&["link", &q, &tool, "--kind", "related"])
            .success();
        repo.rep(&["link", &dup, &q, "--kind", "duplicate"])
            .success();
        let thread = repo.json(&["show", &q]);
        let records = [
            thread.clone(),
            repo.entry(&tool),
            repo.entry(&dup),
            thread["replies"][0].clone(),
            thread["replies"][1].clone(),
        ];
        if records
            .iter()
            .any(|r| r["short_id"].as_str().is_none_or(|s| s.len() != 4))
        {
            continue;
        }
        let labels = ["QQQQ", "TOOL", "DUPE", "REP1", "REP2"];
        let refs: Vec<(&str, &Value)> = labels.iter().copied().zip(records.iter()).collect();
        insta::assert_snapshot!(
            "show_question_thread",
            redact(&repo.ok(&["show", &q]), &refs)
        );
        // The duplicate forwards to its original.
        insta::assert_snapshot!("show_duplicate", redact(&repo.ok(&["show", &dup]), &refs));
        return;
    }
    panic!("five threads in a row had ids sharing four characters");
}
