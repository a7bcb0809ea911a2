//! History laid out as local days × intervals of the day, the shape every
//! engine model works on. A cell with no history row is missing (NaN), never
//! zero. Local-clock cells make "the same interval last week" DST-proof: the
//! skipped spring hour has no cell value and the repeated autumn hour is
//! added into the first.

use super::ForecastError;
use crate::domain::{Grid, HistoryRow};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc};

/// Complete days of a weekday whose intraday shares complete a partial one.
const COMPLETION_DAYS: usize = 8;
/// Fewest such days before a partial day is completed.
const MIN_COMPLETION_DAYS: usize = 3;
/// Least share of a day's usual volume its observed cells must carry to be
/// completed: below half, the day is more guess than record.
const MIN_COVERED_SHARE: f64 = 0.5;

#[derive(Debug, Clone)]
pub(crate) struct Series {
    pub slots: usize,
    pub first_day: NaiveDate,
    /// days × slots volumes, NaN = missing.
    pub vol: Vec<f64>,
    /// days × slots sums of aht × volume and of volume (rows with an AHT).
    pub aht_num: Vec<f64>,
    pub aht_den: Vec<f64>,
    /// Plain sum and count of AHTs (for AHTs only on zero-volume rows).
    pub aht_plain: (f64, usize),
    pub first_row: DateTime<Utc>,
    pub last_row: DateTime<Utc>,
    /// 7 × slots: whether the weekly slot (Monday first) has any row at all.
    /// A never-seen slot is closed, so its absence does not make a day partial.
    pub seen: Vec<bool>,
    /// Cells (day × slots + slot, ascending) whose local start time does not
    /// exist (the hour a spring DST change skips): never missing.
    pub skipped: Vec<usize>,
}

impl Series {
    /// Rows strictly before `origin` (all rows when `origin` is `None`).
    pub fn build(
        history: &[HistoryRow],
        grid: &Grid,
        origin: Option<DateTime<Utc>>,
    ) -> Result<Self, ForecastError> {
        let keep = |r: &&HistoryRow| origin.is_none_or(|o| r.start < o);
        let mut first: Option<DateTime<Utc>> = None;
        let mut last: Option<DateTime<Utc>> = None;
        for r in history.iter().filter(keep) {
            first = Some(first.map_or(r.start, |f| f.min(r.start)));
            last = Some(last.map_or(r.start, |l| l.max(r.start)));
        }
        let (Some(first_row), Some(last_row)) = (first, last) else {
            return Err(ForecastError::NoHistory {
                before: origin.unwrap_or(DateTime::<Utc>::MAX_UTC),
            });
        };
        let slots = (1440 / grid.minutes.max(1)) as usize;
        let first_day = grid.local_date(first_row);
        let last_day = match origin {
            // The origin's day is included so a mid-day origin keeps its
            // morning; its later cells stay missing.
            Some(o) => grid
                .local_date(o - Duration::nanoseconds(1))
                .max(grid.local_date(last_row)),
            None => grid.local_date(last_row),
        };
        let days = (last_day - first_day).num_days() as usize + 1;
        let mut s = Series {
            slots,
            first_day,
            vol: vec![f64::NAN; days * slots],
            aht_num: vec![0.0; days * slots],
            aht_den: vec![0.0; days * slots],
            aht_plain: (0.0, 0),
            first_row,
            last_row,
            seen: Vec::new(),
            skipped: skipped_cells(grid, first_day, days, slots),
        };
        for r in history.iter().filter(keep) {
            let local = r.start.with_timezone(&grid.tz);
            let d = (local.date_naive() - first_day).num_days() as usize;
            let slot = ((local.hour() * 60 + local.minute()) / grid.minutes) as usize;
            let i = d * slots + slot.min(slots - 1);
            s.vol[i] = if s.vol[i].is_nan() {
                r.volume
            } else {
                s.vol[i] + r.volume
            };
            if let Some(aht) = r.aht_seconds {
                s.aht_num[i] += aht * r.volume;
                s.aht_den[i] += r.volume;
                s.aht_plain.0 += aht;
                s.aht_plain.1 += 1;
            }
        }
        s.compute_seen();
        Ok(s)
    }

    fn compute_seen(&mut self) {
        let mut seen = vec![false; 7 * self.slots];
        for d in 0..self.days() {
            let w = self.weekday(d);
            for (slot, v) in self.day(d).iter().enumerate() {
                if !v.is_nan() {
                    seen[w * self.slots + slot] = true;
                }
            }
        }
        self.seen = seen;
    }

