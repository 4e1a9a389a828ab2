//! A team for the PostgreSQL remote's tests: members with a repertoire each, syncing through a
//! PostgreSQL database (tests/cli/pg_support.rs) or through a bare git remote, and the random
//! team histories of the convergence tests. The histories follow the library's convergence
//! generator (`replicas_converge` in src/store/exchange/tests.rs), driven here through the real
//! binary: entries, edits, tags, deletions, replies, acceptances, endorsements, occurrences,
//! links, reviews, resolutions, and syncs in place of its direct exchanges.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use proptest::prelude::*;

use crate::pg_support::Database;

/// Where a team shares its repertoire.
#[derive(Clone)]
pub enum Remote {
    /// A bare git repository on disk.
    Git(PathBuf),
    /// A PostgreSQL database: the URL `rep remote set` gets, and the password in PGPASSWORD.
    Postgres { url: String, password: String },
}

impl Remote {
    pub fn postgres(db: &Database<'_>, extra: &str) -> Remote {
        Remote::Postgres {
            url: db.url(extra),
            password: db.password.clone(),
        }
    }

    /// A bare git repository in `dir`.
    pub fn git(dir: &Path) -> Remote {
        let path = dir.join("remote.git");
        let out = Command::new("git")
            .args(["init", "-q", "--bare", "-b", "main"])
            .arg(&path)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Remote::Git(path)
    }

    pub fn url(&self) -> String {
        match self {
            Remote::Git(path) => path.display().to_string(),
            Remote::Postgres { url, .. } => url.clone(),
        }
    }
}

/// One member: a database, a config and a home of their own in a folder of the test's.
pub struct Member {
    pub dir: PathBuf,
    pub name: String,
    pub now: String,
    /// PGPASSWORD for this member's commands (none: unset).
    pub password: Option<String>,
    /// REP_TEST_SEED for the next command, when set: the same commands with the same seeds make
    /// the same ids in two teams.
    pub seed: Option<u64>,
}

pub const NOW: &str = "2026-11-27T09:00:00Z";

