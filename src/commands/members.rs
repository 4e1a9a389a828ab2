//! `rep members`: who takes part, with what, and how: core, active or peripheral per domain.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::community::{self, ActivityKind, Level};
use crate::context::Context;
use crate::error::RepError;
use crate::model;
use crate::output::sanitize_line;
use crate::store::practice::Activity;
use crate::store::snapshot::Snapshot;
use crate::timefmt::{self, Millis};

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

#[derive(Debug, Serialize)]
pub struct AliasDeclared {
    pub member: String,
    pub aliases: Vec<String>,
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
    ctx.out.status(&format!(
        "{} now also goes by: {}",
        sanitize_line(&done.member),
        names.join(", ")
    ));
    Ok(())
}

#[derive(Debug, Default, Serialize)]
pub struct MemberSummary {
    pub member: String,
    pub entries: u64,
    pub replies: u64,
    pub accepted_replies: u64,
    pub docs: u64,
    pub occurrences: u64,
    pub reviews: u64,
    pub endorsements_given: u64,
    pub endorsements_received: u64,
    pub last_active: Option<String>,
    /// Weighted activity in the window, over all domains shown.
    pub recent_score: u64,
    pub levels: Vec<DomainLevel>,
}

#[derive(Debug, Serialize)]
pub struct DomainLevel {
    pub domain: String,
    pub level: Level,
    pub score: u64,
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
    let mut all = ctx
        .store_for_reading()?
        .read(|c| Ok(Snapshot::load(c)?.activities()))?;
    if let Some(d) = &filter {
        all.retain(|a| crate::rules::domain::is_within(&a.domain, d));
        for a in &mut all {
            a.domain = d.clone();
        }
    }
    let (members, domain_scores) = summarise(&all, since);
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
            .map(|l| format!("{}: {}", sanitize_line(&l.domain), l.level.name()))
            .collect();
        table.add_row(vec![
            sanitize_line(&m.member),
            m.entries.to_string(),
            m.replies.to_string(),
            m.accepted_replies.to_string(),
            m.docs.to_string(),
            m.occurrences.to_string(),
            m.reviews.to_string(),
            m.endorsements_received.to_string(),
            m.last_active
                .as_deref()
                .map(|t| t[..10].to_owned())
                .unwrap_or_default(),
            levels.join(", "),
        ]);
    }
    // Narrow terminals lose the finer counts first; member and participation stay.
    ctx.out.fit(&mut table, &[6, 4, 3, 7, 5, 2, 1, 8]);
    ctx.out.print_table(&table)
}

/// Per-member counts and levels; also each domain's recent scores by member.
pub fn summarise(
    all: &[Activity],
    since: Millis,
) -> (Vec<MemberSummary>, BTreeMap<String, BTreeMap<String, u64>>) {
    let mut members: BTreeMap<&str, MemberSummary> = BTreeMap::new();
    let mut domain_scores: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let mut last: BTreeMap<&str, Millis> = BTreeMap::new();
    for a in all {
        let m = members.entry(&a.member).or_insert_with(|| MemberSummary {
            member: a.member.clone(),
            ..Default::default()
        });
        match a.what {
            ActivityKind::Entry => m.entries += 1,
            ActivityKind::Doc => m.docs += 1,
            ActivityKind::Reply => m.replies += 1,
            ActivityKind::AcceptedReply => {
                m.replies += 1;
                m.accepted_replies += 1;
            }
            ActivityKind::Review => m.reviews += 1,
            ActivityKind::Occurrence => m.occurrences += 1,
            ActivityKind::EndorsementGiven => m.endorsements_given += 1,
            ActivityKind::EndorsementReceived => m.endorsements_received += 1,
        }
        // Being endorsed is not something the member did: it counts for score, not activity.
        if a.what != ActivityKind::EndorsementReceived {
            let l = last.entry(&a.member).or_insert(a.at);
            *l = (*l).max(a.at);
        }
        if a.at >= since {
            *domain_scores
                .entry(a.domain.clone())
                .or_default()
                .entry(a.member.clone())
                .or_default() += a.what.weight();
        }
    }
    for (domain, scores) in &domain_scores {
        for (member, score, level) in community::levels(scores) {
            if let Some(m) = members.get_mut(member.as_str()) {
                m.recent_score += score;
                m.levels.push(DomainLevel {
                    domain: domain.clone(),
                    level,
                    score,
                });
            }
        }
    }
    let mut out: Vec<MemberSummary> = members
        .into_values()
        .map(|mut m| {
            m.last_active = last.get(m.member.as_str()).map(|t| timefmt::rfc3339(*t));
            m.levels.sort_by(|a, b| {
                a.level
                    .cmp(&b.level)
                    .then(b.score.cmp(&a.score))
                    .then(a.domain.cmp(&b.domain))
            });
            m
        })
        .collect();
    out.sort_by(|a, b| {
        b.recent_score
            .cmp(&a.recent_score)
            .then(a.member.cmp(&b.member))
    });
    (out, domain_scores)
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
    ctx.out.print(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn act(member: &str, domain: &str, what: ActivityKind, at: Millis) -> Activity {
        Activity {
            member: member.into(),
            domain: domain.into(),
            what,
            at,
        }
    }

    #[test]
    fn counts_and_levels_per_domain() {
        let all = vec![
            act("ana", "pg", ActivityKind::Doc, 100),
            act("ana", "pg", ActivityKind::Entry, 100),
            act("bob", "pg", ActivityKind::Reply, 100),
            act("bob", "pg", ActivityKind::AcceptedReply, 100),
            act("cy", "pg", ActivityKind::Occurrence, 100),
            act("cy", "k8s", ActivityKind::Entry, 100),
            act("old", "pg", ActivityKind::Entry, 1),
        ];
        let (members, scores) = summarise(&all, 50);
        assert_eq!(scores["pg"]["ana"], 8);
        assert_eq!(scores["pg"]["bob"], 6);
        assert!(!scores["pg"].contains_key("old"), "outside the window");
        let ana = members.iter().find(|m| m.member == "ana").unwrap();
        assert_eq!((ana.entries, ana.docs), (1, 1));
        assert_eq!(ana.levels[0].level, Level::Core);
        let bob = members.iter().find(|m| m.member == "bob").unwrap();
        assert_eq!((bob.replies, bob.accepted_replies), (2, 1));
        assert_eq!(
            bob.levels[0].level,
            Level::Active,
            "ana alone makes 8 of 15, past half"
        );
        let cy = members.iter().find(|m| m.member == "cy").unwrap();
        let cy_levels: Vec<(&str, Level)> = cy
            .levels
            .iter()
            .map(|l| (l.domain.as_str(), l.level))
            .collect();
        assert_eq!(cy_levels, [("k8s", Level::Core), ("pg", Level::Peripheral)]);
    }
}
