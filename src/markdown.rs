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
use crate::foreign::markdown;
use crate::model::Entry;
use crate::model::practice::{LinkView, ReplyView};
use crate::model::{LinkDirection, LinkKind};

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

/// An entry with what its page shows around it: the thread of a question or problem.
#[derive(Debug, Clone)]
pub struct Published {
    pub entry: Entry,
    /// `open`, `answered` or `resolved` for questions and problems.
    pub status: Option<&'static str>,
    /// Live replies, accepted first (as `rep show` orders them).
    pub replies: Vec<ReplyView>,
    pub links: Vec<LinkView>,
}

/// A YAML double-quoted scalar, which front-matter readers (rep's own included) read back as
/// the same text.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A fence longer than any run of backticks in `text`.
fn fence_for(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// An entry's page: front matter that `rep import --from markdown` (and zk, Obsidian, static
/// site tools) read, then the entry for people: title, facts, command, body, links and replies.
/// `page_of` gives the relative path of another entry's page, for links.
pub fn render_page(p: &Published, page_of: &dyn Fn(&str) -> Option<PathBuf>) -> String {
    let entry = &p.entry;
    let mut page = String::from("---\n");
    page.push_str(&format!("{}: entry\n", markdown::EXPORT_KEY));
    page.push_str(&format!("id: {}\n", entry.id));
    page.push_str(&format!("title: {}\n", quoted(&entry.title)));
    page.push_str(&format!("kind: {}\n", entry.kind));
    page.push_str(&format!("domain: {}\n", entry.domain));
    let tags: Vec<String> = entry.tags.iter().map(|t| quoted(t)).collect();
    page.push_str(&format!("tags: [{}]\n", tags.join(", ")));
    if let Some(command) = &entry.command {
        page.push_str(&format!("command: {}\n", quoted(command)));
    }
    if let Some(link) = &entry.link {
        page.push_str(&format!("link: {}\n", quoted(link)));
    }
    if let Some(status) = p.status {
        page.push_str(&format!("status: {status}\n"));
    }
    page.push_str(&format!(
        "author: {}\ncreated: {}\nupdated: {}\n---\n\n",
        quoted(&entry.author),
        entry.created_at,
        entry.updated_at
    ));
    page.push_str(&format!("# {}\n\n", entry.title));
    page.push_str(&format!(
        "- kind: {}\n- domain: {}\n",
        entry.kind, entry.domain
    ));
    if let Some(status) = p.status {
        page.push_str(&format!("- status: {status}\n"));
    }
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
        let fence = fence_for(command);
        page.push_str(&format!("\n{fence}sh\n{command}\n{fence}\n"));
    }
    page.push_str(&format!("\n{}\n", markdown::BODY_START));
    if !entry.body.trim().is_empty() {
        page.push_str(entry.body.trim_end());
        page.push('\n');
    }
    page.push_str(markdown::BODY_END);
    page.push('\n');
    if !p.links.is_empty() {
        page.push_str("\n## Links\n\n");
        for link in &p.links {
            let relation = match (link.kind, link.direction) {
                (LinkKind::Duplicate, LinkDirection::To) => "duplicate of",
                (LinkKind::Duplicate, _) => "has a duplicate:",
                (LinkKind::Supersedes, LinkDirection::To) => "supersedes",
                (LinkKind::Supersedes, _) => "superseded by",
                (LinkKind::Documents, LinkDirection::To) => "documents",
                (LinkKind::Documents, _) => "documented by",
                (LinkKind::Related, _) => "related to",
            };
            let title = link.title.replace(['[', ']'], "");
            match page_of(&link.id) {
                Some(path) => {
                    page.push_str(&format!("- {relation} [{title}]({})\n", path.display()))
                }
                None => page.push_str(&format!("- {relation} {title} ({})\n", link.short_id)),
            }
        }
    }
    if !p.replies.is_empty() {
        page.push_str(&format!("\n## Replies ({})\n", p.replies.len()));
        for reply in &p.replies {
            let what = if reply.accepted {
                "Accepted answer"
            } else {
                "Reply"
            };
            page.push_str(&format!(
                "\n### {what} by {}, {}\n\n",
                reply.author, reply.created_at
            ));
            if reply.helped > 0 {
                page.push_str(&format!("Helped {} members.\n\n", reply.helped));
            }
            page.push_str(reply.body.trim_end());
            page.push('\n');
        }
    }
    page
}

