//! Hostile and malformed input: nothing reaches the terminal raw, nothing escapes the export
//! folder, nothing crashes, and a refused file changes nothing.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use crate::trust_support::{
    World, assert_sound, header_line, record_line, terminal_hazards, write_exchange,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hostile")
        .join(name)
}

/// Neither stream may carry a byte a terminal would act on, and rep must not have crashed.
fn assert_clean(what: &str, out: &Output) {
    let code = out.status.code();
    assert!(
        code.is_some() && code != Some(70),
        "{what}: crashed with {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let hazards = terminal_hazards(bytes);
        assert!(hazards.is_empty(), "{what}: {stream} holds {hazards:?}");
    }
}

fn run_with_stdin(world: &World, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = world
        .cmd()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rep starts");
    let mut pipe = child.stdin.take().expect("stdin");
    // rep may stop reading at a limit: a closed pipe here is expected.
    let _ = pipe.write_all(stdin);
    drop(pipe);
    child.wait_with_output().expect("rep finishes")
}

/// A file rep must refuse: exit 1, a message naming the line and `expect`, and no change.
fn assert_refused(world: &World, name: &str, file: &Path, expect: &str) {
    let before = world.export();
    for via_stdin in [false, true] {
        let out = if via_stdin {
            run_with_stdin(
                world,
                &["import", "-"],
                &std::fs::read(file).expect("fixture"),
            )
        } else {
            world
                .cmd()
                .arg("import")
                .arg(file)
                .output()
                .expect("rep runs")
        };
        assert_clean(name, &out);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(
            stderr.contains(expect),
            "{name}: expected {expect:?} in {stderr}"
        );
        assert!(
            stderr.contains("line "),
            "{name}: no line number in {stderr}"
        );
    }
    assert_eq!(
        world.export(),
        before,
        "{name}: a refused import changed the database"
    );
    assert_sound(&world.db());
}

fn seeded_world() -> World {
    let world = World::new();
    world.ok(&[
        "add",
        "tool",
        "an honest entry",
        "-d",
        "postgres",
        "-t",
        "locks",
        "-q",
    ]);
    world
}

#[test]
fn trust_hostile_malformed_files_are_refused_and_change_nothing() {
    let world = seeded_world();
    for (name, expect) in [
        ("lone-surrogate.jsonl", "escape"),
        ("nul.jsonl", "NUL"),
        ("domain-traversal.jsonl", "domain"),
        ("conflict-markers.jsonl", "conflict marker"),
        ("truncated.jsonl", "truncated"),
        ("newer-major.jsonl", "newer than this rep reads"),
        ("duplicate-ids.jsonl", "appears twice"),
        (
            "out-of-order.jsonl",
            "line 3: record b0b0b0b0-0000-4000-8000-000000000013 is out of order",
        ),
        ("not-a-header.jsonl", "header"),
        ("bad-stamp.jsonl", "clock stamp"),
        ("unknown-field.jsonl", "unknown field"),
        ("invalid-utf8.jsonl", "UTF-8"),
    ] {
        assert_refused(&world, name, &fixture(name), expect);
    }
}

/// An occurrence the repertoire holds under one entry, sent again under another: a crafted
/// file's, refused with exit 1 and its hint, and nothing changes (never moved between entries).
#[test]
fn trust_hostile_an_occurrence_moved_to_another_entry_is_refused() {
    let world = World::new();
    let seen = world
        .ok(&["add", "problem", "disk full", "-q"])
        .trim()
        .to_owned();
    let other = world
        .ok(&["add", "problem", "other", "-q"])
        .trim()
        .to_owned();
    world.ok(&["seen", &seen, "-q"]);
    let before = world.export();
    let text = String::from_utf8(before.clone()).expect("UTF-8 export");
    let mut lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let occurrences = lines
        .iter()
        .find(|r| r["id"] == seen.as_str())
        .and_then(|r| r.get("occurrences").cloned())
        .expect("the occurrence recorded");
    for record in &mut lines {
        if record["id"] == other.as_str() {
            record["occurrences"] = occurrences.clone();
        }
    }
    let crafted: String = lines.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(world.path("moved.jsonl"), crafted).expect("write the file");
    let out = world.run(&["import", "moved.jsonl"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("of entry {other} is recorded on another entry")),
        "{stderr}"
    );
    assert!(
        stderr.contains("the file was not written by rep"),
        "{stderr}"
    );
    assert_eq!(
        world.export(),
        before,
        "a refused import changed the database"
    );
    assert_sound(&world.db());
}

