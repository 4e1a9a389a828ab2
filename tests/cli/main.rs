//! Integration tests: the real `rep` binary on temp databases. One module per command.
mod import_foreign;
