//! `long_horizon`: daily totals for leads of weeks to 18 months, × the
//! intraday profile by day type.
//!
//! A day D is forecast as `level × season(D) × weekday(D)`:
//! * `level`: the mean normal daily total of the `base_weeks` before the
//!   origin (before the end of the last such stretch when the history ends
//!   in a gap);
//! * `season(D)`: for every past year k that has the data, the mean of the
//!   week centred on the same day k years back (shifted by whole weeks, so
//!   weekdays line up: 364, 728, 1099 … days) over the mean of the
//!   `base_weeks` before the origin k years back. Years are pooled with
//!   weights `decay^(k−1)`, so recent years count most and one odd year
//!   cannot dominate. This is "same period last year × recent growth", made
//!   robust by pooling; past a year ahead the years that reach D are used;
//! * `weekday(D)`: how each weekday stood against its centred week around
//!   the same date in those years (± `weekday_weeks`), so a season's own
//!   weekly shape (busy Sundays in a sports season) is kept;
//! * with `growth` > 0, the year-on-year change of the level continues at
//!   that share over the lead (at most a year's worth), so a component can
//!   neither freeze nor explode with the horizon.
//!
//! Special days are missing in the series it fits (the calendar applies
//! them afterwards, matched by name across years).

use super::{check_unit, check_weeks, invalid, too_short, totals};
use crate::forecast::profile::shares;
use crate::forecast::series::Series;
use crate::forecast::ForecastError;
use chrono::{Datelike, Duration, NaiveDate};

/// Days of daily totals stored with a fit (18 months and a margin); later
/// dates reuse the stored value a whole number of 364-day years earlier.
const STORED_DAYS: usize = 800;
const YEAR_DAYS: f64 = 365.2425;

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct LongHorizonParams {
    /// Most past years pooled (1..=10).
    pub years: usize,
    /// Weight of each older year relative to the next newer one.
    pub decay: f64,
    /// Weeks before the origin (and before it k years back) that set the level.
    pub base_weeks: usize,
    /// Days either side of the aligned date in the seasonal mean.
    pub half_window_days: usize,
    /// Weeks either side pooled into the weekday factor.
    pub weekday_weeks: usize,
    /// Share of the year-on-year growth carried on over the lead (0 = none).
    pub growth: f64,
    /// Most recent normal days of a weekday pooled into the intraday profile.
    pub profile_weeks: usize,
    pub pool_weekdays: bool,
}

impl Default for LongHorizonParams {
    fn default() -> Self {
        Self {
            years: 4,
            decay: 0.6,
            base_weeks: 8,
            half_window_days: 7,
            weekday_weeks: 4,
            growth: 0.0,
            profile_weeks: 10,
            pool_weekdays: true,
        }
    }
}

pub(super) fn check(p: &LongHorizonParams) -> Result<(), ForecastError> {
    if !(1..=10).contains(&p.years) {
        return Err(invalid(
            "years",
            format!("must be between 1 and 10, got {}", p.years),
        ));
    }
    check_unit("decay", p.decay, false)?;
    check_unit("growth", p.growth, true)?;
    check_weeks("base_weeks", p.base_weeks)?;
    check_weeks("profile_weeks", p.profile_weeks)?;
    if p.half_window_days > 14 {
        return Err(invalid(
            "half_window_days",
            format!("must be 0..=14, got {}", p.half_window_days),
        ));
    }
    if p.weekday_weeks > 13 {
        return Err(invalid(
            "weekday_weeks",
            format!("must be 0..=13, got {}", p.weekday_weeks),
        ));
    }
    Ok(())
}

/// Daily totals from the first day after training on, × intraday shares.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LongHorizonBody {
    /// The first forecast day (the day after the last training day).
    pub first_day: NaiveDate,
    pub daily: Vec<f64>,
    /// Past years that fed the seasonal index at the first forecast day.
    pub years_used: usize,
    pub shares: Vec<f64>,
}

impl LongHorizonBody {
    pub(super) fn day(&self, date: NaiveDate, n: usize) -> Vec<f64> {
        let w = date.weekday().num_days_from_monday() as usize;
        let mut i = (date - self.first_day).num_days().max(0) as usize;
        while i >= self.daily.len() && i >= 364 {
            i -= 364;
        }
        let total = self.daily.get(i).copied().unwrap_or(0.0);
        self.shares[w * n..(w + 1) * n]
            .iter()
            .map(|s| s * total)
            .collect()
    }
}

/// Whole weeks nearest to k calendar years (same weekday, least drift).
fn year_shift(k: usize) -> i64 {
    7 * (k as f64 * YEAR_DAYS / 7.0).round() as i64
}

