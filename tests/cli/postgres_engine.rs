//! `rep remote` and `rep sync` with a PostgreSQL server (issue 19): the basic paths against a
//! real server (tests/cli/pg_support.rs). The large suites (random convergence, many members
//! at once, kills, restarts) live in tests/cli/postgres*.rs of their own.

use serde_json::Value;

use super::pg_support::{PASSWORD, PgServer, server};
use super::support::{Repo, parse_json, stderr, stdout, tool_available};

/// `rep ARGS` as `member`, with the superuser's password.
fn rep_as(_pg: &PgServer, repo: &Repo, member: &str, args: &[&str]) -> assert_cmd::assert::Assert {
    repo.cmd()
        .env("PGPASSWORD", PASSWORD)
        .env("REP_USER", member)
        .args(args)
        .assert()
}

fn sync_json(pg: &PgServer, repo: &Repo, member: &str) -> Value {
    parse_json(&stdout(
        &rep_as(pg, repo, member, &["sync", "--json"]).success(),
    ))
}

fn export(repo: &Repo) -> String {
    stdout(&repo.rep(&["export", "-"]).success())
}

/// A database with rep's schema, and a member's repertoire pointed at it.
fn team(pg: &PgServer) -> (String, String) {
    let db = pg.create_db();
    let url = pg.url("postgres", &db);
    let admin = Repo::new();
    admin.rep(&["remote", "set", &url]).success();
    let init = parse_json(&stdout(
        &pg.rep(&admin, &["remote", "init", "--json"]).success(),
    ));
    assert_eq!(init["created"], true);
    (db, url)
}

fn member(url: &str) -> Repo {
    let repo = Repo::new();
    repo.rep(&["remote", "set", url, "-q"]).success();
    repo
}

#[test]
fn postgres_a_password_in_the_url_is_refused_and_the_remote_shown_as_set() {
    let repo = Repo::new();
    let err = stderr(
        &repo
            .rep(&["remote", "set", "postgres://ana:s3cret@db.example.com/team"])
            .code(1),
    );
    assert!(
        err.contains("a password inside the remote URL is never stored"),
        "{err}"
    );
    assert!(err.contains("PGPASSWORD"), "{err}");
    assert!(
        !err.contains("s3cret"),
        "the password is never printed: {err}"
    );
    let shown = parse_json(&stdout(&repo.rep(&["remote", "--json"]).success()));
    assert_eq!(shown["remote"], Value::Null, "nothing was stored");
    let url = "postgresql://ana@db.example.com:6432/team?sslmode=verify-full&sslrootcert=ca.pem";
    let set = parse_json(&stdout(
        &repo.rep(&["remote", "set", url, "--json"]).success(),
    ));
    assert_eq!(set["remote"], url);
    assert_eq!(stdout(&repo.rep(&["remote"]).success()).trim(), url);
    let bad = stderr(
        &repo
            .rep(&["remote", "set", "postgres://db.example.com/team"])
            .code(1),
    );
    assert!(bad.contains("names no user"), "{bad}");
}

#[test]
fn postgres_init_creates_the_schema_once_and_sync_needs_it() {
    let Some(pg) = server() else { return };
    let db = pg.create_db();
    let url = pg.url("postgres", &db);
    let repo = member(&url);
    let err = rep_as(pg, &repo, "ana", &["sync"]).code(78);
    let text = stderr(&err);
    assert!(
        text.contains("schema not initialised, run `rep remote init`"),
        "{text}"
    );
    let first = parse_json(&stdout(
        &pg.rep(&repo, &["remote", "init", "--json"]).success(),
    ));
    assert_eq!(first["created"], true);
    assert_eq!(first["schema_version"], 1);
    let again = parse_json(&stdout(
        &pg.rep(&repo, &["remote", "init", "--json"]).success(),
    ));
    assert_eq!(again["created"], false);
    assert_eq!(again["upgraded"], false);
    assert_eq!(
        pg.psql(&db, "SELECT version FROM repertoire.schema_version")
            .trim(),
        "1"
    );
    // A server schema from a newer rep is refused by sync and init alike, and left alone.
    pg.psql(&db, "UPDATE repertoire.schema_version SET version = 99");
    let text = stderr(&rep_as(pg, &repo, "ana", &["sync"]).code(78));
    assert!(text.contains("version 99, newer than this rep"), "{text}");
    let text = stderr(&pg.rep(&repo, &["remote", "init"]).code(78));
    assert!(text.contains("version 99, newer than this rep"), "{text}");
    assert_eq!(
        pg.psql(&db, "SELECT version FROM repertoire.schema_version")
            .trim(),
        "99"
    );
}

