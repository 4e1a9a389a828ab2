//! `rep ask`: ask a question, after looking at what the repertoire already knows.

use crate::output::{Own, Untrusted, sanitize_line};
use std::io::{IsTerminal, Read as _};

use crate::context::Context;
use crate::error::RepError;
use crate::limits;
use crate::model::commands::Asked;
use crate::model::{self};
use crate::store::entries::{self, NewEntry};
use crate::store::ranking;

/// Ask the community a question
///
/// First looks for what the repertoire already knows. On a terminal it shows the best matches
/// and lets you pick one that answers it (for a question or problem, recorded as an occurrence of
/// it: "hit this again"; for a tool, story or doc, as `rep helped` on it), post anyway, or
/// cancel. The best match is the default when its title holds every word of the question;
/// otherwise posting is. Without a terminal, or with --yes, it posts and lists the similar
/// entries. With `-`, text on stdin (`make 2>&1 | rep ask "..." -`) becomes the body as a code
/// block; without it stdin is never read, so a loop that feeds questions one line at a time or
/// a pipe that stays open cannot swallow the rest or hang.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep ask \"How do we rotate the staging certificates?\" -d k8s
  make 2>&1 | rep ask \"build fails on arm64\" - -d ci --yes
  rep ask \"Who owns the billing cron?\" -m \"It paged twice this week\" --json | jq .similar")]
pub struct Args {
    /// The question, on one line
    pub title: String,

    /// `-` reads the body from stdin, as a code block
    #[arg(value_name = "-", value_parser = ["-"])]
    pub stdin: Option<String>,

    /// More context (Markdown)
    #[arg(
        short = 'm',
        long = "message",
        value_name = "BODY",
        conflicts_with = "stdin"
    )]
    pub message: Option<String>,

    /// Domain [default: config defaults.domain, else general]
    #[arg(short, long, value_name = "DOMAIN")]
    pub domain: Option<String>,

    /// A tag (repeat, or separate with commas)
    #[arg(short = 't', long = "tag", value_name = "TAG", value_delimiter = ',')]
    pub tags: Vec<String>,

    /// Post without asking, even on a terminal
    #[arg(short, long)]
    pub yes: bool,
}

const SIMILAR: usize = 5;

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let title = model::validate_title(&args.title)?;
    let body = match (&args.message, args.stdin.is_some()) {
        (Some(m), _) => m.clone(),
        (None, true) => fenced(&read_stdin()?),
        (None, false) => String::new(),
    };
    let body = model::validate_body(body)?;
    let domain = model::normalize_domain(args.domain.as_deref().unwrap_or(&ctx.default_domain()))?;
    let tags = super::parse_tags(&args.tags)?;
    let author = ctx.member()?;

    let question = format!("{title} {body}");
    let mut similar = ctx
        .store()?
        .read(|c| ranking::similar(c, &question, SIMILAR))?;
    if similar.is_empty() {
        super::record_miss(ctx, &title, Some(&domain))?;
    }
    let interactive = !args.yes
        && !ctx.out.json
        && std::io::stdin().is_terminal()
        && std::io::stderr().is_terminal();
    if interactive && !similar.is_empty() {
        let mut items: Vec<String> = similar
            .iter()
            .map(|h| {
                format!(
                    "That answers it: {} {} {}",
                    h.entry.short_id,
                    h.entry.kind,
                    sanitize_line(&h.entry.title)
                )
            })
            .collect();
        items.push("Post my question anyway".into());
        // The best match first when its title plainly answers the question; else posting.
        let default_choice = if crate::search::title_answers(&title, &similar[0].entry.title) {
            0
        } else {
            similar.len()
        };
        items.push("Cancel".into());
        let choice = crate::picker::on_terminal(&dialoguer::console::Term::stderr(), |term| {
            dialoguer::Select::new()
                .with_prompt("The repertoire may know this already")
                .items(&items)
                .default(default_choice)
                .interact_on_opt(term)
        })?;
        match choice {
            Some(i) if i < similar.len() => {
                let hit = &similar[i];
                let seq = ctx
                    .store()?
                    .read(|c| entries::resolve(c, &hit.entry.id, entries::Scope::Live))?;
                if crate::rules::kinds::has_status(&hit.entry.kind) {
                    super::record_occurrence(ctx, seq, Some(&title))?;
                } else {
                    // A tool or a doc cannot happen again; that it answered is what `rep helped` notes.
                    let member = ctx.member()?;
                    let now = ctx.now();
                    let helped =
                        crate::recording::endorsement(ctx.store()?, &hit.entry.id, &member, now)?;
                    ctx.out.status(Own::new(format!(
                        "noted: {} answers it (it helped {} so far); see `rep show {}`",
                        hit.entry.short_id,
                        crate::output::count(helped.helped, "member", "members"),
                        hit.entry.short_id
                    )));
                }
                return Ok(());
            }
            Some(i) if i == similar.len() => {}
            _ => return Err(RepError::user("cancelled: nothing was written").into()),
        }
    }
    let new = NewEntry {
        kind: crate::model::Kind::Question,
        title,
        body,
        domain,
        tags,
        author,
        command: None,
        link: None,
    };
    let now = ctx.now();
    let entry = ctx.store()?.write(|w| {
        let (seq, _) = entries::insert(w, &new, now)?;
        entries::load(w.conn(), seq)
    })?;
    for hit in &mut similar {
        hit.snippet = crate::output::plain_highlight(&hit.snippet);
    }
    if ctx.out.json {
        return ctx.out.json(&Asked { entry, similar });
    }
    ctx.out.print(Own::new(&entry.id))?;
    ctx.out.status(Own::new(format!(
        "asked {}: {}",
        entry.short_id,
        Untrusted(&entry.title)
    )));
    if !similar.is_empty() {
        ctx.out.status("similar entries that may answer it:");
        for h in &similar {
            ctx.out.status(Own::new(format!(
                "  {} {:<8} {}",
                h.entry.short_id,
                h.entry.kind,
                Untrusted(&h.entry.title)
            )));
        }
    }
    Ok(())
}

fn read_stdin() -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(limits::BODY_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    String::from_utf8(bytes).map_err(|e| {
        RepError::user(format!(
            "stdin is not valid UTF-8 (at byte {})",
            e.utf8_error().valid_up_to()
        ))
        .into()
    })
}

/// Captured output becomes a fenced block, with a fence longer than any run of backticks in it.
fn fenced(text: &str) -> String {
    let text = text.trim_end();
    if text.trim().is_empty() {
        return String::new();
    }
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}\n{text}\n{fence}\n")
}

#[cfg(test)]
mod tests {
    use super::fenced;

    #[test]
    fn fences_outgrow_backticks_inside() {
        assert_eq!(fenced("error: x\n"), "```\nerror: x\n```\n");
        assert_eq!(fenced("a ```` b"), "`````\na ```` b\n`````\n");
        assert_eq!(fenced("  \n"), "");
    }
}
