//! SQL of ranked search: the word index (`entries_words`: the name a tool is called by, the
//! title, tags and command, unstemmed and normalised; bodies only in `entries_fts`), exact
//! names (`entry_names`), the match tiers, spelling corrections from the index's own
//! vocabulary, and entries similar to a question.
//!
//! Tiers, best first: the whole query is an entry's name or title; every word is a whole word
//! of its name or title; the same with the last word as a prefix; every word a whole word of
//! the word index's fields; the same with the last word as a prefix; then every word by stem
//! anywhere, the body too (`entries_fts`, Porter; a half-typed last word also as its likely
//! completions, see [`Words::fts_stemmed`]). A name or title that matches outranks a body that
//! matches better: what people type first is what they call the thing. Within a tier, bm25
//! with the field weights below; in the stemmed tier, the hits that hold the words close
//! together first ([`Words::fts_near`]), as a page that describes a task in the words typed. Each tier ranks its top k in the full-text table alone
//! (`ORDER BY bm25(...) LIMIT k`, no join, when there is no filter), and only the k rows shown
//! are read.

use std::collections::HashSet;

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use super::entries::{COLUMNS, Filter, entry_from_row, short_id};
use crate::model::EntrySeq;
use crate::model::SearchHit;
use crate::search::{self, EditKind, Words};
use crate::text::{HIGHLIGHT_END, HIGHLIGHT_START};

/// bm25 weights of `entries_words`' columns: name, title, tags, command. A tool's name weighs
/// as much as a title (people look tools up by the command they type), then tags and the
/// command, as in `entries_fts` (10, 5, 2).
const WORD_WEIGHTS: &str = "10.0, 10.0, 5.0, 2.0";

/// The word index's row of a new live entry (folded here, in Rust, on whichever thread). The
/// body is not in it (see migration 4).
pub struct WordsRow {
    pub name: String,
    pub title: String,
    pub tags: String,
    pub command: Option<String>,
    pub keys: Vec<String>,
}

impl WordsRow {
    pub fn new(title: &str, tags: &str, command: Option<&str>) -> WordsRow {
        WordsRow {
            name: search::index_name(title, command),
            title: search::index_text(title),
            tags: search::index_text(tags),
            command: command.map(search::index_text),
            keys: search::exact_keys(title),
        }
    }
}

pub(super) const INSERT_WORDS: &str =
    "INSERT INTO entries_words(rowid, name, title, tags, command) VALUES (?1, ?2, ?3, ?4, ?5)";
pub(super) const INSERT_NAME: &str =
    "INSERT OR IGNORE INTO entry_names(name, entry_seq) VALUES (?1, ?2)";

/// Add a new live entry to the word index and the exact names.
pub(super) fn index_new_entry(
    conn: &Connection,
    seq: EntrySeq,
    row: &WordsRow,
) -> anyhow::Result<()> {
    conn.prepare_cached(INSERT_WORDS)?.execute(params![
        seq,
        row.name,
        row.title,
        row.tags,
        row.command
    ])?;
    let mut names = conn.prepare_cached(INSERT_NAME)?;
    for key in &row.keys {
        names.execute(params![key, seq])?;
    }
    Ok(())
}

/// Index the entries changed since the last time (see migration 5); run before every write
/// transaction commits, and when a database is opened. Returns how many were indexed.
pub(super) fn catch_up(conn: &Connection) -> anyhow::Result<usize> {
    let pending: Vec<EntrySeq> = conn
        .prepare_cached("SELECT seq FROM entries_words_pending")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if pending.is_empty() {
        return Ok(0);
    }
    let mut live = conn.prepare_cached(
        "SELECT title, tags, command FROM entries WHERE seq = ?1 AND deleted = 0",
    )?;
    for &seq in &pending {
        let row = live
            .query_row([seq], |r| {
                let (title, tags, command): (String, String, Option<String>) =
                    (r.get(0)?, r.get(1)?, r.get(2)?);
                Ok(WordsRow::new(&title, &tags, command.as_deref()))
            })
            .optional()?;
        conn.prepare_cached("DELETE FROM entries_words WHERE rowid = ?1")?
            .execute([seq])?;
        conn.prepare_cached("DELETE FROM entry_names WHERE entry_seq = ?1")?
            .execute([seq])?;
        if let Some(row) = row {
            index_new_entry(conn, seq, &row)?;
        }
    }
    conn.execute("DELETE FROM entries_words_pending", [])?;
    Ok(pending.len())
}

