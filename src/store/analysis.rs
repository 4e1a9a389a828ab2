//! The figures of the knowledge map, gaps, experts and activity (computed from a
//! [`super::snapshot::Snapshot`] where a whole-repertoire pass is needed), and the SQL of
//! search misses, `rep who` and `rep stats`,
//! so that figures over 100,000 entries stay fast.

use crate::model::EntrySeq;
use crate::model::community::{MatchedWork, Miss};
use crate::timefmt::Millis;
use rusqlite::{Connection, params};
use rustc_hash::FxHashMap as HashMap;

/// The domain bound at `?1` and its sub-domains, or everything when it is `''`.
fn in_domain() -> String {
    super::rules_sql::within_domain_or_all("domain", 1)
}

/// Count a search or ask that found nothing (local only).
/// `words` is the miss's key ([`crate::search::miss_key`]), `typed` what the member typed; the
/// first typing is kept.
pub fn record_miss(
    conn: &Connection,
    words: &str,
    typed: &str,
    domain: &str,
    now: Millis,
) -> anyhow::Result<()> {
    conn.execute(
        "INSERT INTO search_misses (words, domain, count, last_ms, typed) VALUES (?1, ?2, 1, ?3, ?4)
         ON CONFLICT (words, domain) DO UPDATE SET count = count + 1,
             last_ms = max(last_ms, excluded.last_ms), typed = coalesce(typed, excluded.typed)",
        params![words, domain, now, typed],
    )?;
    Ok(())
}

pub fn misses(conn: &Connection, domain: &str) -> anyhow::Result<Vec<Miss>> {
    let in_domain = in_domain();
    let mut stmt = conn.prepare(&format!(
        "SELECT words, domain, count, last_ms, typed FROM search_misses WHERE {in_domain}
          ORDER BY count DESC, last_ms DESC, words"
    ))?;
    let rows = stmt.query_map([domain], |r| {
        Ok(Miss {
            words: r.get(0)?,
            domain: r.get(1)?,
            count: r.get(2)?,
            last_ms: r.get(3)?,
            typed: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The best `limit` matching entries and replies, and the replies on the matching entries.
pub fn matched_work(
    conn: &Connection,
    fts_query: &str,
    limit: usize,
) -> anyhow::Result<Vec<MatchedWork>> {
    let mut out = Vec::new();
    let mut entries = conn.prepare(
        "SELECT e.seq, e.author, e.id, e.title, -entries_fts.rank FROM entries_fts
           JOIN entries e ON e.seq = entries_fts.rowid
          WHERE entries_fts MATCH ?1 ORDER BY entries_fts.rank LIMIT ?2",
    )?;
    let mut matched: Vec<(EntrySeq, String, String, f64)> = Vec::new();
    for row in entries.query_map(params![fts_query, limit as i64], |r| {
        Ok((
            r.get::<_, EntrySeq>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, f64>(4)?,
        ))
    })? {
        let (seq, author, id, title, relevance) = row?;
        out.push(MatchedWork {
            member: author,
            how: "authored",
            entry_id: id.clone(),
            title: title.clone(),
            relevance,
        });
        matched.push((seq, id, title, relevance));
    }
    let mut on_entry = conn.prepare_cached(
        "SELECT author, accepted FROM replies WHERE entry_seq = ?1 AND deleted = 0",
    )?;
    for (seq, id, title, relevance) in &matched {
        for row in on_entry.query_map([seq], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?))
        })? {
            let (member, accepted) = row?;
            let how = if accepted { "accepted" } else { "answered" };
            out.push(MatchedWork {
                member,
                how,
                entry_id: id.clone(),
                title: title.clone(),
                relevance: *relevance,
            });
        }
    }
    scale_to_best(&mut out);
    let entry_matches = out.len();
    let mut replies = conn.prepare(
        "SELECT r.author, r.accepted, e.id, e.title, e.seq, -replies_fts.rank FROM replies_fts
           JOIN replies r ON r.seq = replies_fts.rowid JOIN entries e ON e.seq = r.entry_seq
          WHERE replies_fts MATCH ?1 AND e.deleted = 0 ORDER BY replies_fts.rank LIMIT ?2",
    )?;
    for row in replies.query_map(params![fts_query, limit as i64], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, bool>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, EntrySeq>(4)?,
            r.get::<_, f64>(5)?,
        ))
    })? {
        let (member, accepted, id, title, seq, relevance) = row?;
        // A reply on a matching entry is already counted through the entry.
        if matched.iter().any(|m| m.0 == seq) {
            continue;
        }
        let how = if accepted { "accepted" } else { "answered" };
        out.push(MatchedWork {
            member,
            how,
            entry_id: id,
            title,
            relevance,
        });
    }
    scale_to_best(&mut out[entry_matches..]);
    Ok(out)
}

