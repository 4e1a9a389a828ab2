//! `rep ask`: a question posted after a look at what the repertoire knows; stdin captured as a
//! fenced block; no prompt without a terminal; a pick on a terminal records an occurrence.

use std::time::Duration;

use crate::support::{Repo, parse_json, stderr, stdout};

const PATIENCE: Duration = Duration::from_secs(20);

fn known(repo: &Repo) -> (String, String) {
    let tool = repo.add(&[
        "tool",
        "Find what holds a lock",
        "-d",
        "postgres",
        "--cmd",
        "SELECT * FROM pg_locks WHERE NOT granted",
    ]);
    let problem = repo.add(&[
        "problem",
        "A lock blocks the nightly migration",
        "-d",
        "postgres",
    ]);
    (tool, problem)
}

#[test]
fn without_a_terminal_ask_posts_and_lists_similar_entries_in_json() {
    let repo = Repo::new();
    let (tool, problem) = known(&repo);
    repo.add(&["story", "The night the WAL filled the disk"]);
    let out = repo
        .cmd()
        .args([
            "ask",
            "Who holds the lock?",
            "-d",
            "postgres",
            "-t",
            "locks",
            "--json",
        ])
        .write_stdin("")
        .timeout(PATIENCE)
        .assert()
        .success();
    let asked = parse_json(&stdout(&out));
    assert_eq!(asked["kind"], "question");
    assert_eq!(asked["title"], "Who holds the lock?");
    assert_eq!(asked["body"], "", "empty stdin gives no body");
    assert_eq!(asked["domain"], "postgres");
    assert_eq!(asked["tags"], serde_json::json!(["locks"]));
    assert_eq!(asked["author"], "ana");
    let similar: Vec<&str> = asked["similar"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    // The tool shares "holds" and "lock"; the problem only "lock", which is not enough.
    assert_eq!(similar, [tool.as_str()], "{problem}");
    let hit = &asked["similar"][0];
    assert!(hit["snippet"].as_str().unwrap().contains("**"), "{hit}");
    assert!(hit["score"].is_number());
    // It was posted: a new question, and nothing recorded on the similar entries.
    let id = asked["id"].as_str().unwrap();
    assert_eq!(repo.json(&["show", id])["status"], "open");
    assert_eq!(repo.json(&["show", &problem])["occurrences"]["count"], 0);
    assert_eq!(repo.rows(), 4);
}

#[test]
fn without_a_terminal_the_similar_entries_are_listed_on_stderr() {
    let repo = Repo::new();
    let (tool, _) = known(&repo);
    let out = repo
        .cmd()
        .args(["ask", "Who holds the lock?", "-m", "since 9:00"])
        .write_stdin("ignored: -m says what the body is")
        .timeout(PATIENCE)
        .assert()
        .success();
    let id = stdout(&out).trim().to_owned();
    assert_eq!(id.len(), 36);
    let err = stderr(&out);
    assert!(
        err.contains(&format!("asked {}: Who holds the lock?\n", &id[..4])),
        "{err}"
    );
    assert!(
        err.contains("similar entries that may answer it:\n"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "  {} tool     Find what holds a lock\n",
            &tool[..4]
        )),
        "{err}"
    );
    assert_eq!(repo.entry(&id)["body"], "since 9:00");
    // Nothing similar: no list, and `similar` is empty.
    let asked = repo.json(&["ask", "Zebra crossings in Yokohama", "--yes"]);
    assert_eq!(asked["similar"], serde_json::json!([]));
}

#[test]
fn piped_output_becomes_a_fenced_block() {
    let repo = Repo::new();
    let log = "cc: error: unrecognized option '-m64'\nmake: *** [Makefile:12: all] Error 1\n";
    let out = repo
        .cmd()
        .args(["ask", "build fails on arm64", "-", "-d", "ci", "--json"])
        .write_stdin(log)
        .timeout(PATIENCE)
        .assert()
        .success();
    let asked = parse_json(&stdout(&out));
    assert_eq!(
        asked["body"],
        "```\ncc: error: unrecognized option '-m64'\nmake: *** [Makefile:12: all] Error 1\n```\n"
    );
    // Backticks in the output get a longer fence.
    let out = repo
        .cmd()
        .args(["ask", "markdown in the log", "-", "--json"])
        .write_stdin("see ```code```\n")
        .timeout(PATIENCE)
        .assert()
        .success();
    assert_eq!(
        parse_json(&stdout(&out))["body"],
        "````\nsee ```code```\n````\n"
    );
    // `-` and -m together is a usage error.
    repo.rep(&["ask", "t", "-", "-m", "x"]).code(2);
    // Invalid UTF-8 on stdin is refused, and nothing is written.
    let assert = repo
        .cmd()
        .args(["ask", "binary", "-"])
        .write_stdin(vec![b'a', 0xff, b'b'])
        .timeout(PATIENCE)
        .assert()
        .code(1);
    assert!(stderr(&assert).contains("stdin is not valid UTF-8 (at byte 1)"));
    assert_eq!(repo.rows(), 2);
}

