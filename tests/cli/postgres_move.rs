//! Moving a team from git to PostgreSQL (docs/sync.md, "Moving from git"): each member points
//! their repertoire at the server and syncs; every member's state reaches the server, work
//! that never reached git included, nothing is lost, and the git remote's file stays a valid
//! exchange file, usable as a backup export.

use crate::pg_support;
use crate::postgres_team::{Member, Remote, lines_with};
use crate::support::{runs, tool_available};

#[test]
fn postgres_a_team_moves_from_git_and_nothing_is_lost() {
    let Some(cluster) = pg_support::shared() else {
        return;
    };
    if !tool_available("git", runs("git", &["--version"])) {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let git = Remote::git(root.path());
    let mut team: Vec<Member> = ["ana", "bob", "cy"]
        .iter()
        .map(|n| Member::joined(root.path(), n, &git))
        .collect();
    // Months of work through git.
    let shared = team[0].add("shared through git");
    let question = team[0]
        .ok(&["add", "question", "how do we rotate the certs?", "-q"])
        .trim()
        .to_owned();
    for m in &team {
        m.ok(&["sync", "-q"]);
    }
    team[1].ok(&["answer", &question, "-m", "with the rotate script", "-q"]);
    team[2].ok(&["edit", &shared, "-t", "cy-tag", "-q"]);
    for m in &team {
        m.ok(&["sync", "-q"]);
    }
    let git_file = root.path().join("remote-file.jsonl");
    let show = std::process::Command::new("git")
        .arg("-C")
        .arg(root.path().join("remote.git"))
        .args(["show", "main:repertoire.jsonl"])
        .output()
        .unwrap();
    assert!(show.status.success());
    std::fs::write(&git_file, &show.stdout).unwrap();
    // Work that never reached git: the move must carry it too.
    team[0].ok(&[
        "edit",
        &shared,
        "-m",
        "ana's last edit before the move",
        "-q",
    ]);
    let bobs = team[1].add("bob's entry, never pushed to git");
    team[2].ok(&["rm", &question, "-q"]);

    // The move: the server's admin creates the database, one member creates rep's tables,
    // everyone sets the new remote and syncs.
    let db = cluster.database("moved");
    let pg = Remote::postgres(&db, "?sslmode=disable");
    for m in &mut team {
        m.join(&pg);
    }
    team[0].ok(&["remote", "init"]);
    for m in &team {
        m.ok(&["sync", "-q"]);
    }
    for m in &team {
        m.ok(&["sync", "-q"]);
    }
    let exports: Vec<Vec<u8>> = team.iter().map(Member::export).collect();
    assert_eq!(exports[0], exports[1]);
    assert_eq!(exports[1], exports[2]);
    let moved = &exports[0];
    assert_eq!(lines_with(moved, "ana's last edit before the move"), 1);
    assert_eq!(lines_with(moved, &format!("\"id\":\"{bobs}\"")), 1);
    assert_eq!(lines_with(moved, "cy-tag"), 1);
    assert_eq!(lines_with(moved, "with the rotate script"), 1);
    assert_eq!(
        team[0].json(&["show", &question])["deleted"],
        true,
        "cy's deletion reached everyone"
    );
    // A newcomer who only knows the server gets all of it.
    let newcomer = Member::joined(root.path(), "newcomer", &pg);
    newcomer.ok(&["sync", "-q"]);
    assert_eq!(&newcomer.export(), moved);
    // The git file is still a repertoire: it imports, and everything in it is in the server's
    // state (importing it into a member changes nothing).
    let archive = Member::new(root.path(), "archive");
    archive.ok(&["import", git_file.to_str().unwrap(), "-q"]);
    assert_eq!(lines_with(&archive.export(), "shared through git"), 1);
    let again = team[0].json(&["import", git_file.to_str().unwrap()]);
    assert_eq!(again["added"], 0, "{again}");
    assert_eq!(again["updated"], 0, "{again}");
    assert_eq!(&team[0].export(), moved, "the git file adds nothing new");
    // And it can stay as a backup export: write the team's state there once more.
    let backup = root.path().join("backup.jsonl");
    team[0].ok(&["export", backup.to_str().unwrap(), "-q"]);
    assert_eq!(&std::fs::read(&backup).unwrap(), moved);
}
