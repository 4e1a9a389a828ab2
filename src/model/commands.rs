//! The `--json` shapes that belong to one command each (the shared ones are in the sibling
//! modules). Listed here so that every document `--json` prints is defined under `model/`.

use serde::Serialize;

use super::health::{Check, CopySummary};
use super::news::News;
use super::practice::ReplyView;
use super::{Entry, Renamed, SearchHit};

#[derive(Serialize)]
pub struct Answered<'a> {
    #[serde(flatten)]
    pub reply: &'a ReplyView,
    pub entry_id: String,
}

#[derive(Serialize)]
pub struct Asked {
    #[serde(flatten)]
    pub entry: Entry,
    pub similar: Vec<SearchHit>,
}

#[derive(Serialize)]
pub struct BackedUp<'a> {
    pub path: String,
    pub bytes: u64,
    #[serde(flatten)]
    pub copy: &'a CopySummary,
}

#[derive(Serialize)]
pub struct ConfigShown {
    pub path: String,
    pub database: String,
    pub member: Option<String>,
    pub settings: Vec<ConfigSetting>,
}

#[derive(Serialize)]
pub struct ConfigSetting {
    pub key: &'static str,
    pub value: Option<String>,
    pub description: &'static str,
}

#[derive(Serialize)]
pub struct DoctorReport<'a> {
    pub healthy: bool,
    pub repaired: bool,
    pub checks: &'a [Check],
}

#[derive(Serialize)]
pub struct Documented {
    #[serde(flatten)]
    pub doc: Entry,
    pub documents: String,
}

#[derive(Serialize)]
pub struct ExportSummary {
    pub path: String,
    pub format: &'static str,
    pub entries: usize,
    /// Replies written (the Markdown pages show them under their entry; tldr and navi carry none).
    pub replies: usize,
}

#[derive(Serialize)]
pub struct HistoryStep {
    pub field: &'static str,
    pub value: Option<String>,
    pub by: Option<String>,
    pub at: String,
    pub stamp: Option<String>,
    pub current: bool,
}

#[derive(Serialize)]
pub struct NewsShown<'a> {
    /// Where this look starts: the last look, or --since; the first look, 7 days back.
    pub since: String,
    #[serde(flatten)]
    pub news: &'a News,
}

#[derive(Serialize)]
pub struct Opened {
    pub id: String,
    pub link: String,
    pub opened: bool,
}

#[derive(Serialize)]
pub struct RemoteShown {
    pub remote: Option<String>,
}

/// `rep remote init --json`.
#[derive(Serialize)]
pub struct RemoteInitialised {
    pub remote: String,
    pub schema_version: i32,
    /// rep's schema was not on the server before.
    pub created: bool,
    /// It was there at an older version, and was upgraded.
    pub upgraded: bool,
}

#[derive(Serialize)]
pub struct Versions {
    pub name: &'static str,
    pub version: &'static str,
    /// Version of the `--json` output schema (docs/json.md).
    pub json_schema: u32,
    /// Database schema version this binary writes.
    pub database_schema: u32,
}

#[derive(Serialize)]
pub struct Me {
    pub name: String,
    pub source: &'static str,
}

#[derive(Debug, Serialize)]
pub struct AliasDeclared {
    pub member: String,
    pub aliases: Vec<String>,
}

#[derive(Serialize)]
pub struct Renaming<'a> {
    pub what: &'static str,
    pub from: &'a str,
    pub to: &'a str,
    pub dry_run: bool,
    pub entries: &'a [Renamed],
}
