//! `rep link` and `rep review`, staleness in `show` and `list --stale`, and the sharing of every
//! record of the practice through export and import.

use serde_json::Value;

use crate::support::{NOW, Repo, stderr};

fn links(repo: &Repo, id: &str) -> Vec<(String, String, String)> {
    repo.json(&["show", id])["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().unwrap().to_owned(),
                l["direction"].as_str().unwrap().to_owned(),
                l["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn link(kind: &str, direction: &str, id: &str) -> (String, String, String) {
    (kind.into(), direction.into(), id.into())
}

#[test]
fn a_duplicate_forwards_to_its_original() {
    let repo = Repo::new();
    let original = repo.add(&["question", "How do we rotate the staging certs?"]);
    let dup = repo.add(&["question", "Staging certs expired again"]);
    let thread = repo.json(&["link", &dup, &original[..6], "--kind", "duplicate"]);
    assert_eq!(thread["id"], dup.as_str());
    assert_eq!(links(&repo, &dup), [link("duplicate", "to", &original)]);
    assert_eq!(links(&repo, &original), [link("duplicate", "from", &dup)]);
    let out = repo.ok(&["show", &dup]);
    assert!(
        out.starts_with(&format!(
            "→ duplicate of {o}: How do we rotate the staging certs?  (rep show {o})\n",
            o = &original[..4]
        )),
        "{out}"
    );
    let out = repo.ok(&["show", &original]);
    assert!(
        out.contains(&format!(
            "\nduplicate {} Staging certs expired again\n",
            &dup[..4]
        )),
        "{out}"
    );
    // Linking again changes nothing; --remove takes it away.
    repo.rep(&["link", &dup, &original, "--kind", "duplicate"])
        .success();
    assert_eq!(links(&repo, &dup).len(), 1);
    let err = stderr(
        &repo
            .rep(&["link", &dup, &original, "--kind", "duplicate", "--remove"])
            .success(),
    );
    assert!(
        err.contains(&format!(
            "unlinked {} Staging certs expired again (duplicate)",
            &dup[..4]
        )),
        "{err}"
    );
    assert_eq!(links(&repo, &dup), []);
    assert!(!repo.ok(&["show", &dup]).contains("duplicate of"));
    // Removing what is not there is not an error.
    repo.rep(&["link", &dup, &original, "--kind", "related", "--remove"])
        .success();
}

#[test]
fn a_superseded_entry_points_to_the_newer_one_and_is_stale() {
    let repo = Repo::new();
    let old = repo.add(&[
        "tool",
        "Find what holds a lock",
        "--cmd",
        "SELECT * FROM pg_locks",
    ]);
    let new = repo.add(&[
        "tool",
        "Find lock chains",
        "--cmd",
        "SELECT pg_blocking_pids(pid)",
    ]);
    assert_eq!(repo.json(&["show", &old])["stale"], false);
    repo.rep(&["link", &new, &old, "--kind", "supersedes"])
        .success();
    let shown = repo.json(&["show", &old]);
    assert_eq!(shown["stale"], true);
    assert_eq!(repo.json(&["show", &new])["stale"], false);
    let out = repo.ok(&["show", &old]);
    assert!(
        out.starts_with(&format!(
            "→ superseded by {n}: Find lock chains  (rep show {n})\n",
            n = &new[..4]
        )),
        "{out}"
    );
    assert!(
        out.contains(
            "stale     past its review interval or superseded: `rep review ID` if still true\n"
        ),
        "{out}"
    );
    let out = repo.ok(&["show", &new]);
    assert!(
        out.contains(&format!(
            "\nsupersedes {} Find what holds a lock\n",
            &old[..4]
        )),
        "{out}"
    );
    assert_eq!(repo.list_ids(&["--stale"]), [old.as_str()]);
    // A deleted newer entry supersedes nothing.
    repo.rep(&["rm", &new]).success();
    assert_eq!(repo.json(&["show", &old])["stale"], false);
    assert_eq!(repo.list_ids(&["--stale"]), Vec::<String>::new());
}

#[test]
fn related_links_both_ways_and_self_links_are_refused() {
    let repo = Repo::new();
    let a = repo.add(&["tool", "Find what holds a lock"]);
    let b = repo.add(&["story", "The night the WAL filled the disk"]);
    repo.rep(&["link", &a, &b, "--kind", "related"]).success();
    assert_eq!(links(&repo, &a), [link("related", "to", &b)]);
    assert_eq!(links(&repo, &b), [link("related", "from", &a)]);
    let out = repo.ok(&["show", &b]);
    assert!(
        out.contains(&format!("related   {} Find what holds a lock", &a[..4])),
        "{out}"
    );
    let err = repo.fails(&["link", &a, &a[..5], "--kind", "related"]);
    assert!(
        err.contains("error: an entry cannot link to itself"),
        "{err}"
    );
    assert_eq!(
        repo.rep(&["link", &a, &b, "--kind", "sideways"])
            .code(2)
            .get_output()
            .status
            .code(),
        Some(2)
    );
    repo.rep(&["link", &a, &b]).code(2);
    let err = repo.fails(&["link", &a, "0000", "--kind", "related"]);
    assert!(err.contains("no entry has an id starting with"), "{err}");
    repo.rep(&["rm", &b]).success();
    let err = repo.fails(&["link", &a, &b, "--kind", "duplicate"]);
    assert!(err.contains("is deleted"), "{err}");
    // The link to a deleted entry is not shown.
    assert_eq!(links(&repo, &a), []);
}

#[test]
fn review_resets_staleness_and_list_stale_follows_the_interval() {
    let repo = Repo::new();
    let old = repo.add_at("2026-01-10T09:00:00Z", &["tool", "Old trick"]);
    let recent = repo.add_at("2026-11-01T09:00:00Z", &["tool", "Recent trick"]);
    // 180 days after 2026-01-10 is 2026-07-09.
    assert_eq!(repo.list_ids(&["--stale"]), [old.as_str()]);
    assert_eq!(repo.json(&["show", &old])["stale"], true);
    assert_eq!(repo.json(&["show", &recent])["stale"], false);
    let stale_at = |now: &str| -> Vec<String> {
        crate::support::ids_of(&crate::support::parse_json(&crate::support::stdout(
            &repo.rep_at(now, &["list", "--stale", "--json"]).success(),
        )))
    };
    assert_eq!(stale_at("2026-07-09T09:00:00Z"), Vec::<String>::new());
    assert_eq!(stale_at("2026-07-09T09:00:01Z"), [old.as_str()]);

    let thread = repo.json(&["review", &old, "--as", "bo"]);
    assert_eq!(thread["reviewed_at"], NOW);
    assert_eq!(thread["reviewed_by"], "bo");
    assert_eq!(thread["stale"], false);
    let out = repo.ok(&["show", &old]);
    assert!(
        out.contains("reviewed  2026-11-27 09:00:00 by bo\n"),
        "{out}"
    );
    assert!(!out.contains("stale "), "{out}");
    assert_eq!(repo.list_ids(&["--stale"]), Vec::<String>::new());
    // Half a year later both are stale again; the table says so too.
    let later = "2027-06-01T00:00:00Z";
    assert_eq!(stale_at(later), [recent.clone(), old.clone()]);
    let shown = crate::support::parse_json(&crate::support::stdout(
        &repo.rep_at(later, &["show", &old, "--json"]).success(),
    ));
    assert_eq!(shown["stale"], true);
    // A shorter interval from the config.
    repo.write_config("[review]\ninterval_days = 20\n");
    assert_eq!(repo.list_ids(&["--stale"]), [recent.as_str()]);
    assert_eq!(repo.json(&["show", &recent])["stale"], true);
    let out = crate::support::stdout(&repo.rep(&["list", "--stale", "--kind", "story"]).success());
    assert_eq!(out, "");
}

/// Everything the practice records travels: replies, acceptance, endorsements, occurrences,
/// links, reviews and resolution, and the two sides agree on every field of `rep show`.
#[test]
fn export_and_import_carry_every_record_of_the_practice() {
    let a = Repo::new();
    let q = a.add_at(
        "2026-11-20T10:00:00Z",
        &["question", "How do we rotate the staging certs?"],
    );
    let tool = a.add_at(
        "2026-11-20T10:30:00Z",
        &["tool", "List certificate expiry dates"],
    );
    let p = a.add_at(
        "2026-11-20T10:40:00Z",
        &["problem", "The VPN drops every hour"],
    );
    let r1 = a.answer_at("2026-11-20T11:00:00Z", "bo", &q, "Run `cmctl renew`.");
    let r2 = a.answer_at("2026-11-20T12:00:00Z", "cy", &q, "Delete the secret.");
    a.rep_at("2026-11-20T13:00:00Z", &["accept", &r1]).success();
    a.rep_at("2026-11-20T14:00:00Z", &["helped", &r2, "--as", "dan"])
        .success();
    a.rep_at("2026-11-20T14:30:00Z", &["helped", &tool, "--as", "bo"])
        .success();
    for (at, m) in [
        ("2026-11-21T09:00:00Z", "ana"),
        ("2026-11-22T09:00:00Z", "bo"),
    ] {
        a.rep_at(at, &["seen", &q, "--as", m, "-m", "again"])
            .success();
    }
    a.rep_at(
        "2026-11-23T09:00:00Z",
        &["link", &q, &tool, "--kind", "related"],
    )
    .success();
    a.rep_at("2026-11-24T09:00:00Z", &["review", &tool, "--as", "cy"])
        .success();
    a.rep_at(
        "2026-11-25T09:00:00Z",
        &["resolve", &p, "-m", "fixed upstream"],
    )
    .success();

    let file = a.path().join("out.jsonl");
    let summary = a.json(&["export", file.to_str().unwrap()]);
    assert_eq!(summary["entries"], 3);
    assert_eq!(summary["replies"], 3);
    let b = Repo::new();
    let report = b.json(&["import", file.to_str().unwrap()]);
    assert_eq!(report["added"], 6);
    assert_eq!(report["updated"], 0);
    assert_eq!(report["dry_run"], false);
    let types: Vec<&str> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(types.iter().filter(|t| **t == "reply").count(), 3);
    for id in [&q, &tool, &p] {
        let here: Value = a.json(&["show", id]);
        let there: Value = b.json(&["show", id]);
        assert_eq!(here, there, "show {id} differs after import");
    }
    let there = b.json(&["show", &q]);
    assert_eq!(there["status"], "resolved");
    assert_eq!(there["replies"][0]["accepted"], true);
    assert_eq!(there["replies"][1]["helped"], 1);
    assert_eq!(there["occurrences"]["count"], 2);
    assert_eq!(there["occurrences"]["members"], 2);
    assert_eq!(there["links"][0]["id"], tool.as_str());
    let tool_there = b.json(&["show", &tool]);
    assert_eq!(tool_there["helped"], 1);
    assert_eq!(tool_there["reviewed_by"], "cy");
    assert_eq!(tool_there["reviewed_at"], "2026-11-24T09:00:00Z");
    assert_eq!(b.json(&["show", &p])["status"], "resolved");
    assert_eq!(a.json(&["members"]), b.json(&["members"]));
    // Byte-identical exports, and importing again changes nothing.
    let file_b = b.path().join("out.jsonl");
    b.ok(&["export", file_b.to_str().unwrap()]);
    assert_eq!(
        std::fs::read(&file).unwrap(),
        std::fs::read(&file_b).unwrap()
    );
    let again = b.json(&["import", file.to_str().unwrap()]);
    assert_eq!(
        (again["added"].clone(), again["updated"].clone()),
        (0.into(), 0.into())
    );
    assert_eq!(again["unchanged"], 6);

    // Changes on the other side come back: a reopen, another occurrence, a new reply.
    b.rep_at("2026-11-26T09:00:00Z", &["reopen", &p, "--as", "bo"])
        .success();
    b.rep_at("2026-11-26T10:00:00Z", &["seen", &q, "--as", "cy"])
        .success();
    let r3 = b.answer_at("2026-11-26T11:00:00Z", "cy", &q, "Or wait for Friday.");
    b.ok(&["export", file_b.to_str().unwrap()]);
    let back = a.json(&["import", file_b.to_str().unwrap()]);
    assert_eq!(back["added"], 1);
    assert_eq!(back["updated"], 2);
    let here = a.json(&["show", &q]);
    assert_eq!(here["occurrences"]["count"], 3);
    assert_eq!(here["recurring"], true);
    assert_eq!(here["replies"][2]["id"], r3.as_str());
    assert_eq!(a.json(&["show", &p])["status"], "answered");
    for id in [&q, &tool, &p] {
        assert_eq!(a.json(&["show", id]), b.json(&["show", id]), "{id}");
    }
}
