//! How a stored forecast did once its window's actuals are in: the same
//! scores the backtest promised (WAPE, bias, busiest-day error,
//! 95th-percentile-interval error, p10–p90 coverage), now on the real
//! window, per local day, per week (Monday start) and overall.
//!
//! Only intervals with an actual are scored: a missing actual is unknown,
//! never zero, so a half-imported day is judged on its imported half and a
//! day with no actual is left out. Forecast and actual totals are sums over
//! those scored intervals, so the two always cover the same time.

use super::backtest::{bias, busiest_day_error, p95_error, wape};
use super::ForecastPoint;
use crate::domain::HistoryRow;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The scores of one period (a day, a week) over its intervals with actuals.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PeriodScore {
    /// Intervals with an actual.
    pub intervals: usize,
    /// Forecast volume over those intervals.
    pub forecast: f64,
    pub actual: f64,
    /// Σ|actual − forecast| / Σ actual over the intervals (None when no contacts came).
    pub wape: Option<f64>,
    /// Σ(forecast − actual) / Σ actual: below 0 is an under-forecast.
    pub bias: Option<f64>,
    /// Share of the intervals whose actual fell inside [p10, p90].
    pub coverage_p10_p90: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DayScore {
    pub date: NaiveDate,
    #[serde(flatten)]
    pub score: PeriodScore,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WeekScore {
    /// The Monday the week starts on (local), even when the window starts later.
    pub week_start: NaiveDate,
    /// Days of the week with an actual.
    pub days: usize,
    #[serde(flatten)]
    pub score: PeriodScore,
    /// The busiest-day error over this week's days with actuals.
    pub busiest_day_error: Option<f64>,
}

/// The whole window.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Overall {
    #[serde(flatten)]
    pub score: PeriodScore,
    /// |max daily forecast − max daily actual| / max daily actual, over days with actuals.
    pub busiest_day_error: Option<f64>,
    /// |q95 of interval forecasts − q95 of interval actuals| / q95 of actuals.
    pub p95_interval_error: Option<f64>,
    /// Every interval of the forecast window.
    pub window_intervals: usize,
    /// Share of the window's intervals that have an actual.
    pub share_of_window: f64,
    /// Share of the forecast volume that falls in intervals with an actual
    /// (closed hours often have no rows, so this says more than the share of intervals).
    pub share_of_forecast_volume: Option<f64>,
    pub days_with_actuals: usize,
    /// Start of the first and end of the last interval with an actual.
    pub actuals_from: DateTime<Utc>,
    pub actuals_to: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RealisedReport {
    pub overall: Overall,
    /// Days with actuals only, in date order.
    pub by_day: Vec<DayScore>,
    /// Weeks with actuals only, in date order.
    pub by_week: Vec<WeekScore>,
}

/// One scored interval.
#[derive(Clone, Copy)]
struct Scored {
    forecast: f64,
    actual: f64,
    inside: bool,
}

/// Scores `points` (one forecast window) against `actuals` in time zone
/// `tz`. Actuals outside the window's intervals are ignored. None when no
/// interval of the window has an actual yet.
pub fn realised(
    points: &[ForecastPoint],
    actuals: &[HistoryRow],
    tz: Tz,
    interval: Duration,
) -> Option<RealisedReport> {
    let actual_at: HashMap<DateTime<Utc>, f64> = actuals
        .iter()
        .filter(|r| r.volume.is_finite())
        .map(|r| (r.start, r.volume))
        .collect();
    let mut days: BTreeMap<NaiveDate, Vec<Scored>> = BTreeMap::new();
    let (mut first, mut last) = (None::<DateTime<Utc>>, None::<DateTime<Utc>>);
    let mut forecast_total = 0.0;
    let mut scored_forecast = 0.0;
    for p in points {
        forecast_total += p.volume;
        let Some(&actual) = actual_at.get(&p.start) else {
            continue;
        };
        scored_forecast += p.volume;
        first = Some(first.map_or(p.start, |f| f.min(p.start)));
        last = Some(last.map_or(p.start, |l| l.max(p.start)));
        days.entry(p.start.with_timezone(&tz).date_naive())
            .or_default()
            .push(Scored {
                forecast: p.volume,
                actual,
                inside: actual >= p.volume_p10 && actual <= p.volume_p90,
            });
    }
    let (first, last) = (first?, last?);

    let by_day: Vec<DayScore> = days
        .iter()
        .map(|(date, s)| DayScore {
            date: *date,
            score: score(s),
        })
        .collect();
    let mut weeks: BTreeMap<NaiveDate, Vec<NaiveDate>> = BTreeMap::new();
    for date in days.keys() {
        weeks.entry(monday_of(*date)).or_default().push(*date);
    }
    let by_week = weeks
        .iter()
        .map(|(monday, dates)| {
            let cells: Vec<Scored> = dates.iter().flat_map(|d| days[d].clone()).collect();
            WeekScore {
                week_start: *monday,
                days: dates.len(),
                score: score(&cells),
                busiest_day_error: busiest_day_error(&day_sums(dates, &days)),
            }
        })
        .collect();
    let all: Vec<Scored> = days.values().flatten().copied().collect();
    let all_dates: Vec<NaiveDate> = days.keys().copied().collect();
    let overall = Overall {
        score: score(&all),
        busiest_day_error: busiest_day_error(&day_sums(&all_dates, &days)),
        p95_interval_error: p95_error(&pairs(&all)),
        window_intervals: points.len(),
        share_of_window: all.len() as f64 / points.len() as f64,
        share_of_forecast_volume: (forecast_total > 0.0).then(|| scored_forecast / forecast_total),
        days_with_actuals: days.len(),
        actuals_from: first,
        actuals_to: last + interval,
    };
    Some(RealisedReport {
        overall,
        by_day,
        by_week,
    })
}

/// The Monday starting `date`'s week.
pub fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

fn pairs(cells: &[Scored]) -> Vec<(f64, f64)> {
    cells.iter().map(|c| (c.forecast, c.actual)).collect()
}

/// (forecast, actual) totals of each listed day.
fn day_sums(dates: &[NaiveDate], days: &BTreeMap<NaiveDate, Vec<Scored>>) -> Vec<(f64, f64)> {
    dates
        .iter()
        .map(|d| {
            let p = pairs(&days[d]);
            (p.iter().map(|x| x.0).sum(), p.iter().map(|x| x.1).sum())
        })
        .collect()
}

fn score(cells: &[Scored]) -> PeriodScore {
    let p = pairs(cells);
    PeriodScore {
        intervals: cells.len(),
        forecast: p.iter().map(|x| x.0).sum(),
        actual: p.iter().map(|x| x.1).sum(),
        wape: wape(&p),
        bias: bias(&p),
        coverage_p10_p90: (!cells.is_empty())
            .then(|| cells.iter().filter(|c| c.inside).count() as f64 / cells.len() as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn point(start: &str, volume: f64) -> ForecastPoint {
        ForecastPoint {
            start: t(start),
            volume,
            volume_p10: volume * 0.8,
            volume_p90: volume * 1.2,
            aht_seconds: None,
        }
    }

    fn actual(start: &str, volume: f64) -> HistoryRow {
        HistoryRow {
            start: t(start),
            volume,
            aht_seconds: None,
        }
    }

    const HOUR: Duration = Duration::hours(1);

    /// Mon 2026-02-16 and Tue 2026-02-17, 09:00–11:00 UTC, 10 per hour.
    fn two_days() -> Vec<ForecastPoint> {
        ["16", "17"]
            .iter()
            .flat_map(|d| {
                ["09", "10", "11"]
                    .map(|h| point(&format!("2026-02-{d}T{h}:00:00Z"), 10.0))
                    .to_vec()
            })
            .collect()
    }

    #[test]
    fn no_actual_in_the_window_is_none() {
        let outside = [actual("2026-02-15T09:00:00Z", 5.0)];
        assert!(realised(&two_days(), &outside, chrono_tz::UTC, HOUR).is_none());
        assert!(realised(&two_days(), &[], chrono_tz::UTC, HOUR).is_none());
    }

    #[test]
    fn ten_percent_more_than_forecast_on_one_day() {
        let actuals = ["09", "10", "11"].map(|h| actual(&format!("2026-02-16T{h}:00:00Z"), 11.0));
        let r = realised(&two_days(), &actuals, chrono_tz::UTC, HOUR).unwrap();
        // Tuesday has no actual: absent, not scored as zero.
        assert_eq!(r.by_day.len(), 1);
        let mon = &r.by_day[0];
        assert_eq!(mon.date, NaiveDate::from_ymd_opt(2026, 2, 16).unwrap());
        assert_eq!(mon.score.intervals, 3);
        assert_eq!((mon.score.forecast, mon.score.actual), (30.0, 33.0));
        // |11 − 10| × 3 / 33 = 1/11; (30 − 33) / 33 = −1/11.
        assert!((mon.score.wape.unwrap() - 1.0 / 11.0).abs() < 1e-12);
        assert!((mon.score.bias.unwrap() + 1.0 / 11.0).abs() < 1e-12);
        // 11 is inside [8, 12].
        assert_eq!(mon.score.coverage_p10_p90, Some(1.0));
        let o = &r.overall;
        assert_eq!(o.window_intervals, 6);
        assert_eq!(o.share_of_window, 0.5);
        assert_eq!(o.share_of_forecast_volume, Some(0.5));
        assert_eq!(o.days_with_actuals, 1);
        // One day: busiest forecast day 30 vs busiest actual day 33.
        assert!((o.busiest_day_error.unwrap() - 3.0 / 33.0).abs() < 1e-12);
        // Every interval 10 vs 11: q95 10 vs 11.
        assert!((o.p95_interval_error.unwrap() - 1.0 / 11.0).abs() < 1e-12);
        assert_eq!(o.actuals_from, t("2026-02-16T09:00:00Z"));
        assert_eq!(o.actuals_to, t("2026-02-16T12:00:00Z"));
        assert_eq!(r.by_week.len(), 1);
        assert_eq!(r.by_week[0].week_start, mon.date);
        assert_eq!(r.by_week[0].days, 1);
    }

    #[test]
    fn missing_intervals_are_left_out_not_counted_as_zero() {
        // Monday: two of three intervals known; Tuesday: one, far off.
        let actuals = [
            actual("2026-02-16T09:00:00Z", 12.0),
            actual("2026-02-16T10:00:00Z", 6.0),
            actual("2026-02-17T11:00:00Z", 20.0),
        ];
        let r = realised(&two_days(), &actuals, chrono_tz::UTC, HOUR).unwrap();
        let mon = &r.by_day[0].score;
        // Forecast total covers the same two intervals as the actuals.
        assert_eq!((mon.forecast, mon.actual), (20.0, 18.0));
        assert!((mon.wape.unwrap() - 6.0 / 18.0).abs() < 1e-12);
        assert!((mon.bias.unwrap() - 2.0 / 18.0).abs() < 1e-12);
        // 12 is inside [8, 12], 6 is not.
        assert_eq!(mon.coverage_p10_p90, Some(0.5));
        let tue = &r.by_day[1].score;
        assert_eq!((tue.intervals, tue.forecast, tue.actual), (1, 10.0, 20.0));
        assert_eq!(tue.wape, Some(0.5));
        let o = &r.overall;
        // (2 + 4 + 10) / 38 and (30 − 38) / 38.
        assert!((o.score.wape.unwrap() - 16.0 / 38.0).abs() < 1e-12);
        assert!((o.score.bias.unwrap() + 8.0 / 38.0).abs() < 1e-12);
        // Daily sums (20, 18) and (10, 20): max 20 vs max 20.
        assert_eq!(o.busiest_day_error, Some(0.0));
        assert_eq!(o.share_of_window, 0.5);
        assert!((o.score.coverage_p10_p90.unwrap() - 1.0 / 3.0).abs() < 1e-12);
        // Both days in one week: its own scores match the overall ones.
        assert_eq!(r.by_week.len(), 1);
        assert_eq!(r.by_week[0].days, 2);
        assert_eq!(r.by_week[0].score, o.score);
    }

    #[test]
    fn days_and_weeks_are_local() {
        // Paris is UTC+1 in February: 23:00Z Sunday is 00:00 Monday local.
        let points = [
            point("2026-02-22T22:00:00Z", 10.0), // Sun 23:00 local
            point("2026-02-22T23:00:00Z", 10.0), // Mon 00:00 local, a new week
        ];
        let actuals = [
            actual("2026-02-22T22:00:00Z", 5.0),
            actual("2026-02-22T23:00:00Z", 10.0),
        ];
        let r = realised(&points, &actuals, chrono_tz::Europe::Paris, HOUR).unwrap();
        let dates: Vec<String> = r.by_day.iter().map(|d| d.date.to_string()).collect();
        assert_eq!(dates, ["2026-02-22", "2026-02-23"]);
        let weeks: Vec<String> = r.by_week.iter().map(|w| w.week_start.to_string()).collect();
        assert_eq!(weeks, ["2026-02-16", "2026-02-23"]);
        assert_eq!(r.by_week[0].score.wape, Some(1.0));
        assert_eq!(r.by_week[1].score.wape, Some(0.0));
    }

    #[test]
    fn busiest_day_compares_the_two_peaks_even_on_different_days() {
        let actuals = [
            actual("2026-02-16T09:00:00Z", 30.0), // Mon actual 30 vs forecast 10
            actual("2026-02-17T09:00:00Z", 5.0),  // Tue actual 5 vs forecast 10
        ];
        let mut points = two_days();
        points[3].volume = 40.0; // Tue 09:00 forecast 40
        let r = realised(&points, &actuals, chrono_tz::UTC, HOUR).unwrap();
        // Busiest forecast day 40 (Tue), busiest actual day 30 (Mon).
        assert!((r.overall.busiest_day_error.unwrap() - 10.0 / 30.0).abs() < 1e-12);
        assert!((r.by_week[0].busiest_day_error.unwrap() - 10.0 / 30.0).abs() < 1e-12);
    }

    #[test]
    fn a_day_without_contacts_has_no_ratio() {
        let actuals = [actual("2026-02-16T09:00:00Z", 0.0)];
        let r = realised(&two_days(), &actuals, chrono_tz::UTC, HOUR).unwrap();
        assert_eq!(r.by_day[0].score.wape, None);
        assert_eq!(r.by_day[0].score.bias, None);
        assert_eq!(r.by_day[0].score.coverage_p10_p90, Some(0.0));
    }

    #[test]
    fn monday_of_a_sunday_is_six_days_back() {
        let sunday = NaiveDate::from_ymd_opt(2026, 2, 22).unwrap();
        assert_eq!(monday_of(sunday).to_string(), "2026-02-16");
        assert_eq!(monday_of(monday_of(sunday)), monday_of(sunday));
    }
}
