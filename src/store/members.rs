//! Who the members are, as this database knows them: the aliases declared here (local, never
//! shared) and every spelling written in the rows.

use rusqlite::Connection;

/// Where member aliases live: local settings of this database (see [`crate::identity`] and
/// `rep members alias` for why they are not shared).
const ALIAS_KEY: &str = "local.alias.";

/// The member aliases declared in this database.
pub fn identities(conn: &Connection) -> anyhow::Result<crate::identity::Identities> {
    let mut stmt = conn.prepare_cached(
        "SELECT substr(key, length(?1) + 1), value FROM meta WHERE substr(key, 1, length(?1)) = ?1",
    )?;
    let pairs = stmt
        .query_map([ALIAS_KEY], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<(String, String)>>>()?;
    Ok(crate::identity::Identities::new(pairs))
}

/// Every member spelling in the repertoire, with when each was first written: how members
/// show and which spellings one member has. (The snapshot gathers the same from the rows it
/// reads anyway.)
pub fn member_spellings(conn: &Connection) -> anyhow::Result<crate::identity::Spellings> {
    let mut spellings = crate::identity::Spellings::new(identities(conn)?);
    let mut stmt = conn.prepare_cached(
        "SELECT author, min(created_ms) FROM entries GROUP BY author
         UNION ALL SELECT author, min(created_ms) FROM replies GROUP BY author
         UNION ALL SELECT member, min(at_ms) FROM occurrences GROUP BY member",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        spellings.note(r.get_ref(0)?.as_str()?, r.get(1)?);
    }
    Ok(spellings)
}

/// Declare `alias` (folded) a name of `member`, replacing what it named before.
pub fn set_alias(conn: &Connection, alias: &str, member: &str) -> anyhow::Result<()> {
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [format!("{ALIAS_KEY}{}", crate::identity::fold(alias)), member.to_owned()],
    )?;
    Ok(())
}
