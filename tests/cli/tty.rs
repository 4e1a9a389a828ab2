//! On a real terminal (tmux): the id picker, the editor flow, the pager and the bash binding.

use crate::support::{Repo, fixture, script};
use crate::tty_support::Tmux;

#[test]
fn the_picker_chooses_an_entry_when_the_id_is_left_out() {
    let (repo, _) = fixture();
    let Some(tty) = Tmux::start(&repo, "rep show --no-pager; exec sleep 30", &[]) else {
        return;
    };
    tty.wait_for("type to filter");
    tty.type_text("bloat");
    tty.wait_for("Show table bloat");
    tty.press("Enter");
    let screen = tty.wait_for("https://wiki.example.org/pg/bloat");
    assert!(screen.contains("postgres/vacuum"), "{screen}");
}

#[test]
fn escape_in_the_picker_cancels_and_writes_nothing() {
    let (repo, entries) = fixture();
    let Some(tty) = Tmux::start(&repo, "rep rm; echo \"exit=$?\"; exec sleep 30", &[]) else {
        return;
    };
    tty.wait_for("type to filter");
    tty.press("Escape");
    let screen = tty.wait_for("exit=1");
    assert!(
        screen.contains("cancelled: no entry was chosen"),
        "{screen}"
    );
    assert_eq!(repo.list_ids(&[]).len(), entries.len());
}

#[test]
fn the_editor_flow_on_a_terminal() {
    let repo = Repo::new();
    // An editor that asks on the terminal: the first answer is the title, the second the body.
    let editor = script(
        &repo,
        "ask-editor.sh",
        "printf 'title? ' >/dev/tty; read -r t </dev/tty\n\
         printf 'body? ' >/dev/tty; read -r b </dev/tty\n\
         printf '%s\\n\\n%s\\n' \"$t\" \"$b\" > \"$1\"",
    );
    let editor = editor.display().to_string();
    let Some(tty) = Tmux::start(
        &repo,
        "rep add tool -e; echo \"exit=$?\"; exec sleep 30",
        &[("EDITOR", &editor)],
    ) else {
        return;
    };
    tty.wait_for("title?");
    tty.type_text("Count open files");
    tty.press("Enter");
    tty.wait_for("body?");
    tty.type_text("Use **lsof** and wc.");
    tty.press("Enter");
    tty.wait_for("exit=0");
    let list = repo.json(&["list"]);
    assert_eq!(list[0]["title"], "Count open files");
    assert_eq!(list[0]["body"], "Use **lsof** and wc.");
}

#[test]
fn long_output_goes_through_the_pager_on_a_terminal_only() {
    let (repo, _) = fixture();
    let pager = script(&repo, "pager.sh", "echo PAGED-BY-TEST; cat");
    let pager = pager.display().to_string();
    let Some(tty) = Tmux::start(
        &repo,
        "rep list; rep list --no-pager | head -1; echo done-listing; exec sleep 30",
        &[("PAGER", &pager)],
    ) else {
        return;
    };
    let screen = tty.wait_for("done-listing");
    assert_eq!(screen.matches("PAGED-BY-TEST").count(), 1, "{screen}");
    // On a pipe, never: the test harness's stdout is not a terminal.
    let out = repo
        .cmd()
        .env("PAGER", &pager)
        .arg("list")
        .assert()
        .success();
    assert!(!String::from_utf8_lossy(&out.get_output().stdout).contains("PAGED"));
}

#[test]
fn bash_saves_the_last_command_and_recalls_it_without_running_it() {
    let repo = Repo::new();
    repo.write_config("[defaults]\ndomain = \"ops\"\n");
    let Some(tty) = Tmux::start(&repo, "bash --norc --noprofile -i", &[]) else {
        return;
    };
    tty.wait_until("a prompt", |s| s.lines().any(|l| l.trim_end() == "$"));
    tty.type_text("eval \"$(rep shell-init bash)\"");
    tty.press("Enter");
    tty.type_text("echo saved-$((40 + 2))");
    tty.press("Enter");
    tty.wait_for("saved-42");
    tty.type_text("rep-save");
    tty.press("Enter");
    tty.wait_for("title");
    tty.type_text("Say the answer");
    tty.press("Enter");
    let screen = tty.wait_for("domain");
    assert!(screen.contains("ops"), "the domain is pre-filled: {screen}");
    tty.press("Enter");
    tty.wait_for("added tool");
    let saved = repo.json(&["list"]);
    assert_eq!(saved[0]["title"], "Say the answer");
    assert_eq!(saved[0]["command"], "echo saved-$((40 + 2))");
    assert_eq!(saved[0]["domain"], "ops");

    tty.type_text("clear");
    tty.press("Enter");
    tty.press("C-g");
    tty.wait_for("type to filter");
    tty.type_text("answer");
    tty.press("Enter");
    // The command is back on the prompt, not run: no new "saved-42" line.
    let screen = tty.wait_until("the command on the prompt", |s| {
        !s.contains("type to filter") && s.contains("$ echo saved-$((40 + 2))")
    });
    assert!(!screen.contains("saved-42"), "{screen}");
    tty.press("Enter");
    tty.wait_for("saved-42");
}

