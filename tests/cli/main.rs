//! Integration tests: the real `rep` binary on temp databases. One module per command.

mod support;

mod add;
mod edit;
mod rm_restore;
mod show;
