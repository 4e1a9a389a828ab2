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
    // Hundreds of thousands of activities from a thousand members in a few dozen domains: sum
    // into hash maps keyed by borrowed names, and build the ordered maps once, at the end.
    let mut index: HashMap<&str, usize> = HashMap::default();
    let mut members: Vec<(MemberSummary, Option<Millis>)> = Vec::new();
    let mut recent: HashMap<(&str, &str), u64> = HashMap::default();
    for a in all {
        let i = *index.entry(&a.member).or_insert_with(|| {
            members.push((
                MemberSummary {
                    member: a.member.to_string(),
                    ..Default::default()
                },
                None,
            ));
            members.len() - 1
        });
        let (m, last) = &mut members[i];
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
            *last = Some(last.map_or(a.at, |l| l.max(a.at)));
        }
        if a.at >= since {
            *recent.entry((&a.domain, &a.member)).or_default() += a.what.weight();
        }
    }
    let mut domain_scores: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for ((domain, member), score) in recent {
        domain_scores
            .entry(domain.to_owned())
            .or_default()
            .insert(member.to_owned(), score);
    }
    for (domain, scores) in &domain_scores {
        for (member, score, level) in community::levels(scores) {
            if let Some(&i) = index.get(member.as_str()) {
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
