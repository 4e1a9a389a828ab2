//! `rep remote`: the git remote or PostgreSQL server that `rep sync` shares the repertoire
//! through, and `rep remote init`, which prepares a server.

use crate::output::{Own, Untrusted, sanitize_line};
use clap::Subcommand;

use crate::context::Context;
use crate::error::RepError;
use crate::model::commands::{RemoteInitialised, RemoteShown as Shown};
use crate::store;
use crate::sync::postgres::{self as pg, PgUrl, UrlError};

/// Show or set the remote used by `rep sync`: git or PostgreSQL
///
/// Any git remote works: a bare repository on disk, or an ssh or https host that your git
/// already has credentials for. A PostgreSQL server is named by a URL,
/// postgres://USER@HOST[:PORT]/DB[?sslmode=...&sslrootcert=CA.pem]; run `rep remote init` once
/// to create rep's tables there. Its password comes from PGPASSWORD, ~/.pgpass or a prompt, and
/// is never stored (a URL holding one is refused). The setting belongs to this database only.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep remote set git@example.com:team/repertoire.git
  rep remote set /srv/git/repertoire.git
  rep remote set 'postgres://ana@db.example.com/team?sslmode=verify-full&sslrootcert=ca.pem'
  rep remote init
  rep remote

See docs/sync.md for both engines and moving a team from git to PostgreSQL.")]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
}

#[derive(Debug, Subcommand)]
pub enum Action {
    /// Use URL (or a path) as the remote
    Set {
        /// A git URL, a path to a (bare) repository, or postgres://USER@HOST[:PORT]/DB
        url: String,
    },
    /// Create rep's tables on the PostgreSQL server of the remote (or upgrade them)
    Init,
}

/// A PostgreSQL URL that can be stored, or why not.
fn checked_postgres(url: &str) -> anyhow::Result<PgUrl> {
    PgUrl::parse(url).map_err(|e| match e {
        UrlError::Password => RepError::user("a password inside the remote URL is never stored")
            .with_hint(
                "remove it from the URL and give it in PGPASSWORD or ~/.pgpass (see docs/sync.md)",
            )
            .into(),
        UrlError::Invalid(why) => RepError::user(format!(
            "`{}` is not a PostgreSQL remote: {why}",
            sanitize_line(&pg::masked(url))
        ))
        .with_hint("write postgres://USER@HOST[:PORT]/DB[?sslmode=...]")
        .into(),
    })
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    match args.action {
        Some(Action::Init) => init(ctx),
        Some(Action::Set { url }) => {
            let url = url.trim().to_owned();
            let server = pg::is_postgres(&url);
            if server {
                checked_postgres(&url)?;
            } else if url.is_empty() || url.starts_with('-') || url.contains(char::is_control) {
                return Err(RepError::user(format!(
                    "`{}` is not a git remote",
                    sanitize_line(&url)
                ))
                .with_hint("give a URL such as git@host:team/repo.git or a path")
                .into());
            }
            ctx.store()?.write_local(|c| {
                let before = store::local_setting(c, "remote")?;
                if !server {
                    crate::sync::stop_server_remote(c)?;
                } else if before.as_deref() != Some(url.as_str()) {
                    // A new server: the first sync sends everything and pulls everything.
                    crate::sync::start_server_remote(c)?;
                }
                store::set_local_setting(c, "remote", &url)
            })?;
            let shown = pg::masked(&url);
            if ctx.out.json {
                return ctx.out.json(&Shown {
                    remote: Some(shown),
                });
            }
            let next = if server {
                "`rep remote init` prepares a new server, then `rep sync` shares through it"
            } else {
                "`rep sync` shares through it"
            };
            ctx.out.status(Own::new(format!(
                "remote set to {}; {next}",
                Untrusted(&shown)
            )));
            Ok(())
        }
        None => {
            let remote = ctx
                .store()?
                .read(|c| store::local_setting(c, "remote"))?
                .map(|url| pg::masked(&url));
            if ctx.out.json {
                return ctx.out.json(&Shown { remote });
            }
            match remote {
                Some(url) => ctx.out.print(Untrusted(&url)),
                None => {
                    ctx.out.note("no remote yet: `rep remote set URL` sets one");
                    Ok(())
                }
            }
        }
    }
}

/// `rep remote init`: rep's schema on the remote's server, created or brought up to date.
fn init(ctx: &mut Context) -> anyhow::Result<()> {
    let remote = ctx.store()?.read(|c| store::local_setting(c, "remote"))?;
    let url = match remote {
        Some(url) if pg::is_postgres(&url) => url,
        Some(_) => {
            return Err(
                RepError::usage("the remote is a git remote: there is nothing to init")
                    .with_hint("`rep remote init` prepares a PostgreSQL remote (postgres://...)")
                    .into(),
            );
        }
        None => {
            return Err(RepError::usage("no remote to init")
                .with_hint("set one with `rep remote set postgres://USER@HOST/DB`")
                .into());
        }
    };
    let parsed = checked_postgres(&url)?;
    let shown = pg::masked(&url);
    let out = &ctx.out;
    let mut server = pg::Postgres::connect(&parsed, &shown, &mut |w| {
        out.status(Own::new(format!("warning: {:#}", Untrusted(w))))
    })?;
    let done = server.init()?;
    if ctx.out.json {
        return ctx.out.json(&RemoteInitialised {
            remote: shown,
            schema_version: done.to,
            created: done.from == 0,
            upgraded: done.from != 0 && done.from != done.to,
        });
    }
    let what = if done.from == 0 {
        format!("created rep's schema (version {}) on", done.to)
    } else if done.from != done.to {
        format!(
            "upgraded rep's schema from version {} to {} on",
            done.from, done.to
        )
    } else {
        format!("rep's schema (version {}) is already on", done.to)
    };
    ctx.out.status(Own::new(format!(
        "{what} {}; `rep sync` shares through it",
        Untrusted(&shown)
    )));
    Ok(())
}
