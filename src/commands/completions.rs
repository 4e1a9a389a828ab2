//! `rep completions`: the shell code that completes rep's commands, flags, domains and tags.

use crate::output::Own;
use clap::ValueEnum;
use clap_complete::env::{Bash, Elvish, EnvCompleter, Fish, Powershell, Zsh};

use crate::context::Context;

/// Print the completion script for a shell
///
/// The script asks `rep` itself for candidates as you type (with COMPLETE=SHELL in its
/// environment), so domains and tags complete from your repertoire. Load it anew in each shell
/// rather than saving it, so it always matches the rep you run.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  echo 'source <(rep completions bash)' >> ~/.bashrc
  echo 'source <(rep completions zsh)' >> ~/.zshrc
  echo 'rep completions fish | source' >> ~/.config/fish/config.fish
  echo 'eval (rep completions elvish | slurp)' >> ~/.config/elvish/rc.elv
  rep completions powershell | Out-String | Invoke-Expression")]
pub struct Args {
    /// The shell to complete in
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let completer: &dyn EnvCompleter = match args.shell {
        Shell::Bash => &Bash,
        Shell::Zsh => &Zsh,
        Shell::Fish => &Fish,
        Shell::Elvish => &Elvish,
        Shell::Powershell => &Powershell,
    };
    let mut script = Vec::new();
    completer.write_registration(crate::completion::ENV_VAR, "rep", "rep", "rep", &mut script)?;
    ctx.out.print(Own::new(String::from_utf8_lossy(&script)))
}
