//! Integration tests: the real `rep` binary on temp databases. One module per command.

mod support;

mod add;
mod concurrency;
mod config;
mod domains_tags;
mod edit;
mod errors;
mod help;
mod list;
mod rm_restore;
mod search;
mod show;
mod version;