/// Ctrl-C in every list and menu: the cursor dialoguer hid is shown again, the shell sees 130
/// (as for any command Ctrl-C stops) and nothing is written.
#[test]
fn ctrl_c_in_a_picker_gives_the_cursor_back() {
    let (repo, entries) = fixture();
    for (command, on_screen) in [
        ("rep show --no-pager", "type to filter"),
        ("rep pick lock", "type to filter"),
        ("rep ask 'what holds a lock' -d postgres", "Cancel"),
    ] {
        let line = format!("{command}; echo \"exit=$?\"; exec sleep 30");
        let Some(tty) = Tmux::start(&repo, &line, &[]) else {
            return;
        };
        tty.wait_for(on_screen);
        assert!(
            !tty.cursor_visible(),
            "{command}: the list hides the cursor"
        );
        tty.press("C-c");
        let screen = tty.wait_for("exit=");
        assert!(screen.contains("exit=130"), "{command}: {screen}");
        assert!(tty.cursor_visible(), "{command}: the cursor stays hidden");
        drop(tty);
        assert_eq!(repo.list_ids(&[]).len(), entries.len(), "{command}");
    }
}

/// A list ended by a signal from elsewhere (a closed terminal window, `kill`) gives the terminal
/// back as it found it, cursor and line mode, and exits with 128 + the signal's number.
#[test]
fn a_signal_in_a_picker_gives_the_terminal_back() {
    let (repo, entries) = fixture();
    for (signal, status) in [("TERM", 143), ("HUP", 129)] {
        let line = "stty -g > before; rep show --no-pager; echo \"exit=$?\"; stty -g > after; \
                    exec sleep 30";
        let Some(tty) = Tmux::start(&repo, line, &[]) else {
            return;
        };
        tty.wait_for("type to filter");
        assert!(!tty.cursor_visible(), "the list hides the cursor");
        tty.signal_the_running_command(signal);
        let screen = tty.wait_for("exit=");
        assert!(
            screen.contains(&format!("exit={status}")),
            "{signal}: {screen}"
        );
        assert!(tty.cursor_visible(), "{signal}: the cursor stays hidden");
        let settings = |name: &str| std::fs::read_to_string(repo.path().join(name));
        tty.wait_until("stty's second reading", |_| {
            settings("after").is_ok_and(|s| !s.is_empty())
        });
        assert_eq!(
            settings("before").unwrap(),
            settings("after").unwrap(),
            "{signal}: the terminal's line mode is not back"
        );
        drop(tty);
        let _ = std::fs::remove_file(repo.path().join("after"));
        assert_eq!(repo.list_ids(&[]).len(), entries.len(), "{signal}");
    }
}

/// `rep show`'s list leaves deleted entries out (they stay reachable by id); `rep history`,
/// which takes them, marks them.
#[test]
fn the_show_picker_leaves_deleted_entries_out() {
    let (repo, entries) = fixture();
    let story = entries[1].1["id"].as_str().unwrap().to_owned();
    repo.ok(&["rm", &story]);
    let Some(tty) = Tmux::start(&repo, "rep show --no-pager; exec sleep 30", &[]) else {
        return;
    };
    let screen = tty.wait_for("Show table bloat");
    assert!(!screen.contains("WAL filled"), "{screen}");
    drop(tty);
    let Some(tty) = Tmux::start(&repo, "rep history --no-pager; exec sleep 30", &[]) else {
        return;
    };
    let screen = tty.wait_for("WAL filled");
    let line = screen.lines().find(|l| l.contains("WAL filled")).unwrap();
    assert!(line.trim_end().ends_with("(deleted)"), "{screen}");
}

