//! `rep import --from navi|pet` read files as navi and pet read them, keys say where an item
//! lives (an upstream edit updates, a removal is reported, entries of the old keys are found
//! again), and `rep export --format navi` writes what navi shows in full.
// Helpers panic on purpose: a failed step is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

struct Rep {
    dir: tempfile::TempDir,
}

impl Rep {
    fn new() -> Rep {
        Rep {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("rep").unwrap();
        cmd.env_clear()
            .env("REP_DB", self.dir.path().join("rep.db"))
            .env("REP_CONFIG", self.dir.path().join("config.toml"))
            .env("REP_USER", "ana")
            .env("REP_NOW", "2026-11-27T12:00:00Z")
            .env("NO_COLOR", "1")
            .args(args);
        cmd
    }

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

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn by_command<'a>(entries: &'a [Value], command: &str) -> &'a Value {
    entries
        .iter()
        .find(|e| e["command"] == command)
        .unwrap_or_else(|| panic!("no entry with the command {command:?}"))
}

fn skips(report: &Value) -> Vec<String> {
    report["skips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let file = s["path"].as_str().unwrap().rsplit('/').next().unwrap();
            format!(
                "{file} {}: {}",
                s["item"].as_str().unwrap_or("-"),
                s["reason"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn pet_files_as_pet_writes_them_import_whole() {
    let rep = Rep::new();
    let report = rep.json(&["import", "--from", "pet", s(&fixture("foreign/pet-real"))]);
    assert_eq!(report["added"], 4, "{report}");
    assert_eq!(report["skipped"], 0, "{report}");
    let entries = rep.entries();
    let ping = by_command(&entries, "ping -c 1 8.8.8.8");
    assert_eq!(ping["title"], "Ping Google's DNS");
    assert_eq!(ping["tags"], serde_json::json!(["google", "network"]));
    assert!(
        ping["body"]
            .as_str()
            .unwrap()
            .contains("64 bytes from 8.8.8.8")
    );
    // Two snippets share a description: both are kept, under distinct keys.
    assert_eq!(
        by_command(&entries, "du -sh <path=.>")["title"],
        "Show disk usage"
    );
    assert_eq!(by_command(&entries, "df -h")["title"], "Show disk usage");
}

#[test]
fn navi_files_import_as_navi_reads_them() {
    let rep = Rep::new();
    let report = rep.json(&["import", "--from", "navi", s(&fixture("foreign/navi-real"))]);
    assert_eq!(report["files"], 5, "the .cheat.md file is read: {report}");
    assert_eq!(report["added"], 8, "{report}");
    let skipped = skips(&report);
    assert_eq!(skipped.len(), 3, "{skipped:?}");
    assert!(
        skipped[0].starts_with("docker.cheat.md line 1: front matter"),
        "{skipped:?}"
    );
    assert!(
        skipped[1].starts_with("git.cheat line 12: navi shows only the first"),
        "{skipped:?}"
    );
    assert!(
        skipped[2].starts_with("stops.cheat line 6: navi cannot parse"),
        "{skipped:?}"
    );
    let entries = rep.entries();
    // Two cheats sharing a command (another description, another section) are all kept.
    let sharing: Vec<&Value> = entries
        .iter()
        .filter(|e| e["command"] == "git checkout <branch>")
        .collect();
    assert_eq!(sharing.len(), 2);
    by_command(&entries, "git checkout -t origin/<branch>");
    // A `$ var: ... \` continuation is one variable line, kept with the commands using it.
    let change = entries
        .iter()
        .find(|e| e["title"] == "Change branch" && e["command"] == "git checkout <branch>")
        .unwrap();
    assert_eq!(
        change["body"],
        "% git, code\n$ branch: git branch --format='%(refname:short)'     | sort\n"
    );
    // Blank lines and an indented `#` stay inside the heredoc.
    let commit = by_command(
        &entries,
        "git commit -F - <<'MSG'\nSubject line\n\n  # an indented hash stays in the message\nMSG",
    );
    assert_eq!(commit["title"], "Write a commit message from a heredoc");
    // Code fences are dropped; the variable after them is kept.
    let run = by_command(&entries, "docker run --rm -it <image>");
    assert_eq!(
        run["body"],
        "% docker\n$ image: docker images --format '{{.Repository}}'\n"
    );
    // A variable reached through `@ pictures` in another file and another variable's generator.
    let wallpaper = by_command(&entries, "echo \"path: <wallpaper_folder>\"");
    assert_eq!(
        wallpaper["body"],
        "% wallpapers\n$ wallpaper_folder: echo \"<pictures_folder>/wallpapers\"\n$ pictures_folder: echo \"/my/pictures\"\n"
    );
    // A `$` line without `name: command` is a command line to navi, so to rep.
    let other = Rep::new();
    let report = other.json(&[
        "import",
        "--from",
        "navi",
        s(&fixture("foreign/navi/broken.cheat")),
    ]);
    assert_eq!(report["added"], 1, "{report}");
    assert_eq!(
        other.entries()[0]["command"],
        "ls -la\n\n$ a variable line without a colon"
    );
}

/// Copy a fixture file into a folder of the test, as an upstream checkout.
fn upstream(rep: &Rep, from: &str, name: &str) -> PathBuf {
    let dir = rep.path("upstream");
    std::fs::create_dir_all(&dir).unwrap();
    let to = dir.join(name);
    std::fs::copy(fixture(from).join(name), &to).unwrap();
    to
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from));
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn an_upstream_edit_updates_and_a_removal_is_reported() {
    for (source, fixture_dir, file, removed) in [
        (
            "pet",
            "foreign/pet-real",
            "snippet.toml",
            "Description = \"Ping Google's DNS\"",
        ),
        (
            "navi",
            "foreign/navi-real",
            "git.cheat",
            "# Write a commit message from a heredoc",
        ),
    ] {
        let rep = Rep::new();
        let path = upstream(&rep, fixture_dir, file);
        let dir = path.parent().unwrap().to_owned();
        let first = rep.json(&["import", "--from", source, s(&dir)]);
        let count = rep.entries().len();
        let (from, to) = if source == "pet" {
            ("gzip -d file.gz", "gzip -dk file.gz")
        } else {
            (
                "git checkout -t origin/<branch>",
                "git switch -t origin/<branch>",
            )
        };
        edit(&path, from, to);
        let again = rep.json(&["import", "--from", source, s(&dir)]);
        assert_eq!(again["added"], 0, "{source}: {again}");
        assert_eq!(again["updated"], 1, "{source}: {again}");
        assert_eq!(
            again["changes"][0]["fields"],
            serde_json::json!(["command"])
        );
        assert_eq!(rep.entries().len(), count, "{source}: no second entry");
        assert_eq!(again["removed"], serde_json::json!([]));

        edit(&path, removed, "");
        let after = rep.json(&["import", "--from", source, s(&dir)]);
        let gone = after["removed"].as_array().unwrap();
        assert_eq!(gone.len(), 1, "{source}: {after}");
        assert!(first["added"].as_u64().unwrap() > 1);
        let human = rep
            .cmd(&["import", "-v", "--from", source, s(&dir)])
            .assert()
            .success();
        let stdout = String::from_utf8_lossy(&human.get_output().stdout).into_owned();
        let stderr = String::from_utf8_lossy(&human.get_output().stderr).into_owned();
        assert!(stdout.contains("removed upstream"), "{stdout}");
        assert!(stderr.contains(", 1 removed upstream"), "{stderr}");
    }
}

#[test]
fn entries_imported_under_the_old_keys_are_found_again() {
    // v5-foreign.db: the same files imported by the rep of commit 0d0ad7b, whose keys held the
    // command (make_v5_foreign.sh).
    let rep = Rep::new();
    std::fs::copy(fixture("db/v5-foreign.db"), rep.path("rep.db")).unwrap();
    // The upgrade keeps every record as that version exported them (the header carries
    // today's format version).
    let exported = rep.cmd(&["export", "-"]).assert().success();
    let expected = std::fs::read(fixture("db/v5-foreign.expected.jsonl")).unwrap();
    let records = |export: &[u8]| -> Vec<u8> {
        let start = export
            .iter()
            .position(|b| *b == b'\n')
            .map_or(0, |at| at + 1);
        export[start..].to_vec()
    };
    assert!(
        records(&exported.get_output().stdout) == records(&expected),
        "the upgraded export differs"
    );
    rep.cmd(&["doctor", "-q"]).assert().success();
    let before: Vec<String> = rep.entries().iter().map(|e| e["id"].to_string()).collect();
    let dir = rep.path("upstream");
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["git.cheat", "snippet.toml"] {
        std::fs::copy(fixture("db/v5-foreign").join(name), dir.join(name)).unwrap();
    }
    let navi = rep.json(&[
        "import",
        "--from",
        "navi",
        s(&dir.join("git.cheat")),
        "-d",
        "shell",
    ]);
    assert_eq!(navi["added"], 0, "{navi}");
    let pet = rep.json(&["import", "--from", "pet", s(&dir.join("snippet.toml"))]);
    // The second `Ping Google's DNS`, which the old key could not tell from the first, is new.
    assert_eq!(pet["added"], 1, "{pet}");
    let mut after: Vec<String> = rep.entries().iter().map(|e| e["id"].to_string()).collect();
    after.retain(|id| before.contains(id));
    assert_eq!(after.len(), before.len(), "every old entry kept its id");

    // And once found, they follow edits.
    edit(
        &dir.join("git.cheat"),
        "docker run <image>",
        "docker run --rm <image>",
    );
    let edited = rep.json(&[
        "import",
        "--from",
        "navi",
        s(&dir.join("git.cheat")),
        "-d",
        "shell",
    ]);
    assert_eq!(
        (edited["added"].clone(), edited["updated"].clone()),
        (0.into(), 1.into()),
        "{edited}"
    );
}

#[test]
fn the_navi_export_keeps_files_order_and_only_lines_navi_reads() {
    let rep = Rep::new();
    rep.json(&["import", "--from", "navi", s(&fixture("foreign/navi-real"))]);
    // A `$` line navi cannot parse, added by hand, must not hide the tools after it.
    let entries = rep.entries();
    let change = entries
        .iter()
        .find(|e| e["title"] == "Change branch" && e["command"] == "git checkout <branch>")
        .unwrap();
    let id = change["id"].as_str().unwrap();
    let body = format!(
        "{}$ broken: x --- --column\n",
        change["body"].as_str().unwrap()
    );
    rep.cmd(&["edit", id, "-"])
        .write_stdin(body)
        .assert()
        .success();

    let out = rep.path("cheats");
    let done = rep
        .cmd(&["export", s(&out), "--format", "navi"])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&done.get_output().stderr).into_owned();
    assert!(
        stderr.contains("Change branch: left out a `$` line navi cannot parse: $ broken"),
        "{stderr}"
    );
    let git = std::fs::read_to_string(out.join("git.cheat")).unwrap();
    assert!(!git.contains("$ broken"), "{git}");
    assert!(
        git.starts_with("% git, code\n\n# Change branch\ngit checkout <branch>\n$ branch: "),
        "{git}"
    );
    assert!(
        git.contains("\nSubject line\n\n  # an indented hash"),
        "{git}"
    );
    assert!(out.join("docker.cheat.md").is_file());
    assert!(out.join("extends.cheat").is_file());

    // Read back, it gives the same tools.
    let other = Rep::new();
    let back = other.json(&["import", "--from", "navi", s(&out)]);
    assert_eq!(back["skipped"], 0, "{back}");
    let shape = |entries: Vec<Value>| {
        let mut v: Vec<String> = entries
            .iter()
            .map(|e| format!("{}|{}|{}", e["title"], e["command"], e["tags"]))
            .collect();
        v.sort();
        v
    };
    assert_eq!(shape(other.entries()), shape(rep.entries()));
}

#[test]
fn tools_navi_would_hide_behind_another_get_their_own_description() {
    // Same domain, no tags, same title: one section and one description to navi, which would
    // show only the first.
    let rep = Rep::new();
    for command in ["systemctl restart nginx", "nginx -s reload"] {
        rep.cmd(&[
            "add",
            "tool",
            "Reload nginx",
            "--domain",
            "web",
            "--cmd",
            command,
            "-q",
        ])
        .assert()
        .success();
    }
    let out = rep.path("all.cheat");
    let done = rep
        .cmd(&["export", s(&out), "--format", "navi"])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&done.get_output().stderr).into_owned();
    assert!(
        stderr.contains("written as \"Reload nginx (2)\""),
        "{stderr}"
    );
    let other = Rep::new();
    let back = other.json(&["import", "--from", "navi", s(&out)]);
    assert_eq!(back["added"], 2, "{back}");
}