#[test]
fn postgres_two_members_converge_with_lost_edits_in_history() {
    let Some(pg) = server() else { return };
    let (_db, url) = team(pg);
    let ana = member(&url);
    let bob = member(&url);
    let id = ana.add(&["tool", "Show locks", "-d", "postgres", "--cmd", "SELECT 1"]);
    let first = sync_json(pg, &ana, "ana");
    assert_eq!(
        (first["sent"].as_u64(), first["received"].as_u64()),
        (Some(1), Some(0))
    );
    let pulled = sync_json(pg, &bob, "bob");
    assert_eq!(
        (pulled["received"].as_u64(), pulled["added"].as_u64()),
        (Some(1), Some(1))
    );
    // Concurrent edits of one field: one wins everywhere, the other stays in history.
    rep_as(
        pg,
        &bob,
        "bob",
        &["edit", &id, "--title", "Show who holds locks"],
    )
    .success();
    rep_as(
        pg,
        &ana,
        "ana",
        &["edit", &id, "--title", "Show the locks held"],
    )
    .success();
    rep_as(
        pg,
        &bob,
        "bob",
        &["answer", &id, "-m", "pg_locks joined with pg_stat_activity"],
    )
    .success();
    sync_json(pg, &bob, "bob");
    let joined = sync_json(pg, &ana, "ana");
    assert_eq!(joined["lost_concurrent_edits"], 1, "{joined}");
    sync_json(pg, &bob, "bob");
    assert_eq!(export(&ana), export(&bob), "both hold the same repertoire");
    assert!(
        export(&ana).contains("pg_stat_activity"),
        "the reply went across"
    );
    let history = stdout(&ana.rep(&["history", &id]).success());
    assert!(
        history.contains("Show who holds locks") && history.contains("Show the locks held"),
        "{history}"
    );
}

#[test]
fn postgres_a_sync_sends_and_receives_only_what_changed() {
    let Some(pg) = server() else { return };
    let (db, url) = team(pg);
    let ana = member(&url);
    let bob = member(&url);
    for n in 0..5 {
        ana.add(&["tool", &format!("Trick {n}"), "-d", "shell"]);
    }
    assert_eq!(sync_json(pg, &ana, "ana")["sent"], 5);
    assert_eq!(sync_json(pg, &bob, "bob")["received"], 5);
    // Nothing changed anywhere: nothing goes either way, and the server is not written.
    let xids = pg.psql(
        &db,
        "SELECT string_agg(xid::text, ',' ORDER BY id) FROM repertoire.records",
    );
    for (repo, name) in [(&ana, "ana"), (&bob, "bob"), (&ana, "ana")] {
        let idle = sync_json(pg, repo, name);
        assert_eq!(
            (idle["sent"].as_u64(), idle["received"].as_u64()),
            (Some(0), Some(0)),
            "{name}: {idle}"
        );
    }
    assert_eq!(
        pg.psql(
            &db,
            "SELECT string_agg(xid::text, ',' ORDER BY id) FROM repertoire.records"
        ),
        xids
    );
    // One change: one record each way.
    let id = bob.list_ids(&[])[0].clone();
    rep_as(pg, &bob, "bob", &["edit", &id, "-t", "posix"]).success();
    let sent = sync_json(pg, &bob, "bob");
    assert_eq!(
        (sent["sent"].as_u64(), sent["received"].as_u64()),
        (Some(1), Some(0)),
        "{sent}"
    );
    let got = sync_json(pg, &ana, "ana");
    assert_eq!(
        (
            got["sent"].as_u64(),
            got["received"].as_u64(),
            got["updated"].as_u64()
        ),
        (Some(0), Some(1), Some(1)),
        "{got}"
    );
    assert_eq!(export(&ana), export(&bob));
}

