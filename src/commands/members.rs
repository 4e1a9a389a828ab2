//! `rep members`: who takes part, with what, and how: core, active or peripheral per domain.

use crate::output::{Cell, Own, Untrusted, sanitize_line};
use std::collections::BTreeMap;

use crate::community::{self, ActivityKind};
use crate::context::Context;
use crate::error::RepError;
use crate::model;
use crate::model::commands::AliasDeclared;
use crate::participation;
use crate::store::snapshot::Snapshot;

/// List members with their contributions and participation
///
/// Counts are all-time; the participation level in each domain (core, active, peripheral) comes
/// from weighted activity in the recent window (config community.window_days, default 180).
/// --explain prints the definition and each domain's figures.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep members
  rep members --domain postgres --explain
  rep members --json | jq -r '.[] | select(.levels[].level == \"core\") | .member'
  rep members alias bruno b.rossi")]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,

    /// Only activity in this domain and its sub-domains, with levels for it as a whole
    #[arg(short, long, value_name = "DOMAIN")]
    pub domain: Option<String>,

    /// Print how participation is computed, with each domain's inputs
    #[arg(long)]
    pub explain: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Declare other names one member goes by
    ///
    /// Names already compare without regard to case (`Bruno` is `bruno`); an alias joins a
    /// different name to a member everywhere: members, map, who, gaps, stats and endorsements.
    /// Aliases are kept in this database only: the exchange format has no record of members,
    /// so teammates declare their own (an alias is one command, and never changes a record).
    #[command(after_help = "Examples:\n  rep members alias bruno b.rossi brossi")]
    Alias {
        /// The member, as they usually write their name
        #[arg(value_name = "NAME")]
        member: String,
        /// Other names the member goes by
        #[arg(value_name = "ALIAS", required = true)]
        aliases: Vec<String>,
    },
}

fn declare_aliases(ctx: &mut Context, member: &str, aliases: &[String]) -> anyhow::Result<()> {
    let member = crate::context::validate_member(member)?;
    let mut declared = Vec::new();
    for alias in aliases {
        let alias = crate::context::validate_member(alias)?;
        if crate::identity::fold(&alias) == crate::identity::fold(&member) {
            return Err(RepError::usage(format!(
                "{:?} is {:?} already: names compare without regard to case",
                sanitize_line(&alias),
                sanitize_line(&member)
            ))
            .into());
        }
        declared.push(alias);
    }
    ctx.store()?.write_local(|c| {
        let known = crate::store::identities(c)?;
        for alias in &declared {
            // An alias of an alias would be a chain that the next declaration could break.
            if known.key(&member) == crate::identity::fold(alias) {
                return Err(RepError::user(format!(
                    "{:?} is an alias of {:?}, not a member of its own",
                    sanitize_line(&member),
                    sanitize_line(alias)
                ))
                .into());
            }
            crate::store::set_alias(c, alias, &known.key(&member))?;
        }
        Ok(())
    })?;
    let done = AliasDeclared {
        member,
        aliases: declared,
    };
    if ctx.out.json {
        return ctx.out.json(&done);
    }
    let names: Vec<String> = done.aliases.iter().map(|a| sanitize_line(a)).collect();
    ctx.out.status(Own::new(format!(
        "{} now also goes by: {}",
        Untrusted(&done.member),
        names.join(", ")
    )));
    Ok(())
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    if let Some(Action::Alias { member, aliases }) = &args.action {
        return declare_aliases(ctx, member, aliases);
    }
    let filter = args
        .domain
        .as_deref()
        .map(model::normalize_domain)
        .transpose()?;
    let window = ctx.config.community.window_days;
    let since = crate::rules::staleness::window_start(ctx.now(), window);
    let (members, domain_scores) = ctx.store_for_reading()?.read(|c| {
        let snap = Snapshot::load(c)?;
        let names = snap.domain_names();
        Ok(match &filter {
            // Every domain within the filter counts as the filter itself; the rest not at all.
            Some(d) => {
                let within: Vec<bool> = names
                    .iter()
                    .map(|n| crate::rules::domain::is_within(n, d))
                    .collect();
                participation::summarise_numbered(
                    snap.member_names(),
                    &[d.as_str()],
                    |f| {
                        snap.each_activity(|m, domain, what, at| {
                            if within[domain as usize] {
                                f(m, 0, what, at);
                            }
                        })
                    },
                    since,
                )
            }
            None => participation::summarise_numbered(
                snap.member_names(),
                names,
                |f| snap.each_activity(f),
                since,
            ),
        })
    })?;
    if ctx.out.json {
        return ctx.out.json(&members);
    }
    if args.explain {
        explain(ctx, &domain_scores, window)?;
    }
    if members.is_empty() {
        ctx.out.note(
            "no activity yet: members appear as they add, answer, review and say what helped",
        );
        return Ok(());
    }
    let mut table = ctx.out.table(&[
        "member",
        "entries",
        "replies",
        "accepted",
        "docs",
        "seen",
        "reviews",
        "helped",
        "last active",
        "participation",
    ]);
    for m in &members {
        let levels: Vec<String> = m
            .levels
            .iter()
            .map(|l| format!("{}: {}", Untrusted(&l.domain), l.level.name()))
            .collect();
        table.row([
            Untrusted(&m.member).into(),
            m.entries.into(),
            m.replies.into(),
            m.accepted_replies.into(),
            m.docs.into(),
            m.occurrences.into(),
            m.reviews.into(),
            m.endorsements_received.into(),
            // A date rep formatted.
            Cell::own(
                m.last_active
                    .as_deref()
                    .map(|t| t[..10].to_owned())
                    .unwrap_or_default(),
            ),
            Cell::own(levels.join(", ")),
        ]);
    }
    // Narrow terminals lose the finer counts first; member and participation stay.
    ctx.out.fit(&mut table, &[6, 4, 3, 7, 5, 2, 1, 8]);
    ctx.out.print_table(&table)
}

fn explain(
    ctx: &Context,
    domain_scores: &BTreeMap<String, BTreeMap<String, u64>>,
    window: u64,
) -> anyhow::Result<()> {
    let weights: Vec<String> = ActivityKind::ALL
        .iter()
        .map(|k| format!("{} {}", k.name(), k.weight()))
        .collect();
    let mut text = format!(
        "Participation in a domain = weighted activity in the last {}.\n\
         Weights: {}.\n\
         Core: the fewest members, highest scores first, whose scores reach 50% of the domain's total.\n\
         Active: the next members up to 80%. Peripheral: everyone else with activity in the window.\n\
         (docs/community.md has the full definitions.)\n\n",
        crate::output::count(window, "day", "days"),
        weights.join(", ")
    );
    for (domain, scores) in domain_scores {
        let total: u64 = scores.values().sum();
        let ranked = community::levels(scores);
        let shown: Vec<String> = ranked
            .iter()
            .map(|(m, s, l)| format!("{} {s} ({})", sanitize_line(m), l.name()))
            .collect();
        text.push_str(&format!(
            "{}: total {total}; {}\n",
            sanitize_line(domain),
            shown.join(", ")
        ));
    }
    ctx.out.print(Own::new(text))
}
