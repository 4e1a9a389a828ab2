//! The PostgreSQL engine of `rep sync` (issue 19): the server holds one row per record (its
//! exchange line) with the id of the transaction that wrote it last. A pull streams the rows
//! written since the cursor, in the exchange file's order, into the same import as `rep
//! import`; a push locks the server's rows of the records sent, joins them with rep's own join
//! laws, and writes back those that changed. The cursor's argument is in docs/design.md ("The
//! server cursor").

use std::collections::HashSet;
use std::io::BufRead;
use std::time::Duration;

use postgres::NoTls;
use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;

use super::{Outgoing, Pulled, PushReply, Pushed, Receive, Remote, Sends, Since};
use crate::error::ExitStatus;
use crate::replica::{self, Record};
use crate::store::exchange::ImportError;
use crate::store::server::{self, Sent, schema};
use crate::text::sanitize_line;

mod errors;
mod pgpass;
mod tls;
pub mod url;

pub use errors::{ServerError, is_transient, is_unreachable, schema_error, server_error};
pub use server::Initialised;
pub use url::{PgUrl, UrlError, is_postgres, masked};

/// How long a connection waits for a server at its connection limit.
const BUSY_WAIT: Duration = Duration::from_secs(20);

/// A connection to the server.
pub struct Postgres {
    client: postgres::Client,
    /// The server's schema version was checked on this connection (once per sync).
    checked: bool,
    /// The pull's read-only transaction is still open: the next `BEGIN` ends it first.
    reading: bool,
    /// The remote as it may be shown (a password masked).
    shown: String,
}