/// An exchange file of `count` tools, `rsync` the oldest: what a big tldr import leaves.
fn many_tools(repo: &Repo, count: u64) -> std::path::PathBuf {
    let mut file = String::from("{\"format\":\"repertoire\",\"version\":\"1.1\"}\n");
    for n in 0..count {
        let (title, command) = if n == 0 {
            (
                "Mirror a folder with rsync".to_owned(),
                "rsync -a src/ dst/".to_owned(),
            )
        } else {
            (format!("Generated tool number {n}"), format!("echo {n}"))
        };
        let at = format!(
            "{}.000000.c07c2ff76c4946f39215745a65413f6a",
            1_790_000_000_000 + n
        );
        let field = |v: &str| format!("{{\"value\":{v},\"at\":\"{at}\",\"by\":\"ana\"}}");
        let quoted = |t: &str| format!("\"{t}\"");
        file.push_str(&format!(
            "{{\"type\":\"entry\",\"id\":\"{n:08x}-0000-4000-8000-{n:012x}\",\
             \"created_at\":\"2026-09-21T00:00:00.000Z\",\"author\":\"ana\",\"kind\":{},\
             \"title\":{},\"body\":{},\"domain\":{},\"command\":{},\"link\":{},\
             \"deleted\":{},\"tags\":{{}}}}\n",
            field(&quoted("tool")),
            field(&quoted(&title)),
            field(&quoted("")),
            field(&quoted("general")),
            field(&quoted(&command)),
            field("null"),
            field("false"),
        ));
    }
    let path = repo.path().join("many.jsonl");
    std::fs::write(&path, file).unwrap();
    path
}

/// Every live entry is within reach of typing, not only the most recent few thousand.
#[test]
fn the_pickers_reach_the_oldest_of_many_entries() {
    let repo = Repo::new();
    let file = many_tools(&repo, 5_001);
    repo.ok(&["import", file.to_str().unwrap()]);
    for command in ["rep pick", "rep show --no-pager"] {
        let line = format!("{command}; exec sleep 30");
        let Some(tty) = Tmux::start(&repo, &line, &[]) else {
            return;
        };
        tty.wait_for("type to filter");
        tty.type_text("rsync");
        tty.wait_for("Mirror a folder with rsync");
    }
}

/// In the `rep ask` menu a plainly answering match is the default; picking a tool notes that it
/// helped (a tool cannot recur) and posts no question.
#[test]
fn picking_a_tool_in_the_ask_menu_notes_that_it_helped() {
    let (repo, entries) = fixture();
    let tool = entries[0].1["id"].as_str().unwrap().to_owned();
    let line = "rep ask 'what holds a lock' -d postgres; echo \"exit=$?\"; exec sleep 30";
    let Some(tty) = Tmux::start(&repo, line, &[]) else {
        return;
    };
    let screen = tty.wait_for("Cancel");
    // The tool's title holds every word asked: it is the default, not "post anyway".
    let chosen = screen
        .lines()
        .find(|l| l.contains("Find what holds a lock"));
    assert!(chosen.unwrap().trim_start().starts_with('>'), "{screen}");
    tty.press("Enter");
    let screen = tty.wait_for("exit=");
    assert!(screen.contains("exit=0"), "{screen}");
    assert!(
        screen.contains("answers it (it helped 1 member so far)"),
        "{screen}"
    );
    assert_eq!(repo.json(&["show", &tool])["helped"], 1);
    assert_eq!(
        repo.list_ids(&[]).len(),
        entries.len(),
        "no question was posted"
    );
}

