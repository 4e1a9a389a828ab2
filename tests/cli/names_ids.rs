//! What people read about records: counts in the singular for one, ids as their shortest
//! unique prefix everywhere, and an import that says as much as it is asked to.

use crate::support::{Repo, stderr, stdout};

#[test]
fn one_of_a_thing_reads_in_the_singular() {
    let repo = Repo::new();
    let q = repo.add(&["question", "Why does the VPN drop?"]);
    let err = stderr(&repo.rep(&["seen", &q, "--as", "bo"]).success());
    let short = repo.short_id(&q);
    assert_eq!(
        err,
        format!("seen 1 time by 1 member: {short} Why does the VPN drop?\n")
    );
    let answer = repo.answer_at(crate::support::NOW, "bo", &q, "restart the tunnel");
    let helped = stderr(&repo.rep(&["helped", &answer, "--as", "cy"]).success());
    assert_eq!(helped, "noted: it helped 1 member so far\n");
    let shown = stdout(&repo.rep(&["show", &q]).success());
    assert!(
        shown.contains("seen      1 time by 1 member, last"),
        "{shown}"
    );
    assert!(shown.contains("\n1 reply\n"), "{shown}");
    assert!(!shown.contains("1 replies"), "{shown}");
}

/// An exchange file with two entries whose ids share their first six characters: the import
/// table must show seven to tell them apart, and four for an id that shares nothing.
fn close_ids(repo: &Repo) -> std::path::PathBuf {
    let file = repo.path().join("close.jsonl");
    let entry = |id: &str, title: &str| {
        let field = |v: &str| {
            format!(
                r#"{{"value":{v},"at":"1795770000000.000000.fef6c77815ef4abb96a8acadbacd1eac","by":"ana"}}"#
            )
        };
        format!(
            r#"{{"type":"entry","id":"{id}","created_at":"2026-11-27T09:00:00.000Z","author":"ana","kind":{},"title":{},"body":{},"domain":{},"command":{},"link":{},"deleted":{},"tags":{{}}}}"#,
            field("\"tool\""),
            field(&format!("\"{title}\"")),
            field("\"\""),
            field("\"general\""),
            field("null"),
            field("null"),
            field("false")
        )
    };
    let text = [
        r#"{"format":"repertoire","version":"1.0"}"#.to_owned(),
        entry("12345678-0000-4000-8000-000000000003", "third"),
        entry("abcdef01-0000-4000-8000-000000000001", "first"),
        entry("abcdef02-0000-4000-8000-000000000002", "second"),
    ]
    .join("\n");
    std::fs::write(&file, text + "\n").unwrap();
    file
}

