//! Settings from the TOML config file. Precedence: file < environment < flags.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use crate::bounded::{self, Range};
use crate::error::{ExitStatus, RepError};

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub user: UserConfig,
    pub defaults: DefaultsConfig,
    pub recurring: RecurringConfig,
    pub review: ReviewConfig,
    pub community: CommunityConfig,
    pub search: SearchConfig,
    pub gaps: GapsConfig,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchConfig {
    /// Keep a local count of searches and asks that found nothing, for `rep gaps`.
    pub record_misses: bool,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            record_misses: true,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct GapsConfig {
    /// Days an open question without replies waits before it is a gap.
    pub unanswered_days: u64,
    /// Days a question with replies but none accepted waits before it is a gap.
    pub unresolved_days: u64,
    /// Questions a domain needs before it can be thin.
    pub thin_min_questions: u64,
    /// A domain is thin when its questions outnumber its stories, tools and docs this many times.
    pub thin_ratio: u64,
}

impl Default for GapsConfig {
    fn default() -> Self {
        GapsConfig {
            unanswered_days: 7,
            unresolved_days: 14,
            thin_min_questions: 3,
            thin_ratio: 2,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RecurringConfig {
    /// Occurrences (from at least two members) that make a problem or question recurring.
    pub min_occurrences: u64,
}

impl Default for RecurringConfig {
    fn default() -> Self {
        RecurringConfig { min_occurrences: 3 }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewConfig {
    /// Days after the last review (or creation) when an entry becomes stale.
    pub interval_days: u64,
}

impl Default for ReviewConfig {
    fn default() -> Self {
        ReviewConfig { interval_days: 180 }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CommunityConfig {
    /// The recent window, in days, for participation levels and activity.
    pub window_days: u64,
}

impl Default for CommunityConfig {
    fn default() -> Self {
        CommunityConfig { window_days: 180 }
    }
}

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct UserConfig {
    /// Who you are in the repertoire when neither `--as` nor `REP_USER` says.
    pub name: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DefaultsConfig {
    /// Domain for new entries when `-d` is not given.
    pub domain: Option<String>,
}

/// Every settable key, with what it means; `rep config` lists them in this order.
pub const KEYS: &[(&str, &str)] = &[
    (
        "user.name",
        "your member name (else git config user.name, else the login name)",
    ),
    (
        "defaults.domain",
        "domain for new entries without -d (else \"general\")",
    ),
    (
        "recurring.min_occurrences",
        "occurrences, from 2+ members, that make a problem recurring (3)",
    ),
    (
        "review.interval_days",
        "days after the last review when an entry is stale (180)",
    ),
    (
        "community.window_days",
        "recent window in days for participation levels (180)",
    ),
    (
        "search.record_misses",
        "count searches that found nothing, locally, for rep gaps (true)",
    ),
    (
        "gaps.unanswered_days",
        "days before an open question without replies is a gap (7)",
    ),
    (
        "gaps.unresolved_days",
        "days before a question with no accepted reply is a gap (14)",
    ),
    (
        "gaps.thin_min_questions",
        "questions before a domain can be thin (3)",
    ),
    (
        "gaps.thin_ratio",
        "thin: questions outnumber stories, tools and docs this many times (2)",
    ),
];

/// Keys whose values are true or false.
const BOOL_KEYS: &[&str] = &["search.record_misses"];

/// Keys whose values are whole numbers, each with its range.
const NUMBER_KEYS: &[(&str, Range)] = &[
    ("recurring.min_occurrences", bounded::COUNT),
    ("review.interval_days", bounded::DAYS),
    ("community.window_days", bounded::DAYS),
    ("gaps.unanswered_days", bounded::DAYS),
    ("gaps.unresolved_days", bounded::DAYS),
    ("gaps.thin_min_questions", bounded::COUNT),
    ("gaps.thin_ratio", bounded::COUNT),
];

impl Config {
    /// Read the file if it exists; a missing file means defaults.
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => {
                return Err(anyhow::Error::new(e).context(RepError::environment(format!(
                    "cannot read the config file {}",
                    path.display()
                ))));
            }
        };
        Config::parse(&text).map_err(|e| {
            // A number out of its range keeps its usage status (exit 2); the rest is the file.
            let status = match e.status {
                ExitStatus::Usage => ExitStatus::Usage,
                _ => ExitStatus::Environment,
            };
            RepError {
                status,
                message: format!("invalid config file {}: {}", path.display(), e.message),
                hint: None,
            }
            .with_hint("fix or remove the file; `rep config` lists the valid keys")
            .into()
        })
    }

    fn parse(text: &str) -> Result<Config, RepError> {
        let config: Config =
            toml::from_str(text).map_err(|e| RepError::environment(e.message().to_owned()))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), RepError> {
        for (key, range) in NUMBER_KEYS {
            let value = self
                .get(key)?
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or_default();
            range
                .check(value)
                .map_err(|why| RepError::usage(format!("{key}: {why}")))?;
        }
        if let Some(domain) = &self.defaults.domain {
            crate::model::normalize_domain(domain)?;
        }
        if let Some(name) = &self.user.name {
            crate::context::validate_member(name)?;
        }
        Ok(())
    }

    pub fn get(&self, key: &str) -> Result<Option<String>, RepError> {
        match key {
            "user.name" => Ok(self.user.name.clone()),
            "defaults.domain" => Ok(self.defaults.domain.clone()),
            "recurring.min_occurrences" => Ok(Some(self.recurring.min_occurrences.to_string())),
            "review.interval_days" => Ok(Some(self.review.interval_days.to_string())),
            "community.window_days" => Ok(Some(self.community.window_days.to_string())),
            "search.record_misses" => Ok(Some(self.search.record_misses.to_string())),
            "gaps.unanswered_days" => Ok(Some(self.gaps.unanswered_days.to_string())),
            "gaps.unresolved_days" => Ok(Some(self.gaps.unresolved_days.to_string())),
            "gaps.thin_min_questions" => Ok(Some(self.gaps.thin_min_questions.to_string())),
            "gaps.thin_ratio" => Ok(Some(self.gaps.thin_ratio.to_string())),
            _ => Err(unknown_key(key)),
        }
    }

    /// Set one key in the file, keeping everything else in it as it was (other keys, comments,
    /// order, blank lines), and refuse values that would not load.
    pub fn set(path: &Path, key: &str, value: &str) -> anyhow::Result<()> {
        let value = if BOOL_KEYS.contains(&key) {
            match value.trim() {
                "true" => toml_edit::value(true),
                "false" => toml_edit::value(false),
                _ => return Err(RepError::user(format!("{key} must be true or false")).into()),
            }
        } else if let Some((_, range)) = NUMBER_KEYS.iter().find(|(k, _)| *k == key) {
            let n = range
                .parse(value)
                .map_err(|why| RepError::usage(format!("{key}: {why}")))?;
            // In range, so it fits TOML's i64.
            toml_edit::value(n as i64)
        } else {
            toml_edit::value(value)
        };
        edit_file(path, key, |section, field| {
            // Setting a key again keeps the comment written beside it.
            match section.get_mut(field) {
                Some(toml_edit::Item::Value(old)) => {
                    let decor = old.decor().clone();
                    let mut value = value;
                    if let Some(new) = value.as_value_mut() {
                        *new.decor_mut() = decor;
                    }
                    section.insert(field, value);
                }
                _ => {
                    section.insert(field, value);
                }
            }
            Ok(())
        })
    }

    /// Remove one key from the file, keeping everything else in it as it was; returns whether
    /// it was set.
    pub fn unset(path: &Path, key: &str) -> anyhow::Result<bool> {
        if !path.exists() {
            check_key(key)?;
            return Ok(false);
        }
        let mut removed = false;
        edit_file(path, key, |section, field| {
            removed = section.remove(field).is_some();
            Ok(())
        })?;
        Ok(removed)
    }
}

/// A known key, split into its section and field.
fn check_key(key: &str) -> Result<(&str, &str), RepError> {
    match key.split_once('.') {
        Some(parts) if KEYS.iter().any(|(k, _)| *k == key) => Ok(parts),
        _ => Err(unknown_key(key)),
    }
}

/// Change `key`'s section of the config file with `change`, check that the result loads, and
/// write it back. Parsed with toml_edit, which keeps comments, key order and spacing, so that
/// a file the member wrote by hand reads as they wrote it after `rep config set`.
fn edit_file(
    path: &Path,
    key: &str,
    change: impl FnOnce(&mut toml_edit::Table, &str) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let (section, field) = check_key(key)?;
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).context(format!("cannot read {}", path.display())),
    };
    let invalid = |why: String| {
        RepError::environment(format!("invalid config file {}: {why}", path.display()))
    };
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| invalid(e.message().to_owned()))?;
    let entry = doc
        .entry(section)
        .or_insert_with(|| toml_edit::Item::Table(toml_edit::Table::new()));
    let Some(section_table) = entry.as_table_mut() else {
        return Err(invalid(format!("`{section}` is not a table")).into());
    };
    change(section_table, field)?;
    let new_text = doc.to_string();
    if new_text == text {
        return Ok(());
    }
    Config::parse(&new_text).map_err(|e| RepError {
        message: format!("invalid value for {key}: {}", e.message),
        ..e
    })?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, new_text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn unknown_key(key: &str) -> RepError {
    let known: Vec<&str> = KEYS.iter().map(|(k, _)| *k).collect();
    RepError::user(format!(
        "unknown config key `{}`",
        crate::text::sanitize_line(key)
    ))
    .with_hint(format!("known keys: {}", known.join(", ")))
}

/// `REP_CONFIG`, else `config.toml` in the user config directory.
pub fn default_path() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("REP_CONFIG").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    let dirs = project_dirs()?;
    Ok(dirs.config_dir().join("config.toml"))
}

pub fn project_dirs() -> anyhow::Result<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "repertoire").ok_or_else(|| {
        RepError::environment("cannot find a home directory for config and data")
            .with_hint("set REP_DB and REP_CONFIG, or HOME")
            .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_named() {
        let err = Config::parse("[user]\nnmae = \"x\"\n").unwrap_err();
        assert!(err.message.contains("nmae"), "{err}");
        let err = Config::parse("colour = true\n").unwrap_err();
        assert!(err.message.contains("colour"), "{err}");
    }

    #[test]
    fn numbers_out_of_range_are_usage_errors() {
        for text in [
            "[review]\ninterval_days = 0\n",
            "[review]\ninterval_days = 9223372036854775807\n",
            "[gaps]\nthin_ratio = 1000001\n",
        ] {
            let err = Config::parse(text).unwrap_err();
            assert_eq!(err.status, crate::error::ExitStatus::Usage, "{text}: {err}");
            assert!(err.message.contains("out of range"), "{err}");
        }
        assert!(Config::parse("[review]\ninterval_days = 36500\n").is_ok());
    }

    #[test]
    fn invalid_default_domain_is_refused() {
        assert!(Config::parse("[defaults]\ndomain = \"../x\"\n").is_err());
        let ok = Config::parse("[defaults]\ndomain = \"pg\"\n").unwrap();
        assert_eq!(ok.defaults.domain.as_deref(), Some("pg"));
    }

    #[test]
    fn set_keeps_other_keys_and_validates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c/config.toml");
        Config::set(&path, "user.name", "ana").unwrap();
        Config::set(&path, "defaults.domain", "pg").unwrap();
        let c = Config::load(&path).unwrap();
        assert_eq!(c.user.name.as_deref(), Some("ana"));
        assert_eq!(c.defaults.domain.as_deref(), Some("pg"));
        assert!(Config::set(&path, "defaults.domain", "../etc").is_err());
        assert!(Config::set(&path, "nope.key", "x").is_err());
        assert_eq!(
            Config::load(&path).unwrap().defaults.domain.as_deref(),
            Some("pg")
        );
    }
}
