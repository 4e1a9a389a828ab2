//! What the community is missing: every gap with its kind, subject, score, evidence, inputs and
//! the command that would close it. Pure: the figures come in, the ranked list goes out.
//! Definitions and formulas: docs/gaps.md.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::Connection;
use serde::Serialize;

use crate::community;
use crate::config::Config;
use crate::model::community::{
    Contribution, DomainFacts, DomainPeople, Miss, StaleDomain, WaitingQuestion,
};
use crate::model::practice::Candidate;
use crate::rules::staleness::{reviewed_before, window_start};
use crate::store::analysis;
use crate::store::snapshot::{Recurring, Snapshot, Waiting};
use crate::text::{count, plural};
use crate::timefmt::{DAY_MS, Millis, WEEK_MS};

/// What a gap is about; serialised as its name (docs/gaps.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    Unanswered,
    Unresolved,
    Undocumented,
    BusFactor,
    NoExpert,
    Stale,
    SearchMiss,
    ThinDomain,
}

impl GapKind {
    pub fn as_str(self) -> &'static str {
        match self {
            GapKind::Unanswered => "unanswered",
            GapKind::Unresolved => "unresolved",
            GapKind::Undocumented => "undocumented",
            GapKind::BusFactor => "bus_factor",
            GapKind::NoExpert => "no_expert",
            GapKind::Stale => "stale",
            GapKind::SearchMiss => "search_miss",
            GapKind::ThinDomain => "thin_domain",
        }
    }
}

impl std::fmt::Display for GapKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    pub kind: GapKind,
    /// What the gap is about: a question's title, a domain, searched words.
    pub subject: String,
    pub domain: Option<String>,
    /// The entry, when the gap is about one.
    pub id: Option<String>,
    pub score: u64,
    /// One sentence a person can check.
    pub evidence: String,
    /// How the score is computed, and from what.
    pub formula: &'static str,
    pub inputs: BTreeMap<&'static str, u64>,
    /// The command that would close the gap.
    pub command: String,
}

/// Everything gap finding looks at.
pub struct Inputs {
    pub now: Millis,
    pub waiting: Vec<WaitingQuestion>,
    pub undocumented: Vec<Candidate>,
    pub facts: Vec<DomainFacts>,
    /// Contributions within the window.
    pub contributions: Vec<Contribution>,
    /// Members who did something themselves in the window.
    pub active: BTreeSet<String>,
    pub stale: Vec<StaleDomain>,
    pub misses: Vec<Miss>,
    pub thin_min_questions: u64,
    pub thin_ratio: u64,
    /// Waiting questions and recurring problems left out of `waiting` and `undocumented`
    /// because better ones fill the limit: counted in the total, never built.
    pub unbuilt: usize,
}

/// `text` as one shell word to copy: in double quotes when nothing in it means anything to the
/// shell there, else in single quotes.
fn shell_quoted(text: &str) -> String {
    if text
        .chars()
        .any(|c| matches!(c, '"' | '$' | '`' | '\\' | '!'))
    {
        format!("'{}'", text.replace('\'', "'\\''"))
    } else {
        format!("\"{text}\"")
    }
}

