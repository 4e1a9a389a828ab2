//! `rep export`: the repertoire as an exchange file, or as a folder of Markdown pages.

use std::io::Write as _;
use std::path::PathBuf;

use serde::Serialize;

use crate::context::Context;
use crate::error::RepError;
use crate::model;
use crate::output;
use crate::store::{entries, exchange};
use crate::tempfiles::write_atomically;

/// Export the repertoire for sharing or publishing
///
/// `jsonl` (the default) is the exchange format of docs/format.md: teammates import it with
/// `rep import` and all end with the same repertoire. The same state always gives the same bytes.
/// `markdown` writes a folder of pages, one per entry, grouped by domain, with index pages.
/// `tldr` writes the tools as a folder of tldr pages (`<domain>/<name>.md`); `navi` writes them
/// as one navi cheat (FILE ending in `.cheat`, or `-`) or a folder of `<domain>.cheat` files.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep export team.jsonl
  rep export - --domain postgres > postgres.jsonl
  rep export site/ --format markdown
  rep export ~/.local/share/navi/cheats/rep --format navi
  rep export pages/ --format tldr -d postgres")]
pub struct Args {
    /// File to write, `-` for stdout (a folder for markdown)
    #[arg(value_name = "FILE", default_value = "-")]
    pub file: PathBuf,

    /// Only entries in this domain and its sub-domains (repeat for several)
    #[arg(short, long = "domain", value_name = "DOMAIN")]
    pub domains: Vec<String>,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The exchange format: one JSON record per line
    Jsonl,
    /// A browsable folder of Markdown pages
    Markdown,
    /// Tools as navi cheats: one .cheat file, or a folder of them by domain
    Navi,
    /// Tools as a folder of tldr pages by domain
    Tldr,
}

#[derive(Serialize)]
struct Summary {
    path: String,
    format: &'static str,
    entries: usize,
    /// Replies written; the Markdown pages carry none.
    replies: usize,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let domains: Vec<String> = args
        .domains
        .iter()
        .map(|d| model::normalize_domain(d))
        .collect::<Result<_, _>>()?;
    let to_stdout = args.file.as_os_str() == "-";
    if to_stdout && ctx.out.json {
        return Err(RepError::usage(
            "the export itself goes to stdout, so --json has nowhere to go",
        )
        .with_hint("give a FILE to get a JSON summary")
        .into());
    }
    let (count, format) = match args.format {
        Format::Jsonl if to_stdout => {
            // Not a lock: the export is written from a second thread.
            let mut out = std::io::BufWriter::new(crate::output::export_stdout());
            let n = ctx
                .store_for_reading()?
                .read(|c| exchange::export(c, &domains, &mut out))?;
            out.flush()?;
            (n, "jsonl")
        }
        Format::Jsonl => {
            let path = args.file.clone();
            // Only to a file: on stdout the bar would share the terminal with the export.
            let bar = ctx.out.progress(None, "exporting");
            let n = ctx.store_for_reading()?.read(|c| {
                write_atomically(&path, "export", |out| {
                    exchange::export(c, &domains, &mut bar.wrap_write(out))
                })
            });
            bar.finish_and_clear();
            match n {
                Err(e) if crate::error::is_damaged_database(&e) => {
                    return salvage(ctx, &args.file, &domains);
                }
                n => (n?, "jsonl"),
            }
        }
        Format::Markdown => {
            if to_stdout {
                return Err(
                    RepError::usage("markdown export needs a folder, not stdout")
                        .with_hint("e.g. rep export site/ --format markdown")
                        .into(),
                );
            }
            let filter = entries::Filter::default();
            let all = ctx
                .store_for_reading()?
                .read(|c| entries::list(c, &filter, entries::Sort::Title, None))?;
            let wanted: Vec<_> = all
                .into_iter()
                .filter(|e| in_domains(&domains, &e.domain))
                .collect();
            crate::markdown::write_site(&args.file, &wanted)?;
            (
                exchange::Written {
                    entries: wanted.len(),
                    replies: 0,
                },
                "markdown",
            )
        }
        Format::Navi | Format::Tldr => {
            let tools = ctx.store_for_reading()?.read(|c| {
                let filter = entries::Filter {
                    kind: Some(model::Kind::Tool.as_str().to_owned()),
                    ..entries::Filter::default()
                };
                entries::list(c, &filter, entries::Sort::Title, None)
            })?;
            let tools: Vec<&model::Entry> = tools
                .iter()
                .filter(|e| in_domains(&domains, &e.domain))
                .collect();
            let (n, format) = export_tools(&args, to_stdout, &tools)?;
            (
                exchange::Written {
                    entries: n,
                    replies: 0,
                },
                format,
            )
        }
    };
    if ctx.out.json {
        return ctx.out.json(&Summary {
            path: args.file.display().to_string(),
            format,
            entries: count.entries,
            replies: count.replies,
        });
    }
    if !to_stdout {
        ctx.out.status(&format!(
            "exported {} and {} to {}",
            output::count(count.entries, "entry", "entries"),
            output::count(count.replies, "reply", "replies"),
            args.file.display()
        ));
    }
    Ok(())
}

