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
