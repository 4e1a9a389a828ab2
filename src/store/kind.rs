//! How an entry's kind is stored: as its word, so that a later kind needs no migration and a
//! kind this rep does not know reads back as [`Kind::Other`], unchanged.

use rusqlite::ToSql;
use rusqlite::types::{FromSql, FromSqlResult, ToSqlOutput, ValueRef};

use crate::model::Kind;

impl FromSql for Kind {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Kind> {
        value.as_str().map(Kind::from_stored)
    }
}

impl ToSql for Kind {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(ValueRef::Text(
            self.as_str().as_bytes(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_later_kind_reads_back_as_it_was_written() {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        for kind in [Kind::Question, Kind::Other("recipe".into())] {
            let read: Kind = db.query_row("SELECT ?1", [&kind], |r| r.get(0)).unwrap();
            assert_eq!(read, kind);
        }
        let stored: String = db
            .query_row("SELECT ?1", [&Kind::Other("recipe".into())], |r| r.get(0))
            .unwrap();
        assert_eq!(stored, "recipe");
    }
}
