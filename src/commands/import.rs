//! `rep import`: join an exchange file into the repertoire.

use crate::output::{Cell, Own, Untrusted, count, sanitize_line};
use std::io::BufRead;
use std::path::PathBuf;

use serde::Serialize;

use crate::context::Context;
use crate::error::RepError;
use crate::foreign::{self, Source};
use crate::model;
use crate::store::entries::{short_ids, short_ids_in};
use crate::store::exchange::{self, ImportReport};

/// Merge an exported repertoire into this one
///
/// Record by record and field by field: the latest change of each field wins, tags merge per
/// tag, deletions travel as tombstones, and a record missing from the file is left alone. A value
/// that loses to a concurrent edit stays in `rep history`. Importing the same files in any
/// order, any number of times, gives the same repertoire. A bad file changes nothing.
///
/// With --from, read another tool's files instead: tldr pages, navi cheats, cheat sheets, pet
/// snippets or Markdown notes, as those tools read them (docs/foreign.md). Ids come from the
/// source and where each item lives (a page's platform and name, a note's path, a cheat's file
/// and description), never from its command, so importing again updates the same entries, on
/// any machine, and reports items removed upstream. Files or items that cannot be read are
/// skipped and listed with the reason.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep import team.jsonl
  rep import team.jsonl --dry-run
  git show origin/main:repertoire.jsonl | rep import -
  rep import --from tldr ~/src/tldr/pages
  rep import --from navi ~/.local/share/navi/cheats -d shell
  rep import --from pet ~/.config/pet/snippet.toml --dry-run
  rep import --from markdown ~/notes --json | jq '.skips'")]
pub struct Args {
    /// Exchange file to read, `-` for stdin; with --from, a file or folder of that format
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Report what would change, and write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Read this tool's format instead of an exchange file
    #[arg(long, value_enum, value_name = "TOOL")]
    pub from: Option<Source>,

    /// Put every imported entry in this domain [default: the tldr platform folder, else config
    /// defaults.domain, else general]
    #[arg(short, long, value_name = "DOMAIN", requires = "from")]
    pub domain: Option<String>,

    /// List every change and skipped item in a table, not only the summary line
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Serialize)]
struct Shown<'a> {
    dry_run: bool,
    #[serde(flatten)]
    report: &'a ImportReport,
}

#[derive(Serialize)]
struct ShownForeign<'a> {
    dry_run: bool,
    #[serde(flatten)]
    report: &'a foreign::Report,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    if let Some(source) = args.from {
        return run_foreign(ctx, source, &args);
    }
    if args.file.is_dir() {
        return Err(not_an_exchange_file(&args.file).into());
    }
    let (input, bar): (Box<dyn BufRead + Send>, _) = if args.file.as_os_str() == "-" {
        let bar = ctx.out.progress(None, "importing");
        let stdin = bar.wrap_read(std::io::stdin());
        (
            Box::new(std::io::BufReader::with_capacity(1 << 16, stdin)),
            bar,
        )
    } else {
        let file = std::fs::File::open(&args.file)
            .map_err(|e| RepError::user(format!("cannot open {}: {e}", args.file.display())))?;
        let size = file.metadata().map(|m| m.len()).ok();
        let bar = ctx.out.progress(size, "importing");
        let file = bar.wrap_read(file);
        (
            Box::new(std::io::BufReader::with_capacity(1 << 16, file)),
            bar,
        )
    };
    let now = ctx.now();
    let report = ctx
        .store()?
        .write_bulk_or_rehearse(!args.dry_run, |w| exchange::import(w, input, now));
    bar.finish_and_clear();
    let report = report.map_err(crate::error::with_hints)?;
    print_report(ctx, &report, args.dry_run, args.verbose)
}

/// A folder is read only in another tool's format: say which.
fn not_an_exchange_file(path: &std::path::Path) -> RepError {
    use clap::ValueEnum;
    let formats: Vec<String> = Source::value_variants()
        .iter()
        .filter_map(|s| s.to_possible_value())
        .map(|v| v.get_name().to_owned())
        .collect();
    RepError::usage(format!(
        "{} is a folder, and an exchange file is one file",
        path.display()
    ))
    .with_hint(format!(
        "to read another tool's folder, name its format: --from {}",
        formats.join(", --from ")
    ))
}

