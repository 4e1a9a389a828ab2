//! Databases from earlier schema versions open, upgrade and keep every record; a database from
//! a newer version is refused untouched.

use std::path::{Path, PathBuf};

use crate::trust_support::{World, assert_sound, open};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/db")
        .join(name)
}

/// Every committed database, with the export it must still give.
const VERSIONS: &[(&str, &str)] = &[
    ("v1.db", "v1.expected.jsonl"),
    ("v2.db", "v2.expected.jsonl"),
    ("v3.db", "v3.expected.jsonl"),
    ("v4.db", "v4.expected.jsonl"),
    ("v5.db", "v5.expected.jsonl"),
    ("v5-replies.db", "v5-replies.expected.jsonl"),
    ("v10.db", "v10.expected.jsonl"),
    ("v10-resolutions.db", "v10-resolutions.expected.jsonl"),
    ("v12.db", "v12.expected.jsonl"),
    ("v13.db", "v13.expected.jsonl"),
    ("v14.db", "v14.expected.jsonl"),
];

/// The records of an export, without its header: a file written by an earlier rep carries the
/// format version of its day, while today's export carries today's.
fn records_of(export: &[u8]) -> &[u8] {
    let start = export
        .iter()
        .position(|b| *b == b'\n')
        .map_or(0, |at| at + 1);
    &export[start..]
}

#[test]
fn migrations_every_earlier_version_opens_and_keeps_every_record() {
    for (db, expected) in VERSIONS {
        let world = World::new();
        std::fs::copy(fixture(db), world.db()).expect("copy the fixture");
        let exported = world.export();
        let expected = std::fs::read(fixture(expected)).expect("expected export");
        assert!(
            exported.starts_with(b"{\"format\":\"repertoire\",\"version\":\"1.1\"}\n"),
            "{db}: today's header"
        );
        assert!(
            records_of(&exported) == records_of(&expected),
            "{db}: the export differs from {}",
            String::from_utf8_lossy(&expected)
        );
        let version: u32 = open(&world.db())
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        let latest: serde_json::Value =
            serde_json::from_str(&world.ok(&["version", "--json"])).expect("JSON");
        assert_eq!(
            u64::from(version),
            latest["database_schema"].as_u64().expect("number")
        );
        world.ok(&["doctor", "-q"]);
        assert_sound(&world.db());
        // The upgraded database takes new writes next to the old records.
        world.ok(&["add", "tool", "after the upgrade", "-q"]);
        let listed: serde_json::Value =
            serde_json::from_str(&world.ok(&["list", "--json"])).expect("JSON");
        assert_eq!(listed.as_array().expect("array").len(), 4, "{db}");
    }
}

/// Schema 3 let ordinary use write records that no rep would import (1,001 title edits, nine
/// 1 MiB bodies, 704 tag states: `v3-unshareable.db`). The upgrade bounds their history by the
/// same rule the join applies, keeps every current value, and the export imports anywhere.
#[test]
fn migrations_records_schema_3_could_not_share_become_shareable() {
    let world = World::new();
    std::fs::copy(fixture("v3-unshareable.db"), world.db()).expect("copy the fixture");
    let export = world.export();
    let text = String::from_utf8(export.clone()).expect("UTF-8");
    for line in text.lines() {
        // Within the line limit of earlier versions too, so that teammates not yet upgraded
        // still read it.
        assert!(line.len() <= 8 << 20, "a line of {} bytes", line.len());
    }
    let records: Vec<serde_json::Value> = text
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    let by_title = |title: &str| {
        records
            .iter()
            .find(|r| r["title"]["value"] == title)
            .unwrap_or_else(|| panic!("no entry {title:?}"))
    };
    let edited = by_title("title 1001");
    let history = edited["revisions"].as_array().expect("history");
    assert_eq!(history.len(), 50, "the newest 50 titles are kept");
    assert!(history.iter().any(|r| r["value"] == "title 1000"));
    assert!(!history.iter().any(|r| r["value"] == "title 950"));
    let big = by_title("big bodies");
    assert!(
        big["body"]["value"]
            .as_str()
            .expect("body")
            .starts_with("version 9 of a long body")
    );
    let bodies: Vec<&serde_json::Value> = big["revisions"]
        .as_array()
        .expect("history")
        .iter()
        .filter(|r| r["field"] == "body")
        .collect();
    assert_eq!(bodies.len(), 3, "two large bodies and the empty first one");
    let churned = by_title("tag churn");
    let tags = churned["tags"].as_object().expect("tags");
    assert_eq!(tags.len(), 640);
    let live: Vec<&String> = tags
        .iter()
        .filter(|(_, s)| s["present"] == true)
        .map(|(t, _)| t)
        .collect();
    assert_eq!(live, ["kept", "still-here"]);
    world.ok(&["doctor", "-q"]);
    assert_sound(&world.db());

    // A teammate's fresh repertoire imports it, and gives the same bytes back.
    let teammate = World::new();
    let file = teammate.path("shared.jsonl");
    std::fs::write(&file, &export).expect("write");
    teammate.ok(&["import", file.to_str().expect("path"), "-q"]);
    assert!(teammate.export() == export, "the re-export differs");
}

