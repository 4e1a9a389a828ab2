//! The row ids of entries and replies in the SQLite file (`entries.seq`, `replies.seq`): a type
//! each, so that a reply's row can never be passed where an entry's is meant, nor a count or a
//! time where either is. They are the file's own and never leave it: the exchange file,
//! `--json` and the pages name entries and replies by their ids. The store reads and binds
//! them (`store/seq.rs`).

/// The row of an entry (`entries.seq`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntrySeq(i64);

/// The row of a reply (`replies.seq`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReplySeq(i64);

impl EntrySeq {
    /// The row `n`, as the file numbers it.
    pub const fn from_row(n: i64) -> EntrySeq {
        EntrySeq(n)
    }

    /// The row number, for arithmetic over rows (a slot in a table read in row order).
    pub const fn row(self) -> i64 {
        self.0
    }
}

impl ReplySeq {
    /// The row `n`, as the file numbers it.
    pub const fn from_row(n: i64) -> ReplySeq {
        ReplySeq(n)
    }

    /// The row number.
    pub const fn row(self) -> i64 {
        self.0
    }
}
