//! The full-text indexes of a bulk import, built on a second core.
//!
//! Tokenising and indexing is about half of the database work of importing into an empty
//! repertoire, and SQLite does it on the one thread that holds the write transaction. So, for
//! that case only, the text of entries and replies goes to a scratch database next to the
//! repertoire, where other threads index it into full-text tables of the same definitions
//! while the import goes on (one for the stemmed indexes, one for the word index of ranked
//! search: with both on one thread, that thread was the import's bottleneck); at the end the
//! finished index tables are copied into the repertoire, inside the import's transaction. The copy is exact because FTS5 keeps an index
//! wholly in its shadow tables (`<table>_data`, `_idx` and `_docsize`; the content is our own
//! `live_entries` and `live_replies`), and both sides run the same SQLite. The scratch file is
//! deleted whatever happens.
//!
//! Into a repertoire that holds entries already, the text is indexed on the importing
//! connection, but in batches after the rows ([`TextBatch`]): see there for why.

use std::thread::JoinHandle;

use anyhow::Context as _;
use rusqlite::types::ToSqlOutput;
use rusqlite::{Connection, params};

use super::entries::{index_new_entry, index_new_reply};
use super::ranking::{INSERT_WORDS, WordsRow};
use crate::batch::{self, BatchSender};
use crate::model::{EntrySeq, ReplySeq};

/// The shadow tables that hold an FTS5 index (a contentless-delete table's `docsize` has one
/// more column, so columns are read from the scratch file).
const SHADOW_TABLES: [&str; 3] = ["data", "idx", "docsize"];

/// What one indexing thread builds.
#[derive(Clone, Copy)]
enum Part {
    /// `entries_fts` and `replies_fts`, of the text as stored.
    Stems,
    /// `entries_words` and `entry_names` (store::ranking), of the normalised text.
    Words,
}

impl Part {
    /// The full-text tables it builds.
    fn tables(self) -> &'static [&'static str] {
        match self {
            Part::Stems => &["entries_fts", "replies_fts"],
            Part::Words => &["entries_words"],
        }
    }

    /// Plain tables it fills, copied whole.
    fn key_tables(self) -> &'static [&'static str] {
        match self {
            Part::Stems => &[],
            Part::Words => &["entry_names"],
        }
    }
}

/// What the full-text indexes hold of one live entry or reply; `seq` is its row.
#[derive(Clone)]
pub enum Doc {
    Entry {
        seq: EntrySeq,
        title: String,
        tags: String,
        body: String,
        /// `search::body_folded` of the body (migration 6).
        body_folded: Option<String>,
        command: Option<String>,
    },
    Reply {
        seq: ReplySeq,
        body: String,
    },
}

/// Where an import puts the text of the records it adds: indexed on other threads (into an
/// empty repertoire), or batched on the importing connection (into one that holds entries).
pub enum NewText {
    Threads(BulkIndex),
    Batched(TextBatch),
}

impl NewText {
    pub fn add(&mut self, conn: &Connection, doc: Doc) -> anyhow::Result<()> {
        match self {
            NewText::Threads(index) => index.add(doc),
            NewText::Batched(batch) => batch.add(conn, doc),
        }
    }

    /// Index what is left; see [`BulkIndex::finish`] for the threads' condition.
    pub fn finish(self, conn: &Connection) -> anyhow::Result<()> {
        match self {
            NewText::Threads(index) => index.finish(conn),
            NewText::Batched(mut batch) => batch.index(conn),
        }
    }
}

/// The text of new records, indexed a batch at a time once their rows are written.
///
/// FTS5 writes the terms it holds in memory out as a new segment whenever a statement opens a
/// statement journal (its `xSavepoint`), and nearly every statement of an import does: the
/// inserts into `entries` and `entry_tags` have triggers and constraints. Indexed right after
/// its row, each entry became a segment of its own, and each segment written set FTS5 merging
/// (in a repertoire of 1,000,000 entries, merging pages of its large segments): half the CPU
/// time of importing 10,000 entries there. Indexed together, with no other statement between
/// them, a batch is one segment, as in a bulk load. The batch is bounded, so memory is too.
pub struct TextBatch {
    docs: Vec<Doc>,
    bytes: usize,
}