    pub fn days(&self) -> usize {
        self.vol.len() / self.slots
    }

    pub fn day(&self, d: usize) -> &[f64] {
        &self.vol[d * self.slots..(d + 1) * self.slots]
    }

    pub fn date(&self, d: usize) -> NaiveDate {
        self.first_day + Duration::days(d as i64)
    }

    pub fn weekday(&self, d: usize) -> usize {
        self.date(d).weekday().num_days_from_monday() as usize
    }

    /// Day index of a date (negative before the first day).
    pub fn index(&self, date: NaiveDate) -> i64 {
        (date - self.first_day).num_days()
    }

    /// The first `days` days only (a backtest origin at local midnight).
    pub fn truncated(&self, days: usize) -> Series {
        let n = days.min(self.days()) * self.slots;
        let mut s = Series {
            slots: self.slots,
            first_day: self.first_day,
            vol: self.vol[..n].to_vec(),
            aht_num: self.aht_num[..n].to_vec(),
            aht_den: self.aht_den[..n].to_vec(),
            aht_plain: self.aht_plain,
            first_row: self.first_row,
            last_row: self.last_row,
            seen: Vec::new(),
            skipped: self.skipped.iter().copied().filter(|i| *i < n).collect(),
        };
        s.compute_seen();
        s
    }

    /// Daily totals for the models that forecast them: a fully observed
    /// day's sum, and a partly observed one completed from its weekday's
    /// intraday shares over the last [`COMPLETION_DAYS`] complete days of
    /// that weekday *before* it (so a backtest never looks ahead): observed
    /// volume ÷ the share of the day those cells usually carry, when that
    /// share is at least [`MIN_COVERED_SHARE`]. Feeds that drop hours
    /// (an outage, a logger that skips) otherwise leave whole months
    /// without a level, and a day missing its busiest hour reads low.
    pub fn completed_totals(&self, minutes: u32) -> Vec<Option<f64>> {
        let n = self.slots;
        let mut recent: Vec<std::collections::VecDeque<Vec<f64>>> = vec![Default::default(); 7];
        (0..self.days())
            .map(|d| {
                let w = self.weekday(d);
                let day = self.day(d);
                let seen = &self.seen[w * n..][..n];
                let complete = day
                    .iter()
                    .zip(seen)
                    .enumerate()
                    .all(|(k, (v, s))| !v.is_nan() || !*s || self.is_skipped(d * n + k));
                let observed: f64 = day.iter().filter(|v| !v.is_nan()).sum();
                if complete {
                    if observed > 0.0 {
                        let q = &mut recent[w];
                        q.push_back(day.iter().map(|v| v.max(0.0) / observed).collect());
                        if q.len() > COMPLETION_DAYS {
                            q.pop_front();
                        }
                    }
                    return Some(observed);
                }
                let past = &recent[w];
                if past.len() < MIN_COMPLETION_DAYS {
                    // No recent complete days to complete it from: the
                    // strict rule (at most an hour missing).
                    return self.day_total(d, minutes);
                }
                let covered = day
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| !v.is_nan())
                    .map(|(k, _)| past.iter().map(|p| p[k]).sum::<f64>())
                    .sum::<f64>()
                    / past.len() as f64;
                (covered >= MIN_COVERED_SHARE).then(|| observed / covered)
            })
            .collect()
    }

    fn is_skipped(&self, cell: usize) -> bool {
        self.skipped.binary_search(&cell).is_ok()
    }

    /// The day's total when (nearly) fully observed: at most one hour of
    /// cells missing (the DST spring day).
    pub fn day_total(&self, d: usize, minutes: u32) -> Option<f64> {
        let allowed = (60 / minutes.max(1)) as usize;
        let day = self.day(d);
        let seen = &self.seen[self.weekday(d) * self.slots..][..self.slots];
        let missing = day
            .iter()
            .zip(seen)
            .filter(|(v, s)| v.is_nan() && **s)
            .count();
        if missing > allowed {
            return None;
        }
        Some(day.iter().filter(|v| !v.is_nan()).sum())
    }
}

