//! The health of a database file: SQLite's own integrity check, the full-text index against its
//! tables, rows whose entry is gone, the schema version and the clock; the index rebuild that
//! repairs it; and the online backup that copies a database while others write to it.

use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OptionalExtension};

use super::error::{StoreError, is_damaged_database};
use super::{SCHEMA_VERSION, Store};
use crate::clock::Stamp;
use crate::model::health::{Check, CopySummary};
use crate::text::count;
use crate::timefmt::Millis;

/// How far the stored clock may run ahead of the wall clock before it counts as wrong: the
/// same bound that import puts on incoming stamps.
const MAX_CLOCK_AHEAD_MS: Millis = crate::limits::STAMP_AHEAD_MS;

/// How many problems a check lists before it only counts them.
const MAX_DETAILS: usize = 10;

impl Check {
    fn passed(name: &'static str, summary: impl Into<String>) -> Check {
        Check {
            name,
            ok: true,
            summary: summary.into(),
            problems: Vec::new(),
        }
    }

    fn failed(name: &'static str, summary: impl Into<String>, problems: Vec<String>) -> Check {
        Check {
            name,
            ok: false,
            summary: summary.into(),
            problems,
        }
    }
}

impl Store {
    /// Run every check on one snapshot of the database.
    /// A check that cannot run (SQLite reports the pages it reads damaged) is a failed check,
    /// so the report is always whole: doctor is what people run when something is wrong.
    pub fn check_health(&mut self, now: Millis) -> anyhow::Result<Vec<Check>> {
        let read_only = self.is_read_only();
        self.read(|conn| {
            Ok(vec![
                could_not_run("integrity", integrity(conn)),
                could_not_run("fts", full_text_index(conn, read_only)),
                could_not_run("orphans", orphans(conn)),
                could_not_run("schema", schema(conn)),
                could_not_run("clock", clock(conn, now)),
            ])
        })
    }

    /// Rebuild the full-text index from the live entries, in one transaction.
    pub fn rebuild_full_text_index(&mut self) -> anyhow::Result<()> {
        self.write(|w| {
            w.conn()
                .execute_batch("INSERT INTO entries_fts(entries_fts) VALUES ('rebuild')")
                .context("while rebuilding the full-text index")?;
            // Filled again before this transaction commits.
            super::ranking::queue_rebuild(w.conn()).context("while rebuilding the word index")?;
            Ok(())
        })
    }

    /// Copy the database to `target` with SQLite's online backup: the copy is one consistent
    /// snapshot, taken without stopping other writers. It is written to a temporary file,
    /// readable by its owner only, and renamed into place when complete, so `target` is never
    /// half a database. An existing `target` is replaced only when `overwrite` is set.
    pub fn backup_to(&mut self, target: &Path, overwrite: bool) -> anyhow::Result<CopySummary> {
        let exists = || {
            anyhow::Error::new(StoreError::BackupExists {
                target: target.to_owned(),
            })
        };
        if !overwrite && target.exists() {
            return Err(exists());
        }
        let cannot = || StoreError::CannotWriteBackup {
            target: target.to_owned(),
        };
        let dir = target
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        // Owner-only (mode 0600), and swept by the next backup into `dir` if this one is killed.
        let tmp = crate::tempfiles::create_in(dir, "backup").with_context(cannot)?;
        // The copy is a new file of ours: damage SQLite reports is in the source, not there.
        let summary = self.copy_into(tmp.path()).map_err(|e| {
            if is_damaged_database(&e) {
                e.context(StoreError::DamagedBackup {
                    target: target.to_owned(),
                })
            } else {
                e.context(cannot())
            }
        })?;
        tmp.as_file().sync_all().with_context(cannot)?;
        if overwrite {
            tmp.persist(target)
                .map_err(|e| e.error)
                .with_context(cannot)?;
        } else {
            tmp.persist_noclobber(target).map_err(|e| {
                if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                    exists()
                } else {
                    anyhow::Error::new(e.error).context(cannot())
                }
            })?;
        }
        Ok(summary)
    }

    fn copy_into(&self, path: &Path) -> anyhow::Result<CopySummary> {
        let mut copy = Connection::open(path)?;
        {
            let backup = Backup::new(&self.conn, &mut copy)?;
            // One step copies every page under one read transaction: in WAL mode that neither
            // waits for writers nor lets their commits restart the copy, so it always finishes.
            let mut waited = Duration::ZERO;
            loop {
                match backup.step(-1)? {
                    StepResult::Done => break,
                    StepResult::More => {}
                    StepResult::Busy | StepResult::Locked => {
                        if waited >= super::BUSY_TIMEOUT {
                            return Err(StoreError::StayedLocked.into());
                        }
                        std::thread::sleep(Duration::from_millis(50));
                        waited += Duration::from_millis(50);
                    }
                    _ => anyhow::bail!("unexpected result from the SQLite backup"),
                }
            }
        }
        // The copy keeps WAL mode; fold its log into the file so that it stands alone.
        copy.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
        let summary = summarize(&copy)?;
        copy.close().map_err(|(_, e)| e)?;
        Ok(summary)
    }
}

