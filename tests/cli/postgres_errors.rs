//! What goes wrong with a PostgreSQL remote, on a real server: a wrong or missing password, a
//! read-only role, a database without rep's schema or with a newer one, a database that does
//! not exist, a server that does not answer, and TLS (`require`, `verify-full` with the test's
//! CA, a wrong CA, a server without TLS). Each gets its exit code (docs/cli.md), a message
//! that says what happened, a hint, and leaves the local repertoire and the server as they were.

use std::path::Path;

use crate::pg_support::{self, Cluster, Database, Options};
use crate::postgres_team::{Member, Remote, stderr};

/// docs/cli.md: the sync server's exit codes.
const UNAVAILABLE: i32 = 69;
const TLS: i32 = 76;
const DENIED: i32 = 77;
const SETUP: i32 = 78;
const SERVER_DATA: i32 = 65;

/// A database with rep's schema on it, and a member that has sent two entries to it.
fn initialised<'c>(cluster: &'c Cluster, root: &Path, hint: &str) -> (Database<'c>, Member) {
    let db = cluster.database(hint);
    let ana = Member::joined(root, "ana", &Remote::postgres(&db, "?sslmode=disable"));
    ana.ok(&["remote", "init"]);
    ana.add("first");
    ana.add("second");
    ana.sync();
    (db, ana)
}

