//! Several `rep` processes writing one fresh database at once all succeed.

use std::process::{Command, Stdio};

use crate::support::{Repo, rep_bin};

#[test]
fn four_writers_on_one_fresh_database() {
    const WRITERS: usize = 4;
    const EACH: usize = 20;
    let repo = Repo::new();
    // Start every writer's first `rep add` together: the first opens of a new file collide most.
    let barrier = std::sync::Barrier::new(WRITERS);
    let results: Vec<Vec<String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (repo, barrier) = (&repo, &barrier);
                s.spawn(move || {
                    barrier.wait();
                    (0..EACH)
                        .map(|i| {
                            let out = Command::new(rep_bin())
                                .env_clear()
                                .env("REP_DB", repo.db())
                                .env("REP_CONFIG", repo.config())
                                .env("REP_USER", format!("writer{w}"))
                                .env("HOME", repo.home())
                                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                                .args(["add", "tool", &format!("writer {w} entry {i}"), "-q"])
                                .args(["-t", &format!("w{w}")])
                                .stdin(Stdio::null())
                                .output()
                                .unwrap();
                            assert!(
                                out.status.success(),
                                "writer {w} entry {i}: {}",
                                String::from_utf8_lossy(&out.stderr)
                            );
                            String::from_utf8(out.stdout).unwrap().trim().to_owned()
                        })
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut written: Vec<String> = results.into_iter().flatten().collect();
    written.sort();
    let mut listed = repo.list_ids(&["--limit", "0"]);
    listed.sort();
    assert_eq!(listed.len(), WRITERS * EACH);
    assert_eq!(listed, written);
    for w in 0..WRITERS {
        assert_eq!(
            repo.list_ids(&["-n", "0", "-a", &format!("writer{w}")])
                .len(),
            EACH
        );
        assert_eq!(
            repo.search_ids(&[&format!("w{w}"), "-n", "100"]).len(),
            EACH
        );
    }
}
