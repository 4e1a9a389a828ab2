//! `rep list`: filters, limits, sort orders, empty results, and the table.

use crate::support::{Repo, fixture, redact_fixture, stderr, stdout};

fn ids(entries: &[(&str, serde_json::Value)], which: &[usize]) -> Vec<String> {
    which
        .iter()
        .map(|&i| entries[i].1["id"].as_str().expect("id").to_owned())
        .collect()
}

#[test]
fn newest_first_by_default() {
    let (repo, entries) = fixture();
    assert_eq!(repo.list_ids(&[]), ids(&entries, &[4, 3, 2, 1, 0]));
}

#[test]
fn table_snapshot() {
    let (repo, entries) = fixture();
    let assert = repo.rep(&["list"]).success();
    assert_eq!(stderr(&assert), "");
    insta::assert_snapshot!("list_table", redact_fixture(&stdout(&assert), &entries));
}

#[test]
fn filter_by_kind() {
    let (repo, entries) = fixture();
    assert_eq!(repo.list_ids(&["--kind", "tool"]), ids(&entries, &[4, 0]));
    assert_eq!(repo.list_ids(&["-k", "question"]), ids(&entries, &[3]));
    repo.rep(&["list", "--kind", "tools"]).code(2);
}

#[test]
fn a_domain_includes_its_sub_domains_only() {
    let repo = Repo::new();
    let k8s = repo.add(&["tool", "a", "-d", "k8s"]);
    let net = repo.add(&["tool", "b", "-d", "k8s/networking"]);
    let deep = repo.add(&["tool", "c", "-d", "k8s/networking/dns"]);
    repo.add(&["tool", "d", "-d", "k8s-old"]);
    repo.add(&["tool", "e", "-d", "k8s0"]);
    repo.add(&["tool", "f", "-d", "k8s.io"]);
    repo.add(&["tool", "g", "-d", "pg"]);
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(
        sorted(repo.list_ids(&["--domain", "k8s"])),
        sorted(vec![k8s.clone(), net.clone(), deep.clone()])
    );
    assert_eq!(
        sorted(repo.list_ids(&["-d", "K8s/Networking/"])),
        sorted(vec![net, deep])
    );
    assert!(repo.list_ids(&["-d", "k8"]).is_empty());
    let assert = repo.rep(&["list", "-d", "../x"]).code(1);
    assert!(stderr(&assert).contains("invalid domain"));
}

#[test]
fn repeated_tags_must_all_match() {
    let (repo, entries) = fixture();
    assert_eq!(repo.list_ids(&["--tag", "pg"]), ids(&entries, &[4, 0]));
    assert_eq!(
        repo.list_ids(&["-t", "pg", "-t", "locks"]),
        ids(&entries, &[0])
    );
    assert_eq!(
        repo.list_ids(&["-t", "#PG", "-t", "Vacuum"]),
        ids(&entries, &[4])
    );
    assert!(repo.list_ids(&["-t", "locks", "-t", "vacuum"]).is_empty());
}

#[test]
fn filter_by_author() {
    let (repo, entries) = fixture();
    assert_eq!(repo.list_ids(&["--author", "bo"]), ids(&entries, &[3]));
    assert_eq!(
        repo.list_ids(&["-a", " ana "]),
        ids(&entries, &[4, 2, 1, 0])
    );
    assert!(repo.list_ids(&["-a", "nobody"]).is_empty());
}

#[test]
fn since_takes_dates_times_and_ages() {
    // The fixture's entries were made on Nov 20..24 and the clock says Nov 27 09:00.
    let (repo, entries) = fixture();
    assert_eq!(
        repo.list_ids(&["--since", "2026-11-22"]),
        ids(&entries, &[4, 3, 2])
    );
    assert_eq!(
        repo.list_ids(&["--since", "2026-11-22T08:15:00Z"]),
        ids(&entries, &[4, 3, 2])
    );
    assert_eq!(
        repo.list_ids(&["--since", "2026-11-22T08:15:01Z"]),
        ids(&entries, &[4, 3])
    );
    assert_eq!(repo.list_ids(&["--since", "4d"]), ids(&entries, &[4, 3]));
    assert_eq!(repo.list_ids(&["--since", "72h"]), ids(&entries, &[4]));
    assert_eq!(
        repo.list_ids(&["--since", "1w"]),
        ids(&entries, &[4, 3, 2, 1, 0])
    );
    assert!(repo.list_ids(&["--since", "1h"]).is_empty());
    for bad in ["yesterday", "5x", "", "d"] {
        let assert = repo.rep(&["list", "--since", bad]).code(2);
        assert!(stderr(&assert).contains("invalid date"), "{bad:?}");
    }
}

