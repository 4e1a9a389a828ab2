//! `--db` and `REP_DB` never convert or create what they should not: another program's SQLite
//! file is refused untouched, rep's own databases carry rep's application id, and commands that
//! only read never create a database (or its folders) at a path that does not exist.

use std::path::Path;

use crate::support::{Repo, stderr, stdout};

/// rep's `PRAGMA application_id`: "REP1".
const REP_APPLICATION_ID: i32 = 0x5245_5031;

fn application_id(db: &Path) -> i32 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap()
}

/// The file and everything SQLite could put beside it.
fn files_beside(db: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(db.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("places"))
        .collect();
    names.sort();
    names
}

fn browser_database(path: &Path, application_id: i32) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT, title TEXT);
         INSERT INTO moz_places (url, title) VALUES ('https://example.org/', 'Example');
         PRAGMA user_version = 77;",
    )
    .unwrap();
    conn.pragma_update(None, "application_id", application_id)
        .unwrap();
}

#[test]
fn another_programs_sqlite_file_is_refused_untouched() {
    let repo = Repo::new();
    for (name, app_id) in [("places.sqlite", 0), ("places-app.sqlite", 0x1234_5678)] {
        let db = repo.path().join(name);
        browser_database(&db, app_id);
        let before = std::fs::read(&db).unwrap();
        let beside = files_beside(&db);
        let db_arg = db.to_str().unwrap();
        for args in [
            vec!["list"],
            vec!["search", "example"],
            vec!["doctor"],
            vec!["add", "tool", "x", "--cmd", "true"],
            vec!["import", "-", "-q"],
        ] {
            let mut all = vec!["--db", db_arg];
            all.extend(&args);
            let assert = repo.rep(&all).code(3);
            let err = stderr(&assert);
            assert!(
                err.contains("is another program's SQLite database, not a repertoire"),
                "{name} {args:?}: {err}"
            );
            assert!(
                err.contains("hint: point --db or REP_DB at a rep database"),
                "{err}"
            );
            assert_eq!(
                std::fs::read(&db).unwrap(),
                before,
                "{name} {args:?} changed it"
            );
            assert_eq!(
                files_beside(&db),
                beside,
                "{name} {args:?}: no -wal, no -shm"
            );
        }
    }
}

#[test]
fn new_and_older_rep_databases_carry_reps_application_id() {
    let repo = Repo::new();
    repo.add(&["tool", "Show locks", "--cmd", "psql"]);
    assert_eq!(application_id(&repo.db()), REP_APPLICATION_ID);

    // A rep database from before the application id: known by its meta table and replica id,
    // claimed the first time it is opened for writing.
    let conn = rusqlite::Connection::open(repo.db()).unwrap();
    conn.pragma_update(None, "application_id", 0).unwrap();
    drop(conn);
    assert_eq!(application_id(&repo.db()), 0);
    repo.add(&["tool", "Show pods", "--cmd", "kubectl get pods"]);
    assert_eq!(application_id(&repo.db()), REP_APPLICATION_ID);
    assert_eq!(repo.list_ids(&[]).len(), 2);

    // The committed database of schema 2, as the rep of its day made it.
    let old = repo.path().join("v2.db");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/db/v2.db"),
        &old,
    )
    .unwrap();
    assert_eq!(application_id(&old), 0);
    let listed = stdout(
        &repo
            .rep(&["--db", old.to_str().unwrap(), "list", "--json"])
            .success(),
    );
    assert!(listed.contains("\"id\""), "{listed}");
    assert_eq!(application_id(&old), REP_APPLICATION_ID);
}

#[test]
fn read_only_commands_on_a_missing_path_say_so_and_create_nothing() {
    let repo = Repo::new();
    let typo = repo.path().join("typo/sub/repertiore.db");
    let typo_arg = typo.to_str().unwrap();
    for args in [
        vec!["list"],
        vec!["search", "lock"],
        vec!["show", "abcd"],
        vec!["stats"],
        vec!["domains"],
        vec!["tags"],
        vec!["gaps"],
        vec!["map"],
        vec!["who", "postgres"],
        vec!["members"],
        vec!["history", "abcd"],
        vec!["export", "-"],
        vec!["doctor"],
    ] {
        let assert = repo.cmd().env("REP_DB", &typo).args(&args).assert().code(3);
        let err = stderr(&assert);
        assert!(
            err.contains(&format!("there is no repertoire database at {typo_arg}")),
            "{args:?}: {err}"
        );
        assert!(err.contains("hint: check --db or REP_DB"), "{err}");
        assert!(
            !repo.path().join("typo").exists(),
            "{args:?} created folders"
        );
    }
    // A command that writes creates it.
    repo.cmd()
        .env("REP_DB", &typo)
        .args(["add", "tool", "first", "--cmd", "true"])
        .assert()
        .success();
    assert!(typo.is_file());
}

#[test]
fn without_db_or_rep_db_a_missing_default_database_reads_as_empty_and_is_not_created() {
    let repo = Repo::new();
    let data = repo.path().join("data");
    let run = |args: &[&str]| {
        repo.cmd()
            .env_remove("REP_DB")
            .env("XDG_DATA_HOME", &data)
            .args(args)
            .assert()
    };
    assert_eq!(stdout(&run(&["list", "--json"]).success()).trim(), "[]");
    run(&["search", "lock"]).success();
    run(&["tags"]).success();
    assert!(!data.exists(), "a read created the data folder");
    run(&["add", "tool", "first", "--cmd", "true"]).success();
    assert!(data.exists(), "a write creates the default database");
}
