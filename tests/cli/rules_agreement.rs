//! One agreement test per community rule (src/rules/): over a generated repertoire, every
//! command that applies a rule, through SQL or through the snapshot, finds the same ids.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use time::format_description::well_known::Rfc3339;

use crate::support::{NOW, Repo, ids_of};

/// A small deterministic generator (xorshift), so that a failure names its seed.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

/// Spellings of four members: case and a second spelling make one member (src/identity.rs).
const MEMBERS: &[&str] = &["ana", "Ana", "bo", "BO", "cy", "dee"];
/// Siblings that share a prefix, sub-domains, `_` (a LIKE pattern character) and non-ASCII.
const DOMAINS: &[&str] = &[
    "net", "net/vpn", "net2", "k8s", "k8s/net", "k8s-x", "a_b", "a_b/c", "axb", "café", "café/x",
];
const KINDS: &[&str] = &["question", "problem", "problem", "tool", "story", "doc"];

fn at(days_ago: i64) -> String {
    let now = time::OffsetDateTime::parse(NOW, &Rfc3339).unwrap();
    (now - time::Duration::days(days_ago))
        .format(&Rfc3339)
        .unwrap()
}

struct Generated {
    repo: Repo,
}

/// A repertoire of about forty entries over two years: reviews by members who left and by
/// members still active, occurrences from several spellings of one member, duplicates that
/// carried occurrences before they were linked, supersessions, write-ups and deletions.
fn generate(seed: u64) -> Generated {
    let repo = Repo::new();
    let mut dice = Dice(seed);
    let mut entries = BTreeMap::new();
    let mut born = BTreeMap::new();
    for n in 0..40 {
        let kind = dice.pick(KINDS);
        let domain = dice.pick(DOMAINS);
        let member = dice.pick(MEMBERS);
        let days = 30 + dice.below(700) as i64;
        let id = repo.add_at(
            &at(days),
            &[kind, &format!("entry {n}"), "-d", domain, "--as", member],
        );
        entries.insert(id.clone(), (kind.to_owned(), domain.to_owned()));
        born.insert(id, days);
    }
    let ids: Vec<String> = entries.keys().cloned().collect();
    let with_status: Vec<String> = ids
        .iter()
        .filter(|id| matches!(entries[*id].0.as_str(), "question" | "problem"))
        .cloned()
        .collect();
    let run = |days: i64, args: &[&str]| {
        repo.rep_at(&at(days), args).success();
    };
    for id in &ids {
        if dice.below(3) == 0 {
            let days = dice.below(born[id] as usize) as i64;
            let member = dice.pick(MEMBERS);
            run(days, &["review", id, "--as", member]);
        }
    }
    for _ in 0..70 {
        let id = &with_status[dice.below(with_status.len())];
        let days = dice.below(born[id] as usize) as i64;
        run(days, &["seen", id, "--as", dice.pick(MEMBERS)]);
    }
    for _ in 0..4 {
        let (a, b) = (&ids[dice.below(ids.len())], &ids[dice.below(ids.len())]);
        if a != b {
            run(0, &["link", a, b, "--kind", "supersedes"]);
        }
        let (a, b) = (
            &with_status[dice.below(with_status.len())],
            &with_status[dice.below(with_status.len())],
        );
        if a != b {
            run(0, &["link", a, b, "--kind", "duplicate"]);
        }
    }
    for _ in 0..3 {
        let target = &with_status[dice.below(with_status.len())];
        run(0, &["document", target, "--from-replies"]);
    }
    for _ in 0..3 {
        let id = &ids[dice.below(ids.len())];
        repo.rep(&["rm", id]).success();
    }
    Generated { repo }
}

const SEEDS: [u64; 3] = [0x9e37_79b9_7f4a_7c15, 7, 2026];

fn gaps_of_kind(gaps: &Value, kind: &str) -> Vec<Value> {
    gaps.as_array()
        .unwrap()
        .iter()
        .filter(|g| g["kind"] == kind)
        .cloned()
        .collect()
}