impl Postgres {
    /// Connect, with the password from `PGPASSWORD` or the password file, or asked on the
    /// terminal when the server wants one and neither has it. `warn` tells about a password
    /// file that is ignored.
    pub fn connect(
        url: &PgUrl,
        shown: &str,
        warn: &mut dyn FnMut(&str),
    ) -> anyhow::Result<Postgres> {
        let mut config = postgres::Config::new();
        config
            .user(&url.user)
            .dbname(&url.dbname)
            .port(url.port)
            .application_name("rep")
            .connect_timeout(Duration::from_secs(url.connect_timeout_s.max(1)));
        match &url.host {
            url::Host::Tcp(host) => config.host(host),
            url::Host::Socket(dir) => config.host_path(dir),
        };
        config.ssl_mode(match url.sslmode {
            url::SslMode::Disable => postgres::config::SslMode::Disable,
            url::SslMode::Prefer => postgres::config::SslMode::Prefer,
            _ => postgres::config::SslMode::Require,
        });
        let known = pgpass::known(url, warn);
        let had_password = known.is_some();
        if let Some(password) = known {
            config.password(password);
        }
        let tls = tls::client_config(url)?;
        let open = |config: &postgres::Config| match &tls {
            None => config.connect(NoTls),
            Some(tls) => config.connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls.clone())),
        };
        // A server at its connection limit (many members syncing at the same instant) is
        // asked again after a growing random pause, for up to [`BUSY_WAIT`].
        let open = |config: &postgres::Config| {
            let started = std::time::Instant::now();
            let mut attempt = 0;
            loop {
                attempt += 1;
                match open(config) {
                    Err(e)
                        if e.code() == Some(&SqlState::TOO_MANY_CONNECTIONS)
                            && started.elapsed() < BUSY_WAIT =>
                    {
                        std::thread::sleep(super::git::pause_after(attempt.min(6)));
                    }
                    other => return other,
                }
            }
        };
        let client = match open(&config) {
            Err(e)
                if !had_password
                    && (e.to_string().contains("password missing")
                        || std::error::Error::source(&e)
                            .is_some_and(|s| s.to_string().contains("password missing"))) =>
            {
                match pgpass::prompt(url) {
                    Some(password) => {
                        config.password(password);
                        open(&config)
                    }
                    None => Err(e),
                }
            }
            other => other,
        }
        .map_err(|e| server_error(e, shown))?;
        Ok(Postgres {
            client,
            checked: false,
            reading: false,
            shown: shown.to_owned(),
        })
    }

    /// `rep remote init`: create or upgrade rep's schema on the server.
    pub fn init(&mut self) -> anyhow::Result<Initialised> {
        schema::init(&mut self.client).map_err(|e| schema_error(e, &self.shown))
    }

    /// Begin a push's transaction, ending the pull's read-only one first when it is still
    /// open: one round trip.
    fn begin(&mut self) -> Result<(), postgres::Error> {
        let end_read = std::mem::take(&mut self.reading);
        server::begin(&mut self.client, end_read)
    }

    /// End the pull's read-only transaction if it is still open (a second pull).
    fn roll_back_reading(&mut self) {
        if std::mem::take(&mut self.reading) {
            self.roll_back();
        }
    }

    /// End a transaction that failed: the connection takes statements again.
    fn roll_back(&mut self) {
        // A connection that is gone has nothing to roll back; its error is the one that counts.
        let _ = server::roll_back(&mut self.client);
    }

    /// One push in one server transaction: new records go in as they are; the others are
    /// locked, joined here by rep's laws and written back where the join changed them. Round
    /// trips: the `BEGIN`, one statement that locks and inserts, the update (only when the
    /// join changed something), the `COMMIT`.
    fn push_once(&mut self, records: &[Record]) -> anyhow::Result<PushReply> {
        let shown = self.shown.clone();
        // A deadlock or serialisation failure stays a `postgres::Error`, for `push` to retry.
        let fail = |e: postgres::Error| {
            if contention(&e) {
                anyhow::Error::new(e)
            } else {
                server_error(e, &shown)
            }
        };
        let mut sorted: Vec<&Record> = records.iter().collect();
        sorted.sort_by(|a, b| a.id().cmp(b.id()));
        self.begin().map_err(fail)?;
        let outcome = self.write_joined(&sorted, &fail);
        match outcome {
            Ok(reply) => {
                server::commit(&mut self.client).map_err(fail)?;
                Ok(reply)
            }
            Err(e) => {
                self.roll_back();
                let refused = e
                    .downcast_ref::<postgres::Error>()
                    .and_then(|pg| pg.code())
                    .is_some_and(|code| {
                        [
                            SqlState::INSUFFICIENT_PRIVILEGE,
                            SqlState::READ_ONLY_SQL_TRANSACTION,
                        ]
                        .contains(code)
                    });
                if !refused {
                    return Err(match e.downcast::<postgres::Error>() {
                        Ok(pg) => fail(pg),
                        Err(e) => e,
                    });
                }
                self.push_as_reader(&sorted)
            }
        }
    }

    /// The work of one push inside its transaction. A refusal of the role's rights is left a
    /// `postgres::Error`, for [`Postgres::push_once`] to try the reader's push.
    fn write_joined(
        &mut self,
        sorted: &[&Record],
        fail: &dyn Fn(postgres::Error) -> anyhow::Error,
    ) -> anyhow::Result<PushReply> {
        let keep = |e: postgres::Error| -> anyhow::Error {
            let code = e.code().cloned();
            match code {
                Some(code)
                    if code == SqlState::INSUFFICIENT_PRIVILEGE
                        || code == SqlState::READ_ONLY_SQL_TRANSACTION =>
                {
                    anyhow::Error::new(e)
                }
                _ => fail(e),
            }
        };
        if !self.checked {
            schema::check(&mut self.client).map_err(|e| schema_error(e, &self.shown))?;
            self.checked = true;
        }
        let ids: Vec<&str> = sorted.iter().map(|r| r.id()).collect();
        let kinds: Vec<i16> = sorted.iter().map(|r| r.sort_key().0 as i16).collect();
        let lines: Vec<String> = sorted.iter().map(|r| crate::exchange::to_line(r)).collect();
        let mut reply = PushReply::default();
        let mut held: Vec<(String, String)> = Vec::new();
        let mut inserted: HashSet<String> = HashSet::new();
        for sent in server::lock_or_insert(&mut self.client, &ids, &kinds, &lines).map_err(keep)? {
            match sent {
                Sent::Held { id, line } => held.push((id, line)),
                Sent::Inserted { id, xid } => {
                    inserted.insert(id);
                    if reply.writers.is_empty() {
                        reply.writers.push(xid);
                    }
                }
            }
        }
        reply.written = inserted.len();
        let raced: Vec<&str> = ids
            .iter()
            .copied()
            .filter(|id| !inserted.contains(*id) && !held.iter().any(|(h, _)| h == id))
            .collect();
        if !raced.is_empty() {
            held.extend(server::lock(&mut self.client, &raced).map_err(keep)?);
        }
        held.sort_by(|a, b| a.0.cmp(&b.0));
        let by_id: std::collections::HashMap<&str, &Record> =
            sorted.iter().map(|r| (r.id(), *r)).collect();
        let mut update_ids: Vec<&str> = Vec::new();
        let mut update_lines: Vec<String> = Vec::new();
        for (id, line) in &held {
            let Some(ours) = by_id.get(id.as_str()) else {
                anyhow::bail!("the server returned a record that was not sent: {id}");
            };
            let theirs = server_record(line).map_err(|why| self.unreadable(id, &why))?;
            let joined = join(&theirs, ours)
                .map_err(|why| ServerError::setup(why, "the server's copy was not changed"))?;
            if theirs != joined {
                update_ids.push(id);
                update_lines.push(crate::exchange::to_line(&joined));
            }
            if &joined != *ours {
                reply.changed_here.push(joined);
            }
        }
        if !update_ids.is_empty() {
            let writers =
                server::rewrite(&mut self.client, &update_ids, &update_lines).map_err(keep)?;
            reply.written += writers.len();
            if reply.writers.is_empty()
                && let Some(xid) = writers.into_iter().next()
            {
                reply.writers.push(xid);
            }
        }
        reply
            .changed_here
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        Ok(reply)
    }

    /// A role that may only read can still "push" what the server holds already (a reader's
    /// first sync marks everything it had); anything new is refused.
    fn push_as_reader(&mut self, sorted: &[&Record]) -> anyhow::Result<PushReply> {
        let shown = self.shown.clone();
        let fail = |e: postgres::Error| server_error(e, &shown);
        let ids: Vec<&str> = sorted.iter().map(|r| r.id()).collect();
        let rows = server::read(&mut self.client, &ids).map_err(fail)?;
        let held: std::collections::HashMap<&str, &str> = rows
            .iter()
            .map(|(id, line)| (id.as_str(), line.as_str()))
            .collect();
        let mut reply = PushReply::default();
        let mut news = false;
        for ours in sorted {
            let Some(line) = held.get(ours.id()) else {
                news = true;
                continue;
            };
            let theirs = server_record(line).map_err(|why| self.unreadable(ours.id(), &why))?;
            match join(&theirs, ours) {
                Ok(joined) if joined == theirs => {
                    if &joined != *ours {
                        reply.changed_here.push(joined);
                    }
                }
                _ => news = true,
            }
        }
        if !news {
            reply
                .changed_here
                .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            return Ok(reply);
        }
        Err(ServerError::with(
            ExitStatus::ServerDenied,
            format!(
                "this role may only read the repertoire at {}: your changes cannot be pushed",
                sanitize_line(&shown)
            ),
            "what the server holds was pulled into your repertoire; ask the server's admin for a role that may write (docs/sync.md, \"Roles\")",
        ))
    }

    /// A server row rep cannot read: refused, never replaced, so nothing of it is lost.
    fn unreadable(&self, id: &str, why: &str) -> anyhow::Error {
        ServerError::with(
            ExitStatus::ServerData,
            format!(
                "the server at {} holds record {} in a form rep cannot read: {}",
                sanitize_line(&self.shown),
                sanitize_line(id),
                sanitize_line(why)
            ),
            "nothing was changed, here or on the server; ask the server's admin to repair that row of repertoire.records or restore it from a member's `rep export` (docs/sync.md, \"Unreadable rows\")",
        )
    }
}

