//! Exit codes, unusable environments, broken pipes and hostile text in the database.

use std::process::Stdio;

use crate::support::{Repo, parse_json, rep_bin, stderr, stdout};

#[test]
fn usage_errors_exit_2() {
    let repo = Repo::new();
    let assert = repo.rep(&["frobnicate"]).code(2);
    assert!(stderr(&assert).contains("unrecognized subcommand 'frobnicate'"));
    repo.rep(&["list", "--no-such-flag"]).code(2);
    repo.rep(&["list", "--color", "sometimes"]).code(2);
    repo.rep(&["show"]).code(2);
    assert!(!repo.db().exists());
}

#[test]
fn an_invalid_rep_now_is_a_usage_error() {
    let repo = Repo::new();
    for bad in ["yesterday", "2026-13-01T00:00:00Z", "2026-11-27"] {
        let assert = repo.rep_at(bad, &["list"]).code(2);
        let err = stderr(&assert);
        assert!(
            err.contains(&format!("error: REP_NOW is not an RFC 3339 time: {bad:?}")),
            "{err}"
        );
        assert!(err.contains("hint: e.g. REP_NOW="), "{err}");
    }
    // Empty means "use the system clock".
    let entry = parse_json(&stdout(
        &repo.rep_at("", &["add", "tool", "now", "--json"]).success(),
    ));
    assert_ne!(entry["created_at"], crate::support::NOW);
}

