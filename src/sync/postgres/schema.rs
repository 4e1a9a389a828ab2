//! rep's tables on the server, in their own PostgreSQL schema `repertoire`, with migrations of
//! their own: `repertoire.schema_version` holds the version. `rep remote init` creates or
//! upgrades them; a sync only checks the version (a member's role needs no right to change
//! tables).

use postgres::GenericClient;

use super::{ServerError, server_error};

/// The server schema this rep writes.
pub const LATEST: i32 = 1;

/// Migration `i` takes the server schema from version `i` to `i + 1`. A shipped migration is
/// never edited, only followed.
const MIGRATIONS: &[&str] = &[
    // 1: one row per record: its exchange line, and the transaction that wrote it last (the
    // pull's cursor, see docs/design.md "The server cursor"). `id` sorts bytewise (COLLATE "C")
    // as the exchange file does; (kind, id) is the file's order.
    r#"
    CREATE TABLE repertoire.records (
        id   text COLLATE "C" PRIMARY KEY,
        kind smallint NOT NULL CHECK (kind IN (0, 1)),  -- 0 an entry, 1 a reply
        line text NOT NULL,
        xid  xid8 NOT NULL DEFAULT pg_current_xact_id()
    );
    CREATE INDEX records_by_xid ON repertoire.records (xid);
    CREATE UNIQUE INDEX records_in_file_order ON repertoire.records (kind, id);
    "#,
];

/// An arbitrary constant: `rep remote init` runs take turns on it.
const INIT_LOCK: i64 = 0x0072_6570_7379_6e63;

/// What `rep remote init` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Initialised {
    /// The schema version before (0: none).
    pub from: i32,
    pub to: i32,
}

/// Create rep's schema on the server, or bring it up to [`LATEST`], in one transaction.
pub fn init(client: &mut postgres::Client, shown: &str) -> anyhow::Result<Initialised> {
    let fail = |e: postgres::Error| server_error(e, shown);
    let server: i32 = client
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .map_err(fail)?
        .get(0);
    if server < 130_000 {
        return Err(ServerError::setup(
            format!(
                "the server runs PostgreSQL {}, older than 13",
                server / 10_000
            ),
            "rep's server schema needs PostgreSQL 13 or newer (pg_current_xact_id)",
        ));
    }
    let mut tx = client.transaction().map_err(fail)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&INIT_LOCK])
        .map_err(fail)?;
    tx.batch_execute(
        "CREATE SCHEMA IF NOT EXISTS repertoire;
         CREATE TABLE IF NOT EXISTS repertoire.schema_version (version integer NOT NULL);
         INSERT INTO repertoire.schema_version
             SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM repertoire.schema_version);",
    )
    .map_err(fail)?;
    let from: i32 = tx
        .query_one("SELECT version FROM repertoire.schema_version", &[])
        .map_err(fail)?
        .get(0);
    if from > LATEST {
        return Err(newer(from));
    }
    for sql in MIGRATIONS.iter().skip(from as usize) {
        tx.batch_execute(sql).map_err(fail)?;
    }
    tx.execute(
        "UPDATE repertoire.schema_version SET version = $1",
        &[&LATEST],
    )
    .map_err(fail)?;
    tx.commit().map_err(fail)?;
    Ok(Initialised { from, to: LATEST })
}

fn newer(version: i32) -> anyhow::Error {
    ServerError::setup(
        format!(
            "the server's repertoire schema is version {version}, newer than this rep understands ({LATEST})"
        ),
        "upgrade rep; nothing was changed",
    )
}

/// The query that reads the server schema's version (`NULL` when the table is empty), for
/// [`check_version`]; without rep's schema it fails as "schema not initialised".
pub const VERSION_QUERY: &str = "(SELECT max(version) FROM repertoire.schema_version)";

/// Check, as the first statement of a sync's transaction, that the server holds rep's schema
/// at the version this rep writes.
pub fn check(client: &mut impl GenericClient, shown: &str) -> anyhow::Result<()> {
    let version: Option<i32> = client
        .query_one(&format!("SELECT {VERSION_QUERY}"), &[])
        .map_err(|e| server_error(e, shown))?
        .get(0);
    check_version(version.unwrap_or(0))
}

/// Refuse a server schema other than the one this rep writes.
pub fn check_version(version: i32) -> anyhow::Result<()> {
    match version {
        v if v > LATEST => Err(newer(v)),
        v if v < LATEST => Err(ServerError::setup(
            format!(
                "the server's repertoire schema is version {v}, older than this rep's ({LATEST})"
            ),
            "run `rep remote init` (with a role that may change tables) to upgrade it",
        )),
        _ => Ok(()),
    }
}
