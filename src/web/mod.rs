//! The read-only web view: `rep serve` and `rep export --format html`. Pages are built from the
//! same library calls as the CLI commands (views.rs) and rendered by maud templates, which escape
//! every piece of text by construction (pages.rs); Markdown bodies go through markdown.rs.

mod assets;
mod markdown;
mod pages;
pub mod server;
pub mod site;
mod views;

pub use server::{Serving, serve};

/// The shortest token `rep serve` accepts.
pub const MIN_TOKEN_CHARS: usize = 16;
pub use site::export_site;

/// Statements a connection keeps prepared: an entry page runs about twenty distinct ones, more
/// than rusqlite's default cache of 16 keeps, so each page would prepare most of them again.
const STATEMENTS_KEPT: usize = 64;

/// The database, opened read-only for pages (`query_only` too), keeping [`STATEMENTS_KEPT`].
fn open_store(db: &std::path::Path) -> anyhow::Result<crate::store::Store> {
    let mut store = crate::store::Store::open_strictly_read_only(db)?;
    store.read(|c| {
        c.set_prepared_statement_cache_capacity(STATEMENTS_KEPT);
        Ok(())
    })?;
    Ok(store)
}
