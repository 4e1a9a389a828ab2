//! `rep add`: kinds, body sources, editor, domain and tag handling, the JSON contract.

use crate::support::{NOW, Repo, script, stderr, stdout};

#[test]
fn prints_the_full_id_on_stdout_and_a_status_on_stderr() {
    let repo = Repo::new();
    let assert = repo
        .rep(&["add", "tool", "Find what holds a lock"])
        .success();
    let id = stdout(&assert);
    assert_eq!(id.len(), 37, "one id and a newline: {id:?}");
    let id = id.trim();
    let entry = repo.entry(id);
    assert_eq!(entry["id"], id);
    let short = entry["short_id"].as_str().unwrap();
    assert_eq!(stderr(&assert), format!("added tool {short}\n"));
    assert!(id.starts_with(short));
}

#[test]
fn quiet_prints_only_the_id() {
    let repo = Repo::new();
    let assert = repo.rep(&["add", "tool", "Quiet one", "-q"]).success();
    assert_eq!(stdout(&assert).trim().len(), 36);
    assert_eq!(stderr(&assert), "");
}

#[test]
fn json_returns_the_whole_entry_with_every_documented_field() {
    let repo = Repo::new();
    let entry = repo.json(&[
        "add",
        "tool",
        "Find what holds a lock",
        "-m",
        "Join with pg_stat_activity.",
        "-d",
        "postgres",
        "-t",
        "locks",
        "--cmd",
        "SELECT * FROM pg_locks",
        "--link",
        "https://example.org/locks",
    ]);
    let mut keys: Vec<&str> = entry
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "author",
            "body",
            "command",
            "created_at",
            "deleted",
            "domain",
            "id",
            "kind",
            "link",
            "short_id",
            "tags",
            "title",
            "updated_at"
        ]
    );
    let id = entry["id"].as_str().unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(id.matches('-').count(), 4);
    assert!(id.starts_with(entry["short_id"].as_str().unwrap()));
    assert_eq!(entry["short_id"].as_str().unwrap().len(), 4);
    assert_eq!(entry["kind"], "tool");
    assert_eq!(entry["title"], "Find what holds a lock");
    assert_eq!(entry["body"], "Join with pg_stat_activity.");
    assert_eq!(entry["domain"], "postgres");
    assert_eq!(entry["tags"], serde_json::json!(["locks"]));
    assert_eq!(entry["author"], "ana");
    assert_eq!(entry["command"], "SELECT * FROM pg_locks");
    assert_eq!(entry["link"], "https://example.org/locks");
    assert_eq!(entry["created_at"], NOW);
    assert_eq!(entry["updated_at"], NOW);
    assert_eq!(entry["deleted"], false);
    // What add returned is what is stored.
    assert_eq!(repo.entry(id), entry);
}

#[test]
fn optional_fields_are_null_or_empty_when_not_given() {
    let repo = Repo::new();
    let entry = repo.json(&["add", "story", "Bare"]);
    assert_eq!(entry["body"], "");
    assert_eq!(entry["tags"], serde_json::json!([]));
    assert!(entry["command"].is_null());
    assert!(entry["link"].is_null());
}

#[test]
fn every_kind_is_accepted_and_others_are_a_usage_error() {
    let repo = Repo::new();
    for kind in ["story", "tool", "problem", "question"] {
        let entry = repo.json(&["add", kind, &format!("A {kind}")]);
        assert_eq!(entry["kind"], kind);
    }
    let assert = repo.rep(&["add", "recipe", "Not a kind"]).code(2);
    assert!(stderr(&assert).contains("invalid value 'recipe'"));
    assert_eq!(repo.rows(), 4);
}

#[test]
fn a_title_is_required_without_the_editor() {
    let repo = Repo::new();
    let assert = repo.rep(&["add", "tool"]).code(2);
    assert!(stderr(&assert).contains("<TITLE>"), "{}", stderr(&assert));
}

