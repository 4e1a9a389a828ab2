//! `rep serve`: the pages over HTTP (axum on a small tokio runtime). Read-only by construction:
//! the database is opened with SQLITE_OPEN_READ_ONLY and `query_only`, and only GET and HEAD are
//! answered. A token guards every page when one is set, and must be set to bind beyond loopback.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq as _;

use super::assets;
use super::pages::{self, Links};
use super::views;
use crate::config::Config;
use crate::context::Context;
use crate::error::RepError;
use crate::store::Store;

/// What `rep serve` was asked for.
pub struct Serving {
    pub bind: SocketAddr,
    /// The token every request must carry; required for an address beyond loopback.
    pub token: Option<String>,
    pub db: PathBuf,
}

/// Connections kept open for requests: each request takes one for its queries. Two cores serve
/// best with a few; more only add memory (each has its own page cache).
const CONNECTIONS: usize = 4;

/// The cookie a one-time link sets.
const SESSION_COOKIE: &str = "rep_session";

struct Auth {
    token: String,
    /// What the cookie carries: a fresh secret, not the token itself.
    session: String,
    /// The one-time link's code, until it is used.
    once: Mutex<Option<String>>,
}

struct App {
    config: Config,
    db: PathBuf,
    pool: Mutex<Vec<Store>>,
    permits: tokio::sync::Semaphore,
    auth: Option<Auth>,
    /// Without a token, the Host names a page may be asked for (against DNS rebinding: a page
    /// elsewhere must not read the repertoire through a name that resolves to 127.0.0.1).
    hosts: Vec<String>,
    /// How long a summary page is kept: [`SUMMARY_TTL`], or `REP_SERVE_KEEP_MS` (0: never),
    /// which bench/serve.sh sets to time the pages built afresh.
    keep: std::time::Duration,
    /// Summary pages as last built (see [`SUMMARY_TTL`]).
    summaries: Mutex<std::collections::HashMap<String, Slot>>,
}

/// A random secret: 128 bits from the system's generator (uuid v4), as hex.
fn secret() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Whether two secrets are equal, in time that does not depend on where they differ.
fn same_secret(given: &str, expected: &str) -> bool {
    given.as_bytes().ct_eq(expected.as_bytes()).into()
}

/// Check the request, open the database and bind, then print where to go and serve until
/// stopped. `announce` prints each line (through the command's output).
pub fn serve(
    config: &Config,
    serving: Serving,
    announce: &mut dyn FnMut(&str) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if !serving.bind.ip().is_loopback() && serving.token.is_none() {
        return Err(RepError::usage(format!(
            "binding {} reaches beyond this machine, and needs a token",
            serving.bind
        ))
        .with_hint(
            "pass --token-file FILE (a file holding a long random secret), or bind 127.0.0.1",
        )
        .into());
    }
    let mut pool = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        pool.push(super::open_store(&serving.db)?);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(CONNECTIONS * 2)
        .enable_io()
        .enable_time()
        .build()
        .context_env("cannot start the server's runtime")?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(serving.bind))
        .map_err(|e| {
            anyhow::Error::new(e).context(
                RepError::environment(format!("cannot listen on {}", serving.bind))
                    .with_hint("pick another port with --bind, or 127.0.0.1:0 for any free one"),
            )
        })?;
    let local = listener.local_addr()?;
    let auth = serving.token.map(|token| Auth {
        token,
        session: secret(),
        once: Mutex::new(Some(secret())),
    });
    let port = local.port();
    let hosts = ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .flat_map(|h| [format!("{h}:{port}"), (*h).to_owned()])
        .chain(std::iter::once(host_of(&local)))
        .collect();
    let base = format!("http://{}/", host_of(&local));
    announce(&format!("listening on {base}"))?;
    if let Some(auth) = &auth {
        let once = auth
            .once
            .lock()
            .expect("not poisoned")
            .clone()
            .unwrap_or_default();
        announce(&format!("sign in once at {base}login?once={once}"))?;
    }
    let app = Arc::new(App {
        config: config.clone(),
        db: serving.db,
        pool: Mutex::new(pool),
        permits: tokio::sync::Semaphore::new(CONNECTIONS),
        auth,
        hosts,
        keep: std::env::var("REP_SERVE_KEEP_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map_or(SUMMARY_TTL, std::time::Duration::from_millis),
        summaries: Mutex::default(),
    });
    let router = axum::Router::new().fallback(handle).with_state(app);
    runtime
        .block_on(async move { axum::serve(listener, router).await })
        .context_env("the server stopped")?;
    Ok(())
}

