//! SIGKILL at random moments: the database stays sound and an import is all or nothing.

use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::trust_support::{World, assert_sound, entries, write_exchange};

/// A small xorshift generator: random delays without a dependency, reproducible from its seed.
struct Random(u64);

impl Random {
    fn from_clock() -> Random {
        let seed = std::env::var("REP_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(1)
            })
            | 1;
        eprintln!("crash: random seed {seed} (set REP_CRASH_SEED to replay)");
        Random(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

const RECORDS: u32 = 1_000;
const IMPORT_KILLS: u32 = 20;
const ADD_KILLS: u32 = 20;

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
    let full = started.elapsed();
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
        let delay = random.below(full.as_millis() as u64 * 3 / 4);
        std::thread::sleep(Duration::from_millis(delay));
        match child.try_wait().expect("poll the import") {
            Some(status) => {
                assert!(status.success(), "import failed on its own: {status:?}");
                finished += 1;
            }
            None => {
                child.kill().expect("SIGKILL the import");
                child.wait().expect("reap the import");
                killed.push(round);
            }
        }
        let after = entries(&world.db());
        assert!(
            after == before || after == before + i64::from(RECORDS),
            "round {round}: {before} entries before, {after} after a kill at {delay} ms"
        );
        assert_sound(&world.db());
    }
    let killed_count = killed.len();
    // A killed import runs cleanly afterwards, and nothing was half there.
    let before = entries(&world.db());
    world.ok(&["import", &format!("batch-{}.jsonl", killed[0]), "-q"]);
    assert_eq!(entries(&world.db()), before + i64::from(RECORDS));
    assert_sound(&world.db());
    eprintln!(
        "crash: {killed_count} imports of {RECORDS} records killed, {finished} finished first (one takes {full:?})"
    );
}

#[test]
fn trust_crash_killed_writes_leave_a_sound_database() {
    let world = World::new();
    let mut random = Random::from_clock();
    let first = world.ok(&["add", "tool", "first", "-q"]).trim().to_owned();
    let started = Instant::now();
    world.ok(&["add", "tool", "second", "-q"]);
    let one = started.elapsed().as_micros() as u64;
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
        std::thread::sleep(Duration::from_micros(random.below(one * 3 / 2)));
        if child.try_wait().expect("poll").is_none() {
            child.kill().expect("SIGKILL the add");
            killed += 1;
        }
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
