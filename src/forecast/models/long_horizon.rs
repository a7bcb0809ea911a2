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
//! * the seasonal index is raised to the power of the *carry-over* the
//!   history shows (how much of one year's log swing the next year
//!   repeated, 0..1): a season that repeats is kept whole, one that is
//!   mostly noise is damped towards the recent level;
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

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
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
    /// Share of last year's seasonal swing that carried over to the next
    /// year in this history (1 = the same period last year exactly).
    pub carry: f64,
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
    let seasons = Seasons::new(&t, p);
    if (1..=p.years + 2).all(|k| seasons.base_at(base_end - year_shift(k)).is_none()) {
        return Err(too_short(
            "long_horizon (a year and the base weeks before the origin)",
        ));
    }
    let yoy = seasons
        .base_at(base_end - year_shift(1))
        .map(|b| (level / b).clamp(0.5, 2.0));
    // Centred weeks, for the weekday factor.
    let centred: Vec<Option<f64>> = (0..end).map(|d| mean(&t, d - 3, d + 4)).collect();
    let carry = seasons.carry_over();
    let mut daily = Vec::with_capacity(STORED_DAYS);
    let mut years_used = 0;
    for i in 0..STORED_DAYS as i64 {
        let target = end + i;
        let (season, used) = seasons.index(base_end, end, target).unwrap_or((1.0, 0));
        if i == 0 {
            years_used = used;
        }
        let weekday = seasonal_weekday_factor(&t, &centred, p, end, target)
            .unwrap_or_else(|| recent_weekday_factor(&t, &centred, target));
        let lead_years = ((i + 1) as f64 / YEAR_DAYS).min(1.0);
        let trend = yoy.map_or(1.0, |g| g.powf(p.growth * lead_years));
        daily.push((level * season.powf(carry) * weekday * trend).max(0.0));
    }
    Ok(LongHorizonBody {
        first_day: s.date(0) + Duration::days(end),
        daily,
        years_used,
        carry,
        shares: shares(s, p.profile_weeks, minutes, p.pool_weekdays),
    })
}

/// Fewest (origin, lead) pairs to estimate the carry-over from.
const MIN_CARRY_PAIRS: usize = 100;

/// Daily totals with their centred and base means: the seasonal index.
struct Seasons<'a> {
    p: &'a LongHorizonParams,
    end: i64,
    half: i64,
    /// Mean of the ±half days around each day (None near the end).
    around: Vec<Option<f64>>,
    /// Mean of the base weeks before each day.
    base: Vec<Option<f64>>,
}

impl<'a> Seasons<'a> {
    fn new(t: &[Option<f64>], p: &'a LongHorizonParams) -> Self {
        let end = t.len() as i64;
        let half = p.half_window_days as i64;
        let base_days = 7 * p.base_weeks as i64;
        Seasons {
            p,
            end,
            half,
            around: (0..end)
                .map(|d| {
                    (d + half < end)
                        .then(|| mean(t, d - half, d + half + 1))
                        .flatten()
                })
                .collect(),
            base: (0..=end)
                .map(|e| mean(t, e - base_days, e).filter(|b| *b > 0.0))
                .collect(),
        }
    }

    fn base_at(&self, e: i64) -> Option<f64> {
        (0..=self.end)
            .contains(&e)
            .then(|| self.base[e as usize])
            .flatten()
    }

    fn around_at(&self, d: i64) -> Option<f64> {
        (0..self.end)
            .contains(&d)
            .then(|| self.around[d as usize])
            .flatten()
    }