#[test]
fn postgres_a_read_only_role_pulls_but_cannot_push() {
    let Some(pg) = server() else { return };
    let (db, url) = team(pg);
    let ana = member(&url);
    ana.add(&["tool", "Show locks", "-d", "postgres"]);
    sync_json(pg, &ana, "ana");
    let role = format!("reader_{db}");
    pg.psql(
        &db,
        &format!(
            "CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}';
             GRANT USAGE ON SCHEMA repertoire TO {role};
             GRANT SELECT ON ALL TABLES IN SCHEMA repertoire TO {role};"
        ),
    );
    let reader = member(&pg.url(&role, &db));
    let pulled = sync_json(pg, &reader, "cy");
    assert_eq!(pulled["received"], 1);
    assert_eq!(export(&reader), export(&ana));
    reader.add(&["tool", "A reader's own trick", "-d", "shell"]);
    let text = stderr(&rep_as(pg, &reader, "cy", &["sync"]).code(77));
    assert!(text.contains("this role may only read"), "{text}");
    assert_eq!(
        pg.psql(&db, "SELECT count(*) FROM repertoire.records")
            .trim(),
        "1"
    );
}

#[test]
fn postgres_a_wrong_password_and_a_missing_database_are_told_apart() {
    let Some(pg) = server() else { return };
    let repo = member(&pg.url("postgres", "no_such_db"));
    let text = stderr(&rep_as(pg, &repo, "ana", &["sync"]).code(78));
    assert!(text.contains("the database does not exist"), "{text}");
    let (_db, url) = team(pg);
    let repo = member(&url);
    let wrong = repo
        .cmd()
        .env("PGPASSWORD", "not-the-password")
        .args(["sync"])
        .assert()
        .code(77);
    let text = stderr(&wrong);
    assert!(text.contains("authentication failed"), "{text}");
    assert!(!text.contains("not-the-password"), "{text}");
    let unreachable = member("postgres://postgres@127.0.0.1:1/x?sslmode=disable");
    let text = stderr(&rep_as(pg, &unreachable, "ana", &["sync"]).code(69));
    assert!(text.contains("cannot reach the server"), "{text}");
}

