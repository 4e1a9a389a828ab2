//! `rep seen` and `rep document`: occurrences, recurrence at the configured threshold, the
//! suggestion to write it up, the write-up itself, and the list of candidates.

use crate::support::{NOW, Repo, script, stderr, stdout};

fn seen(repo: &Repo, at: &str, member: &str, id: &str, note: Option<&str>) -> String {
    let mut args = vec!["seen", id, "--as", member];
    if let Some(note) = note {
        args.extend(["-m", note]);
    }
    stderr(&repo.rep_at(at, &args).success())
}

#[test]
fn seen_is_only_for_problems_and_questions() {
    let repo = Repo::new();
    for kind in ["tool", "story", "doc"] {
        let id = repo.add(&[kind, "Something"]);
        let err = repo.fails(&["seen", &id]);
        assert!(
            err.contains(&format!(
                "error: `rep seen` is for problems and questions; {} is a {kind}",
                &id[..4]
            )),
            "{err}"
        );
        assert!(
            err.contains(&format!(
                "hint: `rep helped {}` says it helped you",
                &id[..4]
            )),
            "{err}"
        );
        assert_eq!(repo.json(&["show", &id])["occurrences"]["count"], 0);
    }
    let p = repo.add(&["problem", "Pods restart under memory pressure"]);
    let shown = repo.json(&["seen", &p, "-m", "  on node 3  "]);
    assert_eq!(
        shown,
        serde_json::json!({
            "id": p,
            "occurrences": {"count": 1, "members": 1, "last_seen": NOW, "notes": ["on node 3"]},
            "recurring": false,
            "documented": false,
        })
    );
}

#[test]
fn an_entry_recurs_at_the_configured_count_from_two_members_and_says_so_once() {
    let repo = Repo::new();
    let p = repo.add(&["problem", "The VPN drops every hour"]);
    // Three occurrences from one member are not recurring: it takes two members.
    for (at, note) in [
        ("2026-11-27T10:00:00Z", Some("after lunch")),
        ("2026-11-27T11:00:00Z", None),
        ("2026-11-27T12:00:00Z", None),
    ] {
        let err = seen(&repo, at, "ana", &p, note);
        assert!(!err.contains("rep document"), "{err}");
    }
    let thread = repo.json(&["show", &p]);
    assert_eq!(thread["occurrences"]["count"], 3);
    assert_eq!(thread["occurrences"]["members"], 1);
    assert_eq!(thread["recurring"], false);
    let err = seen(&repo, "2026-11-28T08:30:00Z", "bo", &p, Some("from home"));
    assert!(
        err.contains(&format!(
            "seen 4 times by 2 members: {} The VPN drops every hour\n",
            &p[..4]
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "this keeps coming back and has no write-up yet: `rep document {}` writes it once and for all",
            &p[..4]
        )),
        "{err}"
    );
    let thread = repo.json(&["show", &p]);
    assert_eq!(thread["recurring"], true);
    assert_eq!(thread["occurrences"]["last_seen"], "2026-11-28T08:30:00Z");
    assert_eq!(
        thread["occurrences"]["notes"],
        serde_json::json!(["after lunch", "from home"])
    );
    let out = repo.ok(&["show", &p]);
    assert!(
        out.contains(
            "seen      4 times by 2 members, last 2026-11-28 08:30:00 (recurring, no write-up yet)\n"
        ),
        "{out}"
    );
    // --quiet silences the suggestion with every other note.
    let quiet = stderr(&repo.rep(&["seen", &p, "--quiet"]).success());
    assert_eq!(quiet, "");
}

#[test]
fn the_threshold_comes_from_the_config() {
    let repo = Repo::new();
    repo.write_config("[recurring]\nmin_occurrences = 2\n");
    let q = repo.add(&["question", "Where is the staging kubeconfig?"]);
    let err = seen(&repo, NOW, "ana", &q, None);
    assert!(!err.contains("keeps coming back"), "{err}");
    let err = seen(&repo, NOW, "bo", &q, None);
    assert!(err.contains("keeps coming back"), "{err}");
    assert_eq!(repo.json(&["show", &q])["recurring"], true);
    let out = repo.ok(&["document", "--candidates"]);
    assert!(out.contains("Where is the staging kubeconfig?"), "{out}");
    // With the default of 3 the same entry is not recurring yet.
    repo.write_config("");
    assert_eq!(repo.json(&["show", &q])["recurring"], false);
    assert_eq!(
        repo.json(&["document", "--candidates"]),
        serde_json::json!([])
    );
    let err = stderr(&repo.rep(&["document", "--candidates"]).success());
    assert!(
        err.contains(
            "nothing recurring without a write-up (recurring: 3+ occurrences from 2+ members)"
        ),
        "{err}"
    );
}