    /// The pooled seasonal index of day `d` against the base weeks before
    /// `base_e`, from the past years whose window lies before `limit`:
    /// (index, years used).
    fn index(&self, base_e: i64, limit: i64, d: i64) -> Option<(f64, usize)> {
        let (mut sum, mut wsum, mut used, mut weight) = (0.0, 0.0, 0, 1.0);
        for k in 1..=self.p.years + 2 {
            if used >= self.p.years {
                break;
            }
            let shift = year_shift(k);
            let a = d - shift;
            if a + self.half >= limit {
                continue;
            }
            let (Some(around), Some(base)) = (self.around_at(a), self.base_at(base_e - shift))
            else {
                continue;
            };
            sum += weight * (around / base).clamp(0.05, 20.0);
            wsum += weight;
            used += 1;
            weight *= self.p.decay;
        }
        (wsum > 0.0).then(|| (sum / wsum, used))
    }

    /// How much of the pooled seasonal index came true, learned from the
    /// history itself: over past weekly origins e and leads of 1 to 52
    /// weeks, the least-squares slope (through the origin) of the log of
    /// what happened, `ln(around(e + h) / base(e))`, on the log of the index
    /// the model would have used at e, clipped to [0, 1] (logs, so a one-off
    /// spike weighs as a multiple, not as its size). A season that repeats
    /// (a sports season, a retail peak) gets ~1; one that is mostly noise
    /// gets ~0 and the forecast leans on the recent level. With too few
    /// pairs it is 1: the planner's same period last year × growth.
    fn carry_over(&self) -> f64 {
        let (mut sxy, mut sxx, mut n) = (0.0, 0.0, 0usize);
        let mut e = self.end - 7;
        while e > year_shift(1) {
            if let Some(b) = self.base_at(e) {
                for h in (7..=364).step_by(7) {
                    let d = e + h;
                    let Some(a) = self.around_at(d) else {
                        continue;
                    };
                    if let Some((index, _)) = self.index(e, e, d) {
                        if a > 0.0 && index > 0.0 {
                            let (y, x) = ((a / b).ln(), index.ln());
                            sxy += x * y;
                            sxx += x * x;
                            n += 1;
                        }
                    }
                }
            }
            e -= 7;
        }
        if n < MIN_CARRY_PAIRS || sxx <= 0.0 {
            return 1.0;
        }
        (sxy / sxx).clamp(0.0, 1.0)
    }
}

/// How each weekday stood against its centred week around the same date in
/// past years (± weekday_weeks), pooled with the years' weights.
fn seasonal_weekday_factor(
    t: &[Option<f64>],
    centred: &[Option<f64>],
    p: &LongHorizonParams,
    end: i64,
    target: i64,
) -> Option<f64> {
    let (mut sum, mut wsum, mut used, mut weight) = (0.0, 0.0, 0, 1.0);
    for k in 1..=p.years + 2 {
        if used >= p.years {
            break;
        }
        let a = target - year_shift(k);
        if a + 3 >= end || a < 0 {
            continue;
        }
        let weeks = p.weekday_weeks as i64;
        if let Some(ratio) = weekday_ratio(t, centred, (-weeks..=weeks).map(|j| a + 7 * j)) {
            sum += weight * ratio;
            wsum += weight;
            used += 1;
            weight *= p.decay;
        }
    }
    (wsum > 0.0).then(|| sum / wsum)
}

/// Σ totals / Σ their centred weeks over the given days (those in range
/// with both observed); None when there is none.
fn weekday_ratio(
    t: &[Option<f64>],
    centred: &[Option<f64>],
    days: impl Iterator<Item = i64>,
) -> Option<f64> {
    let (mut num, mut den) = (0.0, 0.0);
    for d in days.filter(|d| (0..t.len() as i64).contains(d)) {
        if let (Some(v), Some(c)) = (t[d as usize], centred[d as usize]) {
            num += v;
            den += c;
        }
    }
    (den > 0.0).then(|| num / den)
}

/// The weekday factor of the last 8 weeks (when no past year has one).
fn recent_weekday_factor(t: &[Option<f64>], centred: &[Option<f64>], target: i64) -> f64 {
    let end = t.len() as i64;
    let days = (1..=8).map(|back| target - 7 * ((target - end) / 7 + back));
    weekday_ratio(t, centred, days).unwrap_or(1.0)
}
