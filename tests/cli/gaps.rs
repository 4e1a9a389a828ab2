//! `rep gaps`: every kind of gap with its score, evidence, inputs and closing command, the
//! thresholds from `rep config`, `--domain`, `--explain`, and search misses (grouped, local
//! only, and off when `search.record_misses` is false).

use serde_json::{Value, json};

use crate::map::{Team, team};
use crate::support::{Repo, stdout};

fn kinds(gaps: &Value) -> Vec<(u64, String, String)> {
    gaps.as_array()
        .expect("a JSON array")
        .iter()
        .map(|g| {
            (
                g["score"].as_u64().expect("score"),
                g["kind"].as_str().expect("kind").to_owned(),
                g["subject"].as_str().expect("subject").to_owned(),
            )
        })
        .collect()
}

fn gap(kind: &str, subject: &str, domain: Option<&str>, id: Option<&str>, score: u64) -> Value {
    json!({"kind": kind, "subject": subject, "domain": domain, "id": id, "score": score})
}

/// The gap objects without evidence, formula, inputs and command, for a compact comparison.
fn heads(gaps: &Value) -> Vec<Value> {
    gaps.as_array()
        .expect("a JSON array")
        .iter()
        .map(|g| {
            let mut g = g.clone();
            let o = g.as_object_mut().expect("an object");
            for key in ["evidence", "formula", "inputs", "command"] {
                assert!(o.remove(key).is_some(), "{key} missing");
            }
            g
        })
        .collect()
}

fn find<'a>(gaps: &'a Value, kind: &str, subject: &str) -> &'a Value {
    gaps.as_array()
        .expect("a JSON array")
        .iter()
        .find(|g| g["kind"] == kind && g["subject"] == subject)
        .unwrap_or_else(|| panic!("no {kind} gap about {subject} in {gaps:#}"))
}

#[test]
fn gaps_rank_every_kind_with_known_scores() {
    let t = team();
    let gaps = t.repo.json(&["gaps"]);
    let short = |id: &str| t.repo.short_id(id);
    assert_eq!(
        heads(&gaps),
        [
            gap("no_expert", "k8s", Some("k8s"), None, 15),
            gap(
                "undocumented",
                "Pods evicted under memory pressure",
                Some("k8s"),
                Some(&t.evicted),
                12
            ),
            gap("bus_factor", "k8s", Some("k8s"), None, 10),
            gap("no_expert", "dns", Some("dns"), None, 9),
            gap(
                "search_miss",
                "certificate renew wildcard",
                Some("k8s"),
                None,
                9
            ),
            gap("bus_factor", "dns", Some("dns"), None, 8),
            gap(
                "unresolved",
                "How big should shared_buffers be?",
                Some("postgres"),
                Some(&t.buffers),
                8
            ),
            gap(
                "unanswered",
                "How do we rotate the staging certs?",
                Some("k8s"),
                Some(&t.certs),
                7
            ),
            gap("thin_domain", "dns", Some("dns"), None, 4),
            gap("search_miss", "kafka lag", None, None, 3),
            gap("stale", "k8s", Some("k8s"), None, 1),
            gap("stale", "postgres", Some("postgres"), None, 1),
        ]
    );

    // Evidence, inputs and the command that closes each gap.
    let no_expert = find(&gaps, "no_expert", "k8s");
    assert_eq!(no_expert["formula"], "3 × demand");
    assert_eq!(
        no_expert["inputs"],
        json!({"open questions": 2, "unresolved questions": 0, "recent occurrences": 3})
    );
    assert_eq!(no_expert["command"], "rep who k8s");

    let undocumented = find(&gaps, "undocumented", "Pods evicted under memory pressure");
    assert_eq!(
        undocumented["evidence"],
        "problem seen 3 times by 3 members, no write-up"
    );
    assert_eq!(
        undocumented["inputs"],
        json!({"occurrences": 3, "members": 3})
    );
    assert_eq!(
        undocumented["command"],
        format!("rep document {}", short(&t.evicted))
    );

    let bus = find(&gaps, "bus_factor", "k8s");
    assert_eq!(
        bus["evidence"],
        "cy alone makes 6 of the 6 contribution points of active members in the window"
    );
    assert_eq!(
        bus["inputs"],
        json!({"bus factor": 1, "demand": 5, "top member's points": 6,
               "active members' points": 6})
    );
    assert_eq!(bus["command"], "rep members --domain k8s");
    assert_eq!(
        find(&gaps, "bus_factor", "dns")["evidence"],
        "bo alone makes 9 of the 12 contribution points of active members in the window"
    );

    let unresolved = find(&gaps, "unresolved", "How big should shared_buffers be?");
    assert_eq!(
        unresolved["evidence"],
        "asked by dan 3 weeks ago, 1 reply, none accepted"
    );
    assert_eq!(unresolved["formula"], "3 + weeks waiting + 2 × occurrences");
    assert_eq!(
        unresolved["inputs"],
        json!({"weeks waiting": 3, "occurrences": 1, "replies": 1})
    );
    let b = short(&t.buffers);
    assert_eq!(
        unresolved["command"],
        format!("rep show {b}  # then rep accept REPLY, or rep resolve {b}")
    );

    let unanswered = find(&gaps, "unanswered", "How do we rotate the staging certs?");
    assert_eq!(
        unanswered["evidence"],
        "asked by cy 2 weeks ago, no reply yet"
    );
    assert_eq!(
        unanswered["inputs"],
        json!({"weeks waiting": 2, "occurrences": 0, "replies": 0})
    );
    assert_eq!(
        unanswered["command"],
        format!("rep answer {}", short(&t.certs))
    );

    let thin = find(&gaps, "thin_domain", "dns");
    assert_eq!(
        thin["evidence"],
        "3 questions but only 1 story, tool or doc"
    );
    assert_eq!(
        thin["inputs"],
        json!({"questions": 3, "stories, tools and docs": 1, "thin ratio": 2})
    );

    let miss = find(&gaps, "search_miss", "certificate renew wildcard");
    assert_eq!(miss["evidence"], "searched 3 times with no result");
    assert_eq!(miss["inputs"], json!({"searches": 3}));
    assert_eq!(
        miss["command"], "rep add tool \"renew wildcard certificate\" -d k8s",
        "the words as the member typed them, not the sorted key"
    );
    assert_eq!(
        find(&gaps, "search_miss", "kafka lag")["command"],
        "rep add tool \"kafka lag\""
    );

    let stale = find(&gaps, "stale", "postgres");
    assert_eq!(
        stale["evidence"],
        format!(
            "1 entry past review, superseded or reviewed by someone inactive (oldest: {})",
            short(&t.old_tool)
        )
    );
    assert_eq!(stale["inputs"], json!({"stale entries": 1}));
    assert_eq!(stale["command"], "rep list --stale --domain postgres");
}

