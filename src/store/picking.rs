//! SQL of the pickers: a first page of the most recently changed entries, then, as the user
//! types, the entries matching the words typed, found in the database (the ranked search) so
//! that every live entry is in reach without ever loading them all.

use rusqlite::Connection;
use rusqlite::params_from_iter;
use rusqlite::types::Value;

use super::entries::{COLUMNS, Filter, Scope};
use super::ranking::{self, Tier};
use crate::ids;
use crate::model::Entry;

/// Rows a picker asks for at a time: more than a screen shows, few enough to read in a few
/// milliseconds at 100,000 entries (docs/performance.md).
pub const PAGE: usize = 200;

/// What a picker offers.
#[derive(Debug, Clone, Copy)]
pub struct Offer<'a> {
    pub scope: Scope,
    /// Only these kinds (any when empty).
    pub kinds: &'a [&'a str],
    /// Only entries with a command (`rep pick`).
    pub with_command: bool,
}

/// The entries to list for `query`: the [`PAGE`] most recently changed when it is blank, else
/// those whose id starts with it, then the best matches of the ranked search (live entries) and
/// of a plain word match (deleted ones, which the word index does not hold). Bodies are left
/// empty: a picker shows one line per entry.
pub fn offered(conn: &Connection, offer: Offer<'_>, query: &str) -> anyhow::Result<Vec<Entry>> {
    let query = query.trim();
    if query.is_empty() {
        return recent(conn, offer);
    }
    let mut found = by_id_prefix(conn, offer, query)?;
    if offer.scope != Scope::Deleted {
        found.extend(by_title_prefix(conn, offer, query)?);
        found.extend(ranked(conn, offer, &whole_short_last_word(query))?);
    }
    if offer.scope != Scope::Live {
        found.extend(deleted_matching(conn, offer, query)?);
    }
    let mut seen = std::collections::HashSet::new();
    found.retain(|e| seen.insert(e.id.clone()));
    found.truncate(PAGE);
    Ok(found)
}

/// The SQL condition and its parameters for an offer's scope, kinds and command.
fn offer_sql(offer: Offer<'_>, scope: Scope, params: &mut Vec<Value>) -> String {
    let mut sql = String::from(match scope {
        Scope::Live => "e.deleted = 0",
        Scope::Deleted => "e.deleted = 1",
        Scope::Any => "1",
    });
    if !offer.kinds.is_empty() {
        let marks: Vec<String> = offer
            .kinds
            .iter()
            .map(|k| {
                params.push((*k).to_owned().into());
                format!("?{}", params.len())
            })
            .collect();
        sql.push_str(&format!(" AND e.kind IN ({})", marks.join(", ")));
    }
    if offer.with_command {
        sql.push_str(" AND e.command IS NOT NULL AND e.command != ''");
    }
    sql
}

fn query(conn: &Connection, sql: &str, params: Vec<Value>) -> anyhow::Result<Vec<Entry>> {
    let mut stmt = conn.prepare_cached(sql)?;
    super::entries::entries_of(conn, &mut stmt, params)
}

fn columns() -> String {
    COLUMNS.replacen("e.body", "''", 1)
}

/// Kinds this rare or rarer are read through `entries_for_analysis` and sorted; commoner ones by
/// walking `entries_by_updated` until a page is full. Walking for a rare kind reads nearly every
/// row (2.5 s for 20 questions among 100,000 tools, cold); sorting a common one sorts them all.
const RARE_KINDS: i64 = 5_000;

/// The first page: most recently changed first.
fn recent(conn: &Connection, offer: Offer<'_>) -> anyhow::Result<Vec<Entry>> {
    let mut params = Vec::new();
    let mut condition = offer_sql(offer, offer.scope, &mut params);
    if offer.scope == Scope::Live && !kinds_are_rare(conn, offer)? {
        // The unary + keeps the planner off entries_for_analysis (deleted, kind, ...), which
        // would make it sort every live entry instead of reading them in the order shown.
        condition = condition.replacen("e.deleted = 0", "+e.deleted = 0", 1);
    }
    params.push((PAGE as i64).into());
    let sql = format!(
        "SELECT {} FROM entries e WHERE {condition} ORDER BY e.updated_ms DESC, e.id LIMIT ?{}",
        columns(),
        params.len()
    );
    query(conn, &sql, params)
}

