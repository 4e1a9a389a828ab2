//! The marks of what a server remote has not been sent (schema 12, restated in 15): every
//! table that holds a record's shared state marks its entry or reply, with the generation
//! during the write, while changes are tracked and not silenced, and never otherwise.

use std::path::Path;

use rusqlite::Connection;

use crate::trust_support::{World, open};

/// The marked records: (0 an entry, 1 a reply; its row; its mark).
fn marks(conn: &Connection) -> Vec<(i64, i64, i64)> {
    let mut stmt = conn
        .prepare("SELECT kind, seq, mark FROM sync_changes ORDER BY kind, seq")
        .expect("read the marks");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("marks")
        .collect::<Result<_, _>>()
        .expect("marks")
}

fn generation(conn: &Connection) -> i64 {
    conn.query_row(
        "SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0)",
        [],
        |r| r.get(0),
    )
    .expect("generation")
}

fn seq(conn: &Connection, table: &str, id: &str) -> i64 {
    conn.query_row(
        &format!("SELECT seq FROM {table} WHERE id = ?1"),
        [id],
        |r| r.get(0),
    )
    .expect("the record's row")
}

fn switch(db: &Path, key: &str, on: bool) {
    let conn = open(db);
    if on {
        conn.execute("INSERT INTO meta(key, value) VALUES (?1, '1')", [key])
    } else {
        conn.execute("DELETE FROM meta WHERE key = ?1", [key])
    }
    .expect("switch");
}

fn id_of(json: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(json).expect("JSON");
    value["id"].as_str().expect("an id").to_owned()
}

#[test]
fn sync_marks_every_command_marks_what_it_changes_while_tracked() {
    let world = World::new();
    let db = world.db();
    let tool = id_of(&world.ok(&["add", "tool", "Show locks", "-t", "locks", "--json"]));
    let question = id_of(&world.ok(&["add", "question", "How do I rotate the cert?", "--json"]));
    let story = id_of(&world.ok(&["add", "story", "The night the WAL filled", "--json"]));
    let answer = id_of(&world.ok(&["answer", &question, "-m", "cert-manager", "--json"]));
    assert!(marks(&open(&db)).is_empty(), "untracked: nothing marked");

    switch(&db, "sync_track", true);
    let conn = open(&db);
    let (tool_seq, question_seq, story_seq) = (
        seq(&conn, "entries", &tool),
        seq(&conn, "entries", &question),
        seq(&conn, "entries", &story),
    );
    let answer_seq = seq(&conn, "replies", &answer);
    drop(conn);
    // Each command, and the record it must mark (0 an entry, 1 a reply), through the tables
    // it writes: entries and revisions, tags, replies, endorsements, occurrences, links and
    // the replies' revisions.
    let cases: Vec<(Vec<&str>, (i64, i64))> = vec![
        (
            vec!["edit", &tool, "--title", "Show who holds a lock"],
            (0, tool_seq),
        ),
        (
            vec!["edit", &tool, "--untag", "locks", "-t", "pg-locks"],
            (0, tool_seq),
        ),
        (vec!["add", "problem", "Disk full again"], (0, -1)),
        (vec!["accept", &answer], (1, answer_seq)),
        (vec!["helped", &answer], (1, answer_seq)),
        (vec!["helped", &story], (0, story_seq)),
        (
            vec!["seen", &question, "-m", "again on staging"],
            (0, question_seq),
        ),
        (
            vec!["link", &story, &tool, "--kind", "related"],
            (0, story_seq),
        ),
        (
            vec!["edit", &answer, "-m", "cert-manager renews them"],
            (1, answer_seq),
        ),
        (vec!["rm", &tool], (0, tool_seq)),
    ];
    for (mut args, (kind, row)) in cases {
        let conn = open(&db);
        conn.execute("DELETE FROM sync_changes", []).expect("clear");
        let before = generation(&conn);
        drop(conn);
        args.push("-q");
        world.ok(&args);
        let conn = open(&db);
        let marked = marks(&conn);
        // A new record's row is the newest one.
        let row = if row < 0 {
            conn.query_row("SELECT max(seq) FROM entries", [], |r| r.get(0))
                .expect("newest")
        } else {
            row
        };
        assert!(
            marked.iter().any(|&(k, s, _)| (k, s) == (kind, row)),
            "{args:?} marks {marked:?}, not ({kind}, {row})"
        );
        assert!(
            marked.iter().all(|&(_, _, mark)| mark == before),
            "{args:?}: marked with the generation during the write ({before}): {marked:?}"
        );
    }
}