/// Whether entries wait to be indexed (after another program changed them).
pub(super) fn has_pending(conn: &Connection) -> anyhow::Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM entries_words_pending)",
        [],
        |r| r.get(0),
    )?)
}

/// Empty the word index and queue every live entry (`rep doctor --repair`).
pub(super) fn queue_rebuild(conn: &Connection) -> anyhow::Result<()> {
    conn.execute_batch(
        "INSERT INTO entries_words(entries_words) VALUES ('delete-all');
         DELETE FROM entry_names;
         INSERT OR IGNORE INTO entries_words_pending(seq) SELECT seq FROM live_entries;",
    )?;
    Ok(())
}

/// How a hit matched, best first (see the module's comment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    Exact,
    NameWords,
    NamePrefix,
    Words,
    Prefix,
    Stem,
}

impl Tier {
    pub fn name(self) -> &'static str {
        match self {
            Tier::Exact => "exact",
            Tier::NameWords => "name",
            Tier::Words => "words",
            Tier::NamePrefix => "name-prefix",
            Tier::Prefix => "prefix",
            Tier::Stem => "stem",
        }
    }
}

/// The hits of a ranked search, and the words searched for instead when the typed ones matched
/// nothing.
#[derive(Debug, Default)]
pub struct Ranked {
    pub hits: Vec<SearchHit>,
    pub corrected: Option<Correction>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// The words that matched nothing, as typed (normalised).
    pub unmatched: Vec<String>,
    /// The query searched for instead.
    pub query: String,
}

/// Ranked search of what a user typed: the tiers in order until `limit` hits (all with
/// `None`); when nothing matches and a word is unknown to the index, the same with the
/// nearest known words.
pub fn search(
    conn: &Connection,
    text: &str,
    filter: &Filter,
    limit: Option<usize>,
) -> anyhow::Result<Ranked> {
    let Some(words) = Words::parse(text) else {
        return Ok(Ranked::default());
    };
    let found = ranked_seqs(conn, &words, filter, limit)?;
    if !found.is_empty() {
        return Ok(Ranked {
            hits: load_hits(conn, &words, found)?,
            corrected: None,
        });
    }
    let Some((corrected, unmatched)) = correct(conn, &words)? else {
        return Ok(Ranked::default());
    };
    let found = ranked_seqs(conn, &corrected, filter, limit)?;
    if found.is_empty() {
        return Ok(Ranked::default());
    }
    Ok(Ranked {
        hits: load_hits(conn, &corrected, found)?,
        corrected: Some(Correction {
            unmatched,
            query: corrected.text(),
        }),
    })
}

/// The rows of the best `limit` hits with their tier and score.
fn ranked_seqs(
    conn: &Connection,
    words: &Words,
    filter: &Filter,
    limit: Option<usize>,
) -> anyhow::Result<Vec<(EntrySeq, Tier, f64)>> {
    let mut hits = Collected {
        found: Vec::new(),
        seen: HashSet::new(),
        limit,
    };
    let exact = exact_matches(conn, &search::exact_key(&words.text()), filter)?;
    hits.add(exact, Tier::Exact);
    let mut tiers = vec![(Tier::NameWords, words.fts_in_names(false))];
    if words.last_is_prefix {
        tiers.push((Tier::NamePrefix, words.fts_in_names(true)));
    }
    tiers.push((Tier::Words, words.fts(false)));
    if words.last_is_prefix {
        tiers.push((Tier::Prefix, words.fts(true)));
    }
    // The last tier of each index matches every row its earlier ones do: after the first
    // (whose hits usually fill a common word's page), ask whether it holds any row more.
    let widest = tiers.last().map(|(_, q)| q.clone()).unwrap_or_default();
    for (i, (tier, query)) in tiers.into_iter().enumerate() {
        if hits.full() || (i == 1 && !hits.may_grow(conn, Index::Words, &widest, filter)?) {
            break;
        }
        let rows = ranked(conn, Index::Words, &query, filter, hits.want())?;
        hits.add(rows, tier);
    }
    // Bodies are only in the stemmed index: a corrected query needs this tier too. Hits that
    // hold the words close together come first: bm25 weighs each word, not how they stand.
    let stemmed = words.fts_stemmed();
    if !hits.may_grow(conn, Index::Stems, &stemmed, filter)? {
        return Ok(hits.found);
    }
    if !hits.full()
        && let Some(near) = words.fts_near()
    {
        let rows = ranked(conn, Index::Stems, &near, filter, hits.want())?;
        hits.add(rows, Tier::Stem);
    }
    if !hits.full() {
        let rows = ranked(conn, Index::Stems, &stemmed, filter, hits.want())?;
        hits.add(rows, Tier::Stem);
    }
    Ok(hits.found)
}

