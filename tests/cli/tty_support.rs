//! A real terminal for the tests that need one: a private tmux server per test, driven by keys,
//! read back by capturing the pane. Every wait is bounded; without tmux the tests skip with a
//! note on stderr, and fail under `CI=true`.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::support::{NOW, Repo, rep_bin, script, tool_available};

/// How long a test waits for the screen to show something before it fails.
const PATIENCE: Duration = Duration::from_secs(15);

pub struct Tmux {
    socket: PathBuf,
}

impl Tmux {
    /// Run `command` (a shell command line) in a new 120x30 terminal with the test environment
    /// of `repo` plus `extra` variables; `None`, with a note, when tmux is not installed (a
    /// failure under `CI=true`, see [`tool_available`]).
    pub fn start(repo: &Repo, command: &str, extra: &[(&str, &str)]) -> Option<Tmux> {
        let found = Command::new("tmux").arg("-V").output();
        if !tool_available("tmux", found.is_ok_and(|o| o.status.success())) {
            return None;
        }
        let bin_dir = rep_bin().parent().expect("bin dir").to_owned();
        let mut env = vec![
            ("REP_DB".to_owned(), repo.db().display().to_string()),
            ("REP_CONFIG".to_owned(), repo.config().display().to_string()),
            ("REP_USER".to_owned(), "ana".to_owned()),
            ("REP_NOW".to_owned(), NOW.to_owned()),
            ("HOME".to_owned(), repo.home().display().to_string()),
            (
                "PATH".to_owned(),
                format!(
                    "{}:{}",
                    bin_dir.display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            ),
            ("NO_COLOR".to_owned(), "1".to_owned()),
            ("TERM".to_owned(), "xterm-256color".to_owned()),
            ("GIT_CONFIG_NOSYSTEM".to_owned(), "1".to_owned()),
            ("PS1".to_owned(), "$ ".to_owned()),
        ];
        for (k, v) in extra {
            env.push(((*k).to_owned(), (*v).to_owned()));
        }
        let mut body = String::from("cd \"$(dirname \"$0\")\" || exit 1\nexec env -i");
        for (k, v) in &env {
            body.push_str(&format!(" {k}='{}'", v.replace('\'', "'\\''")));
        }
        body.push_str(&format!(" sh -c '{}'", command.replace('\'', "'\\''")));
        let start = script(repo, "tty-start.sh", &body);
        // A socket of its own per terminal: `kill-server` in `Drop` returns before the old
        // server is gone, and a second terminal on the same socket could reach the dying server
        // ("server exited unexpectedly").
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, Ordering::Relaxed);
        let tmux = Tmux {
            socket: repo.path().join(format!("tmux-{n}.sock")),
        };
        let status = tmux
            .command()
            .args(["new-session", "-d", "-x", "120", "-y", "30", "-s", "t"])
            .arg(start)
            .status()
            .expect("run tmux");
        assert!(status.success(), "tmux new-session failed");
        Some(tmux)
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new("tmux");
        cmd.arg("-S").arg(&self.socket).args(["-f", "/dev/null"]);
        cmd
    }

    /// Type `text` as it is.
    pub fn type_text(&self, text: &str) {
        let status = self
            .command()
            .args(["send-keys", "-t", "t", "-l", text])
            .status()
            .expect("tmux send-keys");
        assert!(status.success());
    }

    /// Press keys by tmux name: Enter, Escape, C-g, ...
    pub fn press(&self, key: &str) {
        let status = self
            .command()
            .args(["send-keys", "-t", "t", key])
            .status()
            .expect("tmux send-keys");
        assert!(status.success());
    }

    /// The screen as text.
    pub fn screen(&self) -> String {
        let out = self
            .command()
            .args(["capture-pane", "-p", "-t", "t"])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Whether the terminal shows its cursor (tmux's own record of the last `\x1b[?25h`/`l`).
    pub fn cursor_visible(&self) -> bool {
        let out = self
            .command()
            .args(["display-message", "-p", "-t", "t", "#{cursor_flag}"])
            .output()
            .expect("tmux display-message");
        String::from_utf8_lossy(&out.stdout).trim() == "1"
    }

    /// The process id of the terminal's shell.
    pub fn shell_pid(&self) -> u32 {
        let out = self
            .command()
            .args(["display-message", "-p", "-t", "t", "#{pane_pid}"])
            .output()
            .expect("tmux display-message");
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("a pane pid")
    }

    /// Send `signal` (a `kill` name: TERM, HUP) to the one process the terminal's shell is
    /// running, and to nothing else.
    pub fn signal_the_running_command(&self, signal: &str) {
        let shell = self.shell_pid();
        let children: Vec<u32> = std::fs::read_dir("/proc")
            .expect("/proc")
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| {
                // The parent is the 4th field of /proc/PID/stat, after the name in parentheses.
                std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                    stat.rsplit_once(')')
                        .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok())
                        == Some(shell)
                })
            })
            .collect();
        assert_eq!(
            children.len(),
            1,
            "the shell runs one command: {children:?}"
        );
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(children[0].to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} failed");
    }

    /// Wait until the screen shows `needle`; give the screen.
    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_until(&format!("{needle:?}"), |screen| screen.contains(needle))
    }

    /// Wait until `ready` holds for the screen (`what` names it in a failure); give the screen.
    pub fn wait_until(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "the terminal never showed {what}; it shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.command().arg("kill-server").status();
    }
}
