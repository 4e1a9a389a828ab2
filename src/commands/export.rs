//! `rep export`: the repertoire as an exchange file, or as a folder of Markdown pages.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use serde::Serialize;

use crate::context::Context;
use crate::error::RepError;
use crate::model;
use crate::store::{entries, exchange};

/// Export the repertoire for sharing or publishing
///
/// `jsonl` (the default) is the exchange format of docs/format.md: teammates import it with
/// `rep import` and all end with the same repertoire. The same state always gives the same bytes.
/// `markdown` writes a folder of pages, one per entry, grouped by domain, with index pages.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep export team.jsonl
  rep export - --domain postgres > postgres.jsonl
  rep export site/ --format markdown")]
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
            let mut out = std::io::stdout().lock();
            let n = ctx
                .store()?
                .read(|c| exchange::export(c, &domains, &mut out))?;
            out.flush()?;
            (n, "jsonl")
        }
        Format::Jsonl => {
            let path = args.file.clone();
            let n = ctx
                .store()?
                .read(|c| write_atomically(&path, |out| exchange::export(c, &domains, out)))?;
            (n, "jsonl")
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
                .store()?
                .read(|c| entries::list(c, &filter, entries::Sort::Title, None))?;
            let wanted: Vec<_> = all
                .into_iter()
                .filter(|e| {
                    domains.is_empty()
                        || domains
                            .iter()
                            .any(|d| e.domain == *d || e.domain.starts_with(&format!("{d}/")))
                })
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
            "exported {} entries and {} replies to {}",
            count.entries,
            count.replies,
            args.file.display()
        ));
    }
    Ok(())
}

/// Write through a temporary file in the same folder and rename it into place, so a reader (or
/// git) never sees half a file.
pub fn write_atomically<T>(
    path: &std::path::Path,
    f: impl FnOnce(&mut dyn std::io::Write) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let cannot = || RepError::environment(format!("cannot write {}", path.display()));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).with_context(cannot)?;
    let value = {
        let mut out = std::io::BufWriter::new(tmp.as_file_mut());
        let value = f(&mut out)?;
        out.flush().with_context(cannot)?;
        value
    };
    tmp.as_file().sync_all().with_context(cannot)?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(cannot)?;
    Ok(value)
}
