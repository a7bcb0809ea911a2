//! History laid out as local days × intervals of the day, the shape every
//! engine model works on. A cell with no history row is missing (NaN), never
//! zero. Local-clock cells make "the same interval last week" DST-proof: the
//! skipped spring hour has no cell value and the repeated autumn hour is
//! added into the first.

use super::ForecastError;
use crate::domain::{Grid, HistoryRow};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc};

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
        };
        s.compute_seen();
        s
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