#[test]
fn invalid_titles_are_refused() {
    let repo = Repo::new();
    repo.add(&["tool", "keep"]);
    let long = "x".repeat(301);
    for (title, why) in [
        ("   ", "the title is empty"),
        ("two\nlines", "the title must be one line"),
        (long.as_str(), "longer than the limit of 300"),
    ] {
        let assert = repo.rep(&["add", "tool", title]).code(1);
        assert!(
            stderr(&assert).contains(why),
            "{title:?}: {}",
            stderr(&assert)
        );
    }
    assert!(repo.add(&["tool", &"y".repeat(300)]).len() == 36);
    assert_eq!(repo.rows(), 2);
}

#[test]
fn titles_are_trimmed() {
    let repo = Repo::new();
    let entry = repo.json(&["add", "tool", "  padded title \t"]);
    assert_eq!(entry["title"], "padded title");
}

#[test]
fn body_from_message_file_and_stdin() {
    let repo = Repo::new();
    let from_m = repo.json(&["add", "tool", "m", "-m", "line one\nline two"]);
    assert_eq!(from_m["body"], "line one\nline two");

    let file = repo.path().join("post.md");
    std::fs::write(&file, "# Postmortem\n\nDisk full.\n").unwrap();
    let from_file = repo.json(&["add", "story", "f", "--body-file", file.to_str().unwrap()]);
    assert_eq!(from_file["body"], "# Postmortem\n\nDisk full.\n");

    let out = repo
        .cmd()
        .args(["add", "problem", "s", "-", "--json"])
        .write_stdin("from stdin ✓\n")
        .assert()
        .success();
    let from_stdin = crate::support::parse_json(&stdout(&out));
    assert_eq!(from_stdin["body"], "from stdin ✓\n");
}

#[test]
fn a_missing_body_file_is_a_data_error() {
    let repo = Repo::new();
    let missing = repo.path().join("nope.md");
    let assert = repo
        .rep(&["add", "tool", "t", "--body-file", missing.to_str().unwrap()])
        .code(1);
    assert!(stderr(&assert).contains("cannot read the body file"));
}

#[test]
fn body_sources_conflict() {
    let repo = Repo::new();
    repo.rep(&["add", "tool", "t", "-m", "a", "-"]).code(2);
    repo.rep(&["add", "tool", "t", "-m", "a", "--body-file", "x"])
        .code(2);
    repo.rep(&["add", "tool", "t", "-m", "a", "-e"]).code(2);
    repo.rep(&["add", "tool", "t", "+"]).code(2);
}

#[test]
fn invalid_utf8_on_stdin_is_refused_and_nothing_is_written() {
    let repo = Repo::new();
    repo.add(&["tool", "already there"]);
    let before = std::fs::read(repo.db()).unwrap();
    let assert = repo
        .cmd()
        .args(["add", "tool", "latin-1", "-"])
        .write_stdin(b"caf\xe9 cr\xe8me".to_vec())
        .assert()
        .code(1);
    let err = stderr(&assert);
    assert!(err.contains("not valid UTF-8 (at byte 3)"), "{err}");
    assert!(err.contains("hint: convert it to UTF-8"), "{err}");
    assert_eq!(repo.rows(), 1);
    assert!(
        std::fs::read(repo.db()).unwrap() == before,
        "the database file changed"
    );
}

#[test]
fn a_body_over_one_mib_is_refused() {
    let repo = Repo::new();
    let limit = 1024 * 1024;
    let assert = repo
        .cmd()
        .args(["add", "tool", "too big", "-"])
        .write_stdin(vec![b'a'; limit + 1])
        .assert()
        .code(1);
    assert!(stderr(&assert).contains("over the limit of 1048576 bytes"));

    let file = repo.path().join("big.md");
    std::fs::write(&file, vec![b'b'; limit + 10]).unwrap();
    repo.rep(&[
        "add",
        "tool",
        "too big",
        "--body-file",
        file.to_str().unwrap(),
    ])
    .code(1);
    assert!(!repo.db().exists() || repo.rows() == 0);

    // Exactly the limit is fine.
    let out = repo
        .cmd()
        .args(["add", "tool", "just fits", "-", "-q"])
        .write_stdin(vec![b'c'; limit])
        .assert()
        .success();
    let id = stdout(&out);
    assert_eq!(repo.entry(id.trim())["body"].as_str().unwrap().len(), limit);
}

