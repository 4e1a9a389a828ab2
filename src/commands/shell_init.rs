//! `rep shell-init`: the few lines of shell code that put rep one key away.

use crate::context::Context;

/// Print shell code that saves commands and recalls them
///
/// Evaluate it in your shell's startup file. It defines `rep-save [TITLE]`, which saves the
/// command line you ran last as a tool entry (asking for a title and a domain, pre-filled from
/// config defaults.domain or the name of the git repository you are in), and binds Ctrl-G to a
/// search of your tools that puts the chosen command on the prompt, without running it, after
/// asking for each of its placeholders (`<name>`, `{{name}}`).
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  echo 'eval \"$(rep shell-init bash)\"' >> ~/.bashrc
  echo 'eval \"$(rep shell-init zsh)\"' >> ~/.zshrc
  echo 'rep shell-init fish | source' >> ~/.config/fish/config.fish")]
pub struct Args {
    /// The shell to set up
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    ctx.out.print(snippet(args.shell))
}

/// The code for `shell`: small, every expansion quoted, nothing run but `rep` itself.
pub fn snippet(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => BASH,
        Shell::Zsh => ZSH,
        Shell::Fish => FISH,
    }
}

// Inside the command substitution, bash's -1 is the line before `rep-save` (tests/cli/tty.rs).
const BASH: &str = r#"# rep shell integration for bash: eval "$(rep shell-init bash)"
#   rep-save [TITLE]  save the last command line as a tool entry
#   Ctrl-G            search your tools; the chosen command lands on the prompt, not run
rep-save() {
  local last
  last=$(HISTTIMEFORMAT='' builtin fc -ln -1 -1 2>/dev/null) || last=''
  last=${last#"${last%%[![:space:]]*}"}
  command rep capture --cmd "$last" -- "$@"
}
__rep_pick() {
  local picked
  picked=$(command rep pick -- "$READLINE_LINE" </dev/tty) || return
  [ -n "$picked" ] || return
  READLINE_LINE=$picked
  READLINE_POINT=${#picked}
}
if [[ $- == *i* ]]; then
  bind -x '"\C-g": __rep_pick'
fi
"#;

// zsh does not count the running line in its history either: the last command is -1.
const ZSH: &str = r#"# rep shell integration for zsh: eval "$(rep shell-init zsh)"
#   rep-save [TITLE]  save the last command line as a tool entry
#   Ctrl-G            search your tools; the chosen command lands on the prompt, not run
rep-save() {
  local last
  last=$(builtin fc -ln -1 -1 2>/dev/null) || last=''
  command rep capture --cmd "$last" -- "$@"
}
__rep_pick() {
  local picked
  picked=$(command rep pick -- "$BUFFER" </dev/tty)
  if [[ $? -eq 0 && -n "$picked" ]]; then
    BUFFER=$picked
    CURSOR=${#BUFFER}
  fi
  zle reset-prompt
}
zle -N __rep_pick
bindkey '^G' __rep_pick
"#;

const FISH: &str = r#"# rep shell integration for fish: rep shell-init fish | source
#   rep-save [TITLE]  save the last command line as a tool entry
#   Ctrl-G            search your tools; the chosen command lands on the prompt, not run
function rep-save --description 'Save the last command line as a rep tool entry'
    command rep capture --cmd "$history[1]" -- $argv
end
function __rep_pick --description 'Put a command from rep on the command line'
    set -l picked (command rep pick -- (commandline) </dev/tty | string collect)
    and test -n "$picked"
    and commandline --replace -- "$picked"
    commandline --function repaint
end
bind \cg __rep_pick
"#;
