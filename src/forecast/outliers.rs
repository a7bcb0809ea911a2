//! Days in the history that no model should learn from: a one-off spike
//! (a news story, an outage's call storm) or a near-empty day (a telephony
//! outage) that nobody marked in the calendar. Copied into the next weeks
//! they turn a 1-week forecast into 16× the actual; pooled into "the same
//! period last year" they put last year's accident into this year's peak.
//!
//! A day is an outlier when its total (a partial day's completed one, as
//! the models see it) is more than [`RATIO`]× (or less
//! than 1/[`RATIO`] of) the median of the same weekday in the four weeks
//! before it, and of those after it where there are any, and also outside
//! [`MADS`] robust deviations of those days, so a naturally noisy series
//! is not trimmed. A run of more than
//! [`MAX_RUN`] such days is a change of level, not an accident, and is
//! kept. Special days of the calendar are never judged here (the planner
//! said what they are), nor are they used as reference.
//!
//! Outlier days are masked for fitting only; backtests still score them,
//! so the bands keep the risk of the next spike.

use super::calibration::quantile;
use super::series::Series;
use chrono::NaiveDate;

/// Fewest times above (or below) the weekday median.
const RATIO: f64 = 3.0;
/// Fewest robust deviations (log scale, MAD × 1.4826) from that median.
const MADS: f64 = 5.0;
/// Same-weekday neighbours looked at on each side.
const WEEKS: usize = 4;
/// Fewest neighbours for a judgement.
const MIN_NEIGHBOURS: usize = 4;
/// Longer runs of outlier days are a level shift and are kept.
const MAX_RUN: usize = 3;

/// The outlier days of `normal` (a series whose special days are already
/// masked), oldest first.
pub(crate) fn outlier_days(normal: &Series, minutes: u32) -> Vec<usize> {
    let days = normal.days();
    // The totals the models fit on, partial days completed: a half-logged
    // outage day is judged like any other.
    let logs: Vec<Option<f64>> = normal
        .completed_totals(minutes)
        .into_iter()
        .enumerate()
        .map(|(d, t)| {
            t.filter(|t| *t > 0.0 && normal.day(d).iter().any(|v| !v.is_nan()))
                .map(f64::ln)
        })
        .collect();
    let mut flagged = vec![false; days];
    for d in 0..days {
        let Some(x) = logs[d] else { continue };
        let side = |sign: i64| -> Vec<f64> {
            (1..=WEEKS as i64)
                .map(|k| d as i64 + sign * 7 * k)
                .filter(|e| *e >= 0 && (*e as usize) < days)
                .filter_map(|e| logs[e as usize])
                .collect()
        };
        let (before, after) = (side(-1), side(1));
        if before.len() + after.len() < MIN_NEIGHBOURS {
            continue;
        }
        // Far off the weeks before *and* the weeks after: a day that
        // agrees with one side sits at a change of level.
        flagged[d] = [before, after]
            .into_iter()
            .filter(|near| near.len() >= 2)
            .all(|near| far_off(x, near));
    }
    // Keep runs longer than MAX_RUN: the level moved.
    let mut out = Vec::new();
    let mut d = 0;
    while d < days {
        if !flagged[d] {
            d += 1;
            continue;
        }
        let start = d;
        while d < days && flagged[d] {
            d += 1;
        }
        if d - start <= MAX_RUN {
            out.extend(start..d);
        }
    }
    out
}

/// Whether log total `x` is far off the median of `near` (logs).
fn far_off(x: f64, mut near: Vec<f64>) -> bool {
    near.sort_by(f64::total_cmp);
    let median = quantile(&near, 0.5);
    let mut dev: Vec<f64> = near.iter().map(|v| (v - median).abs()).collect();
    dev.sort_by(f64::total_cmp);
    let spread = 1.4826 * quantile(&dev, 0.5);
    let off = (x - median).abs();
    off > RATIO.ln() && off > MADS * spread
}

