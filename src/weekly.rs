//! Activity per domain and week (entries, questions asked and resolved, the median time to a
//! first answer, occurrences), for `rep stats`.

use std::collections::BTreeMap;

use crate::model::community::{DomainStats, Week};
use crate::timefmt::{self, DAY_MS, Millis, WEEK_MS};

/// 1970-01-05, the first Monday after the epoch: weeks start on Mondays.
const FIRST_MONDAY: Millis = 4 * DAY_MS;

pub fn week_start(ms: Millis) -> Millis {
    ms - (ms - FIRST_MONDAY).rem_euclid(WEEK_MS)
}

/// The start of the first of `weeks` weeks that end with the week of `now`.
pub fn first_week(now: Millis, weeks: usize) -> Millis {
    week_start(now) - (weeks.max(1) as Millis - 1) * WEEK_MS
}

/// Bucket events into `weeks` weeks ending with the week of `now`.
#[cfg(test)]
pub fn weekly(
    events: &[(String, &'static str, Millis, Option<Millis>)],
    now: Millis,
    weeks: usize,
) -> Vec<DomainStats> {
    let mut w = Weekly::new(now, weeks);
    for (domain, what, at, duration) in events {
        w.add(domain, what, *at, *duration);
    }
    w.finish()
}

/// Events bucketed into `weeks` weeks ending with the week of `now`, one at a time: the
/// events need not be listed.
pub struct Weekly {
    weeks: usize,
    first: Millis,
    last: Millis,
    by_domain: BTreeMap<String, Vec<(Week, Vec<Millis>)>>,
}

impl Weekly {
    pub fn new(now: Millis, weeks: usize) -> Weekly {
        Weekly {
            weeks,
            first: first_week(now, weeks),
            last: week_start(now),
            by_domain: BTreeMap::new(),
        }
    }

    /// One event (`entry`, `asked`, `resolved` or an occurrence) of `domain` at `at`.
    pub fn add(&mut self, domain: &str, what: &str, at: Millis, duration: Option<Millis>) {
        let w = week_start(at);
        if w < self.first || w > self.last {
            return;
        }
        if !self.by_domain.contains_key(domain) {
            let slots = (0..self.weeks.max(1))
                .map(|i| {
                    let start = self.first + i as Millis * WEEK_MS;
                    (
                        Week {
                            week: timefmt::rfc3339(start)[..10].to_owned(),
                            ..Default::default()
                        },
                        Vec::new(),
                    )
                })
                .collect();
            self.by_domain.insert(domain.to_owned(), slots);
        }
        let slots = self.by_domain.get_mut(domain).expect("inserted above");
        let (week, durations) = &mut slots[((w - self.first) / WEEK_MS) as usize];
        match what {
            "entry" => week.entries += 1,
            "asked" => {
                week.questions_asked += 1;
                if let Some(d) = duration {
                    durations.push(d);
                }
            }
            "resolved" => week.questions_resolved += 1,
            _ => week.occurrences += 1,
        }
    }

    pub fn finish(self) -> Vec<DomainStats> {
        self.by_domain
            .into_iter()
            .map(|(domain, slots)| DomainStats {
                domain,
                weeks: slots
                    .into_iter()
                    .map(|(mut week, mut durations)| {
                        durations.sort_unstable();
                        week.median_hours_to_first_answer =
                            median(&durations).map(|ms| (ms / 36_000.0).round() / 100.0);
                        week
                    })
                    .collect(),
            })
            .collect()
    }
}

fn median(sorted: &[Millis]) -> Option<f64> {
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[n / 2] as f64),
        n => Some((sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        // 2026-11-27 is a Friday; its week starts on Monday 2026-11-23.
        let friday = 1_795_770_000_000; // 2026-11-27T09:00:00Z
        assert_eq!(timefmt::rfc3339(week_start(friday)), "2026-11-23T00:00:00Z");
        assert_eq!(week_start(week_start(friday)), week_start(friday));
    }

    #[test]
    fn events_land_in_their_week() {
        let now = 1_795_770_000_000;
        let events = vec![
            ("pg".to_owned(), "entry", now, None),
            ("pg".to_owned(), "asked", now, Some(2 * 3_600_000)),
            ("pg".to_owned(), "asked", now - WEEK_MS, Some(4 * 3_600_000)),
            ("pg".to_owned(), "occurrence", now - 20 * WEEK_MS, None),
        ];
        let stats = weekly(&events, now, 2);
        assert_eq!(stats.len(), 1);
        let weeks = &stats[0].weeks;
        assert_eq!(weeks[1].entries, 1);
        assert_eq!(weeks[1].median_hours_to_first_answer, Some(2.0));
        assert_eq!(weeks[0].questions_asked, 1);
        assert_eq!(
            weeks.iter().map(|w| w.occurrences).sum::<u64>(),
            0,
            "outside the range"
        );
    }
}
