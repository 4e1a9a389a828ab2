//! `rep map`: contribution cells, each domain's figures, core members, experts and bus factor
//! (members inactive in the window left out), `--since`, and the dot and SVG pictures.

use serde_json::{Value, json};

use crate::support::{Repo, replace_word, stdout};

/// The team fixture's entries, by what they are.
pub struct Team {
    pub repo: Repo,
    /// zed's tool from 2025 (stale, outside the window).
    pub old_tool: String,
    /// zed's problem from 2025, seen by ana, bo and cy in November: recurring, undocumented.
    pub evicted: String,
    pub lock_tool: String,
    /// bo's question, answered by cy, accepted.
    pub autovacuum: String,
    /// cy's question from 2026-11-10, no reply: unanswered.
    pub certs: String,
    /// dan's question from 2026-11-05, ana's reply not accepted, seen once: unresolved.
    pub buffers: String,
    pub vacuum_doc: String,
    /// cy's ask that found nothing, 2026-11-26.
    pub wildcard: String,
    pub dns_tool: String,
    pub dns_questions: Vec<String>,
}

impl Team {
    /// Label every entry's full id and its short id (as gaps and who print them): the label's
    /// first four letters, padded with `-` to the short id's width.
    pub fn redact(&self, text: &str) -> String {
        let mut labelled: Vec<(&str, &String)> = vec![
            ("OLDTOOL", &self.old_tool),
            ("EVICTED", &self.evicted),
            ("LOCKTOOL", &self.lock_tool),
            ("AUTOVAC", &self.autovacuum),
            ("CERTS", &self.certs),
            ("BUFFERS", &self.buffers),
            ("VDOC", &self.vacuum_doc),
            ("WILDCARD", &self.wildcard),
            ("DNSTOOL", &self.dns_tool),
        ];
        let names = ["DQ1", "DQ2", "DQ3"];
        labelled.extend(names.iter().copied().zip(self.dns_questions.iter()));
        let mut text = text.to_owned();
        for (label, id) in labelled {
            text = replace_word(&text, id, &format!("<{label}>"));
            let short = self.repo.short_id(id);
            let short_label: String = format!("{label:-<w$}", w = short.len())
                .chars()
                .take(short.len().max(4))
                .collect();
            text = replace_word(&text, &short, &short_label);
        }
        text
    }
}