/// SQLite found the database damaged: write what can be read, then fail with the count, so
/// doctor's advice ("export what is readable") can be followed.
fn salvage(ctx: &mut Context, path: &std::path::Path, domains: &[String]) -> anyhow::Result<()> {
    let salvaged = ctx.store_for_reading()?.read(|c| {
        write_atomically(path, "export", |out| {
            exchange::export_salvaging(c, domains, out)
        })
    })?;
    Err(RepError::user(format!(
        "the database is damaged: exported {} and {} to {}, skipped {}",
        output::count(salvaged.written.entries, "entry", "entries"),
        output::count(salvaged.written.replies, "reply", "replies"),
        path.display(),
        output::count(salvaged.unreadable, "unreadable row", "unreadable rows")
    ))
    .with_hint(
        "`rep doctor` says where; `rep --db NEW.db import FILE` makes a sound repertoire of it",
    )
    .into())
}

fn in_domains(domains: &[String], domain: &str) -> bool {
    domains.is_empty()
        || domains
            .iter()
            .any(|d| domain == d || domain.starts_with(&format!("{d}/")))
}

/// Tools in another tool's format; returns how many were written.
fn export_tools(
    args: &Args,
    to_stdout: bool,
    tools: &[&model::Entry],
) -> anyhow::Result<(usize, &'static str)> {
    use crate::foreign::{navi, tldr};
    let single_cheat = to_stdout || args.file.extension().is_some_and(|e| e == "cheat");
    match args.format {
        Format::Navi if single_cheat => {
            let text = navi::render(tools);
            let count = tools.iter().filter(|e| navi::has_command(e)).count();
            if to_stdout {
                let mut out = crate::output::export_stdout();
                out.write_all(text.as_bytes())?;
                out.flush()?;
            } else {
                write_atomically(&args.file, "export", |out| {
                    Ok(out.write_all(text.as_bytes())?)
                })?;
            }
            Ok((count, "navi"))
        }
        Format::Navi => {
            let files = navi::files_by_domain(tools);
            crate::markdown::prepare_root(&args.file, "navi", "cheat")?;
            for (path, text) in &files {
                crate::markdown::write_file(&args.file, path, text)?;
            }
            let count = tools.iter().filter(|e| navi::has_command(e)).count();
            Ok((count, "navi"))
        }
        _ => {
            if to_stdout {
                return Err(RepError::usage("tldr export needs a folder, not stdout")
                    .with_hint("e.g. rep export pages/ --format tldr")
                    .into());
            }
            let pages = tldr::site(tools);
            crate::markdown::prepare_root(&args.file, "tldr", "md")?;
            for (path, text) in &pages {
                crate::markdown::write_file(&args.file, path, text)?;
            }
            Ok((pages.len(), "tldr"))
        }
    }
}
