//! `rep sync` that recovers by itself: writes racing a sync, kills of the whole process group,
//! two syncs of one database, twenty members at the same instant, a server that refuses the
//! push, and a clone as private as the database. Real processes, a bare remote in a temp dir.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::trust_support::{KillWindow, Random, World, heavy_turn};

/// git is a prerequisite of these tests: a machine without it fails them under CI and skips
/// them, saying so, elsewhere.
fn have_git() -> bool {
    let found = Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "git is missing: the sync tests need it"
        );
        eprintln!("skip: git is not installed, the sync recovery tests did not run");
    }
    found
}

fn git(args: &[&str]) -> Output {
    Command::new("git")
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs")
}

/// A bare remote in the world's folder.
fn bare_remote(world: &World, name: &str) -> PathBuf {
    let remote = world.path(name);
    let out = git(&["init", "-q", "--bare", remote.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    remote
}

/// The exchange file on the remote's branch, as every teammate would fetch it.
fn remote_file(remote: &Path) -> Vec<u8> {
    let out = git(&[
        "--git-dir",
        remote.to_str().unwrap(),
        "show",
        "main:repertoire.jsonl",
    ]);
    assert!(out.status.success(), "the remote has no file: {out:?}");
    out.stdout
}

/// A member: a database of its own in the world's folder, syncing with `remote`.
fn member(world: &World, name: &str, remote: &Path) -> PathBuf {
    let db = world.path(&format!("{name}.db"));
    ok(world
        .cmd_on(&db)
        .args(["remote", "set", remote.to_str().unwrap(), "-q"]));
    db
}

fn ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("rep runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed ({:?}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn spawn_sync(world: &World, db: &Path) -> Child {
    world
        .cmd_on(db)
        .args(["sync", "-q"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sync starts")
}

fn finish(child: Child) -> Output {
    child.wait_with_output().expect("reap rep sync")
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// How long one sync that has a change to push takes here.
fn time_a_sync(world: &World, db: &Path, title: &str) -> Duration {
    ok(world.cmd_on(db).args(["add", "tool", title, "-q"]));
    let started = Instant::now();
    ok(world.cmd_on(db).args(["sync", "-q"]));
    started.elapsed()
}

const RACES: u32 = 50;
/// Worlds racing side by side, to keep the wall time down on two cores.
const RACE_LANES: u32 = 2;

#[test]
fn sync_recovery_a_write_during_a_sync_always_reaches_the_remote() {
    if !have_git() {
        return;
    }
    let _turn = heavy_turn();
    let lanes: Vec<_> = (0..RACE_LANES)
        .map(|lane| std::thread::spawn(move || race_lane(lane, RACES / RACE_LANES)))
        .collect();
    let lost: u32 = lanes.into_iter().map(|l| l.join().unwrap()).sum();
    assert_eq!(
        lost, 0,
        "{lost} of {RACES} writes made during a sync never reached the remote"
    );
}

/// `rep sync & sleep T; rep add tool x; wait; rep sync`, `races` times with T spread over a
/// sync's duration; returns how many x never reached the remote.
fn race_lane(lane: u32, races: u32) -> u32 {
    let world = World::new();
    let mut random = Random::from_clock();
    let remote = bare_remote(&world, "remote.git");
    let db = member(&world, "ana", &remote);
    let one = time_a_sync(&world, &db, "warm-up").as_micros() as u64;
    let mut lost = 0;
    for race in 0..races {
        // Something for the background sync to export and push, so it runs to the end.
        ok(world
            .cmd_on(&db)
            .args(["add", "tool", &format!("before {lane}-{race}"), "-q"]));
        let sync = spawn_sync(&world, &db);
        std::thread::sleep(Duration::from_micros(random.below(one)));
        let title = format!("raced write {lane}-{race}");
        ok(world.cmd_on(&db).args(["add", "tool", &title, "-q"]));
        let out = finish(sync);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        ok(world.cmd_on(&db).args(["sync", "-q"]));
        if !contains(&remote_file(&remote), &format!("\"{title}\"")) {
            lost += 1;
        }
    }
    lost
}

const KILLS: u32 = 20;

/// Kill `rep sync` and every git process it started, as a terminal's Ctrl-\ or an OOM kill of
/// the session would.
fn kill_group(child: &Child) {
    // It may have ended on its own just before: then there is no group left, and kill fails.
    Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stderr(Stdio::null())
        .status()
        .expect("kill runs");
}

#[test]
fn sync_recovery_killed_syncs_leave_nothing_that_stops_the_next() {
    use std::os::unix::process::CommandExt as _;
    if !have_git() {
        return;
    }
    let _turn = heavy_turn();
    let world = World::new();
    let mut random = Random::from_clock();
    let remote = bare_remote(&world, "remote.git");
    let db = member(&world, "ana", &remote);
    let one = time_a_sync(&world, &db, "warm-up");
    let mut window = KillWindow::new(one, 100);
    let clone = world.path("ana.db.sync");
    let (mut killed, mut finished, mut server_locks) = (0, 0, 0);
    let mut round = 0;
    while killed < KILLS {
        round += 1;
        assert!(round <= 4 * KILLS, "syncs keep finishing before the kill");
        ok(world
            .cmd_on(&db)
            .args(["add", "tool", &format!("entry {round}"), "-q"]));
        let mut sync = world
            .cmd_on(&db)
            .args(["sync", "-q"])
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sync starts");
        std::thread::sleep(window.delay(&mut random));
        let running = sync.try_wait().expect("poll").is_none();
        if running {
            kill_group(&sync);
            killed += 1;
        } else {
            finished += 1;
        }
        window.record(running);
        sync.wait().expect("reap the sync");
        // A kill inside the server's own update (here receive-pack, a child of the push)
        // leaves the lock of the remote's ref: that is the server's to clear, not rep's.
        let ref_lock = remote.join("refs/heads/main.lock");
        if ref_lock.exists() {
            std::fs::remove_file(&ref_lock).unwrap();
            server_locks += 1;
        }
        let out = world.cmd_on(&db).args(["sync", "-q"]).output().unwrap();
        assert!(
            out.status.success(),
            "round {round}: the sync after a kill failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            remote_file(&remote),
            world.export_of(&db),
            "round {round}: the remote holds everything"
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(&clone)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".rep-") || n.starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    eprintln!(
        "sync kills: {killed} killed, {finished} finished first, {server_locks} remote ref locks cleared (the first sync took {one:?})"
    );
}

#[test]
fn sync_recovery_two_syncs_of_one_database_take_turns() {
    if !have_git() {
        return;
    }
    let world = World::new();
    let remote = bare_remote(&world, "remote.git");
    let db = member(&world, "ana", &remote);
    for round in 0..5 {
        ok(world
            .cmd_on(&db)
            .args(["add", "tool", &format!("entry {round}"), "-q"]));
        let (a, b) = (spawn_sync(&world, &db), spawn_sync(&world, &db));
        for out in [finish(a), finish(b)] {
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    assert_eq!(remote_file(&remote), world.export_of(&db));
}

#[test]
fn sync_recovery_a_sync_that_waits_in_vain_names_the_holder() {
    if !have_git() {
        return;
    }
    let world = World::new();
    let remote = bare_remote(&world, "remote.git");
    let db = member(&world, "ana", &remote);
    ok(world.cmd_on(&db).args(["add", "tool", "x", "-q"]));
    let path = world.path("ana.db.sync.lock");
    let held = std::fs::File::create(&path).unwrap();
    fs4::FileExt::try_lock(&held).unwrap();
    std::fs::write(&path, "rep sync, pid 4242, since 2026-11-27T09:00:00Z").unwrap();
    let started = Instant::now();
    let out = world
        .cmd_on(&db)
        .env("REP_SYNC_WAIT", "1")
        .args(["sync"])
        .output()
        .unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "it waited");
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("another `rep sync` of this database is still running after 1 s")
            && stderr.contains("pid 4242"),
        "{stderr}"
    );
    drop(held);
    ok(world.cmd_on(&db).args(["sync", "-q"]));
}

const MEMBERS: usize = 20;

#[test]
fn sync_recovery_twenty_members_syncing_at_once_all_get_through() {
    if !have_git() {
        return;
    }
    let _turn = heavy_turn();
    let world = World::new();
    let remote = bare_remote(&world, "remote.git");
    let names: Vec<String> = (0..MEMBERS).map(|i| format!("m{i:02}")).collect();
    let dbs: Vec<PathBuf> = names.iter().map(|n| member(&world, n, &remote)).collect();
    for (db, name) in dbs.iter().zip(&names) {
        ok(world.cmd_on(db).env("REP_USER", name).args([
            "add",
            "tool",
            &format!("from {name}"),
            "-q",
        ]));
    }
    let started = Instant::now();
    let syncs: Vec<Child> = dbs
        .iter()
        .zip(&names)
        .map(|(db, name)| {
            world
                .cmd_on(db)
                .env("REP_USER", name)
                .args(["--json", "sync"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("sync starts")
        })
        .collect();
    let mut attempts = Vec::new();
    for (name, sync) in names.iter().zip(syncs) {
        let out = finish(sync);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        attempts.push(report["attempts"].as_u64().unwrap());
    }
    let took = started.elapsed();
    for (db, name) in dbs.iter().zip(&names) {
        ok(world.cmd_on(db).env("REP_USER", name).args(["sync", "-q"]));
    }
    let first = world.export_of(&dbs[0]);
    for (db, name) in dbs.iter().zip(&names) {
        assert_eq!(world.export_of(db), first, "{name} ends like m00");
        assert!(contains(&first, &format!("\"from {name}\"")));
    }
    assert_eq!(remote_file(&remote), first);
    eprintln!(
        "{MEMBERS} members at once: all through in {took:?}, attempts {:?}",
        attempts
    );
}

#[test]
fn sync_recovery_a_refused_push_says_why_and_is_not_retried() {
    if !have_git() {
        return;
    }
    let world = World::new();
    let remote = bare_remote(&world, "remote.git");
    let counter = world.path("hook-runs");
    let hook = remote.join("hooks/pre-receive");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\necho run >> '{}'\nprintf 'protected branch: main needs a review\\033[31m\\n' >&2\nexit 1\n",
            counter.display()
        ),
    )
    .unwrap();
    let executable = std::os::unix::fs::PermissionsExt::from_mode(0o755);
    std::fs::set_permissions(&hook, executable).unwrap();
    let db = member(&world, "ana", &remote);
    ok(world.cmd_on(&db).args(["add", "tool", "x", "-q"]));
    let before = world.export_of(&db);
    let out = world.cmd_on(&db).args(["sync"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("the remote refused the push")
            && stderr.contains("pre-receive hook declined")
            && stderr.contains("protected branch: main needs a review"),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\u{1b}'),
        "foreign text is sanitised: {stderr:?}"
    );
    assert!(!stderr.contains("kept moving"), "{stderr}");
    let runs = std::fs::read_to_string(&counter).unwrap();
    assert_eq!(runs.lines().count(), 1, "a refusal is not retried");
    assert_eq!(world.export_of(&db), before, "the database is unchanged");
}

/// Files and folders in `dir` that someone other than the owner could read or enter.
fn open_to_others(dir: &Path) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let mut open = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(path) = todo.pop() {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.permissions().mode() & 0o077 != 0 {
            open.push(format!(
                "{:o} {}",
                meta.permissions().mode() & 0o777,
                path.display()
            ));
        }
        if meta.is_dir() {
            todo.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        }
    }
    open
}

#[test]
fn sync_recovery_the_clone_is_as_private_as_the_database() {
    use std::os::unix::fs::PermissionsExt;
    if !have_git() {
        return;
    }
    let world = World::new();
    let remote = bare_remote(&world, "remote.git");
    let db = member(&world, "ana", &remote);
    let clone = world.path("ana.db.sync");
    ok(world.cmd_on(&db).args(["add", "tool", "x", "-q"]));
    ok(world.cmd_on(&db).args(["sync", "-q"]));
    // Files git makes only later: FETCH_HEAD, new objects, logs, the next commit's message.
    ok(world.cmd_on(&db).args(["add", "tool", "y", "-q"]));
    ok(world.cmd_on(&db).args(["sync", "-q"]));
    assert_eq!(open_to_others(&clone), Vec::<String>::new());
    let lock = std::fs::metadata(world.path("ana.db.sync.lock")).unwrap();
    assert_eq!(lock.permissions().mode() & 0o777, 0o600);
    // A clone left world-readable by an older rep is closed on the next sync.
    std::fs::set_permissions(&clone, std::fs::Permissions::from_mode(0o755)).unwrap();
    ok(world.cmd_on(&db).args(["sync", "-q"]));
    let mode = std::fs::metadata(&clone).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
}

#[test]
fn sync_recovery_a_broken_or_moved_clone_is_rebuilt_from_the_remote() {
    if !have_git() {
        return;
    }
    let world = World::new();
    let remote = bare_remote(&world, "remote.git");
    let db = member(&world, "ana", &remote);
    let git_dir = world.path("ana.db.sync/.git");
    let damages: [(&str, &dyn Fn()); 3] = [
        ("a damaged index", &|| {
            std::fs::write(git_dir.join("index"), b"not an index").unwrap()
        }),
        ("no HEAD", &|| {
            std::fs::remove_file(git_dir.join("HEAD")).unwrap()
        }),
        ("an empty .git", &|| {
            std::fs::remove_dir_all(&git_dir).unwrap();
            std::fs::create_dir(&git_dir).unwrap();
        }),
    ];
    for (n, (damage, apply)) in damages.iter().enumerate() {
        ok(world
            .cmd_on(&db)
            .args(["add", "tool", &format!("entry {n}"), "-q"]));
        ok(world.cmd_on(&db).args(["sync", "-q"]));
        apply();
        ok(world
            .cmd_on(&db)
            .args(["add", "tool", &format!("after {damage}"), "-q"]));
        let out = world.cmd_on(&db).args(["sync", "-q"]).output().unwrap();
        assert!(
            out.status.success(),
            "after {damage}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(remote_file(&remote), world.export_of(&db), "after {damage}");
    }
    // What an older rep left when it was killed while writing the file.
    let old_temporary = world.path("ana.db.sync/.tmpAbC123");
    std::fs::write(&old_temporary, b"half a repertoire").unwrap();
    ok(world.cmd_on(&db).args(["sync", "-q"]));
    assert!(!old_temporary.exists());
    // A new remote: the same clone follows it.
    let moved = bare_remote(&world, "moved.git");
    ok(world
        .cmd_on(&db)
        .args(["remote", "set", moved.to_str().unwrap(), "-q"]));
    ok(world.cmd_on(&db).args(["sync", "-q"]));
    assert_eq!(remote_file(&moved), world.export_of(&db));
}
