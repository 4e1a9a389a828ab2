//! Finding and reading the files of a source: a file as given, or a folder walked in sorted
//! order. Hidden folders (.git, .obsidian) and symbolic links to folders are left out; hidden
//! files count when they are of the source (tldr has a page `..md`). Reading is the only I/O of
//! the foreign import; everything after it is pure.

use std::path::{Path, PathBuf};

use super::{FileInfo, Source};

/// Files larger than this are not notes or cheats; reading them could exhaust memory.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub info: FileInfo,
}

/// What a walk found: the files to read, the paths it could not use (with why), and how many
/// files it passed over because they are not of this source (another extension).
#[derive(Debug, Default)]
pub struct Walk {
    pub files: Vec<SourceFile>,
    pub unusable: Vec<(PathBuf, String)>,
    pub other_files: usize,
}

pub fn find(source: Source, root: &Path) -> std::io::Result<Walk> {
    let meta = std::fs::metadata(root)?;
    let mut walk = Walk::default();
    if meta.is_file() {
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let folder = std::path::absolute(root).ok().and_then(|p| {
            p.parent()
                .and_then(|d| d.file_name())
                .map(|n| n.to_string_lossy().into_owned())
        });
        let ancestors = std::path::absolute(root)
            .ok()
            .and_then(|p| p.parent().map(folder_names))
            .unwrap_or_default();
        walk.files.push(SourceFile {
            path: root.to_owned(),
            info: FileInfo {
                relative: name,
                folder,
                ancestors,
            },
        });
        return Ok(walk);
    }
    let root_names = std::path::absolute(root)
        .map(|p| folder_names(&p))
        .unwrap_or_default();
    visit(source, root, "", &root_names, &mut walk)?;
    Ok(walk)
}

/// The names of a folder path's parts, outermost first.
fn folder_names(path: &Path) -> Vec<String> {
    path.components()
        .filter_map(|c| match c {
            std::path::Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect()
}

fn visit(
    source: Source,
    dir: &Path,
    prefix: &str,
    ancestors: &[String],
    walk: &mut Walk,
) -> std::io::Result<()> {
    let mut items: Vec<std::fs::DirEntry> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    items.sort_by_key(std::fs::DirEntry::file_name);
    for item in items {
        let path = item.path();
        let Some(name) = item.file_name().to_str().map(str::to_owned) else {
            walk.unusable
                .push((path, "the file name is not valid UTF-8".into()));
            continue;
        };
        let hidden = name.starts_with('.');
        let relative = format!("{prefix}{name}");
        let kind = item.file_type()?;
        let is_dir = if kind.is_symlink() {
            match std::fs::metadata(&path) {
                Ok(m) if m.is_dir() => {
                    walk.unusable
                        .push((path, "a symbolic link to a folder, not followed".into()));
                    continue;
                }
                Ok(m) => m.is_dir(),
                Err(e) => {
                    walk.unusable
                        .push((path, format!("cannot follow the link: {e}")));
                    continue;
                }
            }
        } else {
            kind.is_dir()
        };
        if is_dir && hidden {
            // .git, .obsidian, .zk: the tools' own state, not notes.
            continue;
        }
        if is_dir {
            let mut below = ancestors.to_vec();
            below.push(name.clone());
            if let Err(e) = visit(source, &path, &format!("{relative}/"), &below, walk) {
                walk.unusable
                    .push((path, format!("cannot read the folder: {e}")));
            }
        } else if source.wants(&name) && !(hidden && source == Source::Cheat) {
            walk.files.push(SourceFile {
                path,
                info: FileInfo {
                    relative,
                    folder: ancestors.last().cloned(),
                    ancestors: ancestors.to_vec(),
                },
            });
        } else {
            walk.other_files += 1;
        }
    }
    Ok(())
}

/// The text of a file, or why it cannot be read as text.
pub fn read_text(path: &Path) -> Result<String, String> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "larger than the limit of {} MiB",
            MAX_FILE_BYTES / 1024 / 1024
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "not valid UTF-8 text (at byte {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    })
}