/// Divide relevances by the best one, so the best is 1.
fn scale_to_best(work: &mut [MatchedWork]) {
    let best = work.iter().map(|w| w.relevance).fold(0.0, f64::max);
    for w in work {
        w.relevance = if best > 0.0 { w.relevance / best } else { 1.0 };
    }
}

/// Raw events for weekly stats, each given to `event` as it is read: (domain, kind of event,
/// time, optional duration in ms). Not listed: at 1,000,000 entries twelve weeks hold 300,000
/// events, and a list of them with a domain string each was most of `rep stats`'s memory.
///
/// Every figure comes from an index, never from the rows with their bodies: entries and their
/// domains from `entries_for_analysis`, resolutions from `entries_resolutions` (schema 11), and
/// occurrences, joined to their entries' domains here rather than by SQLite, whose plan probed
/// the occurrences once for every entry in the repertoire.
pub fn stats_events(
    conn: &Connection,
    domain: &str,
    since: Millis,
    mut event: impl FnMut(&str, &'static str, Millis, Option<Millis>),
) -> anyhow::Result<()> {
    let in_domain = in_domain();
    let mut seen: HashMap<EntrySeq, Vec<Millis>> = HashMap::default();
    let mut stmt = conn.prepare("SELECT entry_seq, at_ms FROM occurrences WHERE at_ms >= ?1")?;
    for row in stmt.query_map([since], |r| {
        Ok((r.get::<_, EntrySeq>(0)?, r.get::<_, Millis>(1)?))
    })? {
        let (seq, at) = row?;
        seen.entry(seq).or_default().push(at);
    }
    // One pass over the live entries: those created in the range give their own events, those
    // seen in the range their occurrences. The first answer is looked up for the questions in
    // the range only.
    let mut stmt = conn.prepare(&format!(
        "SELECT seq, created_ms, domain, kind,
                CASE WHEN created_ms >= ?2 AND kind = 'question' THEN
                  (SELECT min(r.created_ms) FROM replies r WHERE r.entry_seq = e.seq AND r.deleted = 0) - created_ms
                END
           FROM entries e INDEXED BY entries_for_analysis WHERE deleted = 0 AND {in_domain}"
    ))?;
    let mut rows = stmt.query(params![domain, since])?;
    while let Some(r) = rows.next()? {
        let created_ms: Millis = r.get(1)?;
        let occurrences = seen.get(&r.get::<_, EntrySeq>(0)?);
        if created_ms < since && occurrences.is_none() {
            continue;
        }
        let d = r.get_ref(2)?.as_str()?;
        if created_ms >= since {
            event(d, "entry", created_ms, None);
            if r.get_ref(3)?.as_str()? == "question" {
                event(d, "asked", created_ms, r.get(4)?);
            }
        }
        for at in occurrences.into_iter().flatten() {
            event(d, "occurrence", *at, None);
        }
    }
    // Resolutions count in their own week, also for questions asked before the range.
    let mut stmt = conn.prepare(&format!(
        "SELECT domain, CAST(substr(resolved_at, 1, 13) AS INTEGER) AS at
           FROM entries INDEXED BY entries_resolutions
          WHERE deleted = 0 AND kind = 'question' AND resolved IS 1 AND {in_domain}
            AND CAST(substr(resolved_at, 1, 13) AS INTEGER) >= ?2"
    ))?;
    let mut rows = stmt.query(params![domain, since])?;
    while let Some(r) = rows.next()? {
        event(r.get_ref(0)?.as_str()?, "resolved", r.get(1)?, None);
    }
    Ok(())
}