/// Check a finished copy through its own connection.
fn summarize(conn: &Connection) -> anyhow::Result<CopySummary> {
    let integrity: Vec<String> = conn
        .prepare("PRAGMA integrity_check")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(CopySummary {
        entries: conn.query_row("SELECT count(*) FROM entries", [], |r| r.get(0))?,
        schema_version: conn.query_row("PRAGMA user_version", [], |r| r.get(0))?,
        integrity: integrity.join("; "),
    })
}

fn integrity(conn: &Connection) -> anyhow::Result<Check> {
    let rows: Vec<String> = conn
        .prepare("PRAGMA integrity_check")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut problems: Vec<String> = rows.into_iter().filter(|r| r != "ok").collect();
    // The row id is NULL for WITHOUT ROWID tables such as entry_tags.
    let violations: Vec<(String, Option<i64>, String)> = conn
        .prepare("PRAGMA foreign_key_check")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    for (table, rowid, parent) in &violations {
        let row = rowid.map(|r| format!(" row {r}")).unwrap_or_default();
        problems.push(format!("{table}{row} points to a missing {parent} row"));
    }
    Ok(if problems.is_empty() {
        Check::passed("integrity", "SQLite integrity check: ok")
    } else {
        let summary = format!(
            "SQLite integrity check: {}",
            count(problems.len(), "problem", "problems")
        );
        problems.truncate(MAX_DETAILS);
        Check::failed("integrity", summary, problems)
    })
}

/// The report of a database that cannot even be opened because SQLite finds it damaged: every
/// check failed, with why, so `rep doctor` still prints its whole table.
pub fn unopenable(error: &anyhow::Error) -> Vec<Check> {
    ["integrity", "fts", "orphans", "schema", "clock"]
        .into_iter()
        .map(|name| {
            Check::failed(
                name,
                format!("{name}: the check could not run: the database cannot be opened"),
                vec![format!("{error:#}")],
            )
        })
        .collect()
}

fn could_not_run(name: &'static str, result: anyhow::Result<Check>) -> Check {
    result.unwrap_or_else(|e| {
        Check::failed(
            name,
            format!("{name}: the check could not run"),
            vec![format!("{e:#}")],
        )
    })
}

