//! Broken disks and databases: a partly damaged database (one page of the entries table
//! overwritten), a read-only file system and a full disk. rep says what is wrong, salvages what
//! it can read, and never blames the wrong thing.

use std::path::Path;

use crate::support::{Repo, runs, stderr, stdout, tool_available};
use crate::trust_support::write_exchange;

/// Entries in the damaged repertoire: enough for the entries table to span many pages.
const ENTRIES: u32 = 400;

/// The page size of rep's databases, and where a table b-tree page's header starts.
fn page_size(db: &Path) -> usize {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA page_size", [], |r| r.get::<_, i64>(0))
        .unwrap() as usize
}

/// Which page of a table's b-tree to overwrite.
#[derive(Clone, Copy)]
enum Where {
    /// A leaf in the middle: rows that most reads meet, appends do not.
    Middle,
    /// The rightmost leaf, where a new row goes.
    Last,
    /// The root: every read of the table meets it.
    Root,
}

/// A repertoire of [`ENTRIES`] entries, checkpointed so the file holds everything.
fn many_entries() -> Repo {
    let repo = Repo::empty();
    let file = repo.path().join("many.jsonl");
    write_exchange(&file, 7, ENTRIES);
    repo.ok(&["import", file.to_str().unwrap(), "-q"]);
    let conn = rusqlite::Connection::open(repo.db()).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    repo
}

/// Overwrite one page of `table` with garbage: a child of its root (an interior page) at
/// `place`, or the root itself when the table fits on one page.
fn damage(repo: &Repo, table: &str, place: Where) {
    let conn = rusqlite::Connection::open(repo.db()).unwrap();
    let root: i64 = conn
        .query_row(
            "SELECT rootpage FROM sqlite_master WHERE name = ?1",
            [table],
            |r| r.get(0),
        )
        .unwrap();
    drop(conn);
    let size = page_size(&repo.db());
    let mut bytes = std::fs::read(repo.db()).unwrap();
    let page = |n: usize| (n - 1) * size;
    let at = page(root as usize);
    let be32 =
        |b: &[u8], i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as usize;
    // An interior table page (0x05) has its cell pointers after a 12-byte header and the
    // rightmost child at offset 8; each cell starts with the 4-byte number of a child page.
    let target = if bytes[at] == 0x05 {
        match place {
            Where::Root => root as usize,
            Where::Last => be32(&bytes, at + 8),
            Where::Middle => {
                let cells = u16::from_be_bytes([bytes[at + 3], bytes[at + 4]]) as usize;
                let pointer = at + 12 + 2 * (cells / 2);
                let cell = at + u16::from_be_bytes([bytes[pointer], bytes[pointer + 1]]) as usize;
                be32(&bytes, cell)
            }
        }
    } else {
        root as usize
    };
    let start = page(target);
    for (i, b) in bytes[start..start + size].iter_mut().enumerate() {
        *b = 0xA5 ^ (i as u8);
    }
    std::fs::write(repo.db(), bytes).unwrap();
}

fn damaged_repo() -> Repo {
    let repo = many_entries();
    damage(&repo, "entries", Where::Middle);
    repo
}

#[test]
fn doctor_prints_every_check_on_a_damaged_database() {
    let repo = damaged_repo();
    let assert = repo.rep(&["doctor"]).code(1);
    let out = stdout(&assert);
    for check in ["integrity", "fts", "orphans", "schema", "clock"] {
        assert!(
            out.contains(check),
            "no {check} row: {out}\n{}",
            stderr(&assert)
        );
    }
    assert!(out.contains("FAILED"), "{out}");
    let json = stdout(&repo.rep(&["doctor", "--json"]).code(1));
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["healthy"], false);
    assert_eq!(report["checks"].as_array().unwrap().len(), 5);
}