fn recurring_with_replies(repo: &Repo) -> (String, String) {
    let q = repo.add_at(
        "2026-11-20T10:00:00Z",
        &[
            "question",
            "How do we rotate the staging certs?",
            "-d",
            "k8s",
            "-t",
            "certs",
            "-m",
            "They expire on Friday.",
        ],
    );
    let good = repo.answer_at("2026-11-20T11:00:00Z", "bo", &q, "Run `cmctl renew`.");
    repo.answer_at(
        "2026-11-20T12:00:00Z",
        "cy",
        &q,
        "Not accepted, not copied.",
    );
    repo.rep(&["accept", &good]).success();
    seen(
        repo,
        "2026-11-21T09:00:00Z",
        "ana",
        &q,
        Some("again on Friday"),
    );
    seen(repo, "2026-11-22T09:00:00Z", "bo", &q, None);
    seen(
        repo,
        "2026-11-23T09:00:00Z",
        "cy",
        &q,
        Some("after the upgrade"),
    );
    (q, good)
}

#[test]
fn document_from_replies_writes_a_doc_and_marks_the_source_documented() {
    let repo = Repo::new();
    let (q, _) = recurring_with_replies(&repo);
    let doc = repo.json(&["document", &q, "--from-replies", "--as", "dan"]);
    assert_eq!(doc["kind"], "doc");
    assert_eq!(doc["documents"], q.as_str());
    assert_eq!(doc["title"], "How do we rotate the staging certs?");
    assert_eq!(doc["domain"], "k8s");
    assert_eq!(doc["tags"], serde_json::json!(["certs"]));
    assert_eq!(doc["author"], "dan");
    assert_eq!(
        doc["body"],
        format!(
            "They expire on Friday.\n\n## What works\n\nRun `cmctl renew`.\n\n(from bo, 2026-11-20)\n\n\
             ## Where it came back\n\nSeen 3 times by 3 members.\n\n- again on Friday\n- after the upgrade\n\n\
             Written up from question {}.\n",
            &q[..8]
        )
    );
    let doc_id = doc["id"].as_str().unwrap();
    let source = repo.json(&["show", &q]);
    assert_eq!(source["documented"], true);
    assert_eq!(
        source["links"],
        serde_json::json!([{
            "kind": "documents", "direction": "from", "id": doc_id,
            "short_id": &doc_id[..4], "title": "How do we rotate the staging certs?"
        }])
    );
    let out = repo.ok(&["show", &q]);
    assert!(out.contains("(recurring, documented)"), "{out}");
    assert!(
        out.contains(&format!("write-up  {} How do we rotate", &doc_id[..4])),
        "{out}"
    );
    let shown_doc = repo.json(&["show", doc_id]);
    assert_eq!(shown_doc["links"][0]["direction"], "to");
    assert_eq!(shown_doc["links"][0]["id"], q.as_str());
    assert!(
        repo.ok(&["show", doc_id])
            .contains(&format!("documents {} How do we rotate", &q[..4]))
    );
    // Documented, it no longer calls for a write-up.
    let err = seen(&repo, NOW, "dan", &q, None);
    assert!(!err.contains("keeps coming back"), "{err}");
    // Without --json the new doc's id is printed.
    let (q2, _) = recurring_with_replies(&repo);
    let out = repo.rep(&["document", &q2]).success();
    let id = stdout(&out).trim().to_owned();
    assert_eq!(repo.entry(&id)["kind"], "doc");
    assert!(
        stderr(&out).contains(&format!("documented {} How do we rotate", &q2[..4])),
        "{}",
        stderr(&out)
    );
}

#[test]
fn document_with_the_editor_saves_what_was_written() {
    let repo = Repo::new();
    let (q, _) = recurring_with_replies(&repo);
    // The editor sees the composed draft; the script keeps a copy and rewrites the title.
    let editor = script(
        &repo,
        "ed.sh",
        "cp \"$1\" draft.txt\nsed -i 's/^How do we rotate the staging certs?$/Rotating the staging certs/' \"$1\"",
    );
    let out = repo
        .cmd()
        .env("EDITOR", &editor)
        .args(["document", &q, "-e", "--json"])
        .assert()
        .success();
    let doc = crate::support::parse_json(&stdout(&out));
    assert_eq!(doc["title"], "Rotating the staging certs");
    assert!(
        doc["body"]
            .as_str()
            .unwrap()
            .contains("## What works\n\nRun `cmctl renew`.")
    );
    let draft = std::fs::read_to_string(repo.path().join("draft.txt")).unwrap();
    assert!(
        draft.starts_with("How do we rotate the staging certs?\n"),
        "{draft}"
    );
    assert!(draft.contains("Seen 3 times by 3 members."), "{draft}");
    assert_eq!(repo.json(&["show", &q])["documented"], true);
    // Saved unchanged: the draft rep wrote is what is wanted, and is written as it is.
    let (q2, _) = recurring_with_replies(&repo);
    let same = script(&repo, "same.sh", "true");
    let doc = repo
        .cmd()
        .env("EDITOR", &same)
        .args(["document", &q2, "-e", "--json"])
        .assert()
        .success();
    let doc = crate::support::parse_json(&stdout(&doc));
    assert_eq!(doc["title"], "How do we rotate the staging certs?");
    assert_eq!(repo.json(&["show", &q2])["documented"], true);
    // Saved empty: cancelled, nothing written.
    let (q3, _) = recurring_with_replies(&repo);
    let before = repo.rows();
    let empty = script(&repo, "empty.sh", ": > \"$1\"");
    let assert = repo
        .cmd()
        .env("EDITOR", &empty)
        .args(["document", &q3, "-e"])
        .assert()
        .code(1);
    assert!(stderr(&assert).contains("cancelled: the text was saved empty or unchanged"));
    assert_eq!(repo.rows(), before);
    assert_eq!(repo.json(&["show", &q3])["documented"], false);
    // -e and --from-replies exclude each other; --candidates takes no id.
    repo.rep(&["document", &q2, "-e", "--from-replies"]).code(2);
    repo.rep(&["document", &q2, "--candidates"]).code(2);
    repo.rep(&["document"]).code(2);
}