/// The text a batch holds before it is indexed: several of FTS5's 1 MiB in-memory flushes,
/// a few MB of the memory an import may use.
const BATCH_BYTES: usize = 8 << 20;

impl TextBatch {
    pub fn new() -> TextBatch {
        TextBatch {
            docs: Vec::new(),
            bytes: 0,
        }
    }

    fn add(&mut self, conn: &Connection, doc: Doc) -> anyhow::Result<()> {
        self.bytes += doc.text_bytes();
        self.docs.push(doc);
        if self.bytes >= BATCH_BYTES {
            self.index(conn)?;
        }
        Ok(())
    }

    /// Index the batch, and start an empty one.
    fn index(&mut self, conn: &Connection) -> anyhow::Result<()> {
        for doc in self.docs.drain(..) {
            match doc {
                Doc::Entry {
                    seq,
                    title,
                    tags,
                    body,
                    body_folded,
                    command,
                } => index_new_entry(
                    conn,
                    seq,
                    &title,
                    &tags,
                    &body,
                    body_folded.as_deref(),
                    command.as_deref(),
                )?,
                Doc::Reply { seq, body } => index_new_reply(conn, seq, &body)?,
            }
        }
        self.bytes = 0;
        Ok(())
    }
}

impl Doc {
    /// About how much memory the text holds.
    fn text_bytes(&self) -> usize {
        match self {
            Doc::Entry {
                title,
                tags,
                body,
                body_folded,
                command,
                ..
            } => {
                title.len()
                    + tags.len()
                    + body.len()
                    + body_folded.as_ref().map_or(0, String::len)
                    + command.as_ref().map_or(0, String::len)
            }
            Doc::Reply { body, .. } => body.len(),
        }
    }
}

pub struct BulkIndex {
    stems: Worker,
    words: Worker,
}

struct Worker {
    part: Part,
    sender: Option<BatchSender<Doc>>,
    handle: Option<JoinHandle<anyhow::Result<Connection>>>,
    // Declared last: dropped after the worker is joined and its connection closed.
    _file: tempfile::TempPath,
}

impl BulkIndex {
    /// Start indexing beside `conn`'s database; `None` for a database with no file (tests in
    /// memory), which then indexes each entry itself.
    pub fn start(conn: &Connection) -> anyhow::Result<Option<BulkIndex>> {
        let db = conn
            .path()
            .filter(|p| !p.is_empty())
            .map(std::path::Path::new);
        let (Some(dir), Some(name)) = (
            db.and_then(|p| p.parent()),
            db.and_then(|p| p.file_name()).and_then(|n| n.to_str()),
        ) else {
            return Ok(None);
        };
        // `.rep.db.index-XXXXXX` beside `rep.db`. Only the holder of the write lock makes one,
        // so any already there is left by a killed import, and goes.
        let prefix = format!(".{name}.index-");
        remove_stale(dir, &prefix);
        Ok(Some(BulkIndex {
            stems: Worker::start(conn, dir, &prefix, Part::Stems)?,
            words: Worker::start(conn, dir, &prefix, Part::Words)?,
        }))
    }

    pub fn add(&mut self, doc: Doc) -> anyhow::Result<()> {
        if let Doc::Entry {
            seq,
            title,
            tags,
            command,
            ..
        } = &doc
        {
            // The word index holds no body (migration 4): it is not copied for that thread.
            self.words.add(Doc::Entry {
                seq: *seq,
                title: title.clone(),
                tags: tags.clone(),
                body: String::new(),
                body_folded: None,
                command: command.clone(),
            })?;
        }
        self.stems.add(doc)
    }

    /// Wait for the indexes and put them in place of `conn`'s (empty) ones. FTS5 caches an
    /// index's structure per connection, so `conn` must not have used these indexes in this
    /// transaction: an import into an empty repertoire only adds rows, and nothing reads them.
    pub fn finish(self, conn: &Connection) -> anyhow::Result<()> {
        let BulkIndex { stems, words } = self;
        stems.finish(conn)?;
        words.finish(conn)
    }
}

