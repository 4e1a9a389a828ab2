//! `rep config`: showing, getting and setting keys, and refusing bad config files.

use crate::support::{Repo, parse_json, stderr, stdout};

#[test]
fn show_lists_paths_member_and_settings() {
    let repo = Repo::new();
    let shown = repo.json(&["config"]);
    assert_eq!(shown["path"], repo.config().to_str().unwrap());
    assert_eq!(shown["database"], repo.db().to_str().unwrap());
    assert_eq!(shown["member"], "ana");
    assert_eq!(
        shown["settings"],
        serde_json::json!([
            {"key": "user.name", "value": null,
             "description": "your member name (else git config user.name, else the login name)"},
            {"key": "defaults.domain", "value": null,
             "description": "domain for new entries without -d (else \"general\")"},
            {"key": "recurring.min_occurrences", "value": "3",
             "description": "occurrences, from 2+ members, that make a problem recurring (3)"},
            {"key": "review.interval_days", "value": "180",
             "description": "days after the last review when an entry is stale (180)"},
                        {"key": "community.window_days", "value": "180",
             "description": "recent window in days for participation levels (180)"},
            {"key": "search.record_misses", "value": "true",
             "description": "count searches that found nothing, locally, for rep gaps (true)"},
            {"key": "gaps.unanswered_days", "value": "7",
             "description": "days before an open question without replies is a gap (7)"},
            {"key": "gaps.unresolved_days", "value": "14",
             "description": "days before a question with no accepted reply is a gap (14)"},
            {"key": "gaps.thin_min_questions", "value": "3",
             "description": "questions before a domain can be thin (3)"},
            {"key": "gaps.thin_ratio", "value": "2",
             "description": "thin: questions outnumber stories, tools and docs this many times (2)"},
        ])
    );
    // Showing the config neither creates the database nor the file.
    assert!(!repo.db().exists());
    assert!(!repo.config().exists());
}

#[test]
fn show_human_snapshot() {
    let repo = Repo::new();
    repo.ok(&["config", "set", "defaults.domain", "postgres"]);
    let out = repo.ok(&["config"]);
    let tmp = repo.path().to_str().unwrap();
    insta::assert_snapshot!("config_show", out.replace(tmp, "[TMP]"));
}

#[test]
fn set_then_get() {
    let repo = Repo::new();
    let assert = repo
        .rep(&["config", "set", "user.name", "Ana Lima"])
        .success();
    assert_eq!(stdout(&assert), "");
    assert_eq!(
        stderr(&assert),
        format!("set user.name in {}\n", repo.config().display())
    );
    repo.ok(&["config", "set", "defaults.domain", "pg"]);
    assert_eq!(repo.ok(&["config", "get", "user.name"]), "Ana Lima\n");
    assert_eq!(repo.ok(&["config", "get", "defaults.domain"]), "pg\n");
    assert_eq!(
        repo.json(&["config", "get", "user.name"]),
        serde_json::json!({"key": "user.name", "value": "Ana Lima"})
    );
    assert_eq!(
        repo.json(&["config", "set", "user.name", "bo"]),
        serde_json::json!({"key": "user.name", "value": "bo"})
    );
    // Setting one key keeps the other.
    let text = std::fs::read_to_string(repo.config()).unwrap();
    assert!(text.contains("name = \"bo\""), "{text}");
    assert!(text.contains("domain = \"pg\""), "{text}");
    let shown = repo.json(&["config"]);
    assert_eq!(shown["settings"][0]["value"], "bo");
    assert_eq!(shown["settings"][1]["value"], "pg");
}

#[test]
fn set_creates_missing_directories() {
    let repo = Repo::new();
    let nested = repo.path().join("a/b/config.toml");
    repo.cmd()
        .env("REP_CONFIG", &nested)
        .args(["config", "set", "user.name", "ana"])
        .assert()
        .success();
    assert!(std::fs::read_to_string(&nested).unwrap().contains("ana"));
}

#[test]
fn get_of_an_unset_key_fails() {
    let repo = Repo::new();
    let assert = repo.rep(&["config", "get", "user.name"]).code(1);
    assert_eq!(stdout(&assert), "");
    let err = stderr(&assert);
    assert!(err.contains("error: user.name is not set"), "{err}");
    assert!(
        err.contains("hint: `rep config set user.name VALUE`"),
        "{err}"
    );
    let assert = repo.rep(&["config", "get", "user.name", "--json"]).code(1);
    assert_eq!(
        parse_json(&stdout(&assert)),
        serde_json::json!({"key": "user.name", "value": null})
    );
}

#[test]
fn unknown_keys_are_named() {
    let repo = Repo::new();
    for args in [
        vec!["config", "get", "user.nmae"],
        vec!["config", "set", "user.nmae", "x"],
        vec!["config", "set", "nodot", "x"],
    ] {
        let assert = repo.rep(&args).code(1);
        let err = stderr(&assert);
        let key = args[2];
        assert!(
            err.contains(&format!("unknown config key `{key}`")),
            "{err}"
        );
        assert!(
            err.contains("known keys: user.name, defaults.domain"),
            "{err}"
        );
    }
    assert!(!repo.config().exists());
}

