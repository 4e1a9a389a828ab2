//! Participation: each member's contributions and, per domain, their level (core, active,
//! peripheral) from weighted activity in the recent window; for `rep members`.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

use crate::community::{self, ActivityKind, Level};
use crate::store::practice::Activity;
use crate::timefmt::{self, Millis};

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

/// Per-member counts and levels; also each domain's recent scores by member.
pub fn summarise(
    all: &[Activity],
    since: Millis,
) -> (Vec<MemberSummary>, BTreeMap<String, BTreeMap<String, u64>>) {
    let mut members = Names::default();
    let mut domains = Names::default();
    let numbered: Vec<(u32, u32, ActivityKind, Millis)> = all
        .iter()
        .map(|a| {
            (
                members.number(&a.member),
                domains.number(&a.domain),
                a.what,
                a.at,
            )
        })
        .collect();
    summarise_numbered(
        &members.names,
        &domains.names,
        |f| {
            for &(m, d, what, at) in &numbered {
                f(m, d, what, at);
            }
        },
        since,
    )
}

#[derive(Default)]
struct Names<'a> {
    index: HashMap<&'a str, u32>,
    names: Vec<&'a str>,
}

impl<'a> Names<'a> {
    fn number(&mut self, name: &'a str) -> u32 {
        *self.index.entry(name).or_insert_with(|| {
            self.names.push(name);
            self.names.len() as u32 - 1
        })
    }
}

/// [`summarise`] over activities given as (member, domain, what, when), members and domains
/// by their numbers in `member_names` and `domain_names` (a domain number may stand for
/// several domains shown as one). `feed` calls its argument once per activity, so that a
/// million-entry repertoire's activities are summed without being listed.
pub fn summarise_numbered<M: AsRef<str>, D: AsRef<str>>(
    member_names: &[M],
    domain_names: &[D],
    feed: impl FnOnce(&mut dyn FnMut(u32, u32, ActivityKind, Millis)),
    since: Millis,
) -> (Vec<MemberSummary>, BTreeMap<String, BTreeMap<String, u64>>) {
    // Hundreds of thousands of activities from a thousand members in a few dozen domains: sum
    // by number, and build the named and ordered maps once, at the end.
    let mut index: Vec<Option<usize>> = vec![None; member_names.len()];
    let mut members: Vec<(MemberSummary, Option<Millis>)> = Vec::new();
    let mut recent: HashMap<(u32, u32), u64> = HashMap::default();
    feed(&mut |member, domain, what, at| {
        let i = *index[member as usize].get_or_insert_with(|| {
            members.push((
                MemberSummary {
                    member: member_names[member as usize].as_ref().to_owned(),
                    ..Default::default()
                },
                None,
            ));
            members.len() - 1
        });
        let (m, last) = &mut members[i];
        match what {
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
        if what != ActivityKind::EndorsementReceived {
            *last = Some(last.map_or(at, |l| l.max(at)));
        }
        if at >= since {
            *recent.entry((domain, member)).or_default() += what.weight();
        }
    });
    let mut domain_scores: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let mut by_name: HashMap<&str, usize> = HashMap::default();
    for ((domain, member), score) in recent {
        let name = member_names[member as usize].as_ref();
        if let Some(i) = index[member as usize] {
            by_name.insert(name, i);
        }
        domain_scores
            .entry(domain_names[domain as usize].as_ref().to_owned())
            .or_default()
            .insert(name.to_owned(), score);
    }
    for (domain, scores) in &domain_scores {
        for (member, score, level) in community::levels(scores) {
            if let Some(&i) = by_name.get(member.as_str()) {
                let m = &mut members[i].0;
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
        .into_iter()
        .map(|(mut m, last)| {
            m.last_active = last.map(timefmt::rfc3339);
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
