//! bench/make_entries.py on a fresh clone: benchmark data from any folder of tldr pages, loaded
//! through bench/make_export.py and `rep import` as the bench scripts do.

use std::process::Command;

use crate::support::{Repo, runs, tool_available};

#[test]
fn the_bench_generator_makes_entries_from_the_pages_in_the_repository() {
    if !tool_available("python3", runs("python3", &["-c", "pass"])) {
        return;
    }
    let repo = Repo::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let pages = root.join("tests/fixtures/foreign/tldr/pages");
    let entries = repo.path().join("entries.jsonl");
    let generate = |out: &std::path::Path| {
        let made = Command::new("python3")
            .arg(root.join("bench/make_entries.py"))
            .arg("--pages")
            .arg(&pages)
            .args(["-n", "40", "--community", "--members", "5", "-o"])
            .arg(out)
            .env_remove("REP_CORPUS")
            .output()
            .unwrap();
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
        String::from_utf8_lossy(&made.stderr).into_owned()
    };
    let said = generate(&entries);
    assert!(said.contains("13 pages from"), "{said}");
    let text = std::fs::read_to_string(&entries).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 40);
    assert!(
        lines
            .iter()
            .any(|e| e["title"].as_str().unwrap().ends_with(" ~2"))
    );
    assert!(lines.iter().any(|e| e["kind"] != "tool"));
    assert!(
        lines
            .iter()
            .all(|e| e["author"].as_str().unwrap().starts_with("member"))
    );
    let again = repo.path().join("again.jsonl");
    generate(&again);
    assert_eq!(
        std::fs::read(&again).unwrap(),
        text.as_bytes(),
        "deterministic"
    );

    let exchange = repo.path().join("import.jsonl");
    let exported = Command::new("python3")
        .arg(root.join("bench/make_export.py"))
        .arg(&entries)
        .arg("-o")
        .arg(&exchange)
        .status()
        .unwrap();
    assert!(exported.success());
    let report = repo.json(&["import", exchange.to_str().unwrap()]);
    assert_eq!(report["added"], 40, "{report}");
}

#[test]
fn the_page_comparison_counts_the_pages_a_write_changed_by_their_owner() {
    if !tool_available("python3", runs("python3", &["-c", "pass"])) {
        return;
    }
    let repo = Repo::new();
    repo.add(&["tool", "First", "-d", "ops", "--cmd", "true"]);
    let checkpoint = |db: &std::path::Path| {
        let done = Command::new("python3")
            .args([
                "-c",
                "import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute('PRAGMA wal_checkpoint(TRUNCATE)')",
            ])
            .arg(db)
            .status()
            .unwrap();
        assert!(done.success());
    };
    checkpoint(&repo.db());
    let before = repo.path().join("before.db");
    std::fs::copy(repo.db(), &before).unwrap();
    let compare = || {
        let out = Command::new("python3")
            .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/page_diff.py"))
            .arg(&before)
            .arg(repo.db())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(compare().starts_with("0 pages"), "{}", compare());
    repo.add(&["tool", "Second", "-d", "ops", "--cmd", "false"]);
    checkpoint(&repo.db());
    let report = compare();
    let changed: usize = report.split(' ').next().unwrap().parse().unwrap();
    assert!(changed > 0, "{report}");
    assert!(report.lines().any(|l| l.ends_with("  entries")), "{report}");
    let counted: usize = report
        .lines()
        .skip(1)
        .map(|l| {
            l.split_whitespace()
                .next()
                .unwrap()
                .parse::<usize>()
                .unwrap()
        })
        .sum();
    assert_eq!(counted, changed, "{report}");
}
