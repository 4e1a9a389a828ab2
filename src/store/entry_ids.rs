//! Entry ids as people type and see them: resolving a typed prefix to one entry, and the
//! shortest unique prefix of each id (`ShortIds`).

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension};

use crate::error::RepError;
use crate::ids;
use crate::output::sanitize_line;

/// Which entries an id may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Live,
    Deleted,
    Any,
}

/// Turn what a user typed (a full id or a prefix of at least 4 characters) into one entry.
pub fn resolve(conn: &Connection, input: &str, scope: Scope) -> anyhow::Result<i64> {
    let shown = sanitize_line(input);
    let Some(prefix) = ids::normalize_prefix(input) else {
        return Err(RepError::user(format!("`{shown}` is not an entry id"))
            .with_hint("ids are hexadecimal; `rep list` shows them")
            .into());
    };
    if prefix.len() < ids::MIN_PREFIX {
        return Err(RepError::user(format!(
            "id prefix `{shown}` is too short: type at least {} characters",
            ids::MIN_PREFIX
        ))
        .with_hint("`rep list` shows the shortest unique ids")
        .into());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT seq, id, kind, title, deleted FROM entries
         WHERE id >= ?1 AND id < ?1 || '~' ORDER BY id LIMIT 11",
    )?;
    let candidates: Vec<(i64, String, String, String, bool)> = stmt
        .query_map([&prefix], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<Result<_, _>>()?;
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
                Some(entry) => Err(
                    RepError::user(format!("`{shown}` is a reply, not an entry"))
                        .with_hint(format!(
                            "the entry it answers is {}",
                            short_id(conn, &entry)?
                        ))
                        .into(),
                ),
                None => Err(
                    RepError::user(format!("no entry has an id starting with `{shown}`"))
                        .with_hint("`rep list` or `rep search WORDS` shows ids")
                        .into(),
                ),
            }
        }
        [(seq, _, _, _, deleted)] => match (scope, *deleted) {
            (Scope::Live, true) => Err(RepError::user(format!("entry {shown} is deleted"))
                .with_hint(format!("`rep restore {shown}` brings it back"))
                .into()),
            (Scope::Deleted, false) => Err(RepError::user(format!("entry {shown} is not deleted"))
                .with_hint(format!("nothing to restore; `rep show {shown}` shows it"))
                .into()),
            _ => Ok(*seq),
        },
        many => {
            let mut message = format!("id prefix `{shown}` is ambiguous; it matches:");
            for (_, id, kind, title, deleted) in many.iter().take(10) {
                let gone = if *deleted { " (deleted)" } else { "" };
                message.push_str(&format!("\n  {id}  {kind}  {}{gone}", sanitize_line(title)));
            }
            if many.len() > 10 {
                message.push_str("\n  ...");
            }
            Err(RepError::user(message)
                .with_hint("type more characters of the id")
                .into())
        }
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