/// Whether the kinds asked for are rare enough to find through their index and sort (no kinds
/// asked for: every entry, the commonest case).
fn kinds_are_rare(conn: &Connection, offer: Offer<'_>) -> anyhow::Result<bool> {
    if offer.kinds.is_empty() {
        return Ok(false);
    }
    let mut params = Vec::new();
    let condition = offer_sql(
        Offer {
            with_command: false,
            ..offer
        },
        Scope::Live,
        &mut params,
    );
    // Counting stops at the threshold: a covering index scan of at most that many rows.
    let sql = format!(
        "SELECT count(*) FROM (SELECT 1 FROM entries e WHERE {condition} LIMIT {})",
        RARE_KINDS + 1
    );
    let rows: i64 = conn
        .prepare_cached(&sql)?
        .query_row(params_from_iter(params), |r| r.get(0))?;
    Ok(rows <= RARE_KINDS)
}

/// Entries whose id starts with what was typed, when it reads as an id prefix: the list shows
/// short ids, so people type them.
fn by_id_prefix(conn: &Connection, offer: Offer<'_>, text: &str) -> anyhow::Result<Vec<Entry>> {
    let Some(prefix) = ids::normalize_prefix(text).filter(|p| p.len() >= ids::MIN_PREFIX) else {
        return Ok(Vec::new());
    };
    let mut params = vec![Value::from(prefix)];
    let condition = offer_sql(offer, offer.scope, &mut params);
    let sql = format!(
        "SELECT {} FROM entries e WHERE e.id >= ?1 AND e.id < ?1 || '~' AND {condition}
         ORDER BY e.id LIMIT {PAGE}",
        columns()
    );
    query(conn, &sql, params)
}

/// Shortest half-typed last word searched as a prefix: a prefix of one or two letters matches
/// most of a large repertoire, and ranking them all took 12 s at 100,000 entries (`r`), so a
/// shorter one is searched as a whole word, and titles that start with the text
/// ([`by_title_prefix`]) stand in for its completions.
const MIN_PREFIX_CHARS: usize = 3;

fn whole_short_last_word(text: &str) -> String {
    let last = text.split_whitespace().last().unwrap_or("");
    if last.chars().count() < MIN_PREFIX_CHARS {
        format!("{text} ")
    } else {
        text.to_owned()
    }
}

/// Live entries whose title starts with the text typed (case aside), in title order: one range
/// of `entries_by_title`, quick for any prefix.
fn by_title_prefix(conn: &Connection, offer: Offer<'_>, text: &str) -> anyhow::Result<Vec<Entry>> {
    // The first string after every string that starts with `text`, in NOCASE order.
    let Some(last) = text.chars().last() else {
        return Ok(Vec::new());
    };
    let Some(next) = char::from_u32(u32::from(last) + 1) else {
        return Ok(Vec::new());
    };
    let upper = format!("{}{next}", &text[..text.len() - last.len_utf8()]);
    let mut params = vec![Value::from(text.to_owned()), Value::from(upper)];
    let condition =
        offer_sql(offer, Scope::Live, &mut params).replacen("e.deleted = 0", "+e.deleted = 0", 1);
    let sql = format!(
        "SELECT {} FROM entries e
         WHERE e.title >= ?1 COLLATE NOCASE AND e.title < ?2 COLLATE NOCASE AND {condition}
         ORDER BY e.title COLLATE NOCASE, e.id LIMIT {PAGE}",
        columns()
    );
    query(conn, &sql, params)
}

/// Live entries by the ranked search, one search per kind asked for (the search filters one
/// kind), merged by how they matched.
fn ranked(conn: &Connection, offer: Offer<'_>, text: &str) -> anyhow::Result<Vec<Entry>> {
    let kinds: Vec<Option<String>> = if offer.kinds.is_empty() {
        vec![None]
    } else {
        offer.kinds.iter().map(|k| Some((*k).to_owned())).collect()
    };
    let mut hits = Vec::new();
    for kind in kinds {
        let filter = Filter {
            kind,
            ..Filter::default()
        };
        hits.extend(ranking::search(conn, text, &filter, Some(PAGE))?.hits);
    }
    let tier = |name: Option<&str>| {
        TIERS
            .iter()
            .position(|t| Some(t.name()) == name)
            .unwrap_or(TIERS.len())
    };
    // A stable sort keeps each search's own order within a tier when there was one search.
    if offer.kinds.len() > 1 {
        hits.sort_by(|a, b| {
            tier(a.matched)
                .cmp(&tier(b.matched))
                .then(a.score.total_cmp(&b.score))
        });
    }
    Ok(hits
        .into_iter()
        .map(|h| h.entry)
        .filter(|e| !offer.with_command || e.command.as_deref().is_some_and(|c| !c.is_empty()))
        .map(|mut e| {
            e.body.clear();
            e
        })
        .collect())
}

/// The match tiers, best first, to merge the searches of several kinds.
const TIERS: [Tier; 6] = [
    Tier::Exact,
    Tier::NameWords,
    Tier::NamePrefix,
    Tier::Words,
    Tier::Prefix,
    Tier::Stem,
];

