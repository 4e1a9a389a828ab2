//! `rep export --format html`: the served pages as a static site that works from `file://` or
//! any web server. Search runs in the browser over a small index (`assets/search-index.js`: a
//! JSON array assigned to one global, since a page opened from `file://` may not fetch files).

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::assets;
use super::pages::{self, Links};
use super::server::{Route, render_within};
use super::views;
use crate::config::Config;
use crate::context::Context;
use crate::model::EntrySeq;
use crate::store::Store;
use crate::store::entries::{self, Listed};

/// Threads rendering entry pages, each on its own read-only connection: one a core, and one
/// more to keep the cores busy while the others wait on the file system.
fn workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().min(4)) + 1
}

/// What was written.
pub struct Exported {
    pub entries: usize,
    pub replies: usize,
}

/// A read-only connection for the export, with 16 MB of page cache (the server's connections
/// keep SQLite's 2 MB, to stay small).
fn open(db: &Path) -> anyhow::Result<Store> {
    let mut store = super::open_store(db)?;
    store.read(|c| Ok(c.pragma_update(None, "cache_size", -16_384)?))?;
    Ok(store)
}

/// Write every page under `dir` (created if needed); with `scope`, only that domain and its
/// sub-domains (their entries, and summary pages about them alone). `db` is opened read-only
/// once per worker.
pub fn export_site(
    config: &Config,
    db: &Path,
    dir: &Path,
    scope: Option<&str>,
) -> anyhow::Result<Exported> {
    let scope = scope.unwrap_or("");
    std::fs::create_dir_all(dir.join("assets"))
        .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    let mut ctx = Context::for_request(config, open(db)?)?;
    // The index, the domains and every summary page from one moment of the repertoire: one read
    // transaction, and one analysis snapshot kept by the context for all the summaries.
    ctx.store_for_reading()?.hold_read()?;
    let mut all = ctx.store_for_reading()?.read(entries::list_all_titles)?;
    all.retain(|e| crate::rules::domain::is_within_or_all(&e.domain, scope));
    // In row order, so that each worker reads the entries table front to back through its
    // page cache, where title order read a 16 KiB page from disk for nearly every entry.
    let mut rows: Vec<(EntrySeq, &str)> = all.iter().map(|e| (e.seq, e.id.as_str())).collect();
    rows.sort_unstable();
    let domains = views::domains(&mut ctx, scope)?;
    let put = |path: &str, text: &str| -> anyhow::Result<()> { write(dir, path, text) };
    put("assets/style.css", assets::STYLE_CSS)?;
    put("assets/app.js", assets::APP_JS)?;
    put("assets/icon.svg", assets::ICON_SVG)?;
    put("assets/search-index.js", &search_index(&all)?)?;
    // The summaries on this thread while the workers write the entry pages.
    std::thread::scope(|threads| {
        let pages = threads.spawn(|| entry_pages(config, db, dir, &rows));
        let summaries = (|| -> anyhow::Result<()> {
            for (path, route) in [
                ("index.html", Route::Home),
                ("search.html", Route::Search(String::new())),
                ("domains.html", Route::Domains),
                ("members.html", Route::Members),
                ("map.html", Route::Map),
                ("map.svg", Route::MapSvg),
                ("gaps.html", Route::Gaps),
            ] {
                let links = Links::static_page(path);
                if let Some(r) = render_within(&mut ctx, &links, &route, scope)? {
                    put(path, &r.body)?;
                }
            }
            let mut domain_pages = std::collections::HashSet::new();
            for d in &domains {
                let page = format!("{}.html", d.name);
                let path = format!("domain/{page}");
                let links = Links::static_page(&path);
                let route = Route::Domain(d.name.clone());
                if let Some(r) = render_within(&mut ctx, &links, &route, scope)? {
                    put(&path, &r.body)?;
                    domain_pages.insert(page);
                }
            }
            let folder = dir.join("domain");
            if folder.is_dir() {
                remove_unwritten_pages(&folder, &domain_pages, Pages::Nested)?;
            }
            ctx.store_for_reading()?.release_read()
        })();
        let written = pages
            .join()
            .map_err(|_| anyhow::anyhow!("an export worker crashed"))?;
        summaries?;
        let (entries, replies) = written?;
        Ok(Exported { entries, replies })
    })
}