#[test]
fn a_directory_as_database_is_an_environment_error() {
    let repo = Repo::new();
    let dir = repo.path().join("adir");
    std::fs::create_dir(&dir).unwrap();
    let assert = repo.rep(&["--db", dir.to_str().unwrap(), "list"]).code(3);
    let err = stderr(&assert);
    assert!(err.contains("the database"), "{err}");
    assert!(
        err.contains("hint: check the path given by --db or REP_DB"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn a_database_path_below_a_file_is_an_environment_error() {
    let repo = Repo::new();
    let file = repo.path().join("plain");
    std::fs::write(&file, "x").unwrap();
    let below = file.join("rep.db");
    repo.rep(&["--db", below.to_str().unwrap(), "list"]).code(3);
}

#[test]
fn a_file_that_is_not_a_database_is_refused_untouched() {
    let repo = Repo::new();
    let path = repo.path().join("notes.txt");
    let text = "These are my notes, not a database.\n".repeat(200);
    std::fs::write(&path, &text).unwrap();
    for args in [vec!["list"], vec!["add", "tool", "t"]] {
        let mut all = vec!["--db", path.to_str().unwrap()];
        all.extend(args);
        let assert = repo.rep(&all).code(3);
        let err = stderr(&assert);
        assert!(err.contains("is not a repertoire database"), "{err}");
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

fn set_user_version(path: &std::path::Path, version: u32) {
    let conn = rusqlite::Connection::open(path).expect("open db");
    conn.pragma_update(None, "user_version", version)
        .expect("set user_version");
}

#[test]
fn a_newer_database_is_refused_untouched() {
    let repo = Repo::new();
    let id = repo.add(&["tool", "from the future"]);
    set_user_version(&repo.db(), 99);
    let before = std::fs::read(repo.db()).unwrap();
    for args in [
        vec!["list"],
        vec!["show", &id],
        vec!["add", "tool", "t"],
        vec!["edit", &id, "--title", "x"],
        vec!["rm", &id],
        vec!["search", "future"],
    ] {
        let assert = repo.rep(&args).code(3);
        let err = stderr(&assert);
        assert!(
            err.contains(
                "the database has schema version 99, newer than this rep understands (15)"
            ),
            "{args:?}: {err}"
        );
        assert!(
            err.contains("hint: upgrade rep; the database was left untouched"),
            "{err}"
        );
    }
    assert!(
        std::fs::read(repo.db()).unwrap() == before,
        "the database file changed"
    );
}

#[test]
fn a_newer_database_in_rollback_journal_mode_is_left_untouched_too() {
    let repo = Repo::new();
    {
        let conn = rusqlite::Connection::open(repo.db()).unwrap();
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = std::fs::read(repo.db()).unwrap();
    repo.rep(&["list"]).code(3);
    assert!(
        std::fs::read(repo.db()).unwrap() == before,
        "the database file changed"
    );
}

#[test]
fn error_snapshots() {
    let repo = Repo::new();
    let id = repo.add(&["tool", "Only entry"]);
    let unknown = if id.starts_with("0000") {
        "ffff"
    } else {
        "0000"
    };
    insta::assert_snapshot!(
        "error_unknown_id",
        stderr(&repo.rep(&["show", unknown]).code(1)).replace(unknown, "[PREFIX]")
    );
    insta::assert_snapshot!(
        "error_not_an_id",
        stderr(&repo.rep(&["show", "xyz!"]).code(1))
    );
    insta::assert_snapshot!(
        "error_nothing_to_change",
        stderr(&repo.rep(&["edit", &id]).code(2)).replace(&id, "[ID]")
    );
    insta::assert_snapshot!(
        "error_unknown_subcommand",
        stderr(&repo.rep(&["serach", "x"]).code(2))
    );
    set_user_version(&repo.db(), 99);
    let tmp = repo.path().to_str().unwrap().to_owned();
    insta::assert_snapshot!(
        "error_newer_schema",
        stderr(&repo.rep(&["list"]).code(3)).replace(&tmp, "[TMP]")
    );
}

/// Run `sh -c SCRIPT` with rep's environment; `$REP` is the binary.
fn shell(repo: &Repo, script: &str) -> std::process::Output {
    std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .env_clear()
        .env("REP", rep_bin())
        .env("REP_DB", repo.db())
        .env("REP_CONFIG", repo.config())
        .env("REP_USER", "ana")
        .env("REP_NOW", crate::support::NOW)
        .env("HOME", repo.home())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run bash")
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let repo = Repo::new();
    for i in 0..5 {
        repo.add(&["tool", &format!("entry number {i}"), "-q"]);
    }
    let out = shell(&repo, "set -o pipefail; \"$REP\" list | head -1");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("ID"),
        "{out:?}"
    );
}

#[test]
fn a_pipe_closed_mid_output_is_not_an_error() {
    // Bodies far larger than a pipe buffer make sure rep is still writing when head leaves.
    let repo = Repo::new();
    let body = "All work and no play makes a long body.\n".repeat(12_000);
    let mut ids = Vec::new();
    for i in 0..3 {
        let out = repo
            .cmd()
            .args(["add", "story", &format!("long {i}"), "-", "-q"])
            .write_stdin(body.clone())
            .assert()
            .success();
        ids.push(stdout(&out).trim().to_owned());
    }
    for script in [
        "\"$REP\" list --json | head -c 100 >/dev/null; exit ${PIPESTATUS[0]}",
        "\"$REP\" search play --json | head -c 100 >/dev/null; exit ${PIPESTATUS[0]}",
        &format!(
            "\"$REP\" show {} | head -1 >/dev/null; exit ${{PIPESTATUS[0]}}",
            ids[0]
        ),
        &format!(
            "\"$REP\" show {} --json | head -1 >/dev/null; exit ${{PIPESTATUS[0]}}",
            ids[0]
        ),
    ] {
        let out = shell(&repo, script);
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{script}");
        assert_eq!(out.status.code(), Some(0), "{script}");
    }
}

/// Fail if `text` holds anything that could drive a terminal.
pub fn assert_terminal_safe(what: &str, text: &[u8]) {
    let text = String::from_utf8_lossy(text);
    for (bad, name) in [
        ('\u{1b}', "ESC"),
        ('\u{7}', "BEL"),
        ('\u{9b}', "CSI"),
        ('\u{9d}', "OSC"),
        ('\u{202e}', "RIGHT-TO-LEFT OVERRIDE"),
    ] {
        assert!(!text.contains(bad), "{what} holds {name}: {text:?}");
    }
}

const HOSTILE_TITLE: &str = "pwn\u{1b}[31mred\u{1b}[0m \u{1b}]0;owned title\u{7} \u{202e}txt.exe";
const HOSTILE_BODY: &str = "copy \u{1b}]52;c;cm0gLXJmIH4=\u{1b}\\ this\u{7}\u{7}\n\u{9b}2J cleared";
const HOSTILE_CMD: &str = "echo \u{1b}[2J\u{1b}[H; \u{1b}]0;t\u{1b}\\ done \u{202e}";
const HOSTILE_TAG: &str = "evil\u{202e}gat";

#[test]
fn hostile_text_never_reaches_the_terminal() {
    let repo = Repo::new();
    let id = repo.add(&[
        "tool",
        HOSTILE_TITLE,
        "-m",
        HOSTILE_BODY,
        "--cmd",
        HOSTILE_CMD,
        "--link",
        "https://x.example/\u{1b}[5m",
        "-t",
        HOSTILE_TAG,
        "--as",
        "m\u{202e}allory",
    ]);
    let runs: Vec<Vec<&str>> = vec![
        vec!["list"],
        vec!["show", &id],
        vec!["search", "pwn"],
        vec!["search", "copy"],
        vec!["search", "echo"],
        vec!["search", "pwn\u{1b}[31m"],
        vec!["tags"],
        vec!["domains"],
        vec!["edit", &id, "-t", "more"],
        vec!["rm", &id],
        vec!["show", &id],
        vec!["restore", &id],
    ];
    for args in runs {
        let assert = repo.rep(&args).success();
        let out = assert.get_output();
        assert_terminal_safe(&format!("stdout of {args:?}"), &out.stdout);
        assert_terminal_safe(&format!("stderr of {args:?}"), &out.stderr);
    }
    // The visible text survives the cleaning.
    let shown = repo.ok(&["show", &id]);
    // The OSC payload (a window title) goes with its sequence; the text around it stays.
    assert!(shown.contains("pwnred txt.exe"), "{shown}");
    assert!(!shown.contains("owned title"), "{shown}");
    assert!(shown.contains("cleared"), "{shown}");
    assert!(shown.contains("echo"), "{shown}");
    // Errors that quote what was typed are clean too.
    for args in [
        vec!["search", "\u{1b}]0;x\u{7}", "--raw"],
        vec!["config", "get", "\u{1b}[31mkey"],
        vec!["add", "tool", "t", "-d", "\u{1b}[31m"],
        vec!["add", "tool", "t", "-t", "\u{1b}[31m"],
        vec!["add", "tool", "t", "--as", "\u{1b}[31m"],
        vec!["list", "--since", "\u{1b}[31m"],
    ] {
        let assert = repo.rep(&args).failure();
        let out = assert.get_output();
        assert_terminal_safe(&format!("stdout of {args:?}"), &out.stdout);
        assert_terminal_safe(&format!("stderr of {args:?}"), &out.stderr);
    }
    let assert = repo.rep_at("\u{1b}[31m", &["list"]).code(2);
    assert_terminal_safe("stderr with a hostile REP_NOW", &assert.get_output().stderr);
}

#[test]
fn json_keeps_hostile_text_exactly() {
    let repo = Repo::new();
    let id = repo.add(&[
        "tool",
        HOSTILE_TITLE,
        "-m",
        HOSTILE_BODY,
        "--cmd",
        HOSTILE_CMD,
        "-t",
        HOSTILE_TAG,
    ]);
    let check = |entry: &serde_json::Value| {
        assert_eq!(entry["title"], HOSTILE_TITLE);
        assert_eq!(entry["body"], HOSTILE_BODY);
        assert_eq!(entry["command"], HOSTILE_CMD);
        assert_eq!(entry["tags"], serde_json::json!([HOSTILE_TAG]));
    };
    for args in [
        vec!["show", id.as_str()],
        vec!["list"],
        vec!["search", "pwn"],
    ] {
        let assert = repo.rep(&[args.as_slice(), &["--json"]].concat()).success();
        // JSON escapes control characters, so even the raw bytes are safe to print.
        let raw = assert.get_output().stdout.clone();
        assert!(!raw.contains(&0x1b) && !raw.contains(&0x07), "{args:?}");
        let value = parse_json(&stdout(&assert));
        check(if value.is_array() { &value[0] } else { &value });
    }
}

/// Every number and time on the command line and in the config has a range: out of it is a
/// usage error naming the range (exit 2), never a panic (exit 70) or a wrap-around.
#[test]
fn numbers_and_ages_out_of_range_are_usage_errors() {
    let repo = Repo::empty();
    for args in [
        &["list", "--since", "999999999999999999h"][..],
        &["list", "--since=-3d"],
        &["search", "x", "--since", "36501d"],
        &["stats", "--weeks", "1000000"],
        &["stats", "--weeks", "18446744073709551615"],
        &["stats", "--weeks", "18446744073709551616"],
        &["stats", "--weeks", "0"],
        &["stats", "--weeks=-1"],
        &["list", "-n", "99999999999999999999"],
        &["search", "x", "-n", "1000001"],
        &["gaps", "-n", "x"],
        &["who", "pg", "-n", "18446744073709551615"],
        &["map", "--columns", "0"],
        &["map", "--since", "99999999999w"],
    ] {
        let assert = repo.rep(args).code(2);
        let err = stderr(&assert);
        assert!(
            err.contains("out of range") || err.contains("too far back") || err.contains("invalid"),
            "{args:?}: {err}"
        );
    }
    repo.rep(&["stats", "--weeks", "520"]).success();
    repo.rep(&["list", "--since", "100y"]).success();

    std::fs::write(
        repo.config(),
        "[review]\ninterval_days = 9223372036854775807\n",
    )
    .unwrap();
    let err = stderr(&repo.rep(&["gaps"]).code(2));
    assert!(
        err.contains("review.interval_days") && err.contains("out of range"),
        "{err}"
    );
    std::fs::remove_file(repo.config()).unwrap();
    let err = stderr(
        &repo
            .rep(&["config", "set", "gaps.unanswered_days", "99999999"])
            .code(2),
    );
    assert!(err.contains("1 to 36500"), "{err}");
}

/// stderr a closed pipe: the status line is lost, the committed write is not, and the exit code
/// says success (it was 101, a panic in the status line).
#[test]
fn a_closed_stderr_never_fails_a_committed_write() {
    let repo = Repo::empty();
    for args in [
        &["add", "tool", "Show locks", "--cmd", "psql"][..],
        &["list"],
        &["search", "nothing-matches-this"],
        &["stats", "--weeks", "0"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = std::process::Command::new(rep_bin())
            .env_clear()
            .env("REP_DB", repo.db())
            .env("REP_CONFIG", repo.config())
            .env("REP_USER", "ana")
            .env("NO_COLOR", "1")
            .env("HOME", repo.home())
            .args(args)
            .stdin(Stdio::null())
            .stderr(writer)
            .stdout(Stdio::piped())
            .output()
            .unwrap();
        let expected = if args[0] == "stats" { 2 } else { 0 };
        assert_eq!(out.status.code(), Some(expected), "{args:?}");
    }
    assert_eq!(repo.list_ids(&[]).len(), 1, "the entry was written once");
}

/// An SQLite error that is a bug (here a constraint that rep's own writes violate, as a database
/// in a state rep never writes makes them) is an internal error, exit 70, not the environment's
/// fault: exit 3 is for a database that is busy, unopenable, full, read-only or not one.
#[test]
fn an_sqlite_constraint_violation_is_an_internal_error() {
    let repo = Repo::new();
    repo.add(&["tool", "First"]);
    {
        let conn = rusqlite::Connection::open(repo.db()).unwrap();
        conn.execute_batch(
            "CREATE TRIGGER refuse BEFORE INSERT ON entries BEGIN SELECT RAISE(ABORT, 'no'); END;",
        )
        .unwrap();
    }
    let err = stderr(&repo.rep(&["add", "tool", "Second"]).code(70));
    assert!(err.starts_with("error: "), "{err}");
    repo.rep(&["list"]).success();
}
