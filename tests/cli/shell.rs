//! Shell setup without a terminal: shell-init snippets, completion scripts, dynamic candidates,
//! man pages, and what the interactive helpers do on a pipe (never wait, never guess).

use std::process::Command;

use crate::support::{Repo, runs, stderr, stdout, tool_available};

#[test]
fn shell_init_snippets() {
    let repo = Repo::new();
    for shell in ["bash", "zsh", "fish"] {
        insta::assert_snapshot!(
            format!("shell_init_{shell}"),
            repo.ok(&["shell-init", shell])
        );
    }
    let bash = repo.ok(&["shell-init", "bash"]);
    let checked = Command::new("bash")
        .args(["-n", "-c", &bash])
        .status()
        .unwrap();
    assert!(checked.success(), "bash -n rejects the snippet");
    // Sourced in a non-interactive bash it defines the function and binds nothing.
    let out = Command::new("bash")
        .args(["--norc", "-c", &format!("{bash}\ntype -t rep-save")])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "function\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn completion_scripts_for_every_shell() {
    let repo = Repo::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = repo.ok(&["completions", shell]);
        assert!(script.contains("COMPLETE"), "{shell}: {script}");
    }
    let bash = repo.ok(&["completions", "bash"]);
    let path = repo.path().join("rep.bash");
    std::fs::write(&path, &bash).unwrap();
    let checked = Command::new("bash").arg("-n").arg(&path).status().unwrap();
    assert!(checked.success(), "bash -n rejects the completion script");
    let out = Command::new("bash")
        .arg("--norc")
        .arg("-c")
        .arg(format!("source '{}' && complete -p rep", path.display()))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("-F _clap_complete_rep rep"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!repo.db().exists());
}

/// zsh and fish parse the snippets and completion scripts (`-n`: no execution). CI installs both
/// shells and fails without them; elsewhere a missing shell skips its check with a message.
#[test]
fn zsh_and_fish_accept_the_snippets_and_completions() {
    let repo = Repo::new();
    for shell in ["zsh", "fish"] {
        if !tool_available(shell, runs(shell, &["-c", "exit 0"])) {
            continue;
        }
        for what in ["shell-init", "completions"] {
            let path = repo.path().join(format!("{what}.{shell}"));
            std::fs::write(&path, repo.ok(&[what, shell])).unwrap();
            let checked = Command::new(shell).arg("-n").arg(&path).output().unwrap();
            assert!(
                checked.status.success(),
                "{shell} -n rejects `rep {what} {shell}`: {}",
                String::from_utf8_lossy(&checked.stderr)
            );
        }
    }
}

