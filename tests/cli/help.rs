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

/// `rep -h` lists the commands by activity and the global options once; every command that
/// `rep help` knows is under one of the headings.
#[test]
fn short_help_groups_commands_by_activity() {
    let repo = Repo::new();
    let short = repo.ok(&["-h"]);
    insta::assert_snapshot!("help_short", short);
    let headings = [
        "Log and find:",
        "Ask and answer:",
        "The practice:",
        "Map and gaps:",
        "Sharing:",
        "Setup:",
        "Global options:",
    ];
    let mut at = 0;
    for heading in headings {
        let found = short[at..]
            .find(heading)
            .unwrap_or_else(|| panic!("{heading} in order"));
        at += found;
    }
    assert!(!short.contains("\nCommands:"), "{short}");
    for name in [
        "add", "ask", "seen", "gaps", "sync", "config", "members", "man",
    ] {
        assert!(
            short.lines().any(|l| l.starts_with(&format!("  {name} "))),
            "{name}: {short}"
        );
    }
    // A command's own help keeps its options apart from the global ones.
    let members = repo.ok(&["members", "-h"]);
    let (own, global) = members.split_once("Global options:").expect("two sections");
    let global = global.split("Examples:").next().unwrap_or_default();
    assert!(
        own.contains("--explain") && !own.contains("--db"),
        "{members}"
    );
    assert!(
        global.contains("--db") && !global.contains("--explain"),
        "{members}"
    );
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
        "serve",
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
