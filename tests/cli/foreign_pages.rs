//! tldr translations and file names, cheat sheets as text, zk front matter, and rep's own
//! Markdown export read back: issue 15's tldr, cheat, Markdown and report points.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{Repo, stderr};

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/foreign")
        .join(name)
        .display()
        .to_string()
}

fn entries(repo: &Repo) -> Vec<Value> {
    repo.json(&["list", "--limit", "0"])
        .as_array()
        .unwrap()
        .clone()
}

fn full(repo: &Repo, e: &Value) -> Value {
    repo.json(&["show", e["id"].as_str().unwrap()])
}

fn md_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for item in std::fs::read_dir(dir).unwrap() {
        let path = item.unwrap().path();
        if path.is_dir() {
            md_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

/// `(description, command)` of every example on a tldr page, checking the page's shape as
/// tldr-lint does for what rep writes: no backtick inside a command, no `\` line end.
fn examples(page: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = page.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some(text) = line.strip_prefix("- ") {
            let command = lines[i + 2];
            assert!(command.starts_with('`') && command.ends_with('`'), "{page}");
            let inner = &command[1..command.len() - 1];
            assert!(!inner.contains('`'), "a backtick inside a command: {page}");
            assert!(!inner.ends_with('\\'), "a broken continuation: {page}");
            out.push((text.to_owned(), inner.to_owned()));
        }
    }
    out
}

#[test]
fn a_translation_is_an_entry_of_its_own_next_to_the_english_page() {
    let repo = Repo::new();
    let english = fixture("tldr/pages");
    repo.json(&["import", "--from", "tldr", &english]);
    let german = repo.json(&["import", "--from", "tldr", &fixture("tldr/pages.de")]);
    assert_eq!(german["files"], 2);
    assert_eq!(german["added"], 2, "{german}");
    assert_eq!(german["updated"], 0, "the English pages stay as they are");
    let list = entries(&repo);
    assert_eq!(list.len(), 15);
    let tars: Vec<Value> = list
        .iter()
        .filter(|e| e["title"].as_str().unwrap().starts_with("tar "))
        .map(|e| full(&repo, e))
        .collect();
    assert_eq!(tars.len(), 2);
    let de = tars
        .iter()
        .find(|e| e["tags"] == serde_json::json!(["lang:de", "tar"]));
    let de = de.expect("the German page carries its language");
    assert_eq!(
        de["title"],
        "tar — Dateien in ein Archiv packen und wieder auspacken."
    );
    assert_eq!(
        de["link"],
        "https://www.gnu.org/software/tar/manual/tar.html"
    );
    let again = repo.json(&["import", "--from", "tldr", &english]);
    assert_eq!(again["unchanged"], 13);
}

#[test]
fn the_repository_root_keeps_every_translation_and_its_link() {
    let repo = Repo::new();
    let report = repo.json(&["import", "--from", "tldr", &fixture("tldr")]);
    assert_eq!(
        report["files"], 18,
        "13 English pages and 5 translated ones"
    );
    assert_eq!(report["added"], 18);
    assert_eq!(report["skipped"], 0, "{}", report["skips"]);
    let keys: Vec<&str> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .filter(|k| k.contains("pages."))
        .collect();
    assert_eq!(
        keys,
        [
            "tldr:pages.de/common/tar",
            "tldr:pages.de/linux/ss",
            "tldr:pages.fr/common/tar",
            "tldr:pages.pt_BR/linux/ss",
            "tldr:pages.zh/common/tar",
        ]
    );
    for e in entries(&repo) {
        let e = full(&repo, &e);
        let title = e["title"].as_str().unwrap();
        if title.starts_with("tar ") || title.contains("Mostrar") {
            assert!(e["link"].is_string(), "no link for {title}");
        }
    }
}

#[test]
fn pages_export_to_their_own_file_names_and_import_back_unchanged() {
    let repo = Repo::new();
    let names = fixture("tldr-names");
    let report = repo.json(&["import", "--from", "tldr", &names]);
    assert_eq!(report["added"], 6, "{report}");
    repo.json(&["import", "--from", "tldr", &fixture("tldr/pages.de")]);
    let out = repo.path().join("out");
    let summary = repo.json(&["export", out.to_str().unwrap(), "--format", "tldr"]);
    assert_eq!(summary["entries"], 8);
    for page in [
        "common/jc.md",
        "common/jc.json.md",
        "common/colon.md",
        "common/$.md",
        "linux/st.md",
        "linux/st.term.md",
    ] {
        assert_eq!(
            std::fs::read_to_string(out.join(page)).unwrap(),
            std::fs::read_to_string(Path::new(&names).join(page)).unwrap(),
            "{page}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(out.join("pages.de/common/tar.md")).unwrap(),
        std::fs::read_to_string(fixture("tldr/pages.de/common/tar.md")).unwrap()
    );
    let mut files = Vec::new();
    md_files(&out, &mut files);
    assert_eq!(files.len(), 8, "{files:?}");
    let back = repo.json(&["import", "--from", "tldr", out.to_str().unwrap()]);
    assert_eq!(
        back["unchanged"], 8,
        "the export names the same pages: {back}"
    );
    assert_eq!(back["added"], 0);
}

#[test]
fn a_long_title_and_tools_from_other_sources_give_valid_pages() {
    let repo = Repo::new();
    let long = format!("Find {}", "really ".repeat(41));
    assert!(long.trim().chars().count() > 290);
    repo.add(&["tool", long.trim(), "-d", "ops", "--cmd", "ls -la"]);
    repo.add(&[
        "tool",
        "Show the log",
        "-d",
        "ops",
        "--cmd",
        "git log \\\n  --oneline \\\n  --graph",
    ]);
    repo.add(&[
        "tool",
        "Stamp a file",
        "-d",
        "ops",
        "--cmd",
        "touch `date +%F`.log",
    ]);
    repo.json(&[
        "import",
        "--from",
        "navi",
        &fixture("navi/git.cheat"),
        "-d",
        "ops",
    ]);
    repo.json(&[
        "import",
        "--from",
        "cheat",
        &fixture("cheat-tree/git"),
        "-d",
        "ops",
    ]);
    let out = repo.path().join("pages");
    repo.json(&["export", out.to_str().unwrap(), "--format", "tldr"]);
    let mut files = Vec::new();
    md_files(&out, &mut files);
    let mut all = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_str().unwrap();
        assert!(name.len() <= 110, "{name}");
        let page = std::fs::read_to_string(file).unwrap();
        for line in page.lines().filter(|l| l.starts_with("> ")) {
            assert!(
                !line.starts_with("> $") && !line.starts_with("> #"),
                "{page}"
            );
        }
        all.extend(examples(&page));
    }
    let commands: Vec<&str> = all.iter().map(|(_, c)| c.as_str()).collect();
    assert!(
        commands.contains(&"git log --oneline --graph"),
        "{commands:?}"
    );
    assert!(commands.contains(&"touch $(date +%F).log"), "{commands:?}");
    for sheet_command in ["git blame {{file}}", "git shortlog -sn"] {
        assert!(commands.contains(&sheet_command), "{commands:?}");
    }
    assert!(
        all.contains(&(
            "To count commits by author:".to_owned(),
            "git shortlog -sn".to_owned()
        )),
        "{all:?}"
    );
}

#[test]
fn an_earlier_export_is_replaced_whole_and_what_else_it_holds_is_kept() {
    let repo = Repo::new();
    repo.json(&["import", "--from", "tldr", &fixture("tldr/pages/osx")]);
    let out = repo.path().join("pages");
    repo.json(&["export", out.to_str().unwrap(), "--format", "tldr"]);
    std::fs::create_dir(out.join(".git")).unwrap();
    std::fs::write(out.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    std::fs::write(out.join("osx/stale.md"), "# stale\n").unwrap();
    repo.json(&[
        "export",
        out.to_str().unwrap(),
        "--format",
        "tldr",
        "-d",
        "osx",
    ]);
    assert_eq!(
        std::fs::read_to_string(out.join(".git/HEAD")).unwrap(),
        "ref: refs/heads/main\n"
    );
    assert!(!out.join("osx/stale.md").exists());
    assert!(out.join("osx/pbcopy.md").exists());
    let leftovers: Vec<String> = std::fs::read_dir(repo.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".rep-export"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn cheat_reads_sheets_as_cheat_does() {
    let repo = Repo::new();
    let report = repo.json(&["import", "--from", "cheat", &fixture("cheat-tree")]);
    assert_eq!(report["files"], 3, "{report}");
    assert_eq!(
        report["other_files"], 2,
        "README.md and the image are not sheets"
    );
    assert_eq!(report["added"], 3);
    let list = entries(&repo);
    let titles: Vec<&str> = list.iter().map(|e| e["title"].as_str().unwrap()).collect();
    assert!(titles.contains(&"vim-plugins/vim-fzf"), "{titles:?}");
    let ss = list.iter().find(|e| e["title"] == "ss").unwrap();
    let ss = full(&repo, ss);
    assert!(!ss["body"].as_str().unwrap().contains('\r'));
    assert_eq!(ss["command"], "ss -tlnp");
    let fzf = list
        .iter()
        .find(|e| e["title"] == "vim-plugins/vim-fzf")
        .unwrap();
    let shown = repo.ok(&["show", &fzf["id"].as_str().unwrap()[..8]]);
    assert!(!shown.contains("\n=====") && !shown.contains("\nTo search files by name:\n="));
    let body = shown.split_once("\n\n").unwrap().1;
    insta::assert_snapshot!("show_cheat_sheet", body);
}

#[test]
fn zk_front_matter_keys_in_any_case_and_keywords_as_tags() {
    let repo = Repo::new();
    let report = repo.json(&["import", "--from", "markdown", &fixture("markdown-zk")]);
    assert_eq!(report["added"], 2, "{report}");
    let skips = report["skips"].as_array().unwrap();
    assert_eq!(skips.len(), 1);
    assert_eq!(skips[0]["item"], "tag \"ops,logs\"");
    let list = entries(&repo);
    let vacuum = list
        .iter()
        .find(|e| e["title"] == "Vacuum a bloated table")
        .expect("TiTLe is the title");
    assert_eq!(
        vacuum["tags"],
        serde_json::json!(["bloat", "maintenance", "postgres"])
    );
    let logs = list
        .iter()
        .find(|e| e["title"] == "Rotate the logs")
        .unwrap();
    assert_eq!(logs["tags"], serde_json::json!(["cron", "logs", "ops"]));
}

#[test]
fn the_markdown_export_shows_threads_and_reads_back_as_the_same_entries() {
    let repo = Repo::new();
    let tool = repo.add(&[
        "tool",
        "Find what holds a lock",
        "-d",
        "postgres/locks",
        "-t",
        "locks",
        "-t",
        "triage",
        "--cmd",
        "SELECT *\n  FROM pg_locks\n WHERE NOT granted;",
        "--link",
        "https://www.postgresql.org/docs/current/view-pg-locks.html",
        "-m",
        "Who waits on whom.\n\n## Steps\n\nLook at `pid` first. #not-a-tag\n",
    ]);
    let q = repo.add(&["question", "Why is the replica behind?", "-d", "postgres"]);
    repo.answer_at("2026-11-27T10:00:00Z", "bo", &q, "a long transaction");
    let accepted = repo.answer_at("2026-11-27T11:00:00Z", "cy", &q, "a stuck slot");
    repo.rep(&["accept", &accepted]).success();
    repo.rep(&["link", &q, &tool, "--kind", "related"])
        .success();
    let site = repo.path().join("site");
    let summary = repo.json(&["export", site.to_str().unwrap(), "--format", "markdown"]);
    assert_eq!(summary["replies"], 2);
    let mut files = Vec::new();
    md_files(&site, &mut files);
    let page = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .find(|p| p.contains("# Why is the replica behind?"))
        .unwrap();
    let accepted_at = page
        .find("### Accepted answer by cy")
        .expect("accepted reply");
    let other_at = page.find("### Reply by bo").expect("other reply");
    assert!(accepted_at < other_at, "accepted first:\n{page}");
    assert!(page.contains("- status: resolved"), "{page}");
    assert!(
        page.contains("- related to [Find what holds a lock]("),
        "{page}"
    );
    let (q_entry, tool_entry) = (repo.entry(&q), repo.entry(&tool));
    let mut shown = page.clone();
    for (label, e) in [("<question>", &q_entry), ("<tool>", &tool_entry)] {
        let id = e["id"].as_str().unwrap();
        shown = shown.replace(id, label).replace(&id[..8], label);
    }
    insta::assert_snapshot!("markdown_export_question_page", shown);

    let before: Vec<Value> = entries(&repo).iter().map(|e| full(&repo, e)).collect();
    let again = repo.json(&["import", "--from", "markdown", site.to_str().unwrap()]);
    assert_eq!(again["unchanged"], 2, "{again}");
    assert_eq!(again["added"], 0);
    let index_skips = again["skips"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["item"] == "index page")
        .count();
    assert_eq!(
        index_skips, 3,
        "the site, postgres and postgres/locks indexes"
    );

    let other = Repo::new();
    let report = other.json(&["import", "--from", "markdown", site.to_str().unwrap()]);
    assert_eq!(report["added"], 2);
    for original in &before {
        let copy = other.json(&["show", original["id"].as_str().unwrap()]);
        for field in ["title", "kind", "domain", "tags", "command", "link", "body"] {
            assert_eq!(copy[field], original[field], "{field}");
        }
    }
}

#[test]
fn a_folder_without_files_of_the_format_is_an_error_naming_it() {
    let repo = Repo::new();
    let out = repo.rep(&["import", "--from", "navi", &fixture("markdown-zk")]);
    let err = stderr(&out.code(1));
    assert!(err.contains("no navi files"), "{err}");
    assert!(err.contains(".cheat"), "{err}");
}
