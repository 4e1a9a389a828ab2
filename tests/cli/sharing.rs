//! Sharing: export, import, history, sync through git and the merge driver, on real files.

use std::path::{Path, PathBuf};
use std::process::Command as Std;

use assert_cmd::Command;
use serde_json::Value;

/// One member's repertoire in a temp dir, with a fixed clock that tests can move.
struct Member {
    dir: PathBuf,
    name: &'static str,
    now: String,
}

impl Member {
    fn new(root: &Path, name: &'static str) -> Member {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        Member {
            dir,
            name,
            now: "2026-11-27T09:00:00Z".into(),
        }
    }

    fn at(&mut self, now: &str) -> &mut Self {
        self.now = now.into();
        self
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("rep").unwrap();
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.dir)
            .env("REP_DB", self.dir.join("rep.db"))
            .env("REP_CONFIG", self.dir.join("config.toml"))
            .env("REP_USER", self.name)
            .env("REP_NOW", &self.now)
            .env("NO_COLOR", "1");
        cmd
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "rep {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    fn add(&self, title: &str) -> String {
        self.ok(&["add", "tool", title, "-t", "shared"])
            .trim()
            .to_owned()
    }

    fn export(&self) -> Vec<u8> {
        self.cmd().args(["export", "-"]).output().unwrap().stdout
    }

    fn export_to(&self, path: &Path) {
        self.ok(&["export", path.to_str().unwrap()]);
    }
}

