//! `rep document`: "we have faced this problem five times now: let us write it down once and
//! for all". Writes a `doc` entry from a problem or question and links it to its source.

use crate::context::Context;
use crate::editor;
use crate::model::commands::Documented;
use crate::model::practice::Candidate;
use crate::model::{self};
use crate::output::{Cell, Own, Untrusted};
use crate::picker::{self, Wanted};
use crate::store::entries::{self, NewEntry, Scope};
use crate::store::practice;
use crate::writeup;

/// Write up a recurring problem or question once and for all
///
/// Creates an entry of kind `doc`, pre-filled from the source's title and body, its accepted
/// replies and the notes of its occurrences, and links it to the source, which then counts as
/// documented. `-e` opens the draft in your editor; otherwise it is composed directly.
/// `--candidates` lists recurring problems and questions that have no write-up yet.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep document --candidates
  rep document 3f2a --from-replies
  rep document 3f2a -e")]
pub struct Args {
    /// The problem's or question's id or a unique prefix of it; on a terminal, leave it out to
    /// pick from a list
    pub id: Option<String>,

    /// Edit the draft in $VISUAL or $EDITOR before saving
    #[arg(short = 'e', long = "edit", conflicts_with = "from_replies")]
    pub edit: bool,

    /// Compose the write-up directly from the replies and notes (the default)
    #[arg(long)]
    pub from_replies: bool,

    /// List recurring, undocumented problems and questions, most frequent first
    #[arg(long, conflicts_with_all = ["id", "edit", "from_replies"])]
    pub candidates: bool,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    if args.candidates {
        return candidates(ctx);
    }
    let id = picker::entry_id(ctx, args.id, Wanted::OPEN_ENDED)?;
    let seq = ctx
        .store()?
        .read(|c| entries::resolve(c, &id, Scope::Live))?;
    let source = ctx.thread(seq)?;
    let mut draft = writeup::compose(&source);
    if args.edit {
        let what = format!(
            "Write-up of {} {}.",
            source.entry.kind, source.entry.short_id
        );
        // The draft is rep's own: saved as it is, it is what the user wants written.
        match editor::edit_with(&draft, &what, editor::Unchanged::Accepts)? {
            Some(written) => draft = written,
            None => return Err(editor::cancelled()),
        }
    }
    let new = NewEntry {
        kind: crate::model::Kind::Doc,
        title: model::validate_title(&draft.title)?,
        body: model::validate_body(draft.body)?,
        domain: source.entry.domain.clone(),
        tags: source.entry.tags.clone(),
        author: ctx.member()?,
        command: None,
        link: None,
    };
    let now = ctx.now();
    let doc = ctx.store()?.write(|w| {
        let (doc_seq, _) = entries::insert(w, &new, now)?;
        let stamp = w.tick(now)?;
        practice::set_link(
            w.conn(),
            doc_seq,
            &source.entry.id,
            crate::model::LinkKind::Documents.as_str(),
            true,
            &stamp,
        )?;
        entries::load(w.conn(), doc_seq)
    })?;
    if ctx.out.json {
        return ctx.out.json(&Documented {
            doc,
            documents: source.entry.id,
        });
    }
    ctx.out.print(Own::new(&doc.id))?;
    ctx.out.status(Own::new(format!(
        "documented {} {} in doc {}",
        source.entry.short_id,
        Untrusted(&source.entry.title),
        doc.short_id
    )));
    Ok(())
}

fn candidates(ctx: &mut Context) -> anyhow::Result<()> {
    let min = ctx.config.recurring.min_occurrences;
    let found: Vec<Candidate> = ctx
        .store()?
        .read(|c| practice::undocumented_recurring(c, min))?;
    if ctx.out.json {
        return ctx.out.json(&found);
    }
    if found.is_empty() {
        ctx.out.note(Own::new(format!(
            "nothing recurring without a write-up (recurring: {min}+ occurrences from 2+ members); \
             `rep seen ID` records each time a problem comes back"
        )));
        return Ok(());
    }
    let mut table = ctx
        .out
        .table(&["id", "kind", "domain", "seen", "members", "title"]);
    for c in &found {
        table.row([
            Cell::own(&c.short_id),
            Untrusted(&c.kind).into(),
            Untrusted(&c.domain).into(),
            c.occurrences.into(),
            c.members.into(),
            Untrusted(&c.title).into(),
        ]);
    }
    ctx.out.print_table(&table)
}