/// A team's year, built through the CLI, with every figure known. At NOW (2026-11-27, window
/// 180 days from 2026-05-31), contribution points (doc 5, accepted reply 4, entry 3, review 2,
/// endorsement received 1):
/// - postgres: ana 3 + 1 + 5 = 9, dan 3 + 2 = 5, cy 4, bo 3, zed 1 (an endorsement of his 2025
///   tool; zed did nothing in the window). Active points 21: core ana and dan (9 + 5 ≥ 10.5),
///   bus factor 2; ana is an expert by her doc, dan is not.
/// - k8s: cy 3 + 3 = 6, zed 4 (four endorsements of his 2025 problem). Counting zed would make
///   him the core; active points are cy's 6: core cy, bus factor 1, no expert.
/// - dns: bo 9, dan 3: core bo, bus factor 1, no expert.
pub fn team() -> Team {
    let repo = Repo::new();
    let at = |now: &str, args: &[&str]| {
        repo.rep_at(now, args).success();
    };
    let old_tool = repo.add_at(
        "2025-01-10T09:00:00Z",
        &["tool", "Old vacuum trick", "-d", "postgres", "--as", "zed"],
    );
    let evicted = repo.add_at(
        "2025-02-01T09:00:00Z",
        &[
            "problem",
            "Pods evicted under memory pressure",
            "-d",
            "k8s",
            "--as",
            "zed",
        ],
    );
    let lock_tool = repo.add_at(
        "2026-11-01T09:00:00Z",
        &["tool", "Find what holds a lock", "-d", "postgres"],
    );
    let autovacuum = repo.add_at(
        "2026-11-02T09:00:00Z",
        &[
            "question",
            "Why does autovacuum stall?",
            "-d",
            "postgres",
            "--as",
            "bo",
        ],
    );
    let reply = repo.answer_at(
        "2026-11-03T09:00:00Z",
        "cy",
        &autovacuum,
        "Long transactions hold the xmin horizon back.",
    );
    at("2026-11-04T09:00:00Z", &["accept", &reply, "--as", "bo"]);
    for (member, day) in [("ana", "03"), ("bo", "04"), ("cy", "05")] {
        at(
            &format!("2026-11-{day}T10:00:00Z"),
            &["seen", &evicted, "--as", member],
        );
    }
    let buffers = repo.add_at(
        "2026-11-05T09:00:00Z",
        &[
            "question",
            "How big should shared_buffers be?",
            "-d",
            "postgres",
            "--as",
            "dan",
        ],
    );
    repo.answer_at(
        "2026-11-05T15:00:00Z",
        "ana",
        &buffers,
        "A quarter of the memory is the usual start.",
    );
    at("2026-11-07T09:00:00Z", &["seen", &buffers, "--as", "ana"]);
    let certs = repo.add_at(
        "2026-11-10T09:00:00Z",
        &[
            "question",
            "How do we rotate the staging certs?",
            "-d",
            "k8s",
            "--as",
            "cy",
        ],
    );
    let vacuum_doc = repo.add_at(
        "2026-11-15T09:00:00Z",
        &["doc", "Vacuum tuning guide", "-d", "postgres"],
    );
    at(
        "2026-11-20T09:00:00Z",
        &["review", &lock_tool, "--as", "dan"],
    );
    at(
        "2026-11-20T10:00:00Z",
        &["search", "renew", "wildcard", "certificate", "-d", "k8s"],
    );
    at(
        "2026-11-21T09:00:00Z",
        &["helped", &lock_tool, "--as", "bo"],
    );
    at(
        "2026-11-21T10:00:00Z",
        &["search", "Renew", "wildcard", "certificates", "-d", "k8s"],
    );
    at("2026-11-22T09:00:00Z", &["helped", &old_tool, "--as", "bo"]);
    at("2026-11-22T10:00:00Z", &["search", "kafka", "lag"]);
    for member in ["ana", "bo", "cy", "dan"] {
        at(
            "2026-11-23T09:00:00Z",
            &["helped", &evicted, "--as", member],
        );
    }
    let dns_tool = repo.add_at(
        "2026-11-24T09:00:00Z",
        &[
            "tool",
            "Flush the resolver cache",
            "-d",
            "dns",
            "--as",
            "dan",
        ],
    );
    let dns_questions = [
        "Why do lookups time out?",
        "Which resolver do pods use?",
        "Where is split horizon set?",
    ]
    .iter()
    .map(|title| {
        repo.add_at(
            "2026-11-25T09:00:00Z",
            &["question", title, "-d", "dns", "--as", "bo"],
        )
    })
    .collect();
    let asked = stdout(
        &repo
            .rep_at(
                "2026-11-26T09:00:00Z",
                &[
                    "ask",
                    "How do we renew the wildcard certificate?",
                    "-d",
                    "k8s",
                    "-y",
                    "--as",
                    "cy",
                ],
            )
            .success(),
    );
    Team {
        repo,
        old_tool,
        evicted,
        lock_tool,
        autovacuum,
        certs,
        buffers,
        vacuum_doc,
        wildcard: asked.trim().to_owned(),
        dns_tool,
        dns_questions,
    }
}

fn domain<'a>(map: &'a Value, name: &str) -> &'a Value {
    map["domains"]
        .as_array()
        .expect("domains")
        .iter()
        .find(|d| d["domain"] == name)
        .unwrap_or_else(|| panic!("no domain {name} in {map}"))
}

#[test]
fn map_gives_each_domain_its_figures_and_people() {
    let t = team();
    let map = t.repo.json(&["map"]);
    assert_eq!(
        map,
        json!({
            "since": "2026-05-31T09:00:00Z",
            "members": ["bo", "cy", "ana", "dan", "zed"],
            "domains": [
                {"domain": "dns", "entries_by_kind": {"question": 3, "tool": 1},
                 "open_questions": 3, "answered_questions": 0, "resolved_questions": 0,
                 "recurring": 0, "recent_occurrences": 0,
                 "scores": {"bo": 9, "dan": 3}, "active_points": 12,
                 "core": ["bo"], "experts": [], "bus_factor": 1},
                {"domain": "k8s", "entries_by_kind": {"problem": 1, "question": 2},
                 "open_questions": 2, "answered_questions": 0, "resolved_questions": 0,
                 "recurring": 1, "recent_occurrences": 3,
                 "scores": {"cy": 6, "zed": 4}, "active_points": 6,
                 "core": ["cy"], "experts": [], "bus_factor": 1},
                {"domain": "postgres", "entries_by_kind": {"doc": 1, "question": 2, "tool": 2},
                 "open_questions": 0, "answered_questions": 1, "resolved_questions": 1,
                 "recurring": 0, "recent_occurrences": 1,
                 "scores": {"ana": 9, "bo": 3, "cy": 4, "dan": 5, "zed": 1},
                 "active_points": 21,
                 "core": ["ana", "dan"], "experts": ["ana"], "bus_factor": 2},
            ]
        })
    );
    insta::assert_snapshot!("map_table", t.repo.ok(&["map"]));
}