/// Front matter that marks an index page, so importing the export skips it.
fn index_front() -> String {
    format!("---\n{}: index\n---\n\n", markdown::EXPORT_KEY)
}

/// The pages of a site for `entries`, relative to its root: one per entry, an index per domain
/// and one for the whole site.
pub fn site(entries: &[Published]) -> Vec<(PathBuf, String)> {
    let mut by_domain: BTreeMap<&str, Vec<&Published>> = BTreeMap::new();
    for p in entries {
        by_domain
            .entry(p.entry.domain.as_str())
            .or_default()
            .push(p);
    }
    let paths: std::collections::HashMap<&str, PathBuf> = entries
        .iter()
        .map(|p| (p.entry.id.as_str(), page_path(&p.entry)))
        .collect();
    let mut files = Vec::new();
    let mut index = index_front();
    index.push_str("# Repertoire\n\n| domain | entries |\n|---|---|\n");
    for (domain, list) in &by_domain {
        index.push_str(&format!(
            "| [{domain}]({domain}/index.md) | {} |\n",
            list.len()
        ));
        let depth = domain.split('/').count();
        // Links between pages are relative to the folder of the page that holds them.
        let relative_to_here = |id: &str| -> Option<PathBuf> {
            let target = paths.get(id)?;
            let mut up: PathBuf = std::iter::repeat_n("..", depth).collect();
            up.push(target);
            Some(up)
        };
        let mut domain_index = index_front();
        domain_index.push_str(&format!(
            "# {domain}\n\n| kind | title | tags |\n|---|---|---|\n"
        ));
        for p in list {
            let entry = &p.entry;
            let page = page_path(entry);
            let file_name = page
                .file_name()
                .and_then(|f| f.to_str())
                .unwrap_or_default()
                .to_owned();
            files.push((page, render_page(p, &relative_to_here)));
            domain_index.push_str(&format!(
                "| {} | [{}]({}) | {} |\n",
                entry.kind,
                entry.title.replace('|', "\\|").replace(['[', ']'], ""),
                file_name,
                entry.tags.join(", ")
            ));
        }
        let domain_dir: PathBuf = domain.split('/').collect();
        files.push((domain_dir.join("index.md"), domain_index));
    }
    files.push((PathBuf::from("index.md"), index));
    files
}

/// Write the site for `entries` into `root`, replacing an earlier export there, all or nothing.
pub fn write_site(root: &Path, entries: &[Published]) -> anyhow::Result<()> {
    write_folder(root, "markdown", "md", &site(entries))
}

/// Make `root` ready for an export in `format`: create it, or empty the `.{extension}` files of
/// an earlier export there; refuse a folder that holds anything else, or any symbolic link.
pub(crate) fn prepare_root(root: &Path, format: &str, extension: &str) -> anyhow::Result<()> {
    let cannot = || RepError::environment(format!("cannot write the folder {}", root.display()));
    match check_root(root)? {
        RootState::Earlier => remove_pages(root, extension).with_context(cannot)?,
        RootState::Empty => {}
        RootState::Missing => std::fs::create_dir_all(root).with_context(cannot)?,
    }
    write_file(root, Path::new(MARKER), &marker_text(format))
}

fn marker_text(format: &str) -> String {
    format!("written by rep export --format {format}\n")
}

/// What an export finds at its target folder.
enum RootState {
    Missing,
    Empty,
    /// A folder an earlier export wrote (it holds the marker).
    Earlier,
}

