//! `rep import --from` and `rep export --format navi|tldr`: every tldr page of the shared corpus,
//! and small fixtures (malformed ones included) for navi, cheat, pet and Markdown notes.
// Helpers panic on purpose: a failed step is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// One member's repertoire in its own temp dir, with a cleared environment and a fixed clock.
struct Rep {
    dir: tempfile::TempDir,
    user: &'static str,
}

impl Rep {
    fn new(user: &'static str) -> Rep {
        Rep {
            dir: tempfile::tempdir().unwrap(),
            user,
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("rep").unwrap();
        cmd.env_clear()
            .env("REP_DB", self.dir.path().join("rep.db"))
            .env("REP_CONFIG", self.dir.path().join("config.toml"))
            .env("REP_USER", self.user)
            .env("REP_NOW", "2026-03-01T12:00:00Z")
            .env("NO_COLOR", "1")
            .args(args);
        cmd
    }

    /// Run with `--json`, expect success, parse stdout.
    fn json(&self, args: &[&str]) -> Value {
        let out = self.cmd(args).arg("--json").assert().success();
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn entries(&self) -> Vec<Value> {
        self.json(&["list", "--limit", "0"])
            .as_array()
            .unwrap()
            .clone()
    }
}

/// The tldr pages written for these tests: `pages/<platform>/` in English and a `pages.de`
/// translation folder, as the tldr repository lays them out.
fn tldr_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/foreign/tldr")
}

/// The whole tldr corpus (7,425 English pages), only where `REP_CORPUS` names the folder that
/// holds `tldr/pages` (CI sets it where ../shared/corpus exists). Without it the test says so on
/// stderr; with it set to a folder without the pages, the test fails.
fn corpus() -> Option<PathBuf> {
    let Some(root) = std::env::var_os("REP_CORPUS").filter(|v| !v.is_empty()) else {
        eprintln!(
            "not run: the whole-corpus tldr test needs REP_CORPUS=/path/to/corpus (the folder holding tldr/pages)"
        );
        return None;
    };
    let pages = PathBuf::from(root).join("tldr/pages");
    assert!(
        pages.is_dir(),
        "REP_CORPUS is set but {} is not a folder of tldr pages",
        pages.display()
    );
    Some(pages)
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/foreign")
        .join(name)
        .display()
        .to_string()
}

fn by_title<'a>(entries: &'a [Value], title: &str) -> &'a Value {
    entries
        .iter()
        .find(|e| e["title"] == title)
        .unwrap_or_else(|| panic!("no entry titled {title:?}"))
}

