//! The PostgreSQL engine's errors as rep words them: which are worth one more try, which mean
//! the server is not there, and the message, hint and exit status of each.

use postgres::error::SqlState;

use crate::error::{ExitStatus, RepError};
use crate::store::server::SchemaError;
use crate::store::server::schema::LATEST;
use crate::text::sanitize_line;

/// The server's errors, as rep words them: a message, a hint and an exit status.
pub struct ServerError;

impl ServerError {
    pub(super) fn with(status: ExitStatus, message: String, hint: &str) -> anyhow::Error {
        RepError {
            status,
            message,
            hint: Some(hint.to_owned()),
        }
        .into()
    }
    pub fn setup(message: String, hint: &str) -> anyhow::Error {
        ServerError::with(ExitStatus::ServerSetup, message, hint)
    }
}

/// How the message of an error worth one more try begins.
const LOST: &str = "the connection to the server was lost";

/// Whether an error is worth one more try after reconnecting: the server went away in the
/// middle (a restart, a dropped connection) or is starting, not a refusal.
pub fn is_transient(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<RepError>().is_some_and(|e| {
            e.status == ExitStatus::ServerUnavailable && e.message.starts_with(LOST)
        })
    })
}

/// Whether the server is not (yet) there: refused or timed out, or starting up.
pub fn is_unreachable(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<RepError>()
            .is_some_and(|e| e.status == ExitStatus::ServerUnavailable)
    })
}

fn transient(e: &postgres::Error) -> bool {
    if let Some(code) = e.code() {
        return [
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CRASH_SHUTDOWN,
            SqlState::CANNOT_CONNECT_NOW,
        ]
        .contains(code);
    }
    e.is_closed()
        || e.to_string()
            .starts_with("error communicating with the server")
}

/// A server error as the user reads it, with its status and hint. `shown` is the remote with
/// any password masked.
pub fn server_error(e: postgres::Error, shown: &str) -> anyhow::Error {
    let shown = sanitize_line(shown);
    if let Some(db) = e.as_db_error() {
        let said = sanitize_line(db.message());
        let code = db.code();
        let (status, message, hint) = if [
            SqlState::INVALID_PASSWORD,
            SqlState::INVALID_AUTHORIZATION_SPECIFICATION,
        ]
        .contains(code)
        {
            (
                ExitStatus::ServerDenied,
                format!("authentication failed at {shown}: {said}"),
                "check the user in the URL and the password (PGPASSWORD or ~/.pgpass); nothing was changed",
            )
        } else if *code == SqlState::INVALID_CATALOG_NAME {
            (
                ExitStatus::ServerSetup,
                format!("the database does not exist at {shown}: {said}"),
                "check the database name in the URL, or ask the server's admin to create it (createdb)",
            )
        } else if [SqlState::UNDEFINED_TABLE, SqlState::INVALID_SCHEMA_NAME].contains(code) {
            (
                ExitStatus::ServerSetup,
                format!("schema not initialised, run `rep remote init` ({shown}: {said})"),
                "`rep remote init` creates rep's tables (with a role that may create them); nothing was changed",
            )
        } else if [
            SqlState::INSUFFICIENT_PRIVILEGE,
            SqlState::READ_ONLY_SQL_TRANSACTION,
        ]
        .contains(code)
        {
            (
                ExitStatus::ServerDenied,
                format!("permission denied at {shown}: {said}"),
                "ask the server's admin for the rights this needs (docs/sync.md, \"Roles\"); your repertoire is intact",
            )
        } else if transient(&e) {
            (
                ExitStatus::ServerUnavailable,
                format!("{LOST} ({shown}: {said})"),
                "the server restarted or shut down: run `rep sync` again once it is back; your repertoire is intact",
            )
        } else {
            (
                ExitStatus::Environment,
                format!("the server at {shown} refused: {said}"),
                "your repertoire is intact",
            )
        };
        return ServerError::with(status, message, hint);
    }
    let text = sanitize_line(&e.to_string());
    let tls = std::error::Error::source(&e).is_some_and(is_tls_failure)
        || text.contains("TLS")
        || text.contains("tls");
    if tls {
        let detail = std::error::Error::source(&e)
            .map(|s| sanitize_line(&s.to_string()))
            .unwrap_or_else(|| text.clone());
        return ServerError::with(
            ExitStatus::ServerTls,
            format!("TLS with {shown} failed: {detail}"),
            "check sslmode= and sslrootcert= in the URL (docs/sync.md, \"TLS\"); sslmode=disable only on a trusted network",
        );
    }
    let missing = |m: &str| m.contains("password missing");
    if missing(&text) || std::error::Error::source(&e).is_some_and(|s| missing(&s.to_string())) {
        return ServerError::with(
            ExitStatus::ServerDenied,
            format!("authentication failed at {shown}: the server asks for a password"),
            "set PGPASSWORD, add a line to ~/.pgpass (chmod 600), or run rep on a terminal to be asked",
        );
    }
    if transient(&e) {
        return ServerError::with(
            ExitStatus::ServerUnavailable,
            format!("{LOST} ({shown}: {text})"),
            "the server restarted or the network dropped: run `rep sync` again; your repertoire is intact",
        );
    }
    let detail = std::error::Error::source(&e)
        .map(|s| sanitize_line(&s.to_string()))
        .unwrap_or(text);
    ServerError::with(
        ExitStatus::ServerUnavailable,
        format!("cannot reach the server at {shown}: {detail}"),
        "check the host and port in the URL (`rep remote`), that the server runs, and the network",
    )
}

fn is_tls_failure(cause: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(cause);
    while let Some(c) = next {
        if c.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>()
            && io
                .get_ref()
                .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some())
        {
            return true;
        }
        next = c.source();
    }
    false
}

/// A server schema rep may not use, as the user reads it. `shown` as for [`server_error`].
pub fn schema_error(e: SchemaError, shown: &str) -> anyhow::Error {
    match e {
        SchemaError::ServerTooOld(major) => ServerError::setup(
            format!("the server runs PostgreSQL {major}, older than 13"),
            "rep's server schema needs PostgreSQL 13 or newer (pg_current_xact_id)",
        ),
        SchemaError::Newer(v) => ServerError::setup(
            format!(
                "the server's repertoire schema is version {v}, newer than this rep understands ({LATEST})"
            ),
            "upgrade rep; nothing was changed",
        ),
        SchemaError::Older(v) => ServerError::setup(
            format!(
                "the server's repertoire schema is version {v}, older than this rep's ({LATEST})"
            ),
            "run `rep remote init` (with a role that may change tables) to upgrade it",
        ),
        SchemaError::Server(e) => server_error(e, shown),
    }
}