#[test]
fn domain_filters_gaps_and_limit_cuts_the_list() {
    let t = team();
    let gaps = t.repo.json(&["gaps", "--domain", "k8s"]);
    assert_eq!(
        kinds(&gaps),
        [
            (15, "no_expert".into(), "k8s".into()),
            (
                12,
                "undocumented".into(),
                "Pods evicted under memory pressure".into()
            ),
            (10, "bus_factor".into(), "k8s".into()),
            (9, "search_miss".into(), "certificate renew wildcard".into()),
            (
                7,
                "unanswered".into(),
                "How do we rotate the staging certs?".into()
            ),
            (1, "stale".into(), "k8s".into()),
        ]
    );
    assert_eq!(kinds(&t.repo.json(&["gaps", "-n", "2"])).len(), 2);
    assert_eq!(kinds(&t.repo.json(&["gaps", "-n", "0"])).len(), 12);
    let assert = t.repo.rep(&["gaps", "-n", "3"]).success();
    assert!(
        crate::support::stderr(&assert).contains("9 more gaps; --limit 0 shows all"),
        "{}",
        crate::support::stderr(&assert)
    );
}

#[test]
fn thresholds_from_config_move_the_gaps() {
    let t = team();
    let set = |key: &str, value: &str| {
        t.repo.rep(&["config", "set", key, value]).success();
    };
    let has = |kind: &str, subject: &str| {
        kinds(&t.repo.json(&["gaps"]))
            .iter()
            .any(|(_, k, s)| k == kind && s == subject)
    };
    // The certs question has waited exactly 17 days, the buffers one 22: a question is a gap
    // once it is older than the threshold.
    set("gaps.unanswered_days", "16");
    assert!(has("unanswered", "How do we rotate the staging certs?"));
    set("gaps.unanswered_days", "17");
    assert!(!has("unanswered", "How do we rotate the staging certs?"));
    set("gaps.unresolved_days", "21");
    assert!(has("unresolved", "How big should shared_buffers be?"));
    set("gaps.unresolved_days", "22");
    assert!(!has("unresolved", "How big should shared_buffers be?"));
    // dns has 3 questions and 1 tool.
    set("gaps.thin_ratio", "3");
    assert!(!has("thin_domain", "dns"));
    set("gaps.thin_ratio", "2");
    set("gaps.thin_min_questions", "4");
    assert!(!has("thin_domain", "dns"));
    // The evicted pods were seen 3 times.
    set("recurring.min_occurrences", "4");
    assert!(!has("undocumented", "Pods evicted under memory pressure"));
    assert_eq!(
        t.repo.json(&["map", "-d", "k8s"])["domains"][0]["recurring"],
        0
    );
    // The oldest entry is exactly 686 days old, the evicted pods problem 664.
    set("review.interval_days", "685");
    assert!(has("stale", "postgres") && !has("stale", "k8s"));
    set("review.interval_days", "686");
    assert!(!has("stale", "postgres") && !has("stale", "k8s"));
    // A 3-day window keeps only cy's ask in k8s (3 points) and nothing in postgres.
    set("community.window_days", "3");
    let gaps = t.repo.json(&["gaps"]);
    assert_eq!(
        find(&gaps, "no_expert", "k8s")["inputs"],
        json!({"open questions": 2, "unresolved questions": 0, "recent occurrences": 0})
    );
    assert_eq!(find(&gaps, "bus_factor", "k8s")["score"], 7);
    assert_eq!(
        find(&gaps, "no_expert", "postgres")["inputs"],
        json!({"open questions": 0, "unresolved questions": 1, "recent occurrences": 0})
    );
}