/// Migration 5 fills the word index from the entries already there: an exact name comes first,
/// the ligature is indexed as a plain word, a half-typed word is a prefix. Migration 6 gives
/// the stemmed index the body's words as written otherwise: the tar page's `E[x]tract`.
#[test]
fn migrations_the_word_index_is_filled_on_upgrade() {
    let world = World::new();
    std::fs::copy(fixture("v3-search.db"), world.db()).expect("copy the fixture");
    let titles = |query: &str| -> Vec<String> {
        let hits: serde_json::Value =
            serde_json::from_str(&world.ok(&["search", "--json", query])).expect("JSON");
        hits.as_array()
            .expect("array")
            .iter()
            .map(|h| h["title"].as_str().expect("title").to_owned())
            .collect()
    };
    assert_eq!(titles("tar"), ["tar — Archiving utility."]);
    assert_eq!(titles("archivin"), ["tar — Archiving utility."]);
    assert_eq!(titles("source archive"), ["tar — Archiving utility."]);
    assert_eq!(titles("file lock"), ["Show what holds a ﬁle lock"]);
    assert_eq!(titles("replicat"), ["Why is replication lagging?"]);
    assert_eq!(titles("extract archive"), ["tar — Archiving utility."]);
    assert_eq!(
        titles("extract an archive file"),
        ["tar — Archiving utility."]
    );
    assert!(
        titles("trick").is_empty(),
        "the deleted entry is not indexed"
    );
    world.ok(&["doctor", "-q"]);
}

#[test]
fn migrations_a_newer_database_is_refused_untouched() {
    let world = World::new();
    std::fs::copy(fixture("v1.db"), world.db()).expect("copy the fixture");
    open(&world.db())
        .pragma_update(None, "user_version", 99)
        .expect("set the version");
    let bytes = std::fs::read(world.db()).expect("read");
    for args in [
        vec!["list"],
        vec!["add", "tool", "must not land"],
        vec!["doctor"],
        vec!["import", "-"],
    ] {
        let out = world.run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(stderr.contains("schema version 99, newer"), "{stderr}");
        assert!(stderr.contains("left untouched"), "{stderr}");
    }
    assert!(
        std::fs::read(world.db()).expect("read") == bytes,
        "the file changed"
    );
}

#[test]
fn migrations_new_databases_use_large_pages_and_old_ones_keep_theirs() {
    let page_size = |db: &Path| -> i64 {
        open(db)
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .expect("page size")
    };
    let world = World::new();
    world.ok(&["add", "tool", "first entry", "-q"]);
    assert_eq!(page_size(&world.db()), 16_384);

    // A page size only applies to a new file: an existing database keeps its own and works.
    let old = World::new();
    std::fs::copy(fixture("v2.db"), old.db()).expect("copy the fixture");
    let before = page_size(&old.db());
    assert_ne!(before, 16_384, "the fixture predates the larger pages");
    old.ok(&["add", "tool", "after the upgrade", "-q"]);
    assert_eq!(page_size(&old.db()), before);
    assert_sound(&old.db());
}

/// Schema 5 kept a search miss by its sorted words only: after the upgrade its gap still
/// suggests those, and a new miss keeps the words as typed.
#[test]
fn migrations_a_miss_from_schema_5_suggests_its_words() {
    let world = World::new();
    std::fs::copy(fixture("v5.db"), world.db()).expect("copy the fixture");
    let gaps: serde_json::Value =
        serde_json::from_str(&world.ok(&["gaps", "--json"])).expect("JSON");
    let miss = gaps
        .as_array()
        .expect("array")
        .iter()
        .find(|g| g["subject"] == "deploy downtime zero")
        .expect("the schema-5 miss");
    assert_eq!(miss["command"], "rep add tool \"deploy downtime zero\"");
}

