//! Helpers every test uses: a temp repertoire with a cleared environment, a fixed clock and a
//! fixed user, and small wrappers that run the real `rep` binary and parse what it prints.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use assert_cmd::assert::Assert;
use serde_json::Value;
use tempfile::TempDir;

/// The clock every test runs at unless it says otherwise.
pub const NOW: &str = "2026-11-27T09:00:00Z";

/// The `rep` binary cargo built for this test run.
pub fn rep_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_rep"))
}

/// One repertoire in its own temp dir: database, config file and home all live inside it.
pub struct Repo {
    dir: TempDir,
}

impl Repo {
    pub fn new() -> Repo {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("home")).expect("home dir");
        Repo { dir }
    }

    /// A repertoire whose database exists and holds nothing: commands that only read refuse a
    /// database path that does not exist, so tests of an empty repertoire start here.
    pub fn empty() -> Repo {
        let repo = Repo::new();
        let header = repo.path().join("empty.jsonl");
        std::fs::write(&header, "{\"format\":\"repertoire\",\"version\":\"1.0\"}\n")
            .expect("write");
        repo.rep(&["import", header.to_str().expect("utf-8"), "-q"])
            .success();
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn db(&self) -> PathBuf {
        self.path().join("rep.db")
    }

    pub fn config(&self) -> PathBuf {
        self.path().join("config.toml")
    }

    pub fn home(&self) -> PathBuf {
        self.path().join("home")
    }

    /// A `rep` command with only the environment the tests control.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(rep_bin());
        cmd.env_clear()
            .current_dir(self.path())
            .env("REP_DB", self.db())
            .env("REP_CONFIG", self.config())
            .env("REP_USER", "ana")
            .env("REP_NOW", NOW)
            .env("HOME", self.home())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("NO_COLOR", "1")
            .env("GIT_CONFIG_NOSYSTEM", "1");
        cmd
    }

    /// Run `rep ARGS`, whatever the outcome.
    pub fn rep(&self, args: &[&str]) -> Assert {
        self.cmd().args(args).assert()
    }

    /// Run `rep ARGS` with the clock at `now`.
    pub fn rep_at(&self, now: &str, args: &[&str]) -> Assert {
        self.cmd().env("REP_NOW", now).args(args).assert()
    }

    /// Run `rep ARGS`, require success, and give stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        stdout(&self.rep(args).success())
    }

    /// `rep add ARGS`: require success and give the new entry's full id.
    pub fn add(&self, args: &[&str]) -> String {
        self.add_at(NOW, args)
    }

    /// `rep add ARGS` with the clock at `now`.
    pub fn add_at(&self, now: &str, args: &[&str]) -> String {
        let mut all = vec!["add"];
        all.extend_from_slice(args);
        let out = stdout(&self.rep_at(now, &all).success());
        let id = out.trim().to_owned();
        assert_eq!(id.len(), 36, "add printed {out:?}, not one full id");
        id
    }

    /// Run `rep ARGS --json`, require success, and parse stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = stdout(&self.rep(&all).success());
        parse_json(&out)
    }

    /// The entry `id` as `rep show --json` gives it, without the thread around it (replies,
    /// occurrences, links...): the same object as `rep add --json` and `rep list --json` give.
    pub fn entry(&self, id: &str) -> Value {
        let mut shown = self.json(&["show", id]);
        let object = shown.as_object_mut().expect("show gives an object");
        for key in [
            "status",
            "replies",
            "occurrences",
            "recurring",
            "documented",
            "helped",
            "links",
            "reviewed_at",
            "reviewed_by",
            "stale",
        ] {
            object.remove(key);
        }
        shown
    }

    /// How rep shows `id` to people: its shortest unique prefix, at least four characters.
    pub fn short_id(&self, id: &str) -> String {
        self.entry(id)["short_id"]
            .as_str()
            .expect("short_id")
            .to_owned()
    }

    /// Full ids of what `rep list` gives for these arguments, in order.
    pub fn list_ids(&self, args: &[&str]) -> Vec<String> {
        let mut all = vec!["list"];
        all.extend_from_slice(args);
        ids_of(&self.json(&all))
    }

    /// Full ids of the hits of `rep search ARGS`, best first.
    pub fn search_ids(&self, args: &[&str]) -> Vec<String> {
        let mut all = vec!["search"];
        all.extend_from_slice(args);
        ids_of(&self.json(&all))
    }

    /// Number of entries in the database, deleted ones included, read straight from SQLite.
    pub fn rows(&self) -> i64 {
        let conn = rusqlite::Connection::open(self.db()).expect("open db");
        conn.query_row("SELECT count(*) FROM entries", [], |r| r.get(0))
            .expect("count entries")
    }
}

