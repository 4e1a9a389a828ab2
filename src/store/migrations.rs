//! Schema migrations, applied in order up to `PRAGMA user_version`. A shipped migration is never
//! edited, only followed by a new one; tests/fixtures holds a database from every version.

/// Migration `i` (0-based) takes the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: entries with per-field clocks, tags as a per-element set, full-text index.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;

    CREATE TABLE entries (
        seq        INTEGER PRIMARY KEY,      -- local row number, for the full-text index only
        id         TEXT NOT NULL UNIQUE,     -- UUID, the same on every replica
        kind       TEXT NOT NULL,
        kind_at    TEXT NOT NULL,            -- clock stamp of the field's last change
        kind_by    TEXT NOT NULL,            -- the member who made that change
        title      TEXT NOT NULL,
        title_at   TEXT NOT NULL,
        title_by   TEXT NOT NULL,
        body       TEXT NOT NULL,
        body_at    TEXT NOT NULL,
        body_by    TEXT NOT NULL,
        domain     TEXT NOT NULL,
        domain_at  TEXT NOT NULL,
        domain_by  TEXT NOT NULL,
        command    TEXT,
        command_at TEXT NOT NULL,
        command_by TEXT NOT NULL,
        link       TEXT,
        link_at    TEXT NOT NULL,
        link_by    TEXT NOT NULL,
        deleted    INTEGER NOT NULL DEFAULT 0,
        deleted_at TEXT NOT NULL,
        deleted_by TEXT NOT NULL,
        author     TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL,
        tags       TEXT NOT NULL DEFAULT ''  -- derived from entry_tags: live tags, sorted
    ) STRICT;
    CREATE INDEX entries_created ON entries(created_ms);
    CREATE INDEX entries_updated ON entries(updated_ms);
    CREATE INDEX entries_title ON entries(title COLLATE NOCASE);
    CREATE INDEX entries_domain ON entries(domain);
    CREATE INDEX entries_author ON entries(author);

    -- Tags are a set with one present/absent flag per element, so that concurrent adds and
    -- removals of different tags on different replicas never collide.
    CREATE TABLE entry_tags (
        entry_seq INTEGER NOT NULL REFERENCES entries(seq),
        tag       TEXT NOT NULL,
        present   INTEGER NOT NULL,
        stamp     TEXT NOT NULL,
        PRIMARY KEY (entry_seq, tag)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX entry_tags_by_tag ON entry_tags(tag, entry_seq) WHERE present = 1;

    -- Values a field held before: every edit and every merge that replaces a value keeps the old
    -- one here, so that nothing anyone wrote is lost (`rep history`).
    CREATE TABLE revisions (
        entry_seq INTEGER NOT NULL REFERENCES entries(seq),
        field     TEXT NOT NULL,
        value     TEXT,
        stamp     TEXT NOT NULL,
        member    TEXT NOT NULL,
        PRIMARY KEY (entry_seq, field, stamp, value)
    ) STRICT;

    -- The index covers live entries only; its content is read through this view.
    CREATE VIEW live_entries AS
        SELECT seq, title, tags, body, command FROM entries WHERE deleted = 0;
    CREATE VIRTUAL TABLE entries_fts USING fts5(
        title, tags, body, command,
        content = 'live_entries', content_rowid = 'seq',
        tokenize = 'porter unicode61 remove_diacritics 2'
    );
    -- Title weighs most, then tags, then the command, then the body.
    INSERT INTO entries_fts(entries_fts, rank) VALUES ('rank', 'bm25(10.0, 5.0, 1.0, 2.0)');

    CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries WHEN new.deleted = 0 BEGIN
        INSERT INTO entries_fts(rowid, title, tags, body, command)
        VALUES (new.seq, new.title, new.tags, new.body, new.command);
    END;
    CREATE TRIGGER entries_fts_update AFTER UPDATE OF title, tags, body, command, deleted ON entries
    BEGIN
        INSERT INTO entries_fts(entries_fts, rowid, title, tags, body, command)
        SELECT 'delete', old.seq, old.title, old.tags, old.body, old.command WHERE old.deleted = 0;
        INSERT INTO entries_fts(rowid, title, tags, body, command)
        SELECT new.seq, new.title, new.tags, new.body, new.command WHERE new.deleted = 0;
    END;
    "#,
    // 2: the practice: replies, occurrences, endorsements, links, resolution and reviews.
    r#"
    ALTER TABLE entries ADD COLUMN resolved    INTEGER;  -- NULL until resolved or reopened
    ALTER TABLE entries ADD COLUMN resolved_at TEXT;
    ALTER TABLE entries ADD COLUMN resolved_by TEXT;
    ALTER TABLE entries ADD COLUMN reviewed_at TEXT;     -- stamp of the latest review
    ALTER TABLE entries ADD COLUMN reviewed_by TEXT;

    CREATE TABLE replies (
        seq         INTEGER PRIMARY KEY,
        id          TEXT NOT NULL UNIQUE,
        entry_seq   INTEGER NOT NULL REFERENCES entries(seq),
        author      TEXT NOT NULL,
        created_ms  INTEGER NOT NULL,
        body        TEXT NOT NULL,
        accepted    INTEGER NOT NULL,
        accepted_at TEXT NOT NULL,
        accepted_by TEXT NOT NULL,
        deleted     INTEGER NOT NULL,
        deleted_at  TEXT NOT NULL,
        deleted_by  TEXT NOT NULL
    ) STRICT;
    CREATE INDEX replies_by_entry ON replies(entry_seq);
    CREATE INDEX replies_by_author ON replies(author);

    -- "This helped me": one per member per entry or reply.
    CREATE TABLE endorsements (
        record_id TEXT NOT NULL,
        member    TEXT NOT NULL,
        stamp     TEXT NOT NULL,
        PRIMARY KEY (record_id, member)
    ) STRICT, WITHOUT ROWID;

    -- "Hit this again".
    CREATE TABLE occurrences (
        id        TEXT PRIMARY KEY,
        entry_seq INTEGER NOT NULL REFERENCES entries(seq),
        member    TEXT NOT NULL,
        at_ms     INTEGER NOT NULL,
        note      TEXT
    ) STRICT;
    CREATE INDEX occurrences_by_entry ON occurrences(entry_seq);

    -- Links between entries, a set per source entry like tags.
    CREATE TABLE links (
        source_seq INTEGER NOT NULL REFERENCES entries(seq),
        target_id  TEXT NOT NULL,
        kind       TEXT NOT NULL,
        present    INTEGER NOT NULL,
        stamp      TEXT NOT NULL,
        PRIMARY KEY (source_seq, target_id, kind)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX links_by_target ON links(target_id) WHERE present = 1;

    -- Indexes that match `rep list`'s orders exactly, so the newest 20 are read, not sorted.
    DROP INDEX entries_created;
    DROP INDEX entries_updated;
    DROP INDEX entries_title;
    CREATE INDEX entries_by_created ON entries(created_ms DESC, id);
    CREATE INDEX entries_by_updated ON entries(updated_ms DESC, id);
    CREATE INDEX entries_by_title ON entries(title COLLATE NOCASE, id);
    "#,
    // 3: searching replies (for `rep who`) and the local record of searches that found nothing.
    r#"
    CREATE VIEW live_replies AS SELECT seq, body FROM replies WHERE deleted = 0;
    CREATE VIRTUAL TABLE replies_fts USING fts5(
        body,
        content = 'live_replies', content_rowid = 'seq',
        tokenize = 'porter unicode61 remove_diacritics 2'
    );
        INSERT INTO replies_fts(replies_fts) VALUES ('rebuild');

    -- New rows are indexed by the code that inserts them (store::entries::index_new_*): an index
    -- write made from a trigger runs inside a statement savepoint, which makes FTS5 flush its
    -- pending terms row by row and turned a bulk import five times slower. Updates keep their
    -- triggers: they are rare and one row at a time.
    DROP TRIGGER entries_fts_insert;
    CREATE TRIGGER replies_fts_update AFTER UPDATE OF body, deleted ON replies BEGIN
        INSERT INTO replies_fts(replies_fts, rowid, body)
        SELECT 'delete', old.seq, old.body WHERE old.deleted = 0;
        INSERT INTO replies_fts(rowid, body) SELECT new.seq, new.body WHERE new.deleted = 0;
    END;

        -- Everything the map, gaps and participation figures read from an entry, in one covering
    -- index: their scans then never touch the rows themselves, whose bodies make them large.
    CREATE INDEX entries_for_analysis ON entries(
        deleted, kind, domain, author, created_ms, resolved, reviewed_by, reviewed_at, id
    );

    -- Searches and asks that found nothing: local only, never exported.
    CREATE TABLE search_misses (
        words   TEXT NOT NULL,          -- normalised: lowercase words, sorted, unique
        domain  TEXT NOT NULL,          -- the --domain filter, '' for none
        count   INTEGER NOT NULL,
        last_ms INTEGER NOT NULL,
        PRIMARY KEY (words, domain)
    ) STRICT;
    "#,
    // 4: history that keeps cleared values and every member's revision. Schema 3's key
    // (entry, field, stamp, value) made a cleared value's NULL break the key of a STRICT table,
    // so `INSERT OR IGNORE` silently dropped it, and left out the member, so two revisions that
    // differed only by who made them kept whichever came first. A NULL value can never be
    // confused with '': a command or link is never empty, and a body or title is never NULL.
    r#"
    CREATE TABLE revisions_v4 (
        entry_seq INTEGER NOT NULL REFERENCES entries(seq),
        field     TEXT NOT NULL,
        value     TEXT,                     -- NULL: the field held no value (a cleared link)
        stamp     TEXT NOT NULL,
        member    TEXT NOT NULL
    ) STRICT;
    INSERT INTO revisions_v4 (entry_seq, field, value, stamp, member)
        SELECT entry_seq, field, value, stamp, member FROM revisions;
    DROP TABLE revisions;
    ALTER TABLE revisions_v4 RENAME TO revisions;
    CREATE UNIQUE INDEX revisions_key ON revisions(entry_seq, field, stamp, member, ifnull(value, ''));
    "#,
    // 5: the word index of ranked search (store::ranking): the short fields unstemmed and
    // normalised (tldr's `E[x]tract` marks out, NFKC, case folded), so that a half-typed word
    // stays a prefix of the word however long it grows, and a `name` column (a tldr page's
    // name, a tool's first command word) that weighs as much as a title; its vocabulary, for
    // spelling corrections; and every entry's exact-match keys (whole title, page name). Bodies
    // are left to the stemmed index (entries_fts): they are most of the text, and indexing them
    // twice nearly doubled the cost of an import. The index is contentless: the text it holds
    // differs from the stored text, which stays exact.
    r#"
    CREATE VIRTUAL TABLE entries_words USING fts5(
        name, title, tags, command,
        content = '', contentless_delete = 1,
        tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE VIRTUAL TABLE entries_words_vocab USING fts5vocab(entries_words, row);
    CREATE TABLE entry_names (
        name      TEXT NOT NULL,    -- search::exact_key of the title, or of a tldr page's name
        entry_seq INTEGER NOT NULL REFERENCES entries(seq),
        PRIMARY KEY (name, entry_seq)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX entry_names_by_entry ON entry_names(entry_seq);

    -- The normalisation is Rust code (store::ranking), which SQL cannot call from a trigger
    -- run by any other program; so a changed entry leaves the index here, its row waits in
    -- entries_words_pending, and rep indexes it again before the transaction that changed it
    -- commits (or, after a change by another program, when it next opens the database). New
    -- rows are indexed by the code that inserts them, as for entries_fts (migration 3).
    CREATE TABLE entries_words_pending (seq INTEGER PRIMARY KEY) STRICT;
    INSERT INTO entries_words_pending(seq) SELECT seq FROM live_entries;
    CREATE TRIGGER entries_words_update AFTER UPDATE OF title, tags, command, deleted ON entries
    BEGIN
        DELETE FROM entries_words WHERE rowid = old.seq;
        DELETE FROM entry_names WHERE entry_seq = old.seq;
        INSERT OR IGNORE INTO entries_words_pending(seq) SELECT new.seq WHERE new.deleted = 0;
    END;
    "#,
    // 6: the stemmed index reads a body's words as the word index reads its fields (tldr's
    // `E[x]tract` as `extract`): `body_folded` holds the words of the body written otherwise
    // (search::body_folded), set by rep with the body, NULL for most entries, derived and never
    // shared; the index takes it as a fifth column. Its values are filled in by rep after this
    // SQL (store::fold_bodies), through the trigger, so the index stays exact throughout.
    // The exact names lose their foreign key: a derived table (doctor rebuilds it) of rows that
    // are never deleted, whose check looked up the entry of every name inserted in name order,
    // a random read of the entries table each, and tripled an import's reads.
    r#"
    DROP TRIGGER entries_words_update;
    CREATE TABLE entry_names_v6 (
        name      TEXT NOT NULL,    -- search::exact_key of the title, or of a tldr page's name
        entry_seq INTEGER NOT NULL, -- entries.seq
        PRIMARY KEY (name, entry_seq)
    ) STRICT, WITHOUT ROWID;
    INSERT INTO entry_names_v6 (name, entry_seq) SELECT name, entry_seq FROM entry_names;
    DROP TABLE entry_names;
    ALTER TABLE entry_names_v6 RENAME TO entry_names;
    CREATE INDEX entry_names_by_entry ON entry_names(entry_seq);
    CREATE TRIGGER entries_words_update AFTER UPDATE OF title, tags, command, deleted ON entries
    BEGIN
        DELETE FROM entries_words WHERE rowid = old.seq;
        DELETE FROM entry_names WHERE entry_seq = old.seq;
        INSERT OR IGNORE INTO entries_words_pending(seq) SELECT new.seq WHERE new.deleted = 0;
    END;

    ALTER TABLE entries ADD COLUMN body_folded TEXT;
    DROP TRIGGER entries_fts_update;
    DROP TABLE entries_fts;
    DROP VIEW live_entries;
    CREATE VIEW live_entries AS
        SELECT seq, title, tags, body, command, body_folded FROM entries WHERE deleted = 0;
    CREATE VIRTUAL TABLE entries_fts USING fts5(
        title, tags, body, command, body_folded,
        content = 'live_entries', content_rowid = 'seq',
        tokenize = 'porter unicode61 remove_diacritics 2'
    );
    -- Title weighs most, then tags, then the command, then the body and its folded words.
    INSERT INTO entries_fts(entries_fts, rank) VALUES ('rank', 'bm25(10.0, 5.0, 1.0, 2.0, 1.0)');
    INSERT INTO entries_fts(entries_fts) VALUES ('rebuild');
    CREATE TRIGGER entries_fts_update
        AFTER UPDATE OF title, tags, body, command, deleted, body_folded ON entries
    BEGIN
        INSERT INTO entries_fts(entries_fts, rowid, title, tags, body, command, body_folded)
        SELECT 'delete', old.seq, old.title, old.tags, old.body, old.command, old.body_folded
        WHERE old.deleted = 0;
        INSERT INTO entries_fts(rowid, title, tags, body, command, body_folded)
        SELECT new.seq, new.title, new.tags, new.body, new.command, new.body_folded
        WHERE new.deleted = 0;
    END;
    "#,
    // 7: where each item imported with `rep import --from` lives (foreign::apply): its key (the
    // source, its file, its description or place, never its command) and the entry it became.
    // An entry keeps its id for ever, so the id cannot carry the key once the key scheme
    // changes (entries imported under the old, command-holding keys keep their ids); the row is
    // how a re-import finds the entry again, how it tells which items were removed upstream (the
    // rows of the same source and folder that the import no longer meets), and how the navi
    // export writes each tool back to the file it came from. Local: teammates' imports of the
    // same files derive the same ids and keys.
    r#"
    CREATE TABLE imported_items (
        key      TEXT PRIMARY KEY,  -- foreign::Found::key, `navi:git.cheat#Change branch`
        entry_id TEXT NOT NULL,
        source   TEXT NOT NULL,     -- foreign::Source, lowercase
        root     TEXT NOT NULL,     -- the path given to the import, absolute
        file     TEXT NOT NULL,     -- the file, relative to root (`/` separators)
        position INTEGER NOT NULL   -- the item's place in the import, for writing it back in order
    ) STRICT;
    CREATE INDEX imported_items_by_root ON imported_items(source, root);
    CREATE INDEX imported_items_by_entry ON imported_items(entry_id);
    "#,
    // 8: a search miss keeps the words as the member typed them (their order, their spelling
    // when the search was corrected), for the `rep add` that `rep gaps` suggests; the key stays
    // the sorted, normalised words. Misses from before have none and suggest the key.
    r#"
    ALTER TABLE search_misses ADD COLUMN typed TEXT;
    "#,
    // 9: replies that can be edited: the body's stamp and editor (NULL while it is the body the
    // reply was written with) and the bodies it held before, as entries keep theirs in
    // `revisions`. A first body's revision has no stamp and no member.
    r#"
    ALTER TABLE replies ADD COLUMN body_at TEXT;
    ALTER TABLE replies ADD COLUMN body_by TEXT;
    CREATE TABLE reply_revisions (
        reply_seq INTEGER NOT NULL REFERENCES replies(seq),
        value     TEXT NOT NULL,
        stamp     TEXT,
        member    TEXT
    ) STRICT;
    CREATE UNIQUE INDEX reply_revisions_key
        ON reply_revisions(reply_seq, ifnull(stamp, ''), ifnull(member, ''), value);
    "#,
    // 10: the states a tag, a link or a flag (deleted, resolved, reviewed, accepted) held before
    // its latest one, for `rep history`: the exchange format keeps only the latest state of
    // each, so adding, removing and adding a tag again showed once. Triggers record the state a
    // change replaces, whichever path writes it (a command, an import, a sync), so no write can
    // forget to; a write that leaves the stamp as it was (a merge of the same state) records
    // nothing. Local, like the search misses: what arrives from teammates is recorded as it
    // arrives, and a file carries only latest states. `record` is the entry's or reply's id;
    // `element` the tag or the link's `TARGET KIND`, NULL for a flag; `member` NULL where the
    // format does not say who (tags, links).
    r#"
    CREATE TABLE past_states (
        record  TEXT NOT NULL,
        field   TEXT NOT NULL,
        element TEXT,
        state   INTEGER NOT NULL,
        stamp   TEXT NOT NULL,
        member  TEXT
    ) STRICT;
    CREATE INDEX past_states_by_record ON past_states(record);

    CREATE TRIGGER past_tag_state AFTER UPDATE OF present, stamp ON entry_tags
    WHEN old.stamp IS NOT new.stamp BEGIN
        INSERT INTO past_states (record, field, element, state, stamp, member)
        SELECT id, 'tag', old.tag, old.present, old.stamp, NULL FROM entries WHERE seq = old.entry_seq;
    END;
    CREATE TRIGGER past_link_state AFTER UPDATE OF present, stamp ON links
    WHEN old.stamp IS NOT new.stamp BEGIN
        INSERT INTO past_states (record, field, element, state, stamp, member)
        SELECT id, 'links', old.target_id || ' ' || old.kind, old.present, old.stamp, NULL
          FROM entries WHERE seq = old.source_seq;
    END;
    CREATE TRIGGER past_entry_deleted AFTER UPDATE OF deleted_at ON entries
    WHEN old.deleted_at IS NOT new.deleted_at BEGIN
        INSERT INTO past_states (record, field, element, state, stamp, member)
        VALUES (old.id, 'deleted', NULL, old.deleted, old.deleted_at, old.deleted_by);
    END;
    CREATE TRIGGER past_entry_resolved AFTER UPDATE OF resolved_at ON entries
    WHEN old.resolved_at IS NOT NULL AND old.resolved_at IS NOT new.resolved_at BEGIN
        INSERT INTO past_states (record, field, element, state, stamp, member)
        VALUES (old.id, 'resolved', NULL, old.resolved, old.resolved_at, old.resolved_by);
    END;
    CREATE TRIGGER past_entry_reviewed AFTER UPDATE OF reviewed_at ON entries
    WHEN old.reviewed_at IS NOT NULL AND old.reviewed_at IS NOT new.reviewed_at BEGIN
        INSERT INTO past_states (record, field, element, state, stamp, member)
        VALUES (old.id, 'reviewed', NULL, 1, old.reviewed_at, old.reviewed_by);
    END;
    CREATE TRIGGER past_reply_accepted AFTER UPDATE OF accepted_at ON replies
    WHEN old.accepted_at IS NOT new.accepted_at BEGIN
        INSERT INTO past_states (record, field, element, state, stamp, member)
        VALUES (old.id, 'accepted', NULL, old.accepted, old.accepted_at, old.accepted_by);
    END;
    CREATE TRIGGER past_reply_deleted AFTER UPDATE OF deleted_at ON replies
    WHEN old.deleted_at IS NOT new.deleted_at BEGIN
        INSERT INTO past_states (record, field, element, state, stamp, member)
        VALUES (old.id, 'deleted', NULL, old.deleted, old.deleted_at, old.deleted_by);
    END;
    "#,
    // 11: the resolutions `rep stats` charts, in a small index of their own. The stamp of a
    // resolution was only in the rows, so charting 12 weeks read the row of every resolved
    // question: most of the entries table (148 MB at 100,000 entries), for a few thousand
    // stamps. The index holds only live resolved questions, and every column the chart reads.
    r#"
    CREATE INDEX entries_resolutions ON entries(resolved_at, domain, deleted, kind, resolved)
        WHERE deleted = 0 AND kind = 'question' AND resolved IS 1;
    "#,
    // 12: what a server remote (PostgreSQL, `rep sync`, issue 19) has not been sent yet. Each
    // entry or reply changed since its last push holds a row marked with the generation during
    // the change (the generation is bumped as the change commits, so a change made after an
    // export read generation G is marked at least G). Triggers mark every path that writes a
    // record's shared state (a command, an import), as past_states does, so no write can forget
    // to. They are idle unless `sync_track` is set (a server remote is in use: a git remote
    // sends the whole file anyway), and `sync_quiet` silences them inside the transaction that
    // joins what the server sent, which it already holds.
    r#"
    CREATE TABLE sync_changes (
        kind INTEGER NOT NULL,  -- 0 an entry, 1 a reply
        seq  INTEGER NOT NULL,  -- its local row
        mark INTEGER NOT NULL,  -- the generation during its latest change
        PRIMARY KEY (kind, seq)
    ) STRICT, WITHOUT ROWID;
    CREATE TRIGGER sync_entry_insert AFTER INSERT ON entries
    WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')
        AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_quiet') BEGIN
        INSERT OR REPLACE INTO sync_changes (kind, seq, mark) VALUES (0, new.seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0));
    END;
    CREATE TRIGGER sync_entry_update AFTER UPDATE ON entries
    WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')
        AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_quiet') BEGIN
        INSERT OR REPLACE INTO sync_changes (kind, seq, mark) VALUES (0, new.seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0));
    END;
    CREATE TRIGGER sync_reply_insert AFTER INSERT ON replies
    WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')
        AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_quiet') BEGIN
        INSERT OR REPLACE INTO sync_changes (kind, seq, mark) VALUES (1, new.seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0));
    END;
    CREATE TRIGGER sync_reply_update AFTER UPDATE ON replies
    WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')
        AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_quiet') BEGIN
        INSERT OR REPLACE INTO sync_changes (kind, seq, mark) VALUES (1, new.seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0));
    END;
    CREATE TRIGGER sync_entry_tags_insert AFTER INSERT ON entry_tags
    WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')
        AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_quiet') BEGIN
        INSERT OR REPLACE INTO sync_changes (kind, seq, mark) VALUES (0, new.entry_seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0));
    END;
    CREATE TRIGGER sync_entry_tags_update AFTER UPDATE ON entry_tags
    WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')
        AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_quiet') BEGIN
        INSERT OR REPLACE INTO sync_changes (kind, seq, mark) VALUES (0, new.entry_seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0));
    END;
    CREATE TRIGGER sync_entry_tags_delete AFTER DELETE ON entry_tags
    WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')
        AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_quiet') BEGIN
        INSERT OR REPLACE INTO sync_changes (kind, seq, mark) VALUES (0, old.entry_seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0));
    END;
    CREATE TRIGGER sync_revisions_insert AFTER INSERT ON revisions
    WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')
        AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_quiet') BEGIN
        INSERT OR REPLACE INTO sync_changes (kind, seq, mark) VALUES (0, new.entry_seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0));
    END;
    CREATE TRIGGER sync_revisions_update AFTER UPDATE ON revisions
    WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')
        AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_quiet') BEGIN
        INSERT OR REPLACE INTO sync_changes (kind, seq, mark) VALUES (0, new.entry_seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0));
    END;
    CREATE TRIGGER sync_revisions_delete AFTER DELETE ON revisions
    WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')
        AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_quiet') BEGIN
        INSERT OR REPLACE INTO sync_changes (kind, seq, mark) VALUES (0, old.entry_seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0));
    END;
    CREATE TRIGGER sync_links_insert AFTER INSERT ON links
    WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')
        AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_quiet') BEGIN
        INSERT OR REPLACE INTO sync_changes (kind, seq, mark) VALUES (0, new.source_seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0));
    END;
    CREATE TRIGGER sync_links_update AFTER UPDATE ON links
    WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')
        AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_quiet') BEGIN
        INSERT OR REPLACE INTO sync_changes (kind, seq, mark) VALUES (0, new.source_seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0));
    END;
    CREATE TRIGGER sync_links_delete AFTER DELETE ON links
    WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')
        AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_quiet') BEGIN
        INSERT OR REPLACE INTO sync_changes (kind, seq, mark) VALUES (0, old.source_seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0));
    END;
    CREATE TRIGGER sync_occurrences_insert AFTER INSERT ON occurrences
    WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')
        AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_quiet') BEGIN
        INSERT OR REPLACE INTO sync_changes (kind, seq, mark) VALUES (0, new.entry_seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0));
    END;
    CREATE TRIGGER sync_occurrences_update AFTER UPDATE ON occurrences
    WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')
        AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_quiet') BEGIN
        INSERT OR REPLACE INTO sync_changes (kind, seq, mark) VALUES (0, new.entry_seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0));
    END;
    CREATE TRIGGER sync_occurrences_delete AFTER DELETE ON occurrences
    WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')
        AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_quiet') BEGIN
        INSERT OR REPLACE INTO sync_changes (kind, seq, mark) VALUES (0, old.entry_seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0));
    END;
    CREATE TRIGGER sync_reply_revisions_insert AFTER INSERT ON reply_revisions
    WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')
        AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_quiet') BEGIN
        INSERT OR REPLACE INTO sync_changes (kind, seq, mark) VALUES (1, new.reply_seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0));
    END;
    CREATE TRIGGER sync_reply_revisions_update AFTER UPDATE ON reply_revisions
    WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')
        AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_quiet') BEGIN
        INSERT OR REPLACE INTO sync_changes (kind, seq, mark) VALUES (1, new.reply_seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0));
    END;
    CREATE TRIGGER sync_reply_revisions_delete AFTER DELETE ON reply_revisions
    WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')
        AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_quiet') BEGIN
        INSERT OR REPLACE INTO sync_changes (kind, seq, mark) VALUES (1, old.reply_seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0));
    END;
    CREATE TRIGGER sync_endorsements_insert AFTER INSERT ON endorsements
    WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')
        AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_quiet') BEGIN
        INSERT OR REPLACE INTO sync_changes (kind, seq, mark) SELECT 0, seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0) FROM entries WHERE id = new.record_id
            UNION ALL SELECT 1, seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0) FROM replies WHERE id = new.record_id;
    END;
    CREATE TRIGGER sync_endorsements_update AFTER UPDATE ON endorsements
    WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')
        AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_quiet') BEGIN
        INSERT OR REPLACE INTO sync_changes (kind, seq, mark) SELECT 0, seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0) FROM entries WHERE id = new.record_id
            UNION ALL SELECT 1, seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0) FROM replies WHERE id = new.record_id;
    END;
    CREATE TRIGGER sync_endorsements_delete AFTER DELETE ON endorsements
    WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')
        AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_quiet') BEGIN
        INSERT OR REPLACE INTO sync_changes (kind, seq, mark) SELECT 0, seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0) FROM entries WHERE id = old.record_id
            UNION ALL SELECT 1, seq, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0) FROM replies WHERE id = old.record_id;
    END;
    "#,
    // 13: the web view's home (issue 20), "what is new this week", from indexes. Reply times
    // had none, so each section read every reply (bodies and all) to find a week's few hundred;
    // the accepted answers are a small covering index of their own (the stamp's millisecond
    // part is read from it, not from the row), and an occurrence's time finds the week's hits.
    r#"
    CREATE INDEX replies_by_created ON replies(created_ms);
    CREATE INDEX replies_accepted ON replies(accepted_at, entry_seq, id, accepted_by)
        WHERE accepted = 1 AND deleted = 0;
    CREATE INDEX occurrences_by_time ON occurrences(at_ms);
    "#,
    // 14: the web view's home at 100,000 entries (issue 20). Counting the week's new entries
    // and replies read each one's row (an entry's holds its body) for two columns, and those
    // reads pushed the rest of the page out of SQLite's cache; these hold every column the
    // counts read, in the order the sections list them. The waiting questions (live, not
    // resolved) in the order the home lists them, with every column their condition reads:
    // the newest ten are the first ten, where sorting every question read most of the table.
    r#"
    CREATE INDEX entries_news ON entries(created_ms, id, deleted, domain);
    CREATE INDEX replies_news ON replies(created_ms, id, deleted, entry_seq);
    CREATE INDEX entries_waiting ON entries(created_ms, id, domain, deleted, kind, resolved)
        WHERE deleted = 0 AND kind = 'question' AND resolved IS NOT 1;
    "#,
    // 15: the server-remote triggers of 12, in half the text. SQLite parses the whole schema
    // each time a command opens the database, and 12's 22 triggers, each repeating the same
    // condition and mark, took 1.6 M of a 7 M-instruction `rep list`; these take 0.8 M. The
    // view holds the condition and the mark once; a trigger inserts what it yields, which is
    // nothing unless changes are tracked and not silenced, as 12's condition was. An upsert,
    // not 12's INSERT OR REPLACE: a trigger takes the conflict rule of the statement that
    // fired it, and under an upsert (a tag set again) a second mark of the same record failed
    // the key where it should replace the first; an upsert's own target is never overridden.
    r#"
    DROP TRIGGER sync_entry_insert; DROP TRIGGER sync_entry_update;
    DROP TRIGGER sync_reply_insert; DROP TRIGGER sync_reply_update;
    DROP TRIGGER sync_entry_tags_insert; DROP TRIGGER sync_entry_tags_update;
    DROP TRIGGER sync_entry_tags_delete; DROP TRIGGER sync_revisions_insert;
    DROP TRIGGER sync_revisions_update; DROP TRIGGER sync_revisions_delete;
    DROP TRIGGER sync_links_insert; DROP TRIGGER sync_links_update;
    DROP TRIGGER sync_links_delete; DROP TRIGGER sync_occurrences_insert;
    DROP TRIGGER sync_occurrences_update; DROP TRIGGER sync_occurrences_delete;
    DROP TRIGGER sync_reply_revisions_insert; DROP TRIGGER sync_reply_revisions_update;
    DROP TRIGGER sync_reply_revisions_delete; DROP TRIGGER sync_endorsements_insert;
    DROP TRIGGER sync_endorsements_update; DROP TRIGGER sync_endorsements_delete;
    CREATE VIEW sync_mark AS
        SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0) AS mark
        WHERE EXISTS (SELECT 1 FROM meta WHERE key = 'sync_track')
            AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync_quiet');
    CREATE TRIGGER sync_entry_insert AFTER INSERT ON entries BEGIN
        INSERT INTO sync_changes (kind, seq, mark) SELECT 0, new.seq, mark FROM sync_mark WHERE true
            ON CONFLICT (kind, seq) DO UPDATE SET mark = excluded.mark;
    END;
    CREATE TRIGGER sync_entry_update AFTER UPDATE ON entries BEGIN
        INSERT INTO sync_changes (kind, seq, mark) SELECT 0, new.seq, mark FROM sync_mark WHERE true
            ON CONFLICT (kind, seq) DO UPDATE SET mark = excluded.mark;
    END;
    CREATE TRIGGER sync_reply_insert AFTER INSERT ON replies BEGIN
        INSERT INTO sync_changes (kind, seq, mark) SELECT 1, new.seq, mark FROM sync_mark WHERE true
            ON CONFLICT (kind, seq) DO UPDATE SET mark = excluded.mark;
    END;
    CREATE TRIGGER sync_reply_update AFTER UPDATE ON replies BEGIN
        INSERT INTO sync_changes (kind, seq, mark) SELECT 1, new.seq, mark FROM sync_mark WHERE true
            ON CONFLICT (kind, seq) DO UPDATE SET mark = excluded.mark;
    END;
    CREATE TRIGGER sync_entry_tags_insert AFTER INSERT ON entry_tags BEGIN
        INSERT INTO sync_changes (kind, seq, mark) SELECT 0, new.entry_seq, mark FROM sync_mark WHERE true
            ON CONFLICT (kind, seq) DO UPDATE SET mark = excluded.mark;
    END;
    CREATE TRIGGER sync_entry_tags_update AFTER UPDATE ON entry_tags BEGIN
        INSERT INTO sync_changes (kind, seq, mark) SELECT 0, new.entry_seq, mark FROM sync_mark WHERE true
            ON CONFLICT (kind, seq) DO UPDATE SET mark = excluded.mark;
    END;
    CREATE TRIGGER sync_entry_tags_delete AFTER DELETE ON entry_tags BEGIN
        INSERT INTO sync_changes (kind, seq, mark) SELECT 0, old.entry_seq, mark FROM sync_mark WHERE true
            ON CONFLICT (kind, seq) DO UPDATE SET mark = excluded.mark;
    END;
    CREATE TRIGGER sync_revisions_insert AFTER INSERT ON revisions BEGIN
        INSERT INTO sync_changes (kind, seq, mark) SELECT 0, new.entry_seq, mark FROM sync_mark WHERE true
            ON CONFLICT (kind, seq) DO UPDATE SET mark = excluded.mark;
    END;
    CREATE TRIGGER sync_revisions_update AFTER UPDATE ON revisions BEGIN
        INSERT INTO sync_changes (kind, seq, mark) SELECT 0, new.entry_seq, mark FROM sync_mark WHERE true
            ON CONFLICT (kind, seq) DO UPDATE SET mark = excluded.mark;
    END;
    CREATE TRIGGER sync_revisions_delete AFTER DELETE ON revisions BEGIN
        INSERT INTO sync_changes (kind, seq, mark) SELECT 0, old.entry_seq, mark FROM sync_mark WHERE true
            ON CONFLICT (kind, seq) DO UPDATE SET mark = excluded.mark;
    END;
    CREATE TRIGGER sync_links_insert AFTER INSERT ON links BEGIN
        INSERT INTO sync_changes (kind, seq, mark) SELECT 0, new.source_seq, mark FROM sync_mark WHERE true
            ON CONFLICT (kind, seq) DO UPDATE SET mark = excluded.mark;
    END;
    CREATE TRIGGER sync_links_update AFTER UPDATE ON links BEGIN
        INSERT INTO sync_changes (kind, seq, mark) SELECT 0, new.source_seq, mark FROM sync_mark WHERE true
            ON CONFLICT (kind, seq) DO UPDATE SET mark = excluded.mark;
    END;
    CREATE TRIGGER sync_links_delete AFTER DELETE ON links BEGIN
        INSERT INTO sync_changes (kind, seq, mark) SELECT 0, old.source_seq, mark FROM sync_mark WHERE true
            ON CONFLICT (kind, seq) DO UPDATE SET mark = excluded.mark;
    END;
    CREATE TRIGGER sync_occurrences_insert AFTER INSERT ON occurrences BEGIN
        INSERT INTO sync_changes (kind, seq, mark) SELECT 0, new.entry_seq, mark FROM sync_mark WHERE true
            ON CONFLICT (kind, seq) DO UPDATE SET mark = excluded.mark;
    END;
    CREATE TRIGGER sync_occurrences_update AFTER UPDATE ON occurrences BEGIN
        INSERT INTO sync_changes (kind, seq, mark) SELECT 0, new.entry_seq, mark FROM sync_mark WHERE true
            ON CONFLICT (kind, seq) DO UPDATE SET mark = excluded.mark;
    END;
    CREATE TRIGGER sync_occurrences_delete AFTER DELETE ON occurrences BEGIN
        INSERT INTO sync_changes (kind, seq, mark) SELECT 0, old.entry_seq, mark FROM sync_mark WHERE true
            ON CONFLICT (kind, seq) DO UPDATE SET mark = excluded.mark;
    END;
    CREATE TRIGGER sync_reply_revisions_insert AFTER INSERT ON reply_revisions BEGIN
        INSERT INTO sync_changes (kind, seq, mark) SELECT 1, new.reply_seq, mark FROM sync_mark WHERE true
            ON CONFLICT (kind, seq) DO UPDATE SET mark = excluded.mark;
    END;
    CREATE TRIGGER sync_reply_revisions_update AFTER UPDATE ON reply_revisions BEGIN
        INSERT INTO sync_changes (kind, seq, mark) SELECT 1, new.reply_seq, mark FROM sync_mark WHERE true
            ON CONFLICT (kind, seq) DO UPDATE SET mark = excluded.mark;
    END;
    CREATE TRIGGER sync_reply_revisions_delete AFTER DELETE ON reply_revisions BEGIN
        INSERT INTO sync_changes (kind, seq, mark) SELECT 1, old.reply_seq, mark FROM sync_mark WHERE true
            ON CONFLICT (kind, seq) DO UPDATE SET mark = excluded.mark;
    END;
    CREATE TRIGGER sync_endorsements_insert AFTER INSERT ON endorsements BEGIN
        INSERT INTO sync_changes (kind, seq, mark)
            SELECT * FROM (SELECT 0, e.seq, mark FROM sync_mark, entries e WHERE e.id = new.record_id
                UNION ALL SELECT 1, r.seq, mark FROM sync_mark, replies r WHERE r.id = new.record_id)
            WHERE true ON CONFLICT (kind, seq) DO UPDATE SET mark = excluded.mark;
    END;
    CREATE TRIGGER sync_endorsements_update AFTER UPDATE ON endorsements BEGIN
        INSERT INTO sync_changes (kind, seq, mark)
            SELECT * FROM (SELECT 0, e.seq, mark FROM sync_mark, entries e WHERE e.id = new.record_id
                UNION ALL SELECT 1, r.seq, mark FROM sync_mark, replies r WHERE r.id = new.record_id)
            WHERE true ON CONFLICT (kind, seq) DO UPDATE SET mark = excluded.mark;
    END;
    CREATE TRIGGER sync_endorsements_delete AFTER DELETE ON endorsements BEGIN
        INSERT INTO sync_changes (kind, seq, mark)
            SELECT * FROM (SELECT 0, e.seq, mark FROM sync_mark, entries e WHERE e.id = old.record_id
                UNION ALL SELECT 1, r.seq, mark FROM sync_mark, replies r WHERE r.id = old.record_id)
            WHERE true ON CONFLICT (kind, seq) DO UPDATE SET mark = excluded.mark;
    END;
    "#,
];

pub const LATEST: u32 = MIGRATIONS.len() as u32;

/// Databases older than this were written before history and sets were bounded (limits): the
/// upgrade applies the bounds to every entry, so that every record is shareable again.
pub const BOUNDED_FROM: u32 = 4;

/// Databases older than this hold no `body_folded` (migration 6): the upgrade computes it.
pub const FOLDED_FROM: u32 = 6;
