//! The README's and docs' examples as tests: every ```console block of README.md and docs/*.md
//! runs, in order, in one bash per file, and must print what it shows. The examples/ scripts run
//! too. A block the harness cannot run (a picker, a key press) says why in its info string,
//! ```console,ignore-reason=WHY, and the number of such blocks is pinned below.
//!
//! Our own harness rather than trycmd: the docs show what people type, pipes into jq, `$?`,
//! `$(...)` and `; echo $?` included, which needs a real shell.
//!
//! A block: lines starting with `$ ` are commands (a quote left open continues the command on
//! the next lines); the lines after one, up to the next `$ `, are what it prints on stdout and
//! stderr together. In those, `[..]` stands for any text within a line and a line `...` for any
//! number of lines. Each file starts in a fresh home (the current directory) with the
//! environment below; shell variables and files carry from one block to the next.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{rep_bin, tool_available};

/// The environment every transcript runs in, as the docs say (README's tour: "ran with
/// REP_USER=ana and REP_NOW=2026-11-27T09:30:00Z").
const USER: &str = "ana";
const NOW: &str = "2026-11-27T09:30:00Z";

/// Blocks marked ```console,ignore-reason=...: all in docs/shell.md, each needs a terminal (a
/// picker, a key binding, rep-save reading the shell's history). The bash ones are what the tmux
/// tests of tests/cli/tty.rs drive; the zsh and fish sessions were run by hand, as the page says
/// (tests/cli/shell.rs checks that both shells parse the snippets). Pinned, so that skipped
/// examples cannot silently grow.
const NOT_RUN: usize = 7;

/// Marks the end of one command's output in the shell's combined output.
const END: &str = "\u{1e}end-of-command\u{1e}";

#[derive(Debug)]
struct Step {
    /// Line of the `$ ` in the markdown file.
    line: usize,
    command: String,
    expected: Vec<String>,
    /// Index in the file's lines of the first expected line.
    expected_at: usize,
}

