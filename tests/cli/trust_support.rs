//! Helpers for the reliability tests: a private environment per test, a database inspected from
//! the outside with rusqlite, and exchange files written directly in the documented format.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rusqlite::Connection;

pub const NOW: &str = "2026-11-27T09:00:00Z";

/// One test's world: a temp dir with the database and config inside, nothing else inherited.
pub struct World {
    pub dir: tempfile::TempDir,
}

impl World {
    pub fn new() -> World {
        World {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn db(&self) -> PathBuf {
        self.path("rep.db")
    }

    /// `rep` with a cleared environment: only HOME and PATH survive, the rest is fixed here.
    pub fn cmd(&self) -> Command {
        self.cmd_on(&self.db())
    }

    pub fn cmd_on(&self, db: &Path) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rep"));
        cmd.env_clear()
            .env("HOME", self.dir.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("REP_DB", db)
            .env("REP_CONFIG", self.path("config.toml"))
            .env("REP_USER", "ana")
            .env("REP_NOW", NOW)
            .env("NO_COLOR", "1")
            .current_dir(self.dir.path())
            .stdin(std::process::Stdio::null());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("rep runs")
    }

    /// Run and require success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "rep {args:?} failed ({:?}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("stdout is UTF-8")
    }

    /// `rep export` of the whole database, byte for byte.
    pub fn export(&self) -> Vec<u8> {
        self.export_of(&self.db())
    }

    pub fn export_of(&self, db: &Path) -> Vec<u8> {
        let out = self
            .cmd_on(db)
            .args(["export", "-"])
            .output()
            .expect("rep runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }
}

/// A small xorshift generator: random delays without a dependency, reproducible from its seed.
pub struct Random(u64);

impl Random {
    pub fn from_clock() -> Random {
        let seed = std::env::var("REP_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(1)
            })
            | 1;
        eprintln!("crash: random seed {seed} (set REP_CRASH_SEED to replay)");
        Random(seed)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// When to kill a process that is meant to die mid-way: a random moment within a window that
/// starts as a measured run of the same command and adapts to the runs that follow. A run
/// measured at a busy moment can last several times the later ones, and a fixed window then lets
/// nearly every process finish first, until the test runs out of rounds (CI saw it once: the
/// killed-writes test ended on "writes keep finishing before the kill"). So the window shrinks by
/// a quarter each time the process finished first and grows back by an eighth, never beyond the
/// first, each time one was killed.
pub struct KillWindow {
    first: u64,
    micros: u64,
}

impl KillWindow {
    /// A window of `percent` % of `measured`.
    pub fn new(measured: std::time::Duration, percent: u64) -> KillWindow {
        let micros = (measured.as_micros() as u64 * percent / 100).max(1);
        KillWindow {
            first: micros,
            micros,
        }
    }

    /// How long to wait before the kill.
    pub fn delay(&self, random: &mut Random) -> std::time::Duration {
        std::time::Duration::from_micros(random.below(self.micros))
    }

    /// The process was still running at the kill (`true`) or had ended on its own.
    pub fn record(&mut self, killed: bool) {
        self.micros = if killed {
            (self.micros + self.micros / 8).min(self.first)
        } else {
            (self.micros * 3 / 4).max(1)
        };
    }
}

/// Tests that load the machine on purpose (dozens of processes at once) or that measure how it
/// copes with load take turns. In two whole-suite runs on a busy machine, the long-import test
/// run beside the sync recovery tests saw commands give up after the (then 15 s) busy timeout; alone
/// it passed.
static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub fn heavy_turn() -> std::sync::MutexGuard<'static, ()> {
    // A test that failed while holding it has said so already; the next may still run.
    HEAVY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub fn open(db: &Path) -> Connection {
    let conn = Connection::open(db).expect("open the database");
    conn.busy_timeout(std::time::Duration::from_secs(30))
        .expect("busy timeout");
    conn
}

pub fn integrity(db: &Path) -> String {
    let conn = open(db);
    let rows: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .and_then(|mut s| {
            s.query_map([], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()
        })
        .expect("integrity_check runs");
    rows.join("; ")
}

pub fn count(db: &Path, sql: &str) -> i64 {
    open(db).query_row(sql, [], |r| r.get(0)).expect(sql)
}

pub fn entries(db: &Path) -> i64 {
    count(db, "SELECT count(*) FROM entries")
}

/// The database passes SQLite's integrity check and its full-text index agrees with its tables.
pub fn assert_sound(db: &Path) {
    assert_eq!(integrity(db), "ok", "integrity_check of {}", db.display());
    let conn = open(db);
    conn.execute_batch("INSERT INTO entries_fts(entries_fts, rank) VALUES ('integrity-check', 1)")
        .expect("the full-text index agrees with the entries");
    let live = count(db, "SELECT count(*) FROM entries WHERE deleted = 0");
    assert_eq!(live, count(db, "SELECT count(*) FROM entries_fts"));
    assert_eq!(live, count(db, "SELECT count(*) FROM entries_fts_docsize"));
}

/// A clock stamp in the exchange format.
pub fn stamp(millis: u64, counter: u32) -> String {
    format!("{millis:013}.{counter:06}.{:032x}", 0xfeed_u32)
}

/// A valid entry record line: `seed` keeps ids of different files apart.
pub fn record_line(seed: u32, i: u32, tags: &[&str]) -> String {
    let id = format!("{seed:08x}-0000-4000-8000-{i:012x}");
    let at = stamp(1_795_000_000_000 + u64::from(i), 0);
    let field = |value: &str| format!(r#"{{"value":{value},"at":"{at}","by":"ana"}}"#);
    let mut tag_map = String::from("{");
    for (n, tag) in tags.iter().enumerate() {
        if n > 0 {
            tag_map.push(',');
        }
        write!(tag_map, r#""{tag}":{{"present":true,"at":"{at}"}}"#).expect("write");
    }
    tag_map.push('}');
    format!(
        r#"{{"type":"entry","id":"{id}","created_at":"2026-11-20T10:00:00.000Z","author":"ana","kind":{},"title":{},"body":{},"domain":{},"command":{},"link":{},"deleted":{},"tags":{tag_map}}}"#,
        field(r#""tool""#),
        field(&format!(r#""imported record {i} of batch {seed}""#)),
        field(&format!(
            r#""Body of record {i}: vacuum, locks and replication lag in a long paragraph.""#
        )),
        field(r#""bulk/import""#),
        field(&format!(r#""echo {i}""#)),
        field("null"),
        field("false"),
    )
}

pub fn header_line() -> &'static str {
    r#"{"format":"repertoire","version":"1.0"}"#
}

/// An exchange file of `n` fresh records.
pub fn write_exchange(path: &Path, seed: u32, n: u32) {
    let mut text = String::with_capacity(n as usize * 700);
    text.push_str(header_line());
    text.push('\n');
    for i in 0..n {
        text.push_str(&record_line(seed, i, &["bulk", "load"]));
        text.push('\n');
    }
    std::fs::write(path, text).expect("write the exchange file");
}

/// Bytes a terminal would act on: ESC, BEL, C0 controls other than newline and tab, DEL, C1
/// controls (as UTF-8) and the bidi overrides.
pub fn terminal_hazards(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t')
                || matches!(
                    c,
                    '\u{061c}'
                        | '\u{200b}'..='\u{200f}'
                        | '\u{2028}'..='\u{202e}'
                        | '\u{2060}'
                        | '\u{2066}'..='\u{2069}'
                        | '\u{feff}'
                )
        })
        .map(|c| format!("U+{:04X}", c as u32))
        .collect()
}