/// `normal` with its outlier days masked, and their dates.
pub(crate) fn masked(normal: &Series, minutes: u32) -> (Series, Vec<NaiveDate>) {
    let days = outlier_days(normal, minutes);
    if days.is_empty() {
        return (normal.clone(), Vec::new());
    }
    let mut s = normal.clone();
    let n = s.slots;
    for d in &days {
        s.vol[d * n..(d + 1) * n].fill(f64::NAN);
    }
    let dates = days.iter().map(|d| normal.date(*d)).collect();
    (s, dates)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Grid, HistoryRow};
    use chrono::{Duration, TimeZone, Utc};

    /// A daily series (one 1440-minute slot) with a weekly pattern.
    fn daily(values: &[f64]) -> Series {
        let start = Utc.with_ymd_and_hms(2025, 1, 6, 0, 0, 0).unwrap();
        let rows: Vec<HistoryRow> = values
            .iter()
            .enumerate()
            .map(|(i, v)| HistoryRow {
                start: start + Duration::days(i as i64),
                volume: *v,
                aht_seconds: None,
            })
            .collect();
        Series::build(&rows, &Grid::new(1440, chrono_tz::UTC), None).unwrap()
    }

    fn weekly(weeks: usize) -> Vec<f64> {
        let week = [100.0, 95.0, 90.0, 92.0, 85.0, 30.0, 20.0];
        (0..weeks * 7)
            .map(|i| week[i % 7] * (1.0 + 0.05 * ((i * 7919) % 13) as f64 / 13.0))
            .collect()
    }

    #[test]
    fn a_news_spike_and_an_outage_are_found_but_the_weekend_is_not() {
        let mut v = weekly(12);
        v[40] *= 60.0; // a spike on a weekday
        v[41] *= 30.0; // and the day after
        v[60] *= 0.1; // an outage
        let s = daily(&v);
        assert_eq!(outlier_days(&s, 1440), vec![40, 41, 60]);
        let (m, dates) = masked(&s, 1440);
        assert_eq!(dates.len(), 3);
        assert!(m.day(40)[0].is_nan() && !m.day(39)[0].is_nan());
    }

    #[test]
    fn a_half_logged_outage_day_is_judged_on_its_completed_total() {
        // Five weeks of hours at 10 an hour (a little noise); on day 30 the
        // feed logged hours 0–15 only, at a tenth of the usual volume.
        let start = Utc.with_ymd_and_hms(2025, 1, 6, 0, 0, 0).unwrap();
        let rows: Vec<HistoryRow> = (0..35 * 24)
            .filter(|i| !(i / 24 == 30 && i % 24 >= 16))
            .map(|i| HistoryRow {
                start: start + Duration::hours(i as i64),
                volume: if i / 24 == 30 {
                    1.0
                } else {
                    10.0 + (i % 5) as f64
                },
                aht_seconds: None,
            })
            .collect();
        let s = Series::build(&rows, &Grid::new(60, chrono_tz::UTC), None).unwrap();
        assert_eq!(s.day_total(30, 60), None, "strictly it has no total");
        assert_eq!(outlier_days(&s, 60), vec![30]);
    }

    #[test]
    fn a_lasting_change_of_level_is_kept() {
        let mut v = weekly(12);
        // From day 50 on, the queue takes 4× the calls (a new client).
        v.iter_mut().skip(50).for_each(|x| *x *= 4.0);
        let found = outlier_days(&daily(&v), 1440);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_noisy_series_is_not_trimmed_at_the_ratio() {
        // Days swing ×1–×8 at random: a ×3.5 day is within the noise.
        let v: Vec<f64> = (0..84)
            .map(|i: u64| {
                let h = (i.wrapping_mul(2_654_435_761) >> 8) % 1000;
                100.0 * (1.0 + 7.0 * h as f64 / 1000.0)
            })
            .collect();
        assert!(outlier_days(&daily(&v), 1440).is_empty());
    }
}
