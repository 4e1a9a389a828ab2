//! Other tools' formats: reading tldr pages, navi cheats, cheat sheets, pet snippets and Markdown
//! notes into entries, and writing tools back out as tldr pages and navi cheats.
//!
//! Each format is a pure module from text to [`Found`] items. This module turns found items into
//! valid entries with ids derived from the source and its natural key (the same file gives the
//! same id on every machine), and finds the files of a source under a path.
//!
//! A key says where an item lives (`navi:git.cheat#Change branch`: its file and its description,
//! or its place among the items without one), never what it holds: an item edited upstream keeps
//! its key, so importing again updates its entry instead of adding a second one. The import
//! records each key with the entry it became (store::imported), which finds entries imported
//! under the keys of earlier versions (which held the command) and tells which items were
//! removed upstream.

pub mod cheat;
pub mod front_matter;
pub mod markdown;
pub mod navi;
pub mod pet;
pub mod tldr;
pub mod walk;

use serde::Serialize;

use crate::limits;
use crate::model::{self, Kind, Outcome};

/// Fixed for all time: changing it would give every imported entry a new id.
const ID_NAMESPACE: uuid::Uuid = uuid::uuid!("0281445c-f1a4-4c63-853b-ebbbdeb323e5");

/// A tool whose files `rep import --from` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// tldr pages: a page or a folder of `<platform>/<command>.md`
    Tldr,
    /// navi cheats: a `.cheat` or `.cheat.md` file or a folder of them
    Navi,
    /// cheat sheets (cheat/cheat): a sheet or a folder of sheets, with optional front matter
    Cheat,
    /// pet snippets: a `snippet.toml` or a folder of `.toml` files
    Pet,
    /// Markdown notes (zk, nb, Obsidian): a `.md` file or a folder of them
    Markdown,
}

impl Source {
    /// Whether a file met while walking a folder belongs to this source.
    pub fn wants(self, file_name: &str) -> bool {
        let lower = file_name.to_ascii_lowercase();
        match self {
            Source::Tldr => lower.ends_with(".md"),
            // navi reads `.cheat` files and Markdown ones (`.cheat.md`, fences dropped).
            Source::Navi => lower.ends_with(".cheat") || lower.ends_with(".cheat.md"),
            // cheat reads the files of a cheatpath as sheets, except those with an extension
            // (`README.md`, images); hidden files are left out by the walk.
            Source::Cheat => !file_name.trim_start_matches('.').contains('.'),
            Source::Pet => lower.ends_with(".toml"),
            Source::Markdown => lower.ends_with(".md") || lower.ends_with(".markdown"),
        }
    }

    /// Parse every file of an import, in order: the text of each, or why it could not be read.
    /// navi reads all its files before it shows a cheat (a variable or an `@` section may sit in
    /// another file), so it parses them together; the others one by one.
    pub fn parse_files(
        self,
        files: &[(FileInfo, Result<String, String>)],
    ) -> Vec<Result<Parsed, String>> {
        if self == Source::Navi {
            return navi::parse_files(files);
        }
        files
            .iter()
            .map(|(info, text)| text.clone().and_then(|t| self.parse(info, &t)))
            .collect()
    }

    /// The name of the source in keys, reports and the database.
    pub fn name(self) -> &'static str {
        match self {
            Source::Tldr => "tldr",
            Source::Navi => "navi",
            Source::Cheat => "cheat",
            Source::Pet => "pet",
            Source::Markdown => "markdown",
        }
    }

    /// The files of this source, for a message about a folder that holds none.
    pub fn files_described(self) -> &'static str {
        match self {
            Source::Tldr => "tldr pages (`<platform>/<name>.md`)",
            Source::Navi => "navi cheats (`.cheat` and `.cheat.md` files)",
            Source::Cheat => "cheat sheets (files without an extension)",
            Source::Pet => "pet snippets (`.toml` files)",
            Source::Markdown => "Markdown notes (`.md` or `.markdown` files)",
        }
    }

    /// Parse one file. `Err` means the whole file is unusable, with the reason.
    pub fn parse(self, file: &FileInfo, text: &str) -> Result<Parsed, String> {
        match self {
            Source::Tldr => tldr::parse_file(file, text),
            Source::Navi => navi::parse_file(file, text),
            Source::Cheat => cheat::parse_file(file, text),
            Source::Pet => pet::parse_file(file, text),
            Source::Markdown => markdown::parse_file(file, text),
        }
    }
}

