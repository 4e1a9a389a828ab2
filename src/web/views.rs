//! What each page shows, gathered with the library calls the CLI commands make, so that the web
//! view and the terminal always agree (`rep show`'s thread, `rep search`'s ranking, `rep gaps`,
//! `rep map`, `rep members`, `rep news`'s window).

use crate::context::Context;
use crate::gaps::Gap;
use crate::history::Change;
use crate::model::EntrySeq;
use crate::model::news::News;
use crate::model::practice::Thread;
use crate::model::{Count, Entry, SearchHit};
use crate::participation::MemberSummary;
use crate::store::entries::{self, Filter, Scope, Sort};
use crate::store::news::{self, Window};
use crate::store::ranking;
use crate::store::waiting::{self, Waiting};

/// "What's new this week".
const NEWS_DAYS: i64 = 7;
const DAY_MS: i64 = 24 * 3_600_000;
/// How many items a home page section lists.
pub const HOME_ITEMS: usize = 10;
/// Hits on a search page, as `rep search` shows by default.
pub const SEARCH_HITS: usize = 20;

pub struct Home {
    pub news: News,
    /// How many items each news section holds (the page lists the first [`HOME_ITEMS`]).
    pub news_counts: news::Counts,
    /// The newest questions still waiting, and how many wait in all.
    pub open_questions: Vec<Waiting>,
    pub open_total: usize,
    /// Where the page's time went, part by part, for the Server-Timing header.
    pub timings: Timings,
}

/// Named durations, as `Server-Timing` metrics.
pub type Timings = Vec<(&'static str, std::time::Duration)>;

/// Time `part` under `name`.
fn timed<T>(
    timings: &mut Timings,
    name: &'static str,
    part: impl FnOnce() -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let started = std::time::Instant::now();
    let out = part();
    timings.push((name, started.elapsed()));
    out
}

/// The home page of `domain` and its sub-domains (`""`: all), from the indexes alone: the
/// first [`HOME_ITEMS`] of each news section with their counts, and the newest waiting
/// questions with theirs. The gaps and the recurring problems without a write-up need a pass
/// over every entry (100 ms and more at 100,000 entries), so the home links to the gaps page
/// rather than wait for them.
pub fn home(ctx: &mut Context, domain: &str) -> anyhow::Result<Home> {
    let now = ctx.now();
    let min = ctx.config.recurring.min_occurrences;
    let is_recurring =
        |occurrences, members| crate::rules::recurrence::is_recurring(occurrences, members, min);
    let mut timings = Timings::new();
    let t = &mut timings;
    let store = ctx.store_for_reading()?;
    let (news, news_counts) = timed(t, "news", || {
        store.read(|c| {
            let window = Window::Since(now - NEWS_DAYS * DAY_MS);
            news::first_news(c, window, is_recurring, HOME_ITEMS, domain)
        })
    })?;
    let (open_questions, open_total) = timed(t, "open", || {
        store.read(|c| waiting::newest(c, domain, HOME_ITEMS))
    })?;
    Ok(Home {
        news,
        news_counts,
        open_questions,
        open_total,
        timings,
    })
}

pub struct Found {
    pub hits: Vec<SearchHit>,
    /// The query searched instead, when the words typed matched nothing.
    pub corrected: Option<String>,
}

/// `rep search`'s ranking, without recording a miss (the server writes nothing).
pub fn search(ctx: &mut Context, text: &str, limit: usize) -> anyhow::Result<Found> {
    if crate::search::Words::parse(text).is_none() {
        return Ok(Found {
            hits: Vec::new(),
            corrected: None,
        });
    }
    let ranked = ctx
        .store_for_reading()?
        .read(|c| ranking::search(c, text, &Filter::default(), Some(limit)))?;
    Ok(Found {
        hits: ranked.hits,
        corrected: ranked.corrected.map(|c| c.query),
    })
}

pub struct EntryPage {
    pub thread: Thread,
    pub history: Vec<Change>,
}

/// An entry by its id or a unique prefix; `None` when there is no such entry.
pub fn entry(ctx: &mut Context, id: &str) -> anyhow::Result<Option<EntryPage>> {
    let Ok(seq) = ctx
        .store_for_reading()?
        .read(|c| entries::resolve(c, id, Scope::Any))
    else {
        return Ok(None);
    };
    entry_by_seq(ctx, seq).map(Some)
}

pub fn entry_by_seq(ctx: &mut Context, seq: EntrySeq) -> anyhow::Result<EntryPage> {
    let thread = ctx.thread(seq)?;
    let history = ctx.store_for_reading()?.read(|c| {
        let record = crate::store::exchange::load_record(c, seq)?;
        let past = crate::store::past_states::of_record(c, &record.id)?;
        Ok(crate::history::of_entry(&record, &past))
    })?;
    Ok(EntryPage { thread, history })
}

pub struct DomainPage {
    pub domain: String,
    pub entries: Vec<Entry>,
    pub total: u64,
    pub figures: Option<crate::model::community::DomainMap>,
    pub gaps: Vec<Gap>,
}

/// How many entries a domain page lists (newest first).
pub const DOMAIN_ENTRIES: usize = 200;

pub fn domain(ctx: &mut Context, name: &str) -> anyhow::Result<Option<DomainPage>> {
    let Ok(domain) = crate::model::normalize_domain(name) else {
        return Ok(None);
    };
    let filter = Filter {
        domain: Some(domain.clone()),
        ..Filter::default()
    };
    let (list, total) = ctx.store_for_reading()?.read(|c| {
        let total: u64 = entries::domain_counts(c)?
            .iter()
            .filter(|d| d.name == domain || d.name.starts_with(&format!("{domain}/")))
            .map(|d| d.entries)
            .sum();
        Ok((
            entries::list(c, &filter, Sort::Created, Some(DOMAIN_ENTRIES))?,
            total,
        ))
    })?;
    if total == 0 {
        return Ok(None);
    }
    let map = map(ctx, &domain)?;
    let figures = map.domains.into_iter().find(|d| d.facts.domain == domain);
    let (gaps, _) = ctx.gaps(&domain, 0)?;
    Ok(Some(DomainPage {
        domain,
        entries: list,
        total,
        figures,
        gaps,
    }))
}

/// The domains within `domain` (`""`: all) with their entry counts.
pub fn domains(ctx: &mut Context, domain: &str) -> anyhow::Result<Vec<Count>> {
    let mut counts = ctx.store_for_reading()?.read(entries::domain_counts)?;
    counts.retain(|c| crate::rules::domain::is_within_or_all(&c.name, domain));
    Ok(counts)
}

/// `rep map` over the community window (`domain` "" for all).
pub fn map(ctx: &mut Context, domain: &str) -> anyhow::Result<crate::model::community::Map> {
    let since = crate::rules::staleness::window_start(ctx.now(), ctx.config.community.window_days);
    ctx.map(domain, since)
}

/// The members who did something in `domain` and its sub-domains (`""`: all), with what they
/// did there.
pub fn members(ctx: &mut Context, domain: &str) -> anyhow::Result<Vec<MemberSummary>> {
    let since = crate::rules::staleness::window_start(ctx.now(), ctx.config.community.window_days);
    let mut all = ctx.snapshot()?.activities();
    all.retain(|a| crate::rules::domain::is_within_or_all(&a.domain, domain));
    Ok(crate::participation::summarise(&all, since).0)
}

pub fn gaps(ctx: &mut Context, domain: &str) -> anyhow::Result<Vec<Gap>> {
    Ok(ctx.gaps(domain, 0)?.0)
}