/// `read_only`: FTS5's own integrity check is a write command, which a read-only database
/// refuses; there SQLite's integrity check (which covers FTS5 tables too) and the document
/// count stand for it, rather than reporting damage that is not there.
fn full_text_index(conn: &Connection, read_only: bool) -> anyhow::Result<Check> {
    let live: i64 = conn.query_row("SELECT count(*) FROM live_entries", [], |r| r.get(0))?;
    // The index keeps one size row per document it holds: the count of what is really indexed.
    let indexed: i64 =
        conn.query_row("SELECT count(*) FROM entries_fts_docsize", [], |r| r.get(0))?;
    let mut problems = Vec::new();
    if read_only {
        // Checked by the integrity row.
    } else if let Err(e) = conn
        .execute_batch("INSERT INTO entries_fts(entries_fts, rank) VALUES ('integrity-check', 1)")
    {
        problems.push(format!("the index does not match the entries ({e})"));
    }
    if live != indexed {
        problems.push(format!(
            "{live} live entries but {indexed} indexed documents"
        ));
    }
    // The word index of ranked search (migration 5), and its exact names.
    let (words, named): (i64, i64) = conn.query_row(
        "SELECT (SELECT count(*) FROM entries_words_docsize),
                (SELECT count(DISTINCT entry_seq) FROM entry_names)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if read_only {
        // Checked by the integrity row, as above.
    } else if let Err(e) = conn.execute_batch(
        "INSERT INTO entries_words(entries_words, rank) VALUES ('integrity-check', 1)",
    ) {
        problems.push(format!("the word index is damaged ({e})"));
    }
    if words != live || named != live {
        problems.push(format!(
            "{live} live entries but {words} in the word index and {named} with names"
        ));
    }
    Ok(if problems.is_empty() {
        Check::passed(
            "fts",
            format!(
                "full-text index: ok ({})",
                count(indexed, "entry", "entries")
            ),
        )
    } else {
        Check::failed(
            "fts",
            "full-text index: out of step with the entries (`rep doctor --repair` rebuilds it)",
            problems,
        )
    })
}

fn orphans(conn: &Connection) -> anyhow::Result<Check> {
    let count = |table: &str| -> rusqlite::Result<i64> {
        conn.query_row(
            &format!(
                "SELECT count(*) FROM {table} WHERE entry_seq NOT IN (SELECT seq FROM entries)"
            ),
            [],
            |r| r.get(0),
        )
    };
    let tags = count("entry_tags")?;
    let revisions = count("revisions")?;
    let mut problems = Vec::new();
    if tags > 0 {
        problems.push(format!("{tags} tag rows belong to no entry"));
    }
    if revisions > 0 {
        problems.push(format!("{revisions} history rows belong to no entry"));
    }
    let reply_revisions: i64 = conn.query_row(
        "SELECT count(*) FROM reply_revisions WHERE reply_seq NOT IN (SELECT seq FROM replies)",
        [],
        |r| r.get(0),
    )?;
    if reply_revisions > 0 {
        problems.push(format!(
            "{reply_revisions} reply history rows belong to no reply"
        ));
    }
    Ok(if problems.is_empty() {
        Check::passed("orphans", "rows without an entry: none")
    } else {
        Check::failed("orphans", "rows without an entry: found", problems)
    })
}

fn schema(conn: &Connection) -> anyhow::Result<Check> {
    let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let summary = format!("schema version {version} (this rep: {SCHEMA_VERSION})");
    Ok(if version == SCHEMA_VERSION {
        Check::passed("schema", summary)
    } else {
        Check::failed("schema", summary, Vec::new())
    })
}

fn clock(conn: &Connection, now: Millis) -> anyhow::Result<Check> {
    let mut problems = Vec::new();
    let stored: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'clock'", [], |r| {
            r.get(0)
        })
        .optional()?;
    let mut latest: Option<Stamp> = None;
    match stored.as_deref().map(str::parse::<Stamp>) {
        None => {}
        Some(Ok(stamp)) => latest = Some(stamp),
        Some(Err(e)) => problems.push(format!("the stored clock is unreadable: {e}")),
    }
    let replica: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'replica_id'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if replica.is_none() {
        problems.push("the database has no replica id".to_owned());
    }
    let mut unreadable = 0usize;
    let mut far_ahead = 0usize;
    let horizon = u64::try_from(now.saturating_add(MAX_CLOCK_AHEAD_MS)).unwrap_or(0);
    let mut visit = |text: String| match text.parse::<Stamp>() {
        Ok(stamp) => {
            if stamp.millis > horizon {
                far_ahead += 1;
            }
            if latest.as_ref().is_none_or(|l| stamp > *l) {
                latest = Some(stamp);
            }
        }
        Err(_) => unreadable += 1,
    };
    let mut stmt = conn.prepare(
        "SELECT kind_at, title_at, body_at, domain_at, command_at, link_at, deleted_at FROM entries",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        for i in 0..7 {
            visit(row.get(i)?);
        }
    }
    for sql in [
        "SELECT stamp FROM entry_tags",
        "SELECT stamp FROM revisions",
    ] {
        let mut stmt = conn.prepare(sql)?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            visit(row.get(0)?);
        }
    }
    if unreadable > 0 {
        problems.push(format!("{unreadable} change stamps are unreadable"));
    }
    let ahead = latest
        .as_ref()
        .map(|l| {
            i64::try_from(l.millis)
                .unwrap_or(i64::MAX)
                .saturating_sub(now)
        })
        .unwrap_or(0);
    if ahead > MAX_CLOCK_AHEAD_MS {
        problems.push(format!(
            "the clock is {} ahead of now: a machine with a wrong date wrote or was imported",
            count(ahead / 3_600_000, "hour", "hours")
        ));
        if far_ahead > 0 {
            problems.push(format!(
                "{} stamped more than {} hours ahead: each wins over every \
                 later change of its field, on every replica, until that time, and teammates' \
                 rep refuses files that hold them",
                count(far_ahead, "change is", "changes are"),
                MAX_CLOCK_AHEAD_MS / 3_600_000
            ));
        }
    }
    Ok(if problems.is_empty() {
        Check::passed("clock", "clock: ok")
    } else {
        Check::failed("clock", "clock: wrong", problems)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::entries::{self, NewEntry};

    fn entry(title: &str) -> NewEntry {
        NewEntry {
            kind: "tool".into(),
            title: title.into(),
            body: "body".into(),
            domain: "general".into(),
            tags: vec!["x".into()],
            author: "ana".into(),
            command: None,
            link: None,
        }
    }

    fn all_ok(checks: &[Check]) -> bool {
        checks.iter().all(|c| c.ok)
    }

    #[test]
    fn a_fresh_store_is_healthy() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .write(|w| entries::insert(w, &entry("one"), 1_000))
            .unwrap();
        let checks = store.check_health(1_000).unwrap();
        assert!(all_ok(&checks), "{checks:?}");
    }

    #[test]
    fn a_broken_index_is_found_and_rebuilt() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .write(|w| entries::insert(w, &entry("one"), 1_000))
            .unwrap();
        store
            .conn
            .execute_batch(
                "INSERT INTO entries_fts(entries_fts, rowid, title, tags, body, command)
                 VALUES ('delete', 1, 'other', 'words', 'entirely', NULL)",
            )
            .unwrap();
        let checks = store.check_health(1_000).unwrap();
        let fts = checks.iter().find(|c| c.name == "fts").unwrap();
        assert!(!fts.ok, "{fts:?}");
        store.rebuild_full_text_index().unwrap();
        assert!(all_ok(&store.check_health(1_000).unwrap()));
        // The word index: a row gone is found, and the rebuild brings it back.
        store
            .conn
            .execute_batch("DELETE FROM entries_words WHERE rowid = 1")
            .unwrap();
        let checks = store.check_health(1_000).unwrap();
        let fts = checks.iter().find(|c| c.name == "fts").unwrap();
        assert!(!fts.ok, "{fts:?}");
        store.rebuild_full_text_index().unwrap();
        assert!(all_ok(&store.check_health(1_000).unwrap()));
    }

    #[test]
    fn orphans_and_a_clock_far_ahead_are_reported() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .write(|w| entries::insert(w, &entry("one"), 1_000))
            .unwrap();
        store
            .conn
            .execute_batch(
                "PRAGMA foreign_keys = OFF;
                 INSERT INTO entry_tags VALUES (99, 'lost', 1, 'x');",
            )
            .unwrap();
        let checks = store.check_health(1_000).unwrap();
        assert!(!checks.iter().find(|c| c.name == "orphans").unwrap().ok);
        store
            .conn
            .execute_batch("INSERT INTO reply_revisions VALUES (77, 'a lost body', NULL, NULL);")
            .unwrap();
        let checks = store.check_health(1_000).unwrap();
        let orphans = checks.iter().find(|c| c.name == "orphans").unwrap();
        assert_eq!(
            orphans.problems,
            [
                "1 tag rows belong to no entry",
                "1 reply history rows belong to no reply"
            ],
            "{orphans:?}"
        );
        let far = 1_000 + 2 * MAX_CLOCK_AHEAD_MS;
        let clock = clock(&store.conn, 1_000 - 2 * MAX_CLOCK_AHEAD_MS).unwrap();
        assert!(!clock.ok, "{clock:?}");
        assert!(super::clock(&store.conn, far).unwrap().problems.len() == 1);
    }
}
