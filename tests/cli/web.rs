//! `rep serve` and `rep export --format html`: every page answers with what it should show, text
//! written by others stays text, nothing a browser sends changes the database, and the token
//! guards a server bound beyond loopback.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Stdio};

use crate::support::{NOW, Repo, fixture, redact_fixture, rep_bin, stdout};

/// A `rep serve` child, killed when the test ends.
struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT/`, whatever address it was bound to.
    base: String,
    /// The one-time sign-in link's path and query, when it was started with a token.
    once: Option<String>,
}

impl Server {
    fn start(repo: &Repo, args: &[&str]) -> Server {
        // Repo::cmd's environment, on a std Command that can be spawned and read line by line.
        let mut child = std::process::Command::new(rep_bin())
            .env_clear()
            .current_dir(repo.path())
            .env("REP_DB", repo.db())
            .env("REP_CONFIG", repo.config())
            .env("REP_USER", "ana")
            .env("REP_NOW", NOW)
            .env("HOME", repo.home())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("NO_COLOR", "1")
            .arg("serve")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("rep serve starts");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let Some(Ok(first)) = lines.next() else {
            let out = child.wait_with_output().expect("exits");
            panic!(
                "rep serve printed no address: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let url = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
        let port = url.rsplit(':').next().expect("port").trim_end_matches('/');
        let base = format!("http://127.0.0.1:{port}/");
        let once = if args.contains(&"--token-file") {
            let line = lines.next().expect("a sign-in line").expect("utf-8");
            let link = line
                .strip_prefix("sign in once at ")
                .unwrap_or_else(|| panic!("unexpected second line {line:?}"));
            Some(link[link.find("/login").expect("a login path")..].to_owned())
        } else {
            None
        };
        // Drain the rest, so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, base, once }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path.trim_start_matches('/'))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .new_agent()
}

struct Got {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Got {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn got(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Got {
    let mut r = response.expect("the request gets an answer");
    let status = r.status().as_u16();
    let headers = r
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let body = r.body_mut().read_to_string().unwrap_or_default();
    Got {
        status,
        headers,
        body,
    }
}

fn get(server: &Server, path: &str) -> Got {
    got(agent().get(&server.url(path)).call())
}

fn ok(server: &Server, path: &str) -> String {
    let g = get(server, path);
    assert_eq!(g.status, 200, "GET {path}: {}", g.body);
    g.body
}

fn id_of(entry: &serde_json::Value) -> &str {
    entry["id"].as_str().expect("id")
}

#[test]
fn web_every_page_answers_with_its_content() {
    let (repo, entries) = fixture();
    let question = id_of(&entries[3].1).to_owned();
    repo.answer_at(
        "2026-11-24T10:00:00Z",
        "cy",
        &question,
        "Ask the platform team.",
    );
    let accepted = repo.answer_at(
        "2026-11-25T10:00:00Z",
        "dan",
        &question,
        "cert-manager renews them; see the runbook.",
    );
    repo.rep(&["accept", &accepted]).success();
    let server = Server::start(&repo, &["--bind", "127.0.0.1:0"]);

    let home = ok(&server, "/");
    assert!(home.contains("New this week"), "{home}");
    assert!(home.contains("Open questions"), "{home}");
    // The home links to the gaps rather than rank them: that needs every entry.
    assert!(home.contains("every gap, ranked"), "{home}");
    assert!(home.contains("href=\"/gaps\""), "{home}");
    // The question waits (answered, not resolved), with its replies counted.
    assert!(
        home.contains("How do we rotate the staging certs?"),
        "{home}"
    );
    assert!(
        home.contains("Pods restart under memory pressure"),
        "{home}"
    );
    assert!(home.contains("<code id=\"rep-command\">rep news --since 7d</code>"));

    let search = ok(&server, "/search?q=lock");
    let first = search.find("id=\"results\"").expect("a result list");
    let results = &search[first..];
    let lock = results
        .find("Find what holds a lock")
        .expect("the lock tool");
    assert!(
        results.find("<li>").is_some_and(|li| li < lock) && !results[..lock].contains("</li>"),
        "the lock tool comes first: {results}"
    );
    assert!(search.contains("rep search lock"), "{search}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(&server, "/search.json?q=lock")).expect("json");
    assert_eq!(json["hits"][0]["title"], "Find what holds a lock");
    // The same first hit as the terminal's search.
    let cli = repo.json(&["search", "lock"]);
    assert_eq!(
        json["hits"][0]["href"],
        format!("/entry/{}", cli[0]["id"].as_str().expect("id"))
    );

    let entry = ok(&server, &format!("/entry/{question}"));
    let accepted_at = entry
        .find("cert-manager renews them")
        .expect("accepted reply");
    let other_at = entry.find("Ask the platform team.").expect("other reply");
    assert!(accepted_at < other_at, "the accepted reply comes first");
    assert!(entry.contains("✓ accepted"));
    assert!(entry.contains("History ("), "{entry}");
    let short = entries[3].1["short_id"].as_str().expect("short id");
    assert!(entry.contains(&format!("rep show {short}")));
    // A unique prefix reaches the same page.
    assert_eq!(ok(&server, &format!("/entry/{short}")), entry);

    let domain = ok(&server, "/domain/postgres");
    assert!(domain.contains("Find what holds a lock") && domain.contains("Show table bloat"));
    assert!(domain.contains("rep list --domain postgres"));
    let nested = ok(&server, "/domain/k8s/networking");
    assert!(
        nested.contains("How do we rotate the staging certs?"),
        "{nested}"
    );
    assert!(ok(&server, "/domains").contains("postgres/vacuum"));

    let members = ok(&server, "/members");
    assert!(
        members.contains(">dan<") && members.contains(">ana<"),
        "{members}"
    );
    let map = ok(&server, "/map");
    assert!(map.contains("<img src=\"/map.svg\""), "{map}");
    let svg = get(&server, "/map.svg");
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    assert!(svg.body.starts_with("<svg"), "{}", svg.body);
    let gaps = ok(&server, "/gaps");
    assert!(gaps.contains("score = "), "{gaps}");

    assert_eq!(get(&server, "/entry/ffffffff").status, 404);
    assert_eq!(get(&server, "/domain/nope").status, 404);
    assert_eq!(get(&server, "/nothing").status, 404);
    assert!(ok(&server, "/assets/app.js").contains("textContent"));
}

#[test]
fn web_entry_page_snapshot() {
    let (repo, entries) = fixture();
    let question = id_of(&entries[3].1).to_owned();
    let reply = repo.answer_at(
        "2026-11-24T10:00:00Z",
        "cy",
        &question,
        "Use `cert-manager`.",
    );
    repo.rep(&["accept", &reply]).success();
    let reply_short = repo.json(&["show", &question])["replies"][0]["short_id"]
        .as_str()
        .expect("short id")
        .to_owned();
    let server = Server::start(&repo, &["--bind", "127.0.0.1:0"]);
    let page = ok(&server, &format!("/entry/{question}"));
    let page = redact_fixture(&page, &entries)
        .replace(&reply, "<reply-full-id>")
        .replace(&reply_short, "RPLY")
        // One element a line, so a change reads as a diff.
        .replace("><", ">\n<");
    insta::assert_snapshot!("web_entry_page", page);
}

/// Text an attacker might write, in every field that reaches a page.
const HOSTILE: [&str; 7] = [
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=\"window.__pwned=1\">",
    "[click](javascript:window.__pwned=1)",
    "<svg onload=\"window.__pwned=1\"><script>window.__pwned=1</script></svg>",
    "\u{202e}txt.exe",
    "bell\u{7}and\u{1b}[31mred",
    "<a href=\"javascript:window.__pwned=1\">x</a>",
];

/// A repertoire of hostile entries (also used by the browser tests through the same text).
fn hostile_repo() -> Repo {
    let repo = Repo::empty();
    for (i, text) in HOSTILE.iter().enumerate() {
        let title = format!("hostile {i} {}", text.replace(['\u{7}', '\u{1b}'], ""));
        let id = repo.add(&[
            "question",
            &title,
            "-d",
            "web",
            "-t",
            "x",
            "-m",
            &format!("body {text}\n\n{text}\n"),
            "--cmd",
            text,
        ]);
        repo.answer_at(NOW, "bob", &id, &format!("reply {text}"));
    }
    repo.add(&[
        "tool",
        "a link that runs script",
        "-d",
        "web",
        "--link",
        "javascript:window.__pwned=1",
    ]);
    repo
}

/// What must never appear in a page built from hostile text.
fn assert_inert(what: &str, html: &str) {
    for tag in tags(html) {
        let name = tag.split_whitespace().next().unwrap_or("");
        if tag.starts_with("img src=\"/map.svg\"") {
            continue; // the map's own picture
        }
        assert!(
            ["img", "svg", "iframe", "object", "embed"]
                .iter()
                .all(|t| !name.eq_ignore_ascii_case(t)),
            "{what}: a <{name}> element reached the page: {tag}"
        );
        assert!(
            !tag.to_ascii_lowercase().contains("javascript:"),
            "{what}: a javascript: target in <{tag}>"
        );
        for attribute in tag.split_whitespace().skip(1) {
            assert!(
                !attribute.to_ascii_lowercase().starts_with("on"),
                "{what}: an event attribute in <{tag}>"
            );
        }
    }
    assert_eq!(
        html.matches("<script").count(),
        1,
        "{what}: only rep's own script tag: {html}"
    );
    assert!(html.contains("<script src=\"/assets/app.js\" defer></script>"));
    for raw in ["\u{202e}", "\u{7}", "\u{1b}"] {
        assert!(
            !html.contains(raw),
            "{what}: {raw:?} reached the page: {html}"
        );
    }
}

/// The markup of every element start tag in `html`: `a href="x"` for `<a href="x">`.
fn tags(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            let end = rest.find('>').unwrap_or(rest.len());
            found.push(&rest[..end]);
        }
    }
    found
}

#[test]
fn web_hostile_text_is_shown_as_text() {
    let repo = hostile_repo();
    let server = Server::start(&repo, &["--bind", "127.0.0.1:0"]);
    let list = repo.json(&["list", "--limit", "0"]);
    let ids: Vec<String> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(ids.len(), HOSTILE.len() + 1);
    for id in &ids {
        let page = ok(&server, &format!("/entry/{id}"));
        assert_inert(id, &page);
    }
    for path in [
        "/",
        "/search?q=hostile",
        "/domain/web",
        "/members",
        "/gaps",
        "/map",
    ] {
        assert_inert(path, &ok(&server, path));
    }
    let pages: Vec<String> = ids
        .iter()
        .map(|id| ok(&server, &format!("/entry/{id}")))
        .collect();
    let find = |title: &str| {
        pages
            .iter()
            .find(|p| p.contains(&format!("<h1>{title}")))
            .unwrap_or_else(|| panic!("no page for {title}"))
    };
    let script_page = find("hostile 0");
    let first = find("a link that runs script");
    assert!(
        script_page.contains("&lt;script&gt;window.__pwned=1&lt;/script&gt;"),
        "shown as text: {script_page}"
    );
    assert!(
        first.contains("javascript:window.__pwned=1"),
        "the link shown as text"
    );
    let svg = ok(&server, "/map.svg");
    assert!(!svg.contains("<script"), "{svg}");
}

#[test]
fn web_requests_never_change_the_database() {
    let (repo, entries) = fixture();
    // SQLite's read-only connections create an empty -wal file (and the -shm index) when there
    // is none, as every reader of a WAL database does: no file holds other bytes than before.
    let db_files = || {
        ["rep.db", "rep.db-wal"].map(|name| {
            std::fs::read(repo.path().join(name))
                .ok()
                .filter(|bytes| !bytes.is_empty())
        })
    };
    let before = db_files();
    let server = Server::start(&repo, &["--bind", "127.0.0.1:0"]);
    let id = id_of(&entries[0].1);
    for path in [
        "/",
        "/search?q=lock",
        "/search?q=nosuchwordanywhere",
        "/search.json?q=zzzqqq",
        &format!("/entry/{id}"),
        "/members",
        "/map",
        "/map.svg",
        "/gaps",
        "/domain/postgres",
    ] {
        ok(&server, path);
    }
    let agent = agent();
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(server.url(&format!("/entry/{id}")))
            .body(String::new())
            .expect("request");
        let g = got(agent.run(request));
        assert_eq!(g.status, 405, "{method}");
        assert_eq!(g.header("allow"), Some("GET, HEAD"));
    }
    drop(server);
    let after = db_files();
    assert!(before[0].is_some(), "the database exists");
    for (i, name) in ["rep.db", "rep.db-wal"].iter().enumerate() {
        let len = |f: &Option<Vec<u8>>| f.as_ref().map(Vec::len);
        assert!(
            before[i] == after[i],
            "{name} changed: {:?} -> {:?} bytes",
            len(&before[i]),
            len(&after[i])
        );
    }
    // A search that found nothing was not recorded as a miss either.
    let gaps = repo.json(&["gaps", "--limit", "0"]);
    assert!(
        !gaps.to_string().contains("nosuchwordanywhere"),
        "a miss was recorded: {gaps}"
    );
}

#[test]
fn web_every_answer_carries_a_strict_content_security_policy() {
    let (repo, _) = fixture();
    let server = Server::start(&repo, &["--bind", "127.0.0.1:0"]);
    for path in ["/", "/assets/app.js", "/map.svg", "/nothing"] {
        let g = get(&server, path);
        let csp = g.header("content-security-policy").expect("a CSP header");
        assert!(csp.contains("default-src 'none'"), "{csp}");
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(g.header("x-content-type-options"), Some("nosniff"));
    }
    // A page asked for under a name that is not loopback (DNS rebinding) is refused.
    let g = got(agent()
        .get(&server.url("/"))
        .header("Host", "evil.example:80")
        .call());
    assert_eq!(g.status, 421, "{}", g.body);
}

#[test]
fn web_binding_beyond_loopback_needs_a_token() {
    let (repo, _) = fixture();
    let out = repo.rep(&["serve", "--bind", "0.0.0.0:0"]).code(2);
    let err = crate::support::stderr(&out);
    assert!(err.contains("needs a token"), "{err}");
    assert!(err.contains("--token-file"), "{err}");
    std::fs::write(repo.path().join("short"), "abc\n").expect("write");
    let err = crate::support::stderr(&repo.rep(&["serve", "--token-file", "short"]).code(2));
    assert!(err.contains("shorter than"), "{err}");
}

#[test]
fn web_a_token_guards_every_page() {
    let (repo, _) = fixture();
    let token = "s3cret-token-for-the-test-0123456789";
    std::fs::write(repo.path().join("token"), format!("{token}\n")).expect("write");
    let server = Server::start(&repo, &["--bind", "0.0.0.0:0", "--token-file", "token"]);
    let agent = agent();
    for path in ["/", "/search?q=lock", "/assets/app.js", "/map.svg"] {
        let g = got(agent.get(&server.url(path)).call());
        assert_eq!(g.status, 401, "{path} without a token");
        assert!(!g.body.contains("Find what holds a lock"));
    }
    let wrong = got(agent
        .get(&server.url("/"))
        .header(
            "Authorization",
            "Bearer s3cret-token-for-the-test-0123456780",
        )
        .call());
    assert_eq!(wrong.status, 401);
    let bearer = got(agent
        .get(&server.url("/search?q=lock"))
        .header("Authorization", &format!("Bearer {token}"))
        .call());
    assert_eq!(bearer.status, 200);
    assert!(bearer.body.contains("Find what holds a lock"));

    // The one-time link sets a cookie and works once.
    let once = server.once.clone().expect("a sign-in link");
    let bad = got(agent.get(&server.url("/login?once=0000")).call());
    assert_eq!(bad.status, 401);
    let login = got(agent.get(&server.url(&once)).call());
    assert_eq!(login.status, 303, "{}", login.body);
    let cookie = login.header("set-cookie").expect("a cookie").to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(!cookie.contains(token), "the cookie is not the token");
    let pair = cookie.split(';').next().expect("name=value").to_owned();
    let with_cookie = got(agent.get(&server.url("/")).header("Cookie", &pair).call());
    assert_eq!(with_cookie.status, 200);
    let again = got(agent.get(&server.url(&once)).call());
    assert_eq!(again.status, 401, "the link works only once");
}

#[test]
fn web_static_export_writes_the_same_pages() {
    let (repo, entries) = fixture();
    let site = repo.path().join("site");
    let out = repo.rep(&["export", site.to_str().expect("utf-8"), "--format", "html"]);
    let err = crate::support::stderr(&out.success());
    assert!(err.contains("exported 5 entries"), "{err}");
    for page in [
        "index.html",
        "search.html",
        "domains.html",
        "members.html",
        "map.html",
        "map.svg",
        "gaps.html",
        "domain/postgres.html",
        "domain/k8s/networking.html",
        "assets/app.js",
        "assets/style.css",
        "assets/search-index.js",
    ] {
        assert!(site.join(page).is_file(), "{page}");
    }
    let id = id_of(&entries[0].1);
    let entry = std::fs::read_to_string(site.join(format!("entry/{id}.html"))).expect("entry");
    assert!(entry.contains("Content-Security-Policy"), "a meta CSP");
    assert!(
        entry.contains("href=\"../assets/style.css\""),
        "relative links"
    );
    assert!(
        entry.contains("href=\"../domain/postgres.html\""),
        "{entry}"
    );
    let nested = std::fs::read_to_string(site.join("domain/k8s/networking.html")).expect("page");
    assert!(nested.contains("href=\"../../index.html\""), "{nested}");
    let index = std::fs::read_to_string(site.join("assets/search-index.js")).expect("index");
    assert!(index.contains("Find what holds a lock"));
    let summary = repo.json(&["export", site.to_str().expect("utf-8"), "--format", "html"]);
    assert_eq!(summary["format"], "html");
    assert_eq!(summary["entries"], 5);
    let stdout_refused = repo.rep(&["export", "-", "--format", "html"]).code(2);
    assert_eq!(stdout(&stdout_refused), "");
}

/// The fixture exported as a static site into `site/` of its folder, for the tests that export
/// again into it.
fn exported_site() -> (
    Repo,
    Vec<(&'static str, serde_json::Value)>,
    std::path::PathBuf,
) {
    let (repo, entries) = fixture();
    let site = repo.path().join("site");
    repo.rep(&[
        "export",
        site.to_str().expect("utf-8"),
        "--format",
        "html",
        "-q",
    ])
    .success();
    (repo, entries, site)
}

#[test]
fn web_static_export_again_rewrites_only_the_pages_that_changed() {
    let (repo, entries, site) = exported_site();
    let dir = site.to_str().expect("utf-8");
    let page = |n: usize| site.join(format!("entry/{}.html", id_of(&entries[n].1)));
    let (edited, kept) = (page(0), page(1));
    // Every page dated in the past, so that a rewrite shows in its time.
    let past = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    let pages = [&edited, &kept, &site.join("index.html")];
    for file in pages {
        let f = std::fs::File::options()
            .write(true)
            .open(file)
            .expect("page");
        f.set_modified(past).expect("set the time");
    }
    let modified = |file: &std::path::Path| {
        std::fs::metadata(file)
            .and_then(|m| m.modified())
            .expect("time")
    };
    repo.rep(&[
        "edit",
        id_of(&entries[0].1),
        "--title",
        "Find what holds a lock, and who waits",
    ])
    .success();
    repo.rep(&["export", dir, "--format", "html", "-q"])
        .success();
    let html = std::fs::read_to_string(&edited).expect("page");
    assert!(
        html.contains("Find what holds a lock, and who waits"),
        "{html}"
    );
    assert_ne!(
        modified(&edited),
        past,
        "the edited entry's page is written again"
    );
    assert_eq!(modified(&kept), past, "an unchanged page is left as it was");
    // The home page lists the edited title among the news, so it is written again too.
    assert_ne!(modified(&site.join("index.html")), past);
}

#[test]
fn web_static_export_again_removes_the_pages_of_entries_deleted_since() {
    let (repo, entries, site) = exported_site();
    let dir = site.to_str().expect("utf-8");
    let page = |n: usize| site.join(format!("entry/{}.html", id_of(&entries[n].1)));
    assert!(page(0).is_file() && page(1).is_file());
    // What the folder holds beside rep's pages stays: another kind of file, and a folder.
    let notes = site.join("entry/notes.txt");
    std::fs::write(&notes, "kept").expect("write");
    std::fs::create_dir(site.join("entry/old.html")).expect("folder");
    repo.rep(&["rm", id_of(&entries[0].1)]).success();
    repo.rep(&["export", dir, "--format", "html", "-q"])
        .success();
    assert!(!page(0).exists(), "a deleted entry is no longer published");
    assert!(page(1).is_file());
    assert!(notes.is_file() && site.join("entry/old.html").is_dir());
    // Exporting one domain into the folder leaves only that domain's entry pages.
    repo.rep(&["export", dir, "--format", "html", "--domain", "k8s", "-q"])
        .success();
    for (_, entry) in &entries[1..] {
        let within = entry["domain"].as_str().expect("domain").starts_with("k8s");
        assert_eq!(
            site.join(format!("entry/{}.html", id_of(entry))).is_file(),
            within,
            "{entry}"
        );
    }
}

#[test]
fn web_static_export_again_removes_the_pages_of_domains_that_hold_nothing_now() {
    let (repo, entries, site) = exported_site();
    let dir = site.to_str().expect("utf-8");
    let domain = |name: &str| site.join(format!("domain/{name}.html"));
    assert!(domain("k8s").is_file() && domain("k8s/networking").is_file());
    let notes = site.join("domain/notes.txt");
    std::fs::write(&notes, "kept").expect("write");
    // The only entry of k8s/networking, the question.
    let question = entries
        .iter()
        .find(|(_, e)| e["domain"] == "k8s/networking")
        .expect("the question");
    repo.rep(&["rm", id_of(&question.1)]).success();
    repo.rep(&["export", dir, "--format", "html", "-q"])
        .success();
    assert!(!domain("k8s/networking").exists());
    assert!(
        !site.join("domain/k8s").exists(),
        "the folder it emptied goes too"
    );
    assert!(domain("k8s").is_file() && domain("postgres").is_file());
    assert!(notes.is_file(), "what rep did not write stays");
    repo.rep(&[
        "export", dir, "--format", "html", "--domain", "postgres", "-q",
    ])
    .success();
    assert!(!domain("k8s").exists() && domain("postgres").is_file());
}

#[test]
fn web_static_export_of_one_domain_holds_that_domain_alone() {
    let (repo, entries) = fixture();
    let site = repo.path().join("site");
    let dir = site.to_str().expect("utf-8");
    let out = repo.rep(&["export", dir, "--format", "html", "--domain", "k8s"]);
    let err = crate::support::stderr(&out.success());
    // The problem in k8s and the question in its sub-domain k8s/networking.
    assert!(err.contains("exported 2 entries"), "{err}");
    for (_, entry) in &entries {
        let page = site.join(format!("entry/{}.html", id_of(entry)));
        let domain = entry["domain"].as_str().expect("domain");
        assert_eq!(
            page.is_file(),
            domain == "k8s" || domain.starts_with("k8s/"),
            "{domain}: {}",
            page.display()
        );
    }
    assert!(site.join("domain/k8s.html").is_file());
    assert!(site.join("domain/k8s/networking.html").is_file());
    assert!(!site.join("domain/postgres.html").exists());
    // No page of the copy names what lies outside the domain.
    for page in [
        "index.html",
        "domains.html",
        "members.html",
        "map.html",
        "map.svg",
        "gaps.html",
        "assets/search-index.js",
    ] {
        let text = std::fs::read_to_string(site.join(page)).expect(page);
        for outside in ["postgres", "Find what holds a lock", "WAL filled"] {
            assert!(!text.contains(outside), "{page} names {outside:?}: {text}");
        }
    }
    let index = std::fs::read_to_string(site.join("assets/search-index.js")).expect("index");
    assert!(
        index.contains("Pods restart under memory pressure"),
        "{index}"
    );
    let home = std::fs::read_to_string(site.join("index.html")).expect("home");
    assert!(
        home.contains("How do we rotate the staging certs?"),
        "{home}"
    );
    // One domain at a time; the database is not touched by a refused export.
    let twice = repo.rep(&[
        "export", dir, "--format", "html", "-d", "k8s", "-d", "postgres",
    ]);
    let err = crate::support::stderr(&twice.code(2));
    assert!(err.contains("one --domain"), "{err}");
}

/// `rep serve` never writes, so it cannot upgrade a database of an older schema: it refuses it
/// with the environment's exit code and says what to do, and leaves the file as it was. Once
/// any other command has upgraded it, the home lists the week that file holds.
#[test]
fn web_serve_refuses_an_older_schema_untouched_and_serves_it_once_upgraded() {
    let repo = Repo::new();
    let older = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/db/v13.db");
    std::fs::copy(older, repo.db()).expect("copy the fixture");
    let before = std::fs::read(repo.db()).expect("read");
    let out = repo
        .cmd()
        .args(["serve", "--bind", "127.0.0.1:0"])
        .output()
        .expect("run rep serve");
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("has schema version 13 and needs an upgrade"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: "), "{stderr}");
    assert!(out.stdout.is_empty(), "{out:?}");
    assert_eq!(
        std::fs::read(repo.db()).expect("read"),
        before,
        "the file changed"
    );

    repo.rep(&["list", "--limit", "1"]).success();
    let server = Server::start(&repo, &["--bind", "127.0.0.1:0"]);
    let home = ok(&server, "/");
    for shown in [
        "Show which session holds a lock",
        "The night the WAL filled the disk",
        "How do I rotate the TLS certificate?",
        "(seen 3 times)",
    ] {
        assert!(home.contains(shown), "{shown}: {home}");
    }
    assert!(
        !home.contains("Old trick"),
        "a deleted entry is news: {home}"
    );
}