/// Deleted entries whose title or command holds every word typed (case-insensitively, the last
/// word as a prefix like the rest): the word index holds live entries only, and deleted ones
/// are few.
fn deleted_matching(conn: &Connection, offer: Offer<'_>, text: &str) -> anyhow::Result<Vec<Entry>> {
    let mut params = Vec::new();
    let mut condition = offer_sql(offer, Scope::Deleted, &mut params);
    for word in text.split_whitespace() {
        let escaped = word
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        params.push(format!("%{escaped}%").into());
        let n = params.len();
        condition.push_str(&format!(
            " AND (e.title LIKE ?{n} ESCAPE '\\' OR coalesce(e.command, '') LIKE ?{n} ESCAPE '\\')"
        ));
    }
    let sql = format!(
        "SELECT {} FROM entries e WHERE {condition} ORDER BY e.updated_ms DESC, e.id LIMIT {PAGE}",
        columns()
    );
    query(conn, &sql, params)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::entries::{NewEntry, insert, set_deleted};

    fn tool(title: &str, command: Option<&str>) -> NewEntry {
        NewEntry {
            kind: "tool".into(),
            title: title.into(),
            body: "a body".into(),
            domain: "ops".into(),
            tags: Vec::new(),
            author: "ana".into(),
            command: command.map(str::to_owned),
            link: None,
        }
    }

    const TOOLS: Offer<'static> = Offer {
        scope: Scope::Live,
        kinds: &["tool"],
        with_command: true,
    };

    #[test]
    fn the_first_page_is_the_most_recent_and_typing_reaches_the_oldest() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .write(|w| {
                insert(
                    w,
                    &tool("Mirror a folder with rsync", Some("rsync -a a/ b/")),
                    1,
                )?;
                for n in 0..PAGE + 10 {
                    insert(
                        w,
                        &tool(&format!("Generated {n}"), Some("true")),
                        2 + n as i64,
                    )?;
                }
                Ok(())
            })
            .unwrap();
        store
            .read(|c| {
                let first = offered(c, TOOLS, "")?;
                assert_eq!(first.len(), PAGE);
                assert_eq!(first[0].title, format!("Generated {}", PAGE + 9));
                assert!(first.iter().all(|e| e.body.is_empty()));
                let typed = offered(c, TOOLS, "rsy")?;
                assert_eq!(typed[0].title, "Mirror a folder with rsync");
                let by_id = offered(c, TOOLS, &typed[0].short_id)?;
                assert_eq!(by_id[0].id, typed[0].id);
                // One or two letters: titles that start with them, then whole words.
                assert_eq!(
                    offered(c, TOOLS, "mI")?[0].title,
                    "Mirror a folder with rsync"
                );
                assert_eq!(
                    offered(c, TOOLS, "a")?[0].title,
                    "Mirror a folder with rsync"
                );
                let everything = Offer {
                    scope: Scope::Live,
                    kinds: &[],
                    with_command: false,
                };
                let walked = offered(c, everything, "")?;
                assert_eq!(walked.len(), PAGE);
                assert_eq!(walked[0].title, first[0].title);
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn scopes_kinds_and_commands_are_kept() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .write(|w| {
                let (gone, _) = insert(w, &tool("Old rsync trick", Some("rsync -a")), 1)?;
                let stamp = w.tick(2)?;
                set_deleted(w.conn(), gone, true, &stamp, "ana", 2)?;
                insert(w, &tool("rsync notes without a command", None), 3)?;
                let mut question = tool("How does rsync pick files?", None);
                question.kind = "question".into();
                insert(w, &question, 4)?;
                Ok(())
            })
            .unwrap();
        let titles = |store: &mut Store, offer: Offer<'_>, text: &str| {
            let mut got: Vec<String> = store
                .read(|c| offered(c, offer, text))
                .unwrap()
                .into_iter()
                .map(|e| e.title)
                .collect();
            got.sort();
            got
        };
        assert_eq!(titles(&mut store, TOOLS, "rsync"), Vec::<String>::new());
        let open_ended = Offer {
            scope: Scope::Live,
            kinds: &["problem", "question"],
            with_command: false,
        };
        assert_eq!(
            titles(&mut store, open_ended, "rsync"),
            ["How does rsync pick files?"]
        );
        let deleted = Offer {
            scope: Scope::Deleted,
            kinds: &[],
            with_command: false,
        };
        assert_eq!(
            titles(&mut store, deleted, "RSYNC tri"),
            ["Old rsync trick"]
        );
        assert_eq!(titles(&mut store, deleted, "50%_"), Vec::<String>::new());
        let any = Offer {
            scope: Scope::Any,
            kinds: &[],
            with_command: false,
        };
        assert_eq!(titles(&mut store, any, "rsync").len(), 3);
        assert_eq!(titles(&mut store, any, "").len(), 3);
    }
}
