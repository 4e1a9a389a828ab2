//! `rep sync` through git: the repertoire's exchange file lives in a git repository next to the
//! database. Sync never asks git to merge the file: it takes the remote's file, joins it into
//! the database (the same join as `rep import`), writes the joined state back, commits and
//! pushes, and starts over if the remote moved meanwhile. So there are never conflict markers.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::error::RepError;

pub const FILE_NAME: &str = "repertoire.jsonl";
pub const BRANCH: &str = "main";
pub const ATTEMPTS: usize = 5;

/// The working clone kept beside the database.
pub fn clone_dir(db_path: &Path) -> PathBuf {
    let mut name = db_path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".sync");
    db_path.with_file_name(name)
}

pub struct Git {
    dir: PathBuf,
}

impl Git {
    pub fn new(dir: PathBuf) -> Git {
        Git { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new("git");
        cmd.arg("-C").arg(&self.dir).stdin(Stdio::null());
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

    /// Create the clone on first use and point it at `url`.
    pub fn prepare(&self, url: &str) -> anyhow::Result<()> {
        if !self.dir.join(".git").exists() {
            std::fs::create_dir_all(&self.dir)?;
            self.ok(&["init", "-q"])?;
            self.ok(&["remote", "add", "origin", url])?;
        } else {
            self.ok(&["remote", "set-url", "origin", url])?;
        }
        Ok(())
    }

    /// Check out the remote's branch (if it has one) as our own, dropping anything unpushed:
    /// the database, not the clone, holds what is ours.
    pub fn take_remote(&self) -> anyhow::Result<bool> {
        self.ok(&["fetch", "-q", "origin"])?;
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
        if !self.succeeds(&["config", "user.email"])? {
            args.extend(["-c", &email, "-c", &name]);
        }
        args.extend(["commit", "-q", "-m", message]);
        self.ok(&args)?;
        Ok(true)
    }

    /// Push; `Ok(false)` when the remote moved and we must start over.
    pub fn push(&self) -> anyhow::Result<bool> {
        let output = self.run(&["push", "-q", "origin", &format!("{BRANCH}:{BRANCH}")])?;
        if output.status.success() {
            return Ok(true);
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains("rejected")
            || stderr.contains("fetch first")
            || stderr.contains("non-fast-forward")
        {
            return Ok(false);
        }
        Err(
            RepError::environment(format!("git push failed: {}", stderr.trim()))
                .with_hint("the local repertoire is intact; check access to the remote")
                .into(),
        )
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