/// Without an accepted reply the write-up carries the reply that helped most members (and
/// says it is not accepted); without any reply it says so.
#[test]
fn document_without_an_accepted_reply_carries_the_best_one() {
    let repo = Repo::new();
    let q = repo.add(&["question", "Why does the VPN drop?", "-d", "net"]);
    repo.answer_at("2026-11-27T09:10:00Z", "bo", &q, "Restart the tunnel.");
    let best = repo.answer_at("2026-11-27T09:20:00Z", "cy", &q, "Raise the MTU to 1400.");
    repo.answer_at("2026-11-27T09:30:00Z", "dan", &q, "Reboot.");
    repo.rep(&["helped", &best, "--as", "eve"]).success();
    let doc = repo.json(&["document", &q]);
    let body = doc["body"].as_str().unwrap();
    assert!(
        body.contains(
            "## What seems to work\n\nNo reply is accepted yet: this is the one that helped \
             most members, else the latest.\n\nRaise the MTU to 1400.\n\n(from cy, 2026-11-27)"
        ),
        "{body}"
    );
    assert!(!body.contains("Reboot."), "{body}");

    let lonely = repo.add(&["question", "Where is the staging kubeconfig?", "-d", "k8s"]);
    let doc = repo.json(&["document", &lonely]);
    assert!(
        doc["body"]
            .as_str()
            .unwrap()
            .contains("No reply yet: nobody has said what works."),
        "{doc}"
    );
}

#[test]
fn candidates_are_the_most_frequent_first_and_leave_once_documented() {
    let repo = Repo::new();
    let a = repo.add(&["problem", "The VPN drops every hour", "-d", "net"]);
    let b = repo.add(&["question", "Where is the staging kubeconfig?", "-d", "k8s"]);
    let c = repo.add(&["problem", "Only one member sees this"]);
    let d = repo.add(&["problem", "Seen twice", "-d", "net"]);
    for m in ["ana", "bo", "cy"] {
        seen(&repo, NOW, m, &a, None);
    }
    for m in ["ana", "bo", "ana", "bo", "cy"] {
        seen(&repo, NOW, m, &b, None);
    }
    for _ in 0..4 {
        seen(&repo, NOW, "ana", &c, None);
    }
    for m in ["ana", "bo"] {
        seen(&repo, NOW, m, &d, None);
    }
    let found = repo.json(&["document", "--candidates"]);
    assert_eq!(
        found,
        serde_json::json!([
            {"id": b, "short_id": &b[..4], "kind": "question", "title": "Where is the staging kubeconfig?",
             "domain": "k8s", "occurrences": 5, "members": 3},
            {"id": a, "short_id": &a[..4], "kind": "problem", "title": "The VPN drops every hour",
             "domain": "net", "occurrences": 3, "members": 3},
        ])
    );
    let table = repo.ok(&["document", "--candidates"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(
        lines[0].starts_with("ID    KIND      DOMAIN  SEEN  MEMBERS  TITLE"),
        "{table}"
    );
    assert!(
        lines[1].starts_with(&b[..4]) && lines[1].contains(" 5     3 "),
        "{table}"
    );
    assert!(lines[2].starts_with(&a[..4]), "{table}");
    let doc = repo.json(&["document", &b]);
    assert_eq!(
        crate::support::ids_of(&repo.json(&["document", "--candidates"])),
        [a.as_str()]
    );
    // Deleting the doc makes the source a candidate again; a deleted source is not one.
    repo.rep(&["rm", doc["id"].as_str().unwrap()]).success();
    assert_eq!(
        crate::support::ids_of(&repo.json(&["document", "--candidates"])),
        [b.clone(), a.clone()]
    );
    repo.rep(&["rm", &a]).success();
    assert_eq!(
        crate::support::ids_of(&repo.json(&["document", "--candidates"])),
        [b]
    );
}