#[test]
fn sync_marks_every_table_marks_on_update_and_delete_and_only_while_tracked_and_not_quiet() {
    let world = World::new();
    let db = world.db();
    let tool = id_of(&world.ok(&["add", "tool", "Show locks", "-t", "locks", "--json"]));
    let story = id_of(&world.ok(&["add", "story", "The night the WAL filled", "--json"]));
    let question = id_of(&world.ok(&["add", "question", "Who holds the lock?", "--json"]));
    world.ok(&["edit", &tool, "--title", "Show who holds a lock", "-q"]);
    world.ok(&["link", &story, &tool, "--kind", "related", "-q"]);
    world.ok(&["seen", &question, "-q"]);
    let answer = id_of(&world.ok(&["answer", &tool, "-m", "or pg_stat_activity", "--json"]));
    world.ok(&["edit", &answer, "-m", "or pg_stat_activity, joined", "-q"]);
    world.ok(&["helped", &answer, "-q"]);
    world.ok(&["helped", &tool, "-q"]);
    switch(&db, "sync_track", true);
    let conn = open(&db);
    let (tool_seq, story_seq) = (seq(&conn, "entries", &tool), seq(&conn, "entries", &story));
    let question_seq = seq(&conn, "entries", &question);
    let answer_seq = seq(&conn, "replies", &answer);
    let now = generation(&conn);
    // Each table, the column that names the record in it, its value there, and the record.
    let tables = [
        ("entries", "seq", tool_seq.to_string(), (0, tool_seq)),
        ("replies", "seq", answer_seq.to_string(), (1, answer_seq)),
        (
            "entry_tags",
            "entry_seq",
            tool_seq.to_string(),
            (0, tool_seq),
        ),
        (
            "revisions",
            "entry_seq",
            tool_seq.to_string(),
            (0, tool_seq),
        ),
        ("links", "source_seq", story_seq.to_string(), (0, story_seq)),
        (
            "occurrences",
            "entry_seq",
            question_seq.to_string(),
            (0, question_seq),
        ),
        (
            "reply_revisions",
            "reply_seq",
            answer_seq.to_string(),
            (1, answer_seq),
        ),
        (
            "endorsements",
            "record_id",
            format!("'{answer}'"),
            (1, answer_seq),
        ),
        (
            "endorsements",
            "record_id",
            format!("'{tool}'"),
            (0, tool_seq),
        ),
    ];
    let update = |table: &str, column: &str, value: &str| {
        format!("UPDATE {table} SET {column} = {column} WHERE {column} = {value}")
    };
    // In a transaction rolled back after each statement: every row stays for the next.
    let marks_of = |statement: &str| -> Vec<(i64, i64, i64)> {
        conn.execute_batch("BEGIN; DELETE FROM sync_changes")
            .expect("begin");
        let changed = conn.execute(statement, []).expect(statement);
        assert!(
            changed > 0,
            "{statement}: the fixture holds rows of the record"
        );
        let marked = marks(&conn);
        conn.execute_batch("ROLLBACK").expect("roll back");
        marked
    };
    for (table, column, value, (kind, row)) in &tables {
        let mut statements = vec![update(table, column, value)];
        // Entries and replies are never deleted, only marked deleted (an update).
        if !matches!(*table, "entries" | "replies") {
            statements.push(format!("DELETE FROM {table} WHERE {column} = {value}"));
        }
        for statement in statements {
            assert_eq!(marks_of(&statement), [(*kind, *row, now)], "{statement}");
        }
    }
    // Silenced, then untracked: the same writes mark nothing.
    switch(&db, "sync_quiet", true);
    for (table, column, value, _) in &tables {
        assert_eq!(
            marks_of(&update(table, column, value)),
            [],
            "{table}, silenced"
        );
    }
    switch(&db, "sync_quiet", false);
    switch(&db, "sync_track", false);
    for (table, column, value, _) in &tables {
        assert_eq!(
            marks_of(&update(table, column, value)),
            [],
            "{table}, untracked"
        );
    }
}

