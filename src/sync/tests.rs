use std::time::Duration;

use super::*;

fn local(imported: Option<&str>, published: Option<i64>, generation: i64) -> LocalState {
    LocalState {
        imported: imported.map(str::to_owned),
        published_generation: published.map(|g| g.to_string()),
        generation,
    }
}

#[test]
fn the_plan_of_an_attempt() {
    use Step::{Exchange, UpToDate};
    // (case, local state, remote version, unpushed commits, expected step)
    let cases = [
        (
            "first sync, empty remote",
            local(None, None, 0),
            None,
            false,
            Exchange { pull: false },
        ),
        (
            "first sync, remote holds a file",
            local(None, None, 3),
            Some("b1"),
            false,
            Exchange { pull: true },
        ),
        (
            "nothing new on either side",
            local(Some("b1"), Some(3), 3),
            Some("b1"),
            false,
            UpToDate,
        ),
        (
            "a run killed before its push",
            local(Some("b1"), Some(3), 3),
            Some("b1"),
            true,
            Exchange { pull: false },
        ),
        (
            "local writes since the last sync: push only",
            local(Some("b1"), Some(3), 5),
            Some("b1"),
            false,
            Exchange { pull: false },
        ),
        (
            "the remote moved: pull",
            local(Some("b1"), Some(3), 3),
            Some("b2"),
            false,
            Exchange { pull: true },
        ),
        (
            "both moved",
            local(Some("b1"), Some(3), 4),
            Some("b2"),
            false,
            Exchange { pull: true },
        ),
        (
            "the remote lost its branch: publish again",
            local(Some("b1"), Some(3), 3),
            None,
            false,
            Exchange { pull: false },
        ),
        (
            "never published here",
            local(Some("b1"), None, 3),
            Some("b1"),
            false,
            Exchange { pull: false },
        ),
    ];
    for (case, state, remote, unpushed, expected) in cases {
        let step = plan(&state, remote, || Ok(unpushed)).unwrap();
        assert_eq!(step, expected, "{case}");
    }
}

#[test]
fn the_engine_is_asked_about_unpushed_work_only_when_it_decides() {
    let asked = std::cell::Cell::new(false);
    let ask = || {
        asked.set(true);
        Ok(false)
    };
    plan(&local(Some("b1"), Some(3), 5), Some("b1"), ask).unwrap();
    assert!(!asked.get(), "local writes decide without asking");
    plan(&local(Some("b1"), Some(3), 3), Some("b1"), ask).unwrap();
    assert!(asked.get());
}

#[test]
fn what_follows_a_push() {
    let ms = Duration::from_millis;
    let raced = || Pushed::Raced("fetch first".into());
    assert_eq!(
        after_push(&Pushed::Done(PushReply::default()), 1, ms(0), ms(25)),
        Ok(Next::Done)
    );
    assert_eq!(
        after_push(&raced(), 1, ms(100), ms(25)),
        Ok(Next::Retry(ms(25)))
    );
    assert_eq!(
        after_push(&Pushed::Refused("hook".into()), 1, ms(0), ms(25)),
        Err(SyncError::Refused("hook".into()))
    );
    // The budget counts the pause to come: a retry that would end past it is not begun.
    let late = RETRY_BUDGET - ms(10);
    assert_eq!(
        after_push(&raced(), 7, late, ms(25)),
        Err(SyncError::KeptMoving {
            budget: RETRY_BUDGET,
            attempts: 7,
            reason: "fetch first".into()
        })
    );
    assert_eq!(
        after_push(&raced(), 7, late, ms(10)),
        Ok(Next::Retry(ms(10)))
    );
    // Done wins even past the budget: the push went through.
    assert_eq!(
        after_push(
            &Pushed::Done(PushReply::default()),
            9,
            RETRY_BUDGET * 2,
            ms(25)
        ),
        Ok(Next::Done)
    );
}

#[test]
fn sync_errors_read_as_before() {
    let e = SyncError::KeptMoving {
        budget: RETRY_BUDGET,
        attempts: 4,
        reason: "x".into(),
    };
    assert_eq!(
        e.to_string(),
        "the remote kept moving for 30 s (4 attempts; last: x)"
    );
    assert_eq!(
        SyncError::Refused("no".into()).to_string(),
        "the remote refused the push: no"
    );
}

#[test]
fn a_server_sync_starts_tracking_once_and_keeps_only_own_writes_at_the_cursor() {
    let tracked = ServerState {
        cursor: Some("900".into()),
        own: vec![],
        tracking: true,
    };
    assert_eq!(server_plan(&tracked), Before::Nothing);
    let untracked = ServerState {
        tracking: false,
        ..tracked
    };
    assert_eq!(server_plan(&untracked), Before::StartTracking);
    let own: Vec<String> = ["897", "900", "1204"].map(str::to_owned).to_vec();
    // A pull from 900 on never returns rows below it: 897 need not be excluded any more.
    assert_eq!(own_writes_kept(&own, "900"), vec!["900", "1204"]);
    assert_eq!(own_writes_kept(&own, "5000"), Vec::<String>::new());
    // Ids compare as numbers, not as text ("1204" < "900" as text).
    assert_eq!(own_writes_kept(&own, "1000"), vec!["1204"]);
    assert_eq!(own_writes_kept(&own, "not a number"), own);
}

#[test]
fn a_whole_state_is_pulled_only_when_its_version_is_new_here() {
    let since = |v: Option<&str>| Since {
        version: v.map(str::to_owned),
        own: vec![],
    };
    assert!(needs_pull(&since(None), Some("b1")));
    assert!(needs_pull(&since(Some("b1")), Some("b2")));
    assert!(!needs_pull(&since(Some("b1")), Some("b1")));
    // An empty remote has nothing to give.
    assert!(!needs_pull(&since(Some("b1")), None));
    assert!(!needs_pull(&since(None), None));
}