/// Schema 10 records the states tags and flags held before (rep history): an entry of a schema 5
/// database shows each change made after the upgrade, and its export is unchanged by them.
#[test]
fn migrations_entries_of_schema_5_record_each_change_of_a_tag_or_flag() {
    let world = World::new();
    std::fs::copy(fixture("v5.db"), world.db()).expect("copy the fixture");
    let list: serde_json::Value =
        serde_json::from_str(&world.ok(&["list", "--json", "--limit", "1"])).expect("JSON");
    let id = list[0]["id"].as_str().expect("an entry").to_owned();
    for args in [
        ["edit", &id, "-t", "cycle"],
        ["edit", &id, "--untag", "cycle"],
        ["edit", &id, "-t", "cycle"],
    ] {
        world.ok(&args);
    }
    world.ok(&["rm", &id]);
    world.ok(&["restore", &id]);
    let history: serde_json::Value =
        serde_json::from_str(&world.ok(&["history", &id, "--json"])).expect("JSON");
    let shown = |field: &str, value: &str| {
        history
            .as_array()
            .expect("array")
            .iter()
            .filter(|r| r["field"] == field && r["value"] == value)
            .count()
    };
    assert_eq!((shown("tag", "+cycle"), shown("tag", "-cycle")), (2, 1));
    assert_eq!(
        (shown("deleted", "deleted"), shown("deleted", "restored")),
        (1, 1)
    );
    let version: serde_json::Value =
        serde_json::from_str(&world.ok(&["version", "--json"])).expect("JSON");
    assert_eq!(version["database_schema"], 15);
    assert_sound(&world.db());
}

/// Migration 11 indexes the resolutions `rep stats` charts (`v10-resolutions.db`: questions resolved in
/// two different weeks, one asked weeks before, one still open): the upgrade adds the index,
/// and the chart counts each resolution in its own week from it, as schema 10 did from the rows.
#[test]
fn migrations_resolutions_of_schema_10_are_charted_from_their_index() {
    let world = World::new();
    std::fs::copy(fixture("v10-resolutions.db"), world.db()).expect("copy the fixture");
    let stats: serde_json::Value =
        serde_json::from_str(&world.ok(&["stats", "--json"])).expect("JSON");
    let series = |domain: &str, field: &str| -> Vec<u64> {
        let d = stats
            .as_array()
            .expect("array")
            .iter()
            .find(|d| d["domain"] == domain)
            .unwrap_or_else(|| panic!("no domain {domain}"));
        d["weeks"]
            .as_array()
            .expect("weeks")
            .iter()
            .map(|w| w[field].as_u64().expect("count"))
            .collect()
    };
    let week = |i: usize| -> Vec<u64> { (0..12).map(|w| u64::from(w == i)).collect() };
    assert_eq!(series("k8s/networking", "questions_asked"), week(8));
    assert_eq!(series("k8s/networking", "questions_resolved"), week(10));
    assert_eq!(series("postgres", "questions_asked"), week(9));
    assert_eq!(series("postgres", "questions_resolved"), week(11));
    assert_eq!(series("k8s", "questions_resolved"), vec![0; 12]);
    assert_eq!(series("k8s", "occurrences"), week(11));
    let indexed: String = open(&world.db())
        .query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'entries_resolutions'",
            [],
            |r| r.get(0),
        )
        .expect("the index of resolutions");
    assert!(indexed.contains("resolved_at"), "{indexed}");
    assert_sound(&world.db());
}

/// `rep news --since 7d --json` on the news fixtures' clock, which must succeed.
fn week_of_news(world: &World) -> serde_json::Value {
    let out = world
        .cmd()
        .env("REP_NOW", "2026-11-28T00:00:00Z")
        .args(["news", "--since", "7d", "--json"])
        .output()
        .expect("run rep news");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// Migration 13 indexes what `rep news` and the web view's home read of a week (`v12.db`: three
/// entries, two replies, an accepted answer, a question seen three times by two members): the
/// upgrade adds the indexes, and the news read from them is the news schema 12 gave.
#[test]
fn migrations_news_of_schema_12_is_read_from_its_indexes() {
    let world = World::new();
    std::fs::copy(fixture("v12.db"), world.db()).expect("copy the fixture");
    let news = week_of_news(&world);
    let field = |section: &str, name: &str| -> Vec<serde_json::Value> {
        news[section]
            .as_array()
            .expect("a section")
            .iter()
            .map(|item| item[name].clone())
            .collect()
    };
    assert_eq!(
        field("entries", "title"),
        [
            "Show which session holds a lock",
            "How do I rotate the TLS certificate?",
            "The night the WAL filled the disk"
        ]
    );
    assert_eq!(field("replies", "member"), ["bob", "cy"]);
    assert_eq!(field("accepted", "member"), ["ana"]);
    assert_eq!(
        field("recurring", "title"),
        ["How do I rotate the TLS certificate?"]
    );
    assert_eq!(field("recurring", "member"), ["cy"]);
    assert_eq!(field("recurring", "occurrences"), [3]);
    let conn = open(&world.db());
    for index in [
        "replies_by_created",
        "replies_accepted",
        "occurrences_by_time",
    ] {
        let found: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?1",
                [index],
                |r| r.get(0),
            )
            .expect("sqlite_master");
        assert_eq!(found, 1, "{index}");
    }
    assert_sound(&world.db());
}

