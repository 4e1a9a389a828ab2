//! A PostgreSQL remote under pressure, on a real server: twenty members syncing at the same
//! instant, `rep sync` killed (SIGKILL) at random moments, and the server stopped and started
//! in the middle of a sync. Whatever happens, the local repertoire stays sound, the server holds
//! nothing half-written, the next sync completes, and everyone converges.

use std::process::Child;
use std::time::{Duration, Instant};

use crate::pg_support::{self, Cluster, Database, Options};
use crate::postgres_team::{Member, Remote, lines_with, stderr};
use crate::trust_support::{Random, assert_sound, heavy_turn, write_exchange};

/// A member who has never synced pulls everything: what the server holds, as a repertoire.
fn server_state(root: &std::path::Path, db: &Database<'_>, name: &str) -> Vec<u8> {
    let fresh = Member::joined(root, name, &Remote::postgres(db, "?sslmode=disable"));
    fresh.sync();
    fresh.export()
}

fn finish(child: Child) -> std::process::Output {
    child.wait_with_output().expect("rep sync ends")
}

#[test]
fn postgres_twenty_members_syncing_at_the_same_instant_all_get_through() {
    const MEMBERS: usize = 20;
    let Some(cluster) = pg_support::shared() else {
        return;
    };
    let _turn = heavy_turn();
    let root = tempfile::tempdir().unwrap();
    let db = cluster.database("twenty");
    let remote = Remote::postgres(&db, "?sslmode=disable");
    let admin = Member::joined(root.path(), "admin", &remote);
    admin.ok(&["remote", "init"]);
    let shared = admin.add("everyone edits this");
    admin.sync();
    let members: Vec<Member> = (0..MEMBERS)
        .map(|i| {
            let m = Member::joined(root.path(), &format!("m{i:02}"), &remote);
            m.sync();
            m.add(&format!("from {}", m.name));
            // The same record edited by all twenty at once: the server serialises them.
            m.ok(&[
                "edit",
                &shared,
                "-t",
                &format!("by-{i:02}"),
                "-m",
                &format!("body by {i:02}"),
            ]);
            m
        })
        .collect();
    let barrier = std::sync::Barrier::new(MEMBERS);
    let started = Instant::now();
    let outputs: Vec<std::process::Output> = std::thread::scope(|s| {
        let handles: Vec<_> = members
            .iter()
            .map(|m| {
                let barrier = &barrier;
                s.spawn(move || {
                    barrier.wait();
                    finish(m.spawn_sync())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let took = started.elapsed();
    let mut attempts = Vec::new();
    for (m, out) in members.iter().zip(&outputs) {
        assert!(out.status.success(), "{}: {}", m.name, stderr(out));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["sent"], 2, "{}: {report}", m.name);
        attempts.push(report["attempts"].as_u64().unwrap());
    }
    assert!(attempts.iter().all(|a| *a == 1), "retried: {attempts:?}");
    for m in &members {
        m.sync();
    }
    let exports: Vec<Vec<u8>> = members.iter().map(Member::export).collect();
    for (m, export) in members.iter().zip(&exports) {
        assert!(
            export == &exports[0],
            "{} ends unlike {}",
            m.name,
            members[0].name
        );
        assert_eq!(lines_with(export, &format!("\"from {}\"", m.name)), 1);
    }
    assert_eq!(server_state(root.path(), &db, "newcomer"), exports[0]);
    // Every tag stays (tags join as a set); one body wins, the others are kept in history.
    let shown = members[0].json(&["show", &shared]);
    let tags = shown["tags"].as_array().unwrap();
    assert_eq!(tags.len(), MEMBERS, "{shown}");
    let history = members[0].json(&["history", &shared]);
    let bodies = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["field"] == "body")
        .count();
    assert!(bodies >= MEMBERS, "{bodies} bodies in history: {history}");
    eprintln!("{MEMBERS} members at once through PostgreSQL: all through in {took:?}");
}

/// How long one sync that sends `records` new records and receives as many takes here.
fn time_a_sync(sender: &Member, receiver: &Member, seed: u32, records: u32) -> Duration {
    import_fresh(sender, seed, records);
    sender.sync();
    import_fresh(receiver, seed + 1, records);
    let started = Instant::now();
    receiver.sync();
    started.elapsed()
}

/// `records` new records in `member`'s repertoire, through the real import.
fn import_fresh(member: &Member, seed: u32, records: u32) {
    let file = member.dir.join(format!("fresh-{seed}.jsonl"));
    write_exchange(&file, seed, records);
    member.ok(&["import", file.to_str().unwrap(), "-q"]);
}

#[test]
fn postgres_killed_syncs_leave_the_server_and_the_repertoire_consistent() {
    const KILLS: u32 = 20;
    const RECORDS: u32 = 300;
    let Some(cluster) = pg_support::shared() else {
        return;
    };
    let _turn = heavy_turn();
    let root = tempfile::tempdir().unwrap();
    let db = cluster.database("killed");
    let remote = Remote::postgres(&db, "?sslmode=disable");
    let ana = Member::joined(root.path(), "ana", &remote);
    ana.ok(&["remote", "init"]);
    let bob = Member::joined(root.path(), "bob", &remote);
    // Kills land over the whole of a sync and a little after it.
    let window = time_a_sync(&bob, &ana, 1, RECORDS);
    let window_ms = (window.as_millis() as u64 * 5 / 4).max(20);
    let mut random = Random::from_clock();
    let mut caught = 0;
    for kill in 0..KILLS {
        // Work on both sides, so the killed sync has records to send and to receive.
        import_fresh(&bob, 100 + kill * 2, RECORDS);
        bob.sync();
        import_fresh(&ana, 101 + kill * 2, RECORDS);
        let mut child = ana.spawn_sync();
        let delay = random.below(window_ms);
        std::thread::sleep(Duration::from_millis(delay));
        let finished = child.try_wait().unwrap().is_some();
        let _ = child.kill();
        let _ = child.wait();
        if !finished {
            caught += 1;
        }
        assert_sound(&ana.db());
        // The next sync completes, and ana holds everything both have written.
        let report = ana.sync();
        assert_eq!(
            report["attempts"], 1,
            "kill {kill} after {delay} ms: {report}"
        );
        bob.sync();
        assert_eq!(ana.export(), bob.export(), "kill {kill} after {delay} ms");
    }
    assert!(
        caught >= KILLS / 2,
        "only {caught} of {KILLS} kills caught a sync running"
    );
    // The server holds exactly what the two hold: nothing half-written, nothing lost.
    let export = ana.export();
    assert_eq!(server_state(root.path(), &db, "newcomer"), export);
    let written = 2 * (KILLS + 1) * RECORDS;
    assert_eq!(lines_with(&export, "\"type\":\"entry\"") as u32, written);
    assert_eq!(db.count("records") as u32, written);
}

#[test]
fn postgres_a_server_restarted_during_a_sync_is_retried_once_and_nothing_is_half_joined() {
    if !pg_support::available() {
        return;
    }
    let _turn = heavy_turn();
    let cluster = Cluster::start(Options::default());
    let root = tempfile::tempdir().unwrap();
    let db = cluster.database("restart");
    let remote = Remote::postgres(&db, "?sslmode=disable");
    let ana = Member::joined(root.path(), "ana", &remote);
    ana.ok(&["remote", "init"]);
    let bob = Member::joined(root.path(), "bob", &remote);
    const RECORDS: u32 = 2000;
    let window = time_a_sync(&bob, &ana, 1, RECORDS);
    let mut random = Random::from_clock();
    let mut retried = 0;
    for round in 0..3u32 {
        import_fresh(&bob, 10 + round * 2, RECORDS);
        bob.sync();
        import_fresh(&ana, 11 + round * 2, RECORDS);
        let child = ana.spawn_sync();
        // Stop the server once ana's sync is connected, at a random moment of its work.
        let connected = format!(
            "SELECT count(*) FROM pg_stat_activity WHERE usename = '{}'",
            db.owner
        );
        assert!(
            pg_support::wait_for(Duration::from_secs(30), || db.psql(&connected).trim()
                != "0"),
            "ana's sync never connected"
        );
        std::thread::sleep(Duration::from_millis(
            random.below(window.as_millis() as u64 / 2),
        ));
        cluster.stop();
        std::thread::sleep(Duration::from_millis(500));
        cluster.start_again();
        let out = finish(child);
        // Either the sync was done before the stop, or it saw the server go and tried again
        // once it was back; it never fails when the server returns in time.
        assert!(out.status.success(), "round {round}: {}", stderr(&out));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        if report["attempts"] == 2 {
            retried += 1;
        }
        assert_sound(&ana.db());
        bob.sync();
        ana.sync();
        assert_eq!(ana.export(), bob.export(), "round {round}");
    }
    eprintln!("restarts: {retried} of 3 caught a sync running");
    // A server that stays down: the sync tries once more, then fails cleanly.
    import_fresh(&ana, 99, 10);
    let before = ana.export();
    cluster.stop();
    let started = Instant::now();
    let out = ana.run(&["sync"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(69), "{err}");
    assert!(err.contains("\nhint: "), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(ana.export(), before);
    cluster.start_again();
    ana.sync();
    bob.sync();
    assert_eq!(ana.export(), bob.export());
    assert_eq!(server_state(root.path(), &db, "newcomer"), ana.export());
}
