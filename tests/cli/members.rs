//! `rep members` and `rep whoami`: contributions, participation levels from weighted activity
//! in the window, the explanation, and where the member name comes from.

use serde_json::json;

use crate::support::{Repo, stderr, stdout};

/// A small team's month, built through the CLI. Scores in the window (weights: docs 5, accepted
/// replies 4, entries 3, replies 2, reviews 2, occurrences, endorsements given and received 1):
/// k8s: bo 4 + 1 = 5, ana 3 + 1 = 4, cy 2 + 1 = 3, dan 1 + 1 = 2, total 14;
/// postgres: ana 3, bo 2, total 5 (zed's entry is older than the window).
fn team() -> Repo {
    let repo = Repo::new();
    repo.add_at(
        "2025-12-01T09:00:00Z",
        &["tool", "Old trick", "-d", "postgres", "--as", "zed"],
    );
    let q = repo.add_at(
        "2026-11-20T10:00:00Z",
        &[
            "question",
            "How do we rotate the staging certs?",
            "-d",
            "k8s",
        ],
    );
    let tool = repo.add_at(
        "2026-11-20T11:00:00Z",
        &["tool", "Find what holds a lock", "-d", "postgres"],
    );
    let good = repo.answer_at("2026-11-21T10:00:00Z", "bo", &q, "cert-manager renews them");
    repo.answer_at("2026-11-21T11:00:00Z", "cy", &q, "by hand with kubectl");
    repo.rep_at("2026-11-22T09:00:00Z", &["accept", &good])
        .success();
    repo.rep_at("2026-11-23T09:00:00Z", &["seen", &q, "--as", "cy"])
        .success();
    repo.rep_at("2026-11-24T09:00:00Z", &["seen", &q, "--as", "dan"])
        .success();
    repo.rep_at("2026-11-24T12:00:00Z", &["helped", &good, "--as", "dan"])
        .success();
    repo.rep_at("2026-11-25T09:00:00Z", &["seen", &q, "--as", "ana"])
        .success();
    repo.rep_at("2026-11-26T09:00:00Z", &["review", &tool, "--as", "bo"])
        .success();
    repo
}

#[test]
fn members_counts_contributions_and_levels_per_domain() {
    let repo = team();
    let members = repo.json(&["members"]);
    assert_eq!(
        members,
        json!([
            {"member": "ana", "entries": 2, "replies": 0, "accepted_replies": 0, "docs": 0,
             "occurrences": 1, "reviews": 0, "endorsements_given": 0, "endorsements_received": 0,
             "last_active": "2026-11-25T09:00:00Z", "recent_score": 7,
             "levels": [{"domain": "k8s", "level": "core", "score": 4},
                        {"domain": "postgres", "level": "core", "score": 3}]},
            {"member": "bo", "entries": 0, "replies": 1, "accepted_replies": 1, "docs": 0,
             "occurrences": 0, "reviews": 1, "endorsements_given": 0, "endorsements_received": 1,
             "last_active": "2026-11-26T09:00:00Z", "recent_score": 7,
             "levels": [{"domain": "k8s", "level": "core", "score": 5},
                        {"domain": "postgres", "level": "active", "score": 2}]},
            {"member": "cy", "entries": 0, "replies": 1, "accepted_replies": 0, "docs": 0,
             "occurrences": 1, "reviews": 0, "endorsements_given": 0, "endorsements_received": 0,
             "last_active": "2026-11-23T09:00:00Z", "recent_score": 3,
             "levels": [{"domain": "k8s", "level": "active", "score": 3}]},
            {"member": "dan", "entries": 0, "replies": 0, "accepted_replies": 0, "docs": 0,
             "occurrences": 1, "reviews": 0, "endorsements_given": 1, "endorsements_received": 0,
             "last_active": "2026-11-24T12:00:00Z", "recent_score": 2,
             "levels": [{"domain": "k8s", "level": "peripheral", "score": 2}]},
            {"member": "zed", "entries": 1, "replies": 0, "accepted_replies": 0, "docs": 0,
             "occurrences": 0, "reviews": 0, "endorsements_given": 0, "endorsements_received": 0,
             "last_active": "2025-12-01T09:00:00Z", "recent_score": 0, "levels": []},
        ])
    );
    insta::assert_snapshot!("members_table", repo.ok(&["members"]));
    insta::assert_snapshot!("members_explain", repo.ok(&["members", "--explain"]));
}

