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
    // Nothing in the environment: the system account, as git does with `USER` unset.
    std::fs::remove_file(repo.config()).unwrap();
    std::fs::remove_file(repo.home().join(".gitconfig")).unwrap();
    let mut cmd = repo.cmd();
    cmd.env_remove("REP_USER");
    assert_eq!(
        me(&mut cmd),
        json!({"name": crate::support::system_account(), "source": "the system account"})
    );
}

/// Bruno writes as `Bruno` first, later as `bruno` and as `b.rossi`: one member shown as first
/// written, once `b.rossi` is declared his alias, in members, map, who, gaps and the filters.
fn bruno_under_three_names() -> (Repo, String) {
    let repo = Repo::new();
    let q = repo.add_at(
        "2026-11-20T10:00:00Z",
        &[
            "question",
            "How do we rotate the staging certs?",
            "-d",
            "k8s",
            "--as",
            "Bruno",
        ],
    );
    repo.add_at(
        "2026-11-21T10:00:00Z",
        &[
            "tool",
            "Rotate certs with cert-manager",
            "-d",
            "k8s",
            "--as",
            "bruno",
        ],
    );
    repo.add_at(
        "2026-11-22T10:00:00Z",
        &[
            "tool",
            "Renew a cert by hand",
            "-d",
            "k8s",
            "--as",
            "b.rossi",
        ],
    );
    let a = repo.answer_at(
        "2026-11-23T10:00:00Z",
        "ana",
        &q,
        "cert-manager renews them",
    );
    repo.rep_at("2026-11-24T09:00:00Z", &["helped", &a, "--as", "Bruno"])
        .success();
    repo.rep_at("2026-11-24T10:00:00Z", &["helped", &a, "--as", "BRUNO"])
        .success();
    (repo, q)
}

fn member_names(members: &serde_json::Value) -> Vec<String> {
    members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["member"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn members_names_that_differ_in_case_are_one_member_shown_as_first_written() {
    let (repo, _) = bruno_under_three_names();
    let members = repo.json(&["members"]);
    assert_eq!(member_names(&members), ["Bruno", "ana", "b.rossi"]);
    let bruno = &members[0];
    assert_eq!(bruno["entries"], 2);
    assert_eq!(
        bruno["endorsements_given"], 1,
        "one member says \"this helped\" once, whatever the spelling"
    );
    let listed = repo.json(&["list", "--author", "BRUNO"]);
    assert_eq!(listed.as_array().unwrap().len(), 2);
}

#[test]
fn members_alias_joins_a_name_to_a_member_everywhere() {
    let (repo, _) = bruno_under_three_names();
    let assert = repo
        .rep(&["members", "alias", "bruno", "b.rossi"])
        .success();
    assert_eq!(stderr(&assert), "bruno now also goes by: b.rossi\n");

    let members = repo.json(&["members"]);
    assert_eq!(member_names(&members), ["Bruno", "ana"]);
    assert_eq!(members[0]["entries"], 3);

    let map = repo.json(&["map"]);
    let text = map.to_string();
    assert!(!text.contains("b.rossi"), "{text}");

    let who = repo.json(&["who", "cert"]);
    assert_eq!(member_names(&who), ["Bruno", "ana"]);
    assert_eq!(who[0]["authored"], 3);

    let listed = repo.json(&["list", "--author", "b.rossi"]);
    assert_eq!(listed.as_array().unwrap().len(), 3);
}

#[test]
fn members_alias_refuses_a_name_that_is_the_member_already() {
    let (repo, _) = bruno_under_three_names();
    let assert = repo.rep(&["members", "alias", "bruno", "BRUNO"]).code(2);
    insta::assert_snapshot!(stderr(&assert), @r#"error: "BRUNO" is "bruno" already: names compare without regard to case"#);
    let assert = repo.rep(&["members", "alias", "bruno"]).code(2);
    assert!(
        stderr(&assert).contains("<ALIAS>..."),
        "{}",
        stderr(&assert)
    );
}
