//! Integration tests: the real `rep` binary on temp databases. One module per command.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod add;
mod concurrency;
mod config;
mod domains_tags;
mod edit;
mod errors;
mod help;
mod import_foreign;
mod list;
mod rm_restore;
mod search;
mod sharing;
mod show;
mod version;
