//! Weekly average: each interval is forecast as the mean of the same local
//! weekly slot (weekday and minute of the local day) over the most recent
//! observed weeks before the origin.
//!
//! The engine's `weekly_average` model is the weighted, calendar-aware
//! successor; this plain equal-weight version stays as the baseline the
//! accuracy bench (`benches/forecast.rs`) scores every model against.
//!
//! * A missing history row is not a zero: it is skipped and an older week
//!   fills in. A slot with no row at all before the origin is closed
//!   (forecast 0, band 0–0).
//! * Band: mean ∓ 1.2816·σ (the normal 10th/90th percentiles), with
//!   σ² = max(sample variance, mean) so the band is never narrower than a
//!   Poisson count's; with a single value σ² = mean. p10 is clamped at 0.
//! * Handle time: the volume-weighted mean AHT of the same rows; when they
//!   carry none (or no volume), the volume-weighted mean AHT of all history
//!   before the origin. `None` for every point when no row has an AHT.

use crate::domain::{Grid, HistoryRow};
use crate::forecast::{ForecastError, ForecastPoint};
use chrono::{DateTime, Utc, Weekday};
use std::collections::HashMap;

/// z of the 90th percentile of the standard normal distribution.
const Z90: f64 = 1.2816;

/// Parameters of the weekly-average model (unchecked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct WeeklyAverageParams {
    /// How many most recent observed weeks to average per slot (1..=52).
    pub weeks: usize,
}

impl Default for WeeklyAverageParams {
    fn default() -> Self {
        Self { weeks: 6 }
    }
}

impl WeeklyAverageParams {
    pub const MAX_WEEKS: usize = 52;

    pub fn new(weeks: usize) -> Self {
        Self { weeks }
    }

    /// Validates the parameters.
    pub fn check(&self) -> Result<CheckedWeeklyAverage, ForecastError> {
        if !(1..=Self::MAX_WEEKS).contains(&self.weeks) {
            return Err(ForecastError::InvalidParams {
                field: "weeks",
                message: format!(
                    "must be between 1 and {}, got {}",
                    Self::MAX_WEEKS,
                    self.weeks
                ),
            });
        }
        Ok(CheckedWeeklyAverage { weeks: self.weeks })
    }
}

/// Validated weekly-average parameters, ready to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckedWeeklyAverage {
    weeks: usize,
}

/// The weekly slot an interval belongs to: local weekday and minute of day.
type Slot = (Weekday, u32);

#[derive(Debug, Clone, Copy, PartialEq)]
struct SlotForecast {
    volume: f64,
    p10: f64,
    p90: f64,
    aht_seconds: Option<f64>,
}

/// Running sums for one slot over its most recent rows.
#[derive(Default)]
struct SlotRows {
    volumes: Vec<f64>,
    aht_weighted: f64,
    aht_weight: f64,
}

impl CheckedWeeklyAverage {
    pub fn weeks(&self) -> usize {
        self.weeks
    }

