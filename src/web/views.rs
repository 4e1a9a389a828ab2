//! What each page shows, gathered with the library calls the CLI commands make, so that the web
//! view and the terminal always agree (`rep show`'s thread, `rep search`'s ranking, `rep gaps`,
//! `rep map`, `rep members`, `rep news`'s window).

use crate::context::Context;
use crate::gaps::Gap;
use crate::history::Change;
use crate::model::community::WaitingQuestion;
use crate::model::news::News;
use crate::model::practice::Candidate;
use crate::model::practice::Thread;
use crate::model::{Count, Entry, SearchHit};
use crate::participation::MemberSummary;
use crate::store::entries::{self, Filter, Scope, Sort};
use crate::store::news::{self, Window};
use crate::store::ranking;
use crate::store::snapshot::Snapshot;

/// "What's new this week".
const NEWS_DAYS: i64 = 7;
const DAY_MS: i64 = 24 * 3_600_000;
/// How many items a home page section lists.
pub const HOME_ITEMS: usize = 10;
/// Hits on a search page, as `rep search` shows by default.
pub const SEARCH_HITS: usize = 20;

pub struct Home {
    pub news: News,
    pub open_questions: Vec<WaitingQuestion>,
    pub open_total: usize,
    pub recurring: Vec<Candidate>,
    pub gaps: Vec<Gap>,
    pub gaps_total: usize,
}

pub fn home(ctx: &mut Context) -> anyhow::Result<Home> {
    let now = ctx.now();
    let min = ctx.config.recurring.min_occurrences;
    let is_recurring =
        |occurrences, members| crate::rules::recurrence::is_recurring(occurrences, members, min);
    let (news, mut open, recurring) = ctx.store_for_reading()?.read(|c| {
        let news = news::news(c, Window::Since(now - NEWS_DAYS * DAY_MS), is_recurring)?;
        let snap = Snapshot::load(c)?;
        // Every question still waiting: unanswered, or answered and not resolved.
        let open = snap.waiting_questions("", now + 1, now + 1);
        let mut recurring = snap.undocumented_recurring(c, "", min)?;
        recurring.truncate(HOME_ITEMS);
        for r in &mut recurring {
            r.short_id = entries::short_id(c, &r.id)?;
        }
        Ok((news, open, recurring))
    })?;
    let open_total = open.len();
    // Newest first: the home page shows what is waiting now.
    open.reverse();
    open.truncate(HOME_ITEMS);
    ctx.store_for_reading()?.read(|c| {
        for q in &mut open {
            q.title = crate::store::practice::title_of(c, &q.id)?;
        }
        Ok(())
    })?;
    let (gaps, gaps_total) = ctx.gaps("", 5)?;
    Ok(Home {
        news,
        open_questions: open,
        open_total,
        recurring,
        gaps,
        gaps_total,
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

pub fn entry_by_seq(ctx: &mut Context, seq: i64) -> anyhow::Result<EntryPage> {
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

pub fn domains(ctx: &mut Context) -> anyhow::Result<Vec<Count>> {
    ctx.store_for_reading()?.read(entries::domain_counts)
}

/// `rep map` over the community window (`domain` "" for all).
pub fn map(ctx: &mut Context, domain: &str) -> anyhow::Result<crate::model::community::Map> {
    let since = crate::rules::staleness::window_start(ctx.now(), ctx.config.community.window_days);
    ctx.map(domain, since)
}

pub fn members(ctx: &mut Context) -> anyhow::Result<Vec<MemberSummary>> {
    let since = crate::rules::staleness::window_start(ctx.now(), ctx.config.community.window_days);
    let all = ctx
        .store_for_reading()?
        .read(|c| Ok(Snapshot::load(c)?.activities()))?;
    Ok(crate::participation::summarise(&all, since).0)
}

pub fn gaps(ctx: &mut Context) -> anyhow::Result<Vec<Gap>> {
    Ok(ctx.gaps("", 0)?.0)
}
