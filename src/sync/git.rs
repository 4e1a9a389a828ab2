//! The git engine of `rep sync`: the repertoire's exchange file lives in a git repository next
//! to the database. Sync never asks git to merge the file: it takes the remote's file, joins it
//! into the database, writes the joined state back, commits and pushes. So there are never
//! conflict markers.
//!
//! Sync owns its clone: the database, not the clone, holds what is ours, so a clone that a
//! killed run left locked or broken is repaired or rebuilt from the remote. Runs on one database
//! take turns through a lock of rep's own beside the clone.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::{Outgoing, Pulled, PushReply, Pushed, Receive, Remote, Sends, Since, needs_pull};
use crate::error::RepError;
use crate::text::sanitize_line;

pub const FILE_NAME: &str = "repertoire.jsonl";
pub const BRANCH: &str = "main";

/// How long `rep sync` keeps retrying while other members push (the attempts' own work
/// included): long enough for twenty members syncing at the same instant to all get through.
pub const RETRY_BUDGET: Duration = Duration::from_secs(30);
/// The first pause after a lost race; it doubles with each further one, up to `PAUSE_CAP`.
const FIRST_PAUSE: Duration = Duration::from_millis(25);
const PAUSE_CAP: Duration = Duration::from_secs(2);

/// How long a second `rep sync` of the same database waits for the first to finish: a whole
/// retry budget and then some.
pub const LOCK_WAIT: Duration = Duration::from_secs(60);

/// The pause before attempt `attempt + 1`: exponential, with jitter so that members who lost
/// the same race do not all come back at the same instant. Between half and all of
/// `FIRST_PAUSE * 2^(attempt-1)`, capped at `PAUSE_CAP`.
pub fn pause_after(attempt: u32) -> Duration {
    let full = FIRST_PAUSE
        .saturating_mul(1 << attempt.saturating_sub(1).min(16))
        .min(PAUSE_CAP);
    let half = full / 2;
    let random = uuid::Uuid::new_v4().as_u128() as u64;
    half + Duration::from_nanos(random % (half.as_nanos() as u64).max(1))
}

/// The working clone kept beside the database.
pub fn clone_dir(db_path: &Path) -> PathBuf {
    sibling(db_path, ".sync")
}

/// rep's own lock for syncing this database, beside the clone (not in it: a broken clone is
/// removed whole).
pub fn lock_path(db_path: &Path) -> PathBuf {
    sibling(db_path, ".sync.lock")
}

fn sibling(db_path: &Path, suffix: &str) -> PathBuf {
    let mut name = db_path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(suffix);
    db_path.with_file_name(name)
}

/// Held while one `rep sync` works on a database's clone; the kernel releases it when the
/// process ends, however it ends.
pub struct SyncLock {
    _file: File,
}

