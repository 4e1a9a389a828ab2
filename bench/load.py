#!/usr/bin/env python3
"""Load entries from JSON Lines straight into a repertoire database, for benchmarks only.

    python3 bench/load.py DB ENTRIES.jsonl

DB must already exist with rep's schema (run `rep list` on it once). Each input line is one
entry: {"kind", "title", "body", "domain", "tags", "command", "author"}, as written by
../shared/corpus/make_entries.py. Rows are written the way src/store/entries.rs writes them: a
random UUID, one clock stamp per entry on every *_at column, tags in entry_tags plus the derived
`tags` column; the full-text index is filled by the schema's triggers. Everything happens in one
transaction.

This file exists only because rep has no bulk import yet; when it has one, bench/run.sh should
call it instead and this file can go.
"""
import json
import sqlite3
import sys
import time
import uuid

SCHEMA_VERSION = 1  # PRAGMA user_version this loader was written against


def normalize_tag(tag):
    """src/model.rs normalize_tag: lowercase, no leading '#', inner whitespace becomes '-'."""
    return "-".join(tag.strip().lstrip("#").lower().split())


def stamp(millis, counter, replica):
    """src/clock.rs: 13-digit millis '.' 6-digit counter '.' 32 hex replica id."""
    return f"{millis:013d}.{counter:06d}.{replica}"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    db_path, entries_path = sys.argv[1], sys.argv[2]
    conn = sqlite3.connect(db_path, isolation_level=None)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version != SCHEMA_VERSION:
        sys.exit(f"{db_path}: schema version {version}, this loader knows {SCHEMA_VERSION}; "
                 "run `rep list` on a new database first, or update bench/load.py")
    replica = conn.execute("SELECT value FROM meta WHERE key = 'replica_id'").fetchone()[0]
    with open(entries_path, encoding="utf-8") as f:
        lines = [json.loads(line) for line in f if line.strip()]

    # Entries are spread one second apart and end a day ago, so `rep add` is always newest.
    end_ms = int(time.time() * 1000) - 86_400_000
    first_ms = end_ms - 1000 * (len(lines) - 1)
    last = None
    conn.execute("BEGIN IMMEDIATE")
    for i, e in enumerate(lines):
        ms = first_ms + 1000 * i
        last = stamp(ms, 0, replica)
        cur = conn.execute(
            """INSERT INTO entries (id, kind, kind_at, title, title_at, body, body_at, domain,
                                   domain_at, command, command_at, link, link_at, deleted,
                                   deleted_at, author, created_ms, updated_ms, tags)
               VALUES (?1, ?2, ?3, ?4, ?3, ?5, ?3, ?6, ?3, ?7, ?3, NULL, ?3, 0, ?3, ?8, ?9, ?9,
                       ?10)""",
            (
                str(uuid.uuid4()),
                e["kind"],
                last,
                e["title"],
                e.get("body", ""),
                e["domain"],
                e.get("command") or None,
                e["author"],
                ms,
                " ".join(sorted({normalize_tag(t) for t in e.get("tags", [])})),
            ),
        )
        seq = cur.lastrowid
        conn.executemany(
            "INSERT OR IGNORE INTO entry_tags (entry_seq, tag, present, stamp) VALUES (?, ?, 1, ?)",
            [(seq, normalize_tag(t), last) for t in e.get("tags", [])],
        )
    # rep's next stamp must come after every stamp written here.
    conn.execute(
        "INSERT INTO meta(key, value) VALUES ('clock', ?1) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (last,),
    )
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    print(f"loaded {len(lines)} entries into {db_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