/// The hits found so far, tier after tier, up to a limit.
struct Collected {
    found: Vec<(EntrySeq, Tier, f64)>,
    seen: HashSet<EntrySeq>,
    limit: Option<usize>,
}

impl Collected {
    fn full(&self) -> bool {
        self.limit.is_some_and(|l| self.found.len() >= l)
    }

    /// Enough rows to fill the limit after those already found are skipped (-1: all).
    fn want(&self) -> i64 {
        self.limit.map_or(-1, |l| (l + self.found.len()) as i64)
    }

    fn add(&mut self, rows: Vec<(EntrySeq, f64)>, tier: Tier) {
        for (seq, score) in rows {
            if !self.full() && self.seen.insert(seq) {
                self.found.push((seq, tier, score));
            }
        }
    }

    /// Whether `query` on `index` (the widest of the tiers to come) matches a row not yet
    /// found: asked without ranking, for at most one row more than found, it costs a fraction
    /// of a ranked query, and a rare phrase whose few hits the first tier found all skips the
    /// later tiers, which would rank the same rows again (bm25 counts every phrase's rows to
    /// rank any). Always true under a filter, where it would rarely be false.
    fn may_grow(
        &self,
        conn: &Connection,
        index: Index,
        query: &str,
        filter: &Filter,
    ) -> anyhow::Result<bool> {
        if self.full() {
            return Ok(false);
        }
        if !filter.is_everything() {
            return Ok(true);
        }
        let table = index.table();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT rowid FROM {table} WHERE {table} MATCH ?1 LIMIT ?2"
        ))?;
        let rows: Vec<EntrySeq> = stmt
            .query_map(params![query, self.found.len() as i64 + 1], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(rows.len() > self.found.len() || rows.iter().any(|seq| !self.seen.contains(seq)))
    }
}

fn exact_matches(
    conn: &Connection,
    key: &str,
    filter: &Filter,
) -> anyhow::Result<Vec<(EntrySeq, f64)>> {
    let mut params: Vec<Value> = vec![key.to_owned().into()];
    let sql = if filter.is_everything() {
        "SELECT entry_seq, 0.0 FROM entry_names WHERE name = ?1 ORDER BY entry_seq".to_owned()
    } else {
        format!(
            "SELECT e.seq, 0.0 FROM entry_names n JOIN entries e ON e.seq = n.entry_seq
             WHERE n.name = ?1 AND {} ORDER BY e.seq",
            filter.sql(&mut params)
        )
    };
    rows(conn, &sql, params)
}

/// A full-text table ranked search reads, with the expression that ranks its hits (bm25 with
/// the table's field weights; lower is better).
#[derive(Clone, Copy)]
enum Index {
    /// The word index: names, titles, tags and commands, unstemmed.
    Words,
    /// The stemmed index, bodies included, with its own weights (its `rank`).
    Stems,
}

impl Index {
    fn table(self) -> &'static str {
        match self {
            Index::Words => "entries_words",
            Index::Stems => "entries_fts",
        }
    }

    fn rank(self) -> String {
        match self {
            Index::Words => format!("bm25(entries_words, {WORD_WEIGHTS})"),
            // FTS5 sorts by `rank` itself, without scoring every hit into a sorter.
            Index::Stems => "entries_fts.rank".to_owned(),
        }
    }
}

