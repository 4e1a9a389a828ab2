//! Who has dealt with something: members ranked by how much of their authored, answered and
//! accepted work matches, for `rep who`.

use std::collections::BTreeMap;

use crate::model::community::{Evidence, Expert, MatchedWork};

/// Score members from matching work: weight × relevance scaled to the best match.
pub fn rank(work: &[MatchedWork]) -> Vec<Expert> {
    let best = work.iter().map(|w| w.relevance).fold(f64::MIN, f64::max);
    let mut by_member: BTreeMap<&str, Expert> = BTreeMap::new();
    // Best matches first, so that each member's evidence is listed best first.
    let mut work: Vec<&MatchedWork> = work.iter().collect();
    work.sort_by(|a, b| b.relevance.total_cmp(&a.relevance));
    for w in work {
        let relevance = if best > 0.0 {
            (w.relevance / best).clamp(0.0, 1.0)
        } else {
            1.0
        };
        let e = by_member.entry(&w.member).or_insert_with(|| Expert {
            member: w.member.clone(),
            score: 0.0,
            authored: 0,
            answered: 0,
            accepted: 0,
            evidence: Vec::new(),
        });
        let weight = match w.how {
            "accepted" => {
                e.accepted += 1;
                4.0
            }
            "answered" => {
                e.answered += 1;
                2.0
            }
            _ => {
                e.authored += 1;
                3.0
            }
        };
        e.score += weight * relevance;
        if e.evidence.len() < 5 && !e.evidence.iter().any(|v| v.id == w.entry_id) {
            e.evidence.push(Evidence {
                id: w.entry_id.clone(),
                title: w.title.clone(),
                how: w.how,
            });
        }
    }
    let mut ranked: Vec<Expert> = by_member.into_values().collect();
    for e in &mut ranked {
        e.score = (e.score * 100.0).round() / 100.0;
    }
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.member.cmp(&b.member)));
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(member: &str, how: &'static str, id: &str, relevance: f64) -> MatchedWork {
        MatchedWork {
            member: member.into(),
            how,
            entry_id: id.into(),
            title: id.into(),
            relevance,
        }
    }

    #[test]
    fn accepted_answers_weigh_most() {
        let work = vec![
            w("ana", "authored", "e1", 10.0),
            w("bob", "accepted", "e1", 10.0),
            w("cy", "answered", "e2", 5.0),
        ];
        let ranked = rank(&work);
        let got: Vec<(&str, f64)> = ranked
            .iter()
            .map(|e| (e.member.as_str(), e.score))
            .collect();
        assert_eq!(got, [("bob", 4.0), ("ana", 3.0), ("cy", 1.0)]);
        assert_eq!(ranked[0].evidence[0].how, "accepted");
    }
}