#[test]
fn a_nul_byte_in_the_body_is_refused() {
    let repo = Repo::new();
    let assert = repo
        .cmd()
        .args(["add", "tool", "nul", "-"])
        .write_stdin(b"a\0b".to_vec())
        .assert()
        .code(1);
    assert!(stderr(&assert).contains("NUL byte"));
}

#[test]
fn the_editor_writes_title_and_body() {
    let repo = Repo::new();
    let editor = script(
        &repo,
        "ed.sh",
        r#"grep -q 'New question entry.' "$1" || exit 9
printf 'Rotate staging certs\n\nAsk ops first.\nThen run the job.\n' > "$1""#,
    );
    let assert = repo
        .cmd()
        .env("EDITOR", &editor)
        .args(["add", "question", "-e", "--json"])
        .assert()
        .success();
    let entry = crate::support::parse_json(&stdout(&assert));
    assert_eq!(entry["kind"], "question");
    assert_eq!(entry["title"], "Rotate staging certs");
    assert_eq!(entry["body"], "Ask ops first.\nThen run the job.");
}

#[test]
fn visual_wins_over_editor_and_the_title_argument_is_prefilled() {
    let repo = Repo::new();
    let keep_title = script(
        &repo,
        "visual.sh",
        r#"{ head -n 1 "$1"; printf '\nbody from visual\n'; } > "$1.new" && mv "$1.new" "$1""#,
    );
    let assert = repo
        .cmd()
        .env("VISUAL", &keep_title)
        .env("EDITOR", "false")
        .args(["add", "tool", "Given title", "-e", "--json"])
        .assert()
        .success();
    let entry = crate::support::parse_json(&stdout(&assert));
    assert_eq!(entry["title"], "Given title");
    assert_eq!(entry["body"], "body from visual");
}

