//! `rep backup`: a consistent, private copy taken while others write.

use std::os::unix::fs::PermissionsExt as _;

use crate::trust_support::{World, assert_sound, entries};

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).expect("stat").permissions().mode() & 0o777
}

#[test]
fn backup_new_databases_and_copies_are_owner_only() {
    let world = World::new();
    world.ok(&["add", "tool", "private", "-q"]);
    assert_eq!(mode(&world.db()), 0o600);
    world.ok(&["backup", "copy.db", "-q"]);
    assert_eq!(mode(&world.path("copy.db")), 0o600);
}

#[test]
fn backup_while_others_write_is_consistent() {
    let world = World::new();
    for i in 0..20 {
        world.ok(&["add", "tool", &format!("seed {i}"), "-q"]);
    }
    let copies: Vec<serde_json::Value> = std::thread::scope(|s| {
        let writers: Vec<_> = (0..2)
            .map(|w| {
                let world = &world;
                s.spawn(move || {
                    for i in 0..40 {
                        world.ok(&["add", "story", &format!("writer {w} {i}"), "-q"]);
                    }
                })
            })
            .collect();
        let copies = (0..5)
            .map(|n| {
                let out = world.ok(&["backup", &format!("copy-{n}.db"), "--json"]);
                serde_json::from_str(&out).expect("JSON")
            })
            .collect();
        for w in writers {
            w.join().expect("writer");
        }
        copies
    });
    let mut last = 0;
    for (n, copy) in copies.iter().enumerate() {
        assert_eq!(copy["integrity"], "ok");
        let path = world.path(&format!("copy-{n}.db"));
        let count = entries(&path);
        assert_eq!(copy["entries"].as_i64(), Some(count));
        assert!((20..=100).contains(&count) && count >= last, "{count}");
        last = count;
        assert_sound(&path);
        // A copy is a repertoire rep opens directly.
        let listed = world
            .cmd_on(&path)
            .args(["list", "--json", "-n", "1000"])
            .output()
            .expect("rep runs");
        assert!(listed.status.success());
    }
    assert_eq!(entries(&world.db()), 100);
}

#[test]
fn backup_refuses_to_overwrite_without_force() {
    let world = World::new();
    world.ok(&["add", "tool", "one", "-q"]);
    std::fs::write(world.path("taken.db"), b"precious").expect("write");
    let out = world.run(&["backup", "taken.db"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(
        std::fs::read(world.path("taken.db")).expect("read"),
        b"precious"
    );
    world.ok(&["backup", "taken.db", "--force", "-q"]);
    assert_eq!(entries(&world.path("taken.db")), 1);
    let out = world.run(&["backup", "rep.db", "--force"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "the database itself is never the target"
    );
    assert_eq!(entries(&world.db()), 1);
}
