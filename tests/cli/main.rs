//! Integration tests: the real `rep` binary on temp databases. One module per command.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod sharing;