fn inputs(pairs: &[(&'static str, u64)]) -> BTreeMap<&'static str, u64> {
    pairs.iter().copied().collect()
}

/// Per domain: scores, core, experts and bus factor. Only members in `active` (who did something
/// themselves in the window) can be core, experts or count towards the bus factor.
pub fn domain_people(
    contributions: &[Contribution],
    active: &BTreeSet<String>,
) -> BTreeMap<String, DomainPeople> {
    let mut out: BTreeMap<String, DomainPeople> = BTreeMap::new();
    for c in contributions {
        out.entry(c.domain.clone())
            .or_default()
            .scores
            .insert(c.member.clone(), c.score);
    }
    for (domain, people) in &mut out {
        let counted: BTreeMap<String, u64> = people
            .scores
            .iter()
            .filter(|(m, _)| active.contains(*m))
            .map(|(m, s)| (m.clone(), *s))
            .collect();
        people.active_points = counted.values().sum();
        people.core = community::core(&counted);
        people.experts = people
            .core
            .iter()
            .filter(|member| {
                contributions
                    .iter()
                    .any(|c| c.domain == *domain && c.member == **member && c.expert_evidence > 0)
            })
            .cloned()
            .collect();
        people.bus_factor = people.core.len();
    }
    out
}

fn weeks_waiting(now: Millis, created_ms: Millis) -> u64 {
    (now.saturating_sub(created_ms) / WEEK_MS) as u64
}

/// The score of a waiting question's gap (the formulas are in [`find`]).
fn waiting_score(now: Millis, created_ms: Millis, replies: u64, occurrences: u64) -> u64 {
    (if replies == 0 { 5 } else { 3 }) + weeks_waiting(now, created_ms) + 2 * occurrences
}

fn waiting_kind(replies: u64) -> GapKind {
    if replies == 0 {
        GapKind::Unanswered
    } else {
        GapKind::Unresolved
    }
}

/// Keep the best `limit` of `items` (0: all) in `order`, sorted; returns how many were dropped.
/// Partitions around the limit first: sorting tens of thousands would cost more than the rest.
fn keep_best<T>(
    items: &mut Vec<T>,
    limit: usize,
    order: impl Fn(&T, &T) -> std::cmp::Ordering,
) -> usize {
    let dropped = if limit > 0 && items.len() > limit {
        items.select_nth_unstable_by(limit - 1, &order);
        let dropped = items.len() - limit;
        items.truncate(limit);
        dropped
    } else {
        0
    };
    items.sort_by(&order);
    dropped
}

/// The gaps, best first, at most `limit` of them (0: all), and how many there are in all.
pub fn find(i: &Inputs, limit: usize) -> (Vec<Gap>, usize) {
    let mut gaps = Vec::new();
    // Waiting questions can number in the tens of thousands; only the best `limit` of them can
    // be among the best `limit` gaps, so only those are built.
    let mut waiting: Vec<_> = i
        .waiting
        .iter()
        .map(|q| {
            (
                (
                    std::cmp::Reverse(waiting_score(i.now, q.created_ms, q.replies, q.occurrences)),
                    waiting_kind(q.replies).as_str(),
                    q.domain.as_str(),
                    q.id.as_str(),
                ),
                q,
            )
        })
        .collect();
    let unbuilt = i.unbuilt + keep_best(&mut waiting, limit, |a, b| a.0.cmp(&b.0));
    for (_, q) in waiting {
        let weeks = weeks_waiting(i.now, q.created_ms);
        let (kind, base, formula, command, evidence) = if q.replies == 0 {
            (
                GapKind::Unanswered,
                5,
                "5 + weeks waiting + 2 × occurrences",
                format!("rep answer {}", q.id),
                format!(
                    "asked by {} {} ago, no reply yet",
                    q.author,
                    count(weeks, "week", "weeks")
                ),
            )
        } else {
            (
                GapKind::Unresolved,
                3,
                "3 + weeks waiting + 2 × occurrences",
                format!(
                    "rep show {0}  # then rep accept REPLY, or rep resolve {0}",
                    q.id
                ),
                format!(
                    "asked by {} {} ago, {}, none accepted",
                    q.author,
                    count(weeks, "week", "weeks"),
                    count(q.replies, "reply", "replies")
                ),
            )
        };
        gaps.push(Gap {
            kind,
            subject: q.title.clone(),
            domain: Some(q.domain.clone()),
            id: Some(q.id.clone()),
            score: base + weeks + 2 * q.occurrences,
            evidence,
            formula,
            inputs: inputs(&[
                ("weeks waiting", weeks),
                ("occurrences", q.occurrences),
                ("replies", q.replies),
            ]),
            command,
        });
    }
    // Likewise the recurring problems: thousands at 100,000 entries, and only the best `limit`
    // (in the order of the final sort) can be shown.
    let mut undocumented: Vec<_> = i
        .undocumented
        .iter()
        .map(|c| {
            (
                (
                    std::cmp::Reverse(4 * c.occurrences),
                    c.domain.as_str(),
                    c.id.as_str(),
                ),
                c,
            )
        })
        .collect();
    let unbuilt = unbuilt + keep_best(&mut undocumented, limit, |a, b| a.0.cmp(&b.0));
    for (_, c) in undocumented {
        gaps.push(Gap {
            kind: GapKind::Undocumented,
            subject: c.title.clone(),
            domain: Some(c.domain.clone()),
            id: Some(c.id.clone()),
            score: 4 * c.occurrences,
            evidence: format!(
                "{} seen {} by {}, no write-up",
                c.kind,
                count(c.occurrences, "time", "times"),
                count(c.members, "member", "members")
            ),
            formula: "4 × occurrences",
            inputs: inputs(&[("occurrences", c.occurrences), ("members", c.members)]),
            command: format!("rep document {}", c.id),
        });
    }
    let people = domain_people(&i.contributions, &i.active);
    for f in &i.facts {
        let d = f.domain.as_str();
        let demand = f.open_questions + f.answered_questions + f.recent_occurrences;
        let found = people.get(d).cloned().unwrap_or_default();
        let bus = found.bus_factor as u64;
        if bus == 1 {
            let member = found.core[0].as_str();
            let score = found.scores.get(member).copied().unwrap_or(0);
            let total = found.active_points;
            gaps.push(Gap {
                kind: GapKind::BusFactor,
                subject: d.to_owned(),
                domain: Some(d.to_owned()),
                id: None,
                score: 5 + demand,
                evidence: format!(
                    "{member} alone makes {score} of the {total} contribution points of active members in the window"
                ),
                formula: "5 + demand (open and unresolved questions + recent occurrences)",
                inputs: inputs(&[
                    ("bus factor", bus),
                    ("demand", demand),
                    ("top member's points", score),
                    ("active members' points", total),
                ]),
                command: format!("rep members --domain {d}"),
            });
        }
        if demand > 0 && found.experts.is_empty() {
            gaps.push(Gap {
                kind: GapKind::NoExpert,
                subject: d.to_owned(),
                domain: Some(d.to_owned()),
                id: None,
                score: 3 * demand,
                evidence: format!(
                    "{demand} open questions and recent occurrences, and no active core member with an accepted reply or doc"
                ),
                formula: "3 × demand",
                inputs: inputs(&[("open questions", f.open_questions), ("unresolved questions", f.answered_questions), ("recent occurrences", f.recent_occurrences)]),
                command: format!("rep who {}", d.rsplit('/').next().unwrap_or(d)),
            });
        }
        let questions = f.entries_by_kind.get("question").copied().unwrap_or(0);
        let supply: u64 = ["story", "tool", "doc"]
            .iter()
            .map(|k| f.entries_by_kind.get(*k).copied().unwrap_or(0))
            .sum();
        if questions >= i.thin_min_questions && questions > i.thin_ratio * supply {
            gaps.push(Gap {
                kind: GapKind::ThinDomain,
                subject: d.to_owned(),
                domain: Some(d.to_owned()),
                id: None,
                score: 2 * (questions - supply),
                evidence: format!(
                    "{} but only {supply} {}",
                    count(questions, "question", "questions"),
                    plural(supply, "story, tool or doc", "stories, tools and docs")
                ),
                formula: "2 × (questions − stories − tools − docs)",
                inputs: inputs(&[
                    ("questions", questions),
                    ("stories, tools and docs", supply),
                    ("thin ratio", i.thin_ratio),
                ]),
                command: format!("rep document --candidates  # or rep add story \"...\" -d {d}"),
            });
        }
    }
    for s in &i.stale {
        let evidence: Vec<&str> = s.oldest.iter().map(String::as_str).collect();
        gaps.push(Gap {
            kind: GapKind::Stale,
            subject: s.domain.clone(),
            domain: Some(s.domain.clone()),
            id: None,
            score: s.stale.min(50),
            evidence: format!(
                "{} past review, superseded or reviewed by someone inactive (oldest: {})",
                count(s.stale, "entry", "entries"),
                evidence.join(", ")
            ),
            formula: "stale entries, at most 50",
            inputs: inputs(&[("stale entries", s.stale)]),
            command: format!("rep list --stale --domain {}", s.domain),
        });
    }
    for m in &i.misses {
        let domain = (!m.domain.is_empty()).then(|| m.domain.clone());
        let flag = domain
            .as_ref()
            .map(|d| format!(" -d {d}"))
            .unwrap_or_default();
        gaps.push(Gap {
            kind: GapKind::SearchMiss,
            subject: m.words.clone(),
            domain,
            id: None,
            score: 3 * m.count,
            evidence: format!(
                "searched {} with no result",
                count(m.count, "time", "times")
            ),
            formula: "3 × searches that found nothing",
            inputs: inputs(&[("searches", m.count)]),
            command: format!(
                "rep add tool {}{flag}",
                shell_quoted(m.typed.as_deref().unwrap_or(&m.words))
            ),
        });
    }
    gaps.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(a.kind.as_str().cmp(b.kind.as_str()))
            .then(a.domain.cmp(&b.domain))
            .then(a.id.cmp(&b.id))
            .then(a.subject.cmp(&b.subject))
    });
    let total = gaps.len() + unbuilt;
    if limit > 0 {
        gaps.truncate(limit);
    }
    (gaps, total)
}

/// Gather the figures from the store and rank the gaps of `domain` ("" for all): the best
/// `limit` (0: all), and the total.
pub fn collect(
    conn: &Connection,
    snap: &Snapshot,
    c: &Config,
    now: Millis,
    domain: &str,
    limit: usize,
) -> anyhow::Result<(Vec<Gap>, usize)> {
    let window = window_start(now, c.community.window_days);
    let unanswered_before = now - c.gaps.unanswered_days as i64 * DAY_MS;
    let unresolved_before = now - c.gaps.unresolved_days as i64 * DAY_MS;
    let reviewed_before = reviewed_before(now, c.review.interval_days);
    let inputs = {
        let name = |d: u32| snap.domain_name(d);
        // Only the best `limit` waiting questions and recurring problems, in the order `find`
        // ranks them, are made whole: at 1,000,000 entries there are a hundred thousand.
        let mut waiting = snap.waiting(domain, unanswered_before, unresolved_before);
        let unbuilt = keep_best(&mut waiting, limit, |a, b| {
            let score = |w: &Waiting| waiting_score(now, w.created_ms, w.replies, w.occurrences);
            score(b)
                .cmp(&score(a))
                .then(
                    waiting_kind(a.replies)
                        .as_str()
                        .cmp(waiting_kind(b.replies).as_str()),
                )
                .then(name(a.domain).cmp(name(b.domain)))
                .then(snap.cmp_ids(a.seq, b.seq))
        });
        let mut recurring: Vec<Recurring> = snap.recurring(domain, c.recurring.min_occurrences);
        let unbuilt = unbuilt
            + keep_best(&mut recurring, limit, |a, b| {
                (4 * b.occurrences)
                    .cmp(&(4 * a.occurrences))
                    .then(name(a.domain).cmp(name(b.domain)))
                    .then(snap.cmp_ids(a.seq, b.seq))
            });
        Inputs {
            now,
            waiting: waiting.iter().map(|w| snap.waiting_question(w)).collect(),
            undocumented: recurring.iter().map(|r| snap.candidate(r)).collect(),
            facts: snap.domain_facts(domain, c.recurring.min_occurrences, window),
            contributions: snap.contributions(domain, window),
            active: snap.active_members(window),
            stale: snap.stale_by_domain(conn, domain, reviewed_before, window)?,
            misses: analysis::misses(conn, domain)?,
            thin_min_questions: c.gaps.thin_min_questions,
            thin_ratio: c.gaps.thin_ratio,
            unbuilt,
        }
    };
    let (mut found, total) = find(&inputs, limit);
    // Questions and recurring problems are looked up by id alone; their titles are read for the
    // gaps shown, and the ids in their commands and evidence shortened, as everywhere.
    for g in found.iter_mut().filter(|g| g.subject.is_empty()) {
        if let Some(id) = &g.id {
            g.subject = crate::store::practice::title_of(conn, id)?;
        }
    }
    let texts = found
        .iter()
        .flat_map(|g| [g.command.as_str(), g.evidence.as_str()]);
    let short = crate::store::entries::short_ids_in(conn, texts)?;
    for g in &mut found {
        g.command = short.shorten(&g.command);
        g.evidence = short.shorten(&g.evidence);
    }
    Ok((found, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty(now: Millis) -> Inputs {
        Inputs {
            now,
            waiting: vec![],
            undocumented: vec![],
            facts: vec![],
            contributions: vec![],
            active: BTreeSet::new(),
            stale: vec![],
            misses: vec![],
            thin_min_questions: 3,
            thin_ratio: 2,
            unbuilt: 0,
        }
    }

    fn contribution(domain: &str, member: &str, score: u64, expert: u64) -> Contribution {
        Contribution {
            domain: domain.into(),
            member: member.into(),
            score,
            expert_evidence: expert,
        }
    }

    #[test]
    fn questions_score_by_age_and_recurrence() {
        let mut i = empty(3 * WEEK_MS + 5);
        i.waiting.push(WaitingQuestion {
            id: "0123456789".into(),
            title: "q".into(),
            domain: "pg".into(),
            author: "bob".into(),
            created_ms: 0,
            replies: 0,
            occurrences: 2,
        });
        let (gaps, _) = find(&i, 0);
        assert_eq!(gaps.len(), 1);
        assert_eq!(
            (gaps[0].kind, gaps[0].score),
            (GapKind::Unanswered, 5 + 3 + 4)
        );
        assert_eq!(gaps[0].command, "rep answer 0123456789");
    }

    #[test]
    fn domains_get_bus_factor_expert_and_thin_gaps() {
        let mut i = empty(0);
        let mut facts = DomainFacts {
            domain: "pg".into(),
            open_questions: 4,
            ..Default::default()
        };
        facts.entries_by_kind.insert("question".into(), 4);
        facts.entries_by_kind.insert("tool".into(), 1);
        i.facts.push(facts);
        i.contributions = vec![
            contribution("pg", "ana", 12, 0),
            contribution("pg", "bob", 3, 0),
        ];
        i.active = ["ana".to_owned(), "bob".to_owned()].into();
        let (gaps, _) = find(&i, 0);
        let kinds: Vec<(&str, u64)> = gaps.iter().map(|g| (g.kind.as_str(), g.score)).collect();
        assert_eq!(
            kinds,
            [("no_expert", 12), ("bus_factor", 9), ("thin_domain", 6)]
        );
        // With an accepted reply in the window, ana is an expert: the no_expert gap closes.
        i.contributions[0].expert_evidence = 1;
        assert!(find(&i, 0).0.iter().all(|g| g.kind != GapKind::NoExpert));
    }

    #[test]
    fn members_inactive_in_the_window_do_not_count() {
        // zed left: only endorsements of old work score in the window. Half of the active
        // members' 8 points takes ana alone; counting zed would have made zed the core.
        let contributions = vec![
            contribution("pg", "zed", 20, 0),
            contribution("pg", "ana", 5, 1),
            contribution("pg", "bob", 3, 0),
        ];
        let active: BTreeSet<String> = ["ana".to_owned(), "bob".to_owned()].into();
        let people = &domain_people(&contributions, &active)["pg"];
        assert_eq!(people.scores["zed"], 20, "the cell still shows the points");
        assert_eq!(people.active_points, 8);
        assert_eq!(people.core, ["ana"]);
        assert_eq!(people.experts, ["ana"]);
        assert_eq!(people.bus_factor, 1);
        // Nobody active: no core, bus factor 0, no bus factor gap (no_expert covers demand).
        let nobody = &domain_people(&contributions, &BTreeSet::new())["pg"];
        assert_eq!((nobody.bus_factor, nobody.active_points), (0, 0));
    }

    #[test]
    fn the_bus_factor_gap_names_the_core_member_on_a_tie() {
        // 5 and 5: the first by name reaches half and is the core; the evidence names her.
        let mut i = empty(0);
        i.facts.push(DomainFacts {
            domain: "pg".into(),
            ..Default::default()
        });
        i.contributions = vec![
            contribution("pg", "ana", 5, 0),
            contribution("pg", "bob", 5, 0),
        ];
        i.active = ["ana".to_owned(), "bob".to_owned()].into();
        let (gaps, _) = find(&i, 0);
        assert_eq!(gaps.len(), 1);
        assert_eq!(
            gaps[0].evidence,
            "ana alone makes 5 of the 10 contribution points of active members in the window"
        );
    }
}
