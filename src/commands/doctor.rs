//! `rep doctor`: check the database and, with `--repair`, rebuild the full-text index.

use crate::context::Context;
use crate::error::RepError;
use crate::model::commands::DoctorReport as Report;
use crate::output::{Cell, sanitize_line};

/// Check the database for damage
///
/// Runs SQLite's integrity check, compares the full-text index with the entries, looks for tag
/// and history rows whose entry is gone, and checks the schema version and the change clock.
/// Exits 0 when every check passes and 1 when one fails (3 when the database cannot be opened).
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep doctor
  rep doctor --repair
  rep doctor --json | jq '.checks[] | select(.ok | not)'")]
pub struct Args {
    /// Rebuild the full-text index from the entries, then check again
    #[arg(long)]
    pub repair: bool,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let now = ctx.now();
    let checked = (|| {
        let store = if args.repair {
            ctx.store()?
        } else {
            ctx.store_for_reading()?
        };
        if args.repair {
            store.rebuild_full_text_index()?;
        }
        store.check_health(now)
    })();
    let checks = match checked {
        Err(e) if crate::error::is_damaged_database(&e) => crate::store::health::unopenable(&e),
        checked => checked?,
    };
    let failed = checks.iter().filter(|c| !c.ok).count();
    if ctx.out.json {
        ctx.out.json(&Report {
            healthy: failed == 0,
            repaired: args.repair,
            checks: &checks,
        })?;
    } else {
        if args.repair {
            ctx.out.status("rebuilt the full-text index");
        }
        let mut table = ctx.out.table(&["check", "status", "finding"]);
        for check in &checks {
            let mut finding = sanitize_line(&check.summary);
            for problem in &check.problems {
                finding.push('\n');
                finding.push_str(&sanitize_line(problem));
            }
            let status = if check.ok { "ok" } else { "FAILED" };
            table.row([Cell::own(check.name), status.into(), Cell::own(finding)]);
        }
        ctx.out.print_table(&table)?;
    }
    if failed > 0 {
        let hint = if checks.iter().any(|c| !c.ok && c.name == "fts") {
            "`rep doctor --repair` rebuilds the full-text index; for other damage restore a backup \
             (`rep backup`) or export what is readable with `rep export`"
        } else {
            "restore a backup (`rep backup`) or export what is readable with `rep export`"
        };
        return Err(RepError::user(format!(
            "the database failed {failed} of {} checks",
            checks.len()
        ))
        .with_hint(hint)
        .into());
    }
    Ok(())
}
