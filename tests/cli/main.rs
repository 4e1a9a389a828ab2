//! Integration tests: the real `rep` binary on temp databases. One module per command.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod add;
mod backup;
mod concurrency;
mod config;
mod doctor;
mod domains_tags;
mod edit;
mod errors;
mod help;
mod import_foreign;
mod list;
mod members;
mod migrations;
mod practice_answer;
mod practice_ask;
mod practice_links_review;
mod practice_recurrence;
mod render;
mod rm_restore;
mod search;
mod sharing;
mod shell;
mod show;
mod trust_crash;
mod trust_hostile;
mod trust_load;
mod trust_support;
mod tty;
mod tty_support;
mod version;