/// Refuse a target that holds a symbolic link, or anything but an earlier export.
fn check_root(root: &Path) -> anyhow::Result<RootState> {
    let cannot = || RepError::environment(format!("cannot write the folder {}", root.display()));
    match std::fs::read_dir(root) {
        Ok(mut listing) => {
            if let Some(link) = first_link(root).with_context(cannot)? {
                return Err(link_refused(&link));
            }
            if root.join(MARKER).exists() {
                Ok(RootState::Earlier)
            } else if listing.next().is_some() {
                Err(RepError::user(format!(
                    "{} is not empty and holds no earlier export",
                    root.display()
                ))
                .with_hint("export into a new or empty folder")
                .into())
            } else {
                Ok(RootState::Empty)
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(RootState::Missing),
        Err(e) => Err(e).with_context(cannot),
    }
}

/// Write `files` as an export folder in `format`, all or nothing: every page is written into a
/// temporary folder beside `root` first, and only when all of them are there does that folder
/// take `root`'s place by a rename. A failure on any page (a full disk, a name the file
/// system refuses) leaves `root` as it was. What an earlier export's folder holds besides its
/// `.{extension}` pages (a `.git`, a README) is carried over into the new one.
pub(crate) fn write_folder(
    root: &Path,
    format: &str,
    extension: &str,
    files: &[(PathBuf, String)],
) -> anyhow::Result<()> {
    let cannot = || RepError::environment(format!("cannot write the folder {}", root.display()));
    let state = check_root(root)?;
    let parent = match root.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if matches!(state, RootState::Missing) {
        std::fs::create_dir_all(&parent).with_context(cannot)?;
    }
    let (staging, _lock) =
        crate::tempfiles::create_dir_in(&parent, "export").with_context(cannot)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        // A published folder, not a private temporary one: what `mkdir` would give.
        let mode = 0o777 & !current_umask();
        std::fs::set_permissions(staging.path(), std::fs::Permissions::from_mode(mode))
            .with_context(cannot)?;
    }
    write_file(staging.path(), Path::new(MARKER), &marker_text(format))?;
    for (relative, text) in files {
        write_file(staging.path(), relative, text)?;
    }
    let mut carried = Vec::new();
    if matches!(state, RootState::Earlier) {
        carry_over(root, staging.path(), Path::new(""), extension, &mut carried)
            .with_context(cannot)?;
    }
    let staging = staging.keep();
    let swapped = match state {
        RootState::Missing | RootState::Empty => std::fs::rename(&staging, root),
        RootState::Earlier => swap(root, &staging, &parent),
    };
    if let Err(e) = swapped {
        for relative in carried.iter().rev() {
            let _ = std::fs::rename(staging.join(relative), root.join(relative));
        }
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e).with_context(cannot);
    }
    Ok(())
}

/// Put `staging` in the place of the folder `root`, then remove the old folder.
fn swap(root: &Path, staging: &Path, parent: &Path) -> std::io::Result<()> {
    let old = parent.join(format!(
        ".rep-export-{}-old-{}",
        std::process::id(),
        staging
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    std::fs::rename(root, &old)?;
    if let Err(e) = std::fs::rename(staging, root) {
        let _ = std::fs::rename(&old, root);
        return Err(e);
    }
    std::fs::remove_dir_all(&old)
}

/// Move what is not an export page (nor the marker) from the earlier export `from` into the same
/// place under `to`; `carried` lists what moved, to move it back if the swap fails.
fn carry_over(
    from: &Path,
    to: &Path,
    relative: &Path,
    extension: &str,
    carried: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    let mut items: Vec<std::fs::DirEntry> =
        std::fs::read_dir(from.join(relative))?.collect::<Result<_, _>>()?;
    items.sort_by_key(std::fs::DirEntry::file_name);
    for item in items {
        let path = relative.join(item.file_name());
        let kind = item.file_type()?;
        let page = kind.is_file() && path.extension().is_some_and(|e| e == extension);
        if page || path == Path::new(MARKER) {
            continue;
        }
        if kind.is_dir() && to.join(&path).is_dir() {
            carry_over(from, to, &path, extension, carried)?;
            continue;
        }
        if kind.is_dir() && !holds_pages(&item.path(), extension)? {
            // A folder the export never wrote into (`.git`): moved whole.
        } else if kind.is_dir() {
            std::fs::create_dir_all(to.join(&path))?;
            carry_over(from, to, &path, extension, carried)?;
            continue;
        }
        if to.join(&path).exists() {
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(to.join(dir))?;
        }
        std::fs::rename(from.join(&path), to.join(&path))?;
        carried.push(path);
    }
    Ok(())
}

fn holds_pages(dir: &Path, extension: &str) -> std::io::Result<bool> {
    for item in std::fs::read_dir(dir)? {
        let item = item?;
        let kind = item.file_type()?;
        if kind.is_dir() && holds_pages(&item.path(), extension)? {
            return Ok(true);
        }
        if kind.is_file() && item.path().extension().is_some_and(|e| e == extension) {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(unix)]
fn current_umask() -> u32 {
    // Read from a file made with the default mode; there is no way to read the umask without
    // setting it, and setting it would race with other threads.
    let Ok(dir) = tempfile::tempdir() else {
        return 0o022;
    };
    let probe = dir.path().join("probe");
    match std::fs::create_dir(&probe).and_then(|()| std::fs::metadata(&probe)) {
        Ok(meta) => {
            use std::os::unix::fs::PermissionsExt as _;
            0o777 & !meta.permissions().mode()
        }
        Err(_) => 0o022,
    }
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