fn titles(member: &Member) -> Vec<String> {
    let list = member.json(&["list", "--sort", "title", "--limit", "0"]);
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn export_is_deterministic_and_round_trips() {
    let root = tempfile::tempdir().unwrap();
    let ana = Member::new(root.path(), "ana");
    ana.add("first");
    let id = ana.add("second");
    ana.ok(&[
        "edit",
        &id,
        "--title",
        "second, edited",
        "-t",
        "x",
        "--untag",
        "shared",
    ]);
    ana.ok(&["rm", &ana.add("third")]);
    let first = ana.export();
    assert_eq!(first, ana.export(), "the same state gives the same bytes");
    let text = String::from_utf8(first.clone()).unwrap();
    assert!(text.ends_with('\n') && !text.contains('\r'));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        4,
        "a header and three records, tombstone included"
    );
    assert!(lines[0].starts_with(r#"{"format":"repertoire","version":"1."#));
    let ids: Vec<String> = lines[1..]
        .iter()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "records are sorted by id");
    assert!(
        !text.contains("short_id") && !text.contains("updated_at"),
        "no derived data"
    );

    let bob = Member::new(root.path(), "bob");
    let file = root.path().join("ana.jsonl");
    ana.export_to(&file);
    let report = bob.json(&["import", file.to_str().unwrap()]);
    assert_eq!(report["added"], 3);
    assert_eq!(
        bob.export(),
        first,
        "export -> import -> export gives the same bytes"
    );
    let again = bob.json(&["import", file.to_str().unwrap()]);
    assert_eq!(
        (
            again["added"].as_u64(),
            again["updated"].as_u64(),
            again["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(3))
    );
}

#[test]
fn concurrent_edits_converge_and_the_loser_stays_in_history() {
    let root = tempfile::tempdir().unwrap();
    let mut ana = Member::new(root.path(), "ana");
    let mut bob = Member::new(root.path(), "bob");
    let id = ana.add("original");
    let a_file = root.path().join("a.jsonl");
    let b_file = root.path().join("b.jsonl");
    ana.export_to(&a_file);
    bob.ok(&["import", a_file.to_str().unwrap()]);
    ana.at("2026-11-27T10:00:00Z")
        .ok(&["edit", &id, "--title", "ana's title", "-t", "from-ana"]);
    bob.at("2026-11-27T11:00:00Z").ok(&[
        "edit",
        &id,
        "--title",
        "bob's title",
        "--untag",
        "shared",
    ]);
    ana.export_to(&a_file);
    bob.export_to(&b_file);

    let dry = ana.json(&["import", b_file.to_str().unwrap(), "--dry-run"]);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["updated"], 1);
    assert_eq!(titles(&ana), ["ana's title"], "a dry run writes nothing");

    let report = ana.json(&["import", b_file.to_str().unwrap()]);
    assert_eq!(report["lost_concurrent_edits"], 1);
    assert_eq!(
        report["changes"][0]["lost_concurrent_edits"],
        serde_json::json!(["title"])
    );
    bob.ok(&["import", a_file.to_str().unwrap()]);
    assert_eq!(ana.export(), bob.export());
    assert_eq!(titles(&ana), ["bob's title"]);
    let shown = ana.json(&["show", &id]);
    assert_eq!(
        shown["tags"],
        serde_json::json!(["from-ana"]),
        "tags merge per element"
    );

    let history = ana.json(&["history", &id]);
    let titles_seen: Vec<(&str, &str, bool)> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["field"] == "title")
        .map(|r| {
            (
                r["value"].as_str().unwrap(),
                r["by"].as_str().unwrap(),
                r["current"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        titles_seen,
        [
            ("bob's title", "bob", true),
            ("ana's title", "ana", false),
            ("original", "ana", false)
        ]
    );
}

#[test]
fn bad_files_are_rejected_with_a_line_number_and_change_nothing() {
    let root = tempfile::tempdir().unwrap();
    let ana = Member::new(root.path(), "ana");
    ana.add("kept");
    let good = root.path().join("good.jsonl");
    ana.export_to(&good);
    let good_text = std::fs::read_to_string(&good).unwrap();
    let record = good_text.lines().nth(1).unwrap().to_owned();
    let header = good_text.lines().next().unwrap().to_owned();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "not json",
            format!("{header}\nhello\n").into_bytes(),
            "line 2",
        ),
        (
            "wrong format",
            b"{\"format\":\"other\",\"version\":\"1.0\"}\n".to_vec(),
            "line 1",
        ),
        (
            "newer major",
            b"{\"format\":\"repertoire\",\"version\":\"2.0\"}\n".to_vec(),
            "newer",
        ),
        (
            "truncated",
            good_text.as_bytes()[..good_text.len() - 20].to_vec(),
            "truncated",
        ),
        (
            "invalid utf-8",
            [format!("{header}\n").as_bytes(), b"\xff\xfe\n"].concat(),
            "UTF-8",
        ),
        (
            "duplicate id",
            format!("{header}\n{record}\n{record}\n").into_bytes(),
            "twice",
        ),
        (
            "conflict markers",
            format!("{header}\n<<<<<<< HEAD\n{record}\n=======\n").into_bytes(),
            "conflict marker",
        ),
        (
            "missing field",
            format!("{header}\n{}\n", record.replace("\"author\":\"ana\",", "")).into_bytes(),
            "author",
        ),
        (
            "hostile domain",
            format!(
                "{header}\n{}\n",
                record.replace("\"value\":\"general\"", "\"value\":\"../../etc\"")
            )
            .into_bytes(),
            "domain",
        ),
    ];
    let bob = Member::new(root.path(), "bob");
    bob.add("bob's own");
    let before = bob.export();
    for (name, bytes, expected) in cases {
        let path = root.path().join("bad.jsonl");
        std::fs::write(&path, &bytes).unwrap();
        let out = bob
            .cmd()
            .args(["import", path.to_str().unwrap()])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{name}: expected {expected:?} in {stderr}"
        );
        assert_eq!(bob.export(), before, "{name}: the database changed");
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Std::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn three_members_sync_through_a_bare_remote_and_converge() {
    let root = tempfile::tempdir().unwrap();
    let remote = root.path().join("remote.git");
    git(
        root.path(),
        &["init", "-q", "--bare", remote.to_str().unwrap()],
    );
    let mut members: Vec<Member> = ["ana", "bob", "cy"]
        .iter()
        .map(|n| Member::new(root.path(), n))
        .collect();
    for m in &members {
        m.ok(&["remote", "set", remote.to_str().unwrap()]);
    }
    let shared = members[0].add("shared trick");
    members[0].ok(&["sync"]);
    members[1].ok(&["sync"]);
    members[2].ok(&["sync"]);
    // Concurrent work: same entry edited by two, another deleted, new entries everywhere.
    members[0]
        .at("2026-11-27T10:00:00Z")
        .ok(&["edit", &shared, "-m", "ana's body"]);
    members[1]
        .at("2026-11-27T10:00:00Z")
        .ok(&["edit", &shared, "-m", "bob's body", "-t", "bob"]);
    let doomed = members[1].add("to be deleted");
    members[2].add("cy's note");
    for round in 0..2 {
        for m in &members {
            let report = m.json(&["sync"]);
            assert_eq!(report["pushed"], true, "round {round}");
        }
    }
    members[2].ok(&["rm", &doomed]);
    for m in &members {
        m.ok(&["sync"]);
    }
    for m in &members {
        m.ok(&["sync"]);
    }
    let exports: Vec<Vec<u8>> = members.iter().map(Member::export).collect();
    assert_eq!(exports[0], exports[1]);
    assert_eq!(exports[1], exports[2]);
    assert_eq!(titles(&members[0]), ["cy's note", "shared trick"]);
    let body = members[0].json(&["show", &shared])["body"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(body == "ana's body" || body == "bob's body");
    let history = members[0].json(&["history", &shared]);
    let bodies: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["field"] == "body")
        .filter_map(|r| r["value"].as_str())
        .collect();
    assert!(
        bodies.contains(&"ana's body") && bodies.contains(&"bob's body"),
        "{bodies:?}"
    );
    let file = git(&remote, &["show", "main:repertoire.jsonl"]);
    assert!(!file.contains("<<<<<<<") && !file.contains(">>>>>>>"));
    assert_eq!(
        file.as_bytes(),
        exports[0].as_slice(),
        "the remote holds the converged file"
    );
}

#[test]
fn sync_fails_cleanly_without_git_or_remote() {
    let root = tempfile::tempdir().unwrap();
    let ana = Member::new(root.path(), "ana");
    ana.add("kept");
    let before = ana.export();
    let out = ana.cmd().arg("sync").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "no remote is a usage error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("rep remote set"));

    ana.ok(&[
        "remote",
        "set",
        root.path().join("nowhere.git").to_str().unwrap(),
    ]);
    let out = ana.cmd().arg("sync").output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(ana.export(), before);

    let out = ana
        .cmd()
        .env("PATH", root.path())
        .arg("sync")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("git is not installed"));
    assert_eq!(ana.export(), before);
}

#[test]
fn merge_driver_joins_branches_without_conflict_markers() {
    let root = tempfile::tempdir().unwrap();
    let repo = root.path().join("project");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["config", "user.email", "t@example.invalid"]);
    git(&repo, &["config", "user.name", "t"]);
    let mut ana = Member::new(root.path(), "ana");
    let mut bob = Member::new(root.path(), "bob");
    let id = ana.add("base entry");
    let file = repo.join("repertoire.jsonl");
    ana.export_to(&file);
    // git-setup needs `rep` on PATH for the driver: put the test binary's folder first.
    let bin_dir = assert_cmd::cargo::cargo_bin("rep")
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
    let out = ana
        .cmd()
        .current_dir(&repo)
        .arg("git-setup")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "base"]);
    bob.ok(&["import", file.to_str().unwrap()]);

    git(&repo, &["checkout", "-qb", "bob"]);
    bob.at("2026-11-27T11:00:00Z")
        .ok(&["edit", &id, "--title", "bob's title"]);
    bob.add("bob's entry");
    bob.export_to(&file);
    git(&repo, &["commit", "-qam", "bob"]);
    git(&repo, &["checkout", "-q", "main"]);
    ana.at("2026-11-27T10:00:00Z")
        .ok(&["edit", &id, "-m", "ana's body"]);
    ana.add("ana's entry");
    ana.export_to(&file);
    git(&repo, &["commit", "-qam", "ana"]);
    let merge = Std::new("git")
        .arg("-C")
        .arg(&repo)
        .env("PATH", &path)
        .args(["merge", "-q", "bob", "-m", "merge"])
        .output()
        .unwrap();
    assert!(
        merge.status.success(),
        "{}",
        String::from_utf8_lossy(&merge.stderr)
    );
    let merged = std::fs::read_to_string(&file).unwrap();
    assert!(!merged.contains("<<<<<<<"));
    let carol = Member::new(root.path(), "carol");
    carol.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(
        titles(&carol),
        ["ana's entry", "bob's entry", "bob's title"]
    );
    assert_eq!(carol.json(&["show", &id])["body"], "ana's body");

    // Swapping the sides gives the same bytes.
    let (a, b) = (root.path().join("a.jsonl"), root.path().join("b.jsonl"));
    ana.export_to(&a);
    bob.export_to(&b);
    let (a2, b2) = (root.path().join("a2.jsonl"), root.path().join("b2.jsonl"));
    std::fs::copy(&a, &a2).unwrap();
    std::fs::copy(&b, &b2).unwrap();
    let base = root.path().join("base.jsonl");
    std::fs::write(&base, "").unwrap();
    ana.ok(&[
        "merge-driver",
        base.to_str().unwrap(),
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    ana.ok(&[
        "merge-driver",
        base.to_str().unwrap(),
        b2.to_str().unwrap(),
        a2.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b2).unwrap());

    // A side that does not parse leaves git's conflict: exit 1, file untouched.
    std::fs::write(&b, "garbage\n").unwrap();
    let before = std::fs::read(&a).unwrap();
    let out = ana
        .cmd()
        .args([
            "merge-driver",
            base.to_str().unwrap(),
            a.to_str().unwrap(),
            b.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read(&a).unwrap(), before);
}
