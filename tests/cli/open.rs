//! `rep open`: the link goes to the system opener as one argument, never through a shell; only
//! web and mail links are opened; without a display or with --print the link is printed.

use std::path::PathBuf;

use crate::support::{Repo, stderr, stdout};

/// A fake `xdg-open` (and `open`, for macOS) first on PATH, which writes its arguments, one
/// per line, to `opened` next to it.
fn fake_opener(repo: &Repo) -> (String, PathBuf) {
    let bin = repo.path().join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let log = repo.path().join("opened");
    for name in ["xdg-open", "open"] {
        let script = bin.join(name);
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '{}'\n",
                log.display()
            ),
        )
        .expect("script");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    (path, log)
}

fn open_cmd(repo: &Repo, path: &str, display: bool, args: &[&str]) -> assert_cmd::assert::Assert {
    let mut cmd = repo.cmd();
    cmd.env("PATH", path);
    if display {
        cmd.env("DISPLAY", ":0");
    }
    cmd.arg("open").args(args).assert()
}

#[test]
fn open_hands_the_link_to_the_opener_as_one_argument() {
    let repo = Repo::new();
    // Shell metacharacters stay text: a shell would run `touch`.
    let link = "https://example.com/a?b=1&c=$(touch pwned);d";
    let id = repo.add(&["tool", "Runbook", "--link", link]);
    let (path, log) = fake_opener(&repo);
    let assert = open_cmd(&repo, &path, true, &[&id[..4]]).success();
    assert_eq!(stdout(&assert), "");
    insta::assert_snapshot!(stderr(&assert));
    assert_eq!(
        std::fs::read_to_string(&log).expect("opened"),
        format!("{link}\n")
    );
    assert!(!repo.path().join("pwned").exists());
    let json = {
        let mut cmd = repo.cmd();
        cmd.env("PATH", &path).env("WAYLAND_DISPLAY", "wayland-0");
        let out = stdout(&cmd.args(["open", &id, "--json"]).assert().success());
        crate::support::parse_json(&out)
    };
    assert_eq!(json["link"], link);
    assert_eq!(json["opened"], true);
}

#[test]
fn open_prints_the_link_without_a_display_or_with_print() {
    let repo = Repo::new();
    let id = repo.add(&["tool", "Runbook", "--link", "mailto:ops@example.com"]);
    let (path, log) = fake_opener(&repo);
    for (display, args) in [
        (false, vec![id.as_str()]),
        (true, vec![id.as_str(), "--print"]),
    ] {
        let assert = open_cmd(&repo, &path, display, &args).success();
        assert_eq!(stdout(&assert), "mailto:ops@example.com\n");
        assert!(!log.exists(), "nothing was opened");
    }
    let mut cmd = repo.cmd();
    let out = stdout(
        &cmd.env("PATH", &path)
            .args(["open", &id, "--json"])
            .assert()
            .success(),
    );
    assert_eq!(crate::support::parse_json(&out)["opened"], false);
}

#[test]
fn open_refuses_links_that_are_not_web_or_mail() {
    let repo = Repo::new();
    let (path, log) = fake_opener(&repo);
    for link in [
        "file:///etc/passwd",
        "/usr/bin/xterm",
        "javascript:alert(1)",
    ] {
        let id = repo.add(&["tool", "Risky", "--link", link]);
        let err = stderr(&open_cmd(&repo, &path, true, &[&id]).code(1));
        assert!(
            err.contains("rep opens only http, https and mailto links"),
            "{err}"
        );
        assert!(!log.exists(), "{link} was opened");
        // Printing it is harmless.
        let printed = stdout(&open_cmd(&repo, &path, true, &[&id, "--print"]).success());
        assert_eq!(printed, format!("{link}\n"));
    }
}

#[test]
fn open_fails_clearly_without_a_link_or_an_opener() {
    let repo = Repo::new();
    let id = repo.add(&["tool", "No link"]);
    let err = repo.fails(&["open", &id]);
    assert!(err.contains("has no link"), "{err}");
    assert!(err.contains("--link URL"), "{err}");
    let linked = repo.add(&["tool", "Linked", "--link", "https://example.com"]);
    let empty = repo.path().join("empty-bin");
    std::fs::create_dir_all(&empty).expect("dir");
    let err = stderr(&open_cmd(&repo, empty.to_str().unwrap(), true, &[&linked]).code(3));
    assert!(err.contains("cannot run"), "{err}");
    assert!(err.contains("--print"), "{err}");
}
