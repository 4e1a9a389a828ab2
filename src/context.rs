//! What every command gets: settings, output, who is acting, the current time and the store,
//! opened only when a command needs it.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::cli::GlobalArgs;
use crate::config::{self, Config};
use crate::error::RepError;
use crate::gaps::{self, Gap};
use crate::map;
use crate::model::DEFAULT_DOMAIN;
use crate::model::EntrySeq;
use crate::model::community::Map;
use crate::model::practice::Thread;
use crate::output::Output;
use crate::store::Store;
use crate::store::snapshot::Snapshot;
use crate::thread;
use crate::timefmt::{self, Millis};

pub struct Context {
    pub out: Output,
    pub config: Config,
    pub config_path: PathBuf,
    db_path: Option<PathBuf>,
    as_member: Option<String>,
    now: Millis,
    store: Option<Store>,
    /// The analysis snapshot, kept for the next use only in a request's context: its store is
    /// read-only, so nothing done through it can make the snapshot stale. Elsewhere each use
    /// reads its own.
    snapshot: Option<Rc<Snapshot>>,
    keeps_snapshot: bool,
}

impl Context {
    pub fn new(global: &GlobalArgs) -> anyhow::Result<Context> {
        let mut out = Output::new(global.json, global.quiet, global.color);
        out.allow_pager(global.no_pager);
        let config_path = config::default_path()?;
        let config = Config::load(&config_path)?;
        Ok(Context {
            out,
            config,
            config_path,
            db_path: global.db.clone().filter(|p| !p.as_os_str().is_empty()),
            as_member: global.as_member.clone().filter(|m| !m.trim().is_empty()),
            now: timefmt::now()?,
            store: None,
            snapshot: None,
            keeps_snapshot: false,
        })
    }

    /// A context around a store already open, for one request of `rep serve`: the server's
    /// settings, the time the request arrived, and no printing. [`Context::into_store`] gives
    /// the store back.
    pub fn for_request(config: &Config, store: Store) -> anyhow::Result<Context> {
        Ok(Context {
            out: Output::new(false, true, crate::output::ColorChoice::Never),
            config: config.clone(),
            config_path: PathBuf::new(),
            db_path: None,
            as_member: None,
            now: timefmt::now()?,
            store: Some(store),
            snapshot: None,
            keeps_snapshot: true,
        })
    }

    /// The store this context opened or was given, if any.
    pub fn into_store(self) -> Option<Store> {
        self.store
    }

    /// `--db`, `REP_DB`, else `repertoire.db` in the user data directory.
    pub fn db_path(&self) -> anyhow::Result<PathBuf> {
        match &self.db_path {
            Some(path) => Ok(path.clone()),
            None => default_db_path(),
        }
    }

    /// The store for a command that writes: created (with its folder) when it does not exist.
    pub fn store(&mut self) -> anyhow::Result<&mut Store> {
        if self.store.as_ref().is_none_or(Store::is_read_only) {
            let path = self.db_path()?;
            self.store = Some(Store::open(&path)?);
        }
        Ok(self.store.as_mut().expect("opened above"))
    }

    /// The store for a command that only reads: it must exist, and is opened read-only when
    /// rep cannot write the file (see [`Store::open_for_reading`]). Without --db or REP_DB, a
    /// default database that does not exist yet reads as an empty repertoire, created by nothing.
    pub fn store_for_reading(&mut self) -> anyhow::Result<&mut Store> {
        if self.store.is_none() {
            let path = self.db_path()?;
            self.store = Some(if self.db_path.is_none() && !path.exists() {
                Store::nothing_yet()?
            } else {
                Store::open_for_reading(&path)?
            });
        }
        Ok(self.store.as_mut().expect("opened above"))
    }

    pub fn now(&self) -> Millis {
        self.now
    }

    /// The gaps of `domain` ("" for all), the best `limit` (0: all), and their total, under
    /// this community's settings.
    pub fn gaps(&mut self, domain: &str, limit: usize) -> anyhow::Result<(Vec<Gap>, usize)> {
        let (config, now) = (self.config.clone(), self.now());
        let snap = self.snapshot()?;
        self.store_for_reading()?
            .read(|c| gaps::collect(c, &snap, &config, now, domain, limit))
    }