impl Member {
    pub fn new(root: &Path, name: &str) -> Member {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).expect("member dir");
        Member {
            dir,
            name: name.to_owned(),
            now: NOW.to_owned(),
            password: None,
            seed: None,
        }
    }

    /// A member set up to sync with `remote` (`rep remote set`).
    pub fn joined(root: &Path, name: &str, remote: &Remote) -> Member {
        let mut member = Member::new(root, name);
        member.join(remote);
        member
    }

    /// Point this member at `remote`.
    pub fn join(&mut self, remote: &Remote) {
        if let Remote::Postgres { password, .. } = remote {
            self.password = Some(password.clone());
        }
        self.ok(&["remote", "set", &remote.url()]);
    }

    pub fn db(&self) -> PathBuf {
        self.dir.join("rep.db")
    }

    /// `rep` with only the environment the test controls.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rep"));
        cmd.env_clear()
            .current_dir(&self.dir)
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.dir)
            .env("REP_DB", self.db())
            .env("REP_CONFIG", self.dir.join("config.toml"))
            .env("REP_USER", &self.name)
            .env("REP_NOW", &self.now)
            .env("NO_COLOR", "1")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .stdin(Stdio::null());
        if let Some(password) = &self.password {
            cmd.env("PGPASSWORD", password);
        }
        if let Some(seed) = self.seed {
            cmd.env("REP_TEST_SEED", seed.to_string());
        }
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("rep runs")
    }

    /// Run and require success; gives stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{}: rep {args:?} failed ({:?}): {}",
            self.name,
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8")
    }

    /// `rep --json ARGS`, required to succeed, parsed.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).expect("JSON")
    }

    /// `rep add tool TITLE`: the new entry's id.
    pub fn add(&self, title: &str) -> String {
        self.ok(&["add", "tool", title, "-q"]).trim().to_owned()
    }

    pub fn sync(&self) -> serde_json::Value {
        self.json(&["sync"])
    }

    /// `rep sync` started in the background, with its output piped.
    pub fn spawn_sync(&self) -> Child {
        self.cmd()
            .args(["--json", "sync"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("rep sync starts")
    }

    /// The whole repertoire as `rep export` writes it.
    pub fn export(&self) -> Vec<u8> {
        let out = self.run(&["export", "-"]);
        assert!(
            out.status.success(),
            "{}: export: {}",
            self.name,
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }
}

/// stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The number of lines of an export that hold `needle`.
pub fn lines_with(export: &[u8], needle: &str) -> usize {
    String::from_utf8_lossy(export)
        .lines()
        .filter(|l| l.contains(needle))
        .count()
}

/// One step of a team's history, as the library's generator has them (indices pick among what
/// has been made so far, and a step on something a member cannot know yet is left out).
#[derive(Debug, Clone)]
pub enum Op {
    Create {
        kind: u8,
        title: u8,
    },
    Edit {
        entry: usize,
        field: u8,
        value: u8,
    },
    Tag {
        entry: usize,
        tag: u8,
        present: bool,
    },
    Delete {
        entry: usize,
        deleted: bool,
    },
    Answer {
        entry: usize,
    },
    Accept {
        reply: usize,
    },
    Helped {
        entry: usize,
        reply: bool,
    },
    Seen {
        entry: usize,
    },
    Link {
        from: usize,
        to: usize,
        present: bool,
        kind: u8,
    },
    Review {
        entry: usize,
    },
    Resolve {
        entry: usize,
    },
    EditReply {
        reply: usize,
        value: u8,
    },
    DeleteReply {
        reply: usize,
        deleted: bool,
    },
    Sync,
}

pub fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..3, 0u8..4).prop_map(|(kind, title)| Op::Create { kind, title }),
        2 => (0usize..5, 0u8..3, 0u8..4).prop_map(|(entry, field, value)| Op::Edit {
            entry,
            field,
            value
        }),
        1 => (0usize..5, 0u8..3, any::<bool>()).prop_map(|(entry, tag, present)| Op::Tag {
            entry,
            tag,
            present
        }),
        1 => (0usize..5, any::<bool>()).prop_map(|(entry, deleted)| Op::Delete { entry, deleted }),
        2 => (0usize..5).prop_map(|entry| Op::Answer { entry }),
        1 => (0usize..4).prop_map(|reply| Op::Accept { reply }),
        2 => (0usize..4, any::<bool>()).prop_map(|(entry, reply)| Op::Helped { entry, reply }),
        1 => (0usize..5).prop_map(|entry| Op::Seen { entry }),
        1 => (0usize..5, 0usize..5, any::<bool>(), 0u8..3).prop_map(|(from, to, present, kind)| {
            Op::Link {
                from,
                to,
                present,
                kind,
            }
        }),
        1 => (0usize..5).prop_map(|entry| Op::Review { entry }),
        1 => (0usize..5).prop_map(|entry| Op::Resolve { entry }),
        1 => (0usize..4, 0u8..3).prop_map(|(reply, value)| Op::EditReply { reply, value }),
        1 => (0usize..4, any::<bool>())
            .prop_map(|(reply, deleted)| Op::DeleteReply { reply, deleted }),
        4 => Just(Op::Sync),
    ]
}

/// What a team has made so far and who can know it: the same for every team the history is
/// played on, since the same commands with the same seeds make the same ids.
#[derive(Default)]
pub struct History {
    pub entries: Vec<String>,
    pub replies: Vec<String>,
    /// What each member has seen (made, or received in a sync).
    known: Vec<std::collections::BTreeSet<String>>,
    /// What has reached the remote.
    shared: std::collections::BTreeSet<String>,
    /// Commands run so far: each gets a seed of its own.
    pub commands: u64,
}

/// How one step went on one team: the exit code and what it printed (so that two teams can be
/// required to agree step by step).
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    pub code: Option<i32>,
    pub stdout: String,
    /// Refused because the entry is deleted (on this member's copy): a refusal the history
    /// makes on purpose, by acting on what it removed.
    pub on_deleted: bool,
}

impl History {
    pub fn new(members: usize) -> History {
        History {
            known: vec![Default::default(); members],
            ..History::default()
        }
    }

