//! The Markdown export: a folder of pages, one per entry, grouped by domain, with index pages.
//! Every path is built from validated domain segments and a slug of ours, and checked again
//! before writing, so nothing can land outside the target folder. A symbolic link inside the
//! folder is never followed (an export folder committed to a shared repository could carry one
//! planted to point at `~/.bashrc`): the export refuses it, naming it, before it changes anything,
//! and each file is written as a temporary file renamed into place, which replaces a name and
//! never writes through one.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use anyhow::Context as _;

use crate::error::RepError;
use crate::model::Entry;

/// Marks a folder as ours, so a later export may replace the pages it wrote.
const MARKER: &str = ".repertoire-export";

/// `title` as a file-name slug: lowercase ASCII letters and digits joined by `-`.
pub fn slug(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 50 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() {
        "entry".to_owned()
    } else {
        slug
    }
}

/// The page of an entry, relative to the site root.
pub fn page_path(entry: &Entry) -> PathBuf {
    let mut path: PathBuf = entry.domain.split('/').collect();
    path.push(format!("{}-{}.md", slug(&entry.title), &entry.id[..8]));
    path
}

fn is_contained(relative: &Path) -> bool {
    relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
}

pub fn render_page(entry: &Entry) -> String {
    let mut page = format!("# {}\n\n", entry.title);
    page.push_str(&format!(
        "- kind: {}\n- domain: {}\n",
        entry.kind, entry.domain
    ));
    if !entry.tags.is_empty() {
        page.push_str(&format!("- tags: {}\n", entry.tags.join(", ")));
    }
    page.push_str(&format!(
        "- author: {}\n- created: {}\n- updated: {}\n",
        entry.author, entry.created_at, entry.updated_at
    ));
    if let Some(link) = &entry.link {
        page.push_str(&format!("- link: <{link}>\n"));
    }
    if let Some(command) = &entry.command {
        let fence = if command.contains("```") {
            "````"
        } else {
            "```"
        };
        page.push_str(&format!("\n{fence}sh\n{command}\n{fence}\n"));
    }
    if !entry.body.trim().is_empty() {
        page.push('\n');
        page.push_str(entry.body.trim_end());
        page.push('\n');
    }
    page
}

/// Write the site for `entries` into `root`, replacing an earlier export there.
pub fn write_site(root: &Path, entries: &[Entry]) -> anyhow::Result<()> {
    prepare_root(root, "markdown", "md")?;
    let mut by_domain: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
    for entry in entries {
        by_domain
            .entry(entry.domain.as_str())
            .or_default()
            .push(entry);
    }
    let mut index = String::from("# Repertoire\n\n| domain | entries |\n|---|---|\n");
    for (domain, list) in &by_domain {
        index.push_str(&format!(
            "| [{domain}]({domain}/index.md) | {} |\n",
            list.len()
        ));
        let mut domain_index = format!("# {domain}\n\n| kind | title | tags |\n|---|---|---|\n");
        for entry in list {
            let page = page_path(entry);
            let file_name = page
                .file_name()
                .and_then(|f| f.to_str())
                .unwrap_or_default()
                .to_owned();
            write_file(root, &page, &render_page(entry))?;
            domain_index.push_str(&format!(
                "| {} | [{}]({}) | {} |\n",
                entry.kind,
                entry.title.replace('|', "\\|").replace(['[', ']'], ""),
                file_name,
                entry.tags.join(", ")
            ));
        }
        let domain_dir: PathBuf = domain.split('/').collect();
        write_file(root, &domain_dir.join("index.md"), &domain_index)?;
    }
    write_file(root, Path::new("index.md"), &index)?;
    Ok(())
}