/// The cells of `days` local days from `first_day` whose start does not
/// exist on the local clock. Only days that are not 24 hours long are
/// looked at slot by slot.
fn skipped_cells(grid: &Grid, first_day: NaiveDate, days: usize, slots: usize) -> Vec<usize> {
    use chrono::TimeZone;
    let start = |date: NaiveDate| {
        grid.tz
            .from_local_datetime(&date.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest()
    };
    let mut out = Vec::new();
    for d in 0..days {
        let date = first_day + Duration::days(d as i64);
        let length = start(date)
            .zip(start(date + Duration::days(1)))
            .map(|(a, b)| (b - a).num_minutes());
        if length == Some(1440) {
            continue;
        }
        for slot in 0..slots {
            let local = date.and_hms_opt(0, 0, 0).unwrap_or_default()
                + Duration::minutes((slot as u32 * grid.minutes) as i64);
            if grid.tz.from_local_datetime(&local).earliest().is_none() {
                out.push(d * slots + slot);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Grid, HistoryRow};
    use chrono::{Duration, TimeZone, Utc};

    /// `days` days of hourly history: the day's total `total(d)` spread by
    /// a fixed profile (busy afternoons), hours `drop(d, h)` left out.
    fn hourly(
        days: usize,
        total: impl Fn(usize) -> f64,
        drop: impl Fn(usize, usize) -> bool,
    ) -> Series {
        let start = Utc.with_ymd_and_hms(2025, 1, 6, 0, 0, 0).unwrap();
        let weight = |h: usize| 1.0 + (h as f64 - 4.0).max(0.0);
        let sum: f64 = (0..24).map(weight).sum();
        let mut rows = Vec::new();
        for d in 0..days {
            for h in 0..24 {
                if !drop(d, h) {
                    rows.push(HistoryRow {
                        start: start + Duration::hours((d * 24 + h) as i64),
                        volume: total(d) * weight(h) / sum,
                        aht_seconds: None,
                    });
                }
            }
        }
        Series::build(&rows, &Grid::new(60, chrono_tz::UTC), None).unwrap()
    }

    #[test]
    fn a_partial_day_is_completed_from_its_weekdays_recent_shares() {
        // Five weeks; on day 30 (a Wednesday) only hours 0–19 arrived.
        let s = hourly(35, |d| 1000.0 + d as f64, |d, h| d == 30 && h >= 20);
        let t = s.completed_totals(60);
        assert_eq!(s.day_total(30, 60), None, "strictly it is missing");
        let got = t[30].expect("completed");
        assert!((got - 1030.0).abs() < 1e-6, "{got}");
        // Complete days keep their sums.
        assert!((t[29].unwrap() - 1029.0).abs() < 1e-9);
    }

    #[test]
    fn the_hour_a_spring_dst_change_skips_is_not_missing() {
        // Hourly rows in Paris for five weeks around 2025-03-30 (23 hours).
        let grid = Grid::new(60, chrono_tz::Europe::Paris);
        let start = Utc.with_ymd_and_hms(2025, 3, 2, 23, 0, 0).unwrap(); // local midnight
        let rows: Vec<HistoryRow> = (0..35 * 24 - 1)
            .map(|i| HistoryRow {
                start: start + Duration::hours(i),
                volume: 10.0,
                aht_seconds: None,
            })
            .collect();
        let s = Series::build(&rows, &grid, None).unwrap();
        let d = s.index(chrono::NaiveDate::from_ymd_opt(2025, 3, 30).unwrap()) as usize;
        assert_eq!(s.skipped, vec![d * 24 + 2]);
        // Its 23 hours are the whole day, not a day to complete.
        assert_eq!(s.completed_totals(60)[d], Some(230.0));
    }

    #[test]
    fn completion_needs_half_the_day_and_earlier_days_only() {
        // Day 30 keeps only the quiet hours 0–9 (under half the volume).
        let s = hourly(35, |_| 1000.0, |d, h| d == 30 && h >= 10);
        assert_eq!(s.completed_totals(60)[30], None);
        // A partial day in the second week has one complete Wednesday
        // before it (fewer than the three it needs) and stays missing,
        // even though complete Wednesdays follow it.
        let s = hourly(35, |_| 1000.0, |d, h| d == 9 && h >= 20);
        assert_eq!(s.completed_totals(60)[9], None);
        // Cut at day 31, the completion of day 30 is the same: it never
        // looked ahead.
        let s = hourly(35, |d| 900.0 + 7.0 * d as f64, |d, h| d == 30 && h >= 20);
        let whole = s.completed_totals(60)[30].unwrap();
        assert_eq!(s.truncated(31).completed_totals(60)[30], Some(whole));
    }
}