#[test]
fn trust_hostile_oversized_and_deep_files_are_refused_by_their_limit() {
    let world = seeded_world();
    let write = |name: &str, body: String| {
        let path = world.path(name);
        std::fs::write(&path, format!("{}\n{body}\n", header_line())).expect("write");
        path
    };
    // A 97 MiB line: over the 96 MiB line limit before any parsing.
    let huge = record_line(1, 1, &[]).replace("imported record", &"x".repeat(97 << 20));
    let file = write("huge-line.jsonl", huge);
    assert_refused(&world, "97 MiB line", &file, "limit of 100663296 bytes");
    // A 2 MB body fits in a line but not in an entry.
    let big_body = record_line(1, 2, &[]).replace("Body of record", &"y".repeat(2 << 20));
    let file = write("big-body.jsonl", big_body);
    assert_refused(&world, "2 MB body", &file, "limit of 1048576 bytes");
    // 100,000 tag states fit in a line; the entry keeps the newest 640, as every replica would.
    let tags: Vec<String> = (0..100_000).map(|i| format!("t{i:06}")).collect();
    let tag_refs: Vec<&str> = tags.iter().map(String::as_str).collect();
    let file = write("many-tags.jsonl", record_line(1, 3, &tag_refs));
    let out = world
        .cmd()
        .arg("import")
        .arg(&file)
        .output()
        .expect("rep runs");
    assert_clean("100000 tags", &out);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let export = String::from_utf8(world.export()).expect("UTF-8");
    let line = export
        .lines()
        .find(|l| l.contains("imported record 3 of batch 1"))
        .expect("the record is there");
    let record: serde_json::Value = serde_json::from_str(line).expect("JSON");
    let kept = record["tags"].as_object().expect("tags");
    assert_eq!(kept.len(), 640);
    assert!(kept.contains_key("t099999") && !kept.contains_key("t099359"));
    // JSON nested 100,000 deep, in a record and in the header.
    let deep = format!(
        r#"{{"type":"entry","id":{}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let file = write("deep.jsonl", deep.clone());
    // Read straight into its struct, the record fails at the first value of the wrong type.
    assert_refused(&world, "deep record", &file, "invalid type");
    // In a record whose type comes later, the reader buffers values: the depth limit stops it.
    let buffered = format!(
        r#"{{"id":{}{},"type":"entry"}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let file = write("deep-buffered.jsonl", buffered);
    assert_refused(&world, "deep buffered record", &file, "recursion limit");
    let file = world.path("deep-header.jsonl");
    std::fs::write(&file, format!("{deep}\n")).expect("write");
    assert_refused(&world, "deep header", &file, "header");
}

#[test]
fn trust_hostile_command_line_input_hits_named_limits() {
    let world = seeded_world();
    let before = world.export();
    let ten_mb = vec![b'z'; 10 << 20];
    let out = run_with_stdin(&world, &["add", "story", "ten megabytes", "-"], &ten_mb);
    assert_clean("10 MB body", &out);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("limit of 1048576 bytes"));

    let bytes = std::fs::read(fixture("invalid-utf8.bin")).expect("fixture");
    let out = run_with_stdin(&world, &["add", "story", "bad bytes", "-"], &bytes);
    assert_clean("invalid UTF-8 body", &out);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid UTF-8"));

    // 100,000 tags, in chunks that fit in one argument each.
    let tags: Vec<String> = (0..100_000).map(|i| format!("t{i}")).collect();
    let mut cmd = world.cmd();
    cmd.args(["add", "tool", "many tags"]);
    for chunk in tags.chunks(10_000) {
        cmd.arg("-t").arg(chunk.join(","));
    }
    let out = cmd.output().expect("rep runs");
    assert_clean("100000 tags", &out);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("more than 64 tags"));

    let long_title = "t".repeat(301);
    let out = world.run(&["add", "tool", &long_title]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("limit of 300 characters"));

    for domain in ["../../etc", "a/../../b", "/etc/passwd/..", "\u{1b}[31m"] {
        let out = world.run(&["add", "tool", "escape", "-d", domain]);
        assert_clean(domain, &out);
        assert_eq!(out.status.code(), Some(1), "domain {domain:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("invalid domain"));
    }
    assert_eq!(world.export(), before);
    assert_sound(&world.db());
}

#[test]
fn trust_hostile_escapes_never_reach_the_terminal() {
    let world = seeded_world();
    let out = world
        .cmd()
        .arg("import")
        .arg(fixture("escapes.jsonl"))
        .arg("--verbose")
        .output()
        .expect("rep runs");
    assert_clean("import escapes", &out);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("ALERT"));
    let ids: Vec<String> = (1..=7)
        .map(|i| format!("b0b0b0b0-0000-4000-8000-{i:012x}"))
        .collect();
    let mut runs: Vec<Vec<String>> = vec![
        vec!["list".into()],
        vec!["list".into(), "--quiet".into()],
        vec!["search".into(), "alert".into()],
        vec!["search".into(), "clipboard".into()],
        vec!["search".into(), "owned".into()],
        vec!["search".into(), "--raw".into(), "\u{1b}[31m\"".into()],
        vec!["tags".into()],
        vec!["domains".into()],
        vec![
            "import".into(),
            "--dry-run".into(),
            fixture("escapes.jsonl").display().to_string(),
        ],
        vec!["show".into(), "\u{1b}]0;title\u{7}".into()],
        vec![
            "edit".into(),
            "\u{202e}abcd".into(),
            "--title".into(),
            "x".into(),
        ],
    ];
    for id in &ids {
        runs.push(vec!["show".into(), id.clone()]);
        runs.push(vec!["history".into(), id.clone()]);
    }
    for args in &runs {
        let out = world.cmd().args(args).output().expect("rep runs");
        assert_clean(&format!("rep {args:?}"), &out);
    }
    // With colour forced on, rep's own escapes appear but no foreign ones: strip ours and look.
    let out = world.run(&["--color", "always", "search", "alert"]);
    let ours = String::from_utf8_lossy(&out.stdout)
        .replace("\u{1b}[1;33m", "")
        .replace("\u{1b}[0m", "")
        .replace("\u{1b}[2m", "")
        .replace("\u{1b}[33m", "")
        .replace("\u{1b}[1m", "");
    assert!(terminal_hazards(ours.as_bytes()).is_empty(), "{ours:?}");
    // The commands in the corpus were never run.
    for name in ["pwned-backtick", "pwned-dollar"] {
        assert!(!world.path(name).exists(), "{name} was created");
    }
    assert_sound(&world.db());
}