/// On a terminal, picking a similar entry records an occurrence on it instead of a question.
#[test]
fn on_a_terminal_picking_a_similar_entry_records_an_occurrence() {
    let repo = Repo::new();
    let (_, problem) = known(&repo);
    repo.rep(&["seen", &problem, "--as", "bo"]).success();
    let line = "rep ask 'nightly migration blocked by a lock' -d postgres; \
                echo \"exit=$?\"; exec sleep 30";
    let Some(tty) = crate::tty_support::Tmux::start(&repo, line, &[("REP_USER", "cy")]) else {
        return;
    };
    let screen = tty.wait_for("Cancel");
    assert!(
        screen.contains("The repertoire may know this already"),
        "{screen}"
    );
    assert!(
        screen.contains(&format!(
            "That answers it: {} problem A lock blocks the nightly migration",
            &problem[..4]
        )),
        "{screen}"
    );
    // The default is "post anyway"; the problem is the best match, first in the list.
    let first = screen
        .lines()
        .position(|l| l.contains("That answers it"))
        .unwrap();
    assert!(
        screen.lines().nth(first).unwrap().contains("problem"),
        "{screen}"
    );
    // The problem is the one similar entry (the tool shares only "lock"): one up from "post".
    tty.press("Up");
    tty.press("Enter");
    let screen = tty.wait_for("exit=");
    assert!(screen.contains("exit=0"), "{screen}");
    assert!(screen.contains("seen 2 times by 2 members"), "{screen}");
    let thread = repo.json(&["show", &problem]);
    assert_eq!(thread["occurrences"]["count"], 2);
    assert_eq!(
        thread["occurrences"]["notes"],
        serde_json::json!(["nightly migration blocked by a lock"])
    );
    assert_eq!(repo.rows(), 2, "no question was posted");
}

/// Without `-`, stdin is never read: a loop feeding questions one line at a time makes one
/// question per line, and a pipe that never closes does not make rep wait.
#[test]
fn stdin_is_read_only_with_a_dash() {
    let repo = Repo::new();
    let script = format!(
        "printf 'first question\\nsecond question\\nthird question\\n' | while read -r q; do {} ask \"$q\" --yes -q >/dev/null; done",
        crate::support::rep_bin().display()
    );
    let status = std::process::Command::new("bash")
        .arg("-c")
        .arg(&script)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("REP_DB", repo.db())
        .env("REP_CONFIG", repo.config())
        .env("REP_USER", "ana")
        .env("HOME", repo.home())
        .status()
        .unwrap();
    assert!(status.success());
    let asked = repo.json(&["list", "--kind", "question"]);
    let mut titles: Vec<&str> = asked
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    titles.sort_unstable();
    assert_eq!(
        titles,
        ["first question", "second question", "third question"]
    );
    assert!(asked.as_array().unwrap().iter().all(|e| e["body"] == ""));

    // A pipe that stays open: rep does not wait on it.
    let mut child = std::process::Command::new(crate::support::rep_bin())
        .args(["ask", "does it hang?", "--yes", "-q"])
        .env_clear()
        .env("REP_DB", repo.db())
        .env("REP_CONFIG", repo.config())
        .env("REP_USER", "ana")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let _open = child.stdin.take();
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success());
            break;
        }
        if started.elapsed() > PATIENCE {
            let _ = child.kill();
            panic!("rep ask waited on an open stdin");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Similar means sharing more than one word, and rare words weigh more than common ones: one
/// common word in common lists nothing; an entry sharing a rare word ranks above entries that
/// share only common ones.
#[test]
fn similar_entries_share_more_than_one_word_and_rare_ones_weigh_more() {
    let repo = Repo::new();
    for i in 0..6 {
        repo.add(&["story", &format!("Staging proxy notes, week {i}")]);
    }
    let rare = repo.add(&["tool", "Certbot renewal behind the proxy"]);
    let one_word = repo.add(&["story", "The renewal of the office lease"]);
    let asked = repo.json(&["ask", "Certbot renewal fails on the staging proxy", "-y"]);
    let similar: Vec<&str> = asked["similar"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(similar[0], rare, "{similar:?}");
    assert!(!similar.contains(&one_word.as_str()), "{similar:?}");
    assert_eq!(similar.len(), 5, "the best five: {similar:?}");
    // A question that shares one word with everything is similar to nothing.
    let asked = repo.json(&["ask", "Why is the lease so expensive?", "-y"]);
    assert_eq!(asked["similar"], serde_json::json!([]));
}
