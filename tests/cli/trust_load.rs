//! Many `rep` processes on one database at once: nothing lost, nothing locked out.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::trust_support::{World, assert_sound, count, heavy_turn, write_exchange};

/// A failed run, as something to print.
fn failure(args: &[String], out: &std::process::Output) -> Option<String> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    (!out.status.success() || stderr.contains("locked"))
        .then(|| format!("rep {args:?}: {:?} {stderr}", out.status))
}

#[test]
fn trust_load_four_writers_lose_nothing() {
    let _turn = heavy_turn();
    let world = World::new();
    let seed = world.ok(&["add", "tool", "shared entry", "-d", "shared", "-q"]);
    let seed = seed.trim().to_owned();
    let problem = world.ok(&["add", "problem", "shared problem", "-d", "shared", "-q"]);
    let problem = problem.trim().to_owned();
    let started = Instant::now();
    let failures: Vec<String> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|worker| {
                let (world, seed, problem) = (&world, &seed, &problem);
                s.spawn(move || {
                    let mut failures = Vec::new();
                    for i in 0..250 {
                        let mut runs = vec![vec![
                            "add".to_owned(),
                            "tool".to_owned(),
                            format!("worker {worker} entry {i}"),
                            "-d".to_owned(),
                            "load".to_owned(),
                            "-t".to_owned(),
                            format!("w{worker}"),
                            "-q".to_owned(),
                        ]];
                        match i % 25 {
                            5 => runs.push(vec![
                                "edit".into(),
                                seed.clone(),
                                "-t".into(),
                                format!("w{worker}-{i}"),
                                "-q".into(),
                            ]),
                            10 => runs.push(vec!["search".into(), "worker entry".into()]),
                            15 => runs.push(vec!["export".into(), "-".into()]),
                            20 => runs.push(vec!["list".into(), "-d".into(), "load".into()]),
                            0 => runs.push(vec![
                                "answer".into(),
                                problem.clone(),
                                "-m".into(),
                                format!("answer {worker}-{i}"),
                                "-q".into(),
                            ]),
                            12 => runs.push(vec![
                                "seen".into(),
                                problem.clone(),
                                "-m".into(),
                                format!("seen {worker}-{i}"),
                                "-q".into(),
                            ]),
                            _ => {}
                        }
                        for args in runs {
                            let out = world.cmd().args(&args).output().expect("rep runs");
                            failures.extend(failure(&args, &out));
                        }
                    }
                    failures
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("worker thread"))
            .collect()
    });
    let elapsed = started.elapsed();
    assert!(
        failures.is_empty(),
        "{} failures: {failures:#?}",
        failures.len()
    );
    let db = world.db();
    assert_eq!(
        count(&db, "SELECT count(*) FROM entries WHERE domain = 'load'"),
        1000
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(DISTINCT title) FROM entries WHERE domain = 'load'"
        ),
        1000
    );
    // Every edit of the shared entry landed: 4 workers x 10 tags each, plus none lost.
    assert_eq!(
        count(&db, "SELECT count(*) FROM entry_tags WHERE tag GLOB 'w?-*'"),
        40
    );
    // Every answer and occurrence of the shared problem landed: 4 workers x 10 each.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM replies WHERE body GLOB 'answer *'"
        ),
        40
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM occurrences WHERE note GLOB 'seen *'"
        ),
        40
    );
    assert_sound(&db);
    eprintln!("load: 1000 adds and 240 other commands from 4 processes in {elapsed:?}");
}

/// Writers queue behind an import for at most the busy timeout (120 s), and the import is sized to
/// hold the write lock for a few seconds even in a debug build on a busy CI machine.
const IMPORTED: u32 = 20_000;

#[test]
fn trust_load_long_import_does_not_lock_out_others() {
    let _turn = heavy_turn();
    let world = World::new();
    world.ok(&["add", "tool", "before the import", "-q"]);
    let file = world.path("big.jsonl");
    write_exchange(&file, 7, IMPORTED);
    let started = Instant::now();
    let mut import = world
        .cmd()
        .args(["import", "big.jsonl", "-q"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("import starts");
    let done = AtomicBool::new(false);
    let (failures, others) = std::thread::scope(|s| {
        let workers: Vec<_> = (0..2)
            .map(|worker| {
                let (world, done) = (&world, &done);
                s.spawn(move || {
                    let mut failures = Vec::new();
                    let mut runs = 0;
                    let mut i = 0;
                    while !done.load(Ordering::Relaxed) || i < 5 {
                        let args: Vec<String> = match i % 3 {
                            0 => vec![
                                "add".into(),
                                "story".into(),
                                format!("during import {worker} {i}"),
                                "-q".into(),
                            ],
                            1 => vec!["search".into(), "record".into(), "-n".into(), "5".into()],
                            _ => vec!["list".into(), "-n".into(), "5".into()],
                        };
                        let out = world.cmd().args(&args).output().expect("rep runs");
                        failures.extend(failure(&args, &out));
                        runs += 1;
                        i += 1;
                    }
                    (failures, runs)
                })
            })
            .collect();
        let status = import.wait().expect("import finishes");
        done.store(true, Ordering::Relaxed);
        let mut failures = Vec::new();
        if !status.success() {
            let mut stderr = String::new();
            std::io::Read::read_to_string(import.stderr.as_mut().expect("piped"), &mut stderr)
                .expect("read stderr");
            failures.push(format!("import: {status:?} {stderr}"));
        }
        let mut others = 0;
        for w in workers {
            let (f, n) = w.join().expect("worker thread");
            failures.extend(f);
            others += n;
        }
        (failures, others)
    });
    let elapsed = started.elapsed();
    assert!(
        failures.is_empty(),
        "{} failures: {failures:#?}",
        failures.len()
    );
    let db = world.db();
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM entries WHERE domain = 'bulk/import'"
        ),
        i64::from(IMPORTED)
    );
    assert_sound(&db);
    eprintln!(
        "load: import of {IMPORTED} records alongside {others} other commands in {elapsed:?}"
    );
}
