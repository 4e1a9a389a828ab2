//! `rep stats`: activity over time, per domain and week.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::context::Context;
use crate::model;
use crate::output::count;
use crate::output::sanitize_line;
use crate::store::analysis::{self, Week};
use crate::timefmt::{self, DAY_MS, Millis, WEEK_MS};

/// 1970-01-05, the first Monday after the epoch: weeks start on Mondays.
const FIRST_MONDAY: Millis = 4 * DAY_MS;

/// Show activity over time
///
/// Per domain and week: entries added, questions asked and resolved, the median time to a
/// first answer, and occurrences of problems ("seen"), with a small chart of the last weeks.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  rep stats
  rep stats --domain postgres --weeks 26
  rep stats --json | jq '.[] | {domain, asked: [.weeks[].questions_asked]}'")]
pub struct Args {
    /// Only this domain and its sub-domains (shown as one)
    #[arg(short, long, value_name = "DOMAIN")]
    pub domain: Option<String>,

    /// How many weeks back
    #[arg(long, value_name = "N", default_value_t = 12, value_parser = crate::bounded::weeks)]
    pub weeks: usize,
}

#[derive(Debug, Serialize)]
pub struct DomainStats {
    pub domain: String,
    pub weeks: Vec<Week>,
}

pub fn week_start(ms: Millis) -> Millis {
    ms - (ms - FIRST_MONDAY).rem_euclid(WEEK_MS)
}

/// Bucket events into `weeks` weeks ending with the week of `now`.
pub fn weekly(
    events: &[(String, &'static str, Millis, Option<Millis>)],
    now: Millis,
    weeks: usize,
) -> Vec<DomainStats> {
    let last = week_start(now);
    let first = last - (weeks.max(1) as Millis - 1) * WEEK_MS;
    let mut by_domain: BTreeMap<&str, Vec<(Week, Vec<Millis>)>> = BTreeMap::new();
    for (domain, what, at, duration) in events {
        let w = week_start(*at);
        if w < first || w > last {
            continue;
        }
        let slots = by_domain.entry(domain).or_insert_with(|| {
            (0..weeks.max(1))
                .map(|i| {
                    let start = first + i as Millis * WEEK_MS;
                    (
                        Week {
                            week: timefmt::rfc3339(start)[..10].to_owned(),
                            ..Default::default()
                        },
                        Vec::new(),
                    )
                })
                .collect()
        });
        let (week, durations) = &mut slots[((w - first) / WEEK_MS) as usize];
        match *what {
            "entry" => week.entries += 1,
            "asked" => {
                week.questions_asked += 1;
                if let Some(d) = duration {
                    durations.push(*d);
                }
            }
            "resolved" => week.questions_resolved += 1,
            _ => week.occurrences += 1,
        }
    }
    by_domain
        .into_iter()
        .map(|(domain, slots)| DomainStats {
            domain: domain.to_owned(),
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

fn median(sorted: &[Millis]) -> Option<f64> {
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[n / 2] as f64),
        n => Some((sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0),
    }
}

/// A one-line chart: one block per value, scaled to the largest.
pub fn sparkline(values: &[u64]) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().copied().max().unwrap_or(0);
    values
        .iter()
        .map(|v| {
            if *v == 0 {
                ' '
            } else {
                BLOCKS[((v * 8 - 1) / max.max(1)).min(7) as usize]
            }
        })
        .collect()
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let domain = args
        .domain
        .as_deref()
        .map(model::normalize_domain)
        .transpose()?
        .unwrap_or_default();
    let now = ctx.now();
    let since = week_start(now) - (args.weeks.max(1) as Millis - 1) * WEEK_MS;
    let events = ctx
        .store_for_reading()?
        .read(|c| analysis::stats_events(c, &domain, since))?;
    let events: Vec<(String, &'static str, Millis, Option<Millis>)> = events
        .into_iter()
        .map(|(d, what, at, dur)| {
            (
                if domain.is_empty() { d } else { domain.clone() },
                what,
                at,
                dur,
            )
        })
        .collect();
    let stats = weekly(&events, now, args.weeks);
    if ctx.out.json {
        return ctx.out.json(&stats);
    }
    if stats.is_empty() {
        ctx.out.note(&format!(
            "no activity in the last {}: look further back with --weeks N, or start with `rep add`",
            count(args.weeks as u64, "week", "weeks")
        ));
        return Ok(());
    }
    let mut table = ctx.out.table(&[
        "domain",
        "entries",
        "asked",
        "resolved",
        "seen",
        "first answer (median h)",
    ]);
    for s in &stats {
        let series = |f: fn(&Week) -> u64| -> String {
            let values: Vec<u64> = s.weeks.iter().map(f).collect();
            format!("{} {}", sparkline(&values), values.iter().sum::<u64>())
        };
        let mut hours: Vec<f64> = s
            .weeks
            .iter()
            .filter_map(|w| w.median_hours_to_first_answer)
            .collect();
        hours.sort_by(f64::total_cmp);
        let typical = if hours.is_empty() {
            "-".to_owned()
        } else {
            format!("{:.1}", hours[hours.len() / 2])
        };
        table.add_row(vec![
            sanitize_line(&s.domain),
            series(|w| w.entries),
            series(|w| w.questions_asked),
            series(|w| w.questions_resolved),
            series(|w| w.occurrences),
            typical,
        ]);
    }
    ctx.out.print_table(&table)?;
    ctx.out.status(&format!(
        "weekly, last {} (oldest left), totals after each chart",
        count(args.weeks as u64, "week", "weeks")
    ));
    Ok(())
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
        assert_eq!(sparkline(&[0, 1, 8]), " ▁█");
    }
}