/// Make `root` ready for an export in `format`: create it, or empty the `.{extension}` files of
/// an earlier export there; refuse a folder that holds anything else, or any symbolic link.
pub(crate) fn prepare_root(root: &Path, format: &str, extension: &str) -> anyhow::Result<()> {
    let cannot = || RepError::environment(format!("cannot write the folder {}", root.display()));
    match std::fs::read_dir(root) {
        Ok(mut listing) => {
            if let Some(link) = first_link(root).with_context(cannot)? {
                return Err(link_refused(&link));
            }
            if root.join(MARKER).exists() {
                remove_pages(root, extension).with_context(cannot)?;
            } else if listing.next().is_some() {
                return Err(RepError::user(format!(
                    "{} is not empty and holds no earlier export",
                    root.display()
                ))
                .with_hint("export into a new or empty folder")
                .into());
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(root).with_context(cannot)?;
        }
        Err(e) => return Err(e).with_context(cannot),
    }
    write_file(
        root,
        Path::new(MARKER),
        &format!("written by rep export --format {format}\n"),
    )
}

/// The first symbolic link met walking `dir` (links are not followed), if any.
fn first_link(dir: &Path) -> std::io::Result<Option<PathBuf>> {
    let mut items: Vec<std::fs::DirEntry> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    items.sort_by_key(std::fs::DirEntry::file_name);
    for item in items {
        let kind = item.file_type()?;
        if kind.is_symlink() {
            return Ok(Some(item.path()));
        }
        if kind.is_dir()
            && let Some(link) = first_link(&item.path())?
        {
            return Ok(Some(link));
        }
    }
    Ok(None)
}

fn link_refused(link: &Path) -> anyhow::Error {
    RepError::user(format!(
        "{} is a symbolic link inside the export folder: rep does not write through links",
        link.display()
    ))
    .with_hint("remove the link (its target is untouched), or export into a new folder")
    .into()
}

/// Remove the `.{extension}` files and then-empty folders of an earlier export.
fn remove_pages(dir: &Path, extension: &str) -> std::io::Result<()> {
    for item in std::fs::read_dir(dir)? {
        let item = item?;
        let path = item.path();
        let kind = item.file_type()?;
        if kind.is_dir() {
            remove_pages(&path, extension)?;
            let _ = std::fs::remove_dir(&path);
        } else if kind.is_file() && path.extension().is_some_and(|e| e == extension) {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

/// Write `text` at `root/relative`, creating its folders; refuse any symbolic link on the way
/// (a link planted after `prepare_root` looked), and write by a temporary file and a rename.
pub(crate) fn write_file(root: &Path, relative: &Path, text: &str) -> anyhow::Result<()> {
    if !is_contained(relative) {
        anyhow::bail!(
            "refusing to write {} outside the export folder",
            relative.display()
        );
    }
    let path = root.join(relative);
    let mut dir = root.to_path_buf();
    for part in relative.parent().into_iter().flat_map(Path::components) {
        dir.push(part);
        match std::fs::symlink_metadata(&dir) {
            Ok(meta) if meta.file_type().is_symlink() => return Err(link_refused(&dir)),
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                return Err(RepError::user(format!(
                    "{} is a file where the export needs a folder",
                    dir.display()
                ))
                .into());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::create_dir(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?,
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.display())),
        }
    }
    if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(link_refused(&path));
    }
    write_by_rename(&path, text.as_bytes())
}

/// A temporary file in the same folder, renamed over `path`: a reader never sees half a page,
/// and a link at `path` is replaced, never written through. Pages are for publishing, so they
/// get the mode a plain new file would (0666 less the umask), not a temporary file's 0600.
fn write_by_rename(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    let cannot = || format!("cannot write {}", path.display());
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".rep-export-").suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder.tempfile_in(dir).with_context(cannot)?;
    tmp.write_all(bytes).with_context(cannot)?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(cannot)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn slugs_are_plain() {
        assert_eq!(slug("Show what holds a lock!"), "show-what-holds-a-lock");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("ünïcode ✓"), "n-code");
        assert_eq!(slug("✓"), "entry");
    }

    #[cfg(unix)]
    #[test]
    fn write_file_never_writes_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let (root, outside) = (dir.path().join("site"), dir.path().join("outside"));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("k8s")).unwrap();
        let err = write_file(&root, Path::new("k8s/a.md"), "x").unwrap_err();
        assert!(err.to_string().contains("k8s is a symbolic link"), "{err}");
        std::fs::write(outside.join("rc"), "keep").unwrap();
        std::os::unix::fs::symlink(outside.join("rc"), root.join("index.md")).unwrap();
        assert!(write_file(&root, Path::new("index.md"), "x").is_err());
        assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 1);
        assert_eq!(std::fs::read_to_string(outside.join("rc")).unwrap(), "keep");
    }

    proptest! {
        #[test]
        fn page_paths_stay_inside(title in "\\PC{0,80}", domain in "[a-z0-9][a-z0-9._-]{0,8}(/[a-z0-9][a-z0-9._-]{0,8}){0,3}") {
            let entry = Entry {
                id: "0123456789abcdef".into(), short_id: String::new(), kind: "tool".into(), title,
                body: String::new(), domain, tags: vec![], author: "a".into(), command: None, link: None,
                created_at: String::new(), updated_at: String::new(), deleted: false,
            };
            prop_assert!(is_contained(&page_path(&entry)));
        }
    }
}