/// The summary line, and with `--verbose` the table of changes (`--quiet`: nothing).
pub fn print_report(
    ctx: &mut Context,
    report: &ImportReport,
    dry_run: bool,
    verbose: bool,
) -> anyhow::Result<()> {
    if ctx.out.json {
        return ctx.out.json(&Shown { dry_run, report });
    }
    if verbose && !report.changes.is_empty() {
        let short = ctx
            .store_for_reading()?
            .read(|c| short_ids(c, report.changes.iter().map(|c| c.id.as_str())))?;
        let mut table = ctx
            .out
            .table(&["id", "outcome", "title", "lost concurrent edit"]);
        for c in &report.changes {
            table.row([
                Cell::own(short.of(&c.id)),
                Cell::own(c.outcome.name()),
                Untrusted(&c.title).into(),
                Cell::own(
                    c.lost_concurrent_edits
                        .iter()
                        .map(|f| f.name())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ]);
        }
        ctx.out.print_table(&table)?;
    }
    if verbose && report.unlisted_changes > 0 {
        ctx.out.note(Own::new(format!(
            "{} more {} not listed",
            report.unlisted_changes,
            crate::output::plural(report.unlisted_changes, "change", "changes")
        )));
    }
    let verb = if dry_run { "would add" } else { "added" };
    ctx.out.status(Own::new(format!(
        "{verb} {}, {} {}, {} unchanged, {} with a lost concurrent edit (kept in `rep history`){}",
        report.added,
        if dry_run { "would update" } else { "updated" },
        report.updated,
        report.unchanged,
        report.lost_concurrent_edits,
        if dry_run {
            "; nothing was written (dry run)"
        } else {
            ""
        }
    )));
    Ok(())
}

fn run_foreign(ctx: &mut Context, source: Source, args: &Args) -> anyhow::Result<()> {
    let domain = args
        .domain
        .as_deref()
        .map(model::normalize_domain)
        .transpose()?;
    let default_domain = ctx.default_domain();
    let collected = foreign::collect(source, &args.file, domain.as_deref(), &default_domain)
        .map_err(|e| {
            RepError::user(format!("cannot read {}: {e}", args.file.display()))
                .with_hint("give a file or folder of the format named by --from")
        })?;
    if collected.files == 0 && collected.skips.is_empty() {
        let name = serde_json::to_value(source)?;
        let name = name.as_str().unwrap_or_default();
        return Err(RepError::user(format!(
            "{} holds no {name} files: {} other files, none of the format",
            args.file.display(),
            collected.other_files
        ))
        .with_hint(format!(
            "--from {name} reads {}; check the folder, or name the format its files are in",
            source.files_described()
        ))
        .into());
    }
    let (member, now) = (ctx.member()?, ctx.now());
    let report = ctx.store()?.write_or_rehearse(!args.dry_run, |w| {
        foreign::apply(w, source, collected, &member, now)
    })?;
    if ctx.out.json {
        return ctx.out.json(&ShownForeign {
            dry_run: args.dry_run,
            report: &report,
        });
    }
    // Added entries are only counted: a first import of a tldr checkout adds thousands.
    let short = ctx.store_for_reading()?.read(|c| {
        let updated = report
            .changes
            .iter()
            .filter(|c| c.outcome == model::Outcome::Updated);
        let ids = updated.map(|c| c.id.as_str());
        let mut short = short_ids(c, ids)?;
        short.extend(short_ids_in(
            c,
            report.skips.iter().map(|s| s.reason.as_str()),
        )?);
        Ok(short)
    })?;
    let rows: Vec<Vec<String>> = report
        .changes
        .iter()
        .filter(|c| c.outcome == model::Outcome::Updated)
        .map(|c| {
            vec![
                "updated".to_owned(),
                sanitize_line(&c.key),
                format!("{}: {}", short.of(&c.id), c.fields.join(", ")),
            ]
        })
        .chain(report.removed.iter().map(|r| {
            vec![
                "removed upstream".to_owned(),
                sanitize_line(&r.key),
                format!(
                    "{}: {} is no longer in the files; kept here (`rep rm {}` removes it)",
                    &r.id[..8],
                    sanitize_line(&r.title),
                    &r.id[..8]
                ),
            ]
        }))
        .chain(report.skips.iter().map(|s| {
            let what = match &s.item {
                Some(item) => format!("{} ({})", s.path, item),
                None => s.path.clone(),
            };
            vec![
                "skipped".to_owned(),
                sanitize_line(&what),
                sanitize_line(&short.shorten(&s.reason)),
            ]
        }))
        .collect();
    if args.verbose && !rows.is_empty() {
        let mut table = ctx.out.table(&["outcome", "item", "detail"]);
        for row in rows {
            table.row(row.into_iter().map(Cell::own));
        }
        ctx.out.print_table(&table)?;
    }
    let (add, update) = if args.dry_run {
        ("would add", "would update")
    } else {
        ("added", "updated")
    };
    ctx.out.status(Own::new(format!(
        "{} read: {add} {}, {update} {}, {} unchanged, {} skipped{}{}",
        count(report.files, "file", "files"),
        report.added,
        report.updated,
        report.unchanged,
        report.skipped,
        match report.removed.len() {
            0 => String::new(),
            n => format!(", {n} removed upstream"),
        },
        if args.dry_run {
            "; nothing was written (dry run)"
        } else {
            ""
        }
    )));
    Ok(())
}