/// Run `rep sync` and require it to fail with `code`; the database and the export are unchanged
/// by it. Gives stderr.
fn sync_fails(member: &Member, code: i32) -> String {
    let before = member.export();
    let out = member.run(&["sync"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(code), "{}: {err}", member.name);
    assert!(out.stdout.is_empty(), "a failed sync printed data");
    assert!(err.lines().any(|l| l.starts_with("error: ")), "{err}");
    assert!(err.contains("\nhint: "), "no hint: {err}");
    assert_eq!(
        member.export(),
        before,
        "a failed sync changed the repertoire"
    );
    err
}

#[test]
fn postgres_a_wrong_password_is_an_authentication_failure_with_a_hint() {
    let Some(cluster) = pg_support::shared() else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let (db, _ana) = initialised(cluster, root.path(), "wrong_password");
    let mut bob = Member::joined(
        root.path(),
        "bob",
        &Remote::postgres(&db, "?sslmode=disable"),
    );
    bob.add("bob's own");
    bob.password = Some("not the password".into());
    let err = sync_fails(&bob, DENIED);
    assert!(err.contains("authentication failed"), "{err}");
    assert!(err.contains("PGPASSWORD"), "{err}");
    assert!(
        !err.contains("not the password"),
        "the password was printed: {err}"
    );
    // No password at all, and no terminal to ask on.
    bob.password = None;
    let err = sync_fails(&bob, DENIED);
    assert!(err.contains("password"), "{err}");
    assert!(err.contains("~/.pgpass"), "{err}");
    // Nothing reached the server.
    assert_eq!(db.count("records"), 2);
}

#[test]
fn postgres_the_password_comes_from_pgpass_and_is_never_stored() {
    use std::os::unix::fs::PermissionsExt as _;
    let Some(cluster) = pg_support::shared() else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let (db, _ana) = initialised(cluster, root.path(), "pgpass");
    let mut bob = Member::joined(
        root.path(),
        "bob",
        &Remote::postgres(&db, "?sslmode=disable"),
    );
    bob.password = None;
    let pgpass = bob.dir.join(".pgpass");
    std::fs::write(
        &pgpass,
        format!(
            "# a comment\nother.example:5432:*:*:nope\n127.0.0.1:{}:{}:{}:{}\n",
            cluster.port, db.name, db.owner, db.password
        ),
    )
    .unwrap();
    // Others may read it: ignored with a warning, as libpq does.
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = sync_fails(&bob, DENIED);
    assert!(err.contains(".pgpass") && err.contains("600"), "{err}");
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    let report = bob.sync();
    assert_eq!(report["received"], 2, "{report}");
    // rep keeps the URL, never the password.
    for file in std::fs::read_dir(&bob.dir).unwrap().flatten() {
        if file.path().is_file() && file.path() != pgpass {
            let bytes = std::fs::read(file.path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(&db.password),
                "{} holds the password",
                file.path().display()
            );
        }
    }
}

#[test]
fn postgres_a_password_in_the_url_is_refused_and_the_remote_is_shown_without_one() {
    let Some(cluster) = pg_support::shared() else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let db = cluster.database("masked");
    let ana = Member::new(root.path(), "ana");
    let with_password = format!(
        "postgres://{}:{}@127.0.0.1:{}/{}",
        db.owner, db.password, cluster.port, db.name
    );
    let out = ana.run(&["remote", "set", &with_password]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!stderr(&out).contains(&db.password), "{}", stderr(&out));
    ana.ok(&["remote", "set", &db.url("?sslmode=disable")]);
    let shown = ana.ok(&["remote"]);
    assert!(shown.contains(&db.name), "{shown}");
    assert!(!shown.contains(&db.password));
}

#[test]
fn postgres_a_read_only_role_pulls_but_its_push_is_refused() {
    let Some(cluster) = pg_support::shared() else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let (db, ana) = initialised(cluster, root.path(), "read_only");
    db.reader("peripheral_reader", "reader-pw");
    let reader_remote = Remote::Postgres {
        url: db.url_as("peripheral_reader", "?sslmode=disable"),
        password: "reader-pw".into(),
    };
    let cy = Member::joined(root.path(), "cy", &reader_remote);
    let report = cy.sync();
    assert_eq!(report["received"], 2, "{report}");
    assert_eq!(
        cy.export(),
        ana.export(),
        "the reader holds what the team wrote"
    );
    // More from the team still reaches the reader.
    ana.add("third");
    ana.sync();
    cy.sync();
    assert_eq!(cy.export(), ana.export());
    // Something of the reader's own cannot be sent.
    cy.add("the reader's own");
    let out = cy.run(&["sync"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(DENIED), "{err}");
    assert!(err.contains("may only read"), "{err}");
    assert!(err.contains("cannot be pushed"), "{err}");
    assert!(err.contains("\nhint: "), "{err}");
    assert_eq!(db.count("records"), 3, "the server is unchanged");
    // The reader's entry is still there, waiting for a role that may send it.
    assert_eq!(
        crate::postgres_team::lines_with(&cy.export(), "the reader's own"),
        1
    );
}

#[test]
fn postgres_a_database_without_reps_schema_says_to_run_remote_init() {
    let Some(cluster) = pg_support::shared() else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let db = cluster.database("no_schema");
    let ana = Member::joined(
        root.path(),
        "ana",
        &Remote::postgres(&db, "?sslmode=disable"),
    );
    ana.add("waiting");
    let err = sync_fails(&ana, SETUP);
    assert!(err.contains("rep remote init"), "{err}");
    // init, twice (the second does nothing), then the sync goes through.
    let first = ana.json(&["remote", "init"]);
    assert_eq!(first["created"], true, "{first}");
    let again = ana.json(&["remote", "init"]);
    assert_eq!(again["created"], false, "{again}");
    assert_eq!(ana.sync()["sent"], 1);
    // A server schema newer than this rep is refused, and changes nothing.
    db.psql("UPDATE repertoire.schema_version SET version = version + 1");
    ana.add("after the upgrade");
    let err = sync_fails(&ana, SETUP);
    assert!(err.contains("newer"), "{err}");
    let out = ana.run(&["remote", "init"]);
    assert_eq!(out.status.code(), Some(SETUP), "{}", stderr(&out));
    assert_eq!(db.count("records"), 1);
}

#[test]
fn postgres_a_missing_database_and_a_silent_port_have_their_own_exit_codes() {
    let Some(cluster) = pg_support::shared() else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let db = cluster.database("exists");
    let ana = Member::joined(
        root.path(),
        "ana",
        &Remote::Postgres {
            url: format!(
                "postgres://{}@127.0.0.1:{}/no_such_database?sslmode=disable",
                db.owner, cluster.port
            ),
            password: db.password.clone(),
        },
    );
    let err = sync_fails(&ana, SETUP);
    assert!(err.contains("does not exist"), "{err}");
    // Nothing listens on this port: refused at once.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    drop(silent);
    let bob = Member::joined(
        root.path(),
        "bob",
        &Remote::Postgres {
            url: format!("postgres://bob@127.0.0.1:{port}/team?sslmode=disable&connect_timeout=3"),
            password: "x".into(),
        },
    );
    let started = std::time::Instant::now();
    let err = sync_fails(&bob, UNAVAILABLE);
    assert!(err.contains("cannot reach"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn postgres_tls_require_and_verify_full_with_the_servers_ca() {
    let Some(cluster) = pg_support::shared() else {
        return;
    };
    let tls = cluster.tls_files().expect("the shared cluster serves TLS");
    let root = tempfile::tempdir().unwrap();
    let db = cluster.database("tls");
    let ca = tls.ca.display().to_string();
    let ana = Member::joined(
        root.path(),
        "ana",
        &Remote::postgres(&db, "?sslmode=require"),
    );
    ana.ok(&["remote", "init"]);
    ana.add("over TLS");
    ana.sync();
    // The server saw the session encrypted (its log has a line per connection).
    let authorised = format!(
        "connection authorized: user={} database={}",
        db.owner, db.name
    );
    let log = cluster.log();
    let line = log
        .lines()
        .find(|l| l.contains(&authorised))
        .expect("a connection logged");
    assert!(line.contains("SSL enabled"), "{line}");
    for host in ["localhost", "127.0.0.1"] {
        let url = format!(
            "postgres://{}@{host}:{}/{}?sslmode=verify-full&sslrootcert={ca}",
            db.owner, cluster.port, db.name
        );
        let bob = Member::joined(
            root.path(),
            &format!("bob-{}", host.replace('.', "-")),
            &Remote::Postgres {
                url,
                password: db.password.clone(),
            },
        );
        let report = bob.sync();
        assert_eq!(report["received"], 1, "{host}: {report}");
    }
    // A CA that did not sign the server's certificate: refused before any password is sent.
    let wrong = format!(
        "postgres://{}@localhost:{}/{}?sslmode=verify-full&sslrootcert={}",
        db.owner,
        cluster.port,
        db.name,
        tls.wrong_ca.display()
    );
    let cy = Member::joined(
        root.path(),
        "cy",
        &Remote::Postgres {
            url: wrong,
            password: db.password.clone(),
        },
    );
    cy.add("never sent");
    let err = sync_fails(&cy, TLS);
    assert!(err.contains("TLS"), "{err}");
    assert!(err.contains("sslrootcert"), "{err}");
    // verify-full without a CA file is a mistake in the URL, said before connecting.
    let dan = Member::joined(
        root.path(),
        "dan",
        &Remote::Postgres {
            url: format!(
                "postgres://{}@localhost:{}/{}?sslmode=verify-full",
                db.owner, cluster.port, db.name
            ),
            password: db.password.clone(),
        },
    );
    let out = dan.run(&["sync"]);
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("sslrootcert"), "{}", stderr(&out));
    assert_eq!(db.count("records"), 1);
}

#[test]
fn postgres_tls_required_of_a_server_without_it_fails_as_tls() {
    if !pg_support::available() {
        return;
    }
    let cluster = Cluster::start(Options::default());
    let root = tempfile::tempdir().unwrap();
    let db = cluster.database("plain");
    let ana = Member::joined(
        root.path(),
        "ana",
        &Remote::postgres(&db, "?sslmode=require"),
    );
    ana.add("never sent");
    let err = sync_fails(&ana, TLS);
    assert!(err.contains("TLS"), "{err}");
    // The same server without TLS asked: fine.
    let bob = Member::joined(
        root.path(),
        "bob",
        &Remote::postgres(&db, "?sslmode=disable"),
    );
    bob.ok(&["remote", "init"]);
    bob.add("in the clear");
    assert_eq!(bob.sync()["sent"], 1);
}

#[test]
fn postgres_a_server_row_rep_cannot_read_is_refused_never_replaced() {
    let Some(cluster) = pg_support::shared() else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let (db, ana) = initialised(cluster, root.path(), "unreadable_row");
    let first = ana.ok(&["--json", "list"]);
    let first: serde_json::Value = serde_json::from_str(&first).unwrap();
    let id = first
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["title"] == "first")
        .expect("the first entry")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bob = Member::joined(
        root.path(),
        "bob",
        &Remote::postgres(&db, "?sslmode=disable"),
    );
    bob.sync();
    // Someone edits a row by hand (its transaction id stays: members past it never pull it).
    let broken = format!(r#"{{"type":"entry","id":"{id}","title": broken by hand"#);
    db.psql(&format!(
        "UPDATE repertoire.records SET line = '{broken}' WHERE id = '{id}'"
    ));
    let held = || {
        db.psql(&format!(
            "SELECT line FROM repertoire.records WHERE id = '{id}'"
        ))
    };
    // A member who changed that record: its push stops at the row, and replaces nothing.
    bob.ok(&["edit", &id, "-t", "bobs-tag", "-q"]);
    let err = sync_fails(&bob, SERVER_DATA);
    assert!(err.contains(&id), "{err}");
    assert!(err.contains("cannot read"), "{err}");
    assert_eq!(held().trim(), broken, "the server's row is kept as it was");
    // A new member pulling everything stops at it too, with nothing half joined.
    let cy = Member::joined(
        root.path(),
        "cy",
        &Remote::postgres(&db, "?sslmode=disable"),
    );
    let err = sync_fails(&cy, SERVER_DATA);
    assert!(err.contains(&id), "{err}");
    assert_eq!(crate::postgres_team::lines_with(&cy.export(), "second"), 0);
    // Once the row is repaired (from ana's export), both go through.
    let good = String::from_utf8(ana.export())
        .unwrap()
        .lines()
        .find(|l| l.contains(&id))
        .unwrap()
        .replace('\'', "''");
    db.psql(&format!(
        "UPDATE repertoire.records SET line = '{good}' WHERE id = '{id}'"
    ));
    bob.sync();
    cy.sync();
    ana.sync();
    assert_eq!(cy.export(), bob.export());
    assert_eq!(ana.export(), bob.export());
    assert_eq!(
        crate::postgres_team::lines_with(&ana.export(), "bobs-tag"),
        1
    );
}
