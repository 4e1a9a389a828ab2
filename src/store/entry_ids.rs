//! Entry ids as people type and see them: resolving a typed prefix to one entry, and the
//! shortest unique prefix of each id (`ShortIds`).

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension};

use super::error::{Candidate, EntryIdError};
use crate::ids;
use crate::model::EntrySeq;

/// Which entries an id may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Live,
    Deleted,
    Any,
}

/// Turn what a user typed (a full id or a prefix of at least 4 characters) into one entry.
pub fn resolve(conn: &Connection, input: &str, scope: Scope) -> anyhow::Result<EntrySeq> {
    let refused = |e: EntryIdError| -> anyhow::Result<EntrySeq> { Err(e.into()) };
    let Some(prefix) = ids::normalize_prefix(input) else {
        return refused(EntryIdError::NotAnId {
            input: input.to_owned(),
        });
    };
    if prefix.len() < ids::MIN_PREFIX {
        return refused(EntryIdError::TooShort {
            input: input.to_owned(),
            min: ids::MIN_PREFIX,
        });
    }
    let mut stmt = conn.prepare_cached(
        "SELECT seq, id, kind, title, deleted FROM entries
         WHERE id >= ?1 AND id < ?1 || '~' ORDER BY id LIMIT 11",
    )?;
    let candidates: Vec<(EntrySeq, Candidate)> = stmt
        .query_map([&prefix], |r| {
            Ok((
                r.get(0)?,
                Candidate {
                    id: r.get(1)?,
                    kind: r.get(2)?,
                    title: r.get(3)?,
                    deleted: r.get(4)?,
                },
            ))
        })?
        .collect::<Result<_, _>>()?;
    let input = input.to_owned();
    match candidates.as_slice() {
        [] => {
            let reply: Option<String> = conn
                .prepare_cached(
                    "SELECT e.id FROM replies r JOIN entries e ON e.seq = r.entry_seq
                     WHERE r.id >= ?1 AND r.id < ?1 || '~' LIMIT 1",
                )?
                .query_row([&prefix], |r| r.get(0))
                .optional()?;
            match reply {
                Some(entry) => refused(EntryIdError::AReply {
                    input,
                    entry: short_id(conn, &entry)?,
                }),
                None => refused(EntryIdError::NoSuch { input }),
            }
        }
        [(seq, found)] => match (scope, found.deleted) {
            (Scope::Live, true) => refused(EntryIdError::Deleted { input }),
            (Scope::Deleted, false) => refused(EntryIdError::NotDeleted { input }),
            _ => Ok(*seq),
        },
        many => refused(EntryIdError::Ambiguous {
            input,
            candidates: many.iter().take(10).map(|(_, c)| c.clone()).collect(),
            more: many.len() > 10,
        }),
    }
}

/// The shortest prefix that tells this id apart from every other, deleted ones included.
pub fn short_id(conn: &Connection, id: &str) -> anyhow::Result<String> {
    // Entries and replies share one id space, so a prefix names exactly one record.
    let prev: Option<String> = conn
        .prepare_cached(
            "SELECT max(id) FROM (SELECT max(id) AS id FROM entries WHERE id < ?1
                                  UNION ALL SELECT max(id) FROM replies WHERE id < ?1)",
        )?
        .query_row([id], |r| r.get(0))?;
    let next: Option<String> = conn
        .prepare_cached(
            "SELECT min(id) FROM (SELECT min(id) AS id FROM entries WHERE id > ?1
                                  UNION ALL SELECT min(id) FROM replies WHERE id > ?1)",
        )?
        .query_row([id], |r| r.get(0))?;
    Ok(ids::shortest_unique_prefix(
        id,
        prev.as_deref(),
        next.as_deref(),
    ))
}

/// The short ids of many records, for a table or a report that names them.
#[derive(Debug, Default)]
pub struct ShortIds(HashMap<String, String>);

impl ShortIds {
    /// `id`'s shortest unique prefix; an id that was not looked up shows whole, which is
    /// long but never ambiguous.
    pub fn of<'a>(&'a self, id: &'a str) -> &'a str {
        self.0.get(id).map_or(id, String::as_str)
    }
}

impl ShortIds {
    pub fn extend(&mut self, other: ShortIds) {
        self.0.extend(other.0);
    }

    /// `text` with every whole id in it ([`ids::ids_in`]) shortened.
    pub fn shorten(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for id in ids::ids_in(text) {
            out = out.replace(id, self.of(id));
        }
        out
    }
}

/// The short ids of the ids named in `texts`, for [`ShortIds::shorten`].
pub fn short_ids_in<'a>(
    conn: &Connection,
    texts: impl IntoIterator<Item = &'a str>,
) -> anyhow::Result<ShortIds> {
    short_ids(conn, texts.into_iter().flat_map(ids::ids_in))
}

pub fn short_ids<'a>(
    conn: &Connection,
    ids: impl IntoIterator<Item = &'a str>,
) -> anyhow::Result<ShortIds> {
    let mut out = HashMap::new();
    for id in ids {
        if !out.contains_key(id) {
            out.insert(id.to_owned(), short_id(conn, id)?);
        }
    }
    Ok(ShortIds(out))
}