/// Under schema 12 a second change of a record before the next sync failed when the write was
/// an upsert (a tag set or cleared), with the tracking on: the trigger took the upsert's
/// conflict rule and its INSERT OR REPLACE failed the key of the first mark (exit 70).
#[test]
fn sync_marks_a_record_changed_again_before_a_sync_keeps_one_mark() {
    let world = World::new();
    let db = world.db();
    let tool = id_of(&world.ok(&["add", "tool", "Show locks", "-t", "locks", "--json"]));
    switch(&db, "sync_track", true);
    world.ok(&["edit", &tool, "-t", "pg", "-q"]);
    world.ok(&["edit", &tool, "--untag", "locks", "-t", "pg-locks", "-q"]);
    world.ok(&["edit", &tool, "--title", "Show who holds a lock", "-q"]);
    let conn = open(&db);
    let tool_seq = seq(&conn, "entries", &tool);
    let marked = marks(&conn);
    assert_eq!(marked.len(), 1, "{marked:?}");
    assert_eq!((marked[0].0, marked[0].1), (0, tool_seq));
    // The mark is the latest change's: the generation during the last edit.
    assert_eq!(marked[0].2, generation(&conn) - 1);
}

/// The change-marking triggers, by name, as the schema holds them.
fn triggers(db: &Path) -> Vec<(String, String)> {
    let conn = open(db);
    let mut stmt = conn
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        .expect("read the schema");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("triggers")
        .collect::<Result<_, _>>()
        .expect("triggers")
}

/// An import without a server remote drops the idle marking triggers for its transaction (a
/// statement that fires none needs no statement journal): however it ends, into an empty
/// repertoire or a full one, the schema holds them exactly as before. With a remote, they stay
/// and mark every record the import adds.
#[test]
fn sync_marks_an_import_leaves_the_triggers_as_they_were_and_marks_while_tracked() {
    let world = World::new();
    let db = world.db();
    let write = |name: &str, seed: u32, n: u32| {
        let file = world.path(name);
        crate::trust_support::write_exchange(&file, seed, n);
        file.to_str().expect("utf-8").to_owned()
    };
    // The triggers of a repertoire made by a plain `rep add`, elsewhere.
    let plain = World::new();
    plain.ok(&["add", "tool", "Show locks", "-q"]);
    let before = triggers(&plain.db());
    assert!(
        before
            .iter()
            .filter(|(n, _)| n.starts_with("sync_"))
            .count()
            >= 20,
        "{before:?}"
    );
    let first = write("first.jsonl", 1, 50);
    world.ok(&["import", &first, "-q"]);
    assert_eq!(
        triggers(&db),
        before,
        "after an import into an empty repertoire"
    );
    let second = write("second.jsonl", 2, 50);
    world.ok(&["import", &second, "--dry-run", "-q"]);
    assert_eq!(triggers(&db), before, "after a dry run");
    world.ok(&["import", &second, "-q"]);
    assert_eq!(
        triggers(&db),
        before,
        "after an import into a full repertoire"
    );
    // A file that fails at its last line: nothing of it lands, the triggers included.
    let broken = world.path("broken.jsonl");
    let mut text = std::fs::read_to_string(world.path("second.jsonl")).expect("read");
    text = text.replace("0000-4000-8000", "0000-4000-8001");
    text.push_str("{\"type\":\"entry\",\"id\":\"not json\n");
    std::fs::write(&broken, text).expect("write");
    assert!(
        !world
            .run(&["import", broken.to_str().expect("utf-8")])
            .status
            .success()
    );
    assert_eq!(triggers(&db), before, "after a failed import");
    assert!(marks(&open(&db)).is_empty(), "untracked: nothing marked");

    switch(&db, "sync_track", true);
    let third = write("third.jsonl", 3, 50);
    world.ok(&["import", &third, "-q"]);
    assert_eq!(triggers(&db), before, "tracked");
    let conn = open(&db);
    let marked = marks(&conn);
    let new: i64 = conn
        .query_row(
            "SELECT count(*) FROM entries WHERE id LIKE '00000003-%'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(new, 50);
    let marked_new: i64 = conn
        .query_row(
            "SELECT count(*) FROM sync_changes c JOIN entries e ON e.seq = c.seq
              WHERE c.kind = 0 AND e.id LIKE '00000003-%'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(marked_new, 50, "every imported entry is marked: {marked:?}");
}
