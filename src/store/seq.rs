//! Row ids as SQL values: bound as the integers they are, read back typed. A NULL or a text
//! where a row id is meant fails the read, as an `i64` column would.

use rusqlite::types::{FromSql, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::model::{EntrySeq, ReplySeq};

impl ToSql for EntrySeq {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.row()))
    }
}

impl FromSql for EntrySeq {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<EntrySeq> {
        i64::column_result(value).map(EntrySeq::from_row)
    }
}

impl ToSql for ReplySeq {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.row()))
    }
}

impl FromSql for ReplySeq {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<ReplySeq> {
        i64::column_result(value).map(ReplySeq::from_row)
    }
}