/// Where a file sits, as the parsers need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    /// Path relative to the imported folder, with `/` separators (the file name for a file).
    pub relative: String,
    /// Name of the folder that holds the file (a tldr platform), when known.
    pub folder: Option<String>,
    /// Names of the folders above the file, outermost first, as far as known (the imported
    /// folder's own name and those above it included): a tldr `pages.de` sits there.
    pub ancestors: Vec<String>,
}

impl FileInfo {
    /// The file name without its extension.
    pub fn stem(&self) -> &str {
        let name = self.relative.rsplit('/').next().unwrap_or(&self.relative);
        match name.rfind('.') {
            Some(i) if i > 0 => &name[..i],
            _ => name,
        }
    }
}

/// The key of an item that shares its file with others: `source:file#item`, where `item` is its
/// description (or another name the file gives it) as [`KeyCounter::nth`] made it unique.
pub fn item_key(source: Source, file: &str, item: &str) -> String {
    format!("{}:{file}#{item}", source.name())
}

/// Makes the names of the items of one file unique: the second `Ping` of a file is `Ping (2)`.
/// An item keeps its key when others are edited, and only moves when an item with the same name
/// is added before it.
#[derive(Debug, Default)]
pub struct KeyCounter {
    seen: std::collections::HashMap<String, usize>,
}

impl KeyCounter {
    pub fn nth(&mut self, name: &str) -> String {
        let n = self.seen.entry(name.to_owned()).or_default();
        *n += 1;
        if *n == 1 {
            name.to_owned()
        } else {
            format!("{name} ({n})")
        }
    }
}

/// An entry as a source describes it, before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// `source:natural-key`, where the item lives; the id is derived from it.
    pub key: String,
    /// The key an earlier version of rep gave the same item, whose id an entry imported then
    /// still has.
    pub legacy_key: Option<String>,
    pub kind: Kind,
    pub title: String,
    pub body: String,
    /// A domain the source suggests (the tldr platform folder); `-d` overrides it.
    pub domain: Option<String>,
    pub tags: Vec<String>,
    pub command: Option<String>,
    pub link: Option<String>,
    /// The id the item already has, when the file says (a page of rep's own Markdown export);
    /// else the id is derived from the key.
    pub id: Option<String>,
}

impl Found {
    pub fn tool(key: String, title: String) -> Found {
        Found {
            key,
            legacy_key: None,
            kind: Kind::Tool,
            title,
            body: String::new(),
            domain: None,
            tags: Vec::new(),
            command: None,
            link: None,
            id: None,
        }
    }
}

/// What one file holds: entries, and items inside it that could not be read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub found: Vec<Found>,
    /// (which item, why), e.g. ("snippet 3", "it has no command").
    pub skipped: Vec<(String, String)>,
}

/// An entry ready to be written: validated and normalised, with its derived id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    pub id: String,
    pub key: String,
    /// The id the item had under the key of an earlier version of rep.
    pub legacy_id: Option<String>,
    pub kind: Kind,
    pub title: String,
    pub body: String,
    pub domain: String,
    pub tags: Vec<String>,
    pub command: Option<String>,
    pub link: Option<String>,
}

/// The id of the entry a source item becomes: the same everywhere, for ever.
pub fn entry_id(key: &str) -> String {
    uuid::Uuid::new_v5(&ID_NAMESPACE, key.as_bytes())
        .hyphenated()
        .to_string()
}

