//! SIGKILL at random moments: the database stays sound, an import is all or nothing, and what
//! a killed export or backup leaves behind goes with the next one.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::trust_support::{
    KillWindow, Random, World, assert_sound, entries, open, write_exchange,
};

const RECORDS: u32 = 1_000;
const IMPORT_KILLS: u32 = 20;
const ADD_KILLS: u32 = 20;
/// Kills that must catch an export or a backup with its temporary file on disk.
const TEMP_KILLS: u32 = 3;
/// Records that make an export and a backup last long enough to be caught mid-way.
const BIG: u32 = 6_000;

#[test]
fn trust_crash_killed_imports_are_all_or_nothing() {
    let world = World::new();
    let mut random = Random::from_clock();
    world.ok(&["add", "tool", "before any import", "-q"]);
    // A first import runs to the end, to learn how long one takes here.
    let first = world.path("batch-0.jsonl");
    write_exchange(&first, 0, RECORDS);
    let started = Instant::now();
    world.ok(&["import", "batch-0.jsonl", "-q"]);
    let mut window = KillWindow::new(started.elapsed(), 75);
    let (mut killed, mut finished) = (Vec::new(), 0);
    let mut round = 0;
    // Keep going until enough imports died mid-way; one that wins the race also counts as a test.
    while (killed.len() as u32) < IMPORT_KILLS {
        round += 1;
        assert!(
            round <= 4 * IMPORT_KILLS,
            "imports keep finishing before the kill"
        );
        let file = world.path(&format!("batch-{round}.jsonl"));
        write_exchange(&file, round, RECORDS);
        let before = entries(&world.db());
        let mut child = world
            .cmd()
            .arg("import")
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("import starts");
        let delay = window.delay(&mut random);
        std::thread::sleep(delay);
        let running = match child.try_wait().expect("poll the import") {
            Some(status) => {
                assert!(status.success(), "import failed on its own: {status:?}");
                false
            }
            None => {
                child.kill().expect("SIGKILL the import");
                child.wait().expect("reap the import");
                true
            }
        };
        let after = entries(&world.db());
        assert!(
            after == before || after == before + i64::from(RECORDS),
            "round {round}: {before} entries before, {after} after a kill at {delay:?}"
        );
        assert_sound(&world.db());
        // A kill can land after the commit, before the process ends: that import finished.
        let killed_mid_way = running && after == before;
        if killed_mid_way {
            killed.push(round);
        } else {
            finished += 1;
        }
        window.record(killed_mid_way);
    }
    let killed_count = killed.len();
    // A killed import runs cleanly afterwards, and nothing was half there.
    let before = entries(&world.db());
    world.ok(&["import", &format!("batch-{}.jsonl", killed[0]), "-q"]);
    assert_eq!(entries(&world.db()), before + i64::from(RECORDS));
    assert_sound(&world.db());
    eprintln!(
        "crash: {killed_count} imports of {RECORDS} records killed mid-way, {finished} committed first"
    );
}

/// Into an empty repertoire the import writes its pages straight into the file, behind a
/// rollback journal instead of the write-ahead log (store::Store::write_bulk_or_rehearse): a
/// kill must still leave the repertoire as it was, and the next command back in WAL mode.
#[test]
fn trust_crash_killed_imports_into_an_empty_repertoire_leave_it_empty() {
    let mut random = Random::from_clock();
    let first = World::new();
    let file = first.path("batch.jsonl");
    write_exchange(&file, 0, RECORDS * 3);
    let started = Instant::now();
    first.ok(&["import", file.to_str().expect("utf-8 path"), "-q"]);
    let mut window = KillWindow::new(started.elapsed(), 75);
    assert_eq!(entries(&first.db()), i64::from(RECORDS * 3));
    let mode = |world: &World| -> String {
        open(&world.db())
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("journal mode")
    };
    assert_eq!(
        mode(&first),
        "wal",
        "the import leaves the repertoire in WAL mode"
    );
    let (mut killed, mut round) = (0, 0);
    while killed < IMPORT_KILLS / 2 {
        round += 1;
        assert!(
            round <= 2 * IMPORT_KILLS,
            "imports keep finishing before the kill"
        );
        let world = World::new();
        create_empty(&world);
        let mut child = world
            .cmd()
            .arg("import")
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("import starts");
        let delay = window.delay(&mut random);
        std::thread::sleep(delay);
        let finished = match child.try_wait().expect("poll the import") {
            Some(status) => {
                assert!(status.success(), "import failed on its own: {status:?}");
                true
            }
            None => {
                child.kill().expect("SIGKILL the import");
                child.wait().expect("reap the import");
                killed += 1;
                false
            }
        };
        window.record(!finished);
        // The next command rolls a half-written import back and returns to WAL mode.
        world.ok(&["list", "-q"]);
        let after = entries(&world.db());
        // All or nothing: a kill can also come after the commit, before the process ends.
        let all = i64::from(RECORDS * 3);
        assert!(
            after == all || (after == 0 && !finished),
            "round {round}: {after} entries after a kill at {delay:?}"
        );
        assert_sound(&world.db());
        assert_eq!(mode(&world), "wal", "round {round}");
        world.ok(&["import", file.to_str().expect("utf-8 path"), "-q"]);
        assert_eq!(entries(&world.db()), i64::from(RECORDS * 3));
        assert_sound(&world.db());
    }
}