/// A server row's line as a record, canonical as the file reader makes it; why not, when rep
/// cannot read it.
fn server_record(line: &str) -> Result<Record, String> {
    match crate::exchange::parse_line(1, line.as_bytes()).map_err(|e| e.reason)? {
        Record::Entry(e) => Ok(Record::Entry(replica::canonical(e))),
        Record::Reply(r) => Ok(Record::Reply(replica::join_reply(&r, &r))),
    }
}

fn join(theirs: &Record, ours: &Record) -> Result<Record, String> {
    match (theirs, ours) {
        (Record::Entry(t), Record::Entry(o)) => Ok(Record::Entry(replica::join(t, o).record)),
        (Record::Reply(t), Record::Reply(o)) => Ok(Record::Reply(replica::join_reply(t, o))),
        _ => Err(format!(
            "record {} is an entry on one side and a reply on the other",
            ours.id()
        )),
    }
}

/// Whether a failed push may simply run again: two pushes that deadlocked (PostgreSQL picks
/// one to abort) or a serialisation failure. Only that push's records are sent again.
fn contention(e: &postgres::Error) -> bool {
    e.code().is_some_and(|code| {
        *code == SqlState::T_R_DEADLOCK_DETECTED || *code == SqlState::T_R_SERIALIZATION_FAILURE
    })
}