/// Validate and normalise a found item. `domain` is the `-d` domain, already normalised.
pub fn prepare(
    found: Found,
    domain: Option<&str>,
    default_domain: &str,
) -> Result<Prepared, String> {
    let title = model::validate_title(&found.title).map_err(|e| e.to_string())?;
    let body = model::validate_body(found.body).map_err(|e| e.to_string())?;
    let domain = match (domain, &found.domain) {
        (Some(d), _) => d.to_owned(),
        (None, Some(suggested)) => model::normalize_domain(suggested)
            .or_else(|_| model::normalize_domain(default_domain))
            .map_err(|e| e.to_string())?,
        (None, None) => model::normalize_domain(default_domain).map_err(|e| e.to_string())?,
    };
    let mut tags: Vec<String> = Vec::new();
    for tag in &found.tags {
        let tag = model::normalize_tag(tag).map_err(|e| e.to_string())?;
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > limits::LIVE_TAGS {
        return Err(format!(
            "{} tags, over the limit of {}",
            tags.len(),
            limits::LIVE_TAGS
        ));
    }
    tags.sort();
    let optional = |name: &str, value: Option<String>| -> Result<Option<String>, String> {
        match value {
            None => Ok(None),
            Some(v) => model::validate_field(name, &v).map_err(|e| e.to_string()),
        }
    };
    Ok(Prepared {
        id: found.id.unwrap_or_else(|| entry_id(&found.key)),
        legacy_id: found.legacy_key.as_deref().map(entry_id),
        command: optional("command", found.command)?,
        link: optional("link", found.link)?,
        key: found.key,
        kind: found.kind,
        title,
        body,
        domain,
        tags,
    })
}

/// The first line of `text`, trimmed and cut to fit a title.
pub fn title_line(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if line.chars().count() > limits::TITLE_CHARS {
        let cut: String = line.chars().take(limits::TITLE_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    } else {
        line.to_owned()
    }
}

/// A tag made from a command name: lowercase, spaces become `-`, punctuation dropped.
pub fn tag_from_name(name: &str) -> Option<String> {
    let mut tag = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '+') {
            tag.push(c);
        } else if c.is_whitespace() && !tag.ends_with('-') && !tag.is_empty() {
            tag.push('-');
        }
    }
    let tag = tag.trim_matches(['-', '.']).to_owned();
    model::normalize_tag(&tag).ok()
}

/// A file or item that did not become an entry, and why. Never dropped silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skip {
    pub path: String,
    /// The item inside the file (a snippet, an entry key), when not the whole file.
    pub item: Option<String>,
    pub reason: String,
}

/// Everything read from a source, before the database is touched.
#[derive(Debug, Default)]
pub struct Collected {
    /// The path given to the import, absolute: the scope in which items can be removed.
    pub root: String,
    /// Each entry with the path of the file it came from and that file relative to the root.
    pub entries: Vec<(String, String, Prepared)>,
    /// Keys of every item met, valid or not, and the files that could not be read: an item
    /// recorded before is only "removed upstream" when it is in neither.
    pub met: std::collections::HashSet<String>,
    pub unreadable_files: std::collections::HashSet<String>,
    pub skips: Vec<Skip>,
    pub files: usize,
    pub other_files: usize,
}

