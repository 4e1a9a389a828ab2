//! `rep export`: the repertoire as an exchange file, or as a folder of Markdown pages.

use crate::output::{Own, Untrusted};
use std::io::Write as _;
use std::path::PathBuf;

use crate::context::Context;
use crate::error::RepError;
use crate::model;
use crate::model::commands::ExportSummary as Summary;
use crate::output;
use crate::store::{entries, exchange};
use crate::tempfiles::write_atomically;

/// Export the repertoire for sharing or publishing
///
/// `jsonl` (the default) is the exchange format of docs/format.md: teammates import it with
/// `rep import` and all end with the same repertoire. The same state always gives the same bytes.
/// `markdown` writes a folder of pages, one per entry, grouped by domain, with index pages.
/// `tldr` writes the tools as a folder of tldr pages (`<domain>/<name>.md`); `navi` writes them
/// as one navi cheat (FILE ending in `.cheat`, or `-`) or a folder: each tool imported from navi
/// back in its file, the others in one `<domain>.cheat` per domain. `html` writes the pages of
/// `rep serve` as a static site with its own search (docs/web.md).
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep export team.jsonl
  rep export - --domain postgres > postgres.jsonl
  rep export site/ --format markdown
  rep export ~/.local/share/navi/cheats/rep --format navi
  rep export pages/ --format tldr -d postgres
  rep export public/ --format html
  rep export public/ --format html -d postgres")]
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
    /// Tools as navi cheats: one .cheat file, or a folder of them by source file and domain
    Navi,
    /// Tools as a folder of tldr pages by domain
    Tldr,
    /// The read-only web pages of `rep serve` as a static site (works from file://)
    Html,
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
                .filter(|e| crate::rules::domain::is_within_any(&e.domain, &domains))
                .collect();
            let published = ctx.store_for_reading()?.read(|c| with_threads(c, wanted))?;
            crate::markdown::write_site(&args.file, &published)?;
            (
                exchange::Written {
                    entries: published.len(),
                    replies: published.iter().map(|p| p.replies.len()).sum(),
                },
                "markdown",
            )
        }
        Format::Html => {
            if to_stdout {
                return Err(RepError::usage("html export needs a folder, not stdout")
                    .with_hint("e.g. rep export public/ --format html")
                    .into());
            }
            if domains.len() > 1 {
                return Err(RepError::usage("html export takes one --domain")
                    .with_hint("its sub-domains come with it: e.g. rep export public/ --format html -d k8s")
                    .into());
            }
            let db = ctx.db_path()?;
            let done = crate::web::export_site(
                &ctx.config,
                &db,
                &args.file,
                domains.first().map(String::as_str),
            )?;
            (
                exchange::Written {
                    entries: done.entries,
                    replies: done.replies,
                },
                "html",
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
                .filter(|e| crate::rules::domain::is_within_any(&e.domain, &domains))
                .collect();
            let places = if args.format == Format::Navi {
                ctx.store_for_reading()?
                    .read(|c| crate::store::imported::files_by_entry(c, "navi"))?
            } else {
                Default::default()
            };
            let (n, format) = export_tools(ctx, &args, to_stdout, &tools, &places)?;
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
        ctx.out.status(Own::new(format!(
            "exported {} and {} to {}",
            output::count(count.entries, "entry", "entries"),
            output::count(count.replies, "reply", "replies"),
            args.file.display()
        )));
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

/// Each entry with the status, replies and links its page shows.
fn with_threads(
    c: &rusqlite::Connection,
    entries: Vec<model::Entry>,
) -> anyhow::Result<Vec<crate::markdown::Published>> {
    use crate::store::practice;
    entries
        .into_iter()
        .map(|entry| {
            let seq = entries::resolve(c, &entry.id, entries::Scope::Any)?;
            let facts = practice::facts(c, seq)?;
            let replies = practice::replies(c, seq)?;
            let links = practice::links(c, seq, &entry.id)?;
            let duplicate = links
                .iter()
                .any(crate::model::practice::LinkView::makes_a_duplicate);
            Ok(crate::markdown::Published {
                status: crate::community::status(
                    &entry.kind,
                    facts.resolved,
                    replies.len() as u64,
                    duplicate,
                ),
                entry,
                replies,
                links,
            })
        })
        .collect()
}

/// Tools imported from navi first, in the files and order they came in; then the others by title.
fn in_navi_order<'a>(
    tools: &[&'a model::Entry],
    places: &std::collections::HashMap<String, (String, i64)>,
) -> Vec<&'a model::Entry> {
    let mut list: Vec<&model::Entry> = tools.to_vec();
    list.sort_by_key(|e| match places.get(&e.id) {
        Some((file, place)) => (0, file.clone(), *place),
        None => (1, String::new(), 0),
    });
    list
}

/// What the navi export had to change so that navi shows every tool (a `$` line navi cannot
/// parse would hide the rest of its file); say what.
fn report_dropped(ctx: &Context, dropped: &[(String, String)]) {
    for (title, what) in dropped {
        ctx.out
            .note(Own::new(format!("{}: {what}", Untrusted(title))));
    }
}

/// Tools in another tool's format; returns how many were written.
fn export_tools(
    ctx: &Context,
    args: &Args,
    to_stdout: bool,
    tools: &[&model::Entry],
    places: &std::collections::HashMap<String, (String, i64)>,
) -> anyhow::Result<(usize, &'static str)> {
    use crate::foreign::{navi, tldr};
    let single_cheat = to_stdout || args.file.extension().is_some_and(|e| e == "cheat");
    match args.format {
        Format::Navi if single_cheat => {
            let (text, dropped) =
                navi::render(&in_navi_order(tools, places), &mut navi::Shown::new());
            report_dropped(ctx, &dropped);
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
            let (files, dropped) = navi::files(tools, places);
            report_dropped(ctx, &dropped);
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
            crate::markdown::write_folder(&args.file, "tldr", "md", &pages)?;
            Ok((pages.len(), "tldr"))
        }
    }
}