/// Entry pages (row and id), split among the workers in contiguous runs of rows: how many, and
/// how many replies they show.
fn entry_pages(
    config: &Config,
    db: &Path,
    dir: &Path,
    rows: &[(EntrySeq, &str)],
) -> anyhow::Result<(usize, usize)> {
    let folder = dir.join("entry");
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("cannot create the folder {}", folder.display()))?;
    let chunk = rows.len().div_ceil(workers()).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = rows
            .chunks(chunk)
            .map(|part| {
                let folder = &folder;
                scope.spawn(move || -> anyhow::Result<(usize, usize)> {
                    let mut ctx = Context::for_request(config, open(db)?)?;
                    let links = Links::static_page("entry/x.html");
                    let mut replies = 0;
                    // One read transaction for the whole run of rows (Store::hold_read).
                    ctx.store_for_reading()?.hold_read()?;
                    for &(seq, id) in part {
                        let page = views::entry_by_seq(&mut ctx, seq)?;
                        replies += page.thread.replies.len();
                        let html = pages::layout(&links, &pages::entry(&links, &page));
                        write_if_changed(&folder.join(format!("{id}.html")), &html)?;
                    }
                    ctx.store_for_reading()?.release_read()?;
                    Ok((part.len(), replies))
                })
            })
            .collect();
        let (mut pages, mut replies) = (0, 0);
        for h in handles {
            let (p, r) = h
                .join()
                .map_err(|_| anyhow::anyhow!("an export worker crashed"))??;
            pages += p;
            replies += r;
        }
        let written: std::collections::HashSet<String> =
            rows.iter().map(|(_, id)| format!("{id}.html")).collect();
        remove_unwritten_pages(&folder, &written, Pages::Flat)?;
        Ok((pages, replies))
    })
}

/// Where the pages of one folder are.
#[derive(Clone, Copy, PartialEq)]
enum Pages {
    /// In the folder itself: an entry's page is named by its id, which holds no `/`.
    Flat,
    /// Also in folders below it: a domain's page is named by the domain, and `k8s/networking`
    /// is `k8s/networking.html`.
    Nested,
}

/// Remove the pages in `folder` that this export did not write; `written` names them by their
/// path below `folder`. An export into the folder of an earlier one would otherwise leave the
/// pages of entries deleted since, of domains that hold nothing any more, or of those outside
/// the domain now exported, published beside the rest. Only `.html` files go: whatever else
/// the folder holds stays, and a folder below it goes only when this emptied it.
fn remove_unwritten_pages(
    folder: &Path,
    written: &std::collections::HashSet<String>,
    pages: Pages,
) -> anyhow::Result<()> {
    remove_unwritten_below(folder, "", written, pages)?;
    Ok(())
}

/// [`remove_unwritten_pages`] in `folder`, whose path below the top one is `prefix`: whether
/// it emptied the folder (removed something, and left nothing).
fn remove_unwritten_below(
    folder: &Path,
    prefix: &str,
    written: &std::collections::HashSet<String>,
    pages: Pages,
) -> anyhow::Result<bool> {
    let cannot = || format!("cannot read the folder {}", folder.display());
    let (mut removed_any, mut all_removed) = (false, true);
    for item in std::fs::read_dir(folder).with_context(cannot)? {
        let item = item.with_context(cannot)?;
        // A name that is not UTF-8 is no page rep writes.
        let Some(name) = item.file_name().to_str().map(|n| format!("{prefix}{n}")) else {
            all_removed = false;
            continue;
        };
        let kind = item.file_type()?;
        let removed = if kind.is_dir() && pages == Pages::Nested {
            let emptied =
                remove_unwritten_below(&item.path(), &format!("{name}/"), written, pages)?;
            if emptied {
                std::fs::remove_dir(item.path())
                    .with_context(|| format!("cannot remove {}", item.path().display()))?;
            }
            emptied
        } else if kind.is_file() && name.ends_with(".html") && !written.contains(&name) {
            std::fs::remove_file(item.path())
                .with_context(|| format!("cannot remove {}", item.path().display()))?;
            true
        } else {
            false
        };
        removed_any |= removed;
        all_removed &= removed;
    }
    Ok(removed_any && all_removed)
}

fn write(dir: &Path, path: &str, text: &str) -> anyhow::Result<()> {
    let file: PathBuf = dir.join(path);
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)?;
    }
    write_if_changed(&file, text)
}

/// Write `text` to `file` unless it holds exactly that already. A site exported again into its
/// folder then rewrites only the pages that changed: their times tell rsync or a web server's
/// cache what is new, and the file system frees and allocates nothing for the rest (rewriting
/// 100,000 unchanged pages cost more than writing them into an empty folder).
fn write_if_changed(file: &Path, text: &str) -> anyhow::Result<()> {
    match std::fs::read(file) {
        Ok(old) if old == text.as_bytes() => return Ok(()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", file.display())),
    }
    std::fs::write(file, text).with_context(|| format!("cannot write {}", file.display()))
}

/// `window.REP_INDEX = [[href, title, kind, domain, tags], ...]`, hrefs relative to the top.
fn search_index(all: &[Listed]) -> anyhow::Result<String> {
    use crate::output::sanitize_line;
    let links = Links::static_page("index.html");
    let rows: Vec<[String; 5]> = all
        .iter()
        .map(|e| {
            [
                links.entry(&e.id),
                sanitize_line(&e.title),
                e.kind.to_string(),
                sanitize_line(&e.domain),
                sanitize_line(&e.tags),
            ]
        })
        .collect();
    Ok(format!(
        "// The search index of this static copy (rep export --format html).\nwindow.REP_INDEX = {};\n",
        serde_json::to_string(&rows)?
    ))
}