fn skip_reasons(report: &Value) -> Vec<(String, Option<String>, String)> {
    report["skips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let path = s["path"].as_str().unwrap();
            let file = path.rsplit('/').next().unwrap().to_owned();
            (
                file,
                s["item"].as_str().map(str::to_owned),
                s["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn md_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for item in std::fs::read_dir(dir).unwrap() {
        let path = item.unwrap().path();
        if path.is_dir() {
            md_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

/// Every page's examples, keyed by platform and `# name` (names repeat across platforms).
fn examples_by_page(root: &Path) -> BTreeMap<String, Vec<Vec<String>>> {
    let mut files = Vec::new();
    md_files(root, &mut files);
    let mut pages: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = text
            .lines()
            .next()
            .unwrap()
            .trim_start_matches("# ")
            .to_owned();
        let platform = file
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let examples: Vec<String> = text
            .lines()
            .filter(|l| l.starts_with("- ") || l.starts_with('`'))
            .map(str::to_owned)
            .collect();
        pages
            .entry(format!("{platform}/{name}"))
            .or_default()
            .push(examples);
    }
    for list in pages.values_mut() {
        list.sort();
    }
    pages
}

#[test]
fn every_tldr_page_of_the_corpus_imports_and_again_changes_nothing() {
    let Some(pages) = corpus() else { return };
    let rep = Rep::new("ana");
    let pages_arg = pages.display().to_string();
    let report = rep.json(&["import", "--from", "tldr", &pages_arg]);
    assert_eq!(report["source"], "tldr");
    assert_eq!(report["files"], 7425);
    assert_eq!(report["added"], 7425);
    assert_eq!(report["updated"], 0);
    assert_eq!(report["skipped"], 0, "{}", report["skips"]);
    assert_eq!(report["dry_run"], false);

    let tar = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "tldr:common/tar")
        .unwrap();
    let id = tar["id"].as_str().unwrap();
    let entry = rep.json(&["show", id]);
    assert_eq!(entry["kind"], "tool");
    assert_eq!(entry["title"], "tar — Archiving utility.");
    assert_eq!(entry["domain"], "common");
    assert_eq!(entry["tags"], serde_json::json!(["tar"]));
    assert_eq!(
        entry["command"],
        "tar cf {{path/to/target.tar}} {{path/to/file1 path/to/file2 ...}}"
    );
    assert_eq!(
        entry["link"],
        "https://www.gnu.org/software/tar/manual/tar.html"
    );
    let body = entry["body"].as_str().unwrap();
    assert!(body.starts_with("> Archiving utility.\n"));
    assert_eq!(body.matches("\n- ").count(), 8, "every example is kept");
    assert!(body.contains("`tar xf {{path/to/source.tar}} --wildcards \"{{*.html}}\"`"));

    let domains = rep.json(&["domains"]);
    let common = domains
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "common")
        .unwrap();
    assert_eq!(common["entries"], 4613, "`..md` is a page too");

    let again = rep.json(&["import", "--from", "tldr", &pages_arg]);
    assert_eq!(
        (&again["added"], &again["updated"], &again["unchanged"]),
        (&Value::from(0), &Value::from(0), &Value::from(7425))
    );
    assert_eq!(again["changes"], serde_json::json!([]));

    // Round trip: the exported pages hold the same examples as the corpus.
    let out = rep.path("pages");
    let summary = rep.json(&["export", out.to_str().unwrap(), "--format", "tldr"]);
    assert_eq!(summary["entries"], 7425);
    assert_eq!(examples_by_page(&out), examples_by_page(&pages));
    let tar_page = std::fs::read_to_string(out.join("common/tar.md")).unwrap();
    assert_eq!(
        tar_page,
        std::fs::read_to_string(pages.join("common/tar.md")).unwrap()
    );
}

#[test]
fn the_tldr_fixture_pages_import_and_again_change_nothing() {
    let pages = tldr_fixture().join("pages");
    let rep = Rep::new("ana");
    let pages_arg = pages.display().to_string();
    let report = rep.json(&["import", "--from", "tldr", &pages_arg]);
    assert_eq!(report["source"], "tldr");
    assert_eq!(report["files"], 13);
    assert_eq!(report["added"], 13);
    assert_eq!(report["updated"], 0);
    assert_eq!(report["skipped"], 0, "{}", report["skips"]);

    let tar = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "tldr:common/tar")
        .unwrap();
    let entry = rep.json(&["show", tar["id"].as_str().unwrap()]);
    assert_eq!(entry["kind"], "tool");
    assert_eq!(
        entry["title"],
        "tar — Pack files into one archive, and unpack them again."
    );
    assert_eq!(entry["domain"], "common");
    assert_eq!(entry["tags"], serde_json::json!(["tar"]));
    assert_eq!(
        entry["command"],
        "tar cf {{path/to/archive.tar}} {{path/to/file1 path/to/file2 ...}}"
    );
    assert_eq!(
        entry["link"],
        "https://www.gnu.org/software/tar/manual/tar.html"
    );
    let body = entry["body"].as_str().unwrap();
    assert!(body.starts_with("> Pack files into one archive, and unpack them again.\n"));
    assert_eq!(body.matches("\n- ").count(), 5, "every example is kept");
    assert!(body.contains("`tar xf {{path/to/archive.tar}} --wildcards \"{{*.conf}}\"`"));
    let stash = rep.json(&["list", "--tag", "git"]);
    assert_eq!(
        stash[0]["title"],
        "git stash — Put uncommitted changes aside and bring them back later."
    );

    let domains = rep.json(&["domains"]);
    let count = |name: &str| {
        domains
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == name)
            .map(|d| d["entries"].clone())
    };
    assert_eq!(
        count("common"),
        Some(Value::from(5)),
        "`..md` is a page too"
    );
    assert_eq!(count("linux"), Some(Value::from(3)));
    assert_eq!(count("osx"), Some(Value::from(3)));
    assert_eq!(count("sunos"), Some(Value::from(2)));

    let again = rep.json(&["import", "--from", "tldr", &pages_arg]);
    assert_eq!(
        (&again["added"], &again["updated"], &again["unchanged"]),
        (&Value::from(0), &Value::from(0), &Value::from(13))
    );

    // Round trip: the exported pages hold the same examples, and a canonical page comes back
    // byte for byte.
    let out = rep.path("pages");
    let summary = rep.json(&["export", out.to_str().unwrap(), "--format", "tldr"]);
    assert_eq!(summary["entries"], 13);
    assert_eq!(examples_by_page(&out), examples_by_page(&pages));
    for page in ["common/tar.md", "linux/journalctl.md", "osx/pbcopy.md"] {
        assert_eq!(
            std::fs::read_to_string(out.join(page)).unwrap(),
            std::fs::read_to_string(pages.join(page)).unwrap(),
            "{page}"
        );
    }
}

