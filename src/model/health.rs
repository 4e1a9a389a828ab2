//! The `--json` shapes of `rep doctor` checks and of a backup's copy.

use serde::Serialize;

/// One check of `rep doctor`.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// `integrity`, `fts`, `orphans`, `schema` or `clock`.
    pub name: &'static str,
    pub ok: bool,
    /// One line on what was found.
    pub summary: String,
    /// The first problems found, when there are any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// What a finished copy holds, read back from the copy itself.
#[derive(Debug, Clone, Serialize)]
pub struct CopySummary {
    pub entries: u64,
    pub schema_version: u32,
    pub integrity: String,
}