/// Find, read, parse and validate everything under `root`. A file or item that fails is
/// recorded in `skips` and the rest goes on.
pub fn collect(
    source: Source,
    root: &std::path::Path,
    domain: Option<&str>,
    default_domain: &str,
) -> std::io::Result<Collected> {
    let walk = walk::find(source, root)?;
    let mut out = Collected {
        root: std::path::absolute(root)?.display().to_string(),
        files: walk.files.len(),
        other_files: walk.other_files,
        ..Collected::default()
    };
    for (path, reason) in walk.unusable {
        out.skips.push(Skip {
            path: path.display().to_string(),
            item: None,
            reason,
        });
    }
    let texts: Vec<(FileInfo, Result<String, String>)> = walk
        .files
        .iter()
        .map(|f| (f.info.clone(), walk::read_text(&f.path)))
        .collect();
    let parsed_files = source.parse_files(&texts);
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for (file, parsed) in walk.files.iter().zip(parsed_files) {
        let path = file.path.display().to_string();
        let parsed = match parsed {
            Ok(p) => p,
            Err(reason) => {
                out.unreadable_files.insert(file.info.relative.clone());
                out.skips.push(Skip {
                    path,
                    item: None,
                    reason,
                });
                continue;
            }
        };
        for (item, reason) in parsed.skipped {
            out.skips.push(Skip {
                path: path.clone(),
                item: Some(item),
                reason,
            });
        }
        for found in parsed.found {
            let key = found.key.clone();
            out.met.insert(key.clone());
            let item = Some(printable_key(&key));
            match prepare(found, domain, default_domain) {
                Err(reason) => out.skips.push(Skip {
                    path: path.clone(),
                    item,
                    reason,
                }),
                Ok(prepared) => {
                    if let Some(first) = seen.get(&prepared.id) {
                        out.skips.push(Skip {
                            path: path.clone(),
                            item,
                            reason: format!("the same key as an item met before, in {first}"),
                        });
                        continue;
                    }
                    seen.insert(prepared.id.clone(), path.clone());
                    out.entries
                        .push((path.clone(), file.info.relative.clone(), prepared));
                }
            }
        }
    }
    Ok(out)
}

/// A key for reports: pet keys hold a NUL between description and command.
pub fn printable_key(key: &str) -> String {
    key.replace('\u{0}', " | ")
}

/// What a foreign import did.
#[derive(Debug, Serialize)]
pub struct Report {
    pub source: Source,
    /// Files of the source that were read.
    pub files: usize,
    /// Files in the folder that are not of this source (another extension), left alone.
    pub other_files: usize,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub skipped: usize,
    /// Entries added or updated, in file order.
    pub changes: Vec<Change>,
    /// Every file or item that did not become an entry, with the reason.
    pub skips: Vec<Skip>,
    /// Entries an earlier import of this path made from items it no longer meets: removed or
    /// renamed upstream. They are left as they are; `rep rm` removes them here too.
    pub removed: Vec<Removed>,
}

#[derive(Debug, Serialize)]
pub struct Removed {
    pub id: String,
    pub key: String,
    pub title: String,
}

#[derive(Debug, Serialize)]
pub struct Change {
    pub id: String,
    pub key: String,
    pub title: String,
    pub outcome: Outcome,
    /// For updates, the fields that changed.
    pub fields: Vec<&'static str>,
}

/// Write what was collected, inside the caller's transaction.
pub fn apply(
    w: &crate::store::Writer<'_>,
    source: Source,
    collected: Collected,
    author: &str,
    now: crate::timefmt::Millis,
) -> anyhow::Result<Report> {
    use crate::store::entries::{self, NewEntry, Upserted};
    use crate::store::imported;
    let mut report = Report {
        source,
        files: collected.files,
        other_files: collected.other_files,
        added: 0,
        updated: 0,
        unchanged: 0,
        skipped: 0,
        changes: Vec::new(),
        skips: collected.skips,
        removed: Vec::new(),
    };
    for (position, (path, file, p)) in collected.entries.into_iter().enumerate() {
        let id = entry_for(w.conn(), &p)?;
        imported::record(
            w,
            source.name(),
            &collected.root,
            &imported::ImportedItem {
                key: p.key.clone(),
                entry_id: id.clone(),
                file,
                position: i64::try_from(position).unwrap_or(i64::MAX),
            },
        )?;
        let new = NewEntry {
            kind: p.kind.clone(),
            title: p.title.clone(),
            body: p.body,
            domain: p.domain,
            tags: p.tags,
            author: author.to_owned(),
            command: p.command,
            link: p.link,
        };
        let (outcome, _) = entries::upsert(w, &id, &new, now)?;
        let (outcome, fields) = match outcome {
            Upserted::Added => {
                report.added += 1;
                (Outcome::Added, Vec::new())
            }
            Upserted::Updated(fields) => {
                report.updated += 1;
                (Outcome::Updated, fields)
            }
            Upserted::Unchanged => {
                report.unchanged += 1;
                continue;
            }
            Upserted::Deleted => {
                report.skips.push(Skip {
                    path,
                    item: Some(printable_key(&p.key)),
                    reason: format!(
                        "entry {} was deleted here; `rep restore {}` brings it back",
                        id, id
                    ),
                });
                continue;
            }
        };
        report.changes.push(Change {
            id,
            key: printable_key(&p.key),
            title: p.title,
            outcome,
            fields,
        });
    }
    for (item, title) in imported::live_under_root(w.conn(), source.name(), &collected.root)? {
        if collected.met.contains(&item.key) || collected.unreadable_files.contains(&item.file) {
            continue;
        }
        report.removed.push(Removed {
            id: item.entry_id,
            key: printable_key(&item.key),
            title,
        });
    }
    report.skipped = report.skips.len();
    Ok(report)
}