#[test]
fn trust_hostile_a_command_is_data_never_run() {
    let world = World::new();
    let marker = world.path("pwned");
    let marker2 = world.path("pwned2");
    let command = format!(
        "$(touch {}) `touch {}` ; touch {} \u{1b}]52;c;cm0K\u{7}",
        marker.display(),
        marker2.display(),
        marker.display()
    );
    let id = world.ok(&["add", "tool", "dangerous looking", "--cmd", &command, "-q"]);
    let id = id.trim();
    for args in [
        vec!["show", id],
        vec!["list"],
        vec!["search", "touch"],
        vec!["history", id],
        vec!["export", "-"],
        vec!["edit", id, "--title", "still dangerous looking"],
    ] {
        let out = world.run(&args);
        assert!(out.status.success(), "{args:?}");
        if args[0] != "export" {
            assert_clean(&format!("{args:?}"), &out);
        }
    }
    let shown = world.ok(&["show", id]);
    assert!(shown.contains("$(touch "), "{shown}");
    assert!(shown.contains("`touch "), "{shown}");
    let json: serde_json::Value =
        serde_json::from_str(&world.ok(&["show", id, "--json"])).expect("JSON");
    assert_eq!(json["command"], command.as_str(), "stored exactly as given");
    world.ok(&["export", "site", "--format", "markdown", "-q"]);
    assert!(!marker.exists() && !marker2.exists(), "the command was run");
}

#[test]
fn trust_hostile_markdown_export_stays_in_its_folder() {
    let world = seeded_world();
    world.ok(&[
        "import",
        &fixture("escapes.jsonl").display().to_string(),
        "-q",
    ]);
    let before: Vec<_> = std::fs::read_dir(world.dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    let site = world.path("site");
    world.ok(&["export", "site", "--format", "markdown", "-q"]);
    let root = site.canonicalize().expect("site exists");
    let mut pages = 0;
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for item in std::fs::read_dir(&dir).expect("list") {
            let path = item.expect("entry").path().canonicalize().expect("resolve");
            assert!(
                path.starts_with(&root),
                "{} is outside the export",
                path.display()
            );
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                pages += 1;
            }
        }
    }
    // 8 entries, an index for each domain with entries (4) and the root index.
    assert_eq!(pages, 8 + 4 + 1);
    let after: Vec<_> = std::fs::read_dir(world.dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .filter(|n| n != "site")
        .collect();
    assert_eq!(before, after, "the export wrote outside its folder");
    assert!(!Path::new("/etc/passwd.md").exists());
}