    /// Fits on the rows of `history` that start strictly before `origin`.
    ///
    /// Rows are expected one per grid interval (as the history importers
    /// produce them); a row off the grid counts for the interval holding it.
    pub fn fit(
        &self,
        history: &[HistoryRow],
        grid: &Grid,
        origin: DateTime<Utc>,
    ) -> Result<FittedWeeklyAverage, ForecastError> {
        let mut used: Vec<&HistoryRow> = history.iter().filter(|r| r.start < origin).collect();
        if used.is_empty() {
            return Err(ForecastError::NoHistory { before: origin });
        }
        // Most recent first, so each slot keeps its `weeks` latest rows.
        used.sort_unstable_by_key(|r| std::cmp::Reverse(r.start));
        let first_row = used[used.len() - 1].start;
        let last_row = used[0].start;

        let mut global_weighted = 0.0;
        let mut global_weight = 0.0;
        let mut global_plain = 0.0;
        let mut global_count = 0usize;
        let mut slots: HashMap<Slot, SlotRows> = HashMap::with_capacity(7 * 24 * 4);
        for row in &used {
            if let Some(aht) = row.aht_seconds {
                global_weighted += aht * row.volume;
                global_weight += row.volume;
                global_plain += aht;
                global_count += 1;
            }
            let slot = slots
                .entry(grid.weekly_slot(grid.floor(row.start)))
                .or_default();
            if slot.volumes.len() < self.weeks {
                slot.volumes.push(row.volume);
                if let Some(aht) = row.aht_seconds {
                    slot.aht_weighted += aht * row.volume;
                    slot.aht_weight += row.volume;
                }
            }
        }
        // Handle times known only on zero-volume rows: fall back to their
        // plain mean rather than pretend there is none.
        let global_aht = if global_weight > 0.0 {
            Some(global_weighted / global_weight)
        } else if global_count > 0 {
            Some(global_plain / global_count as f64)
        } else {
            None
        };

        let slots = slots
            .into_iter()
            .map(|(key, rows)| {
                let (volume, p10, p90) = band(&rows.volumes);
                let aht_seconds = if rows.aht_weight > 0.0 {
                    Some(rows.aht_weighted / rows.aht_weight)
                } else {
                    global_aht
                };
                (
                    key,
                    SlotForecast {
                        volume,
                        p10,
                        p90,
                        aht_seconds,
                    },
                )
            })
            .collect();

        Ok(FittedWeeklyAverage {
            grid: *grid,
            weeks: self.weeks,
            origin,
            first_row,
            last_row,
            slots,
            global_aht,
        })
    }
}

/// Mean and p10/p90 of one slot's values (never empty).
fn band(values: &[f64]) -> (f64, f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = if values.len() > 1 {
        values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        mean
    };
    let sigma = variance.max(mean).max(0.0).sqrt();
    let p10 = (mean - Z90 * sigma).max(0.0).min(mean);
    let p90 = (mean + Z90 * sigma).max(mean);
    (mean, p10, p90)
}

/// A fitted weekly-average model.
#[derive(Debug, Clone)]
pub struct FittedWeeklyAverage {
    grid: Grid,
    weeks: usize,
    origin: DateTime<Utc>,
    first_row: DateTime<Utc>,
    last_row: DateTime<Utc>,
    slots: HashMap<Slot, SlotForecast>,
    global_aht: Option<f64>,
}

