//! `rep document`: "we have faced this problem five times now: let us write it down once and
//! for all". Writes a `doc` entry from a problem or question and links it to its source.

use serde::Serialize;

use crate::context::Context;
use crate::editor::{self, Draft};
use crate::model::{self, Entry};
use crate::output::count;
use crate::output::sanitize_line;
use crate::picker::{self, Wanted};
use crate::store::entries::{self, NewEntry, Scope};
use crate::store::practice::{self, Candidate};

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

#[derive(Serialize)]
struct Documented {
    #[serde(flatten)]
    doc: Entry,
    documents: String,
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
    let mut draft = compose(&source);
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
        kind: "doc".into(),
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
            "documents",
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
    ctx.out.print(&doc.id)?;
    ctx.out.status(&format!(
        "documented {} {} in doc {}",
        source.entry.short_id,
        sanitize_line(&source.entry.title),
        doc.short_id
    ));
    Ok(())
}

/// The reply a write-up carries when none is accepted: the one most members said helped, the
/// latest on a tie.
fn best_reply(
    replies: &[crate::store::practice::ReplyView],
) -> Option<&crate::store::practice::ReplyView> {
    replies.iter().max_by(|a, b| {
        a.helped
            .cmp(&b.helped)
            .then(a.created_at.cmp(&b.created_at))
    })
}

/// The first draft of a write-up.
fn compose(source: &crate::thread::Thread) -> Draft {
    let e = &source.entry;
    let mut body = String::new();
    if !e.body.trim().is_empty() {
        body.push_str(e.body.trim_end());
        body.push_str("\n\n");
    }
    let accepted: Vec<_> = source.replies.iter().filter(|r| r.accepted).collect();
    let reply = |body: &mut String, r: &crate::store::practice::ReplyView| {
        body.push_str(&format!(
            "{}\n\n(from {}, {})\n\n",
            r.body.trim_end(),
            r.author,
            &r.created_at[..10]
        ));
    };
    if !accepted.is_empty() {
        body.push_str("## What works\n\n");
        for r in accepted {
            reply(&mut body, r);
        }
    } else if let Some(best) = best_reply(&source.replies) {
        // No reply is accepted: the one that helped most members, else the latest, marked as
        // such, so that the write-up carries an answer and says how sure it is.
        body.push_str("## What seems to work\n\nNo reply is accepted yet: this is the one that helped most members, else the latest.\n\n");
        reply(&mut body, best);
    } else {
        body.push_str("## What works\n\nNo reply yet: nobody has said what works.\n\n");
    }
    if !source.occurrences.notes.is_empty() || source.occurrences.count > 0 {
        body.push_str(&format!(
            "## Where it came back\n\nSeen {} by {}.\n\n",
            count(source.occurrences.count, "time", "times"),
            count(source.occurrences.members, "member", "members")
        ));
        for note in &source.occurrences.notes {
            body.push_str(&format!("- {}\n", note.trim()));
        }
        if !source.occurrences.notes.is_empty() {
            body.push('\n');
        }
    }
    body.push_str(&format!("Written up from {} {}.\n", e.kind, &e.id[..8]));
    Draft {
        title: e.title.clone(),
        body,
    }
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
        ctx.out.note(&format!(
            "nothing recurring without a write-up (recurring: {min}+ occurrences from 2+ members); \
             `rep seen ID` records each time a problem comes back"
        ));
        return Ok(());
    }
    let mut table = ctx
        .out
        .table(&["id", "kind", "domain", "seen", "members", "title"]);
    for c in &found {
        table.add_row(vec![
            c.short_id.clone(),
            c.kind.clone(),
            sanitize_line(&c.domain),
            c.occurrences.to_string(),
            c.members.to_string(),
            sanitize_line(&c.title),
        ]);
    }
    ctx.out.print_table(&table)
}