/// A deadlock or serialisation failure that `push_once` left as it was.
fn is_contention(err: &anyhow::Error) -> bool {
    err.downcast_ref::<postgres::Error>()
        .is_some_and(contention)
}

/// A pull's stream failed: the server's error, when it is one, as the server's errors read.
fn stream_error(e: anyhow::Error, shown: &str) -> anyhow::Error {
    let from_server = e
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
        .is_some_and(|inner| inner.is::<postgres::Error>());
    if !from_server {
        return e;
    }
    match e.downcast::<std::io::Error>().map(|io| {
        io.into_inner()
            .map(|inner| inner.downcast::<postgres::Error>())
    }) {
        Ok(Some(Ok(pg))) => server_error(*pg, shown),
        _ => anyhow::anyhow!("the server's stream failed"),
    }
}

/// The exchange file a pull streams: the header, then each row's line.
struct RowsFile<'a> {
    rows: postgres::RowIter<'a>,
    buf: Vec<u8>,
    pos: usize,
    received: usize,
    /// The id of the row read last (the one an import that fails stopped at).
    last_id: String,
    done: bool,
}

impl RowsFile<'_> {
    fn push_line(&mut self, line: &str) {
        self.buf.clear();
        self.pos = 0;
        self.buf.extend_from_slice(line.as_bytes());
        self.buf.push(b'\n');
    }

    /// Queue a row's line after what is buffered.
    fn take_row(&mut self, row: &postgres::Row) -> std::io::Result<()> {
        let (line, id) = server::changed_row(row).map_err(std::io::Error::other)?;
        self.received += 1;
        self.last_id.clear();
        self.last_id.push_str(id);
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
        self.buf.extend_from_slice(line.as_bytes());
        self.buf.push(b'\n');
        Ok(())
    }
}

impl std::io::Read for RowsFile<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for RowsFile<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.pos == self.buf.len() && !self.done {
            match self.rows.next().map_err(std::io::Error::other)? {
                Some(row) => self.take_row(&row)?,
                None => {
                    self.done = true;
                    self.buf.clear();
                    self.pos = 0;
                }
            }
        }
        Ok(&self.buf[self.pos..])
    }

    fn consume(&mut self, amount: usize) {
        self.pos = (self.pos + amount).min(self.buf.len());
    }
}