impl FittedWeeklyAverage {
    /// One point per grid interval in [from, to). `from` must start an
    /// interval of the grid the model was fitted on.
    pub fn predict(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ForecastPoint>, ForecastError> {
        if from >= to {
            return Err(ForecastError::InvalidWindow {
                message: format!("from ({from}) must be before to ({to})"),
            });
        }
        if !self.grid.is_aligned(from) {
            return Err(ForecastError::InvalidWindow {
                message: format!(
                    "from ({}) is not on the {}-minute grid in {}",
                    from.with_timezone(&self.grid.tz).to_rfc3339(),
                    self.grid.minutes,
                    self.grid.tz
                ),
            });
        }
        let closed = SlotForecast {
            volume: 0.0,
            p10: 0.0,
            p90: 0.0,
            aht_seconds: self.global_aht,
        };
        Ok(self
            .grid
            .intervals(from, to)
            .into_iter()
            .map(|start| {
                let f = self
                    .slots
                    .get(&self.grid.weekly_slot(start))
                    .unwrap_or(&closed);
                ForecastPoint {
                    start,
                    volume: f.volume,
                    volume_p10: f.p10,
                    volume_p90: f.p90,
                    aht_seconds: f.aht_seconds,
                }
            })
            .collect())
    }

    /// True when the history carried handle times (every point then has one).
    pub fn has_aht(&self) -> bool {
        self.global_aht.is_some()
    }

    pub fn grid(&self) -> &Grid {
        &self.grid
    }

    pub fn weeks(&self) -> usize {
        self.weeks
    }

    /// Only history strictly before this instant was used.
    pub fn origin(&self) -> DateTime<Utc> {
        self.origin
    }

    /// Starts of the first and last history rows before the origin.
    pub fn training_window(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (self.first_row, self.last_row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{at, bank_1999, paris};
    use chrono::{Duration, NaiveDate};

    fn row(s: &str, volume: f64, aht: Option<f64>) -> HistoryRow {
        HistoryRow {
            start: at(s),
            volume,
            aht_seconds: aht,
        }
    }

    fn fit(
        weeks: usize,
        history: &[HistoryRow],
        grid: &Grid,
        origin: DateTime<Utc>,
    ) -> FittedWeeklyAverage {
        WeeklyAverageParams { weeks }
            .check()
            .unwrap()
            .fit(history, grid, origin)
            .unwrap()
    }

    fn one(model: &FittedWeeklyAverage, s: &str) -> ForecastPoint {
        let t = at(s);
        let points = model.predict(t, t + model.grid().step()).unwrap();
        assert_eq!(points.len(), 1);
        points[0]
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn default_is_six_weeks() {
        assert_eq!(WeeklyAverageParams::default().weeks, 6);
        assert_eq!(WeeklyAverageParams::default().check().unwrap().weeks(), 6);
    }

    #[test]
    fn exact_means_of_the_most_recent_weeks() {
        let grid = Grid::new(60, paris());
        // Mondays 2026-01-05 .. 2026-01-26 at 09:00 and 10:00.
        let history = vec![
            row("2026-01-05 09:00", 100.0, None),
            row("2026-01-12 09:00", 10.0, None),
            row("2026-01-19 09:00", 20.0, None),
            row("2026-01-26 09:00", 30.0, None),
            row("2026-01-05 10:00", 7.0, None),
            row("2026-01-26 10:00", 9.0, None),
        ];
        let origin = at("2026-02-01 00:00");
        let m = fit(3, &history, &grid, origin);
        // The three latest 09:00 rows: (10 + 20 + 30) / 3; 100 is too old.
        assert_eq!(one(&m, "2026-02-02 09:00").volume, 20.0);
        assert_eq!(one(&m, "2026-02-09 09:00").volume, 20.0);
        assert_eq!(one(&m, "2026-02-02 10:00").volume, 8.0);
        let m = fit(6, &history, &grid, origin);
        assert_eq!(one(&m, "2026-02-02 09:00").volume, 40.0);
        let m = fit(1, &history, &grid, origin);
        assert_eq!(one(&m, "2026-02-02 09:00").volume, 30.0);
        assert_eq!(
            m.training_window(),
            (at("2026-01-05 09:00"), at("2026-01-26 10:00"))
        );
    }

    #[test]
    fn a_missing_week_is_skipped_not_zero() {
        let grid = Grid::new(30, paris());
        // 2026-01-19 is missing: an older week fills in, nothing counts as 0.
        let history = vec![
            row("2026-01-05 09:00", 12.0, None),
            row("2026-01-12 09:00", 6.0, None),
            row("2026-01-26 09:00", 9.0, None),
        ];
        let m = fit(2, &history, &grid, at("2026-02-01 00:00"));
        assert_eq!(one(&m, "2026-02-02 09:00").volume, 7.5); // (9 + 6) / 2, not (9 + 0) / 2
        let m = fit(3, &history, &grid, at("2026-02-01 00:00"));
        assert_eq!(one(&m, "2026-02-02 09:00").volume, 9.0); // (9 + 6 + 12) / 3
                                                             // An observed zero does count.
        let mut with_zero = history.clone();
        with_zero.push(row("2026-01-19 09:00", 0.0, None));
        let m = fit(2, &with_zero, &grid, at("2026-02-01 00:00"));
        assert_eq!(one(&m, "2026-02-02 09:00").volume, 4.5);
    }

    #[test]
    fn a_slot_never_seen_is_closed() {
        let grid = Grid::new(30, paris());
        let history = vec![
            row("2026-01-26 09:00", 9.0, Some(120.0)),
            row("2026-01-27 09:00", 4.0, None),
        ];
        let m = fit(6, &history, &grid, at("2026-02-01 00:00"));
        let p = one(&m, "2026-02-02 09:30");
        assert_eq!((p.volume, p.volume_p10, p.volume_p90), (0.0, 0.0, 0.0));
        // Sunday: no row at all.
        let points = m
            .predict(at("2026-02-01 00:00"), at("2026-02-02 00:00"))
            .unwrap();
        assert_eq!(points.len(), 48);
        assert!(points
            .iter()
            .all(|p| p.volume == 0.0 && p.volume_p90 == 0.0));
        assert!(points.iter().all(|p| p.aht_seconds == Some(120.0)));
    }

    #[test]
    fn rows_at_or_after_the_origin_change_nothing() {
        let grid = Grid::new(15, paris());
        let origin = at("2026-02-02 09:00");
        let mut history: Vec<HistoryRow> = (0..4)
            .flat_map(|w| {
                let day = at("2026-01-05 08:00") + Duration::weeks(w);
                (0..8).map(move |i| HistoryRow {
                    start: day + Duration::minutes(15 * i),
                    volume: (w * 8 + i) as f64,
                    aht_seconds: Some(100.0 + i as f64),
                })
            })
            .collect();
        let before = fit(6, &history, &grid, origin);
        // The future: at the origin itself and after, same slots, wild values.
        for i in 0..40 {
            history.push(HistoryRow {
                start: origin + Duration::minutes(15 * i),
                volume: 1e6,
                aht_seconds: Some(9999.0),
            });
        }
        let after = fit(6, &history, &grid, origin);
        let window = (at("2026-02-09 00:00"), at("2026-02-10 00:00"));
        let a = before.predict(window.0, window.1).unwrap();
        let b = after.predict(window.0, window.1).unwrap();
        assert_eq!(a, b);
        assert!(a.iter().any(|p| p.volume > 0.0));
        assert!(b
            .iter()
            .all(|p| p.volume < 1e6 && p.aht_seconds < Some(9999.0)));
        // Rows only after the origin: no history.
        let future: Vec<HistoryRow> = history.into_iter().filter(|r| r.start >= origin).collect();
        assert!(!future.is_empty());
        let err = WeeklyAverageParams::default()
            .check()
            .unwrap()
            .fit(&future, &grid, origin);
        assert_eq!(
            err.unwrap_err(),
            ForecastError::NoHistory { before: origin }
        );
    }

    #[test]
    fn dst_sunday_has_92_intervals_keyed_by_local_time() {
        let tz = paris();
        let grid = Grid::new(15, tz);
        // Four winter weeks (UTC+1) of every Sunday quarter-hour, volume =
        // minute of the local day / 15 + 1.
        let mut history = Vec::new();
        for w in 0..4 {
            let date = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + Duration::weeks(w);
            let day = grid.start_of_day(date);
            for t in grid.intervals(day, grid.start_of_day(date.succ_opt().unwrap())) {
                let (_, minute) = grid.weekly_slot(t);
                history.push(HistoryRow {
                    start: t,
                    volume: f64::from(minute / 15 + 1),
                    aht_seconds: None,
                });
            }
        }
        assert_eq!(history.len(), 4 * 96);
        let dst = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        let from = grid.start_of_day(dst);
        let to = grid.start_of_day(dst.succ_opt().unwrap());
        let m = fit(6, &history, &grid, from);
        let points = m.predict(from, to).unwrap();
        assert_eq!(points.len(), 92);
        for p in &points {
            let local = p.start.with_timezone(&tz);
            let minute = grid.weekly_slot(p.start).1;
            assert_eq!(p.volume, f64::from(minute / 15 + 1), "{local}");
        }
        // 01:45 local (00:45Z) is followed by 03:00 local (01:00Z, summer
        // time) which gets the 03:00 winter value, not the 02:00 one.
        let three = points
            .iter()
            .find(|p| p.start == "2026-03-29T01:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert_eq!(three.unwrap().volume, 13.0);
        // A summer Sunday at 09:00 local (07:00Z) gets the winter 09:00 value (08:00Z).
        let p = one(&m, "2026-04-05 09:00");
        assert_eq!(
            p.start,
            "2026-04-05T07:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(p.volume, 37.0);
        // Autumn: 100 intervals, the repeated 02:00 hour forecast twice.
        let back = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap();
        let autumn = m
            .predict(
                grid.start_of_day(back),
                grid.start_of_day(back.succ_opt().unwrap()),
            )
            .unwrap();
        assert_eq!(autumn.len(), 100);
        assert_eq!(autumn.iter().filter(|p| p.volume == 9.0).count(), 2);
    }

    #[test]
    fn aht_is_volume_weighted_with_a_history_fallback() {
        let grid = Grid::new(30, paris());
        let history = vec![
            row("2026-01-19 09:00", 10.0, Some(100.0)),
            row("2026-01-26 09:00", 30.0, Some(200.0)),
            // A slot without handle times.
            row("2026-01-26 10:00", 5.0, None),
            // A slot with handle time but no volume.
            row("2026-01-26 11:00", 0.0, Some(999.0)),
            // Older than the 2 weeks used at 09:00, but part of the history.
            row("2026-01-12 09:00", 60.0, Some(50.0)),
        ];
        let m = fit(2, &history, &grid, at("2026-02-01 00:00"));
        assert!(m.has_aht());
        assert!(close(
            one(&m, "2026-02-02 09:00").aht_seconds.unwrap(),
            175.0
        ));
        // Fallback: (10·100 + 30·200 + 0·999 + 60·50) / 100 = 100.
        let history_mean = 100.0;
        assert!(close(
            one(&m, "2026-02-02 10:00").aht_seconds.unwrap(),
            history_mean
        ));
        assert!(close(
            one(&m, "2026-02-02 11:00").aht_seconds.unwrap(),
            history_mean
        ));
        assert!(close(
            one(&m, "2026-02-03 09:00").aht_seconds.unwrap(),
            history_mean
        ));

        let plain: Vec<HistoryRow> = history
            .iter()
            .map(|r| HistoryRow {
                aht_seconds: None,
                ..*r
            })
            .collect();
        let m = fit(2, &plain, &grid, at("2026-02-01 00:00"));
        assert!(!m.has_aht());
        let points = m
            .predict(at("2026-02-02 00:00"), at("2026-02-03 00:00"))
            .unwrap();
        assert!(points.iter().all(|p| p.aht_seconds.is_none()));
        assert_eq!(points.iter().map(|p| p.volume).sum::<f64>(), 20.0 + 5.0);
    }

    #[test]
    fn band_is_ordered_non_negative_and_poisson_floored() {
        let grid = Grid::new(30, paris());
        // Low variance: [4, 6] → mean 5, s² = 2 < 5, so σ = √5.
        // High variance: [0, 20] → mean 10, s² = 200, p10 clamped at 0.
        // One value: [9] → σ = 3.
        let history = vec![
            row("2026-01-19 09:00", 4.0, None),
            row("2026-01-26 09:00", 6.0, None),
            row("2026-01-19 10:00", 0.0, None),
            row("2026-01-26 10:00", 20.0, None),
            row("2026-01-26 11:00", 9.0, None),
            row("2026-01-26 12:00", 0.0, None),
        ];
        let m = fit(6, &history, &grid, at("2026-02-01 00:00"));
        let p = one(&m, "2026-02-02 09:00");
        assert!(close(p.volume_p10, 5.0 - Z90 * 5f64.sqrt()));
        assert!(close(p.volume_p90, 5.0 + Z90 * 5f64.sqrt()));
        let p = one(&m, "2026-02-02 10:00");
        assert_eq!(p.volume_p10, 0.0);
        assert!(close(p.volume_p90, 10.0 + Z90 * 200f64.sqrt()));
        let p = one(&m, "2026-02-02 11:00");
        assert!(close(p.volume_p10, 9.0 - Z90 * 3.0));
        assert!(close(p.volume_p90, 9.0 + Z90 * 3.0));
        let p = one(&m, "2026-02-02 12:00");
        assert_eq!((p.volume_p10, p.volume, p.volume_p90), (0.0, 0.0, 0.0));

        // Pseudo-random history: the band always holds the mean.
        let mut seed: u64 = 42;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as f64 / f64::from(1u32 << 31)
        };
        let start = at("2026-01-05 00:00");
        let history: Vec<HistoryRow> = (0..6 * 7 * 48)
            .filter_map(|i| {
                let keep = next() > 0.2;
                let open = next() > 0.3;
                let volume = if open { (next() * 40.0).floor() } else { 0.0 };
                keep.then(|| HistoryRow {
                    start: start + Duration::minutes(30 * i),
                    volume,
                    aht_seconds: None,
                })
            })
            .collect();
        let origin = start + Duration::weeks(6);
        let m = fit(4, &history, &grid, origin);
        let points = m.predict(origin, origin + Duration::weeks(1)).unwrap();
        assert_eq!(points.len(), 7 * 48);
        for p in points {
            assert!(p.volume_p10 >= 0.0, "{p:?}");
            assert!(
                p.volume_p10 <= p.volume && p.volume <= p.volume_p90,
                "{p:?}"
            );
        }
    }

    #[test]
    fn errors() {
        let grid = Grid::new(30, paris());
        for weeks in [0, 53] {
            let err = WeeklyAverageParams { weeks }.check().unwrap_err();
            assert!(
                matches!(err, ForecastError::InvalidParams { field: "weeks", .. }),
                "{err}"
            );
        }
        assert!(WeeklyAverageParams { weeks: 52 }.check().is_ok());

        let checked = WeeklyAverageParams::default().check().unwrap();
        let origin = at("2026-02-01 00:00");
        assert_eq!(
            checked.fit(&[], &grid, origin).unwrap_err(),
            ForecastError::NoHistory { before: origin }
        );

        let m = checked
            .fit(&[row("2026-01-26 09:00", 3.0, None)], &grid, origin)
            .unwrap();
        let t = at("2026-02-02 09:00");
        assert!(matches!(
            m.predict(t, t),
            Err(ForecastError::InvalidWindow { .. })
        ));
        assert!(matches!(
            m.predict(t, t - grid.step()),
            Err(ForecastError::InvalidWindow { .. })
        ));
        let off = m
            .predict(t + Duration::minutes(10), t + Duration::hours(1))
            .unwrap_err();
        assert!(matches!(off, ForecastError::InvalidWindow { .. }));
        assert!(off.to_string().contains("30-minute grid"), "{off}");
        // A window ending inside an interval includes that interval.
        assert_eq!(m.predict(t, t + Duration::minutes(31)).unwrap().len(), 2);
    }

    #[test]
    fn a_year_of_quarter_hours_fits_every_slot() {
        let grid = Grid::new(15, paris());
        let start = at("2025-01-06 00:00");
        let history: Vec<HistoryRow> = (0..35_000)
            .map(|i| HistoryRow {
                start: start + Duration::minutes(15 * i),
                volume: (i % 97) as f64,
                aht_seconds: Some(120.0 + (i % 13) as f64),
            })
            .collect();
        let origin = start + Duration::minutes(15 * 35_000);
        // Speed is measured in BENCHMARKS.md, not asserted here.
        let m = fit(6, &history, &grid, origin);
        assert_eq!(
            m.predict(origin, origin + Duration::days(7)).unwrap().len(),
            7 * 96
        );
    }

    #[test]
    fn fits_the_bundled_sample_history() {
        let (parsed, grid) = bank_1999();
        assert_eq!(parsed.rows.len(), 17_518);
        assert!(parsed.has_aht);
        let total: f64 = parsed.rows.iter().map(|r| r.volume).sum();
        assert!(close(total, 445_414.5));
        let origin: DateTime<Utc> = "1999-12-05T00:00:00+02:00".parse().unwrap();
        let m = fit(6, &parsed.rows, &grid, origin);
        assert!(m.has_aht());
        let points = m.predict(origin, origin + Duration::days(7)).unwrap();
        assert_eq!(points.len(), 7 * 48);
        let week: f64 = points.iter().map(|p| p.volume).sum();
        assert!(week > 5_000.0 && week < 12_000.0, "{week}");
        assert!(points
            .iter()
            .all(|p| p.aht_seconds.is_some() && p.volume_p10 <= p.volume));
    }
}