#[test]
fn export_salvages_what_it_can_read_and_fails_with_the_count() {
    let repo = damaged_repo();
    let file = repo.path().join("salvaged.jsonl");
    let assert = repo.rep(&["export", file.to_str().unwrap()]).code(1);
    let err = stderr(&assert);
    let skipped: usize = err
        .split("skipped ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count: {err}"));
    assert!(skipped > 0 && skipped < ENTRIES as usize / 2, "{err}");
    assert!(err.contains("the database is damaged: exported "), "{err}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        text.lines().count(),
        1 + ENTRIES as usize - skipped,
        "header + salvaged"
    );

    // What was salvaged makes a sound repertoire.
    let fresh = Repo::new();
    let report = fresh.json(&["import", file.to_str().unwrap()]);
    assert_eq!(report["added"], ENTRIES as usize - skipped);
    fresh.ok(&["doctor"]);
}

#[test]
fn backup_of_a_damaged_database_blames_the_database() {
    let repo = damaged_repo();
    let copy = repo.path().join("copy.db");
    let assert = repo.rep(&["backup", copy.to_str().unwrap()]).code(1);
    let err = stderr(&assert);
    assert!(
        err.contains("the database is damaged, so no backup was written"),
        "{err}"
    );
    assert!(!err.contains("cannot write"), "{err}");
    assert!(
        err.contains("hint: the database is damaged: `rep doctor`"),
        "{err}"
    );
    assert!(!copy.exists());
}

#[test]
fn add_refuses_to_write_where_sqlite_reports_damage() {
    let repo = many_entries();
    damage(&repo, "entries", Where::Last);
    let before = std::fs::read(repo.db()).unwrap();
    let assert = repo
        .rep(&["add", "tool", "one more", "--cmd", "true"])
        .code(1);
    let err = stderr(&assert);
    assert!(
        err.contains(
            "the database is damaged: rep refused to write into it, and nothing was written"
        ),
        "{err}"
    );
    assert_eq!(std::fs::read(repo.db()).unwrap(), before);
}

#[test]
fn search_on_a_damaged_index_says_damaged_not_syntax() {
    let repo = many_entries();
    damage(&repo, "entries_fts_data", Where::Root);
    let assert = repo.rep(&["search", "record"]).failure();
    let err = stderr(&assert);
    assert!(!err.contains("invalid search syntax"), "{err}");
    assert!(err.contains("the database is damaged"), "{err}");
}

#[test]
fn doctor_prints_its_table_even_when_the_schema_is_damaged() {
    let repo = many_entries();
    // Page 1 holds the schema: nothing can be opened.
    let mut bytes = std::fs::read(repo.db()).unwrap();
    for b in &mut bytes[100..4096] {
        *b = 0x5A;
    }
    std::fs::write(repo.db(), bytes).unwrap();
    let assert = repo.rep(&["doctor"]).code(1);
    let out = stdout(&assert);
    for check in ["integrity", "fts", "orphans", "schema", "clock"] {
        assert!(
            out.contains(check),
            "no {check} row: {out}\n{}",
            stderr(&assert)
        );
    }
    let err = stderr(&assert);
    assert!(err.contains("failed 5 of 5 checks"), "{err}");
}

