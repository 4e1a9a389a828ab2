//! Row ids as SQL values: bound as the integers they are, read back typed. A NULL or a text
//! where a row id is meant fails the read, as an `i64` column would.

use rusqlite::types::{FromSql, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::model::{EntrySeq, ReplySeq};

/// `ToSql` and `FromSql` for a row id type with `from_row` and `row`.
macro_rules! row_id_sql {
    ($seq:ident) => {
        impl ToSql for $seq {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.row()))
            }
        }

        impl FromSql for $seq {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<$seq> {
                i64::column_result(value).map($seq::from_row)
            }
        }
    };
}

row_id_sql!(EntrySeq);
row_id_sql!(ReplySeq);