/// Ctrl-G on a tool with placeholders asks for each once (a navi suggestion line shown, never
/// run; a literal list and tldr alternatives offered as choices) and puts the filled command on
/// the prompt without running it; Esc while filling leaves the line as it was.
#[test]
fn ctrl_g_fills_placeholders_before_the_command_lands_on_the_prompt() {
    let repo = Repo::new();
    repo.ok(&[
        "add",
        "tool",
        "Show a branch's log",
        "-d",
        "git",
        "--cmd",
        "echo log <branch> {{[-n|--max-count]}} <count> of <branch> > {{path/to/file}}",
        "-m",
        "% git\n$ branch: touch suggestion-ran; git branch | awk '{print $NF}'\n$ count: echo -e \"1\\n5\\n10\"",
    ]);
    let Some(tty) = Tmux::start(&repo, "bash --norc --noprofile -i", &[]) else {
        return;
    };
    tty.wait_until("a prompt", |s| s.lines().any(|l| l.trim_end() == "$"));
    tty.type_text("eval \"$(rep shell-init bash)\"; clear");
    tty.press("Enter");
    tty.wait_until("a clear prompt", |s| {
        s.lines().next().is_some_and(|l| l.trim_end() == "$")
    });
    tty.press("C-g");
    tty.wait_for("type to filter");
    tty.type_text("branch log");
    tty.wait_for("Show a branch's log");
    tty.press("Enter");
    let screen = tty.wait_for("branch (1/4):");
    assert!(
        screen.contains("suggested by: touch suggestion-ran; git branch | awk '{print $NF}'"),
        "{screen}"
    );
    tty.type_text("main");
    tty.press("Enter");
    let screen = tty.wait_for("[-n|--max-count] (2/4):");
    assert!(screen.contains("> -n"), "{screen}");
    tty.press("Down");
    tty.press("Enter");
    let screen = tty.wait_for("count (3/4):");
    assert!(
        screen.contains("> 1") && screen.contains("  10"),
        "{screen}"
    );
    tty.type_text("10");
    tty.press("Enter");
    tty.wait_for("path/to/file (4/4):");
    tty.type_text("out file.txt");
    tty.press("Enter");
    let filled = "$ echo log main --max-count 10 of main > out file.txt";
    let screen = tty.wait_until("the filled command on the prompt", |s| {
        !s.contains("(4/4)") && s.contains(filled)
    });
    assert!(
        !screen.contains("log main --max-count 10 of main\n"),
        "{screen}"
    );
    assert!(
        !repo.path().join("suggestion-ran").exists(),
        "a suggestion line was run"
    );
    // Esc in the second prompt: the line typed before Ctrl-G stays as it was.
    tty.press("C-u");
    tty.type_text("clear");
    tty.press("Enter");
    tty.wait_until("a clear prompt", |s| {
        s.lines().next().is_some_and(|l| l.trim_end() == "$")
    });
    tty.type_text("branch");
    tty.press("C-g");
    tty.wait_for("Show a branch's log");
    tty.press("Enter");
    tty.wait_for("branch (1/4):");
    tty.type_text("dev");
    tty.press("Enter");
    tty.wait_for("(2/4):");
    tty.press("Escape");
    let screen = tty.wait_until("the line as it was", |s| {
        !s.contains("(2/4)") && s.lines().next().is_some_and(|l| l.trim_end() == "$ branch")
    });
    assert!(tty.cursor_visible(), "{screen}");
}

/// Every regular file under `dir`, with its path.
fn files_under(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            found.extend(files_under(&path));
        } else if kind.is_file() {
            found.push((path.clone(), std::fs::read(&path).unwrap_or_default()));
        }
    }
    found
}

#[test]
fn the_server_password_is_asked_on_the_terminal_and_kept_nowhere() {
    let Some(cluster) = crate::pg_support::shared() else {
        return;
    };
    let repo = Repo::new();
    let db = cluster.database("tty_password");
    repo.ok(&["remote", "set", &db.url("?sslmode=disable")]);
    let init = repo
        .cmd()
        .env("PGPASSWORD", &db.password)
        .args(["remote", "init", "-q"])
        .output()
        .expect("rep remote init");
    assert!(init.status.success(), "{init:?}");
    repo.add(&["tool", "sent once the password is typed"]);
    // No PGPASSWORD and no password file: rep asks on the terminal.
    let Some(tty) = Tmux::start(&repo, "rep sync; echo \"exit=$?\"; exec sleep 30", &[]) else {
        return;
    };
    let asked = tty.wait_for("password of ");
    assert!(asked.contains(&db.owner), "{asked}");
    tty.type_text(&db.password);
    tty.press("Enter");
    let screen = tty.wait_for("exit=");
    assert!(screen.contains("exit=0"), "{screen}");
    assert!(screen.contains("1 sent"), "{screen}");
    assert!(
        !screen.contains(&db.password),
        "the password was shown: {screen}"
    );
    assert_eq!(db.count("records"), 1, "the entry reached the server");
    // Nothing of the password is written: not the config, the database, its WAL or any file.
    for (path, bytes) in files_under(repo.path()) {
        assert!(
            !bytes
                .windows(db.password.len())
                .any(|w| w == db.password.as_bytes()),
            "{} holds the password",
            path.display()
        );
    }
    let remote = repo.ok(&["remote"]);
    assert!(!remote.contains(&db.password), "{remote}");
}