fn host_of(addr: &SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => format!("{}:{}", a.ip(), a.port()),
        SocketAddr::V6(a) => format!("[{}]:{}", a.ip(), a.port()),
    }
}

trait ContextEnv<T> {
    fn context_env(self, what: &str) -> anyhow::Result<T>;
}

impl<T, E: std::error::Error + Send + Sync + 'static> ContextEnv<T> for Result<T, E> {
    fn context_env(self, what: &str) -> anyhow::Result<T> {
        self.map_err(|e| anyhow::Error::new(e).context(RepError::environment(what.to_owned())))
    }
}

async fn handle(
    State(app): State<Arc<App>>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let started = std::time::Instant::now();
    let mut response = respond(&app, &method, &headers, &uri).await;
    let parts = response
        .extensions_mut()
        .remove::<Parts>()
        .map(|p| p.0)
        .unwrap_or_default();
    let h = response.headers_mut();
    // How long the page took here, for bench/serve.sh and the browser's developer tools, then
    // its parts when they were measured (`news;dur=1.20, ...`).
    let mut took = format!("app;dur={:.2}", started.elapsed().as_secs_f64() * 1000.0);
    for (name, d) in parts {
        took.push_str(&format!(", {name};dur={:.2}", d.as_secs_f64() * 1000.0));
    }
    if let Ok(value) = HeaderValue::from_str(&took) {
        h.insert("server-timing", value);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(assets::CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if method == Method::HEAD {
        *response.body_mut() = Body::empty();
    }
    response
}

fn plain(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{text}\n"),
    )
        .into_response()
}

async fn respond(app: &Arc<App>, method: &Method, headers: &HeaderMap, uri: &Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut r = plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "this server is read-only: only GET and HEAD",
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    match &app.auth {
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("");
            if !app.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
                return plain(StatusCode::MISDIRECTED_REQUEST, "unknown host name");
            }
        }
        Some(auth) => {
            if uri.path() == "/login" {
                return login(auth, uri);
            }
            if !authorised(auth, headers) {
                let mut r = plain(
                    StatusCode::UNAUTHORIZED,
                    "a token is needed: open the one-time link rep serve printed, or send Authorization: Bearer TOKEN",
                );
                r.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                return r;
            }
        }
    }
    let Some(route) = Route::parse(uri) else {
        return plain(StatusCode::NOT_FOUND, "no such page");
    };
    match route {
        Route::Style => return asset("text/css; charset=utf-8", assets::STYLE_CSS),
        Route::Script => return asset("text/javascript; charset=utf-8", assets::APP_JS),
        Route::Icon => return asset("image/svg+xml", assets::ICON_SVG),
        _ => {}
    }
    let Ok(_permit) = app.permits.acquire().await else {
        return plain(StatusCode::SERVICE_UNAVAILABLE, "the server is stopping");
    };
    let worker = Arc::clone(app);
    let rendered = tokio::task::spawn_blocking(move || worker.render(&route)).await;
    match rendered {
        Ok(Ok(Some(r))) => {
            let mut response = (
                StatusCode::OK,
                [(header::CONTENT_TYPE, r.content_type)],
                r.body.clone(),
            )
                .into_response();
            response.extensions_mut().insert(Parts(r.timings.clone()));
            response
        }
        Ok(Ok(None)) => {
            let page = pages::not_found("There is no such page, entry or domain here.");
            (
                StatusCode::NOT_FOUND,
                [(header::CONTENT_TYPE, HTML)],
                pages::layout(&Links::server(), &page),
            )
                .into_response()
        }
        Ok(Err(e)) => plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            &crate::output::sanitize_line(&format!("error: {e:#}")),
        ),
        Err(_) => plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
    }
}

fn asset(content_type: &'static str, text: &'static str) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], text).into_response()
}

fn login(auth: &Auth, uri: &Uri) -> Response {
    let given = query_param(uri, "once").unwrap_or_default();
    let mut once = auth.once.lock().expect("not poisoned");
    let valid = once
        .as_deref()
        .is_some_and(|code| same_secret(&given, code));
    if !valid {
        return plain(
            StatusCode::UNAUTHORIZED,
            "this sign-in link is not valid, or was used already: restart rep serve for a new one",
        );
    }
    *once = None;
    let cookie = format!(
        "{SESSION_COOKIE}={}; HttpOnly; SameSite=Strict; Path=/",
        auth.session
    );
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, "/")
        .header(header::SET_COOKIE, cookie)
        .body(Body::empty())
        .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error"))
}

fn authorised(auth: &Auth, headers: &HeaderMap) -> bool {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| same_secret(t.trim(), &auth.token));
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(name, value)| name == SESSION_COOKIE && same_secret(value, &auth.session));
    bearer || cookie
}