impl SyncLock {
    /// Take the lock, waiting up to `wait` for another `rep sync` of the same database.
    pub fn take(path: &Path, wait: Duration) -> anyhow::Result<SyncLock> {
        let cannot = |e: std::io::Error| {
            RepError::environment(format!("cannot lock {}: {e}", path.display()))
                .with_hint("check the permissions of the database's folder")
        };
        let mut file = private_open(path).map_err(cannot)?;
        let deadline = Instant::now() + wait;
        while !crate::tempfiles::try_lock(&file).map_err(cannot)? {
            if Instant::now() >= deadline {
                let holder = std::fs::read_to_string(path).unwrap_or_default();
                let holder = match sanitize_line(&holder) {
                    h if h.is_empty() => "another process".to_owned(),
                    h => h,
                };
                return Err(RepError::environment(format!(
                    "another `rep sync` of this database is still running after {} s: {holder} holds {}",
                    wait.as_secs(),
                    path.display()
                ))
                .with_hint("wait for it to finish, then run `rep sync` again; nothing was changed")
                .into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // Who holds it, for the message of a run that waits in vain.
        let now = time::OffsetDateTime::now_utc();
        let since = now
            .replace_nanosecond(0)
            .unwrap_or(now)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        file.set_len(0).map_err(cannot)?;
        write!(file, "rep sync, pid {}, since {since}", std::process::id()).map_err(cannot)?;
        Ok(SyncLock { _file: file })
    }
}

fn private_open(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// From here on, files this process and its git children create are its owner's only, like
/// the database (git's `core.sharedRepository` alone misses FETCH_HEAD, the index, logs...).
pub fn create_private_files() {
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

/// How `git push --porcelain` words a lost race, after the `!` flag and the refs: our ref was
/// behind (`[rejected] (fetch first)`), or the server found the ref moved or locked by another
/// push while it updated it (`[remote rejected] (failed to update ref)`).
const RACE_SIGNS: [&str; 5] = [
    "[rejected]",
    "failed to update ref",
    "failed to lock",
    "cannot lock ref",
    "incorrect old value",
];

/// Read `git push --porcelain`: `Some` when git named the ref it could not update.
fn classify_push(stdout: &str, stderr: &str) -> Option<Pushed> {
    let refused: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with('!'))
        .map(|l| l.splitn(3, '\t').nth(2).unwrap_or(l))
        .collect();
    if refused.is_empty() {
        return None;
    }
    // The server's own explanation (a hook's output) comes as `remote:` lines on stderr.
    // (git's own `error: failed to push some refs to URL` adds nothing, and may echo a URL.)
    let remote_lines = stderr.lines().filter(|l| l.starts_with("remote:"));
    let reason = refused
        .iter()
        .copied()
        .chain(remote_lines)
        .map(sanitize_line)
        .filter(|l| !l.is_empty())
        .take(12)
        .map(|l| l.chars().take(300).collect::<String>())
        .collect::<Vec<_>>()
        .join("; ");
    // Only git's own status words count: a hook's text on stderr is the server's to choose.
    let raced = refused
        .iter()
        .all(|l| RACE_SIGNS.iter().any(|sign| l.contains(sign)));
    Some(if raced {
        Pushed::Raced(reason)
    } else {
        Pushed::Refused(reason)
    })
}

pub struct Git {
    dir: PathBuf,
    /// The sync clone's remote: set for a clone that rep owns, whose `.git` is pinned so that
    /// git never wanders up into a repository around it, and which can be rebuilt.
    owned_url: Option<String>,
    /// Whether git has a `user.email` of its own: asked once, not on every attempt.
    has_identity: std::cell::Cell<Option<bool>>,
}

impl Git {
    /// Run git in someone's own repository (`rep git-setup`).
    pub fn new(dir: PathBuf) -> Git {
        Git {
            dir,
            owned_url: None,
            has_identity: std::cell::Cell::new(None),
        }
    }

    /// The sync clone at `dir`, ready to fetch from `url`: created on first use, owner-only,
    /// and repaired when a killed run left it locked or half made. Call it holding the
    /// [`SyncLock`]: then any git lock file in the clone is a dead process's.
    pub fn sync_clone(dir: PathBuf, url: &str) -> anyhow::Result<Git> {
        let git = Git {
            // Absolute: `-C` changes git's folder before it reads GIT_DIR.
            dir: std::path::absolute(&dir)?,
            owned_url: Some(url.to_owned()),
            has_identity: std::cell::Cell::new(None),
        };
        if git.dir.join(".git").exists() {
            git.remove_stale_locks();
            if git.points_at(url) {
                git.make_private()?;
                return Ok(git);
            }
            std::fs::remove_dir_all(&git.dir)?;
        }
        git.create()?;
        Ok(git)
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new("git");
        cmd.arg("-C").arg(&self.dir).stdin(Stdio::null());
        if self.owned_url.is_some() {
            cmd.env("GIT_DIR", self.dir.join(".git"))
                .env("GIT_WORK_TREE", &self.dir)
                .env_remove("GIT_INDEX_FILE")
                .env_remove("GIT_OBJECT_DIRECTORY")
                .env_remove("GIT_ALTERNATE_OBJECT_DIRECTORIES");
        }
        // Without a terminal, a credential prompt would wait forever: fail instead.
        if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            cmd.env("GIT_TERMINAL_PROMPT", "0");
        }
        cmd
    }

    fn run(&self, args: &[&str]) -> anyhow::Result<Output> {
        let output = self.command().args(args).output().map_err(|e| {
            let hint = "install git, or make sure it is on PATH";
            anyhow::Error::new(
                RepError::environment(format!("cannot run git: {e}")).with_hint(hint),
            )
        })?;
        Ok(output)
    }

    /// Run git and fail with its own message when it fails.
    pub fn ok(&self, args: &[&str]) -> anyhow::Result<String> {
        let output = self.run(args)?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(RepError::environment(format!(
                "git {} failed: {}",
                args.first().copied().unwrap_or_default(),
                stderr.trim()
            ))
            .with_hint("the local repertoire was not changed; check the remote with `rep remote`")
            .into());
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }

    /// Run git and report only whether it succeeded.
    pub fn succeeds(&self, args: &[&str]) -> anyhow::Result<bool> {
        Ok(self.run(args)?.status.success())
    }

    fn create(&self) -> anyhow::Result<()> {
        let url = self.owned_url.as_deref().unwrap_or_default();
        create_private_dir(&self.dir)?;
        self.ok(&["init", "-q", "--template="])?;
        self.ok(&["remote", "add", "origin", url])?;
        Ok(())
    }

    /// Whether the clone is a sound repository with an origin, then pointed at `url`. git reads
    /// no repository config from a broken `.git`, so one question answers both in the usual
    /// case.
    fn points_at(&self, url: &str) -> bool {
        match self.ok(&["config", "--get", "remote.origin.url"]) {
            Ok(current) if current == url => true,
            Ok(current) if !current.is_empty() => self
                .succeeds(&["remote", "set-url", "origin", url])
                .unwrap_or(false),
            _ => false,
        }
    }

    /// git leaves `*.lock` files (`index.lock`, `HEAD.lock`, `refs/heads/main.lock`...) when it
    /// is killed, and refuses to work while they exist; older rep versions left temporary files.
    fn remove_stale_locks(&self) {
        fn walk(dir: &Path) {
            let Ok(listing) = std::fs::read_dir(dir) else {
                return;
            };
            for item in listing.flatten() {
                let path = item.path();
                match item.file_type() {
                    // Objects are written under temporary names, never locked.
                    Ok(t) if t.is_dir() && item.file_name() != "objects" => walk(&path),
                    Ok(t) if t.is_file() && path.extension().is_some_and(|e| e == "lock") => {
                        let _ = std::fs::remove_file(&path);
                    }
                    _ => {}
                }
            }
        }
        walk(&self.dir.join(".git"));
        // Earlier versions of rep wrote the file through tempfile's default `.tmpXXXXXX` names,
        // which nothing else puts in the clone: a killed run's copy of the whole repertoire.
        if let Ok(listing) = std::fs::read_dir(&self.dir) {
            for item in listing.flatten() {
                if item.file_name().to_string_lossy().starts_with(".tmp") {
                    let _ = std::fs::remove_file(item.path());
                }
            }
        }
    }

    /// Owner-only, like the database: a clone made by an older rep was world-readable, and
    /// closing its top folder closes everything in it.
    fn make_private(&self) -> std::io::Result<()> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }

    /// Start the clone again from nothing: all it holds comes from the remote or the database.
    fn rebuild(&self) -> anyhow::Result<()> {
        if self.dir.exists() {
            std::fs::remove_dir_all(&self.dir)?;
        }
        self.create()
    }

    /// Check out the remote's branch (if it has one) as our own, dropping anything unpushed:
    /// the database, not the clone, holds what is ours.
    pub fn take_remote(&self) -> anyhow::Result<bool> {
        let owned = self.owned_url.is_some();
        if let Err(failed) = self.fetch() {
            // A fetch fails for the remote's reasons (unreachable, no access), reported as
            // they are, or for the clone's (a damaged index): then the clone starts again.
            if !owned || self.succeeds(&["ls-files"])? {
                return Err(failed);
            }
            self.rebuild()?;
            self.fetch()?;
        }
        match self.check_out_remote() {
            // The remote answered, so the clone is at fault (a killed checkout, a damaged
            // index): start it again.
            Err(_) if owned => {
                self.rebuild()?;
                self.fetch()?;
                self.check_out_remote()
            }
            result => result,
        }
    }

    /// Fetch, dropping branches the remote no longer has (or never had, after `rep remote set`
    /// pointed the clone at a new remote).
    fn fetch(&self) -> anyhow::Result<String> {
        self.ok(&["fetch", "-q", "--prune", "origin"])
    }

    fn check_out_remote(&self) -> anyhow::Result<bool> {
        let remote_ref = format!("refs/remotes/origin/{BRANCH}");
        if self.succeeds(&["rev-parse", "-q", "--verify", &remote_ref])? {
            self.ok(&["checkout", "-q", "-f", "-B", BRANCH, &remote_ref])?;
            Ok(true)
        } else {
            // A new, empty remote: start the branch here.
            if !self.succeeds(&["rev-parse", "-q", "--verify", "HEAD"])? {
                self.ok(&["checkout", "-q", "--orphan", BRANCH])?;
            }
            Ok(false)
        }
    }

    /// The blob id of the exchange file at HEAD, if it is there.
    pub fn file_blob(&self) -> anyhow::Result<Option<String>> {
        let output = self.run(&["rev-parse", "-q", "--verify", &format!("HEAD:{FILE_NAME}")])?;
        Ok(output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned()))
    }

    /// Commit the file if it changed; returns whether there was something to commit.
    pub fn commit(&self, member: &str, message: &str) -> anyhow::Result<bool> {
        self.ok(&["add", "--", FILE_NAME])?;
        if self.succeeds(&["diff", "--cached", "--quiet"])?
            && self.succeeds(&["rev-parse", "-q", "--verify", "HEAD"])?
        {
            return Ok(false);
        }
        let email = format!(
            "user.email={}@repertoire.invalid",
            member.replace(char::is_whitespace, ".")
        );
        let name = format!("user.name={member}");
        let mut args: Vec<&str> = Vec::new();
        let has_identity = match self.has_identity.get() {
            Some(known) => known,
            None => {
                let known = self.succeeds(&["config", "user.email"])?;
                self.has_identity.set(Some(known));
                known
            }
        };
        if !has_identity {
            args.extend(["-c", &email, "-c", &name]);
        }
        args.extend(["commit", "-q", "-m", message]);
        self.ok(&args)?;
        Ok(true)
    }

    /// Push, and say whether it went through, lost a race, or was refused.
    pub fn push_commit(&self) -> anyhow::Result<Pushed> {
        let output = self.run(&[
            "push",
            "--porcelain",
            "origin",
            &format!("{BRANCH}:{BRANCH}"),
        ])?;
        if output.status.success() {
            return Ok(Pushed::Done(PushReply::default()));
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        classify_push(&stdout, &stderr).ok_or_else(|| {
            RepError::environment(format!("git push failed: {}", stderr.trim()))
                .with_hint("the local repertoire is intact; check access to the remote")
                .into()
        })
    }

    /// Whether our branch has commits the remote's lacks.
    pub fn ahead(&self) -> anyhow::Result<bool> {
        let remote_ref = format!("refs/remotes/origin/{BRANCH}");
        if !self.succeeds(&["rev-parse", "-q", "--verify", &remote_ref])? {
            return self.succeeds(&["rev-parse", "-q", "--verify", "HEAD"]);
        }
        let count = self.ok(&["rev-list", "--count", &format!("{remote_ref}..HEAD")])?;
        Ok(count != "0")
    }
}

/// Git as a sync engine: the version is the exchange file's blob id at HEAD, the state is the
/// whole file.
impl Remote for Git {
    fn sends(&self) -> Sends {
        Sends::Whole
    }

    fn pull(&mut self, since: &Since, receive: &mut Receive<'_>) -> anyhow::Result<Pulled> {
        self.take_remote()?;
        let version = self.file_blob()?;
        if let Some(version) = version.as_deref()
            && needs_pull(since, Some(version))
        {
            let file = File::open(self.dir.join(FILE_NAME))?;
            receive(version, &mut std::io::BufReader::new(file))?;
        }
        Ok(Pulled {
            version,
            received: 0,
        })
    }

    fn has_unpushed(&self) -> anyhow::Result<bool> {
        self.ahead()
    }

    fn push(&mut self, member: &str, outgoing: Outgoing<'_>) -> anyhow::Result<Pushed> {
        let Outgoing::Whole(conn) = outgoing else {
            anyhow::bail!("git is sent the whole state, not changes");
        };
        let written =
            crate::tempfiles::write_atomically(&self.dir.join(FILE_NAME), "sync", |out| {
                crate::store::exchange::export(conn, &[], out)
            })?;
        let message = format!(
            "rep sync by {member}: {}",
            crate::text::count(written.entries, "entry", "entries")
        );
        let committed = self.commit(member, &message)?;
        // Without a new commit there may still be one to push: on a remote that has no branch
        // yet, the commit of a run killed before its push.
        if committed || self.ahead()? {
            self.push_commit()
        } else {
            Ok(Pushed::Done(PushReply::default()))
        }
    }

    fn version(&self) -> anyhow::Result<Option<String>> {
        self.file_blob()
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Is `git` there at all?
pub fn check_git() -> anyhow::Result<()> {
    let found = Command::new("git")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    match found {
        Ok(status) if status.success() => Ok(()),
        _ => Err(RepError::environment("git is not installed or not on PATH")
            .with_hint("rep sync drives the git program: install it and try again")
            .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(stdout: &str, stderr: &str) -> (&'static str, String) {
        match classify_push(stdout, stderr) {
            Some(Pushed::Done(_)) => ("done", String::new()),
            Some(Pushed::Raced(r)) => ("raced", r),
            Some(Pushed::Refused(r)) => ("refused", r),
            None => ("unknown", String::new()),
        }
    }

    #[test]
    fn lost_races_are_told_from_refusals_by_git_s_own_words() {
        let behind =
            "To /r.git\n!\trefs/heads/main:refs/heads/main\t[rejected] (fetch first)\nDone\n";
        assert_eq!(
            verdict(behind, "error: failed to push some refs to '/r.git'\n").0,
            "raced"
        );
        let locked =
            "!\trefs/heads/main:refs/heads/main\t[remote rejected] (failed to update ref)\n";
        let stderr = "remote: error: cannot lock ref 'refs/heads/main': Unable to create '/r.git/refs/heads/main.lock': File exists.\n";
        assert_eq!(verdict(locked, stderr).0, "raced");
        let hook =
            "!\trefs/heads/main:refs/heads/main\t[remote rejected] (pre-receive hook declined)\n";
        // A hook cannot pass its refusal off as a race by quoting git's words.
        let (kind, reason) = verdict(
            hook,
            "remote: protected branch \u{1b}[31mcannot lock ref\nerror: failed to push some refs to 'https://u:secret@h/r'\n",
        );
        assert_eq!(kind, "refused");
        assert_eq!(
            reason,
            "[remote rejected] (pre-receive hook declined); remote: protected branch cannot lock ref"
        );
        assert_eq!(
            verdict("", "fatal: could not read from remote\n").0,
            "unknown"
        );
    }
}
