//! The community's rules, each with one owner: which kinds have a status, what makes an entry
//! recurring or stale, and what "a domain and its sub-domains" takes in. Each rule is a few
//! constants and a predicate over small facts; the SQL forms of the same rules
//! ([`crate::store::rules_sql`]) and the snapshot's fast paths are built from these, and an
//! agreement test per rule checks that every form gives the same ids. Definitions:
//! docs/community.md and docs/gaps.md.

pub mod domain;
pub mod kinds;
pub mod recurrence;
pub mod staleness;
