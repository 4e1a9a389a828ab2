//! Exports into a folder never write outside it: a symbolic link planted inside the folder (to a
//! file or to a folder) is refused by name, and its target is left exactly as it was.

use std::path::Path;

use crate::support::{Repo, stderr};

fn seeded() -> Repo {
    let repo = Repo::new();
    repo.add(&[
        "tool",
        "Show locks",
        "-d",
        "postgres",
        "--cmd",
        "psql -c 'select 1'",
    ]);
    repo.add(&[
        "tool",
        "List pods",
        "-d",
        "k8s",
        "--cmd",
        "kubectl get pods",
    ]);
    repo
}

/// Every file under `dir`, with its bytes, links not followed.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for item in std::fs::read_dir(&d).unwrap() {
            let path = item.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

/// Export once, plant `link` (relative to the export folder) pointing at a file or a folder
/// outside, export again: refused by name, the target untouched, and after the link is removed
/// the export works again.
fn planted_link_is_refused(format: &str, link: &str, to_folder: bool) {
    let repo = seeded();
    let out = repo.path().join("out");
    let out_arg = out.to_str().unwrap();
    repo.ok(&["export", out_arg, "--format", format, "-q"]);
    let outside = repo.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let target = if to_folder {
        outside.clone()
    } else {
        let bashrc = outside.join("bashrc");
        std::fs::write(&bashrc, "alias ll='ls -l'\n").unwrap();
        bashrc
    };
    let link_path = out.join(link);
    if link_path.is_dir() {
        std::fs::remove_dir_all(&link_path).unwrap();
    } else if link_path.exists() {
        std::fs::remove_file(&link_path).unwrap();
    }
    std::os::unix::fs::symlink(&target, &link_path).unwrap();
    let before = snapshot(&outside);

    let refused = repo.rep(&["export", out_arg, "--format", format]).code(1);
    let said = stderr(&refused);
    assert!(
        said.contains(&format!("{} is a symbolic link", link_path.display())),
        "{format} {link}: {said}"
    );
    assert_eq!(
        snapshot(&outside),
        before,
        "{format} {link}: the target changed"
    );
    assert!(
        std::fs::symlink_metadata(&link_path)
            .unwrap()
            .file_type()
            .is_symlink()
    );

    std::fs::remove_file(&link_path).unwrap();
    if link == ".repertoire-export" {
        // Without its marker the folder is no longer known as an export.
        return;
    }
    repo.ok(&["export", out_arg, "--format", format, "-q"]);
    assert_eq!(snapshot(&outside), before);
}

#[test]
fn markdown_export_refuses_links_to_files_and_folders() {
    planted_link_is_refused("markdown", "postgres/index.md", false);
    planted_link_is_refused("markdown", "index.md", false);
    planted_link_is_refused("markdown", "k8s", true);
    planted_link_is_refused("markdown", ".repertoire-export", false);
}

#[test]
fn tldr_export_refuses_links_to_files_and_folders() {
    planted_link_is_refused("tldr", "postgres/show-locks.md", false);
    planted_link_is_refused("tldr", "k8s", true);
}

#[test]
fn navi_export_refuses_links_to_files_and_folders() {
    planted_link_is_refused("navi", "postgres.cheat", false);
    planted_link_is_refused("navi", "sub", true);
}

#[test]
fn pages_are_written_by_rename_with_a_plain_files_mode() {
    use std::os::unix::fs::PermissionsExt as _;
    let repo = seeded();
    let out = repo.path().join("site");
    repo.ok(&[
        "export",
        out.to_str().unwrap(),
        "--format",
        "markdown",
        "-q",
    ]);
    let mode = std::fs::metadata(out.join("index.md"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o600, 0o600);
    assert_ne!(
        mode & 0o044,
        0,
        "pages are meant to be read by others: {mode:o}"
    );
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.ends_with(".tmp")),
        "a temporary file was left: {names:?}"
    );
}
