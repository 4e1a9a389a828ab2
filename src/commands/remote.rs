//! `rep remote`: the git remote that `rep sync` shares the repertoire through.

use clap::Subcommand;

use crate::context::Context;
use crate::error::RepError;
use crate::model::commands::RemoteShown as Shown;
use crate::output::sanitize_line;
use crate::store;

/// Show or set the git remote used by `rep sync`
///
/// Any git remote works: a bare repository on disk, or an ssh or https host that your git
/// already has credentials for. The setting belongs to this database only.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep remote set git@example.com:team/repertoire.git
  rep remote set /srv/git/repertoire.git
  rep remote")]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
}

#[derive(Debug, Subcommand)]
pub enum Action {
    /// Use URL (or a path) as the remote
    Set {
        /// A git URL or a path to a (bare) repository
        url: String,
    },
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    match args.action {
        Some(Action::Set { url }) => {
            let url = url.trim().to_owned();
            if url.is_empty() || url.starts_with('-') || url.contains(char::is_control) {
                return Err(RepError::user(format!(
                    "`{}` is not a git remote",
                    sanitize_line(&url)
                ))
                .with_hint("give a URL such as git@host:team/repo.git or a path")
                .into());
            }
            ctx.store()?
                .write_local(|c| store::set_local_setting(c, "remote", &url))?;
            if ctx.out.json {
                return ctx.out.json(&Shown { remote: Some(url) });
            }
            ctx.out.status(&format!(
                "remote set to {}; `rep sync` shares through it",
                sanitize_line(&url)
            ));
            Ok(())
        }
        None => {
            let remote = ctx.store()?.read(|c| store::local_setting(c, "remote"))?;
            if ctx.out.json {
                return ctx.out.json(&Shown { remote });
            }
            match remote {
                Some(url) => ctx.out.print(&sanitize_line(&url)),
                None => {
                    ctx.out.note("no remote yet: `rep remote set URL` sets one");
                    Ok(())
                }
            }
        }
    }
}