/// A script run as root of its own user and mount namespace (`unshare -rm`), so it can mount a
/// tiny tmpfs of its own without touching the machine's mounts.
fn in_own_mounts(repo: &Repo, script: &str) -> std::process::Output {
    let ok = runs("unshare", &["-rm", "true"])
        && std::process::Command::new("unshare")
            .args([
                "-rm",
                "sh",
                "-c",
                "d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs $d && umount $d",
            ])
            .status()
            .is_ok_and(|s| s.success());
    if !tool_available("unshare with tmpfs mounts", ok) {
        return std::process::Command::new("true").output().unwrap();
    }
    let bin = crate::support::rep_bin();
    std::process::Command::new("unshare")
        .args(["-rm", "sh", "-ec", script])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("REP", bin)
        .env("D", repo.path())
        .env("REP_USER", "ana")
        .env("REP_CONFIG", repo.config())
        .env("REP_NOW", crate::support::NOW)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn a_read_only_file_system_reads_and_doctor_finds_nothing_wrong() {
    let repo = Repo::new();
    let out = in_own_mounts(
        &repo,
        r#"mkdir "$D/m"; mount -t tmpfs -o size=4m tmpfs "$D/m"
        export REP_DB="$D/m/rep.db"
        "$REP" add tool "Show locks" -d postgres -t locks --cmd psql -q >/dev/null
        mount -o remount,ro "$D/m"
        "$REP" list --json > "$D/list.json"
        "$REP" search locks --json > "$D/search.json"
        "$REP" doctor --json > "$D/doctor.json"
        "$REP" tags > /dev/null
        code=0; "$REP" add tool x --cmd y 2> "$D/add.err" || code=$?
        echo "add=$code" > "$D/add.code""#,
    );
    if !repo.path().join("add.code").exists() {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        return; // skipped, said on stderr
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |name: &str| std::fs::read_to_string(repo.path().join(name)).unwrap();
    assert!(read("list.json").contains("Show locks"));
    assert!(read("search.json").contains("Show locks"));
    let doctor: serde_json::Value = serde_json::from_str(&read("doctor.json")).unwrap();
    assert_eq!(doctor["healthy"], true, "{doctor}");
    assert_eq!(read("add.code").trim(), "add=3");
    assert!(
        read("add.err").contains("the database is read-only here"),
        "{}",
        read("add.err")
    );
}

/// The file system is sized so that the first write (schema and all, through the log and then
/// into the file) fits with room to spare, and the filler then takes every byte left.
#[test]
fn a_full_disk_is_named_and_reads_still_work() {
    let repo = Repo::new();
    let out = in_own_mounts(
        &repo,
        r#"mkdir "$D/m"; mount -t tmpfs -o size=4m tmpfs "$D/m"
        export REP_DB="$D/m/rep.db"
        "$REP" add tool "Show locks" -d postgres --cmd psql -q >/dev/null
        head -c 8M /dev/zero > "$D/m/filler" 2>/dev/null || true
        "$REP" list --json > "$D/list.json"
        code=0; "$REP" add tool x --cmd y 2> "$D/add.err" || code=$?
        echo "add=$code" > "$D/add.code""#,
    );
    if !repo.path().join("add.code").exists() {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |name: &str| std::fs::read_to_string(repo.path().join(name)).unwrap();
    assert!(
        read("list.json").contains("Show locks"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(read("add.code").trim(), "add=3");
    let err = read("add.err");
    assert!(
        err.contains("the disk that holds") && err.contains("is full"),
        "{err}"
    );
    assert!(err.contains("hint: free some space"), "{err}");
    assert!(!err.contains("permissions"), "{err}");
}

#[test]
fn a_read_only_database_file_reads() {
    use std::os::unix::fs::PermissionsExt as _;
    let repo = Repo::new();
    repo.add(&["tool", "Show locks", "-t", "locks", "--cmd", "psql"]);
    // Everyone may read the file and its folder; nobody but root may write them.
    for path in [repo.path(), &repo.db()] {
        let mode = if path.is_dir() { 0o755 } else { 0o444 };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    // Root writes anyway, so as root the commands run as nobody (setpriv).
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let as_reader = |args: &[&str]| {
        let mut cmd = repo.cmd();
        if is_root {
            let mut wrapped = std::process::Command::new("setpriv");
            wrapped
                .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(crate::support::rep_bin())
                .args(args);
            for (key, value) in cmd.get_envs() {
                match value {
                    Some(v) => wrapped.env(key, v),
                    None => wrapped.env_remove(key),
                };
            }
            wrapped.env_remove("HOME").current_dir("/");
            wrapped.output().unwrap()
        } else {
            cmd.args(args).output().unwrap()
        }
    };
    if is_root && !tool_available("setpriv", runs("setpriv", &["--version"])) {
        return;
    }
    for args in [&["list"][..], &["search", "locks"], &["tags"], &["doctor"]] {
        let out = as_reader(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!String::from_utf8_lossy(&out.stdout).contains("FAILED"));
    }
    assert!(String::from_utf8_lossy(&as_reader(&["list"]).stdout).contains("Show locks"));
    let add = as_reader(&["add", "tool", "x", "--cmd", "y"]);
    assert_eq!(add.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&add.stderr).contains("read-only"));
    std::fs::set_permissions(repo.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
}