#[test]
fn closing_gaps_removes_them() {
    let t = team();
    // A write-up closes the undocumented gap, and its author, cy, now has expert evidence
    // (a doc) as the core of k8s: the no_expert gap closes. cy is still alone.
    let doc = t
        .repo
        .json(&["document", &t.evicted, "--from-replies", "--as", "cy"]);
    assert_eq!(doc["kind"], "doc");
    let gaps = t.repo.json(&["gaps", "-d", "k8s"]);
    assert_eq!(
        kinds(&gaps),
        [
            (10, "bus_factor".into(), "k8s".into()),
            (9, "search_miss".into(), "certificate renew wildcard".into()),
            (
                7,
                "unanswered".into(),
                "How do we rotate the staging certs?".into()
            ),
            (1, "stale".into(), "k8s".into()),
        ]
    );
    // Answering closes the unanswered gap; the question, 17 days old, with a reply and none
    // accepted, is now unresolved: 3 + 2 weeks.
    t.repo.answer_at(
        crate::support::NOW,
        "bo",
        &t.certs,
        "cert-manager renews them",
    );
    // Reviewing closes the stale gap.
    t.repo.rep(&["review", &t.evicted]).success();
    assert_eq!(
        kinds(&t.repo.json(&["gaps", "-d", "k8s"])),
        [
            (10, "bus_factor".into(), "k8s".into()),
            (9, "search_miss".into(), "certificate renew wildcard".into()),
            (
                5,
                "unresolved".into(),
                "How do we rotate the staging certs?".into()
            ),
        ]
    );
}

#[test]
fn stale_counts_superseded_entries_and_inactive_reviewers() {
    let repo = Repo::new();
    let old = repo.add_at(
        "2026-10-01T09:00:00Z",
        &["tool", "Restart by hand", "-d", "ops"],
    );
    let new = repo.add_at(
        "2026-10-02T09:00:00Z",
        &["tool", "Restart with systemd", "-d", "ops"],
    );
    let checked = repo.add_at(
        "2026-10-03T09:00:00Z",
        &["tool", "Read the journal", "-d", "ops"],
    );
    repo.rep_at("2026-10-04T09:00:00Z", &["review", &checked, "--as", "zed"])
        .success();
    repo.rep_at(
        "2026-10-05T09:00:00Z",
        &["link", "--kind", "supersedes", &new, &old],
    )
    .success();
    let stale = |repo: &Repo| {
        repo.json(&["gaps"])
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["kind"] == "stale")
            .map(|g| {
                (
                    g["score"].as_u64().unwrap(),
                    g["evidence"].as_str().unwrap().to_owned(),
                )
            })
            .collect::<Vec<_>>()
    };
    let evidence = |ids: &[&String]| {
        let shorts: Vec<String> = ids.iter().map(|id| repo.short_id(id)).collect();
        format!(
            "{} past review, superseded or reviewed by someone inactive (oldest: {})",
            if ids.len() == 1 {
                "1 entry".to_owned()
            } else {
                format!("{} entries", ids.len())
            },
            shorts.join(", ")
        )
    };
    assert_eq!(stale(&repo), [(1, evidence(&[&old]))]);
    repo.rep_at(
        "2026-10-05T10:00:00Z",
        &["link", "--kind", "supersedes", &new, &old, "--remove"],
    )
    .success();
    assert_eq!(stale(&repo), [], "nothing is stale without the link");
    repo.rep_at(
        "2026-10-05T11:00:00Z",
        &["link", "--kind", "supersedes", &new, &old],
    )
    .success();
    // With a 30-day window zed, who reviewed on 2026-10-04, is no longer active: what he
    // reviewed is stale although its review interval has not passed.
    repo.rep(&["config", "set", "community.window_days", "30"])
        .success();
    assert_eq!(stale(&repo), [(2, evidence(&[&old, &checked]))]);
    // The command the gap names lists the same entries.
    let mut listed = repo.list_ids(&["--stale", "--domain", "ops"]);
    listed.sort();
    let mut expected = vec![old.clone(), checked.clone()];
    expected.sort();
    assert_eq!(listed, expected);
    // Saying that something helped is acting: zed is active again.
    repo.rep_at("2026-11-20T09:00:00Z", &["helped", &new, "--as", "zed"])
        .success();
    assert_eq!(stale(&repo), [(1, evidence(&[&old]))]);
}

