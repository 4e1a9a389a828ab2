//! `rep edit`: change an entry's fields; each changed field gets a new clock stamp.

use crate::commands::{BodyArgs, parse_tags, read_body};
use crate::context::Context;
use crate::editor::{self, Draft};
use crate::error::RepError;
use crate::model::ReplySeq;
use crate::model::{self, Kind};
use crate::output::{Own, Untrusted};
use crate::picker::{self, Wanted};
use crate::replica::TextField as Field;
use crate::store::entries::{self, Scope};
use crate::store::practice;

/// Change an entry or a reply
///
/// Only the fields you name change. `-t` adds a tag, `--untag` removes one; an empty --cmd or
/// --link clears it. A reply has only a body: give a reply's id with -m, -F, - or -e. The
/// values replaced stay in `rep history`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep edit 3f2a --title \"Show blocking locks\" -t locks --untag misc
  rep edit 3f2a -d postgres/locking
  git log -1 --format=%B | rep edit 3f2a -
  rep edit 3f2a -e
  rep edit 9c1d -m \"cert-manager renews them; check its logs first\"   # a reply")]
pub struct Args {
    /// The entry's or reply's id or a unique prefix of it; on a terminal, leave it out to pick
    /// an entry from a list
    pub id: Option<String>,

    /// `-` reads the new body from stdin
    #[arg(value_name = "-", value_parser = ["-"], conflicts_with = "body_source")]
    pub stdin: Option<String>,

    /// New title
    #[arg(long, value_name = "TITLE")]
    pub title: Option<String>,

    /// New kind
    #[arg(long, value_enum)]
    pub kind: Option<Kind>,

    #[command(flatten)]
    pub body: BodyArgs,

    /// New domain
    #[arg(short, long, value_name = "DOMAIN", add = crate::completion::domains())]
    pub domain: Option<String>,

    /// Add a tag (repeat, or separate with commas)
    #[arg(short = 't', long = "tag", value_name = "TAG", value_delimiter = ',', add = crate::completion::tags())]
    pub tags: Vec<String>,

    /// Remove a tag (repeat, or separate with commas)
    #[arg(long = "untag", value_name = "TAG", value_delimiter = ',', add = crate::completion::tags())]
    pub untags: Vec<String>,

    /// New command line ("" clears it)
    #[arg(long = "cmd", value_name = "CMD")]
    pub command: Option<String>,

    /// New link ("" clears it)
    #[arg(long, value_name = "LINK")]
    pub link: Option<String>,
}

impl Args {
    fn changes_nothing(&self) -> bool {
        self.stdin.is_none()
            && self.title.is_none()
            && self.kind.is_none()
            && self.body.message.is_none()
            && self.body.body_file.is_none()
            && !self.body.edit
            && self.domain.is_none()
            && self.tags.is_empty()
            && self.untags.is_empty()
            && self.command.is_none()
            && self.link.is_none()
    }

    /// The flags that name an entry's fields other than its body.
    fn names_entry_fields(&self) -> bool {
        self.title.is_some()
            || self.kind.is_some()
            || self.domain.is_some()
            || !self.tags.is_empty()
            || !self.untags.is_empty()
            || self.command.is_some()
            || self.link.is_some()
    }
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    if args.changes_nothing() {
        return Err(RepError::usage("nothing to change")
            .with_hint("name a field: --title, --kind, -m, -d, -t, --untag, --cmd, --link, or -e")
            .into());
    }
    if let Some(reply_seq) = reply_given(ctx, args.id.as_deref())? {
        return edit_reply(ctx, &args, reply_seq);
    }
    // Validate everything before the transaction, so a bad value changes nothing.
    let mut title = args
        .title
        .as_deref()
        .map(model::validate_title)
        .transpose()?;
    let mut body = read_body(&args.body, args.stdin.is_some())?;
    let domain = args
        .domain
        .as_deref()
        .map(model::normalize_domain)
        .transpose()?;
    let add_tags = parse_tags(&args.tags)?;
    let remove_tags = parse_tags(&args.untags)?;
    let command = args
        .command
        .as_deref()
        .map(|c| model::validate_field("command", c))
        .transpose()?;
    let link = args
        .link
        .as_deref()
        .map(|l| model::validate_field("link", l))
        .transpose()?;
    let now = ctx.now();
    let member = ctx.member()?;
    let id = picker::entry_id(ctx, args.id.clone(), Wanted::LIVE)?;

