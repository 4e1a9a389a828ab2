//! `rep stats`: activity over time, per domain and week.

use crate::context::Context;
use crate::model::community::Week;
use crate::output::{Cell, Own, Untrusted, count};
use crate::store::analysis;
use crate::weekly;

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
    let domain = super::domain_filter(args.domain.as_deref())?;
    let now = ctx.now();
    let since = weekly::first_week(now, args.weeks);
    let stats = ctx.store_for_reading()?.read(|c| {
        let mut weekly = weekly::Weekly::new(now, args.weeks);
        analysis::stats_events(c, &domain, since, |d, what, at, duration| {
            // With --domain, its sub-domains show as the domain itself.
            let shown = if domain.is_empty() { d } else { &domain };
            weekly.add(shown, what, at, duration);
        })?;
        Ok(weekly.finish())
    })?;
    if ctx.out.json {
        return ctx.out.json(&stats);
    }
    if stats.is_empty() {
        ctx.out.note(Own::new(format!(
            "no activity in the last {}: look further back with --weeks N, or start with `rep add`",
            count(args.weeks as u64, "week", "weeks")
        )));
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
        table.row([
            Untrusted(&s.domain).into(),
            Cell::own(series(|w| w.entries)),
            Cell::own(series(|w| w.questions_asked)),
            Cell::own(series(|w| w.questions_resolved)),
            Cell::own(series(|w| w.occurrences)),
            Cell::own(typical),
        ]);
    }
    ctx.out.print_table(&table)?;
    ctx.out.status(Own::new(format!(
        "weekly, last {} (oldest left), totals after each chart",
        count(args.weeks as u64, "week", "weeks")
    )));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_scales_to_the_largest() {
        assert_eq!(sparkline(&[0, 1, 8]), " ▁█");
    }
}