#[derive(Debug, Default)]
struct Transcript {
    steps: Vec<Step>,
    /// (line, reason) of each block marked not to run.
    not_run: Vec<(usize, String)>,
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every docs/*.md, in name order.
fn doc_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_root().join("docs"))
        .expect("docs/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files.insert(0, repo_root().join("README.md"));
    files
}

/// Whether `text` leaves a quote open or ends in a backslash: the command goes on.
fn continues(text: &str) -> bool {
    let (mut single, mut double, mut escaped) = (false, false, false);
    for c in text.chars() {
        if escaped {
            escaped = false;
        } else if single {
            single = c != '\'';
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            double = !double;
        } else if c == '\'' && !double {
            single = true;
        }
    }
    single || double || escaped
}

fn parse(markdown: &str, name: &str) -> Transcript {
    let mut transcript = Transcript::default();
    let lines: Vec<&str> = markdown.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let fence = lines[i].trim_start();
        let Some(info) = fence.strip_prefix("```console") else {
            i += 1;
            continue;
        };
        let start = i + 1;
        let mut end = start;
        while end < lines.len() && lines[end].trim_start() != "```" {
            end += 1;
        }
        assert!(
            end < lines.len(),
            "{name}:{start}: a console block is not closed"
        );
        match info.strip_prefix(",ignore-reason=") {
            Some(reason) if !reason.trim().is_empty() => {
                transcript.not_run.push((start, reason.trim().to_owned()));
            }
            _ if info.is_empty() => parse_block(&lines[start..end], start, name, &mut transcript),
            _ => panic!(
                "{name}:{start}: a console block's info string is `console` or \
                 `console,ignore-reason=WHY`, not `console{info}`"
            ),
        }
        i = end + 1;
    }
    transcript
}

fn parse_block(lines: &[&str], start: usize, name: &str, transcript: &mut Transcript) {
    let mut i = 0;
    while i < lines.len() {
        let Some(first) = lines[i].strip_prefix("$ ") else {
            panic!(
                "{name}:{}: a console block's lines are `$ COMMAND` and what it prints; \
                 this one starts without a command: {:?}",
                start + i + 1,
                lines[i]
            );
        };
        let line = start + i + 1;
        let mut command = first.to_owned();
        i += 1;
        while continues(&command) && i < lines.len() {
            command.push('\n');
            command.push_str(lines[i]);
            i += 1;
        }
        let expected_at = start + i;
        let mut expected = Vec::new();
        while i < lines.len() && !lines[i].starts_with("$ ") {
            expected.push(lines[i].to_owned());
            i += 1;
        }
        transcript.steps.push(Step {
            line,
            command,
            expected,
            expected_at,
        });
    }
}

/// Whether one output line matches one expected line, `[..]` standing for any text.
fn line_matches(expected: &str, actual: &str) -> bool {
    let parts: Vec<&str> = expected.split("[..]").collect();
    if parts.len() == 1 {
        return expected == actual;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !actual.starts_with(first) || actual.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &actual[first.len()..];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// Whether the output lines match the expected ones, a line `...` standing for any lines.
fn lines_match(expected: &[String], actual: &[String]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((dots, rest)) if dots == "..." => {
            (0..=actual.len()).any(|skip| lines_match(rest, &actual[skip..]))
        }
        Some((first, rest)) => actual
            .split_first()
            .is_some_and(|(a, more)| line_matches(first, a) && lines_match(rest, more)),
    }
}

/// The bash script that runs a file's commands in order, each followed by the end marker.
fn script(steps: &[Step]) -> String {
    let mut script = String::from("exec 2>&1\n");
    let mut seen = std::collections::HashMap::new();
    for step in steps {
        // A seed per command, so that ids are the same on every run (src/ids.rs): from the
        // command's text and how many times the same text ran before, so that adding a command
        // to a doc leaves the ids of the others as they were.
        let repeat = seen.entry(step.command.as_str()).or_insert(0u64);
        let seed = fnv1a(&step.command) ^ *repeat;
        *repeat += 1;
        script.push_str(&format!("export REP_TEST_SEED={seed}\n"));
        script.push_str(&format!("{{\n{}\n}} </dev/null\n", step.command));
        script.push_str(&format!("printf '\\n{END}\\n'\n"));
    }
    script
}

/// FNV-1a: a stable hash (std's hasher may change between Rust releases).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// What a run found: a description of each command whose output differs, and that output.
struct Mismatch {
    description: String,
    step: usize,
    actual: Vec<String>,
}

/// Run a transcript in a fresh home.
fn run(name: &str, transcript: &Transcript) -> Vec<Mismatch> {
    if transcript.steps.is_empty() {
        return Vec::new();
    }
    let sandbox = tempfile::tempdir().expect("temp dir");
    let home = sandbox.path().join("home");
    std::fs::create_dir(&home).expect("home");
    let bin_dir = rep_bin().parent().expect("bin dir").to_owned();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .expect("PATH");
    let output = Command::new("bash")
        .arg("-c")
        .arg(script(&transcript.steps))
        .env_clear()
        .current_dir(&home)
        .env("HOME", &home)
        .env("PATH", path)
        .env("REP_USER", USER)
        .env("REP_NOW", NOW)
        .env("NO_COLOR", "1")
        .env("TZ", "UTC")
        .env("LANG", "C.UTF-8")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run bash");
    let text = String::from_utf8_lossy(&output.stdout).replace(home.to_str().expect("utf-8"), "~");
    let outputs: Vec<&str> = text.split(&format!("\n{END}\n")).collect();
    let mut failures = Vec::new();
    for (n, step) in transcript.steps.iter().enumerate() {
        let Some(out) = outputs.get(n) else {
            failures.push(Mismatch {
                description: format!(
                    "{name}:{}: `{}` did not finish (the shell stopped)",
                    step.line, step.command
                ),
                step: n,
                actual: Vec::new(),
            });
            break;
        };
        let actual: Vec<String> = out.lines().map(|l| l.trim_end().to_owned()).collect();
        let expected: Vec<String> = step
            .expected
            .iter()
            .map(|l| l.trim_end().to_owned())
            .collect();
        if !lines_match(&expected, &actual) {
            failures.push(Mismatch {
                description: describe(name, step, &expected, &actual),
                step: n,
                actual,
            });
        }
    }
    failures
}

fn describe(name: &str, step: &Step, expected: &[String], actual: &[String]) -> String {
    let expected = expected.join("\n") + "\n";
    let actual = actual.join("\n") + "\n";
    let diff = similar::TextDiff::from_lines(&expected, &actual);
    format!(
        "{name}:{}: `$ {}` printed something else (- the doc, + rep):\n{}",
        step.line,
        step.command,
        diff.unified_diff().context_radius(3)
    )
}

/// `REP_TRANSCRIPTS=overwrite`: write what rep printed into the doc in place of what it shows,
/// for a person to read in `git diff` before committing (wildcards in those blocks are lost).
fn overwrite(name: &str, transcript: &Transcript, found: &[Mismatch]) {
    if found.is_empty() {
        return;
    }
    let path = repo_root().join(name);
    let text = std::fs::read_to_string(&path).expect("read doc");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for m in found.iter().rev() {
        let step = &transcript.steps[m.step];
        lines.splice(
            step.expected_at..step.expected_at + step.expected.len(),
            m.actual.iter().cloned(),
        );
    }
    std::fs::write(&path, lines.join("\n") + "\n").expect("write doc");
}

fn relative(path: &Path) -> String {
    path.strip_prefix(repo_root())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn every_console_block_of_the_readme_and_docs_prints_what_it_shows() {
    // The docs pipe into jq and break a database with sqlite3 (docs/cli.md).
    for tool in ["jq", "sqlite3"] {
        if !tool_available(tool, crate::support::runs(tool, &["--version"])) {
            return;
        }
    }
    let files: Vec<(String, Transcript)> = doc_files()
        .iter()
        .map(|p| {
            let name = relative(p);
            let text = std::fs::read_to_string(p).expect("read doc");
            let transcript = parse(&text, &name);
            (name, transcript)
        })
        .collect();
    let mismatches: Vec<Vec<Mismatch>> = std::thread::scope(|scope| {
        let runs: Vec<_> = files
            .iter()
            .map(|(name, t)| scope.spawn(move || run(name, t)))
            .collect();
        runs.into_iter()
            .map(|r| r.join().expect("transcript thread"))
            .collect()
    });
    if std::env::var("REP_TRANSCRIPTS").as_deref() == Ok("overwrite") {
        for ((name, transcript), found) in files.iter().zip(&mismatches) {
            overwrite(name, transcript, found);
        }
    }
    let failures: Vec<&str> = mismatches
        .iter()
        .flatten()
        .map(|m| m.description.as_str())
        .collect();
    let commands: usize = files.iter().map(|(_, t)| t.steps.len()).sum();
    eprintln!("transcripts: {commands} commands run");
    assert!(
        failures.is_empty(),
        "{} of {commands} documented commands print something else now; fix the doc (or the \
         bug):\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn only_the_blocks_that_need_a_terminal_are_not_run() {
    let not_run: Vec<String> = doc_files()
        .iter()
        .flat_map(|p| {
            let name = relative(p);
            let text = std::fs::read_to_string(p).expect("read doc");
            parse(&text, &name)
                .not_run
                .into_iter()
                .map(move |(line, reason)| format!("{name}:{line}: {reason}"))
        })
        .collect();
    assert_eq!(
        not_run.len(),
        NOT_RUN,
        "the docs mark {} console blocks not to run, the test expects {NOT_RUN}: make the new \
         one run, or change NOT_RUN with the reason:\n{}",
        not_run.len(),
        not_run.join("\n")
    );
    assert!(
        not_run.iter().all(|b| b.ends_with("needs-a-terminal")),
        "{not_run:#?}"
    );
}

/// Each examples/*.sh, as CI runs it (.ci/run): rep on PATH, a throwaway home.
#[test]
fn every_example_script_runs() {
    if !tool_available("jq", crate::support::runs("jq", &["--version"])) {
        return;
    }
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(repo_root().join("examples"))
        .expect("examples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sh"))
        .collect();
    scripts.sort();
    assert!(!scripts.is_empty());
    let bin_dir = rep_bin().parent().expect("bin dir").to_owned();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .expect("PATH");
    for script in scripts {
        let home = tempfile::tempdir().expect("temp dir");
        let out = Command::new("bash")
            .arg(&script)
            .env_clear()
            .env("HOME", home.path())
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .env("LANG", "C.UTF-8")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run example");
        assert!(
            out.status.success(),
            "{} failed:\n{}{}",
            relative(&script),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn wildcards_match_text_within_a_line_and_dots_match_lines() {
    let lines = |s: &str| s.lines().map(str::to_owned).collect::<Vec<_>>();
    assert!(line_matches("added tool [..]", "added tool 1554"));
    assert!(line_matches("[..] 1554 [..]", "x 1554 y"));
    assert!(!line_matches("added tool [..]", "added story 1554"));
    assert!(!line_matches("a[..]a", "a"));
    assert!(lines_match(&lines("a\n...\nd"), &lines("a\nb\nc\nd")));
    assert!(lines_match(&lines("a\n...\nd"), &lines("a\nd")));
    assert!(!lines_match(&lines("a\n...\nd"), &lines("a\nb")));
    assert!(!lines_match(&lines("a"), &lines("a\nb")));
}

/// The harness can fail: a block whose output changed, or a command that no longer exists.
#[test]
fn a_block_whose_output_changed_fails_with_a_diff() {
    let doc = "text\n\n```console\n$ echo one\none\n$ echo 'two\nlines'\ntwo\nlines\n$ rep \
               version\nrep 0.0.0\n```\n\n```console,ignore-reason=needs-a-terminal\n$ rep show\n```\n";
    let transcript = parse(doc, "test.md");
    assert_eq!(transcript.steps.len(), 3);
    assert_eq!(transcript.steps[1].command, "echo 'two\nlines'");
    assert_eq!(
        transcript.not_run,
        vec![(14, "needs-a-terminal".to_owned())]
    );
    let failures: Vec<String> = run("test.md", &transcript)
        .into_iter()
        .map(|m| m.description)
        .collect();
    assert_eq!(failures.len(), 1, "{failures:#?}");
    assert!(
        failures[0].starts_with("test.md:10: `$ rep version`"),
        "{}",
        failures[0]
    );
    assert!(failures[0].contains("-rep 0.0.0"), "{}", failures[0]);
}

/// docs/cli.md's config file example is a config rep reads, and names every key rep knows.
#[test]
fn the_config_example_of_docs_cli_sets_every_key() {
    let doc = std::fs::read_to_string(repo_root().join("docs/cli.md")).expect("read");
    let toml = doc
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a toml block in docs/cli.md");
    let repo = crate::support::Repo::new();
    repo.write_config(toml);
    // rep reads it (an unknown key or a bad value would fail here) ...
    let config = repo.json(&["config"]);
    // ... and it sets every key rep lists.
    let table: toml::Table = toml.parse().expect("the example is TOML");
    let missing: Vec<&str> = config["settings"]
        .as_array()
        .expect("settings")
        .iter()
        .map(|s| s["key"].as_str().expect("key"))
        .filter(|key| {
            let (section, name) = key.split_once('.').expect("section.name");
            table.get(section).and_then(|t| t.get(name)).is_none()
        })
        .collect();
    assert!(
        missing.is_empty(),
        "docs/cli.md's example leaves out {missing:?}"
    );
}

/// docs/format.md's entry and reply records, with real stamps and ids for its placeholders, are
/// a file rep imports as they are described.
#[test]
fn the_record_examples_of_docs_format_import() {
    let doc = std::fs::read_to_string(repo_root().join("docs/format.md")).expect("read");
    let records: Vec<&str> = doc
        .split("```json\n")
        .skip(1)
        .map(|rest| rest.split("```").next().expect("a closed block"))
        .collect();
    assert_eq!(records.len(), 2, "an entry and a reply record");
    let entry_id = "6d9c097a-6f5c-466d-bb17-af62da3c4d6d";
    let filled = |text: &str, id: &str| {
        // Each STAMP older than the one before: the revisions, last, hold the older values.
        let mut parts = text.split("\"STAMP\"");
        let mut text = parts.next().unwrap_or_default().to_owned();
        for (n, part) in parts.enumerate() {
            let millis = 1_795_770_000_000u64 - n as u64;
            text.push_str(&format!(
                "\"{millis}.000000.7b497b5d53904ff8aac73658fc9ece1e\"{part}"
            ));
        }
        let text = text
            .replace("\"UUID\"", &format!("\"{id}\""))
            .replace("\"ENTRY-ID\"", &format!("\"{entry_id}\""));
        // Shown wrapped; in the file each record is one line.
        let value: serde_json::Value = serde_json::from_str(&text).expect("the example is JSON");
        value.to_string()
    };
    let file = [
        "{\"format\":\"repertoire\",\"version\":\"1.1\"}".to_owned(),
        filled(records[0], "1b6c3c3e-6a2f-4b7e-9d1c-000000000001"),
        filled(records[1], "1b6c3c3e-6a2f-4b7e-9d1c-000000000002"),
    ]
    .join("\n")
        + "\n";
    let repo = crate::support::Repo::new();
    let path = repo.path().join("example.jsonl");
    std::fs::write(&path, file).expect("write");
    repo.rep(&["import", path.to_str().expect("utf-8"), "-q"])
        .success();
    let entry = repo.json(&["show", entry_id]);
    assert_eq!(entry["title"], "Show what holds a lock");
    assert_eq!(entry["command"], "SELECT * FROM pg_locks");
    assert_eq!(entry["tags"], serde_json::json!(["locks"]));
    assert_eq!(entry["replies"][0]["body"], "Markdown", "{entry:#}");
    assert_eq!(entry["replies"][0]["accepted"], true);
}
