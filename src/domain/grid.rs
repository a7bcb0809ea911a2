//! The interval grid of a queue: fixed-length intervals aligned on the
//! queue's local wall clock, enumerated in UTC so DST days have 92 or 100
//! quarter-hours rather than 96.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Timelike, Utc, Weekday};
use chrono_tz::Tz;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grid {
    pub minutes: u32,
    pub tz: Tz,
}

impl Grid {
    pub fn new(minutes: u32, tz: Tz) -> Self {
        Self { minutes, tz }
    }

    pub fn step(&self) -> Duration {
        Duration::minutes(i64::from(self.minutes))
    }

    pub fn seconds(&self) -> f64 {
        f64::from(self.minutes) * 60.0
    }

    /// True when `t` starts an interval on the local wall clock.
    pub fn is_aligned(&self, t: DateTime<Utc>) -> bool {
        let local = t.with_timezone(&self.tz);
        local.second() == 0
            && local.nanosecond() == 0
            && local.minute().is_multiple_of(self.minutes)
    }

    /// The start of the interval holding `t`.
    pub fn floor(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        let local = t.with_timezone(&self.tz);
        // Whole seconds into the interval; the sub-second part is cut below.
        let into = i64::from(local.minute() % self.minutes) * 60 + i64::from(local.second());
        let floored = t - Duration::seconds(into);
        floored.with_nanosecond(0).unwrap_or(floored)
    }

    /// Every interval start in [from, to); `from` is floored onto the grid.
    pub fn intervals(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        let mut out = Vec::new();
        let mut t = self.floor(from);
        while t < to {
            out.push(t);
            t += self.step();
        }
        out
    }

    /// Weekday and minute of the local day an interval starts at: the key
    /// that makes "the same interval last week" independent of DST.
    pub fn weekly_slot(&self, t: DateTime<Utc>) -> (Weekday, u32) {
        let local = t.with_timezone(&self.tz);
        (local.weekday(), local.hour() * 60 + local.minute())
    }

    pub fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    /// The UTC instant of local midnight starting `date` (or the first
    /// instant of the day when midnight is skipped by DST).
    pub fn start_of_day(&self, date: NaiveDate) -> DateTime<Utc> {
        let mut time = NaiveTime::MIN;
        loop {
            if let Ok(t) = super::time::local_to_utc(date.and_time(time), self.tz, "") {
                return t;
            }
            time += Duration::minutes(15);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{date, paris_grid};

    #[test]
    fn dst_days_have_92_and_100_quarter_hours() {
        let g = paris_grid(15);
        let day = |d: &str| {
            let date = date(d);
            g.intervals(
                g.start_of_day(date),
                g.start_of_day(date.succ_opt().unwrap()),
            )
            .len()
        };
        assert_eq!(day("2026-03-29"), 92);
        assert_eq!(day("2026-10-25"), 100);
        assert_eq!(day("2026-06-01"), 96);
    }

    #[test]
    fn alignment_follows_local_clock() {
        let kolkata = Grid::new(60, "Asia/Kolkata".parse().unwrap());
        let t: DateTime<Utc> = "2026-01-05T02:30:00Z".parse().unwrap(); // 08:00 local
        assert!(kolkata.is_aligned(t));
        assert!(!kolkata.is_aligned(t + Duration::minutes(30)));
        let g = paris_grid(30);
        let odd: DateTime<Utc> = "2026-01-05T07:47:13Z".parse().unwrap();
        assert_eq!(
            g.floor(odd),
            "2026-01-05T07:30:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }
}