/// Mean of the observed totals in [from, to) (indices may be out of range);
/// None when fewer than half are observed.
fn mean(t: &[Option<f64>], from: i64, to: i64) -> Option<f64> {
    let mut sum = 0.0;
    let mut n = 0usize;
    for d in from.max(0)..to.min(t.len() as i64) {
        if let Some(v) = t[d as usize] {
            sum += v;
            n += 1;
        }
    }
    (n > 0 && 2 * n >= (to - from).max(1) as usize).then(|| sum / n as f64)
}

pub(super) fn fit(
    s: &Series,
    p: &LongHorizonParams,
    minutes: u32,
) -> Result<LongHorizonBody, ForecastError> {
    let t = totals(s, minutes);
    let end = t.len() as i64;
    let base_days = 7 * p.base_weeks as i64;
    let half = p.half_window_days as i64;
    // The level: the base weeks before the origin, or, when the history
    // ends in a gap, before the last stretch that has them (within a year).
    let (base_end, level) = (0..=52)
        .map(|w| end - 7 * w)
        .find_map(|e| {
            mean(&t, e - base_days, e)
                .filter(|l| *l > 0.0)
                .map(|l| (e, l))
        })
        .ok_or_else(|| too_short("long_horizon (the weeks before the origin)"))?;
    // The level k years before that, for every year that has it.
    let max_years = (p.years + 2).min(12);
    let bases: Vec<Option<f64>> = (1..=max_years)
        .map(|k| {
            let shift = year_shift(k);
            mean(&t, base_end - shift - base_days, base_end - shift).filter(|b| *b > 0.0)
        })
        .collect();
    if bases.iter().all(Option::is_none) {
        return Err(too_short(
            "long_horizon (a year and the base weeks before the origin)",
        ));
    }
    let yoy = bases[0].map(|b| (level / b).clamp(0.5, 2.0));
    // Centred means, used both for the season and the weekday factor.
    let centred: Vec<Option<f64>> = (0..end).map(|d| mean(&t, d - 3, d + 4)).collect();
    let mut daily = Vec::with_capacity(STORED_DAYS);
    let mut years_used = 0;
    for i in 0..STORED_DAYS as i64 {
        let target = end + i;
        let mut season = 0.0;
        let mut weekday_num = 0.0;
        let mut wsum = 0.0;
        let mut weekday_w = 0.0;
        let mut used = 0;
        let mut weight = 1.0;
        for (k, base) in bases.iter().enumerate() {
            if used >= p.years {
                break;
            }
            let a = target - year_shift(k + 1);
            // The season is measured against the base k years back, which
            // sits `end - base_end` days before the aligned origin.
            // The whole window must lie in the training history.
            if a + half >= end || a - half < 0 {
                continue;
            }
            let (Some(base), Some(around)) = (base, mean(&t, a - half, a + half + 1)) else {
                continue;
            };
            season += weight * (around / base).clamp(0.05, 20.0);
            wsum += weight;
            // Weekday factor: the same weekday's totals against their
            // centred weeks, ± weekday_weeks around the aligned date.
            let (mut num, mut den) = (0.0, 0.0);
            for j in -(p.weekday_weeks as i64)..=p.weekday_weeks as i64 {
                let d = a + 7 * j;
                if d < 0 || d >= end {
                    continue;
                }
                if let (Some(v), Some(c)) = (t[d as usize], centred[d as usize]) {
                    num += v;
                    den += c;
                }
            }
            if den > 0.0 {
                weekday_num += weight * num / den;
                weekday_w += weight;
            }
            used += 1;
            weight *= p.decay;
        }
        if i == 0 {
            years_used = used;
        }
        let season = if wsum > 0.0 { season / wsum } else { 1.0 };
        let weekday = if weekday_w > 0.0 {
            weekday_num / weekday_w
        } else {
            recent_weekday_factor(&t, &centred, target)
        };
        let lead_years = ((i + 1) as f64 / YEAR_DAYS).min(1.0);
        let trend = yoy.map_or(1.0, |g| g.powf(p.growth * lead_years));
        daily.push((level * season * weekday * trend).max(0.0));
    }
    Ok(LongHorizonBody {
        first_day: s.date(0) + Duration::days(end),
        daily,
        years_used,
        shares: shares(s, p.profile_weeks, minutes, p.pool_weekdays),
    })
}

/// The weekday factor of the last 8 weeks (when no past year has one).
fn recent_weekday_factor(t: &[Option<f64>], centred: &[Option<f64>], target: i64) -> f64 {
    let end = t.len() as i64;
    let (mut num, mut den) = (0.0, 0.0);
    for back in 1..=8 {
        let d = target - 7 * ((target - end) / 7 + back);
        if d < 0 || d >= end {
            continue;
        }
        if let (Some(v), Some(c)) = (t[d as usize], centred[d as usize]) {
            num += v;
            den += c;
        }
    }
    if den > 0.0 {
        num / den
    } else {
        1.0
    }
}
