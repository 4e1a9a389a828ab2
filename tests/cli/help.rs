//! Snapshots of every `--help`: the help text is the CLI's documentation and an API.

use crate::support::{Repo, stderr, stdout};

#[test]
fn top_level_help() {
    let repo = Repo::new();
    insta::assert_snapshot!("help_top", repo.ok(&["--help"]));
    // `help` and `-h` work too; bare `rep` is a usage error that shows the commands.
    assert_eq!(repo.ok(&["help"]), repo.ok(&["--help"]));
    let short = repo.ok(&["-h"]);
    assert!(short.contains("Usage: rep [OPTIONS] <COMMAND>"));
    let assert = repo.rep(&[]).code(2);
    assert_eq!(stdout(&assert), "");
    assert!(stderr(&assert).contains("Usage: rep [OPTIONS] <COMMAND>"));
}

#[test]
fn subcommand_help() {
    let repo = Repo::new();
    for cmd in [
        "add",
        "show",
        "edit",
        "rm",
        "restore",
        "list",
        "search",
        "domains",
        "tags",
        "config",
        "version",
        "ask",
        "answer",
        "accept",
        "resolve",
        "reopen",
        "helped",
        "seen",
        "document",
        "link",
        "review",
        "members",
        "whoami",
        "history",
        "open",
        "news",
        "export",
        "import",
        "sync",
        "remote",
        "git-setup",
        "merge-driver",
        "map",
        "who",
        "gaps",
        "stats",
        "doctor",
        "backup",
        "shell-init",
        "completions",
        "man",
    ] {
        let out = repo.ok(&[cmd, "--help"]);
        insta::assert_snapshot!(format!("help_{cmd}"), out);
        assert_eq!(repo.ok(&["help", cmd]), out, "rep help {cmd}");
    }
    insta::assert_snapshot!("help_config_get", repo.ok(&["config", "get", "--help"]));
    insta::assert_snapshot!("help_config_set", repo.ok(&["config", "set", "--help"]));
    for (group, cmd) in [
        ("tags", "rename"),
        ("domains", "rename"),
        ("config", "unset"),
    ] {
        let out = repo.ok(&[group, cmd, "--help"]);
        insta::assert_snapshot!(format!("help_{group}_{cmd}"), out);
    }
    assert!(!repo.db().exists());
}
