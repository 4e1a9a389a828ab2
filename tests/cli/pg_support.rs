//! A throwaway PostgreSQL cluster for the tests of the PostgreSQL engine (issue 19), started
//! once per test binary from the server's own binaries, on a free port of 127.0.0.1, with a
//! socket in its temp folder. Each test makes a database of its own (`create_db`).
//!
//! - Binaries: `REP_PG_BIN` (a folder holding initdb, pg_ctl, postgres, psql), else the newest
//!   `/usr/lib/postgresql/*/bin`. Missing: the tests skip, and fail under `CI=true`.
//! - Run as root (a container), the cluster runs as the `postgres` account (PostgreSQL refuses
//!   root); otherwise as the current user.
//! - Authentication: `scram-sha-256` over TCP (what rep uses), `trust` on the socket (what the
//!   helpers' psql uses). The superuser is `postgres` with password [`PASSWORD`]; rep gets it
//!   through `PGPASSWORD` ([`PgServer::rep`]).
//! - The cluster stops when the test process ends, however it ends: a watchdog shell waits
//!   for the test process, then stops the server and removes its folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::support::{Repo, tool_available};

/// The superuser's password.
pub const PASSWORD: &str = "rep-test-secret";

pub struct PgServer {
    bin: PathBuf,
    dir: PathBuf,
    pub port: u16,
    as_postgres: bool,
}

static SERVER: OnceLock<Option<PgServer>> = OnceLock::new();
static NEXT_DB: AtomicUsize = AtomicUsize::new(0);

/// The server binaries' folder.
fn bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("REP_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

/// The test cluster, started on first use; `None` when there is no server to run (skip).
pub fn server() -> Option<&'static PgServer> {
    SERVER
        .get_or_init(|| {
            let bin = bin_dir().filter(|b| b.join("initdb").is_file());
            if !tool_available("PostgreSQL server (initdb)", bin.is_some()) {
                return None;
            }
            Some(PgServer::start(bin.expect("checked")))
        })
        .as_ref()
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl PgServer {
    fn start(bin: PathBuf) -> PgServer {
        let as_postgres = is_root();
        let dir = tempfile::Builder::new()
            .prefix("rep-pg-")
            .tempdir()
            .expect("temp dir")
            .keep();
        let server = PgServer {
            bin,
            dir,
            port: free_port(),
            as_postgres,
        };
        let pwfile = server.dir.join("pw");
        std::fs::write(&pwfile, format!("{PASSWORD}\n")).expect("password file");
        if as_postgres {
            assert!(
                Command::new("chown")
                    .args(["-R", "postgres"])
                    .arg(&server.dir)
                    .status()
                    .expect("chown")
                    .success()
            );
        }
        let data = server.dir.join("data");
        server.run_tool(
            "initdb",
            &[
                "-D",
                data.to_str().expect("utf-8"),
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--pwfile",
                pwfile.to_str().expect("utf-8"),
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            server.port,
            server.dir.display()
        );
        server.run_tool(
            "pg_ctl",
            &[
                "-D",
                data.to_str().expect("utf-8"),
                "-o",
                &options,
                "-w",
                "-l",
                server.dir.join("log").to_str().expect("utf-8"),
                "start",
            ],
        );
        server.watch();
        server
    }

    /// Stop the cluster and remove its folder once this test process is gone.
    fn watch(&self) {
        let stop = self.tool_command(
            "pg_ctl",
            &[
                "-D",
                self.dir.join("data").to_str().expect("utf-8"),
                "-m",
                "immediate",
                "stop",
            ],
        );
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf '{dir}'",
            pid = std::process::id(),
            dir = self.dir.display()
        );
        // Never waited for: it outlives this process by design, and init reaps it.
        #[allow(clippy::zombie_processes)]
        Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the cluster's watchdog");
    }

    /// A shell command line running `tool` of the server binaries, as the cluster's owner.
    fn tool_command(&self, tool: &str, args: &[&str]) -> String {
        let mut line = String::new();
        if self.as_postgres {
            line.push_str("runuser -u postgres -- ");
        }
        line.push_str(&format!("'{}'", self.bin.join(tool).display()));
        for arg in args {
            line.push_str(&format!(" '{}'", arg.replace('\'', "'\\''")));
        }
        line
    }

    fn run_tool(&self, tool: &str, args: &[&str]) -> String {
        let output = Command::new("sh")
            .args(["-c", &self.tool_command(tool, args)])
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .expect("run a server tool");
        assert!(
            output.status.success(),
            "{tool} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Run SQL as the superuser in `db` (through the socket); its output, unaligned.
    pub fn psql(&self, db: &str, sql: &str) -> String {
        self.run_tool(
            "psql",
            &[
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                self.dir.to_str().expect("utf-8"),
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                db,
                "-c",
                sql,
            ],
        )
    }

    /// A new, empty database of this test's own.
    pub fn create_db(&self) -> String {
        let name = format!(
            "t{}_{}",
            std::process::id(),
            NEXT_DB.fetch_add(1, Ordering::SeqCst)
        );
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        name
    }

    /// The remote URL of `db` for `user` (TCP, no TLS).
    pub fn url(&self, user: &str, db: &str) -> String {
        format!(
            "postgres://{user}@127.0.0.1:{}/{db}?sslmode=disable",
            self.port
        )
    }

    /// `rep ARGS` in `repo` with the superuser's password in `PGPASSWORD`.
    pub fn rep(&self, repo: &Repo, args: &[&str]) -> assert_cmd::assert::Assert {
        repo.cmd().env("PGPASSWORD", PASSWORD).args(args).assert()
    }

    /// The folder of the cluster (its socket, its `log`).
    #[allow(dead_code)] // for the suites that read the server's log
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}