#[test]
fn members_of_one_domain_and_a_shorter_window() {
    let repo = team();
    let k8s = repo.json(&["members", "--domain", "k8s"]);
    let rows: Vec<(String, u64, String)> = k8s
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let level = m["levels"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| {
                    format!(
                        "{}:{}",
                        l["domain"].as_str().unwrap(),
                        l["level"].as_str().unwrap()
                    )
                })
                .collect::<Vec<_>>()
                .join(",");
            (
                m["member"].as_str().unwrap().to_owned(),
                m["recent_score"].as_u64().unwrap(),
                level,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("bo".to_owned(), 5, "k8s:core".to_owned()),
            ("ana".to_owned(), 4, "k8s:core".to_owned()),
            ("cy".to_owned(), 3, "k8s:active".to_owned()),
            ("dan".to_owned(), 2, "k8s:peripheral".to_owned()),
        ]
    );
    assert_eq!(k8s[0]["reviews"], 0, "bo's review is in postgres");
    // The parent domain includes sub-domains and takes their name.
    repo.add(&[
        "tool",
        "Find lock chains",
        "-d",
        "postgres/locks",
        "--as",
        "cy",
    ]);
    let pg = repo.json(&["members", "--domain", "postgres"]);
    let cy = pg
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["member"] == "cy")
        .unwrap();
    assert_eq!(
        cy["levels"],
        json!([{"domain": "postgres", "level": "core", "score": 3}])
    );
    // A window of 3 days keeps only what happened since 2026-11-24T09:00.
    repo.write_config("[community]\nwindow_days = 3\n");
    let explained = repo.ok(&["members", "--explain", "--domain", "k8s"]);
    assert!(
        explained.contains("weighted activity in the last 3 days"),
        "{explained}"
    );
    // dan's occurrence and endorsement, the endorsement bo received, ana's occurrence.
    assert!(
        explained.contains("\n\nk8s: total 4; dan 2 (core), ana 1 (active), bo 1 (active)\n"),
        "{explained}"
    );
    let err = stderr(&repo.rep(&["members", "--domain", "nowhere"]).success());
    assert!(err.contains("no activity yet"), "{err}");
    assert_eq!(repo.json(&["members", "--domain", "nowhere"]), json!([]));
}

#[test]
fn whoami_says_who_and_from_where() {
    let repo = Repo::new();
    assert_eq!(
        repo.json(&["whoami"]),
        json!({"name": "ana", "source": "--as or REP_USER"})
    );
    let out = repo.rep(&["whoami", "--as", "bo"]).success();
    assert_eq!(stdout(&out), "bo\n");
    assert_eq!(stderr(&out), "(from --as or REP_USER)\n");
    let me = |cmd: &mut assert_cmd::Command| {
        crate::support::parse_json(&stdout(&cmd.args(["whoami", "--json"]).assert().success()))
    };
    // The login name, when nothing else says.
    let mut cmd = repo.cmd();
    cmd.env_remove("REP_USER").env("USER", "login-name");
    assert_eq!(
        me(&mut cmd),
        json!({"name": "login-name", "source": "the login name"})
    );
    // git config user.name wins over the login name.
    std::fs::write(
        repo.home().join(".gitconfig"),
        "[user]\n\tname = Git Name\n",
    )
    .unwrap();
    let mut cmd = repo.cmd();
    cmd.env_remove("REP_USER").env("USER", "login-name");
    assert_eq!(
        me(&mut cmd),
        json!({"name": "Git Name", "source": "git config user.name"})
    );
    // The config file wins over git.
    repo.write_config("[user]\nname = \"Config Name\"\n");
    let mut cmd = repo.cmd();
    cmd.env_remove("REP_USER").env("USER", "login-name");
    assert_eq!(
        me(&mut cmd),
        json!({"name": "Config Name", "source": "config user.name"})
    );
    // Nobody at all: an error with a hint.
    std::fs::remove_file(repo.config()).unwrap();
    std::fs::remove_file(repo.home().join(".gitconfig")).unwrap();
    let mut cmd = repo.cmd();
    let assert = cmd.env_remove("REP_USER").arg("whoami").assert().code(1);
    let err = stderr(&assert);
    assert!(err.contains("error: cannot tell who you are"), "{err}");
    assert!(err.contains("hint: pass --as NAME, set REP_USER"), "{err}");
}
