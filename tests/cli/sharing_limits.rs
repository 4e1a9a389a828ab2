//! Sharing never stops (issue 12): what ordinary commands write, every teammate's rep imports;
//! history keeps cleared values; files rep could never have written are refused with the line
//! and the reason, and the database is left as it was.

use crate::support::{Repo, stderr, stdout};
use crate::trust_support::{header_line, record_line, stamp};

/// Run `rep ARGS` once per item, each as its own process as a user's shell would; stdin is fed
/// `input` when given.
fn run_each<T>(repo: &Repo, items: impl IntoIterator<Item = T>, args: impl Fn(T) -> Vec<String>) {
    for item in items {
        let args = args(item);
        let out = repo.cmd().args(&args).output().expect("rep runs");
        assert!(
            out.status.success(),
            "rep {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn run_with_stdin(repo: &Repo, args: &[&str], input: &[u8]) {
    let out = repo
        .cmd()
        .args(args)
        .write_stdin(input.to_vec())
        .output()
        .expect("rep runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn export(repo: &Repo) -> Vec<u8> {
    repo.rep(&["export", "-"])
        .success()
        .get_output()
        .stdout
        .clone()
}

/// A fresh repertoire imports `file` and gives back the same bytes.
fn assert_a_teammate_imports(file: &[u8]) -> Repo {
    let teammate = Repo::new();
    let path = teammate.path().join("shared.jsonl");
    std::fs::write(&path, file).expect("write");
    let assert = teammate.rep(&["import", path.to_str().expect("path"), "-q"]);
    let err = stderr(&assert);
    assert.code(0);
    assert!(err.is_empty(), "{err}");
    assert!(export(&teammate) == file, "the teammate's export differs");
    teammate
}

fn record_of(file: &[u8], id: &str) -> serde_json::Value {
    let text = std::str::from_utf8(file).expect("UTF-8");
    let line = text
        .lines()
        .find(|l| l.contains(&format!("\"id\":\"{id}\"")))
        .expect("the record is in the file");
    serde_json::from_str(line).expect("JSON")
}

#[test]
fn sharing_limits_a_thousand_and_one_title_edits_stay_importable() {
    let repo = Repo::new();
    let id = repo.add(&["tool", "title 0", "-q"]);
    run_each(&repo, 1..=1001, |i| {
        vec![
            "edit".into(),
            id.clone(),
            "--title".into(),
            format!("title {i}"),
            "-q".into(),
        ]
    });
    let file = export(&repo);
    let record = record_of(&file, &id);
    assert_eq!(record["title"]["value"], "title 1001");
    assert_eq!(record["revisions"].as_array().expect("history").len(), 50);
    assert_a_teammate_imports(&file);
}

#[test]
fn sharing_limits_nine_one_mib_bodies_stay_importable() {
    let repo = Repo::new();
    let id = repo.add(&["story", "big bodies", "-q"]);
    for i in 1..=9 {
        let body = format!("version {i} of a long body\n").repeat(50_000);
        run_with_stdin(
            &repo,
            &["edit", &id, "-", "-q"],
            &body.as_bytes()[..1 << 20],
        );
    }
    let file = export(&repo);
    for line in std::str::from_utf8(&file).expect("UTF-8").lines() {
        // Within the line limit of earlier versions too.
        assert!(line.len() <= 8 << 20, "a line of {} bytes", line.len());
    }
    let record = record_of(&file, &id);
    assert!(
        record["body"]["value"]
            .as_str()
            .expect("body")
            .starts_with("version 9")
    );
    assert_a_teammate_imports(&file);
}

#[test]
fn sharing_limits_tag_churn_stays_importable_and_keeps_live_tags() {
    let repo = Repo::new();
    let id = repo.add(&["tool", "tag churn", "-t", "kept", "-q"]);
    for round in 0..11 {
        let tags: Vec<String> = (0..64).map(|i| format!("r{round}-t{i}")).collect();
        repo.ok(&["edit", &id, "-t", &tags.join(","), "--untag", "kept", "-q"]);
        let mut untag = vec![
            "edit".to_owned(),
            id.clone(),
            "-q".into(),
            "-t".into(),
            "kept".into(),
        ];
        for tag in &tags {
            untag.extend(["--untag".to_owned(), tag.clone()]);
        }
        run_each(&repo, [untag], |args| args);
    }
    let file = export(&repo);
    let record = record_of(&file, &id);
    let states = record["tags"].as_object().expect("tags");
    assert_eq!(states.len(), 640, "the newest 640 tag states are kept");
    assert_eq!(states["kept"]["present"], true);
    let teammate = assert_a_teammate_imports(&file);
    let shown = teammate.entry(&id);
    assert_eq!(shown["tags"], serde_json::json!(["kept"]));
}

#[test]
fn sharing_limits_six_hundred_concurrent_edits_each_join_for_a_third_member() {
    let (ana, bob) = (Repo::new(), Repo::new());
    let id = ana.add(&["tool", "contested", "-q"]);
    let start = ana.path().join("start.jsonl");
    std::fs::write(&start, export(&ana)).expect("write");
    bob.ok(&["import", start.to_str().expect("path"), "-q"]);
    for (repo, member) in [(&ana, "ana"), (&bob, "bob")] {
        run_each(repo, 0..600, |i| {
            let title = format!("{member} {i}");
            vec![
                "--as".into(),
                member.into(),
                "edit".into(),
                id.clone(),
                "--title".into(),
                title,
                "-q".into(),
            ]
        });
    }
    for (to, from) in [(&ana, &bob), (&bob, &ana)] {
        let path = to.path().join("theirs.jsonl");
        std::fs::write(&path, export(from)).expect("write");
        to.ok(&["import", path.to_str().expect("path"), "-q"]);
    }
    let joined = export(&ana);
    assert!(
        joined == export(&bob),
        "the two members differ after the exchange"
    );
    let record = record_of(&joined, &id);
    assert_eq!(record["revisions"].as_array().expect("history").len(), 50);
    assert_a_teammate_imports(&joined);
}

#[test]
fn sharing_limits_a_cleared_value_is_history_and_travels() {
    let repo = Repo::new();
    let id = repo.add(&["tool", "cleared", "-q"]);
    repo.ok(&["edit", &id, "--cmd", "first", "-q"]);
    repo.ok(&["edit", &id, "--cmd", "", "-q"]);
    repo.ok(&["edit", &id, "--cmd", "second", "-q"]);
    let commands = |repo: &Repo| -> Vec<serde_json::Value> {
        repo.json(&["history", &id])
            .as_array()
            .expect("array")
            .iter()
            .filter(|r| r["field"] == "command")
            .map(|r| r["value"].clone())
            .collect()
    };
    let mut seen = commands(&repo);
    seen.sort_by_key(|v| v.to_string());
    // The first none (before any command) and the cleared one are both there.
    assert_eq!(
        seen,
        [
            serde_json::json!("first"),
            serde_json::json!("second"),
            serde_json::Value::Null,
            serde_json::Value::Null
        ]
    );
    let teammate = assert_a_teammate_imports(&export(&repo));
    let mut theirs = commands(&teammate);
    theirs.sort_by_key(|v| v.to_string());
    assert_eq!(theirs, seen);
}

/// A file rep must refuse: exit 1, the reason and its line named, the database unchanged.
fn assert_refused(repo: &Repo, name: &str, lines: &[String], expect: &str) {
    let before = export(repo);
    let path = repo.path().join(format!("{name}.jsonl"));
    let mut text = format!("{}\n", header_line());
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    std::fs::write(&path, text).expect("write");
    let assert = repo.rep(&["import", path.to_str().expect("path")]);
    let err = stderr(&assert);
    assert.code(1);
    assert!(err.contains(expect), "{name}: expected {expect:?} in {err}");
    assert!(
        err.contains("line ") || err.contains(" id of "),
        "{name}: {err}"
    );
    assert!(export(repo) == before, "{name}: the database changed");
}

fn reply_line(id: &str, entry: &str) -> String {
    let at = stamp(1_795_000_000_000, 0);
    format!(
        r#"{{"type":"reply","id":"{id}","entry":"{entry}","created_at":"2026-11-20T10:00:00.000Z","author":"ana","body":"an answer","accepted":{{"value":false,"at":"{at}","by":"ana"}},"deleted":{{"value":false,"at":"{at}","by":"ana"}}}}"#
    )
}

#[test]
fn sharing_limits_files_rep_never_writes_are_refused() {
    let repo = Repo::new();
    repo.add(&["tool", "already here", "-q"]);
    let good = record_line(7, 1, &[]);
    let entry_id = "00000007-0000-4000-8000-000000000001";

    let nul = good.replace("imported record 1", "imported\\u0000record");
    assert_refused(&repo, "nul", &[nul], "NUL");

    let reused = reply_line(entry_id, entry_id);
    assert_refused(
        &repo,
        "reused-id",
        &[good.clone(), reused],
        "has the id of an entry",
    );

    let links_itself = good.replace(
        r#""tags":{}"#,
        &format!(
            r#""tags":{{}},"links":{{"{entry_id} related":{{"present":true,"at":"{}"}}}}"#,
            stamp(1_795_000_000_000, 0)
        ),
    );
    assert_refused(&repo, "self-link", &[links_itself], "links to itself");

    let spaced = good.replace(r#""author":"ana""#, r#""author":" mal ""#);
    assert_refused(&repo, "spaced-member", &[spaced], "surrounding spaces");

    let ceiling = good.replace(
        &stamp(1_795_000_000_001, 0),
        "9999999999999.999999.0000000000000000000000000000feed",
    );
    assert_refused(
        &repo,
        "ceiling-stamp",
        &[ceiling],
        "hours ahead of this machine's clock",
    );

    for version in ["1.0.1", "01.0", "1", "1.01"] {
        let before = export(&repo);
        let path = repo.path().join("version.jsonl");
        let header = format!(r#"{{"format":"repertoire","version":"{version}"}}"#);
        std::fs::write(&path, format!("{header}\n{good}\n")).expect("write");
        let assert = repo.rep(&["import", path.to_str().expect("path")]);
        let err = stderr(&assert);
        assert.code(1);
        assert!(
            err.contains("unreadable format version"),
            "{version}: {err}"
        );
        assert!(export(&repo) == before);
    }
}

#[test]
fn sharing_limits_the_merge_driver_refuses_what_import_refuses() {
    let repo = Repo::new();
    let write = |name: &str, lines: &[String]| {
        let path = repo.path().join(name);
        let mut text = format!("{}\n", header_line());
        for line in lines {
            text.push_str(line);
            text.push('\n');
        }
        std::fs::write(&path, &text).expect("write");
        (path, text)
    };
    let orphan = reply_line(
        "00000009-0000-4000-8000-000000000001",
        "00000009-0000-4000-8000-0000000000ff",
    );
    let (ours, before) = write("ours.jsonl", &[record_line(8, 1, &[])]);
    let (theirs, _) = write("theirs.jsonl", &[orphan]);
    let (base, _) = write("base.jsonl", &[]);
    let assert = repo.rep(&[
        "merge-driver",
        base.to_str().expect("path"),
        ours.to_str().expect("path"),
        theirs.to_str().expect("path"),
    ]);
    let err = stderr(&assert);
    assert.code(1);
    assert!(err.contains("which is in neither file"), "{err}");
    assert_eq!(std::fs::read_to_string(&ours).expect("read"), before);
    // And import refuses the same file alone.
    let assert = repo.rep(&["import", theirs.to_str().expect("path")]);
    assert.code(1);
}

#[test]
fn sharing_limits_doctor_explains_a_clock_far_ahead() {
    let repo = Repo::new();
    let id = repo.add(&["tool", "stamped far ahead", "-q"]);
    // A database that an earlier rep let a ceiling stamp into.
    let conn = rusqlite::Connection::open(repo.db()).expect("open");
    conn.execute(
        "UPDATE entries SET deleted_at = '9999999999999.999999.0000000000000000000000000000feed' WHERE id = ?1",
        [&id],
    )
    .expect("update");
    drop(conn);
    let assert = repo.rep(&["doctor"]);
    let out = stdout(&assert);
    assert.code(1);
    assert!(out.contains("hours ahead"), "{out}");
    assert!(out.contains("wins over every later change"), "{out}");
}
