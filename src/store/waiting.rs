//! The questions still waiting (unanswered, or answered and not resolved), newest first, read
//! from the indexes: the web view's home lists the newest few with their count in a few
//! milliseconds, where [`super::snapshot::Snapshot::waiting_questions`] reads every entry. The
//! same rule: a live question, not resolved, not a duplicate of a live entry (an agreement
//! test below holds the two together).

use rusqlite::{Connection, params};

use super::rules_sql::within_domain_or_all;

/// A waiting question as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub id: String,
    pub title: String,
    pub domain: String,
    pub author: String,
    /// Its live replies.
    pub replies: u64,
}

/// The entries a waiting question is found among: every live question not resolved, in the
/// order of their creation, from the small index of schema 14 that holds them and every column
/// [`waiting`] reads. Named, because without statistics SQLite's planner prefers
/// entries_for_analysis for its two equalities (deleted, kind), reads all of its questions and
/// sorts them.
const QUESTIONS: &str = "entries e INDEXED BY entries_waiting";

/// The condition on `entries e` (from [`QUESTIONS`]) of a waiting question in the domain bound
/// at `?1`. The CROSS JOIN keeps the duplicate check starting from the question's few links: left to itself,
/// SQLite's planner may start from every live entry instead (`+t.deleted` keeps it off
/// entries_for_analysis), which made one count take minutes at 100,000 entries.
fn waiting() -> String {
    format!(
        "e.deleted = 0 AND e.kind = 'question' AND e.resolved IS NOT 1 AND {}
         AND NOT EXISTS (SELECT 1 FROM links l CROSS JOIN entries t ON t.id = l.target_id
                          WHERE l.source_seq = e.seq AND l.kind = 'duplicate' AND l.present = 1
                            AND +t.deleted = 0)",
        within_domain_or_all("e.domain", 1)
    )
}

/// The newest `limit` questions waiting in `domain` and its sub-domains (`""`: all), and how
/// many wait in all.
pub fn newest(
    conn: &Connection,
    domain: &str,
    limit: usize,
) -> anyhow::Result<(Vec<Waiting>, usize)> {
    let total: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM {QUESTIONS} WHERE {}",
            waiting()
        ))?
        .query_row([domain], |r| r.get(0))?;
    // The newest are found in the index's order, and only their rows are read: sorting every
    // waiting question with its title and its replies counted read most of the entries table.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT e.id, e.title, e.domain, e.author,
                (SELECT count(*) FROM replies r WHERE r.entry_seq = e.seq AND r.deleted = 0)
           FROM entries e
          WHERE e.seq IN (SELECT e.seq FROM {QUESTIONS} WHERE {}
                           ORDER BY e.created_ms DESC, e.id DESC LIMIT ?2)
          ORDER BY e.created_ms DESC, e.id DESC",
        waiting()
    ))?;
    let rows = stmt.query_map(
        params![domain, i64::try_from(limit).unwrap_or(i64::MAX)],
        |r| {
            Ok(Waiting {
                id: r.get(0)?,
                title: r.get(1)?,
                domain: r.get(2)?,
                author: r.get(3)?,
                replies: r.get(4)?,
            })
        },
    )?;
    let newest = rows.collect::<Result<_, _>>()?;
    Ok((newest, usize::try_from(total).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::entries::{NewEntry, insert};
    use crate::store::practice::{add_reply, set_link, set_resolved};
    use crate::store::snapshot::Snapshot;

    fn new(kind: &str, title: &str, domain: &str) -> NewEntry {
        NewEntry {
            kind: kind.into(),
            title: title.into(),
            body: String::new(),
            domain: domain.into(),
            tags: vec![],
            author: "ana".into(),
            command: None,
            link: None,
        }
    }

    #[test]
    fn the_indexed_waiting_questions_agree_with_the_snapshot() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .write(|w| {
                let mut at = 1_000;
                let mut add = |kind: &str, title: &str, domain: &str| {
                    at += 1_000;
                    insert(w, &new(kind, title, domain), at)
                };
                add("question", "plain", "k8s")?;
                let (answered, _) = add("question", "answered", "k8s/networking")?;
                add_reply(w, answered, "bo", "try this", 10_000)?;
                let (resolved, _) = add("question", "resolved", "k8s")?;
                let s = w.tick(11_000)?;
                set_resolved(w.conn(), resolved, true, &s, "ana", 11_000)?;
                let (gone, _) = add("question", "deleted", "k8s")?;
                let s = w.tick(12_000)?;
                crate::store::entries::set_deleted(w.conn(), gone, true, &s, "ana", 12_000)?;
                let (_, original) = add("question", "original", "k8s")?;
                let (dup, _) = add("question", "a duplicate", "k8s")?;
                let s = w.tick(13_000)?;
                set_link(w.conn(), dup, &original, "duplicate", true, &s)?;
                let (_, removed) = add("question", "removed original", "k8s")?;
                let (dup_of_removed, _) = add("question", "duplicate of a deleted one", "k8s")?;
                let s = w.tick(14_000)?;
                set_link(w.conn(), dup_of_removed, &removed, "duplicate", true, &s)?;
                let removed_seq = crate::store::entries::resolve(
                    w.conn(),
                    &removed,
                    crate::store::entries::Scope::Any,
                )?;
                let s = w.tick(15_000)?;
                crate::store::entries::set_deleted(w.conn(), removed_seq, true, &s, "ana", 15_000)?;
                let (unlinked, _) = add("question", "a duplicate no more", "k8s")?;
                let s = w.tick(16_000)?;
                set_link(w.conn(), unlinked, &original, "duplicate", true, &s)?;
                let s = w.tick(17_000)?;
                set_link(w.conn(), unlinked, &original, "duplicate", false, &s)?;
                add("problem", "a problem", "k8s")?;
                add("question", "elsewhere", "pg")?;
                add("question", "k8s-old is not k8s", "k8s-old")?;
                Ok(())
            })
            .unwrap();
        store
            .read(|c| {
                let snap = Snapshot::load(c)?;
                for domain in ["", "k8s", "k8s/networking", "pg", "none"] {
                    let mut expected = snap.waiting_questions(domain, i64::MAX, i64::MAX);
                    expected.reverse();
                    for limit in [0, 2, 100] {
                        let (got, total) = newest(c, domain, limit)?;
                        assert_eq!(total, expected.len(), "{domain:?}");
                        let ids: Vec<&str> = got.iter().map(|q| q.id.as_str()).collect();
                        let want: Vec<&str> =
                            expected.iter().take(limit).map(|q| q.id.as_str()).collect();
                        assert_eq!(ids, want, "{domain:?}, limit {limit}");
                        for (g, w) in got.iter().zip(&expected) {
                            assert_eq!(g.replies, w.replies, "{}", g.title);
                            assert_eq!((&g.domain, &g.author), (&w.domain, &w.author));
                        }
                    }
                }
                let (all, _) = newest(c, "", 100)?;
                let titles: Vec<&str> = all.iter().map(|q| q.title.as_str()).collect();
                assert_eq!(
                    titles,
                    [
                        "k8s-old is not k8s",
                        "elsewhere",
                        "a duplicate no more",
                        "duplicate of a deleted one",
                        "original",
                        "answered",
                        "plain"
                    ]
                );
                Ok(())
            })
            .unwrap();
    }
}
