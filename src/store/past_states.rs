//! The states a tag, a link or a flag held before its latest one (migration 10's triggers
//! record them), read back for `rep history`.

use rusqlite::Connection;

use crate::history::{PastState, StateField};

/// Every past state of the entry or reply `record` (its id), in no particular order.
pub fn of_record(conn: &Connection, record: &str) -> anyhow::Result<Vec<PastState>> {
    let mut stmt = conn.prepare_cached(
        "SELECT field, element, state, stamp, member FROM past_states WHERE record = ?1",
    )?;
    let mut rows = stmt.query([record])?;
    let mut states = Vec::new();
    while let Some(row) = rows.next()? {
        let field: String = row.get(0)?;
        let field = StateField::from_name(&field)
            .ok_or_else(|| anyhow::anyhow!("unknown field {field} in past_states"))?;
        states.push(PastState {
            field,
            element: row.get(1)?,
            state: row.get(2)?,
            at: row.get(3)?,
            by: row.get(4)?,
        });
    }
    Ok(states)
}
