//! `rep doctor`: exit 0 when healthy, 1 when a check fails; `--repair` rebuilds the index.

use crate::trust_support::{World, open, terminal_hazards};

fn world_with_entries() -> World {
    let world = World::new();
    for title in [
        "vacuum full locks",
        "replication lag",
        "\u{1b}[31mred title",
    ] {
        world.ok(&["add", "tool", title, "-t", "x", "-q"]);
    }
    world
}

fn report(world: &World) -> (i32, serde_json::Value) {
    let out = world.run(&["doctor", "--json"]);
    let json = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    (out.status.code().expect("exit code"), json)
}

fn failed_checks(json: &serde_json::Value) -> Vec<String> {
    json["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["name"].as_str().expect("name").to_owned())
        .collect()
}

#[test]
fn doctor_a_healthy_database_passes_every_check() {
    let world = world_with_entries();
    let (code, json) = report(&world);
    assert_eq!(code, 0);
    assert_eq!(json["healthy"], true);
    let names: Vec<_> = json["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| c["name"].as_str().expect("name").to_owned())
        .collect();
    assert_eq!(names, ["integrity", "fts", "orphans", "schema", "clock"]);
    let out = world.run(&["doctor"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("integrity") && text.contains("ok"), "{text}");
}

#[test]
fn doctor_finds_a_broken_index_and_repair_rebuilds_it() {
    let world = world_with_entries();
    // Change a title behind the index's back: without its trigger, the index keeps the old words.
    let conn = open(&world.db());
    let trigger: String = conn
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'entries_fts_update'",
            [],
            |r| r.get(0),
        )
        .expect("the index trigger");
    conn.execute_batch(&format!(
        "DROP TRIGGER entries_fts_update;
         UPDATE entries SET title = 'vacuum full locks, renamed' WHERE seq = 1;
         {trigger};"
    ))
    .expect("damage the index");
    drop(conn);
    let (code, json) = report(&world);
    assert_eq!(code, 1);
    assert_eq!(json["healthy"], false);
    assert_eq!(failed_checks(&json), ["fts"]);
    let out = world.run(&["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("FAILED"), "{stdout}");
    assert!(stderr.contains("--repair"), "{stderr}");
    assert!(terminal_hazards(&out.stdout).is_empty() && terminal_hazards(&out.stderr).is_empty());
    let out = world.run(&["doctor", "--repair"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(report(&world).0, 0);
    let hits = world.ok(&["search", "vacuum", "--json"]);
    assert!(hits.contains("vacuum full locks"), "{hits}");
}

#[test]
fn doctor_reports_orphans_and_a_clock_far_ahead() {
    let world = world_with_entries();
    open(&world.db())
        .execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO revisions VALUES (4242, 'title', 'gone', '1795000000000.000000.0000000000000000000000000000beef', 'ana');",
        )
        .expect("add an orphan");
    let (code, json) = report(&world);
    assert_eq!(code, 1);
    let failed = failed_checks(&json);
    assert!(failed.contains(&"orphans".to_owned()), "{json}");

    let world = world_with_entries();
    open(&world.db())
        .execute(
            "UPDATE meta SET value = ?1 WHERE key = 'clock'",
            ["9999999999999.000000.0000000000000000000000000000beef"],
        )
        .expect("move the clock");
    let (code, json) = report(&world);
    assert_eq!(code, 1);
    assert_eq!(failed_checks(&json), ["clock"]);
}