/// What rep answers when bash asks for candidates for the last of `words`.
fn candidates(repo: &Repo, words: &[&str]) -> Vec<String> {
    let out = repo
        .cmd()
        .env("COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string())
        .env("_CLAP_COMPLETE_COMP_TYPE", "9")
        .env("_CLAP_COMPLETE_SPACE", "true")
        .env("_CLAP_IFS", "\n")
        .arg("--")
        .args(words)
        .assert()
        .success();
    stdout(&out).lines().map(str::to_owned).collect()
}

#[test]
fn domains_tags_and_commands_complete_from_the_repertoire() {
    let repo = Repo::new();
    // Before any entry: no candidates, and no database is created by asking.
    assert_eq!(
        candidates(&repo, &["rep", "list", "--domain", ""]),
        Vec::<String>::new()
    );
    assert!(!repo.db().exists());
    repo.add(&["tool", "a", "-d", "postgres", "-t", "locks,pg"]);
    repo.add(&["tool", "b", "-d", "k8s/networking", "-t", "certs"]);
    assert_eq!(
        candidates(&repo, &["rep", "list", "--domain", "k"]),
        ["k8s/networking"]
    );
    assert_eq!(
        candidates(&repo, &["rep", "search", "x", "-t", "l"]),
        ["locks"]
    );
    let after_comma = candidates(&repo, &["rep", "add", "tool", "t", "-t", "locks,"]);
    assert!(
        after_comma.contains(&"locks,certs".to_owned())
            && after_comma.contains(&"locks,pg".to_owned()),
        "{after_comma:?}"
    );
    let subcommands = candidates(&repo, &["rep", "sh"]);
    assert_eq!(subcommands, ["show", "shell-init"]);
}

#[test]
fn man_pages_for_every_subcommand() {
    let repo = Repo::new();
    let dir = repo.path().join("man");
    let out = repo.ok(&["man", dir.to_str().unwrap()]);
    assert_eq!(out.trim(), dir.display().to_string());
    let mut want = vec!["rep.1".to_owned()];
    let help = repo.ok(&["--help"]);
    // Every command line of the help, under whichever heading (by activity) it stands.
    let commands = help.split("Global options:").next().unwrap();
    let command_lines = commands
        .lines()
        .skip_while(|l| !l.starts_with("Usage:"))
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "));
    for line in command_lines {
        let name = line.split_whitespace().next().unwrap();
        if name != "help" {
            want.push(format!("rep-{name}.1"));
        }
    }
    assert!(want.len() > 35, "{want:?}");
    for page in &want {
        let text = std::fs::read_to_string(dir.join(page))
            .unwrap_or_else(|e| panic!("no page {page}: {e}"));
        assert!(text.starts_with(".ie"), "{page} is not roff");
    }
    // Subcommands of subcommands too; the hidden plumbing gets none.
    assert!(dir.join("rep-config-set.1").exists());
    assert!(!dir.join("rep-pick.1").exists());
    // The default folder is the user's man path under XDG_DATA_HOME.
    let data = repo.path().join("data");
    repo.cmd()
        .env("XDG_DATA_HOME", &data)
        .arg("man")
        .assert()
        .success();
    assert!(data.join("man/man1/rep-add.1").exists());
}

#[test]
fn a_missing_id_on_a_pipe_is_a_usage_error_naming_it() {
    let repo = Repo::new();
    repo.add(&["tool", "a"]);
    for cmd in [
        "show", "edit", "rm", "restore", "history", "answer", "seen", "helped", "review",
        "resolve", "reopen", "document",
    ] {
        let mut args = vec![cmd];
        if cmd == "edit" {
            args.extend(["--title", "x"]);
        }
        let assert = repo.rep(&args).code(2);
        assert_eq!(stdout(&assert), "", "{cmd}");
        let err = stderr(&assert);
        assert!(
            err.contains("error: the argument <ID> is missing"),
            "{cmd}: {err}"
        );
        assert!(err.contains("hint: give the entry's id"), "{cmd}: {err}");
    }
}

#[test]
fn the_plumbing_never_waits_on_a_pipe() {
    let repo = Repo::new();
    repo.add(&["tool", "a", "--cmd", "ls"]);
    let assert = repo.rep(&["pick", "ls"]).code(2);
    assert_eq!(stdout(&assert), "");
    assert!(stderr(&assert).contains("needs a terminal"));
    // capture takes its title from the arguments; without one it says how to give it.
    let assert = repo.rep(&["capture", "--cmd", "df -h"]).code(2);
    assert!(stderr(&assert).contains("the title is missing"));
    let assert = repo.rep(&["capture", "--cmd", "  "]).code(2);
    assert!(stderr(&assert).contains("no command line to save"));
}

#[test]
fn capture_takes_the_domain_from_config_or_the_git_repository() {
    let repo = Repo::new();
    let project = repo.path().join("Web Shop");
    std::fs::create_dir(&project).unwrap();
    let git = Command::new("git")
        .args(["init", "-q"])
        .current_dir(&project)
        .status();
    if !tool_available("git", git.is_ok_and(|s| s.success())) {
        return;
    }
    let id = stdout(
        &repo
            .cmd()
            .current_dir(&project)
            .args([
                "capture",
                "--cmd",
                "make deploy",
                "--",
                "Deploy",
                "the",
                "shop",
            ])
            .assert()
            .success(),
    );
    let entry = repo.entry(id.trim());
    assert_eq!(entry["kind"], "tool");
    assert_eq!(entry["title"], "Deploy the shop");
    assert_eq!(entry["command"], "make deploy");
    assert_eq!(entry["domain"], "web-shop");
    repo.write_config("[defaults]\ndomain = \"ops\"\n");
    let id = stdout(
        &repo
            .cmd()
            .current_dir(&project)
            .args(["capture", "--cmd", "make test", "--", "Test"])
            .assert()
            .success(),
    );
    assert_eq!(repo.entry(id.trim())["domain"], "ops");
}

/// Reruns this test binary on one test with no tool on PATH: under `CI=true` the missing tool
/// fails that test; without CI it passes and says on stderr that it skipped.
#[test]
fn a_missing_tool_fails_under_ci_and_is_skipped_aloud_elsewhere() {
    let empty = tempfile::tempdir().unwrap();
    let me = std::env::current_exe().unwrap();
    for test in [
        "shell::zsh_and_fish_accept_the_snippets_and_completions",
        "tty::the_picker_chooses_an_entry_when_the_id_is_left_out",
    ] {
        let run = |ci: Option<&str>| {
            let mut cmd = Command::new(&me);
            cmd.args(["--exact", test, "--nocapture", "--test-threads=1"])
                .env("PATH", empty.path())
                .env_remove("CI");
            if let Some(ci) = ci {
                cmd.env("CI", ci);
            }
            cmd.output().unwrap()
        };
        let in_ci = run(Some("true"));
        let text = String::from_utf8_lossy(&in_ci.stdout).into_owned()
            + &String::from_utf8_lossy(&in_ci.stderr);
        assert!(
            !in_ci.status.success(),
            "{test} passed under CI=true: {text}"
        );
        assert!(text.contains("is not installed and CI is set"), "{text}");
        assert!(text.contains("1 failed"), "{text}");

        let outside = run(None);
        let text = String::from_utf8_lossy(&outside.stderr).into_owned();
        assert!(outside.status.success(), "{test}: {text}");
        assert!(text.contains("skipping: "), "{test}: {text}");
    }
}