const HTML: &str = "text/html; charset=utf-8";

/// A page's timed parts, carried from the page to the Server-Timing header.
#[derive(Clone)]
struct Parts(views::Timings);

/// A page's text and type.
pub struct Rendered {
    pub content_type: &'static str,
    pub body: String,
    /// Where the page's time went, when it was measured part by part (Server-Timing).
    pub timings: views::Timings,
}

/// Every URL the server answers.
#[derive(Debug, Clone)]
pub enum Route {
    Home,
    Search(String),
    SearchJson(String),
    Domains,
    Domain(String),
    Entry(String),
    Members,
    Map,
    MapSvg,
    Gaps,
    Style,
    Script,
    Icon,
}

fn query_param(uri: &Uri, name: &str) -> Option<String> {
    let query = uri.query()?;
    let pairs: Vec<(String, String)> = serde_urlencoded_pairs(query);
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// `a=1&b=x+y` as pairs, decoded (`+` is a space in a form's query).
fn serde_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (
                percent_decode(&k.replace('+', " ")),
                percent_decode(&v.replace('+', " ")),
            )
        })
        .collect()
}

/// `%XX` escapes decoded; invalid UTF-8 becomes U+FFFD.
fn percent_decode(text: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Route {
    fn parse(uri: &Uri) -> Option<Route> {
        let path = uri.path();
        let q = || query_param(uri, "q").unwrap_or_default();
        Some(match path {
            "/" | "/index.html" => Route::Home,
            "/search" => Route::Search(q()),
            "/search.json" => Route::SearchJson(q()),
            "/domains" => Route::Domains,
            "/members" => Route::Members,
            "/map" => Route::Map,
            "/map.svg" => Route::MapSvg,
            "/gaps" => Route::Gaps,
            "/assets/style.css" => Route::Style,
            "/assets/app.js" => Route::Script,
            "/assets/icon.svg" | "/favicon.ico" => Route::Icon,
            _ => {
                if let Some(rest) = path.strip_prefix("/entry/") {
                    Route::Entry(percent_decode(rest))
                } else if let Some(rest) = path.strip_prefix("/domain/") {
                    Route::Domain(percent_decode(rest))
                } else {
                    return None;
                }
            }
        })
    }
}

/// How long a page that sums up the whole repertoire (home, members, map, gaps, domains) is
/// served from memory before it is built again. Each reads every entry (a snapshot of 100,000
/// entries takes tens of milliseconds), so under many readers one build serves them all; an
/// entry or a search is always read afresh.
const SUMMARY_TTL: std::time::Duration = std::time::Duration::from_secs(5);

/// One summary page's latest build, and when it was made.
type Slot = Arc<Mutex<Option<(std::time::Instant, Arc<Rendered>)>>>;

impl Route {
    /// The key of a page kept for [`SUMMARY_TTL`]; `None` for pages always built afresh.
    fn summary_key(&self) -> Option<String> {
        match self {
            Route::Home => Some("home".into()),
            Route::Domains => Some("domains".into()),
            Route::Domain(d) => Some(format!("domain/{d}")),
            Route::Members => Some("members".into()),
            Route::Map => Some("map".into()),
            Route::MapSvg => Some("map.svg".into()),
            Route::Gaps => Some("gaps".into()),
            _ => None,
        }
    }
}

impl App {
    /// Render a route on a pooled connection; `None`: no such entry or domain. A summary page
    /// is built by one request at a time, and the others waiting for it take its result.
    fn render(&self, route: &Route) -> anyhow::Result<Option<Arc<Rendered>>> {
        let Some(key) = route.summary_key() else {
            return Ok(self.build(route)?.map(Arc::new));
        };
        let slot: Slot = {
            let mut slots = self.summaries.lock().expect("not poisoned");
            // Domain pages are as many as the domains: forget them all now and then.
            if slots.len() > 1_000 {
                slots.clear();
            }
            Arc::clone(slots.entry(key).or_default())
        };
        let mut kept = slot.lock().expect("not poisoned");
        if let Some((at, page)) = kept.as_ref()
            && at.elapsed() < self.keep
        {
            return Ok(Some(Arc::new(Rendered {
                content_type: page.content_type,
                body: page.body.clone(),
                timings: vec![("kept", std::time::Duration::ZERO)],
            })));
        }
        let built = self.build(route)?.map(Arc::new);
        *kept = built
            .as_ref()
            .map(|page| (std::time::Instant::now(), Arc::clone(page)));
        Ok(built)
    }

    fn build(&self, route: &Route) -> anyhow::Result<Option<Rendered>> {
        let store = match self.pool.lock().expect("not poisoned").pop() {
            Some(store) => store,
            // A request that failed took its connection with it.
            None => super::open_store(&self.db)?,
        };
        let mut ctx = Context::for_request(&self.config, store)?;
        let result = render(&mut ctx, &Links::server(), route);
        if let Some(store) = ctx.into_store() {
            self.pool.lock().expect("not poisoned").push(store);
        }
        result
    }
}

/// A route's page, as the server sends it (the static export writes the same pages).
pub fn render(ctx: &mut Context, links: &Links, route: &Route) -> anyhow::Result<Option<Rendered>> {
    render_within(ctx, links, route, "")
}

/// [`render`], the pages that sum up the repertoire summing up only `scope` and its sub-domains
/// (`""`: all), for `rep export --format html --domain`.
pub fn render_within(
    ctx: &mut Context,
    links: &Links,
    route: &Route,
    scope: &str,
) -> anyhow::Result<Option<Rendered>> {
    let html = |page: pages::Page| {
        Some(Rendered {
            content_type: HTML,
            body: pages::layout(links, &page),
            timings: Vec::new(),
        })
    };
    Ok(match route {
        Route::Home => {
            let home = views::home(ctx, scope)?;
            html(pages::home(links, &home)).map(|r| Rendered {
                timings: home.timings,
                ..r
            })
        }
        Route::Search(q) => {
            let found = views::search(ctx, q, views::SEARCH_HITS)?;
            html(pages::search(links, q, Some(&found)))
        }
        Route::SearchJson(q) => {
            let found = views::search(ctx, q, views::SEARCH_HITS)?;
            Some(Rendered {
                content_type: "application/json",
                body: serde_json::to_string(&search_json(links, &found))?,
                timings: Vec::new(),
            })
        }
        Route::Domains => html(pages::domains(links, &views::domains(ctx, scope)?)),
        Route::Domain(d) => match views::domain(ctx, d)? {
            Some(page) => html(pages::domain(links, &page)),
            None => None,
        },
        Route::Entry(id) => match views::entry(ctx, id)? {
            Some(page) => html(pages::entry(links, &page)),
            None => None,
        },
        Route::Members => html(pages::members(links, &views::members(ctx, scope)?)),
        Route::Map => html(pages::map(links, &views::map(ctx, scope)?)),
        Route::MapSvg => Some(Rendered {
            content_type: "image/svg+xml",
            body: pages::map_svg(&views::map(ctx, scope)?),
            timings: Vec::new(),
        }),
        Route::Gaps => html(pages::gaps(links, &views::gaps(ctx, scope)?)),
        Route::Style => Some(Rendered {
            content_type: "text/css; charset=utf-8",
            body: assets::STYLE_CSS.to_owned(),
            timings: Vec::new(),
        }),
        Route::Script => Some(Rendered {
            content_type: "text/javascript; charset=utf-8",
            body: assets::APP_JS.to_owned(),
            timings: Vec::new(),
        }),
        Route::Icon => Some(Rendered {
            content_type: "image/svg+xml",
            body: assets::ICON_SVG.to_owned(),
            timings: Vec::new(),
        }),
    })
}

/// A search hit for the live results: the script builds elements from it with textContent.
#[derive(serde::Serialize)]
struct JsonHit {
    href: String,
    title: String,
    kind: String,
    domain: String,
    /// The snippet as pieces, each with whether it is a matched word.
    snippet: Vec<(String, bool)>,
}

#[derive(serde::Serialize)]
struct JsonFound {
    corrected: Option<String>,
    hits: Vec<JsonHit>,
}

fn search_json(links: &Links, found: &views::Found) -> JsonFound {
    use crate::output::{HIGHLIGHT_END, HIGHLIGHT_START, sanitize, sanitize_line};
    JsonFound {
        corrected: found.corrected.as_deref().map(sanitize_line),
        hits: found
            .hits
            .iter()
            .map(|h| {
                let clean = sanitize(&h.snippet);
                let snippet = clean
                    .split([HIGHLIGHT_START, HIGHLIGHT_END])
                    .enumerate()
                    .map(|(i, piece)| {
                        (
                            piece.split_whitespace().collect::<Vec<_>>().join(" "),
                            i % 2 == 1,
                        )
                    })
                    .collect();
                JsonHit {
                    href: links.entry(&h.entry.id),
                    title: sanitize_line(&h.entry.title),
                    kind: h.entry.kind.to_string(),
                    domain: sanitize_line(&h.entry.domain),
                    snippet,
                }
            })
            .collect(),
    }
}
