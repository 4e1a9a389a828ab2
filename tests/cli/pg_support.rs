//! Throwaway PostgreSQL clusters for the tests of the PostgreSQL remote: `initdb` into a temp
//! dir, a server on 127.0.0.1 at a free port (and a socket in the same dir), TLS with a CA made
//! here, a database and a password-protected role per test, and `psql` for looking at what the
//! server holds. Stopped and removed when the test process ends, however it ends.
//!
//! PostgreSQL refuses to run as root, and CI runs as root: then the server runs as the `postgres`
//! account (Debian's package makes it) through `runuser`. The binaries are looked for in
//! `REP_PG_BIN`, then /usr/lib/postgresql/<newest>/bin (Debian), then PATH. Under `CI=true` a
//! missing PostgreSQL fails the test (`tool_available`); elsewhere the test is skipped, saying so.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use crate::support::{Repo, tool_available};

/// The superuser's (`postgres`) password: the server only ever listens on 127.0.0.1 of a test
/// machine.
pub const PASSWORD: &str = "rep-test-secret";

/// Where the server binaries are, if PostgreSQL is installed.
pub fn bin_dir() -> Option<PathBuf> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(find_bin_dir).clone()
}

fn find_bin_dir() -> Option<PathBuf> {
    let has_server = |dir: &Path| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|b| dir.join(b).is_file())
    };
    if let Some(dir) = std::env::var_os("REP_PG_BIN") {
        return Some(PathBuf::from(dir)).filter(|d| has_server(d));
    }
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            Some((version, e.path().join("bin")))
        })
        .filter(|(_, dir)| has_server(dir))
        .collect();
    debian.sort();
    if let Some((_, dir)) = debian.pop() {
        return Some(dir);
    }
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()).find(|d| has_server(d))
}

/// Whether a test that needs PostgreSQL may go on (see `tool_available`).
pub fn available() -> bool {
    tool_available("PostgreSQL (initdb, pg_ctl, postgres)", bin_dir().is_some())
        && tool_available("psql", bin_dir().is_some_and(|d| d.join("psql").is_file()))
}

fn running_as_root() -> bool {
    static ROOT: OnceLock<bool> = OnceLock::new();
    *ROOT.get_or_init(|| {
        Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
    })
}

/// How a cluster is set up.
#[derive(Clone, Copy, Default)]
pub struct Options {
    /// Serve TLS with a certificate for `localhost` and 127.0.0.1 signed by a CA of its own.
    pub tls: bool,
    /// Keep the server's data safe on disk (fsync on): for benchmarks. Tests turn it off.
    pub durable: bool,
}

/// One running PostgreSQL server in a temp dir of its own.
pub struct Cluster {
    root: PathBuf,
    /// The port the server listens on at 127.0.0.1.
    pub port: u16,
    /// The cluster serves TLS (see [`Cluster::tls`]).
    pub tls: bool,
    bin: PathBuf,
    /// Closing it (dropping it, or the process ending) makes the watchdog stop the server and
    /// remove the folder.
    watchdog: Mutex<Option<(ChildStdin, Child)>>,
    databases: AtomicU32,
}

/// The files of a cluster's TLS set-up: the CA that signed the server's certificate, and a
/// second CA that signed nothing of it.
pub struct Tls {
    pub ca: PathBuf,
    pub wrong_ca: PathBuf,
}

/// The cluster all tests of this process share, started on first use; `None` when PostgreSQL is
/// missing and the test should skip (never under CI). Serves TLS too.
pub fn shared() -> Option<&'static Cluster> {
    static SHARED: OnceLock<Cluster> = OnceLock::new();
    if !available() {
        return None;
    }
    Some(SHARED.get_or_init(|| {
        Cluster::start(Options {
            tls: true,
            durable: false,
        })
    }))
}