#[test]
fn rep_list_stale_counts_what_the_stale_gaps_count() {
    for seed in SEEDS {
        let g = generate(seed);
        let stale = g.repo.json(&["list", "--stale", "--limit", "0"]);
        let mut listed: BTreeMap<String, u64> = BTreeMap::new();
        for entry in stale.as_array().unwrap() {
            *listed
                .entry(entry["domain"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
        let gaps = g.repo.json(&["gaps", "--limit", "0"]);
        let counted: BTreeMap<String, u64> = gaps_of_kind(&gaps, "stale")
            .iter()
            .map(|g| {
                (
                    g["domain"].as_str().unwrap().to_owned(),
                    g["inputs"]["stale entries"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(listed, counted, "seed {seed}");
    }
}

#[test]
fn rep_document_candidates_are_the_undocumented_gaps() {
    for seed in SEEDS {
        let g = generate(seed);
        let candidates: BTreeSet<String> = ids_of(&g.repo.json(&["document", "--candidates"]))
            .into_iter()
            .collect();
        let gaps = g.repo.json(&["gaps", "--limit", "0"]);
        let undocumented: BTreeSet<String> = gaps_of_kind(&gaps, "undocumented")
            .iter()
            .map(|g| g["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(candidates, undocumented, "seed {seed}");
    }
}

/// The plain definition, written out here on purpose: a third, independent reading.
fn within(domain: &str, filter: &str) -> bool {
    domain == filter || domain.starts_with(&format!("{filter}/"))
}

#[test]
fn domain_filters_in_sql_and_in_rust_take_in_the_same_entries() {
    let g = generate(SEEDS[0]);
    let live: BTreeMap<String, String> = g
        .repo
        .json(&["list", "--limit", "0"])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let field = |k: &str| e[k].as_str().unwrap().to_owned();
            (field("id"), field("domain"))
        })
        .collect();
    let exported = |filter: &str| -> BTreeSet<String> {
        let out = crate::support::stdout(&g.repo.rep(&["export", "-", "-d", filter]).success());
        out.lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|r| r["type"] == "entry")
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .filter(|id| live.contains_key(id))
            .collect()
    };
    for filter in DOMAINS.iter().chain(&["a", "ne", "café/"]) {
        let expected: BTreeSet<String> = live
            .iter()
            .filter(|(_, domain)| within(domain, filter.trim_end_matches('/')))
            .map(|(id, _)| id.clone())
            .collect();
        let listed: BTreeSet<String> =
            ids_of(&g.repo.json(&["list", "-d", filter, "--limit", "0"]))
                .into_iter()
                .collect();
        assert_eq!(listed, expected, "rep list -d {filter} (SQL)");
        assert_eq!(exported(filter), expected, "rep export -d {filter} (Rust)");
        // The snapshot's filter: the stale gaps of `rep gaps -d D` count what `rep list --stale
        // -d D` lists, and lie within D.
        let gaps = g.repo.json(&["gaps", "-d", filter, "--limit", "0"]);
        let mut counted = 0;
        for gap in gaps_of_kind(&gaps, "stale") {
            assert!(within(
                gap["domain"].as_str().unwrap(),
                filter.trim_end_matches('/')
            ));
            counted += gap["inputs"]["stale entries"].as_u64().unwrap();
        }
        let stale = ids_of(
            &g.repo
                .json(&["list", "--stale", "-d", filter, "--limit", "0"]),
        );
        assert_eq!(
            stale.len() as u64,
            counted,
            "rep gaps -d {filter} (snapshot)"
        );
    }
}

/// Drift fixed: `rep list --stale` compared the reviewer's spelling with the active members'
/// display names, so an entry reviewed by `Ana` was stale while `ana` was active; `rep gaps`
/// compared members by identity, as docs/community.md says every figure does.
#[test]
fn a_reviewer_is_active_under_any_spelling() {
    let repo = Repo::new();
    let id = repo.add_at(&at(300), &["tool", "Kept true", "-d", "net", "--as", "ana"]);
    repo.add_at(
        &at(10),
        &["tool", "Active lately", "-d", "net", "--as", "ana"],
    );
    repo.rep_at(&at(5), &["review", &id, "--as", "Ana"])
        .success();
    assert_eq!(repo.list_ids(&["--stale"]), Vec::<String>::new());
    let gaps = repo.json(&["gaps", "--limit", "0"]);
    assert!(gaps_of_kind(&gaps, "stale").is_empty(), "{gaps:#}");
}

/// Drift fixed: `rep document --candidates` counted occurrences where they were recorded and
/// members by spelling, so a duplicate seen before it was linked stayed a candidate and its
/// original did not become one; `rep gaps` forwarded them to the original (docs/community.md,
/// "Who is who"), and now both do.
#[test]
fn occurrences_of_a_duplicate_make_its_original_the_candidate() {
    let repo = Repo::new();
    let original = repo.add(&["problem", "The VPN drops", "-d", "net"]);
    let duplicate = repo.add(&["problem", "VPN keeps dropping", "-d", "net"]);
    for member in ["ana", "bo", "cy"] {
        repo.rep(&["seen", &duplicate, "--as", member]).success();
    }
    repo.rep(&["link", &duplicate, &original, "--kind", "duplicate"])
        .success();
    let candidates = ids_of(&repo.json(&["document", "--candidates"]));
    assert_eq!(candidates, std::slice::from_ref(&original));
    let gaps = repo.json(&["gaps", "--limit", "0"]);
    let undocumented = gaps_of_kind(&gaps, "undocumented");
    let ids: Vec<&str> = undocumented
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [original.as_str()]);
}

/// Drift fixed: one member under two spellings is one member, also for candidates.
#[test]
fn one_member_under_two_spellings_does_not_make_a_candidate() {
    let repo = Repo::new();
    let id = repo.add(&["problem", "The VPN drops", "-d", "net"]);
    for member in ["ana", "Ana", "ana"] {
        repo.rep(&["seen", &id, "--as", member]).success();
    }
    assert_eq!(
        ids_of(&repo.json(&["document", "--candidates"])),
        Vec::<String>::new()
    );
}

/// Drift fixed: `rep show` counted staleness from the later of the last review and the
/// creation, `rep list --stale` and `rep gaps` from the last review (docs/community.md: "since
/// its last review, or since its creation if it was never reviewed"). A review stamped before
/// the entry's creation (a teammate's clock behind, in an imported file) made them disagree.
#[test]
fn rep_show_counts_staleness_from_the_last_review_as_rep_list_does() {
    let teammate = Repo::new();
    let id = teammate.add_at(&at(10), &["tool", "Reviewed early", "-d", "net"]);
    let export = crate::support::stdout(&teammate.rep(&["export", "-"]).success());
    let mut lines = export.lines();
    let header = lines.next().unwrap();
    let mut record: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    let stamp = record["kind"]["at"].as_str().unwrap().to_owned();
    let early = time::OffsetDateTime::parse(&at(300), &Rfc3339).unwrap();
    let millis = format!("{:013}", early.unix_timestamp() * 1000);
    record["reviewed"] =
        serde_json::json!({"value": true, "at": format!("{millis}{}", &stamp[13..]), "by": "ana"});
    let file = teammate.path().join("reviewed-early.jsonl");
    std::fs::write(&file, format!("{header}\n{record}\n")).unwrap();
    let repo = Repo::new();
    repo.rep(&["import", file.to_str().unwrap()]).success();
    assert_eq!(repo.list_ids(&["--stale"]), std::slice::from_ref(&id));
    assert_eq!(repo.json(&["show", &id])["stale"], true);
}
