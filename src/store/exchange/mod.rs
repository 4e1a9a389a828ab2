//! Moving records between the database and the exchange format. The replicated state is
//! `crate::replica`, the file format `crate::exchange`; this module maps them onto rows:
//! `rows` loads and saves a record with its clocks, tags and history, `bounds` keeps what the
//! database holds within what the join keeps, `export` streams a file, `import` applies one,
//! and `report` says what an import did.

/// The columns of an entry's shared state, in [`record_row`]'s order. A macro, so that the
/// statements built from it are literals: no formatting per record.
macro_rules! record_columns {
    () => {
        "id, created_ms, author, kind, kind_at, kind_by, title, title_at, title_by,
    body, body_at, body_by, domain, domain_at, domain_by, command, command_at, command_by,
    link, link_at, link_by, deleted, deleted_at, deleted_by,
    resolved, resolved_at, resolved_by, reviewed_at, reviewed_by"
    };
}

/// A reply's columns from `replies r`; the second, its entry's id, from `entries e`, or what
/// is given instead (the export knows the ids already).
macro_rules! reply_columns {
    () => {
        reply_columns!("e.id")
    };
    ($entry_id:literal) => {
        concat!(
            "r.id, ",
            $entry_id,
            ", r.created_ms, r.author, r.body, r.accepted, r.accepted_at,
    r.accepted_by, r.deleted, r.deleted_at, r.deleted_by, r.body_at, r.body_by"
        )
    };
}

/// How many columns `record_columns!()` and `reply_columns!()` name: a statement that reads
/// more puts its own after them.
const RECORD_COLUMNS: usize = 29;
const REPLY_COLUMNS: usize = 13;

mod bounds;
mod bulk_load;
mod export;
mod import;
mod report;
mod rows;

pub use bounds::{bound_all, keep_bounded, keep_history_bounded};
pub use export::{Written, export, export_salvaging};
pub use import::{ImportError, import};
pub use report::ImportReport;
pub use rows::{load_record, load_reply, save_reply};

#[cfg(test)]
mod tests;

/// Issue 12's laws: whatever ordinary use writes stays shareable, the merge driver's join is
/// import's join, and crafted files that disagree on immutable facts still converge.
#[cfg(test)]
mod sharing_never_stops;
