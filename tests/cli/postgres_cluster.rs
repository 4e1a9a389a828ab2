//! `rep sync` with a PostgreSQL remote, against a real server (tests/cli/pg_support.rs).

use crate::pg_support;

#[test]
fn postgres_the_throwaway_cluster_serves_a_database_per_test() {
    let Some(cluster) = pg_support::shared() else {
        return;
    };
    let db = cluster.database("smoke");
    assert_eq!(db.psql("SELECT 1").trim(), "1");
    let out = cluster.psql_output(
        &db.name,
        Some((&db.owner, &db.password)),
        "SELECT current_user",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), db.owner);
    let wrong = cluster.psql_output(&db.name, Some((&db.owner, "nope")), "SELECT 1");
    assert!(!wrong.status.success());
    assert!(cluster.tls_files().is_some());
}