    /// The rep arguments of `op` by member `m`, or `None` when it is left out.
    pub fn args(&self, m: usize, op: &Op) -> Option<Vec<String>> {
        let known = |list: &[String], i: usize| {
            list.get(i)
                .filter(|id| self.known[m].contains(*id))
                .cloned()
        };
        let entry = |i| known(&self.entries, i);
        let reply = |i| known(&self.replies, i);
        let s = |v: &[&str]| v.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
        Some(match op {
            Op::Create { kind, title } => {
                let kind = ["tool", "question", "problem"][*kind as usize];
                s(&[
                    "add",
                    kind,
                    &format!("entry {title} by member {m}"),
                    "-t",
                    "team",
                    "-q",
                ])
            }
            Op::Edit {
                entry: e,
                field,
                value,
            } => {
                let id = entry(*e)?;
                let flag = ["--title", "-m", "--cmd"][*field as usize];
                s(&["edit", &id, flag, &format!("value {value}"), "-q"])
            }
            Op::Tag {
                entry: e,
                tag,
                present,
            } => {
                let id = entry(*e)?;
                let flag = if *present { "-t" } else { "--untag" };
                s(&["edit", &id, flag, &format!("tag{tag}"), "-q"])
            }
            Op::Delete { entry: e, deleted } => {
                s(&[if *deleted { "rm" } else { "restore" }, &entry(*e)?, "-q"])
            }
            Op::Answer { entry: e } => s(&[
                "answer",
                &entry(*e)?,
                "-m",
                &format!("reply {} by member {m}", self.commands),
                "-q",
            ]),
            Op::Accept { reply: r } => s(&["accept", &reply(*r)?, "-q"]),
            Op::Helped {
                entry: e,
                reply: true,
            } => s(&["helped", &reply(*e)?, "-q"]),
            Op::Helped {
                entry: e,
                reply: false,
            } => s(&["helped", &entry(*e)?, "-q"]),
            Op::Seen { entry: e } => s(&["seen", &entry(*e)?, "-m", "again", "-q"]),
            Op::Link {
                from,
                to,
                present,
                kind,
            } => {
                // rep refuses an entry linked to itself, by design and tested in links::; such
                // a step would only count against "most of what is tried must run".
                if from == to {
                    return None;
                }
                let kind = ["related", "duplicate", "supersedes"][*kind as usize];
                let mut args = s(&["link", "--kind", kind, &entry(*from)?, &entry(*to)?, "-q"]);
                if !present {
                    args.push("--remove".into());
                }
                args
            }
            Op::Review { entry: e } => s(&["review", &entry(*e)?, "-q"]),
            Op::Resolve { entry: e } => s(&["resolve", &entry(*e)?, "-q"]),
            Op::EditReply { reply: r, value } => s(&[
                "edit",
                &reply(*r)?,
                "-m",
                &format!("reply value {value}"),
                "-q",
            ]),
            Op::DeleteReply { reply: r, deleted } => {
                s(&[if *deleted { "rm" } else { "restore" }, &reply(*r)?, "-q"])
            }
            Op::Sync => s(&["sync", "-q"]),
        })
    }

    /// Note what the step made and what its member now knows.
    pub fn record(&mut self, m: usize, op: &Op, outcome: &Outcome) {
        self.commands += 1;
        if outcome.code != Some(0) {
            return;
        }
        let made = outcome.stdout.trim().to_owned();
        match op {
            Op::Create { .. } => {
                self.known[m].insert(made.clone());
                self.entries.push(made);
            }
            Op::Answer { .. } => {
                self.known[m].insert(made.clone());
                self.replies.push(made);
            }
            Op::Sync => {
                self.shared.extend(self.known[m].iter().cloned());
                self.known[m] = self.shared.clone();
            }
            _ => {}
        }
    }
}

/// The clock of step `i` for member `m`: wall clocks that advance slowly, often tie, and are
/// skewed per member (as in the library's generator).
pub fn clock(i: usize, tick: i64, skew: i64) -> String {
    let ms = 60_000 + (i as i64 / 3) * 10 + tick + skew;
    let ms = ms.max(0);
    format!(
        "2026-11-27T09:{:02}:{:02}.{:03}Z",
        ms / 60_000,
        (ms / 1000) % 60,
        ms % 1000
    )
}

/// Play one step on one team: `rep` as member `m` with the step's clock and seed.
pub fn play(member: &mut Member, now: &str, seed: u64, args: &[String]) -> Outcome {
    member.now = now.to_owned();
    member.seed = Some(seed);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = member.run(&args);
    member.seed = None;
    Outcome {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        on_deleted: !out.status.success()
            && String::from_utf8_lossy(&out.stderr).contains(" is deleted"),
    }
}
