//! `rep who`: members ranked by their matching authored, answered and accepted work, with the
//! entries that make them relevant.

use serde_json::{Value, json};

use crate::support::{Repo, replace_word};

/// Who dealt with replication: bo asked, cy replied, dan's reply was accepted, fay's reply
/// elsewhere mentions it, ana's entry about it was deleted.
fn replication() -> (Repo, Vec<(&'static str, String)>) {
    let repo = Repo::new();
    let question = repo.add(&[
        "question",
        "Postgres replication lag",
        "-d",
        "pg",
        "--as",
        "bo",
    ]);
    repo.answer_at(crate::support::NOW, "cy", &question, "check the network");
    let accepted = repo.answer_at(
        crate::support::NOW,
        "dan",
        &question,
        "the wal sender is slow",
    );
    repo.rep(&["accept", &accepted, "--as", "bo"]).success();
    let other = repo.add(&["tool", "Show disk usage", "-d", "pg", "--as", "eve"]);
    repo.answer_at(
        crate::support::NOW,
        "fay",
        &other,
        "replication slots can pile up",
    );
    let gone = repo.add(&["tool", "Replication check", "-d", "pg"]);
    repo.rep(&["rm", &gone]).success();
    (repo, vec![("QUES", question), ("DISK", other)])
}

fn member(name: &str, score: f64, counts: [u64; 3], evidence: Value) -> Value {
    json!({"member": name, "score": score, "authored": counts[0], "answered": counts[1],
           "accepted": counts[2], "evidence": evidence})
}

#[test]
fn who_ranks_accepted_authored_and_answered_work() {
    let (repo, ids) = replication();
    let (q, other) = (&ids[0].1, &ids[1].1);
    let title = "Postgres replication lag";
    // Every match is the best of its index (relevance 1): the scores are the weights, accepted
    // reply 4, authored entry 3, reply 2. The deleted entry does not count.
    assert_eq!(
        repo.json(&["who", "replication"]),
        json!([
            member(
                "dan",
                4.0,
                [0, 0, 1],
                json!([{"id": q, "title": title, "how": "accepted"}])
            ),
            member(
                "bo",
                3.0,
                [1, 0, 0],
                json!([{"id": q, "title": title, "how": "authored"}])
            ),
            member(
                "cy",
                2.0,
                [0, 1, 0],
                json!([{"id": q, "title": title, "how": "answered"}])
            ),
            member(
                "fay",
                2.0,
                [0, 1, 0],
                json!([{"id": other, "title": "Show disk usage", "how": "answered"}])
            ),
        ])
    );
    // Words must all match; --limit keeps the best.
    let lag = repo.json(&["who", "replication", "lag", "-n", "2"]);
    let names: Vec<&str> = lag
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["member"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dan", "bo"]);
    assert_eq!(repo.json(&["who", "kubernetes"]), json!([]));
    let mut out = repo.ok(&["who", "replication"]);
    for (label, id) in &ids {
        let short = repo.short_id(id);
        out = replace_word(&out, &short, &format!("{label:-<w$}", w = short.len()));
    }
    insta::assert_snapshot!("who_table", out);
}

#[test]
fn a_member_with_more_matching_work_ranks_higher() {
    let repo = Repo::new();
    for title in ["Rotate the vault token", "Vault token expired in CI"] {
        repo.add(&["tool", title, "-d", "ops", "--as", "gus"]);
    }
    let q = repo.add(&[
        "question",
        "Where is the vault token kept?",
        "-d",
        "ops",
        "--as",
        "hal",
    ]);
    repo.answer_at(crate::support::NOW, "ivy", &q, "in the CI secrets");
    let ranked = repo.json(&["who", "vault", "token"]);
    let gus = &ranked[0];
    assert_eq!(gus["member"], "gus");
    assert_eq!(
        (
            gus["authored"].clone(),
            gus["evidence"].as_array().unwrap().len()
        ),
        (json!(2), 2)
    );
    // Two authored entries, each at most 1: more than one entry's 3, at most 6.
    let score = gus["score"].as_f64().unwrap();
    assert!(score > 3.0 && score <= 6.0, "{score}");
    let rest: Vec<(&str, &str)> = ranked.as_array().unwrap()[1..]
        .iter()
        .map(|e| {
            (
                e["member"].as_str().unwrap(),
                e["evidence"][0]["how"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(rest, [("hal", "authored"), ("ivy", "answered")]);
}
