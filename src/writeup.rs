//! The first draft of a write-up of a recurring problem or question: its body, what works
//! (accepted replies, else the one that helped most), and where it came back; for `rep document`.

use crate::editor::Draft;
use crate::model::practice::{ReplyView, Thread};
use crate::text::count;

/// The reply a write-up carries when none is accepted: the one most members said helped, the
/// latest on a tie.
fn best_reply(replies: &[ReplyView]) -> Option<&ReplyView> {
    replies.iter().max_by(|a, b| {
        a.helped
            .cmp(&b.helped)
            .then(a.created_at.cmp(&b.created_at))
    })
}

/// The first draft of a write-up.
pub fn compose(source: &Thread) -> Draft {
    let e = &source.entry;
    let mut body = String::new();
    if !e.body.trim().is_empty() {
        body.push_str(e.body.trim_end());
        body.push_str("\n\n");
    }
    let accepted: Vec<_> = source.replies.iter().filter(|r| r.accepted).collect();
    let reply = |body: &mut String, r: &ReplyView| {
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