/// A server as a sync engine: sent the records changed here, its version is the cursor.
impl Remote for Postgres {
    fn sends(&self) -> Sends {
        Sends::Changes
    }

    fn pull(&mut self, since: &Since, receive: &mut Receive<'_>) -> anyhow::Result<Pulled> {
        let own = &since.own;
        let shown = self.shown.clone();
        let fail = |e: postgres::Error| server_error(e, &shown);
        // One snapshot for the rows and the cursor: every transaction below the snapshot's
        // xmin has ended, so no row with a smaller xid can appear after this pull. The
        // transaction stays open: the push's `BEGIN` ends it in the same round trip.
        self.roll_back_reading();
        let head = server::begin_pull(&mut self.client).map_err(fail)?;
        self.reading = true;
        let Some(head) = head else {
            anyhow::bail!("the server did not say where its changes stand");
        };
        if !self.checked {
            schema::check_version(head.version.unwrap_or(0))
                .map_err(|e| schema_error(e, &shown))?;
            self.checked = true;
        }
        let Some(cursor) = head.cursor else {
            anyhow::bail!("the server did not say where its changes stand");
        };
        let since = since.version.as_deref().unwrap_or("0").to_owned();
        let mut rows = server::changed_since(&mut self.client, &since, own).map_err(fail)?;
        let first = rows.next().map_err(fail)?;
        let Some(first) = first else {
            return Ok(Pulled {
                version: Some(cursor),
                received: 0,
            });
        };
        let mut file = RowsFile {
            rows,
            buf: Vec::new(),
            pos: 0,
            received: 0,
            last_id: String::new(),
            done: false,
        };
        file.push_line(&crate::exchange::header_line());
        file.take_row(&first)
            .map_err(|e| stream_error(e.into(), &shown))?;
        let joined = receive(&cursor, &mut file);
        let (received, last_id) = (file.received, std::mem::take(&mut file.last_id));
        drop(file);
        if let Err(e) = joined {
            // A row rep cannot read fails the whole pull (nothing of it is joined): said as
            // the server's, with the record's id.
            let unreadable = e.chain().find_map(|cause| match cause.downcast_ref() {
                Some(ImportError::Unreadable(line)) => Some(line.reason.clone()),
                _ => None,
            });
            if let Some(why) = unreadable {
                return Err(self.unreadable(&last_id, &why));
            }
            return Err(stream_error(e, &shown));
        }
        Ok(Pulled {
            version: Some(cursor),
            received,
        })
    }

    fn has_unpushed(&self) -> anyhow::Result<bool> {
        // Every push is its own server transaction: nothing is held back between runs.
        Ok(false)
    }

    fn push(&mut self, _member: &str, outgoing: Outgoing<'_>) -> anyhow::Result<Pushed> {
        let Outgoing::Changes(records) = outgoing else {
            anyhow::bail!("a server is sent the changed records, not the whole state");
        };
        self.push_records(records).map(Pushed::Done)
    }

    fn version(&self) -> anyhow::Result<Option<String>> {
        Ok(None)
    }
}

impl Postgres {
    /// Join `records` into the server's state, in one server transaction; two pushes that
    /// deadlock are run again (only that push's records).
    fn push_records(&mut self, records: &[Record]) -> anyhow::Result<PushReply> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.push_once(records) {
                Err(e) if is_contention(&e) => {
                    if attempt >= 8 {
                        let Ok(pg) = e.downcast::<postgres::Error>() else {
                            anyhow::bail!("a push kept deadlocking");
                        };
                        return Err(server_error(pg, &self.shown));
                    }
                    std::thread::sleep(super::git::pause_after(attempt));
                }
                other => return other,
            }
        }
    }
}