#[test]
fn saving_the_editor_unchanged_cancels_and_writes_nothing() {
    let repo = Repo::new();
    repo.add(&["tool", "already there"]);
    for args in [
        vec!["add", "question", "-e"],
        vec!["add", "question", "Prefilled", "-e"],
    ] {
        let assert = repo
            .cmd()
            .env("EDITOR", "true")
            .args(&args)
            .assert()
            .code(1);
        assert_eq!(stdout(&assert), "");
        let err = stderr(&assert);
        assert!(err.contains("cancelled"), "{err}");
        assert!(err.contains("nothing was written"), "{err}");
    }
    let emptied = script(&repo, "empty.sh", r#": > "$1""#);
    repo.cmd()
        .env("EDITOR", &emptied)
        .args(["add", "tool", "Prefilled", "-e"])
        .assert()
        .code(1);
    assert_eq!(repo.rows(), 1);
}

#[test]
fn a_failing_editor_is_an_environment_error() {
    let repo = Repo::new();
    let assert = repo
        .cmd()
        .env("EDITOR", "false")
        .args(["add", "tool", "t", "-e"])
        .assert()
        .code(3);
    assert!(stderr(&assert).contains("the editor `false` exited"));
    assert!(!repo.db().exists() || repo.rows() == 0);
}

#[test]
fn domain_defaults_to_general_then_to_the_configured_default() {
    let repo = Repo::new();
    assert_eq!(repo.json(&["add", "tool", "a"])["domain"], "general");
    repo.ok(&["config", "set", "defaults.domain", "Postgres"]);
    assert_eq!(repo.json(&["add", "tool", "b"])["domain"], "postgres");
    assert_eq!(
        repo.json(&["add", "tool", "c", "-d", "ops"])["domain"],
        "ops"
    );
}

#[test]
fn domains_are_normalised_and_validated() {
    let repo = Repo::new();
    let entry = repo.json(&["add", "tool", "a", "-d", " K8s/Networking/ "]);
    assert_eq!(entry["domain"], "k8s/networking");
    for bad in ["../etc", "a//b", ".hidden", "a b", ""] {
        let assert = repo.rep(&["add", "tool", "bad", "-d", bad]).code(1);
        assert!(
            stderr(&assert).contains("invalid domain"),
            "{bad:?}: {}",
            stderr(&assert)
        );
    }
    assert_eq!(repo.rows(), 1);
}

#[test]
fn tags_are_normalised_split_on_commas_and_deduplicated() {
    let repo = Repo::new();
    let entry = repo.json(&[
        "add",
        "tool",
        "tagged",
        "-t",
        "#Vacuum, Slow  Query",
        "--tag",
        "vacuum",
        "-t",
        "Ünïcode",
    ]);
    assert_eq!(
        entry["tags"],
        serde_json::json!(["slow-query", "vacuum", "ünïcode"])
    );
}

#[test]
fn invalid_tags_are_refused() {
    let repo = Repo::new();
    let long = "t".repeat(65);
    for bad in ["  ", "#", long.as_str(), "bell\u{7}"] {
        let assert = repo.rep(&["add", "tool", "bad", "-t", bad]).code(1);
        assert!(stderr(&assert).contains("invalid tag"), "{bad:?}");
    }
    let many: Vec<String> = (0..65).map(|i| format!("t{i}")).collect();
    let assert = repo
        .rep(&["add", "tool", "bad", "-t", &many.join(",")])
        .code(1);
    assert!(stderr(&assert).contains("more than 64 tags"));
    let ok: Vec<String> = (0..64).map(|i| format!("t{i}")).collect();
    let entry = repo.json(&["add", "tool", "ok", "-t", &ok.join(",")]);
    assert_eq!(entry["tags"].as_array().unwrap().len(), 64);
    assert_eq!(repo.rows(), 1);
}

#[test]
fn command_and_link_are_stored_as_text_and_never_run() {
    let repo = Repo::new();
    let marker = repo.path().join("ran");
    let cmd = format!("touch {} && echo $HOME | sed 's/a/b/'", marker.display());
    let entry = repo.json(&[
        "add",
        "tool",
        "t",
        "--cmd",
        &cmd,
        "--link",
        "../assets/x.sh",
    ]);
    assert_eq!(entry["command"], cmd.as_str());
    assert_eq!(entry["link"], "../assets/x.sh");
    assert!(!marker.exists(), "the command was run");
    let empty = repo.json(&["add", "tool", "u", "--cmd", "", "--link", ""]);
    assert!(empty["command"].is_null());
    assert!(empty["link"].is_null());
    let long = "x".repeat(8 * 1024 + 1);
    let assert = repo.rep(&["add", "tool", "v", "--cmd", &long]).code(1);
    assert!(stderr(&assert).contains("the command is longer than the limit"));
}

#[test]
fn the_author_comes_from_as_rep_user_config_or_git() {
    let repo = Repo::new();
    assert_eq!(repo.json(&["add", "tool", "a"])["author"], "ana");
    assert_eq!(
        repo.json(&["add", "tool", "b", "--as", "bo"])["author"],
        "bo"
    );

    // No REP_USER, no config, no git name, no login name: the system account, as git does.
    let added = repo
        .cmd()
        .env_remove("REP_USER")
        .args(["add", "tool", "c", "--json"])
        .assert()
        .success();
    let added: serde_json::Value = serde_json::from_slice(&added.get_output().stdout).unwrap();
    assert_eq!(added["author"], crate::support::system_account());

    std::process::Command::new("git")
        .args(["config", "--global", "user.name", "Git Person"])
        .env("HOME", repo.home())
        .status()
        .unwrap();
    let from_git = repo
        .cmd()
        .env_remove("REP_USER")
        .args(["add", "tool", "d", "--json"])
        .assert()
        .success();
    assert_eq!(
        crate::support::parse_json(&stdout(&from_git))["author"],
        "Git Person"
    );

    repo.ok(&["config", "set", "user.name", "cfg"]);
    let from_config = repo
        .cmd()
        .env_remove("REP_USER")
        .args(["add", "tool", "e", "--json"])
        .assert()
        .success();
    assert_eq!(
        crate::support::parse_json(&stdout(&from_config))["author"],
        "cfg"
    );
    // REP_USER beats the config file.
    assert_eq!(repo.json(&["add", "tool", "f"])["author"], "ana");
}

#[test]
fn an_invalid_member_name_is_refused() {
    let repo = Repo::new();
    let long = "n".repeat(65);
    for bad in ["a\u{1b}[31mb", long.as_str(), "two\nlines"] {
        let assert = repo.rep(&["add", "tool", "t", "--as", bad]).code(1);
        assert!(stderr(&assert).contains("invalid member name"), "{bad:?}");
    }
}