pub fn stdout(assert: &Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(assert: &Assert) -> String {
    String::from_utf8(assert.get_output().stderr.clone()).expect("stderr is UTF-8")
}

pub fn parse_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

pub fn ids_of(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a JSON array")
        .iter()
        .map(|e| e["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// Replace whole-word occurrences of `from` in `text` with `to`.
pub fn replace_word(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(from) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + from.len()..].chars().next();
        let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-');
        out.push_str(&rest[..at]);
        if is_word(before) || is_word(after) {
            out.push_str(from);
        } else {
            out.push_str(to);
        }
        rest = &rest[at + from.len()..];
    }
    out.push_str(rest);
    out
}

/// Ids are random: swap each entry's full id and short id for a stable label.
pub fn redact(text: &str, entries: &[(&str, &Value)]) -> String {
    let mut text = text.to_owned();
    for (label, entry) in entries {
        let id = entry["id"].as_str().expect("id");
        text = replace_word(&text, id, &format!("<{label}-full-id>"));
    }
    for (label, entry) in entries {
        let short = entry["short_id"].as_str().expect("short_id");
        assert_eq!(
            short.len(),
            label.len(),
            "label {label} must be as wide as {short}"
        );
        text = replace_word(&text, short, label);
    }
    text
}

/// Write an executable shell script to use as `EDITOR`; it gets the file to edit as `$1`.
pub fn script(repo: &Repo, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let path = repo.path().join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

/// Labels that stand in for the fixture's short ids in snapshots (as wide as a short id).
pub const LABELS: [&str; 5] = ["ID01", "ID02", "ID03", "ID04", "ID05"];

/// A small team repertoire with fixed text and times, for table snapshots. Entries are returned
/// oldest first, each with its label. Ids are random, so in the rare case that two share four
/// characters (a longer short id would widen the table) the fixture is built again.
pub fn fixture() -> (Repo, Vec<(&'static str, Value)>) {
    for _ in 0..5 {
        let repo = Repo::new();
        let ids = [
            repo.add_at(
                "2026-11-20T10:00:00Z",
                &[
                    "tool",
                    "Find what holds a lock",
                    "-d",
                    "postgres",
                    "-t",
                    "locks,pg",
                    "--cmd",
                    "SELECT * FROM pg_locks WHERE NOT granted",
                    "-m",
                    "Join pg_locks with pg_stat_activity to see the blocking query.",
                ],
            ),
            repo.add_at(
                "2026-11-21T11:30:00Z",
                &[
                    "story",
                    "The night the WAL filled the disk",
                    "-d",
                    "postgres",
                    "-t",
                    "wal,incident",
                    "-m",
                    "Archiving had failed for a week.\n\nWe now alert on archive lag.",
                ],
            ),
            repo.add_at(
                "2026-11-22T08:15:00Z",
                &[
                    "problem",
                    "Pods restart under memory pressure",
                    "-d",
                    "k8s",
                    "-t",
                    "memory",
                    "-m",
                    "The kubelet evicts pods when the node runs low; set requests.",
                ],
            ),
            repo.add_at(
                "2026-11-23T16:45:00Z",
                &[
                    "question",
                    "How do we rotate the staging certs?",
                    "-d",
                    "k8s/networking",
                    "-t",
                    "certs",
                    "--as",
                    "bo",
                ],
            ),
            repo.add_at(
                "2026-11-24T09:00:00Z",
                &[
                    "tool",
                    "Show table bloat",
                    "-d",
                    "postgres/vacuum",
                    "-t",
                    "vacuum,pg",
                    "--link",
                    "https://wiki.example.org/pg/bloat",
                ],
            ),
        ];
        let entries: Vec<Value> = ids.iter().map(|id| repo.entry(id)).collect();
        if entries
            .iter()
            .all(|e| e["short_id"].as_str().is_some_and(|s| s.len() == 4))
        {
            return (repo, LABELS.iter().copied().zip(entries).collect());
        }
    }
    panic!("five fixtures in a row had ids sharing four characters");
}

/// Redact the fixture's ids in `text`.
pub fn redact_fixture(text: &str, entries: &[(&'static str, Value)]) -> String {
    let refs: Vec<(&str, &Value)> = entries.iter().map(|(l, e)| (*l, e)).collect();
    redact(text, &refs)
}

impl Repo {
    /// `rep --as MEMBER answer ENTRY -m BODY` at `now`: require success and give the reply's id.
    pub fn answer_at(&self, now: &str, member: &str, entry: &str, body: &str) -> String {
        let out = stdout(
            &self
                .rep_at(now, &["--as", member, "answer", entry, "-m", body])
                .success(),
        );
        let id = out.trim().to_owned();
        assert_eq!(id.len(), 36, "answer printed {out:?}, not one full id");
        id
    }

    /// Run `rep ARGS`, require exit code 1 (a data error) and nothing on stdout; give stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let assert = self.rep(args).code(1);
        assert_eq!(stdout(&assert), "", "rep {args:?} printed data");
        stderr(&assert)
    }

    /// Write the config file.
    pub fn write_config(&self, toml: &str) {
        std::fs::write(self.config(), toml).expect("write config");
    }
}

/// Whether a test that needs an outside tool (tmux, zsh, fish, git) may go on: `true` when the
/// tool is there. When it is missing, the test is skipped with a line on stderr, except under
/// `CI=true`, where CI has installed the tools and a missing one fails the run: no test passes
/// there by skipping.
pub fn tool_available(tool: &str, installed: bool) -> bool {
    if installed {
        return true;
    }
    let in_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    assert!(
        !in_ci,
        "{tool} is not installed and CI is set: CI must install it (see .ci/run), not skip"
    );
    eprintln!("skipping: {tool} is not installed (CI installs it in .ci/run)");
    false
}

/// Whether `program` runs at all (found on PATH and executable).
pub fn runs(program: &str, args: &[&str]) -> bool {
    std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok()
}

/// The name of the account the tests run as, as `id -un` gives it: who rep is when the
/// environment names nobody.
pub fn system_account() -> String {
    let out = std::process::Command::new("id")
        .arg("-un")
        .output()
        .expect("id -un");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}
