//! The `--json` contract, pinned: one scenario of a small team, every command's JSON output
//! snapshotted. Scripts depend on these documents (docs/json.md), so a change here is a change of
//! contract and must be deliberate. Ids and clock stamps are random: they are replaced by labels
//! numbered in order of first appearance, so the snapshots are stable.

use std::collections::HashMap;

use serde_json::Value;

use crate::support::{Repo, parse_json, stdout};

/// Turns random ids into stable labels: `<id1>` for a full UUID, `<id1:short>` for a prefix of
/// one, `<node1>` for the replica part of a clock stamp.
#[derive(Default)]
struct Labels {
    ids: Vec<String>,
    nodes: HashMap<String, usize>,
}

impl Labels {
    fn value(&mut self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.text(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.value(v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.value(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// Every run of hex digits and dashes in `s` that is an id, a prefix of a known id, or a
    /// stamp's replica, replaced by its label.
    fn text(&mut self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut token = String::new();
        for c in s.chars().chain(std::iter::once('\u{0}')) {
            if c.is_ascii_hexdigit() || c == '-' {
                token.push(c);
                continue;
            }
            out.push_str(&self.token(&token));
            token.clear();
            if c != '\u{0}' {
                out.push(c);
            }
        }
        out
    }

    fn token(&mut self, token: &str) -> String {
        let is_lower_hex = |t: &str| t.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'));
        if is_uuid(token) {
            let n = match self.ids.iter().position(|id| id == token) {
                Some(i) => i + 1,
                None => {
                    self.ids.push(token.to_owned());
                    self.ids.len()
                }
            };
            return format!("<id{n}>");
        }
        if token.len() == 32 && is_lower_hex(token) {
            let next = self.nodes.len() + 1;
            let n = *self.nodes.entry(token.to_owned()).or_insert(next);
            return format!("<node{n}>");
        }
        if token.len() >= 4 && token.len() < 36 && is_lower_hex(token) {
            let owners: Vec<usize> = (0..self.ids.len())
                .filter(|&i| self.ids[i].starts_with(token))
                .collect();
            if let [one] = owners[..] {
                return format!("<id{}:short>", one + 1);
            }
        }
        token.to_owned()
    }
}

fn is_uuid(t: &str) -> bool {
    let parts: Vec<&str> = t.split('-').collect();
    parts.len() == 5
        && parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')))
}

struct Scenario {
    repo: Repo,
    labels: Labels,
}

impl Scenario {
    /// `rep ARGS --json` at `now`, required to succeed, with its ids labelled.
    fn json_at(&mut self, now: &str, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = stdout(&self.repo.rep_at(now, &all).success());
        let root = self.repo.path().to_str().expect("utf-8").to_owned();
        let value = parse_json(&out.replace(&root, "<repo>"));
        self.labels.value(&value)
    }

    /// A full id printed by a command (`rep add`, `rep answer`), learned in order.
    fn id(&mut self, printed: &str) -> String {
        let id = printed.trim().to_owned();
        assert!(is_uuid(&id), "not one id: {printed:?}");
        self.labels.token(&id);
        id
    }
}

#[test]
fn every_command_json_output_is_pinned() {
    let mut s = Scenario {
        repo: Repo::new(),
        labels: Labels::default(),
    };
    let at = |day: u32, hour: u32| format!("2026-11-{day:02}T{hour:02}:00:00Z");

    let add = s.json_at(
        &at(20, 9),
        &[
            "add",
            "tool",
            "Find what holds a lock",
            "-d",
            "postgres",
            "-t",
            "locks,pg",
            "--cmd",
            "SELECT * FROM pg_locks WHERE NOT granted",
            "-m",
            "Join pg_locks with pg_stat_activity.",
        ],
    );
    let tool = s.labels.ids[0].clone();
    insta::assert_json_snapshot!("json_add", add);
    let out = s.repo.add_at(
        &at(20, 10),
        &[
            "question",
            "Who rotates the staging certificates?",
            "-d",
            "k8s/networking",
            "-t",
            "tls",
        ],
    );
    let question = s.id(&out);
    let out = s.repo.add_at(
        &at(21, 9),
        &[
            "problem",
            "Runner disk fills with docker layers",
            "-d",
            "ci",
            "-t",
            "disk,docker",
            "-m",
            "Builds fail with no space left on device.",
        ],
    );
    let problem = s.id(&out);
    let out = s.repo.add_at(
        &at(21, 10),
        &[
            "--as",
            "bo",
            "story",
            "The night the WAL filled the disk",
            "-d",
            "postgres",
            "-t",
            "wal,incident",
            "-m",
            "A replica slot kept every WAL segment.",
        ],
    );
    let story = s.id(&out);
    let out = s.repo.add_at(
        &at(21, 11),
        &[
            "question",
            "How are staging certificates rotated?",
            "-d",
            "k8s/networking",
        ],
    );
    let duplicate = s.id(&out);

    let answer = s.json_at(
        &at(22, 9),
        &[
            "--as",
            "bo",
            "answer",
            &question,
            "-m",
            "cert-manager renews them every 60 days.",
        ],
    );
    insta::assert_json_snapshot!("json_answer", answer);
    let reply = s.labels.ids[5].clone();
    let second = s.json_at(
        &at(22, 10),
        &[
            "--as",
            "cy",
            "answer",
            &problem,
            "-m",
            "docker system prune -af",
        ],
    );
    insta::assert_json_snapshot!("json_answer_problem", second);
    let accept = s.json_at(&at(22, 11), &["accept", &reply]);
    insta::assert_json_snapshot!("json_accept", accept);
    for (member, day) in [("bo", 23), ("cy", 24), ("dee", 25)] {
        let seen = s.json_at(&at(day, 9), &["--as", member, "seen", &problem]);
        if member == "dee" {
            insta::assert_json_snapshot!("json_seen", seen);
        }
    }
    let link = s.json_at(
        &at(23, 12),
        &["link", "--kind", "duplicate", &duplicate, &question],
    );
    insta::assert_json_snapshot!("json_link", link);
    let review = s.json_at(&at(24, 12), &["review", &tool]);
    insta::assert_json_snapshot!("json_review", review);
    let helped = s.json_at(&at(24, 13), &["--as", "cy", "helped", &tool]);
    insta::assert_json_snapshot!("json_helped", helped);
    let edit = s.json_at(
        &at(25, 12),
        &["edit", &story, "-t", "postmortem", "--untag", "incident"],
    );
    insta::assert_json_snapshot!("json_edit", edit);
    let resolve = s.json_at(
        &at(25, 13),
        &["resolve", &problem, "-m", "A nightly prune job."],
    );
    insta::assert_json_snapshot!("json_resolve", resolve);
    let out = s.repo.add_at(&at(25, 14), &["tool", "Scratch entry"]);
    let scratch = s.id(&out);
    let rm = s.json_at(&at(25, 15), &["rm", &scratch]);
    insta::assert_json_snapshot!("json_rm", rm);
    let restore = s.json_at(&at(25, 16), &["restore", &scratch]);
    insta::assert_json_snapshot!("json_restore", restore);

    // What people read.
    for (name, args) in [
        ("json_show_tool", vec!["show", tool.as_str()]),
        ("json_show_question", vec!["show", question.as_str()]),
        ("json_show_problem", vec!["show", problem.as_str()]),
        ("json_show_duplicate", vec!["show", duplicate.as_str()]),
        ("json_history_story", vec!["history", story.as_str()]),
        ("json_history_reply", vec!["history", reply.as_str()]),
        ("json_list", vec!["list"]),
        ("json_list_domain", vec!["list", "--domain", "postgres"]),
        ("json_search", vec!["search", "certificates"]),
        ("json_search_corrected", vec!["search", "certficates"]),
        ("json_who", vec!["who", "certificates"]),
        ("json_gaps", vec!["gaps"]),
        ("json_map", vec!["map"]),
        ("json_members", vec!["members"]),
        ("json_stats", vec!["stats"]),
        ("json_tags", vec!["tags"]),
        ("json_domains", vec!["domains"]),
        ("json_document_candidates", vec!["document", "--candidates"]),
        ("json_news", vec!["news", "--since", "2026-11-21"]),
        ("json_whoami", vec!["whoami"]),
        ("json_remote", vec!["remote"]),
        ("json_config", vec!["config"]),
        ("json_doctor", vec!["doctor"]),
        (
            "json_tags_rename_dry_run",
            vec!["tags", "rename", "pg", "postgresql", "--dry-run"],
        ),
        (
            "json_domains_rename_dry_run",
            vec!["domains", "rename", "k8s", "kubernetes", "--dry-run"],
        ),
    ] {
        let value = in_stable_order(s.json_at(&at(27, 9), &args));
        insta::assert_json_snapshot!(name, value);
    }

    // Sharing: an export imported into a second repertoire.
    let file = s.repo.path().join("team.jsonl");
    s.repo
        .rep(&["export", file.to_str().expect("utf-8")])
        .success();
    let other = Repo::new();
    let out = stdout(
        &other
            .rep(&["import", file.to_str().expect("utf-8"), "--json"])
            .success(),
    );
    let import = in_stable_order(s.labels.value(&parse_json(&out)));
    insta::assert_json_snapshot!("json_import", import);
    let out = stdout(
        &other
            .rep(&["import", file.to_str().expect("utf-8"), "--json"])
            .success(),
    );
    let again = in_stable_order(s.labels.value(&parse_json(&out)));
    insta::assert_json_snapshot!("json_import_again", again);
}

/// Imports and renames list what they touch in id order, and ids are random: order those lists
/// by what the items are.
fn in_stable_order(mut report: Value) -> Value {
    for list in ["changes", "entries"] {
        let Some(changes) = report.get_mut(list).and_then(Value::as_array_mut) else {
            continue;
        };
        changes.sort_by_key(|c| {
            (
                c["type"].to_string(),
                c["title"].to_string(),
                c["id"].to_string(),
            )
        });
    }
    report
}

/// The PostgreSQL remote's documents (issue 19): `rep remote init` and `rep sync`, which adds
/// `sent` and `received` to the git sync's fields. The server's port and database vary: the
/// remote is pinned as a fixed URL.
#[test]
fn json_contract_of_a_postgres_remote() {
    let Some(pg) = crate::pg_support::server() else {
        return;
    };
    let db = pg.create_db();
    let repo = Repo::new();
    repo.rep(&["remote", "set", &pg.url("postgres", &db), "-q"])
        .success();
    let pinned = |text: String| {
        let mut value = parse_json(&text);
        value["remote"] = "postgres://ana@db.example.com/team?sslmode=require".into();
        value
    };
    let init = pinned(stdout(
        &pg.rep(&repo, &["remote", "init", "--json"]).success(),
    ));
    insta::assert_json_snapshot!("json_remote_init", init);
    repo.add(&["tool", "Show locks", "-d", "postgres"]);
    let synced = pinned(stdout(&pg.rep(&repo, &["sync", "--json"]).success()));
    insta::assert_json_snapshot!("json_sync_postgres", synced);
}