/// An empty repertoire on disk: the import of a file of no records creates it.
fn create_empty(world: &World) {
    let empty = world.path("empty.jsonl");
    write_exchange(&empty, 0, 0);
    world.ok(&["import", "empty.jsonl", "-q"]);
    assert_eq!(entries(&world.db()), 0);
}

/// Beside a reader in the middle of a read, the import into an empty repertoire keeps the
/// write-ahead log (leaving it needs the only connection): it neither waits for the reader nor
/// fails, and the reader's snapshot stays the empty repertoire until it ends.
#[test]
fn trust_crash_an_import_beside_a_reader_keeps_the_log() {
    let world = World::new();
    create_empty(&world);
    let file = world.path("batch.jsonl");
    write_exchange(&file, 0, RECORDS);
    let reader = open(&world.db());
    let count = |conn: &rusqlite::Connection| -> i64 {
        conn.query_row("SELECT count(*) FROM entries", [], |r| r.get(0))
            .expect("count")
    };
    reader.execute_batch("BEGIN").expect("begin");
    assert_eq!(count(&reader), 0);
    world.ok(&["import", "batch.jsonl", "-q"]);
    assert_eq!(count(&reader), 0, "the reader's snapshot");
    reader.execute_batch("COMMIT").expect("end the read");
    assert_eq!(count(&reader), i64::from(RECORDS));
    let mode: String = reader
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("journal mode");
    assert_eq!(mode, "wal");
    assert_sound(&world.db());
}

#[test]
fn trust_crash_killed_writes_leave_a_sound_database() {
    let world = World::new();
    let mut random = Random::from_clock();
    let first = world.ok(&["add", "tool", "first", "-q"]).trim().to_owned();
    let started = Instant::now();
    world.ok(&["add", "tool", "second", "-q"]);
    let mut window = KillWindow::new(started.elapsed(), 150);
    let mut killed = 0;
    let mut round = 0;
    while killed < ADD_KILLS {
        round += 1;
        assert!(
            round <= 5 * ADD_KILLS,
            "writes keep finishing before the kill"
        );
        let before = entries(&world.db());
        let mut child = world
            .cmd()
            .args([
                "add",
                "story",
                &format!("killed write {round}"),
                "-t",
                "crash",
            ])
            .args(["-m", &"a body that takes a moment to index ".repeat(200)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("add starts");
        std::thread::sleep(window.delay(&mut random));
        let running = child.try_wait().expect("poll").is_none();
        if running {
            child.kill().expect("SIGKILL the add");
            killed += 1;
        }
        window.record(running);
        child.wait().expect("reap the add");
        let after = entries(&world.db());
        assert!(
            after == before || after == before + 1,
            "{before} -> {after}"
        );
        assert_sound(&world.db());
        // The next write after a kill works.
        world.ok(&[
            "edit",
            &first,
            "--title",
            &format!("first after {round}"),
            "-q",
        ]);
    }
    world.ok(&["doctor", "-q"]);
    eprintln!("crash: {killed} of {round} writes killed mid-way");
}

/// The temporary files (rep's own, and those of older versions) in `dir`.
fn temporaries(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".rep-") || n.starts_with(".tmp"))
        .collect()
}

#[test]
fn trust_crash_killed_exports_and_backups_leave_no_temp_files_behind() {
    let world = World::new();
    let mut random = Random::from_clock();
    write_exchange(&world.path("big.jsonl"), 7, BIG);
    world.ok(&["import", "big.jsonl", "-q"]);
    let out = world.path("out");
    std::fs::create_dir(&out).unwrap();
    for (command, target) in [("export", "out/team.jsonl"), ("backup", "out/copy.db")] {
        let args: Vec<&str> = match command {
            "export" => vec!["export", target, "-q"],
            _ => vec!["backup", target, "--force", "-q"],
        };
        let started = Instant::now();
        world.ok(&args);
        let full = started.elapsed().as_micros() as u64;
        let (mut caught, mut round) = (0, 0);
        while caught < TEMP_KILLS {
            round += 1;
            assert!(round <= 30 * TEMP_KILLS, "{command}: never caught mid-way");
            let mut child = world
                .cmd()
                .args(&args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("starts");
            std::thread::sleep(Duration::from_micros(random.below(full)));
            child.kill().expect("SIGKILL");
            child.wait().expect("reap");
            if temporaries(&out).is_empty() {
                continue;
            }
            caught += 1;
            // The next run of the same command clears what the killed one left.
            world.ok(&args);
            assert_eq!(
                temporaries(&out),
                Vec::<String>::new(),
                "{command} round {round}: a killed run's temporary file is still there"
            );
        }
        eprintln!("crash: {caught} {command}s killed with a temporary file, in {round} rounds");
    }
}