    if args.body.edit {
        let current = ctx.store()?.read(|c| {
            let seq = entries::resolve(c, &id, Scope::Live)?;
            entries::load(c, seq)
        })?;
        let draft = Draft {
            title: title.clone().unwrap_or(current.title.clone()),
            body: current.body.clone(),
        };
        let what = format!("Editing {} {}.", current.kind, current.short_id);
        match editor::edit(&draft, &what)? {
            Some(written) => {
                title = Some(model::validate_title(&written.title)?);
                body = Some(model::validate_body(written.body)?);
            }
            None => return Err(editor::cancelled()),
        }
    }

    let (entry, changed) = ctx.store()?.write(|w| {
        let conn = w.conn();
        let seq = entries::resolve(conn, &id, Scope::Live)?;
        let stamp = w.tick(now)?;
        let mut changed = false;
        let fields = [
            (Field::Title, title.as_deref().map(Some)),
            (Field::Kind, args.kind.as_ref().map(|k| Some(k.as_str()))),
            (Field::Body, body.as_deref().map(Some)),
            (Field::Domain, domain.as_deref().map(Some)),
            (Field::Command, command.as_ref().map(|c| c.as_deref())),
            (Field::Link, link.as_ref().map(|l| l.as_deref())),
        ];
        for (field, value) in fields {
            if let Some(value) = value {
                changed |= entries::set_field(conn, seq, field, value, &stamp, &member, now)?;
            }
        }
        let mut tags_changed = false;
        for tag in &add_tags {
            tags_changed |= entries::set_tag(conn, seq, tag, true, &stamp, now)?;
        }
        for tag in &remove_tags {
            tags_changed |= entries::set_tag(conn, seq, tag, false, &stamp, now)?;
        }
        if tags_changed {
            entries::refresh_tags(conn, seq)?;
        }
        changed |= tags_changed;
        Ok((entries::load(conn, seq)?, changed))
    })?;
    if ctx.out.json {
        return ctx.out.json(&entry);
    }
    if changed {
        ctx.out.status(Own::new(format!(
            "updated {} {}",
            entry.short_id,
            Untrusted(&entry.title)
        )));
    } else {
        ctx.out
            .status(Own::new(format!("nothing changed in {}", entry.short_id)));
    }
    Ok(())
}

/// The reply `id` names, if it names one.
fn reply_given(ctx: &mut Context, id: Option<&str>) -> anyhow::Result<Option<ReplySeq>> {
    let Some(id) = id else { return Ok(None) };
    ctx.store_for_reading()?
        .read(|c| practice::reply_named(c, id, Scope::Live))
}

/// `rep edit REPLY`: a new body, the old one kept in the reply's history.
fn edit_reply(ctx: &mut Context, args: &Args, reply_seq: ReplySeq) -> anyhow::Result<()> {
    if args.names_entry_fields() {
        return Err(RepError::usage("a reply has only a body")
            .with_hint("give the new body with -m TEXT, -, --body-file FILE or -e")
            .into());
    }
    let mut body = read_body(&args.body, args.stdin.is_some())?;
    if args.body.edit {
        let current = ctx.store()?.read(|c| practice::reply_state(c, reply_seq))?;
        let draft = Draft {
            title: format!("Reply {}", current.short_id),
            body: current.body.clone(),
        };
        match editor::edit(
            &draft,
            "Editing a reply: keep the first line, edit below it.",
        )? {
            Some(written) => body = Some(model::validate_body(written.body)?),
            None => return Err(editor::cancelled()),
        }
    }
    let body = body.filter(|b| !b.trim().is_empty()).ok_or_else(|| {
        RepError::usage("a reply cannot be empty").with_hint("`rep rm REPLY` deletes a reply")
    })?;
    let now = ctx.now();
    let member = ctx.member()?;
    let (reply, changed) = ctx.store()?.write(|w| {
        let stamp = w.tick(now)?;
        let changed = practice::set_reply_body(w.conn(), reply_seq, &body, &stamp, &member)?;
        Ok((practice::reply_state(w.conn(), reply_seq)?, changed))
    })?;
    if ctx.out.json {
        return ctx.out.json(&reply);
    }
    if changed {
        ctx.out.status(Own::new(format!(
            "updated reply {} to {}",
            reply.short_id, reply.entry_short_id
        )));
    } else {
        ctx.out.status(Own::new(format!(
            "nothing changed in reply {}",
            reply.short_id
        )));
    }
    Ok(())
}