/// The best `limit` rows (-1: all) of a query on `index`, best first. Without a filter the
/// full-text table alone is read; the entries are joined only to filter.
fn ranked(
    conn: &Connection,
    index: Index,
    query: &str,
    filter: &Filter,
    limit: i64,
) -> anyhow::Result<Vec<(EntrySeq, f64)>> {
    let (table, rank) = (index.table(), index.rank());
    let mut params: Vec<Value> = vec![query.to_owned().into()];
    let sql = if filter.is_everything() {
        format!("SELECT rowid, {rank} FROM {table} WHERE {table} MATCH ?1 ORDER BY {rank} LIMIT ?2")
    } else {
        let filter_sql = filter.sql(&mut params);
        format!(
            "SELECT e.seq, {rank} FROM {table} JOIN entries e ON e.seq = {table}.rowid
             WHERE {table} MATCH ?1 AND {filter_sql} ORDER BY {rank} LIMIT ?{}",
            params.len() + 1
        )
    };
    params.push(limit.into());
    rows(conn, &sql, params)
}

fn rows(conn: &Connection, sql: &str, params: Vec<Value>) -> anyhow::Result<Vec<(EntrySeq, f64)>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params_from_iter(params), |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Read the rows found, each with a snippet of the stored text around any of the words.
fn load_hits(
    conn: &Connection,
    words: &Words,
    found: Vec<(EntrySeq, Tier, f64)>,
) -> anyhow::Result<Vec<SearchHit>> {
    let mut entry =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM entries e WHERE e.seq = ?1"))?;
    let mut snippets = conn.prepare_cached(&format!(
        "SELECT snippet(entries_fts, -1, char({}), char({}), '…', 16) FROM entries_fts
         WHERE entries_fts MATCH ?1 AND rowid = ?2",
        HIGHLIGHT_START as u32, HIGHLIGHT_END as u32
    ))?;
    // The words whole first: a prefix query merges the postings of every term it covers on
    // each call, which for a common word cost more than the whole ranking.
    let whole = words.fts_any(false);
    let prefixed = words.fts_any(true);
    let completed = words
        .last_is_prefix
        .then(|| words.completed_last())
        .flatten();
    let mut hits = Vec::with_capacity(found.len());
    for (seq, tier, score) in found {
        let mut e = entry.query_row([seq], entry_from_row)?;
        e.short_id = short_id(conn, &e.id)?;
        let mut snippet: Option<String> = snippets
            .query_row(params![whole, seq], |r| r.get(0))
            .optional()?;
        if snippet.is_none() && matches!(tier, Tier::NamePrefix | Tier::Prefix) {
            snippet = snippets
                .query_row(params![prefixed, seq], |r| r.get(0))
                .optional()?;
        }
        if snippet.is_none()
            && tier == Tier::Stem
            && let Some(completed) = &completed
        {
            snippet = snippets
                .query_row(params![completed, seq], |r| r.get(0))
                .optional()?;
        }
        hits.push(SearchHit {
            entry: e,
            score,
            snippet: snippet.unwrap_or_default(),
            matched: Some(tier.name()),
            corrected: None,
        });
    }
    Ok(hits)
}

/// What to search for instead of words that found nothing: the name of an entry one edit
/// from the whole query (names are what people type, and a typo may cross a `-`: `nmc-lassic`,
/// `hub cistatus`), else the words with each one the index does not know (the last, when still
/// being typed, as a prefix) replaced by its nearest known word. `None` when there is none.
fn correct(conn: &Connection, words: &Words) -> anyhow::Result<Option<(Words, Vec<String>)>> {
    let typed = search::exact_key(&words.text());
    if let Some(name) = nearest_name(conn, &typed)?
        && let Some(mut corrected) = Words::parse(&name)
    {
        corrected.last_is_prefix = false;
        return Ok(Some((corrected, vec![typed])));
    }
    let mut corrected = words.clone();
    let mut unmatched = Vec::new();
    let last = words.words.len() - 1;
    for (i, word) in words.words.iter().enumerate() {
        let as_prefix = i == last && words.last_is_prefix;
        let mut fixed = String::new();
        let mut changed = false;
        let tokens = tokens(word);
        for (j, (token, is_word)) in tokens.iter().enumerate() {
            let as_prefix = as_prefix && j + 1 == tokens.len();
            if !is_word || is_known(conn, token, as_prefix)? {
                fixed.push_str(token);
                continue;
            }
            let Some(better) = nearest_known(conn, token)? else {
                return Ok(None);
            };
            fixed.push_str(&better);
            changed = true;
        }
        if changed {
            corrected.words[i] = fixed;
            unmatched.push(word.clone());
            if i == last {
                // The correction is a whole word.
                corrected.last_is_prefix = false;
            }
        }
    }
    Ok((!unmatched.is_empty()).then_some((corrected, unmatched)))
}