/// The entry an item goes to: the one an import recorded for its key; else the one derived from
/// its key, when it exists (a teammate's import, shared); else the one an earlier version of rep
/// made under the old key; else a new one derived from its key.
fn entry_for(conn: &rusqlite::Connection, p: &Prepared) -> anyhow::Result<String> {
    use crate::store::imported;
    if let Some(id) = imported::entry_for_key(conn, &p.key)? {
        return Ok(id);
    }
    if imported::entry_exists(conn, &p.id)? {
        return Ok(p.id.clone());
    }
    // Only once: two items an old key could not tell apart (the same description and command)
    // must not both claim the entry.
    if let Some(old) = &p.legacy_id
        && imported::entry_exists(conn, old)?
        && !imported::is_recorded(conn, old)?
    {
        return Ok(old.clone());
    }
    Ok(p.id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_uuids_per_key() {
        let a = entry_id("tldr:common/tar");
        assert_eq!(a, entry_id("tldr:common/tar"));
        assert_ne!(a, entry_id("tldr:linux/tar"));
        let parsed = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(parsed.get_version_num(), 5);
        // Pinned: a change here would duplicate every entry teammates imported before.
        assert_eq!(a, "8786d6e5-b02a-596b-8e91-680f19dd1154");
    }

    #[test]
    fn prepare_normalises_and_rejects() {
        let mut f = Found::tool("navi:x".into(), "  Title ".into());
        f.tags = vec!["#Git".into(), "git".into(), "Dev Ops".into()];
        f.domain = Some("Linux".into());
        let p = prepare(f.clone(), None, "general").unwrap();
        assert_eq!(p.title, "Title");
        assert_eq!(p.tags, ["dev-ops", "git"]);
        assert_eq!(p.domain, "linux");
        assert_eq!(
            prepare(f.clone(), Some("ops"), "general").unwrap().domain,
            "ops"
        );
        f.domain = Some("../bad".into());
        assert_eq!(
            prepare(f.clone(), None, "general").unwrap().domain,
            "general"
        );
        f.title = " ".into();
        assert!(prepare(f, None, "general").is_err());
    }

    #[test]
    fn names_become_tags() {
        assert_eq!(tag_from_name("git commit").as_deref(), Some("git-commit"));
        assert_eq!(
            tag_from_name("ARK: Survival").as_deref(),
            Some("ark-survival")
        );
        assert_eq!(tag_from_name(":"), None);
    }

    #[test]
    fn long_first_lines_are_cut() {
        let t = title_line(&format!("\n  {}\nmore", "x".repeat(400)));
        assert_eq!(t.chars().count(), limits::TITLE_CHARS);
        assert!(model::validate_title(&t).is_ok());
    }
}