#[test]
fn import_shows_the_summary_the_table_only_when_verbose_and_nothing_when_quiet() {
    let repo = Repo::new();
    let file = close_ids(&repo);
    let file = file.to_str().unwrap();

    let plain = repo.rep(&["import", file, "--dry-run"]).success();
    assert_eq!(stdout(&plain), "", "no table without --verbose");
    assert_eq!(
        stderr(&plain),
        "would add 3, would update 0, 0 unchanged, 0 with a lost concurrent edit \
         (kept in `rep history`); nothing was written (dry run)\n"
    );

    let quiet = repo.rep(&["import", file, "--dry-run", "-q"]).success();
    assert_eq!(
        (stdout(&quiet), stderr(&quiet)),
        (String::new(), String::new())
    );

    let verbose = repo.rep(&["import", file, "-v"]).success();
    insta::assert_snapshot!(stdout(&verbose), @r"
    ID        OUTCOME  TITLE   LOST CONCURRENT EDIT
    1234      added    third
    abcdef01  added    first
    abcdef02  added    second
    ");
}

#[test]
fn import_of_a_folder_without_from_names_the_formats() {
    let repo = Repo::new();
    std::fs::create_dir(repo.path().join("pages")).unwrap();
    let err = stderr(&repo.rep(&["import", "pages"]).code(2));
    insta::assert_snapshot!(err, @r"
    error: pages is a folder, and an exchange file is one file
    hint: to read another tool's folder, name its format: --from tldr, --from navi, --from cheat, --from pet, --from markdown
    ");
    assert!(!repo.db().exists(), "nothing was created");
}

#[test]
fn a_reply_id_given_for_an_entry_hints_at_the_entry_by_its_short_id() {
    let repo = Repo::new();
    let q = repo.add(&["question", "Why does the VPN drop?"]);
    let answer = repo.answer_at(crate::support::NOW, "bo", &q, "restart the tunnel");
    let err = repo.fails(&["seen", &answer]);
    assert!(
        err.contains(&format!(
            "hint: the entry it answers is {}\n",
            repo.short_id(&q)
        )),
        "{err}"
    );
}

#[test]
fn a_duplicate_forwards_its_status_and_occurrences_to_the_original() {
    let repo = Repo::new();
    let original = repo.add_at(
        "2026-10-01T09:00:00Z",
        &["question", "How do I rotate the certs?", "-d", "k8s"],
    );
    let duplicate = repo.add_at(
        "2026-10-02T09:00:00Z",
        &[
            "question",
            "Rotating certificates?",
            "-d",
            "k8s",
            "--as",
            "bo",
        ],
    );
    repo.rep_at(
        "2026-10-02T10:00:00Z",
        &["link", &duplicate, &original, "--kind", "duplicate"],
    )
    .success();

    // Seen on the duplicate counts on the original, and says so.
    let seen = repo.rep(&["seen", &duplicate, "--as", "cy"]).success();
    let (d, o) = (repo.short_id(&duplicate), repo.short_id(&original));
    assert_eq!(
        stderr(&seen),
        format!(
            "{d} is a duplicate of {o}: counted there\n\
             seen 1 time by 1 member: {o} How do I rotate the certs?\n"
        )
    );
    assert_eq!(repo.json(&["show", &original])["occurrences"]["count"], 1);
    assert_eq!(repo.json(&["show", &duplicate])["occurrences"]["count"], 0);
    assert_eq!(repo.json(&["show", &duplicate])["status"], "duplicate");

    // Not open: neither in the map nor at the top of the gaps.
    let gaps = repo.json(&["gaps"]);
    let unanswered: Vec<&str> = gaps
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["kind"] == "unanswered")
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    assert_eq!(unanswered, [original.as_str()]);
    let map = repo.json(&["map"]);
    let k8s = map["domains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["domain"] == "k8s")
        .unwrap()
        .clone();
    assert_eq!(k8s["open_questions"], 1, "{k8s}");
}

#[test]
fn a_deleted_question_shows_one_status_and_no_invitation_to_answer() {
    let repo = Repo::new();
    let q = repo.add(&["question", "Why does the VPN drop?"]);
    repo.rep(&["rm", &q]).success();
    let shown = stdout(&repo.rep(&["show", &q]).success());
    assert_eq!(shown.matches("status").count(), 1, "{shown}");
    assert!(shown.contains("status    deleted"), "{shown}");
    assert!(!shown.contains("rep answer"), "{shown}");
}

/// `rep man` says which MANPATH line to add when man does not look where it wrote, as
/// `manpath` tells (here a stand-in that prints a fixed search path).
#[test]
fn man_prints_the_manpath_line_when_man_does_not_look_there() {
    let repo = Repo::new();
    let bin = repo.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let manpath = bin.join("manpath");
    let write_manpath = |dirs: &str| {
        std::fs::write(&manpath, format!("#!/bin/sh\necho '{dirs}'\n")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&manpath, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let root = repo.home().join(".local/share/man");

    write_manpath("/usr/share/man");
    let err = stderr(&repo.cmd().env("PATH", &path).arg("man").assert().success());
    let home = repo.home().display().to_string();
    // The number of pages grows with the commands: not what this test is about.
    let pages = std::fs::read_dir(root.join("man1")).unwrap().count();
    let err = err.replacen(&format!("wrote {pages} "), "wrote N ", 1);
    insta::assert_snapshot!(err.replace(&home, "~").replace(&repo.path().display().to_string(), "<tmp>"), @r#"
    wrote N man pages; try `man rep` (or `man -l ~/.local/share/man/man1/rep.1`)
    man does not look in ~/.local/share/man yet: add this line to your shell's startup file
      export MANPATH="~/.local/share/man:"
    "#);

    write_manpath(&format!("/usr/share/man:{}", root.display()));
    let err = stderr(&repo.cmd().env("PATH", &path).arg("man").assert().success());
    assert!(!err.contains("MANPATH"), "{err}");
}

/// At 80 columns members and map fit the width: the finer columns go first and cells wrap
/// between words, never inside one; at 120 more columns stay.
#[test]
fn members_and_map_fit_80_and_120_columns_without_splitting_words() {
    let repo = Repo::new();
    for domain in [
        "postgres/replication",
        "kubernetes/networking",
        "observability",
    ] {
        repo.add(&[
            "tool",
            &format!("t {domain}"),
            "-d",
            domain,
            "--as",
            "alexandra.konstantinopoulou",
        ]);
        repo.add(&["tool", &format!("u {domain}"), "-d", domain, "--as", "bo"]);
    }
    let words: Vec<String> = [
        "alexandra.konstantinopoulou",
        "kubernetes/networking",
        "postgres/replication",
    ]
    .map(String::from)
    .to_vec();
    for width in [80usize, 120] {
        for command in ["members", "map"] {
            let out = stdout(
                &repo
                    .cmd()
                    .env("COLUMNS", width.to_string())
                    .arg(command)
                    .assert()
                    .success(),
            );
            for line in out.lines() {
                assert!(
                    line.chars().count() <= width,
                    "{command} at {width}: {line:?}"
                );
            }
            for word in &words {
                if out.contains(&word[..8]) {
                    assert!(
                        out.contains(word.as_str()),
                        "{command} at {width} split {word}: {out}"
                    );
                }
            }
            insta::assert_snapshot!(format!("{command}_at_{width}_columns"), out);
        }
    }
}

/// A search that found nothing is suggested as `rep add` with the words as the member typed
/// them: in their order, and as typed when the search was corrected.
#[test]
fn search_miss_gaps_suggest_the_words_as_typed() {
    let repo = Repo::new();
    repo.add(&["tool", "Rotate the TLS certificates", "-d", "k8s"]);
    repo.rep(&["search", "zero", "downtime", "deploys"])
        .success();
    repo.rep(&["search", "deploys", "downtime", "zero"])
        .success();
    let gaps = repo.json(&["gaps"]);
    let misses: Vec<(&str, &str)> = gaps
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["kind"] == "search_miss")
        .map(|g| {
            (
                g["subject"].as_str().unwrap(),
                g["command"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        misses,
        [(
            "deploy downtime zero",
            "rep add tool \"zero downtime deploys\""
        )],
        "one gap (the same words), suggested as first typed"
    );
    repo.rep(&["search", "it's", "$HOME"]).success();
    let gaps = repo.json(&["gaps"]);
    let quoted = gaps
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kind"] == "search_miss" && g["subject"] != "deploy downtime zero")
        .unwrap();
    assert_eq!(quoted["command"], "rep add tool 'it'\\''s $HOME'");
}