#[test]
fn a_member_who_acts_again_counts_again() {
    let t = team();
    // zed comes back: one reply in the window makes him active, and his 4 endorsed points in
    // k8s now count: 6 + 4 = 10, cy's 6 reach half alone, zed is active, not core.
    t.repo.answer_at(
        "2026-11-26T12:00:00Z",
        "zed",
        &t.certs,
        "cert-manager does it",
    );
    let map = t.repo.json(&["map"]);
    let k8s = domain(&map, "k8s");
    assert_eq!(k8s["active_points"], 10);
    assert_eq!(k8s["core"], json!(["cy"]));
    assert_eq!(domain(&map, "postgres")["active_points"], 22);
}

#[test]
fn since_and_domain_narrow_the_map() {
    let t = team();
    // From 2026-11-20: postgres keeps dan's review (2) and ana's endorsement (1); zed's
    // endorsement (11-22) stays, but zed is inactive. k8s keeps zed's endorsements and cy's ask.
    let map = t.repo.json(&["map", "--since", "2026-11-20"]);
    assert_eq!(map["since"], "2026-11-20T00:00:00Z");
    let pg = domain(&map, "postgres");
    assert_eq!(pg["scores"], json!({"ana": 1, "dan": 2, "zed": 1}));
    assert_eq!(
        (pg["active_points"].clone(), pg["bus_factor"].clone()),
        (json!(3), json!(1))
    );
    assert_eq!(pg["core"], json!(["dan"]));
    assert_eq!(pg["experts"], json!([]), "ana's doc is older than --since");
    assert_eq!(pg["recent_occurrences"], 0);
    assert_eq!(domain(&map, "k8s")["scores"], json!({"cy": 3, "zed": 4}));
    // An age works as well as a date.
    assert_eq!(
        t.repo.json(&["map", "--since", "7d"])["since"],
        "2026-11-20T09:00:00Z"
    );

    let only = t.repo.json(&["map", "--domain", "dns"]);
    assert_eq!(only["members"], json!(["bo", "dan"]));
    let names: Vec<&Value> = only["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["domain"])
        .collect();
    assert_eq!(names, [&json!("dns")]);
}

#[test]
fn window_days_from_config_sets_the_default_since() {
    let t = team();
    t.repo
        .rep(&["config", "set", "community.window_days", "5"])
        .success();
    // From 2026-11-22T09:00: postgres has only zed's endorsement (at 09:00), and zed is
    // inactive: no core at all.
    let map = t.repo.json(&["map"]);
    assert_eq!(map["since"], "2026-11-22T09:00:00Z");
    let pg = domain(&map, "postgres");
    assert_eq!(pg["scores"], json!({"zed": 1}));
    assert_eq!(
        (pg["bus_factor"].clone(), pg["core"].clone()),
        (json!(0), json!([]))
    );
}

/// A small check that `text` is well-formed XML: tags balance, attributes are quoted, and
/// text and attribute values hold no raw `<` or `&` that is not an entity. Gives the text
/// content, entities decoded, for further checks.
fn well_formed(text: &str) -> Vec<String> {
    fn check_entities(s: &str) {
        let mut rest = s;
        while let Some(at) = rest.find('&') {
            let after = &rest[at + 1..];
            let end = after.find(';').unwrap_or_else(|| panic!("bare & in {s:?}"));
            assert!(
                ["amp", "lt", "gt", "quot", "apos"].contains(&&after[..end]),
                "unknown entity in {s:?}"
            );
            rest = &after[end + 1..];
        }
        assert!(!s.contains('<'), "raw < in {s:?}");
    }
    fn decode(s: &str) -> String {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&")
    }
    let mut open: Vec<String> = Vec::new();
    let mut texts = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        let content = &rest[..start];
        check_entities(content);
        if !content.trim().is_empty() {
            texts.push(decode(content));
        }
        let end = rest[start..].find('>').expect("tag closes") + start;
        let tag = &rest[start + 1..end];
        assert!(!tag.contains('<'), "< inside tag {tag:?}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(open.pop().as_deref(), Some(name), "closing {name}");
        } else {
            let self_closing = tag.ends_with('/');
            let body = tag.trim_end_matches('/');
            let name = body.split_whitespace().next().expect("tag name");
            // Attributes: name="value" pairs, values without raw < or stray &.
            let mut attrs = body[name.len()..].trim();
            while !attrs.is_empty() {
                let eq = attrs
                    .find("=\"")
                    .unwrap_or_else(|| panic!("unquoted attribute in {tag:?}"));
                let close = attrs[eq + 2..].find('"').expect("attribute closes") + eq + 2;
                check_entities(&attrs[eq + 2..close]);
                texts.push(decode(&attrs[eq + 2..close]));
                attrs = attrs[close + 1..].trim_start();
            }
            if !self_closing {
                open.push(name.to_owned());
            }
        }
        rest = &rest[end + 1..];
    }
    assert!(rest.trim().is_empty(), "text after the root: {rest:?}");
    assert!(open.is_empty(), "unclosed: {open:?}");
    texts
}