    /// The map of who knows what in `domain` ("" for all) since `since`.
    pub fn map(&mut self, domain: &str, since: Millis) -> anyhow::Result<Map> {
        let min = self.config.recurring.min_occurrences;
        let snap = self.snapshot()?;
        Ok(map::build(&snap, min, domain, since))
    }

    /// The analysis snapshot of the repertoire (see the `snapshot` field for when it is kept).
    pub fn snapshot(&mut self) -> anyhow::Result<Rc<Snapshot>> {
        if let Some(snap) = &self.snapshot {
            return Ok(Rc::clone(snap));
        }
        let snap = Rc::new(self.store_for_reading()?.read(Snapshot::load)?);
        if self.keeps_snapshot {
            self.snapshot = Some(Rc::clone(&snap));
        }
        Ok(snap)
    }

    /// The thread of the entry at row `seq`, under this community's settings.
    pub fn thread(&mut self, seq: EntrySeq) -> anyhow::Result<Thread> {
        let settings = thread::Settings {
            now: self.now(),
            min_occurrences: self.config.recurring.min_occurrences,
            review_interval_days: self.config.review.interval_days,
        };
        self.store_for_reading()?
            .read(|c| thread::load(c, seq, settings))
    }

    /// The member acting: `--as`/`REP_USER`, config `user.name`, `git config user.name`, the
    /// login name (`USER`, `USERNAME`, `LOGNAME`), else the system account, as git does.
    pub fn member(&self) -> anyhow::Result<String> {
        self.member_with_source().map(|(name, _)| name)
    }

    /// The member name and where it came from, for `rep whoami`.
    pub fn member_with_source(&self) -> anyhow::Result<(String, &'static str)> {
        if let Some(name) = &self.as_member {
            return Ok((validate_member(name)?, "--as or REP_USER"));
        }
        if let Some(name) = &self.config.user.name {
            return Ok((validate_member(name)?, "config user.name"));
        }
        if let Some(name) = git_user_name().and_then(|n| validate_member(&n).ok()) {
            return Ok((name, "git config user.name"));
        }
        for var in ["USER", "USERNAME", "LOGNAME"] {
            if let Some(name) = std::env::var(var)
                .ok()
                .and_then(|n| validate_member(&n).ok())
            {
                return Ok((name, "the login name"));
            }
        }
        if let Some(name) = system_account_name().and_then(|n| validate_member(&n).ok()) {
            return Ok((name, "the system account"));
        }
        Err(RepError::user("cannot tell who you are")
            .with_hint("pass --as NAME, set REP_USER, or run `rep config set user.name NAME`")
            .into())
    }

    pub fn default_domain(&self) -> String {
        self.config
            .defaults
            .domain
            .clone()
            .unwrap_or_else(|| DEFAULT_DOMAIN.to_owned())
    }

    pub fn config_path(&self) -> &Path {
        &self.config_path
    }
}

/// `repertoire.db` in the user data directory: where the database is without --db or REP_DB.
pub fn default_db_path() -> anyhow::Result<PathBuf> {
    Ok(config::project_dirs()?.data_dir().join("repertoire.db"))
}

/// The name of the account rep runs as, from the user database (`getpwuid`), for when the
/// environment names nobody (a cron job, a container, `env -i`).
#[cfg(unix)]
fn system_account_name() -> Option<String> {
    let user = nix::unistd::User::from_uid(nix::unistd::Uid::current()).ok()??;
    Some(user.name)
}

#[cfg(not(unix))]
fn system_account_name() -> Option<String> {
    None
}

fn git_user_name() -> Option<String> {
    git_stdout(&["config", "user.name"]).map(|out| String::from_utf8_lossy(&out).trim().to_owned())
}

/// What `git ARGS` prints when it succeeds; `None` when git is missing or fails. Its stdin and
/// stderr are closed: it never asks and never speaks.
pub(crate) fn git_stdout(args: &[&str]) -> Option<Vec<u8>> {
    let output = std::process::Command::new("git")
        .args(args)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    output.status.success().then_some(output.stdout)
}

// Where commands and the config check a member name (defined with the other member rules).
pub use crate::identity::validate_member;