#[test]
fn teammates_importing_the_same_pages_converge() {
    let pages = tldr_fixture().join("pages/osx");
    let pages_arg = pages.display().to_string();
    let (ana, ben) = (Rep::new("ana"), Rep::new("ben"));
    let a = ana.json(&["import", "--from", "tldr", &pages_arg]);
    let b = ben.json(&["import", "--from", "tldr", &pages_arg]);
    assert_eq!(a["added"], 3);
    let ids = |r: &Value| {
        let mut ids: Vec<String> = r["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&a), ids(&b), "the same pages give the same ids");

    let (a_file, b_file) = (ana.path("ana.jsonl"), ben.path("ben.jsonl"));
    ana.json(&["export", a_file.to_str().unwrap()]);
    ben.json(&["export", b_file.to_str().unwrap()]);
    let into_ben = ben.json(&["import", a_file.to_str().unwrap()]);
    assert_eq!(into_ben["added"], 0, "nothing is duplicated");
    ana.json(&["import", b_file.to_str().unwrap()]);

    let (a_final, b_final) = (ana.path("final.jsonl"), ben.path("final.jsonl"));
    ana.json(&["export", a_final.to_str().unwrap()]);
    ben.json(&["export", b_final.to_str().unwrap()]);
    let (a_bytes, b_bytes) = (
        std::fs::read(a_final).unwrap(),
        std::fs::read(b_final).unwrap(),
    );
    assert_eq!(a_bytes.iter().filter(|b| **b == b'\n').count(), 4);
    assert!(a_bytes == b_bytes, "the two exports differ");
    assert_eq!(ana.entries().len(), 3);
}

#[test]
fn dry_run_writes_nothing_and_domain_overrides_the_platform() {
    let pages = tldr_fixture().join("pages/sunos").display().to_string();
    let rep = Rep::new("ana");
    let dry = rep.json(&[
        "import",
        "--from",
        "tldr",
        &pages,
        "--dry-run",
        "-d",
        "Ops/Solaris",
    ]);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["added"], 2);
    assert!(rep.entries().is_empty());

    let real = rep.json(&["import", "--from", "tldr", &pages, "-d", "Ops/Solaris"]);
    assert_eq!(real["added"], 2);
    let entries = rep.entries();
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().all(|e| e["domain"] == "ops/solaris"));

    // The platform is part of the key, not the domain: the same pages update in place.
    let moved = rep.json(&["import", "--from", "tldr", &pages]);
    assert_eq!(moved["updated"], 2);
    assert_eq!(moved["changes"][0]["fields"], serde_json::json!(["domain"]));
    assert!(rep.entries().iter().all(|e| e["domain"] == "sunos"));
}

#[test]
fn cheat_sheets_keep_front_matter_tags() {
    let rep = Rep::new("ana");
    let report = rep.json(&["import", "--from", "cheat", &fixture("cheat")]);
    assert_eq!(report["files"], 4);
    assert_eq!(report["other_files"], 1, "the hidden sheet is passed over");
    assert_eq!(report["added"], 2);
    assert_eq!(
        skip_reasons(&report),
        [
            (
                "broken".to_owned(),
                None,
                "the front matter opened by `---` is never closed".to_owned()
            ),
            ("empty".to_owned(), None, "the sheet is empty".to_owned()),
        ]
    );
    let entries = rep.entries();
    let tar = by_title(&entries, "tar");
    assert_eq!(
        tar["tags"],
        serde_json::json!(["archive", "compression", "tar"])
    );
    assert_eq!(tar["command"], "tar -xvf /path/to/foo.tar");
    assert_eq!(tar["domain"], "general");
    assert!(
        tar["body"]
            .as_str()
            .unwrap()
            .starts_with("```bash\n# To extract an uncompressed archive:\n")
    );
    assert_eq!(
        by_title(&entries, "personal/ssh")["tags"],
        serde_json::json!(["ssh"])
    );
}