impl Worker {
    fn start(
        conn: &Connection,
        dir: &std::path::Path,
        prefix: &str,
        part: Part,
    ) -> anyhow::Result<Worker> {
        let mut definitions = String::new();
        for table in part.tables().iter().chain(part.key_tables()) {
            let sql: String = conn.query_row(
                "SELECT sql FROM sqlite_master WHERE name = ?1",
                [table],
                |r| r.get(0),
            )?;
            definitions.push_str(&sql);
            definitions.push_str(";\n");
        }
        // Terms are held in memory up to 8 MiB (FTS5's default is 1 MiB) before they are
        // written out: fewer, larger segments to merge made the indexing a tenth cheaper, for
        // about 10 MB more memory per index. The setting stays in the scratch file; only the
        // index is copied.
        for table in part.tables() {
            if *table != "replies_fts" {
                definitions.push_str(&format!(
                    "INSERT INTO {table}({table}, rank) VALUES ('hashsize', 8388608);\n"
                ));
            }
        }
        let file = tempfile::Builder::new()
            .prefix(prefix)
            .tempfile_in(dir)
            .with_context(|| format!("cannot create a scratch file in {}", dir.display()))?
            .into_temp_path();
        let scratch = Connection::open(&file)?;
        // Scratch data: nothing to recover after a crash, so no journal and no syncing.
        scratch.execute_batch(&format!(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF;
             {definitions}"
        ))?;
        let (sender, receiver) = batch::channel::<Doc>();
        let handle = std::thread::spawn(move || -> anyhow::Result<Connection> {
            let tx = scratch.unchecked_transaction()?;
            match part {
                Part::Stems => index_stems(&tx, receiver)?,
                Part::Words => index_words(&tx, receiver)?,
            }
            // Each index merged into one segment, here on the indexing core: a term's lookup
            // then reads one segment instead of the 5-8 a bulk load leaves, and no later write
            // pays for FTS5's automatic merging of them. A rare phrase at 1,000,000 entries
            // runs a tenth faster, a corrected typo a third.
            for table in part.tables() {
                tx.execute(
                    &format!("INSERT INTO {table}({table}) VALUES ('optimize')"),
                    [],
                )?;
            }
            tx.commit()?;
            Ok(scratch)
        });
        Ok(Worker {
            part,
            sender: Some(sender),
            handle: Some(handle),
            _file: file,
        })
    }

    fn add(&mut self, doc: Doc) -> anyhow::Result<()> {
        if self.sender.as_mut().is_some_and(|s| s.push(doc)) {
            return Ok(());
        }
        Err(self.stopped())
    }

    /// Why the worker took no more: its own error, if it stopped on one.
    fn stopped(&mut self) -> anyhow::Error {
        self.join()
            .err()
            .unwrap_or_else(|| anyhow::anyhow!("the full-text indexer stopped before the end"))
    }

    /// Wait for the worker; its finished connection, or its error.
    fn join(&mut self) -> anyhow::Result<Connection> {
        self.sender = None;
        let worker = self
            .handle
            .take()
            .context("the full-text indexer was already stopped")?;
        match worker.join() {
            Ok(result) => result.context("cannot build the full-text index"),
            Err(_) => anyhow::bail!("the full-text indexer crashed"),
        }
    }

