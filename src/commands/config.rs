//! `rep config`: where the config file is and what is in effect; get and set keys.

use crate::output::{Cell, Own, Untrusted, sanitize_line};
use clap::Subcommand;

use crate::config::{Config, KEYS};
use crate::context::Context;
use crate::error::RepError;
use crate::model::commands::ConfigSetting as Setting;
use crate::model::commands::ConfigShown as Shown;

/// Show or change settings
///
/// Settings live in a TOML file (REP_CONFIG, else config.toml in the user config directory).
/// Without a subcommand, shows the file's path and the settings in effect. `set` and `unset`
/// change one key and keep the rest of the file as written, comments included.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep config
  rep config set user.name ana
  rep config set defaults.domain postgres
  rep config get defaults.domain
  rep config unset defaults.domain")]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
}

#[derive(Debug, Subcommand)]
pub enum Action {
    /// Print the value of KEY (exit 1 when it is not set)
    Get {
        /// A key such as user.name
        key: String,
    },
    /// Set KEY to VALUE in the config file
    Set {
        /// A key such as user.name
        key: String,
        /// The new value
        value: String,
    },
    /// Remove KEY from the config file, so that its default applies again
    #[command(after_help = "\
Examples:
  rep config unset defaults.domain
  rep config unset review.interval_days --json")]
    Unset {
        /// A key such as defaults.domain
        key: String,
    },
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    match args.action {
        None => show(ctx),
        Some(Action::Get { key }) => {
            let value = ctx.config.get(&key)?;
            if ctx.out.json {
                ctx.out
                    .json(&serde_json::json!({ "key": key, "value": value }))?;
            } else if let Some(value) = &value {
                ctx.out.print(Untrusted(value))?;
            }
            if value.is_none() {
                return Err(RepError::user(format!("{key} is not set"))
                    .with_hint(format!("`rep config set {key} VALUE` sets it"))
                    .into());
            }
            Ok(())
        }
        Some(Action::Set { key, value }) => {
            Config::set(ctx.config_path(), &key, &value)?;
            if ctx.out.json {
                ctx.out
                    .json(&serde_json::json!({ "key": key, "value": value }))?;
            }
            ctx.out.status(Own::new(format!(
                "set {:#} in {:#}",
                Untrusted(&key),
                Untrusted(&ctx.config_path().display().to_string())
            )));
            Ok(())
        }
        Some(Action::Unset { key }) => {
            let removed = Config::unset(ctx.config_path(), &key)?;
            if ctx.out.json {
                ctx.out
                    .json(&serde_json::json!({ "key": key, "removed": removed }))?;
            }
            let (key, path) = (
                Untrusted(&key),
                Untrusted(&ctx.config_path().display().to_string()),
            );
            if removed {
                ctx.out
                    .status(Own::new(format!("removed {key:#} from {path:#}")));
            } else {
                ctx.out.status(Own::new(format!(
                    "{key:#} was not set in {path:#}; nothing changed"
                )));
            }
            Ok(())
        }
    }
}

fn show(ctx: &mut Context) -> anyhow::Result<()> {
    let shown = Shown {
        path: ctx.config_path().display().to_string(),
        database: ctx.db_path()?.display().to_string(),
        member: ctx.member().ok(),
        settings: KEYS
            .iter()
            .map(|(key, description)| Setting {
                key,
                value: ctx.config.get(key).ok().flatten(),
                description,
            })
            .collect(),
    };
    if ctx.out.json {
        return ctx.out.json(&shown);
    }
    let mut text = format!(
        "config file: {}\ndatabase:    {}\nacting as:   {}\n\n",
        sanitize_line(&shown.path),
        sanitize_line(&shown.database),
        shown
            .member
            .as_deref()
            .map(sanitize_line)
            .unwrap_or_else(|| "(unknown)".into())
    );
    let mut table = ctx.out.table(&["key", "value", "meaning"]);
    for s in &shown.settings {
        let value = s
            .value
            .as_deref()
            .map(sanitize_line)
            .unwrap_or_else(|| "(unset)".into());
        table.row([Cell::own(s.key), Cell::own(value), Cell::own(s.description)]);
    }
    text.push_str(&table.render());
    let text: Vec<&str> = text.lines().map(str::trim_end).collect();
    ctx.out.print(Own::new(text.join("\n")))
}
