//! Temporary files that a killed rep leaves behind, and their removal on the next run.
//!
//! Every temporary file rep writes next to a result (an export, a backup, the file `rep sync`
//! commits) is named `.rep-<purpose>-<pid>-<random>` and held under an exclusive advisory lock
//! for as long as its process has it open. Creating one first sweeps the folder of files of the
//! same purpose whose process is gone: its pid is not running and nobody holds its lock. The lock
//! guards against a pid that is reused, or running in another pid namespace on a shared folder;
//! the pid guards the instant between a file's creation and its locking. So a file of a live
//! process is never removed, and a killed `rep export` costs disk space only until the next one.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::error::RepError;
use anyhow::Context as _;

/// The files SQLite keeps beside a database: a temporary database copy leaves them too.
const COMPANIONS: [&str; 3] = ["-wal", "-shm", "-journal"];

/// The name prefix shared by every temporary file of `purpose` (by any process).
fn prefix(purpose: &str) -> String {
    format!(".rep-{purpose}-")
}

/// A new, locked, owner-only temporary file in `dir`, after sweeping `dir` of the files of
/// `purpose` that dead processes left.
pub fn create_in(dir: &Path, purpose: &str) -> std::io::Result<tempfile::NamedTempFile> {
    sweep(dir, purpose);
    let tmp = tempfile::Builder::new()
        .prefix(&format!("{}{}-", prefix(purpose), std::process::id()))
        .tempfile_in(dir)?;
    // Held until the file is persisted or dropped, i.e. closed.
    if !try_lock(tmp.as_file())? {
        return Err(std::io::Error::other(
            "a new temporary file was locked already",
        ));
    }
    Ok(tmp)
}

/// A new, locked, owner-only temporary folder in `dir`, named and swept like the files of
/// [`create_in`]; the returned file holds the folder's lock until it is dropped.
pub fn create_dir_in(dir: &Path, purpose: &str) -> std::io::Result<(tempfile::TempDir, File)> {
    sweep(dir, purpose);
    let tmp = tempfile::Builder::new()
        .prefix(&format!("{}{}-", prefix(purpose), std::process::id()))
        .tempdir_in(dir)?;
    let handle = File::open(tmp.path())?;
    if !try_lock(&handle)? {
        return Err(std::io::Error::other(
            "a new temporary folder was locked already",
        ));
    }
    Ok((tmp, handle))
}

/// Remove the files of `purpose` in `dir` whose process is gone; returns how many went.
/// Best effort: a file that cannot be inspected or removed is left for a later run.
pub fn sweep(dir: &Path, purpose: &str) -> usize {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return 0;
    };
    let prefix = prefix(purpose);
    let mut removed = 0;
    for item in listing.flatten() {
        let name = item.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(rest) = name.strip_prefix(&prefix) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let path = item.path();
        if process_may_be_alive(pid, &path) {
            continue;
        }
        // A companion (`...-wal`) goes with its main file, or alone once that is gone.
        let main = COMPANIONS
            .iter()
            .find_map(|c| name.strip_suffix(c))
            .map_or_else(|| path.clone(), |m| dir.join(m));
        if nobody_holds(&main) {
            removed += remove_with_companions(&main);
        }
    }
    removed
}