    fn finish(mut self, conn: &Connection) -> anyhow::Result<()> {
        if !self.sender.as_mut().is_some_and(BatchSender::flush) {
            return Err(self.stopped());
        }
        let scratch = self.join()?;
        let shadows = self
            .part
            .tables()
            .iter()
            .flat_map(|table| SHADOW_TABLES.map(|suffix| format!("{table}_{suffix}")));
        for table in shadows.chain(self.part.key_tables().iter().map(|t| t.to_string())) {
            let columns: Vec<String> = scratch
                .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let columns = columns.join(", ");
            conn.execute(&format!("DELETE FROM {table}"), [])?;
            let placeholders = vec!["?"; columns.split(',').count()].join(", ");
            let mut insert = conn.prepare(&format!(
                "INSERT INTO {table} ({columns}) VALUES ({placeholders})"
            ))?;
            let mut select = scratch.prepare(&format!("SELECT {columns} FROM {table}"))?;
            let mut rows = select.query([])?;
            while let Some(row) = rows.next()? {
                let values = (0..row.as_ref().column_count())
                    .map(|i| row.get_ref(i).map(ToSqlOutput::Borrowed))
                    .collect::<Result<Vec<_>, _>>()?;
                insert.execute(rusqlite::params_from_iter(values))?;
            }
        }
        Ok(())
    }
}

/// The stemmed indexes, of the text as stored.
fn index_stems(
    tx: &rusqlite::Transaction<'_>,
    receiver: std::sync::mpsc::Receiver<Vec<Doc>>,
) -> anyhow::Result<()> {
    let mut entry = tx.prepare(
        "INSERT INTO entries_fts(rowid, title, tags, body, command, body_folded)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut reply = tx.prepare("INSERT INTO replies_fts(rowid, body) VALUES (?1, ?2)")?;
    for batch in receiver {
        for doc in batch {
            match doc {
                Doc::Entry {
                    seq,
                    title,
                    tags,
                    body,
                    body_folded,
                    command,
                } => entry.execute(params![seq, title, tags, body, command, body_folded])?,
                Doc::Reply { seq, body } => reply.execute(params![seq, body])?,
            };
        }
    }
    Ok(())
}

/// The word index and exact names, normalised here, on this thread, not the importing one.
fn index_words(
    tx: &rusqlite::Transaction<'_>,
    receiver: std::sync::mpsc::Receiver<Vec<Doc>>,
) -> anyhow::Result<()> {
    let mut words = tx.prepare(INSERT_WORDS)?;
    // Names arrive in entry order, and `entry_names` is kept in name order: inserted as they
    // came, each went to a random page of a B-tree that outgrew the scratch file's cache, to be
    // read back and written out again (at 1,000,000 entries the scratch files took 5.2 GB of
    // writes for about 450 MB of tables). They are appended to a plain table instead, and
    // sorted into `entry_names` once: 1.5 GB, and the import 7% faster.
    tx.execute_batch(&format!(
        "CREATE TABLE {NAMES_AS_THEY_CAME} (name TEXT NOT NULL, entry_seq INTEGER NOT NULL)"
    ))?;
    let mut name = tx.prepare(&format!(
        "INSERT INTO {NAMES_AS_THEY_CAME} (name, entry_seq) VALUES (?1, ?2)"
    ))?;
    for batch in receiver {
        for doc in batch {
            if let Doc::Entry {
                seq,
                title,
                tags,
                command,
                ..
            } = doc
            {
                let row = WordsRow::new(&title, &tags, command.as_deref());
                words.execute(params![seq, row.name, row.title, row.tags, row.command])?;
                for key in &row.keys {
                    name.execute(params![key, seq])?;
                }
            }
        }
    }
    // OR IGNORE as in INSERT_NAME: a name twice on one entry is one row.
    tx.execute(
        &format!(
            "INSERT OR IGNORE INTO entry_names (name, entry_seq)
             SELECT name, entry_seq FROM {NAMES_AS_THEY_CAME} ORDER BY name, entry_seq"
        ),
        [],
    )?;
    Ok(())
}

/// The scratch file's table of exact names in the order they came (see [`index_words`]).
const NAMES_AS_THEY_CAME: &str = "names_as_they_came";

/// Remove scratch files of imports that were killed; a file that cannot be removed is left
/// (it is only wasted space, and the import does not need it).
fn remove_stale(dir: &std::path::Path, prefix: &str) {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in listing.flatten() {
        if entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(prefix))
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

impl Drop for Worker {
    /// On an error path: stop the worker before its scratch file goes.
    fn drop(&mut self) {
        if self.handle.is_some() {
            let _ = self.join();
        }
    }
}
