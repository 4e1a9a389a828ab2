//! Random team histories played twice, once through a PostgreSQL database and once through a
//! bare git remote: every step goes the same way on both, every member ends byte-identical, and
//! the two teams end byte-identical to each other (the PostgreSQL remote joins by exactly the
//! rules the git remote does). Nothing any member wrote is lost.

use proptest::prelude::*;

use crate::pg_support;
use crate::postgres_team::{History, Member, Op, Outcome, Remote, clock, op, play};
use crate::support::{runs, tool_available};

/// Seeds of the set-up commands, apart from the steps' seeds.
const SETUP_SEED: u64 = 1_000_000;

fn team(root: &std::path::Path, remote: &Remote, members: usize) -> Vec<Member> {
    std::fs::create_dir_all(root).unwrap();
    (0..members)
        .map(|m| {
            let mut member = Member::new(root, &format!("m{m}"));
            member.seed = Some(SETUP_SEED + m as u64);
            member.join(remote);
            member.seed = None;
            member
        })
        .collect()
}

/// Step `i`'s outcome on both teams must agree (a sync's report may differ between engines:
/// only its exit code is compared).
fn same_outcome(op: &Op, on_pg: &Outcome, on_git: &Outcome, step: usize, args: &[String]) {
    if matches!(op, Op::Sync) {
        assert_eq!(
            on_pg.code,
            Some(0),
            "step {step}: sync through PostgreSQL failed"
        );
        assert_eq!(on_git.code, Some(0), "step {step}: sync through git failed");
    } else {
        assert_eq!(on_pg, on_git, "step {step}: rep {args:?} went differently");
    }
}

fn converge(
    members: usize,
    steps: &[(usize, Op, i64)],
    skew: &[i64],
    final_order: &[usize],
) -> Result<(), TestCaseError> {
    let Some(cluster) = pg_support::shared() else {
        return Ok(());
    };
    if !tool_available("git", runs("git", &["--version"])) {
        return Ok(());
    }
    let root = tempfile::tempdir().unwrap();
    let database = cluster.database("converge");
    let pg_remote = Remote::postgres(&database, "?sslmode=disable");
    let git_remote = Remote::git(root.path());
    let mut pg = team(&root.path().join("pg"), &pg_remote, members);
    let mut git = team(&root.path().join("git"), &git_remote, members);
    pg[0].ok(&["remote", "init"]);
    let mut history = History::new(members);
    // Two entries everyone knows, so that replies, links and edits come early.
    let mut k = 0u64;
    let mut setup = |who: usize,
                     args: &[&str],
                     pg: &mut Vec<Member>,
                     git: &mut Vec<Member>,
                     history: &mut History,
                     op: &Op| {
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        k += 1;
        let on_pg = play(
            &mut pg[who],
            &clock(0, 0, skew[who]),
            SETUP_SEED + 100 + k,
            &args,
        );
        let on_git = play(
            &mut git[who],
            &clock(0, 0, skew[who]),
            SETUP_SEED + 100 + k,
            &args,
        );
        same_outcome(op, &on_pg, &on_git, 0, &args);
        history.record(who, op, &on_pg);
    };
    for title in ["first entry", "second entry"] {
        let create = Op::Create { kind: 1, title: 0 };
        setup(
            0,
            &["add", "question", title, "-q"],
            &mut pg,
            &mut git,
            &mut history,
            &create,
        );
    }
    for who in (0..members).chain([0]) {
        setup(
            who,
            &["sync", "-q"],
            &mut pg,
            &mut git,
            &mut history,
            &Op::Sync,
        );
    }
    let (mut tried, mut played) = (0usize, 0usize);
    let mut refused = Vec::new();
    for (i, (m, op, tick)) in steps.iter().enumerate() {
        let m = m % members;
        let Some(args) = history.args(m, op) else {
            continue;
        };
        let now = clock(i, *tick, skew[m]);
        let seed = 10_000 + history.commands;
        let on_pg = play(&mut pg[m], &now, seed, &args);
        let on_git = play(&mut git[m], &now, seed, &args);
        same_outcome(op, &on_pg, &on_git, i, &args);
        // A step on an entry this member's copy has deleted is refused by design (and the
        // two teams must agree on that); it is not counted among the steps that should run.
        if !on_pg.on_deleted {
            tried += 1;
            if on_pg.code == Some(0) {
                played += 1;
            } else {
                refused.push(args.join(" "));
            }
        }
        if matches!(op, Op::Sync) {
            prop_assert_eq!(
                pg[m].export(),
                git[m].export(),
                "step {}: m{} differs after its sync",
                i,
                m
            );
        }
        history.record(m, op, &on_pg);
    }
    // Syncs in a random order, then two rounds of everyone, so that all have seen all.
    let rounds = (0..2).flat_map(|_| 0..members);
    for (k, m) in final_order
        .iter()
        .map(|m| m % members)
        .chain(rounds)
        .enumerate()
    {
        let now = clock(steps.len() + k, 0, skew[m]);
        let seed = 500_000 + k as u64;
        let sync = vec!["sync".to_owned(), "-q".to_owned()];
        let on_pg = play(&mut pg[m], &now, seed, &sync);
        let on_git = play(&mut git[m], &now, seed, &sync);
        same_outcome(&Op::Sync, &on_pg, &on_git, steps.len() + k, &sync);
    }
    let exports: Vec<Vec<u8>> = pg.iter().map(Member::export).collect();
    for (m, export) in exports.iter().enumerate() {
        prop_assert!(
            export == &exports[0],
            "m{} ends unlike m0 through PostgreSQL",
            m
        );
        prop_assert!(
            git[m].export() == exports[0],
            "m{} ends unlike the same team through git",
            m
        );
    }
    let text = String::from_utf8(exports[0].clone()).unwrap();
    for id in history.entries.iter().chain(&history.replies) {
        prop_assert!(
            text.contains(&format!("\"id\":\"{id}\"")),
            "{} was lost",
            id
        );
    }
    // A history of refused steps would prove little: most of what is tried must run.
    prop_assert!(
        played * 4 >= tried * 3,
        "only {} of {} steps ran; refused: {:?}",
        played,
        tried,
        refused
    );
    Ok(())
}

proptest! {
    // Each case runs a few hundred real processes on both teams: a few cases, shrunk briefly.
    #![proptest_config(ProptestConfig {
        cases: 4,
        max_shrink_iters: 24,
        ..ProptestConfig::default()
    })]
    #[test]
    fn postgres_random_histories_converge_byte_identical_and_as_through_git(
        members in 3usize..=5,
        steps in proptest::collection::vec((0usize..5, op(), 0i64..3), 12..40),
        skew in proptest::collection::vec(-5_000i64..5_000, 5),
        final_order in proptest::collection::vec(0usize..5, 3..8),
    ) {
        converge(members, &steps, &skew, &final_order)?;
    }
}
