//! Integration tests: the real `rep` binary on temp databases. One module per command.

mod support;

mod add;
mod config;
mod domains_tags;
mod edit;
mod help;
mod list;
mod rm_restore;
mod search;
mod show;
mod version;