impl Cluster {
    /// initdb, configure and start a new cluster (panics with the server's log if it fails).
    pub fn start(options: Options) -> Cluster {
        let bin = bin_dir().expect("PostgreSQL is installed (check `available()` first)");
        let root = tempfile::Builder::new()
            .prefix("rep-pg-")
            .tempdir()
            .expect("temp dir")
            .keep();
        let as_root = running_as_root();
        // The watchdog first: whatever happens from here on, the folder goes.
        let data = root.join("data");
        let watchdog = watchdog(&bin, &data, &root);
        let pwfile = root.join("superuser.pw");
        std::fs::write(&pwfile, PASSWORD).expect("write pwfile");
        if as_root {
            run_ok(
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(&root),
            );
        }
        let mut initdb = server_command(&bin, "initdb");
        initdb
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "-E", "UTF8", "--locale=C", "-N"])
            .args(["--auth-local=trust", "--auth-host=scram-sha-256"])
            .arg(format!("--pwfile={}", pwfile.display()));
        run_ok(&mut initdb);
        let mut conf = format!(
            "listen_addresses = '127.0.0.1'\n\
             unix_socket_directories = '{}'\n\
             max_connections = 300\n\
             log_min_messages = warning\n\
             log_connections = on\n",
            root.display()
        );
        if !options.durable {
            conf.push_str("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
        }
        if options.tls {
            make_certificates(&root);
            conf.push_str(&format!(
                "ssl = on\nssl_cert_file = '{0}/server.crt'\nssl_key_file = '{0}/server.key'\n",
                root.display()
            ));
        }
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(data.join("postgresql.conf"))
            .expect("postgresql.conf");
        file.write_all(conf.as_bytes())
            .expect("write postgresql.conf");
        if as_root {
            run_ok(
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(&root),
            );
        }
        let cluster = Cluster {
            root,
            port: 0,
            tls: options.tls,
            bin,
            watchdog: Mutex::new(Some(watchdog)),
            databases: AtomicU32::new(0),
        };
        // A free port can be taken by someone else between our look and the server's bind:
        // then another one.
        let mut cluster = cluster;
        for attempt in 0..5 {
            cluster.port = free_port();
            if cluster.try_start() {
                return cluster;
            }
            eprintln!(
                "postgres did not start on port {} (attempt {attempt})",
                cluster.port
            );
        }
        panic!("postgres did not start:\n{}", cluster.log());
    }

    /// The TLS files, when the cluster serves TLS.
    pub fn tls_files(&self) -> Option<Tls> {
        let ca = self.root.join("ca.crt");
        ca.is_file().then(|| Tls {
            ca,
            wrong_ca: self.root.join("wrong-ca.crt"),
        })
    }

    /// What the server has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.root.join("server.log")).unwrap_or_default()
    }

    fn pg_ctl(&self, args: &[&str]) -> Output {
        let mut cmd = server_command(&self.bin, "pg_ctl");
        cmd.arg("-D")
            .arg(self.root.join("data"))
            .arg("-l")
            .arg(self.root.join("server.log"))
            .args(args);
        cmd.output().expect("pg_ctl runs")
    }

    fn try_start(&self) -> bool {
        let port = format!("-p {}", self.port);
        self.pg_ctl(&["-w", "-t", "60", "-o", &port, "start"])
            .status
            .success()
    }

    /// Stop the server (fast shutdown: sessions are ended, as when an operator restarts it).
    pub fn stop(&self) {
        let out = self.pg_ctl(&["-w", "-m", "fast", "stop"]);
        assert!(out.status.success(), "pg_ctl stop: {}", lossy(&out));
    }

    /// Start the server again after `stop`, on the same port.
    pub fn start_again(&self) {
        assert!(
            self.try_start(),
            "postgres did not start again:\n{}",
            self.log()
        );
    }

    /// Run SQL through `psql` as the superuser on database `db`; stops at the first error.
    /// Gives the rows unaligned, `|` between columns.
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let out = self.psql_output(db, None, sql);
        assert!(out.status.success(), "psql on {db}: {sql}\n{}", lossy(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `psql` as the superuser (`user` None) over the socket, or as `user` with its password
    /// over TCP, whatever the outcome.
    pub fn psql_output(&self, db: &str, user: Option<(&str, &str)>, sql: &str) -> Output {
        let mut cmd = Command::new(self.bin.join("psql"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
            .args(["-p", &self.port.to_string(), "-d", db]);
        match user {
            None => {
                cmd.arg("-h").arg(&self.root).args(["-U", "postgres"]);
            }
            Some((user, password)) => {
                cmd.args(["-h", "127.0.0.1", "-U", user])
                    .env("PGPASSWORD", password);
            }
        }
        cmd.arg("-c")
            .arg(sql)
            .stdin(Stdio::null())
            .output()
            .expect("psql runs")
    }

    /// A new, empty database of the test's own, owned by a new role with a password.
    pub fn database(&self, hint: &str) -> Database<'_> {
        let n = self.databases.fetch_add(1, Ordering::Relaxed);
        let clean: String = hint
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .take(40)
            .collect();
        let name = format!("{clean}_{n}");
        let owner = format!("{name}_owner");
        let password = format!("pw-{name}");
        self.psql(
            "postgres",
            &format!("CREATE ROLE {owner} LOGIN PASSWORD '{password}'"),
        );
        self.psql("postgres", &format!("CREATE DATABASE {name} OWNER {owner}"));
        // PostgreSQL 15 no longer lets everyone create in `public`; the owner of the database
        // is the one rep connects as, so it gets the schema too.
        self.psql(&name, &format!("ALTER SCHEMA public OWNER TO {owner}"));
        Database {
            cluster: self,
            name,
            owner,
            password,
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let taken = self
            .watchdog
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some((stdin, mut child)) = taken {
            drop(stdin);
            let _ = child.wait();
        }
    }
}

/// The names tests/cli/postgres_engine.rs knows the shared cluster by: an empty database owned by
/// the superuser, its URL for a user, and `rep` with the superuser's password.
pub type PgServer = Cluster;

/// The shared cluster (see [`shared`]).
pub fn server() -> Option<&'static PgServer> {
    shared()
}

impl Cluster {
    /// A new, empty database of the test's own, owned by the superuser.
    pub fn create_db(&self) -> String {
        let name = format!("t{}", self.databases.fetch_add(1, Ordering::Relaxed));
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

    /// The CA that signed the server's certificate (when [`Cluster::tls`]).
    pub fn ca(&self) -> PathBuf {
        self.root.join("ca.crt")
    }

    /// A CA that signed nothing the server holds.
    pub fn other_ca(&self) -> PathBuf {
        self.root.join("wrong-ca.crt")
    }

    /// `rep ARGS` in `repo` with the superuser's password in `PGPASSWORD`.
    pub fn rep(&self, repo: &Repo, args: &[&str]) -> assert_cmd::assert::Assert {
        repo.cmd().env("PGPASSWORD", PASSWORD).args(args).assert()
    }
}

/// One test's database on a cluster, and the role that owns it.
pub struct Database<'c> {
    pub cluster: &'c Cluster,
    pub name: String,
    pub owner: String,
    pub password: String,
}

impl Database<'_> {
    /// `postgres://OWNER@127.0.0.1:PORT/NAME` with `extra` (e.g. `?sslmode=disable`) appended.
    pub fn url(&self, extra: &str) -> String {
        self.url_as(&self.owner, extra)
    }

    pub fn url_as(&self, user: &str, extra: &str) -> String {
        format!(
            "postgres://{user}@127.0.0.1:{}/{}{extra}",
            self.cluster.port, self.name
        )
    }

    /// SQL as the superuser on this database.
    pub fn psql(&self, sql: &str) -> String {
        self.cluster.psql(&self.name, sql)
    }

    /// A new login role with `password` that may read rep's tables here but write nothing
    /// (after `rep remote init` made them, in the schema `repertoire`).
    pub fn reader(&self, role: &str, password: &str) {
        self.psql(&format!(
            "CREATE ROLE {role} LOGIN PASSWORD '{password}';\
             GRANT CONNECT ON DATABASE {db} TO {role};\
             GRANT USAGE ON SCHEMA repertoire TO {role};\
             GRANT SELECT ON ALL TABLES IN SCHEMA repertoire TO {role};",
            db = self.name,
        ));
    }

    /// The number of rows of `table` (in rep's schema on the server).
    pub fn count(&self, table: &str) -> i64 {
        self.psql(&format!("SELECT count(*) FROM repertoire.{table}"))
            .trim()
            .parse()
            .expect("a count")
    }
}

/// `program` from the server's bin dir, as the `postgres` account when we are root.
fn server_command(bin: &Path, program: &str) -> Command {
    let mut cmd = if running_as_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(bin.join(program));
        cmd
    } else {
        Command::new(bin.join(program))
    };
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("LC_ALL", "C")
        .stdin(Stdio::null());
    cmd
}

