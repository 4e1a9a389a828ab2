//! docs/json.md against the `--json` output it describes. The documents are the pinned snapshots
//! of the json_contract scenario (every command's output, serialised from `src/model/`), so a
//! field renamed or added in the code and not in the doc, or documented and never printed, fails
//! here. Per section of the doc: every field name the commands print is named in the section
//! (a table row, its example, or the prose) or in a section it builds on, and every field its
//! tables and examples claim is printed by one of them.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

/// Each section of docs/json.md (by the start of its heading), the json_contract snapshots of
/// the commands it describes, and the sections whose fields it includes.
const SECTIONS: &[(&str, &[&str], &[&str])] = &[
    (
        "Entry",
        &["add", "edit", "rm", "restore", "list", "list_domain"],
        &[],
    ),
    ("Search hit", &["search", "search_corrected"], &["Entry"]),
    ("Counts", &["domains", "tags"], &[]),
    (
        "Rename",
        &["domains_rename_dry_run", "tags_rename_dry_run"],
        &[],
    ),
    ("Config", &["config"], &[]),
    (
        "Thread",
        &[
            "show_duplicate",
            "show_problem",
            "show_question",
            "show_tool",
            "accept",
            "resolve",
            "review",
            "link",
        ],
        &["Entry"],
    ),
    ("Answer", &["answer", "answer_problem"], &["Thread"]),
    ("Helped", &["helped"], &[]),
    ("Seen", &["seen"], &["Thread"]),
    ("Document", &["document_candidates"], &[]),
    ("Members", &["members"], &[]),
    ("Map", &["map"], &[]),
    ("Who", &["who"], &[]),
    ("Gaps", &["gaps"], &[]),
    ("Stats", &["stats"], &[]),
    ("Whoami", &["whoami"], &[]),
    ("Doctor", &["doctor"], &[]),
    ("Remote", &["remote", "remote_init"], &[]),
    ("History", &["history_reply", "history_story"], &[]),
    (
        "Import and sync",
        &["import", "import_again", "sync_postgres"],
        &[],
    ),
    ("News", &["news"], &[]),
];

/// Fields a section documents that the scenario's commands never print, and why.
const NOT_IN_SCENARIO: &[(&str, &str, &str)] = &[(
    "Doctor",
    "problems",
    "absent while a check passes, and every check passes in the scenario",
)];

/// Objects whose keys are data (kinds, members, a gap's inputs by name), not field names.
const DATA_KEYED: &[&str] = &["entries_by_kind", "scores", "inputs"];

#[derive(Default)]
struct Section {
    heading: String,
    /// Field names in the first column of its tables and the keys of its JSON examples.
    claimed: BTreeSet<String>,
    /// Every `lowercase_name` the section writes in backticks.
    mentioned: BTreeSet<String>,
}

fn keys(value: &Value, into: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                into.insert(k.clone());
                if DATA_KEYED.contains(&k.as_str()) {
                    // Its keys are data; the values below them still hold field names.
                    if let Value::Object(inner) = v {
                        inner.values().for_each(|v| keys(v, into));
                    }
                } else {
                    keys(v, into);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| keys(v, into)),
        _ => {}
    }
}

fn backticked(text: &str) -> impl Iterator<Item = &str> {
    text.split('`').skip(1).step_by(2)
}

fn is_name(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

fn sections(doc: &str) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    let mut block: Option<Vec<&str>> = None;
    let example = |lines: &mut Vec<&str>, section: &mut Section| {
        let text = lines.join("\n");
        lines.clear();
        if let Ok(value) = serde_json::from_str::<Value>(text.trim()) {
            keys(&value, &mut section.claimed);
        }
    };
    for line in doc.lines() {
        if line.starts_with("```") {
            match block.take() {
                Some(mut lines) => {
                    if let Some(section) = out.last_mut() {
                        example(&mut lines, section);
                    }
                }
                None => block = Some(Vec::new()),
            }
            continue;
        }
        if let Some(lines) = block.as_mut() {
            if line.starts_with("$ ") {
                if let Some(section) = out.last_mut() {
                    example(lines, section);
                }
            } else {
                lines.push(line);
            }
            continue;
        }
        if let Some(heading) = line.strip_prefix("## ") {
            out.push(Section {
                heading: heading.to_owned(),
                ..Section::default()
            });
            continue;
        }
        let Some(section) = out.last_mut() else {
            continue;
        };
        if let Some(row) = line.strip_prefix("| `") {
            // `replies[].id`, `.short_id`: every part of a path is a field name.
            let first_cell = row.split('|').next().unwrap_or_default();
            for path in backticked(&format!("`{first_cell}")) {
                for part in path.split(['.', '[', ']']).filter(|p| is_name(p)) {
                    section.claimed.insert(part.to_owned());
                }
            }
        }
        for word in backticked(line).filter(|w| is_name(w)) {
            section.mentioned.insert(word.to_owned());
        }
    }
    out
}

fn snapshot(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cli/snapshots")
        .join(format!("cli__json_contract__json_{name}.snap"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let (_, body) = text
        .split_once("\n---\n")
        .unwrap_or_else(|| panic!("{path:?} has no insta header"));
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

#[test]
fn docs_json_md_names_every_field_printed_and_prints_every_field_named() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/json.md"))
        .unwrap();
    let all = sections(&doc);
    let find = |start: &str| {
        all.iter()
            .find(|s| s.heading.starts_with(start))
            .unwrap_or_else(|| panic!("docs/json.md has no section `## {start}...`"))
    };
    let mut problems = Vec::new();
    for (start, snapshots, builds_on) in SECTIONS {
        let section = find(start);
        let mut printed = BTreeSet::new();
        for name in *snapshots {
            keys(&snapshot(name), &mut printed);
        }
        let mut named: BTreeSet<&String> =
            section.claimed.iter().chain(&section.mentioned).collect();
        for other in *builds_on {
            let other = find(other);
            named.extend(other.claimed.iter().chain(&other.mentioned));
        }
        let undocumented: Vec<&String> = printed.iter().filter(|k| !named.contains(k)).collect();
        if !undocumented.is_empty() {
            problems.push(format!(
                "{start}: printed, not documented: {undocumented:?}"
            ));
        }
        let never_printed: Vec<&String> = section
            .claimed
            .iter()
            .filter(|k| !printed.contains(*k))
            .filter(|k| {
                !NOT_IN_SCENARIO
                    .iter()
                    .any(|(s, field, _)| s == start && field == k)
            })
            .collect();
        if !never_printed.is_empty() {
            problems.push(format!(
                "{start}: documented, not printed by {snapshots:?}: {never_printed:?}"
            ));
        }
    }
    // Every pinned document is described by some section.
    let covered: BTreeSet<&str> = SECTIONS
        .iter()
        .flat_map(|(_, s, _)| s.iter().copied())
        .collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/snapshots");
    for file in std::fs::read_dir(dir).unwrap() {
        let name = file.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(command) = name
            .strip_prefix("cli__json_contract__json_")
            .and_then(|n| n.strip_suffix(".snap"))
            && !covered.contains(command)
        {
            problems.push(format!(
                "no section of docs/json.md describes json_{command}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