/// The cursor never misses a row whose transaction commits after a later one: a transaction
/// that took its id first but commits last is still pulled by the next sync.
#[test]
fn postgres_rows_of_transactions_committing_out_of_order_are_all_pulled() {
    let Some(pg) = server() else { return };
    let (db, url) = team(pg);
    // Two records, written straight into the server by two transactions.
    let source = Repo::new();
    let first = source.add(&["tool", "Written by the slow transaction", "-d", "shell"]);
    let second = source.add(&["tool", "Written by the quick transaction", "-d", "shell"]);
    let text = export(&source);
    let line_of = |id: &str| {
        text.lines()
            .find(|l| l.contains(id))
            .expect("the record's line")
            .to_owned()
    };
    let insert = |id: &str| {
        format!(
            "INSERT INTO repertoire.records (id, kind, line) VALUES ('{id}', 0, $rep${}$rep$)",
            line_of(id)
        )
    };
    let reader = member(&url);
    // The slow one takes its transaction id first, then waits before committing.
    let slow_sql = format!("BEGIN; {}; SELECT pg_sleep(6); COMMIT;", insert(&first));
    let slow = std::thread::spawn({
        let db = db.clone();
        move || server().expect("running").psql(&db, &slow_sql)
    });
    let started = std::time::Instant::now();
    loop {
        let running = pg.psql(
            &db,
            "SELECT count(*) FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND query LIKE '%pg_sleep(6)%'",
        );
        if running.trim() == "1" {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 5,
            "the slow transaction never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    pg.psql(&db, &insert(&second));
    let order = pg.psql(
        &db,
        &format!("SELECT (SELECT xid FROM repertoire.records WHERE id = '{second}') > pg_snapshot_xmin(pg_current_snapshot())"),
    );
    assert_eq!(
        order.trim(),
        "t",
        "the quick transaction's id is above the slow one's"
    );
    let early = sync_json(pg, &reader, "cy");
    assert_eq!(early["received"], 1, "only the committed row: {early}");
    slow.join().expect("the slow transaction");
    let late = sync_json(pg, &reader, "cy");
    assert!(late["received"].as_u64() >= Some(1), "{late}");
    let ids = reader.list_ids(&[]);
    assert!(ids.contains(&first) && ids.contains(&second), "{ids:?}");
    let idle = sync_json(pg, &reader, "cy");
    assert_eq!(idle["received"], 0, "{idle}");
}

/// A database from before schema 12 (no change tracking) upgrades, and its first sync with a
/// server sends every record it holds; a second member gets them all.
#[test]
fn postgres_a_database_from_before_schema_12_sends_everything_to_a_new_server() {
    let Some(pg) = server() else { return };
    let (_db, url) = team(pg);
    let old = Repo::new();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/db/v10.db");
    std::fs::copy(fixture, old.db()).expect("copy the fixture");
    old.rep(&["remote", "set", &url, "-q"]).success();
    let sent = sync_json(pg, &old, "ana");
    assert_eq!(
        sent["sent"], 6,
        "4 entries (one deleted) and 2 replies: {sent}"
    );
    let other = member(&url);
    assert_eq!(sync_json(pg, &other, "bob")["received"], 6);
    assert_eq!(export(&other), export(&old));
    // From then on, only what changes.
    let id = old.list_ids(&[])[0].clone();
    rep_as(pg, &old, "ana", &["edit", &id, "-t", "upgraded"]).success();
    assert_eq!(sync_json(pg, &old, "ana")["sent"], 1);
}

/// TLS through rustls: `require` encrypts, `verify-full` and `verify-ca` check the certificate
/// against the CA of `sslrootcert`, and a certificate from another CA is refused (exit 76).
#[test]
fn postgres_tls_modes_verify_the_server_as_libpq_does() {
    let Some(pg) = server() else { return };
    if !tool_available("openssl", pg.tls) {
        return;
    }
    let (db, _) = team(pg);
    let base = format!("postgres://postgres@127.0.0.1:{}/{db}", pg.port);
    let ca = pg.ca().display().to_string();
    let ana = Repo::new();
    ana.add(&["tool", "Over TLS", "-d", "security"]);
    for (query, member) in [
        ("sslmode=require".to_owned(), "ana"),
        (format!("sslmode=verify-ca&sslrootcert={ca}"), "ana"),
        (format!("sslmode=verify-full&sslrootcert={ca}"), "ana"),
    ] {
        ana.rep(&["remote", "set", &format!("{base}?{query}"), "-q"])
            .success();
        let synced = sync_json(pg, &ana, member);
        assert_eq!(synced["attempts"], 1, "{query}: {synced}");
    }
    let localhost = format!(
        "postgres://postgres@localhost:{}/{db}?sslmode=verify-full&sslrootcert={ca}",
        pg.port
    );
    let bob = member(&localhost);
    assert_eq!(sync_json(pg, &bob, "bob")["received"], 1);
    let other = format!(
        "{base}?sslmode=verify-full&sslrootcert={}",
        pg.other_ca().display()
    );
    let cy = member(&other);
    let text = stderr(&rep_as(pg, &cy, "cy", &["sync"]).code(76));
    assert!(
        text.contains("TLS with") && text.contains("failed"),
        "{text}"
    );
    let no_ca = member(&format!("{base}?sslmode=verify-full"));
    let text = stderr(&rep_as(pg, &no_ca, "cy", &["sync"]).code(3));
    assert!(text.contains("needs the CA"), "{text}");
}

/// The password file as libpq reads it: used when it is the owner's only, ignored with a
/// warning when others may read it; then, with no terminal to ask on, authentication fails.
#[cfg(unix)]
#[test]
fn postgres_the_password_file_is_read_only_when_private() {
    use std::os::unix::fs::PermissionsExt;
    let Some(pg) = server() else { return };
    let (_db, url) = team(pg);
    let repo = member(&url);
    let pgpass = repo.home().join(".pgpass");
    std::fs::write(
        &pgpass,
        format!(
            "# the test cluster\n127.0.0.1:{}:*:postgres:{PASSWORD}\n",
            pg.port
        ),
    )
    .expect("write .pgpass");
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let synced = repo.rep(&["sync", "--json"]).success();
    assert_eq!(stderr(&synced), "", "no warning");
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let refused = repo.rep(&["sync"]).code(77);
    let text = stderr(&refused);
    assert!(
        text.contains("is ignored: group or others may read it"),
        "{text}"
    );
    assert!(text.contains("the server asks for a password"), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");
}