/// A root shell that waits for its stdin to close (this process ended, or the cluster was
/// dropped), then stops the server hard and removes its folder. The pipe is close-on-exec, so
/// no `rep` or `git` that a test starts holds it open.
fn watchdog(bin: &Path, data: &Path, root: &Path) -> (ChildStdin, Child) {
    let pg_ctl = bin.join("pg_ctl");
    let stop = if running_as_root() {
        format!("runuser -u postgres -- '{}'", pg_ctl.display())
    } else {
        format!("'{}'", pg_ctl.display())
    };
    let script = format!(
        "cat >/dev/null; [ -f '{data}/postmaster.pid' ] && {stop} -D '{data}' -m immediate -w stop >/dev/null 2>&1; rm -rf '{root}'",
        data = data.display(),
        root = root.display(),
    );
    let mut child = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the watchdog starts");
    let stdin = child.stdin.take().expect("piped stdin");
    (stdin, child)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn run_ok(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?}: {}", lossy(&out));
}

fn lossy(out: &Output) -> String {
    format!(
        "{:?}\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A CA, a server certificate for `localhost` and 127.0.0.1 signed by it, and a second CA.
fn make_certificates(root: &Path) {
    let openssl = |args: &[&str]| {
        run_ok(Command::new("openssl").current_dir(root).args(args));
    };
    assert!(
        tool_available("openssl", crate::support::runs("openssl", &["version"])),
        "the TLS cluster needs openssl"
    );
    for ca in ["ca", "wrong-ca"] {
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            &format!("{ca}.key"),
            "-out",
            &format!("{ca}.crt"),
            "-days",
            "3",
            "-subj",
            &format!("/CN=rep test {ca}"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
    }
    std::fs::write(
        root.join("server.ext"),
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
         extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .expect("write server.ext");
    openssl(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "3",
        "-extfile",
        "server.ext",
    ]);
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(
        root.join("server.key"),
        std::fs::Permissions::from_mode(0o600),
    )
    .expect("chmod server.key");
}

/// Wait until `check` holds, polling, for at most `limit`.
pub fn wait_for(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    check()
}