#[test]
fn stale_evidence_names_the_three_oldest_and_breaks_ties_by_id() {
    let repo = Repo::new();
    // Six entries written at one instant (their ids are random: the first three written are
    // the three smallest once in twenty), one later, and one in another domain.
    let mut tied: Vec<String> = (0..6)
        .map(|i| {
            repo.add_at(
                "2025-01-01T00:00:00Z",
                &["tool", &format!("Tied {i}"), "-d", "ops"],
            )
        })
        .collect();
    let later = repo.add_at("2025-02-01T00:00:00Z", &["tool", "Later", "-d", "ops"]);
    let other = repo.add_at("2025-03-01T00:00:00Z", &["tool", "Elsewhere", "-d", "db"]);
    tied.sort();
    let stale: Vec<(String, String)> = repo
        .json(&["gaps", "--limit", "0"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["kind"] == "stale")
        .map(|g| {
            (
                g["domain"].as_str().unwrap().to_owned(),
                g["evidence"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let evidence = |n: usize, ids: &[&String]| {
        let shorts: Vec<String> = ids.iter().map(|id| repo.short_id(id)).collect();
        let what = if n == 1 {
            "1 entry".to_owned()
        } else {
            format!("{n} entries")
        };
        format!(
            "{what} past review, superseded or reviewed by someone inactive (oldest: {})",
            shorts.join(", ")
        )
    };
    let mut expected = vec![
        ("db".to_owned(), evidence(1, &[&other])),
        (
            "ops".to_owned(),
            evidence(7, &[&tied[0], &tied[1], &tied[2]]),
        ),
    ];
    expected.sort();
    let mut found = stale.clone();
    found.sort();
    assert_eq!(found, expected, "the later entry is not named: {later}");
}

#[test]
fn search_misses_group_similar_words_and_can_be_turned_off() {
    let repo = Repo::new();
    repo.add(&["tool", "Find what holds a lock", "-d", "postgres"]);
    for words in [
        &["search", "Rotate", "staging", "certs"][..],
        &["search", "staging", "cert", "rotate"],
        &["search", "rotate", "the", "staging", "cert", "-d", "k8s"],
        &["search", "lock"], // found: not a miss
        &["search", "?!"],   // no words
    ] {
        repo.rep(words).success();
    }
    repo.rep(&[
        "ask",
        "How do we rotate the staging certs?",
        "-d",
        "k8s",
        "-y",
    ])
    .success();
    let misses: Vec<(u64, String, Value)> = repo
        .json(&["gaps"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["kind"] == "search_miss")
        .map(|g| {
            (
                g["score"].as_u64().unwrap(),
                g["subject"].as_str().unwrap().to_owned(),
                g["domain"].clone(),
            )
        })
        .collect();
    assert_eq!(
        misses,
        [
            (6, "cert rotate staging".to_owned(), Value::Null),
            (6, "cert rotate staging".to_owned(), json!("k8s")),
        ]
    );
    // Misses stay local: the export holds no trace of them.
    let exported = repo.ok(&["export"]);
    assert!(
        !exported.contains("search_miss") && !exported.contains("cert rotate"),
        "{exported}"
    );

    repo.rep(&["config", "set", "search.record_misses", "false"])
        .success();
    repo.rep(&["search", "kafka", "lag"]).success();
    repo.rep(&["search", "rotate", "staging", "certs"])
        .success();
    let gaps = repo.json(&["gaps"]);
    assert!(
        gaps.as_array()
            .unwrap()
            .iter()
            .all(|g| g["subject"] != "kafka lag"),
        "{gaps:#}"
    );
    assert_eq!(
        find(&gaps, "search_miss", "cert rotate staging")["score"],
        6
    );
}

#[test]
fn explain_prints_formulas_and_inputs() {
    let t: Team = team();
    let out = t.repo.ok(&["gaps", "--explain", "-n", "0"]);
    insta::assert_snapshot!("gaps_explain", t.redact(&out));
    let repo = Repo::empty();
    let assert = repo.rep(&["gaps"]).success();
    assert_eq!(stdout(&assert), "");
}