/// A word cut where the index cuts it: runs of letters and digits (true), and what is between.
fn tokens(word: &str) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    for c in word.chars() {
        let is_word = c.is_alphanumeric();
        match out.last_mut() {
            Some((run, kind)) if *kind == is_word => run.push(c),
            _ => out.push((c.to_string(), is_word)),
        }
    }
    out
}

/// The entry name or title one edit from `key`, if any (the likeliest, see
/// [`search::best_correction`]).
fn nearest_name(conn: &Connection, key: &str) -> anyhow::Result<Option<String>> {
    // Long keys are sentences, not names, and have many variants to look up.
    if search::max_edits(key) == 0 || key.chars().count() > 40 {
        return Ok(None);
    }
    let known = look_up(
        conn,
        "SELECT name, count(*) FROM entry_names
         WHERE name IN (SELECT value FROM json_each(?1)) GROUP BY name",
        search::one_edit_away(key),
    )?;
    Ok(search::best_correction(key, &known))
}

/// Whether an entry holds this token (as a prefix: a word that starts with it): in the word
/// index, else in a body (the stemmed index), which is no typo to correct either.
fn is_known(conn: &Connection, token: &str, as_prefix: bool) -> anyhow::Result<bool> {
    let in_words = if as_prefix {
        conn.prepare_cached(
            "SELECT 1 FROM entries_words_vocab WHERE term >= ?1 AND term < ?1 || char(1114111) LIMIT 1",
        )?
        .query_row([token], |_| Ok(()))
        .optional()?
        .is_some()
    } else {
        conn.prepare_cached("SELECT 1 FROM entries_words_vocab WHERE term = ?1")?
            .query_row([token], |_| Ok(()))
            .optional()?
            .is_some()
    };
    if in_words {
        return Ok(true);
    }
    let star = if as_prefix { "*" } else { "" };
    Ok(conn
        .prepare_cached("SELECT 1 FROM entries_fts WHERE entries_fts MATCH ?1 LIMIT 1")?
        .query_row([format!("\"{token}\"{star}")], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Which of the variants `sql` (given them as a JSON array) finds, with its count: one
/// statement for the few hundred variants of a word, not one each.
fn look_up(
    conn: &Connection,
    sql: &str,
    variants: Vec<(String, EditKind)>,
) -> anyhow::Result<Vec<(String, EditKind, i64)>> {
    let terms: Vec<&str> = variants.iter().map(|(v, _)| v.as_str()).collect();
    let mut stmt = conn.prepare_cached(sql)?;
    let found: std::collections::HashMap<String, i64> = stmt
        .query_map([serde_json::to_string(&terms)?], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    Ok(variants
        .into_iter()
        .filter_map(|(v, kind)| found.get(&v).map(|&n| (v, kind, n)))
        .collect())
}

/// The known word nearest to `word`: those one edit away are looked up directly; two edits
/// away (long words only), the terms that share its first letter or its second are compared.
fn nearest_known(conn: &Connection, word: &str) -> anyhow::Result<Option<String>> {
    if search::max_edits(word) == 0 {
        return Ok(None);
    }
    let mut known = look_up(
        conn,
        "SELECT term, doc FROM entries_words_vocab
         WHERE term IN (SELECT value FROM json_each(?1))",
        search::one_edit_away(word),
    )?;
    if known.is_empty() && search::max_edits(word) >= 2 {
        let len = word.chars().count();
        let mut scan = conn.prepare_cached(
            "SELECT term, doc FROM entries_words_vocab WHERE term >= ?1 AND term < ?1 || char(1114111)",
        )?;
        let starts: Vec<String> = word.chars().take(2).map(String::from).collect();
        for start in starts.iter().collect::<HashSet<_>>() {
            let rows = scan.query_map([start], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?;
            for row in rows {
                let (term, docs): (String, i64) = row?;
                if term.chars().count().abs_diff(len) <= 2 {
                    known.push((term, EditKind::Compared, docs));
                }
            }
        }
    }
    Ok(search::best_correction(word, &known))
}

/// How many entries bm25 proposes before shared words are counted.
const SIMILAR_CANDIDATES: i64 = 50;

/// Entries similar to a question: of the best bm25 matches of any of its words, those that
/// share at least [`search::min_shared_words`] of them, ranked by the rarity of the words they
/// share (the sum of each word's inverse document frequency, ln(1 + N/df)), so that one common
/// word in common makes no entry similar and a rare one counts more than several common ones.
pub fn similar(conn: &Connection, text: &str, limit: usize) -> anyhow::Result<Vec<SearchHit>> {
    let words = search::similarity_words(text);
    let Some(query) = search::similarity_query(text) else {
        return Ok(Vec::new());
    };
    let candidates: Vec<(EntrySeq, f64)> = rows(
        conn,
        "SELECT rowid, rank FROM entries_fts WHERE entries_fts MATCH ?1 ORDER BY rank LIMIT ?2",
        vec![query.clone().into(), SIMILAR_CANDIDATES.into()],
    )?;
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let total: i64 = conn.query_row("SELECT count(*) FROM entries WHERE deleted = 0", [], |r| {
        r.get(0)
    })?;
    let mut holds =
        conn.prepare_cached("SELECT 1 FROM entries_fts WHERE entries_fts MATCH ?1 AND rowid = ?2")?;
    let mut count =
        conn.prepare_cached("SELECT count(*) FROM entries_fts WHERE entries_fts MATCH ?1")?;
    let weights: Vec<(String, f64)> = words
        .iter()
        .map(|w| {
            // Counted in the stemmed index, which holds the bodies.
            let docs: i64 = count
                .query_row([format!("\"{w}\"")], |r| r.get::<_, i64>(0))?
                .max(1);
            Ok((format!("\"{w}\""), (1.0 + total as f64 / docs as f64).ln()))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut scored: Vec<(f64, usize, EntrySeq, f64)> = Vec::new();
    for (order, (seq, rank)) in candidates.into_iter().enumerate() {
        let mut shared = 0;
        let mut weight = 0.0;
        for (word, idf) in &weights {
            if holds
                .query_row(params![word, seq], |_| Ok(()))
                .optional()?
                .is_some()
            {
                shared += 1;
                weight += idf;
            }
        }
        if shared >= search::min_shared_words(words.len()) {
            scored.push((weight, order, seq, rank));
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.truncate(limit);
    let found = scored
        .into_iter()
        .map(|(weight, _, seq, _)| (seq, Tier::Stem, -weight))
        .collect();
    let mut hits = load_hits(
        conn,
        &Words {
            words,
            last_is_prefix: false,
        },
        found,
    )?;
    for hit in &mut hits {
        hit.matched = None;
    }
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Stamp;
    use crate::replica::TextField;
    use crate::store::Store;
    use crate::store::entries::{NewEntry, insert, set_deleted, set_field};

    fn tool(title: &str, body: &str) -> NewEntry {
        NewEntry {
            kind: "tool".into(),
            title: title.into(),
            body: body.into(),
            domain: "ops".into(),
            tags: vec![],
            author: "ana".into(),
            command: None,
            link: None,
        }
    }

    fn titles(store: &mut Store, text: &str) -> Vec<String> {
        store
            .read(|c| search(c, text, &Filter::default(), Some(10)))
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.entry.title)
            .collect()
    }

    fn edit(store: &mut Store, seq: EntrySeq, field: TextField, value: &str) {
        store
            .write(|w| {
                let stamp: Stamp = w.tick(2)?;
                set_field(w.conn(), seq, field, Some(value), &stamp, "ana", 2)
            })
            .unwrap();
    }

    #[test]
    fn changes_reach_the_word_index_before_the_write_commits() {
        let mut store = Store::open_in_memory().unwrap();
        let (seq, _) = store
            .write(|w| insert(w, &tool("Rotate certificates", ""), 1))
            .unwrap();
        assert_eq!(titles(&mut store, "certifica"), ["Rotate certificates"]);
        edit(&mut store, seq, TextField::Title, "E[x]pire tokens");
        assert!(titles(&mut store, "certifica").is_empty());
        assert_eq!(titles(&mut store, "expire"), ["E[x]pire tokens"]);
        edit(&mut store, seq, TextField::Command, "ﬁle-keys --expire");
        assert_eq!(titles(&mut store, "file keys"), ["E[x]pire tokens"]);
        // Bodies are searched through the stemmed index.
        edit(
            &mut store,
            seq,
            TextField::Body,
            "Revokes the old sessions.",
        );
        assert_eq!(titles(&mut store, "revoked session"), ["E[x]pire tokens"]);
        store
            .write(|w| {
                let stamp = w.tick(3)?;
                set_deleted(w.conn(), seq, true, &stamp, "ana", 3)
            })
            .unwrap();
        assert!(titles(&mut store, "expire").is_empty());
        store
            .read(|c| {
                Ok(c.execute_batch(
                    "INSERT INTO entries_words(entries_words) VALUES ('integrity-check')",
                )?)
            })
            .unwrap();
    }

    #[test]
    fn a_change_by_another_program_is_indexed_at_the_next_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rep.db");
        let mut store = Store::open(&path).unwrap();
        store
            .write(|w| insert(w, &tool("Rotate certificates", ""), 1))
            .unwrap();
        drop(store);
        let other = Connection::open(&path).unwrap();
        other
            .execute("UPDATE entries SET title = 'Renew tokens'", [])
            .unwrap();
        drop(other);
        let mut store = Store::open(&path).unwrap();
        assert_eq!(titles(&mut store, "renew"), ["Renew tokens"]);
        assert!(titles(&mut store, "rotate").is_empty());
    }

    #[test]
    fn a_body_with_the_words_together_outranks_one_with_them_apart() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .write(|w| {
                // Shorter, so bm25 alone ranks it first: each word, far from the others.
                insert(
                    w,
                    &tool(
                        "Mail rules",
                        "Extract the logs. Compressed images go elsewhere. Then archive mail.",
                    ),
                    1,
                )?;
                insert(
                    w,
                    &tool(
                        "Unpack tool",
                        "Extract a compressed archive into the current directory, list what it \
                         holds, keep a log of every name it writes and report the sizes of the \
                         folders it made, then remove what it left behind.",
                    ),
                    1,
                )
            })
            .unwrap();
        assert_eq!(
            titles(&mut store, "extract compressed archive"),
            ["Unpack tool", "Mail rules"]
        );
        // One word: nearness says nothing, bm25 alone ranks.
        assert_eq!(
            titles(&mut store, "compressed"),
            ["Mail rules", "Unpack tool"]
        );
    }

    #[test]
    fn typos_are_corrected_from_names_then_words() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .write(|w| {
                insert(w, &tool("pw-profiler — Profile a PipeWire graph.", ""), 1)?;
                let mut sync = tool("Sync the mirrors", "Copies the archive over.");
                sync.command = Some("rsync -a".into());
                insert(w, &sync, 1)
            })
            .unwrap();
        let ranked = |store: &mut Store, text: &str| {
            store
                .read(|c| search(c, text, &Filter::default(), Some(10)))
                .unwrap()
        };
        let r = ranked(&mut store, "pw-profler");
        assert_eq!(
            r.hits[0].entry.title,
            "pw-profiler — Profile a PipeWire graph."
        );
        assert_eq!(r.corrected.unwrap().query, "pw-profiler");
        let r = ranked(&mut store, "rsycn archive");
        assert_eq!(r.hits[0].entry.title, "Sync the mirrors");
        let corrected = r.corrected.unwrap();
        assert_eq!(corrected.query, "rsync archive");
        assert_eq!(corrected.unmatched, ["rsycn"]);
        // A word of a body only is known (the stemmed index holds it), not corrected.
        let r = ranked(&mut store, "rsycn copies");
        assert_eq!(r.corrected.unwrap().query, "rsync copies");
        assert!(ranked(&mut store, "rsync").corrected.is_none());
        assert!(ranked(&mut store, "qqqqzz").hits.is_empty());
    }
}