/// A repertoire whose member and title hold `<`, `&` and `"` (domains cannot: `rep` refuses
/// anything but letters, digits, `-`, `_`, `.` and `/` in them).
fn hostile() -> Repo {
    let repo = Repo::new();
    repo.add_at(
        "2026-11-20T09:00:00Z",
        &[
            "tool",
            "a <b> & \"c\"",
            "-d",
            "r.d",
            "--as",
            "<o'neil & \"co\">",
        ],
    );
    repo
}

#[test]
fn svg_is_well_formed_and_escapes_the_data() {
    let t = team();
    let svg = t.repo.ok(&["map", "--format", "svg"]);
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{svg}"
    );
    let texts = well_formed(&svg);
    // Column names, domain rows and the numbers of every non-empty cell.
    for expected in [
        "bo", "cy", "ana", "dan", "zed", "dns", "k8s", "postgres", "9", "6", "4",
    ] {
        assert!(
            texts.iter().any(|t| t == expected),
            "{expected} missing from {texts:?}"
        );
    }
    // --columns 2 sums the rest as "others": postgres ana 9 + dan 5 + zed 1 = 15.
    let texts = well_formed(&t.repo.ok(&["map", "--format", "svg", "--columns", "2"]));
    assert!(
        texts.iter().any(|t| t == "others") && texts.iter().any(|t| t == "15"),
        "{texts:?}"
    );

    let repo = hostile();
    let svg = repo.ok(&["map", "--format", "svg"]);
    let texts = well_formed(&svg);
    assert!(texts.iter().any(|t| t == "<o'neil & \"co\">"), "{texts:?}");
    assert!(texts.iter().any(|t| t == "r.d"), "{texts:?}");
    assert!(!svg.contains("<o'neil") && !svg.contains("& \""), "{svg}");
}

#[test]
fn dot_joins_domains_and_members_and_quotes_the_data() {
    let t = team();
    let dot = t.repo.ok(&["map", "--format", "dot", "--domain", "dns"]);
    assert_eq!(
        dot,
        "graph repertoire {
  rankdir=LR;
  node [fontname=\"sans-serif\"];
  \"d:dns\" [label=\"dns (bus factor 1)\", shape=folder];
  \"m:bo\" [label=\"bo\", shape=ellipse];
  \"m:dan\" [label=\"dan\", shape=ellipse];
  \"d:dns\" -- \"m:bo\" [label=\"9\", penwidth=6.0];
  \"d:dns\" -- \"m:dan\" [label=\"3\", penwidth=2.7];
}
"
    );
    let dot = hostile().ok(&["map", "--format", "dot"]);
    assert!(
        dot.contains(r#""m:<o'neil & \"co\">" [label="<o'neil & \"co\">", shape=ellipse];"#),
        "{dot}"
    );
    // Every quote in the output is either escaped or a string delimiter: delimiters pair up.
    for line in dot.lines() {
        let unescaped = line.replace("\\\"", "").matches('"').count();
        assert_eq!(unescaped % 2, 0, "{line}");
    }
}

#[test]
fn an_empty_repertoire_has_nothing_to_map() {
    let repo = Repo::empty();
    assert_eq!(
        repo.json(&["map"]),
        json!({"since": "2026-05-31T09:00:00Z", "members": [], "domains": []})
    );
    let assert = repo.rep(&["map"]).success();
    assert_eq!(stdout(&assert), "");
}
