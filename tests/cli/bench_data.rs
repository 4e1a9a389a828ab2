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