#[test]
fn markdown_notes_keep_title_body_and_tags() {
    let rep = Rep::new("ana");
    let report = rep.json(&[
        "import",
        "--from",
        "markdown",
        &fixture("markdown"),
        "-d",
        "notes",
    ]);
    assert_eq!(report["files"], 6, "the .obsidian folder is not read");
    assert_eq!(report["other_files"], 1);
    assert_eq!(
        report["added"], 5,
        "a tag with a comma never drops the note"
    );
    let skips = skip_reasons(&report);
    assert_eq!(skips.len(), 2);
    assert_eq!(skips[0].0, "bad-tag.md");
    assert_eq!(skips[0].1.as_deref(), Some("tag \"has,comma\""));
    assert!(
        skips[0].2.contains("split into has, comma"),
        "{}",
        skips[0].2
    );
    assert_eq!(
        skips[1],
        (
            "broken.md".to_owned(),
            None,
            "the front matter opened by `---` is never closed".to_owned()
        )
    );

    let entries = rep.entries();
    let locks = by_title(&entries, "Find what holds a lock");
    assert_eq!(
        locks["tags"],
        serde_json::json!(["locks", "postgres", "triage"])
    );
    assert!(
        locks["body"]
            .as_str()
            .unwrap()
            .starts_with("# Locks\n\nQuery `pg_locks`")
    );
    assert_eq!(locks["domain"], "notes");
    let wal = by_title(&entries, "The night the WAL filled the disk");
    assert_eq!(wal["tags"], serde_json::json!(["incident", "postgres/wal"]));
    assert_eq!(
        wal["body"],
        "A replica fell behind and kept its slot. #incident #postgres/wal\n"
    );
    let certs = by_title(&entries, "rotate-certs");
    assert_eq!(certs["kind"], "question");
    assert_eq!(certs["tags"], serde_json::json!(["certs", "staging"]));
    assert_eq!(
        by_title(&entries, "plain note")["tags"],
        serde_json::json!([])
    );
}

#[test]
fn a_changed_note_updates_its_entry_and_a_deleted_one_stays_deleted() {
    let rep = Rep::new("ana");
    let notes = rep.path("notes");
    std::fs::create_dir(&notes).unwrap();
    std::fs::write(notes.join("a.md"), "# Alpha\n\nfirst text #one\n").unwrap();
    std::fs::write(notes.join("b.md"), "# Beta\n").unwrap();
    let arg = notes.to_str().unwrap();
    let first = rep.json(&["import", "--from", "markdown", arg]);
    assert_eq!(first["added"], 2);
    let alpha = first["changes"][0]["id"].as_str().unwrap().to_owned();
    let beta = first["changes"][1]["id"].as_str().unwrap().to_owned();

    std::fs::write(notes.join("a.md"), "# Alpha\n\nsecond text #two\n").unwrap();
    rep.cmd(&["rm", &beta]).assert().success();
    let second = rep.json(&["import", "--from", "markdown", arg]);
    assert_eq!(second["added"], 0);
    assert_eq!(second["updated"], 1);
    assert_eq!(second["unchanged"], 0);
    assert_eq!(second["changes"][0]["id"], alpha.as_str());
    assert_eq!(
        second["changes"][0]["fields"],
        serde_json::json!(["body", "tags"])
    );
    assert_eq!(second["skipped"], 1);
    let reason = second["skips"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("was deleted here"), "{reason}");

    let entry = rep.json(&["show", &alpha]);
    assert_eq!(entry["body"], "second text #two\n");
    assert_eq!(entry["tags"], serde_json::json!(["two"]));
    let history = rep.cmd(&["history", &alpha]).assert().success();
    let text = String::from_utf8_lossy(&history.get_output().stdout).into_owned();
    assert!(text.contains("first text"), "the old body is kept: {text}");
}

#[test]
fn human_report_lists_skips_and_a_missing_path_is_an_error() {
    let rep = Rep::new("ana");
    let out = rep
        .cmd(&["import", "--from", "cheat", &fixture("cheat"), "-v"])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stdout.contains("skipped") && stdout.contains("the sheet is empty"),
        "{stdout}"
    );
    assert!(
        stderr.contains("4 files read: added 2, updated 0, 0 unchanged, 2 skipped"),
        "{stderr}"
    );

    let missing = rep.path("nowhere");
    rep.cmd(&["import", "--from", "tldr", missing.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("cannot read"));
    rep.cmd(&["import", "x.jsonl", "-d", "ops"])
        .assert()
        .code(2);
}
