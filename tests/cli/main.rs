//! Integration tests: the real `rep` binary on temp databases. One module per command.

mod backup;
mod doctor;
mod migrations;
mod trust_crash;
mod trust_hostile;
mod trust_load;
mod trust_support;