#[test]
fn invalid_values_are_refused_and_the_file_kept() {
    let repo = Repo::new();
    repo.ok(&["config", "set", "defaults.domain", "pg"]);
    let before = std::fs::read(repo.config()).unwrap();
    let assert = repo
        .rep(&["config", "set", "defaults.domain", "../etc"])
        .code(1);
    assert!(stderr(&assert).contains("invalid value for defaults.domain"));
    repo.rep(&["config", "set", "user.name", "two\nlines"])
        .code(1);
    assert_eq!(std::fs::read(repo.config()).unwrap(), before);
}

#[test]
fn a_config_file_with_an_unknown_key_is_an_environment_error() {
    let repo = Repo::new();
    std::fs::write(repo.config(), "[user]\nnmae = \"ana\"\n").unwrap();
    for args in [vec!["config"], vec!["list"], vec!["add", "tool", "t"]] {
        let assert = repo.rep(&args).code(3);
        let err = stderr(&assert);
        assert!(err.contains("invalid config file"), "{err}");
        assert!(err.contains("nmae"), "{err}");
        assert!(err.contains("hint: fix or remove the file"), "{err}");
    }
    std::fs::write(repo.config(), "colour = true\n").unwrap();
    assert!(stderr(&repo.rep(&["config"]).code(3)).contains("colour"));
    std::fs::write(repo.config(), "[defaults]\ndomain = \"../x\"\n").unwrap();
    repo.rep(&["config"]).code(3);
    std::fs::write(repo.config(), "not toml [").unwrap();
    repo.rep(&["config"]).code(3);
    assert!(!repo.db().exists());
}

#[test]
fn an_unreadable_config_path_is_an_environment_error() {
    let repo = Repo::new();
    std::fs::create_dir(repo.config()).unwrap();
    let assert = repo.rep(&["config"]).code(3);
    assert!(stderr(&assert).contains("cannot read the config file"));
}

#[test]
fn without_rep_config_the_file_lives_under_home() {
    let repo = Repo::new();
    let assert = repo
        .cmd()
        .env_remove("REP_CONFIG")
        .env_remove("REP_DB")
        .args(["config", "--json"])
        .assert()
        .success();
    let shown = parse_json(&stdout(&assert));
    let home = repo.home();
    let path = shown["path"].as_str().unwrap();
    let db = shown["database"].as_str().unwrap();
    assert!(path.starts_with(home.to_str().unwrap()), "{path}");
    assert!(path.ends_with("config.toml"), "{path}");
    assert!(db.starts_with(home.to_str().unwrap()), "{db}");
    assert!(db.ends_with("repertoire.db"), "{db}");
}

const HAND_WRITTEN: &str = "\
# Ana's repertoire settings
[user]
name = \"ana\"   # as the team knows me

# Review every quarter, not every half year.
[review]
interval_days = 90

[defaults]
domain = \"postgres\"
";

#[test]
fn set_keeps_the_files_comments_and_layout() {
    let repo = Repo::new();
    repo.write_config(HAND_WRITTEN);
    repo.ok(&["config", "set", "review.interval_days", "60", "-q"]);
    repo.ok(&["config", "set", "user.name", "Ana Lima", "-q"]);
    repo.ok(&["config", "set", "search.record_misses", "false", "-q"]);
    let text = std::fs::read_to_string(repo.config()).expect("config");
    insta::assert_snapshot!("config_set_keeps_layout", text);
    assert_eq!(repo.ok(&["config", "get", "review.interval_days"]), "60\n");
}

#[test]
fn unset_removes_one_key_and_its_default_applies_again() {
    let repo = Repo::new();
    repo.write_config(HAND_WRITTEN);
    let assert = repo
        .rep(&["config", "unset", "review.interval_days"])
        .success();
    assert_eq!(stdout(&assert), "");
    assert_eq!(
        stderr(&assert),
        format!(
            "removed review.interval_days from {}\n",
            repo.config().display()
        )
    );
    assert_eq!(repo.ok(&["config", "get", "review.interval_days"]), "180\n");
    let text = std::fs::read_to_string(repo.config()).expect("config");
    assert_eq!(
        text,
        HAND_WRITTEN.replace("interval_days = 90\n", ""),
        "only that line went"
    );
    // Again: nothing to remove, and nothing changes.
    let json = parse_json(&stdout(
        &repo
            .rep(&["config", "unset", "review.interval_days", "--json"])
            .success(),
    ));
    assert_eq!(
        json,
        serde_json::json!({"key": "review.interval_days", "removed": false})
    );
    assert_eq!(
        std::fs::read_to_string(repo.config()).expect("config"),
        text
    );
    // Without a file there is nothing to remove, and no file is created.
    let fresh = Repo::new();
    fresh.ok(&["config", "unset", "user.name", "-q"]);
    assert!(!fresh.config().exists());
}

#[test]
fn unset_an_unknown_key_fails_and_changes_nothing() {
    let repo = Repo::new();
    repo.write_config(HAND_WRITTEN);
    let err = repo.fails(&["config", "unset", "user.nickname"]);
    assert!(err.contains("unknown config key `user.nickname`"), "{err}");
    assert!(err.contains("known keys:"), "{err}");
    assert_eq!(
        std::fs::read_to_string(repo.config()).expect("config"),
        HAND_WRITTEN
    );
    // A broken file is refused, untouched.
    repo.write_config("[user\nname = ");
    let err = stderr(&repo.rep(&["config", "unset", "user.name"]).code(3));
    assert!(err.contains("invalid config file"), "{err}");
    assert_eq!(
        std::fs::read_to_string(repo.config()).expect("config"),
        "[user\nname = "
    );
}