/// A database of schema 13 (the practice of `v12.db`): the upgrade adds the indexes the web
/// view's home counts a week from, and the news read from them is the news schema 13 gave.
#[test]
fn migrations_news_of_schema_13_is_counted_from_its_indexes() {
    let world = World::new();
    std::fs::copy(fixture("v13.db"), world.db()).expect("copy the fixture");
    let upgraded = week_of_news(&world);
    let titles = |section: &str| -> Vec<serde_json::Value> {
        upgraded[section]
            .as_array()
            .expect("a section")
            .iter()
            .map(|item| item["title"].clone())
            .collect()
    };
    assert_eq!(
        titles("entries"),
        [
            "Show which session holds a lock",
            "How do I rotate the TLS certificate?",
            "The night the WAL filled the disk"
        ]
    );
    assert_eq!(upgraded["replies"].as_array().map(Vec::len), Some(2));
    assert_eq!(upgraded["accepted"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        titles("recurring"),
        ["How do I rotate the TLS certificate?"]
    );
    assert_eq!(upgraded["recurring"][0]["member"], "cy");
    assert_eq!(upgraded["recurring"][0]["occurrences"], 3);
    let conn = open(&world.db());
    for index in ["entries_news", "replies_news"] {
        let found: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?1",
                [index],
                |r| r.get(0),
            )
            .expect("sqlite_master");
        assert_eq!(found, 1, "{index}");
    }
    drop(conn);
    // The same news once the indexes are in place (the second run reads them).
    assert_eq!(week_of_news(&world), upgraded);
    assert_sound(&world.db());
}

/// The triggers and views of a database: (name, SQL), by name.
fn triggers_and_views(db: &Path) -> Vec<(String, String)> {
    let conn = open(db);
    let mut stmt = conn
        .prepare(
            "SELECT name, sql FROM sqlite_master WHERE type IN ('trigger', 'view') ORDER BY name",
        )
        .expect("sqlite_master");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// A database of schema 14: the upgrade restates the server remote's 22 triggers (schema 12)
/// around one view, as a new database has them, and they mark a change as before.
#[test]
fn migrations_the_server_remote_triggers_of_schema_14_are_restated_and_still_mark() {
    let world = World::new();
    std::fs::copy(fixture("v14.db"), world.db()).expect("copy the fixture");
    let before = triggers_and_views(&world.db());
    let id = world.ok(&["list", "--json"]);
    let listed: serde_json::Value = serde_json::from_str(&id).expect("JSON");
    let tool = listed[0]["id"].as_str().expect("an id").to_owned();
    let upgraded = triggers_and_views(&world.db());
    let fresh = World::new();
    fresh.ok(&["add", "tool", "a new repertoire", "-q"]);
    assert_eq!(upgraded, triggers_and_views(&fresh.db()));
    let sync = |objects: &[(String, String)]| -> Vec<(String, String)> {
        objects
            .iter()
            .filter(|(name, _)| name.starts_with("sync_"))
            .cloned()
            .collect()
    };
    let text = |objects: &[(String, String)]| -> usize {
        sync(objects).iter().map(|(_, sql)| sql.len()).sum()
    };
    assert_eq!(sync(&before).len(), 22);
    assert_eq!(sync(&upgraded).len(), 23, "the 22 triggers and the view");
    assert!(
        text(&upgraded) * 4 < text(&before) * 3,
        "{} bytes of SQL to parse at each open, from {}",
        text(&upgraded),
        text(&before)
    );
    let conn = open(&world.db());
    conn.execute(
        "INSERT INTO meta(key, value) VALUES ('sync_track', '1')",
        [],
    )
    .expect("track");
    drop(conn);
    world.ok(&["edit", &tool, "-t", "upgraded", "-q"]);
    let marked: i64 = open(&world.db())
        .query_row(
            "SELECT count(*) FROM sync_changes JOIN entries e ON e.seq = sync_changes.seq
             WHERE sync_changes.kind = 0 AND e.id = ?1",
            [&tool],
            |r| r.get(0),
        )
        .expect("marks");
    assert_eq!(marked, 1);
}