/// Whether the main file is free: absent, or openable and lockable (then its owner is gone).
fn nobody_holds(main: &Path) -> bool {
    match File::open(main) {
        Ok(file) => try_lock(&file).unwrap_or(false),
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

fn remove_with_companions(main: &Path) -> usize {
    if main.is_dir() {
        // A temporary folder (a folder export being built): all of it goes.
        return usize::from(std::fs::remove_dir_all(main).is_ok());
    }
    let mut paths = vec![main.to_path_buf()];
    paths.extend(COMPANIONS.iter().map(|c| {
        let mut name = main.as_os_str().to_os_string();
        name.push(c);
        PathBuf::from(name)
    }));
    paths
        .iter()
        .filter(|p| std::fs::remove_file(p).is_ok())
        .count()
}

/// Take an exclusive advisory lock (flock on unix) without waiting: `Ok(false)` when another
/// open file holds it. The kernel drops it when the holder's file is closed or its process dies.
pub fn try_lock(file: &File) -> std::io::Result<bool> {
    // fs4 spelled out: std's own `File::try_lock` is newer than our minimum Rust version.
    match fs4::FileExt::try_lock(file) {
        Ok(()) => Ok(true),
        Err(fs4::TryLockError::WouldBlock) => Ok(false),
        Err(fs4::TryLockError::Error(e)) => Err(e),
    }
}

/// On Linux, whether `/proc` lists the pid; elsewhere a file younger than an hour counts as
/// possibly live. Either way the lock decides for files that pass.
fn process_may_be_alive(pid: u32, path: &Path) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let proc = Path::new("/proc");
    if proc.join("self").exists() {
        return proc.join(pid.to_string()).exists();
    }
    let age = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok());
    age.is_none_or(|a| a < std::time::Duration::from_secs(3600))
}

/// Write through a temporary file in the same folder and rename it into place, so a reader (or
/// git) never sees half a file; `purpose` names the temporary file (see the module comment).
pub fn write_atomically<T>(
    path: &Path,
    purpose: &str,
    f: impl FnOnce(&mut (dyn std::io::Write + Send)) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let cannot = || RepError::environment(format!("cannot write {}", path.display()));
    let mut tmp = create_in(dir, purpose).with_context(cannot)?;
    let value = {
        let mut out = std::io::BufWriter::new(tmp.as_file_mut());
        let value = f(&mut out)?;
        out.flush().with_context(cannot)?;
        value
    };
    tmp.as_file().sync_all().with_context(cannot)?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(cannot)?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pid that is certainly not running: a child that has exited and been reaped.
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    #[test]
    fn sweeps_only_files_of_dead_processes_and_of_its_purpose() {
        let dir = tempfile::tempdir().unwrap();
        let dead = dead_pid();
        let stale = dir.path().join(format!(".rep-export-{dead}-abc"));
        let stale_wal = dir.path().join(format!(".rep-backup-{dead}-xyz-wal"));
        let other_purpose = dir.path().join(format!(".rep-backup-{dead}-def"));
        let unrelated = dir.path().join(".tmpQWERTY");
        for p in [&stale, &stale_wal, &other_purpose, &unrelated] {
            std::fs::write(p, b"x").unwrap();
        }
        // A live file of this very process, locked as create_in leaves it.
        let live = create_in(dir.path(), "export").unwrap();
        assert!(!stale.exists(), "create_in swept the dead export");
        assert!(live.path().exists());
        assert_eq!(sweep(dir.path(), "export"), 0, "never a live file");
        assert!(live.path().exists());
        assert!(other_purpose.exists() && stale_wal.exists() && unrelated.exists());
        assert_eq!(
            sweep(dir.path(), "backup"),
            2,
            "a main file and a lone companion"
        );
        assert!(!other_purpose.exists() && !stale_wal.exists() && unrelated.exists());
    }

    #[test]
    fn a_dead_process_folder_is_swept_and_a_live_one_kept() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(format!(".rep-export-{}-abc", dead_pid()));
        std::fs::create_dir_all(stale.join("common")).unwrap();
        std::fs::write(stale.join("common/tar.md"), b"x").unwrap();
        let (live, _lock) = create_dir_in(dir.path(), "export").unwrap();
        assert!(!stale.exists(), "create_dir_in swept the dead folder");
        assert_eq!(sweep(dir.path(), "export"), 0);
        assert!(live.path().is_dir());
    }

    #[test]
    fn a_locked_file_survives_even_under_a_dead_pid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!(".rep-sync-{}-abc", dead_pid()));
        let file = File::create(&path).unwrap();
        assert!(try_lock(&file).unwrap());
        // Another open file description, as another process would have.
        assert_eq!(sweep(dir.path(), "sync"), 0);
        drop(file);
        assert_eq!(sweep(dir.path(), "sync"), 1);
        assert!(!path.exists());
    }
}