#[test]
fn trust_hostile_ids_colliding_under_another_kind_merge_without_loss() {
    let world = seeded_world();
    let id = "c0111de0-0000-4000-8000-000000000001";
    world.ok(&[
        "import",
        &fixture("kind-collision-a.jsonl").display().to_string(),
        "-q",
    ]);
    world.ok(&[
        "import",
        &fixture("kind-collision-b.jsonl").display().to_string(),
        "-q",
    ]);
    let shown: serde_json::Value =
        serde_json::from_str(&world.ok(&["show", id, "--json"])).expect("JSON");
    assert_eq!(shown["kind"], "story", "the later change wins");
    let history = world.ok(&["history", id, "--json"]);
    assert!(
        history.contains("\"tool\""),
        "the earlier kind is kept: {history}"
    );
    // Importing the older file again changes nothing.
    let before = world.export();
    world.ok(&[
        "import",
        &fixture("kind-collision-a.jsonl").display().to_string(),
        "-q",
    ]);
    assert_eq!(world.export(), before);
    assert_eq!(
        crate::trust_support::count(
            &world.db(),
            &format!("SELECT count(*) FROM entries WHERE id = '{id}'")
        ),
        1
    );
    assert_sound(&world.db());
}

#[test]
fn trust_hostile_a_closed_pipe_is_not_an_error() {
    let world = seeded_world();
    let file = world.path("some.jsonl");
    write_exchange(&file, 3, 200);
    world.ok(&["import", "some.jsonl", "-q"]);
    for args in [vec!["list", "--json"], vec!["list"], vec!["export", "-"]] {
        let mut child = world
            .cmd()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("rep starts");
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("rep finishes");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Text that draws nothing but reorders or hides what is around it, in a tool's title, command,
/// body and tag.
const INVISIBLE: &str = "\u{061c}\u{200b}\u{200d}\u{200f}\u{2028}\u{2029}\u{202e}\u{2060}\u{2066}";

fn invisible_world() -> World {
    let world = World::new();
    let file = world.path("invisible.jsonl");
    let mut text = header_line().to_owned() + "\n";
    let line = record_line(9, 1, &["plain"])
        // A tag is one word: no separators (they are white space) in it.
        .replace("\"plain\"", "\"pl\u{202e}\u{200b}\u{2060}\u{061c}ain\"")
        .replacen("imported", &format!("im{INVISIBLE}ported"), 1);
    text.push_str(&line);
    text.push('\n');
    std::fs::write(&file, text).unwrap();
    world.ok(&["import", file.to_str().unwrap(), "-q"]);
    world.ok(&[
        "add",
        "tool",
        &format!("evil{INVISIBLE}\x1b]0;t\x07 title"),
        "--cmd",
        &format!("echo{INVISIBLE} \x1b[31mhi"),
        "-q",
    ]);
    world
}

#[test]
fn trust_hostile_exports_to_a_terminal_are_sanitised_and_files_stay_exact() {
    if !crate::support::tool_available("script", crate::support::runs("script", &["--version"])) {
        return;
    }
    let world = invisible_world();
    let rep = env!("CARGO_BIN_EXE_rep");
    for format in ["navi", "jsonl"] {
        // script(1) gives rep a terminal for stdout and copies what it writes there.
        let mut cmd = std::process::Command::new("script");
        cmd.args([
            "-qec",
            &format!("{rep} export - --format {format}"),
            "/dev/null",
        ]);
        for (key, value) in world.cmd().get_envs() {
            if let Some(v) = value {
                cmd.env(key, v);
            }
        }
        let out = cmd
            .current_dir(world.path(""))
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let hazards = terminal_hazards(
            &out.stdout
                .iter()
                .copied()
                .filter(|b| *b != b'\r')
                .collect::<Vec<_>>(),
        );
        assert!(
            hazards.is_empty(),
            "{format} on a terminal holds {hazards:?}"
        );
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("title"),
            "{format}"
        );

        // Into a pipe (and so a file) the export is exact.
        let piped = world.run(&["export", "-", "--format", format]);
        assert!(piped.status.success());
        let text = String::from_utf8(piped.stdout).unwrap();
        assert!(
            text.contains('\u{202e}') && text.contains('\u{200b}'),
            "{format}: {text}"
        );
    }
}

#[test]
fn trust_hostile_completion_candidates_are_sanitised() {
    let world = invisible_world();
    let out = world
        .cmd()
        .env("COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", "3")
        .env("_CLAP_COMPLETE_COMP_TYPE", "9")
        .env("_CLAP_COMPLETE_SPACE", "true")
        .env("_CLAP_IFS", "\n")
        .args(["--", "rep", "list", "-t", "pl"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        terminal_hazards(&out.stdout).is_empty(),
        "{:?}",
        terminal_hazards(&out.stdout)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "plain");
}