#[test]
fn filters_combine() {
    let (repo, entries) = fixture();
    assert_eq!(
        repo.list_ids(&[
            "-k",
            "tool",
            "-d",
            "postgres",
            "-t",
            "pg",
            "-a",
            "ana",
            "--since",
            "2026-11-21"
        ]),
        ids(&entries, &[4])
    );
}

#[test]
fn limit_truncates_with_a_note() {
    let (repo, entries) = fixture();
    let assert = repo.rep(&["list", "--limit", "2"]).success();
    assert_eq!(
        stderr(&assert),
        "note: showing the first 2; use --limit N or --limit 0 for more\n"
    );
    assert_eq!(stdout(&assert).lines().count(), 3, "header and two rows");
    let assert = repo.rep(&["list", "-n", "2", "--json"]).success();
    let listed = crate::support::parse_json(&stdout(&assert));
    assert_eq!(crate::support::ids_of(&listed), ids(&entries, &[4, 3]));
    assert!(stderr(&assert).contains("showing the first 2"));

    // Exactly as many as exist: no note.
    let assert = repo.rep(&["list", "--limit", "5"]).success();
    assert_eq!(stderr(&assert), "");
    // Zero means all.
    let assert = repo.rep(&["list", "--limit", "0", "--json"]).success();
    assert_eq!(
        crate::support::ids_of(&crate::support::parse_json(&stdout(&assert))).len(),
        5
    );
    assert_eq!(stderr(&assert), "");
    // Quiet silences the note.
    assert_eq!(stderr(&repo.rep(&["list", "-n", "1", "-q"]).success()), "");
    repo.rep(&["list", "--limit", "-1"]).code(2);
}

#[test]
fn the_default_limit_is_fifty() {
    let repo = Repo::new();
    for i in 0..51 {
        repo.add(&["tool", &format!("entry {i}"), "-q"]);
    }
    let assert = repo.rep(&["list", "--json"]).success();
    let listed = crate::support::parse_json(&stdout(&assert));
    assert_eq!(listed.as_array().unwrap().len(), 50);
    assert!(stderr(&assert).contains("showing the first 50"));
}

#[test]
fn sort_orders() {
    let (repo, entries) = fixture();
    // Touch the oldest entry later than all others.
    let oldest = entries[0].1["id"].as_str().unwrap();
    repo.rep_at("2026-11-26T00:00:00Z", &["edit", oldest, "-t", "touched"])
        .success();
    assert_eq!(
        repo.list_ids(&["--sort", "created"]),
        ids(&entries, &[4, 3, 2, 1, 0])
    );
    assert_eq!(
        repo.list_ids(&["--sort", "updated"]),
        ids(&entries, &[0, 4, 3, 2, 1])
    );
    // Alphabetical, ignoring case: Find, How, Pods, Show, The.
    assert_eq!(
        repo.list_ids(&["--sort", "title"]),
        ids(&entries, &[0, 3, 2, 4, 1])
    );
    let lower = repo.add(&["tool", "apt pinning"]);
    assert_eq!(repo.list_ids(&["--sort", "title"])[0], lower);
    repo.rep(&["list", "--sort", "random"]).code(2);
}

#[test]
fn an_empty_repertoire_says_so_on_stderr_and_succeeds() {
    let repo = Repo::empty();
    let assert = repo.rep(&["list"]).success();
    assert_eq!(stdout(&assert), "");
    assert_eq!(
        stderr(&assert),
        "note: no entries yet: try `rep add tool \"A first trick\" --cmd \"...\"`\n"
    );
    let assert = repo.rep(&["list", "--json"]).success();
    assert_eq!(
        crate::support::parse_json(&stdout(&assert)),
        serde_json::json!([])
    );
    assert_eq!(stderr(&repo.rep(&["list", "-q"]).success()), "");
}

#[test]
fn no_match_for_filters_says_so() {
    let (repo, _) = fixture();
    let assert = repo.rep(&["list", "-t", "nothing"]).success();
    assert_eq!(stdout(&assert), "");
    assert_eq!(
        stderr(&assert),
        "note: no entries match these filters: drop one, or try `rep search WORDS` across everything\n"
    );
}
