//! rep's tables on the server, in their own PostgreSQL schema `repertoire`, with migrations of
//! their own: `repertoire.schema_version` holds the version. `rep remote init` creates or
//! upgrades them; a sync only checks the version (a member's role needs no right to change
//! tables).

use postgres::GenericClient;

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

/// Why the server's schema is not one this rep may use; the engine words each for the user.
#[derive(Debug)]
pub enum SchemaError {
    /// The server runs PostgreSQL of this major version, older than 13.
    ServerTooOld(i32),
    /// The schema is at this version, newer than [`LATEST`].
    Newer(i32),
    /// The schema is at this version, older than [`LATEST`].
    Older(i32),
    /// The server refused or failed a statement.
    Server(postgres::Error),
}

impl From<postgres::Error> for SchemaError {
    fn from(e: postgres::Error) -> SchemaError {
        SchemaError::Server(e)
    }
}

/// What `rep remote init` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Initialised {
    /// The schema version before (0: none).
    pub from: i32,
    pub to: i32,
}

/// Create rep's schema on the server, or bring it up to [`LATEST`], in one transaction.
pub fn init(client: &mut postgres::Client) -> Result<Initialised, SchemaError> {
    let server: i32 = client
        .query_one("SELECT current_setting('server_version_num')::int", &[])?
        .get(0);
    if server < 130_000 {
        return Err(SchemaError::ServerTooOld(server / 10_000));
    }
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&INIT_LOCK])?;
    tx.batch_execute(
        "CREATE SCHEMA IF NOT EXISTS repertoire;
         CREATE TABLE IF NOT EXISTS repertoire.schema_version (version integer NOT NULL);
         INSERT INTO repertoire.schema_version
             SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM repertoire.schema_version);",
    )?;
    let from: i32 = tx
        .query_one("SELECT version FROM repertoire.schema_version", &[])?
        .get(0);
    if from > LATEST {
        return Err(SchemaError::Newer(from));
    }
    for sql in MIGRATIONS.iter().skip(from as usize) {
        tx.batch_execute(sql)?;
    }
    tx.execute(
        "UPDATE repertoire.schema_version SET version = $1",
        &[&LATEST],
    )?;
    tx.commit()?;
    Ok(Initialised { from, to: LATEST })
}

/// The query that reads the server schema's version (`NULL` when the table is empty), for
/// [`check_version`]; without rep's schema it fails as "schema not initialised".
pub(super) const VERSION_QUERY: &str = "(SELECT max(version) FROM repertoire.schema_version)";

/// Check, as the first statement of a sync's transaction, that the server holds rep's schema
/// at the version this rep writes.
pub fn check(client: &mut impl GenericClient) -> Result<(), SchemaError> {
    let version: Option<i32> = client
        .query_one(&format!("SELECT {VERSION_QUERY}"), &[])?
        .get(0);
    check_version(version.unwrap_or(0))
}

/// Refuse a server schema other than the one this rep writes.
pub fn check_version(version: i32) -> Result<(), SchemaError> {
    match version {
        v if v > LATEST => Err(SchemaError::Newer(v)),
        v if v < LATEST => Err(SchemaError::Older(v)),
        _ => Ok(()),
    }
}
