//! `top_down`: Holt–Winters on daily totals (damped trend, day-of-week
//! seasonality) × the intraday profile; with a year of history the level is
//! scaled, week by week over the whole horizon, by last year's change over
//! the same period.

use super::{check_unit, check_weeks, too_short, totals};
use crate::forecast::profile::shares;
use crate::forecast::series::Series;
use crate::forecast::ForecastError;
use chrono::{Datelike, NaiveDate};

/// Weeks ahead the yearly factor is computed for (covers 18 months).
const YEARLY_WEEKS: i64 = 80;

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TopDownParams {
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    /// Trend damping (0 < phi <= 1).
    pub phi: f64,
    pub profile_weeks: usize,
    /// Pool the intraday profile over similar weekdays.
    pub pool_weekdays: bool,
}

impl Default for TopDownParams {
    fn default() -> Self {
        Self {
            alpha: 0.15,
            beta: 0.01,
            gamma: 0.1,
            phi: 0.9,
            profile_weeks: 10,
            pool_weekdays: true,
        }
    }
}

pub(super) fn check(p: &TopDownParams) -> Result<(), ForecastError> {
    check_unit("alpha", p.alpha, false)?;
    check_unit("beta", p.beta, true)?;
    check_unit("gamma", p.gamma, true)?;
    check_unit("phi", p.phi, false)?;
    check_weeks("profile_weeks", p.profile_weeks)
}

/// Daily totals from Holt–Winters state × intraday shares.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TopDownBody {
    pub level: f64,
    pub trend: f64,
    pub phi: f64,
    pub season: [f64; 7],
    /// The day the state was last updated (the last training day).
    pub last_day: NaiveDate,
    /// Multiplier from last year's change over the same period, from each
    /// date on (empty when less than a year of history).
    pub yearly: Vec<(NaiveDate, f64)>,
    pub shares: Vec<f64>,
}

pub(super) fn fit(
    s: &Series,
    p: &TopDownParams,
    minutes: u32,
) -> Result<TopDownBody, ForecastError> {
    let t = totals(s, minutes);
    let days = t.len();
    let init = days.min(28);
    let mut by_w = [(0.0, 0usize); 7];
    for (d, v) in t.iter().enumerate().take(init) {
        if let Some(v) = v {
            let w = s.weekday(d);
            by_w[w].0 += v;
            by_w[w].1 += 1;
        }
    }
    let known: Vec<f64> = by_w
        .iter()
        .filter(|(_, c)| *c > 0)
        .map(|(v, c)| v / *c as f64)
        .collect();
    if known.len() < 7 {
        return Err(too_short("top_down (four weeks of full days)"));
    }
    let mean = known.iter().sum::<f64>() / 7.0;
    if mean <= 0.0 {
        return Err(too_short("top_down (no volume)"));
    }
    let mut season = [0.0; 7];
    for w in 0..7 {
        season[w] = by_w[w].0 / by_w[w].1 as f64 / mean;
    }
    let mut level = mean;
    let mut trend = 0.0;
    for (d, v) in t.iter().enumerate() {
        let w = s.weekday(d);
        let base = level + p.phi * trend;
        match v {
            Some(y) if season[w] > 1e-6 => {
                let new_level = p.alpha * (y / season[w]) + (1.0 - p.alpha) * base;
                trend = p.beta * (new_level - level) + (1.0 - p.beta) * p.phi * trend;
                level = new_level.max(0.0);
                if level > 0.0 {
                    season[w] = p.gamma * (y / level) + (1.0 - p.gamma) * season[w];
                }
            }
            _ => {
                level = base.max(0.0);
                trend *= p.phi;
            }
        }
    }
    // Yearly: with a year of history, the ratio of the mean around the
    // same week a year (or, past a year ahead, two years) before each
    // future week to the mean of the weeks before the anchor that many
    // years back (3-week windows). Computed for 80 weeks so the factor
    // follows the season over an 18-month horizon instead of freezing.
    // The anchor is the day after the last one with a total (the origin
    // unless the history ends in a gap): the level above stopped there, so
    // last year's change must be taken from there too (from the origin it
    // would apply a change the level never went through).
    let mut yearly = Vec::new();
    if days >= 365 + 28 {
        let week_mean = |end: i64| -> Option<f64> {
            let vals: Vec<f64> = ((end - 21).max(0)..end.max(0))
                .filter_map(|d| t.get(d as usize).copied().flatten())
                .collect();
            (vals.len() >= 10).then(|| vals.iter().sum::<f64>() / vals.len() as f64)
        };
        let end = days as i64;
        let anchor = t
            .iter()
            .rposition(Option::is_some)
            .map_or(end, |d| d as i64 + 1);
        let gap_weeks = (end - anchor + 6) / 7;
        for k in 0..YEARLY_WEEKS + gap_weeks {
            let years = (7 * k + 7 + 363) / 364;
            let back = 364 * years;
            let Some(base) = week_mean(anchor - back).filter(|b| *b > 0.0) else {
                continue;
            };
            if let Some(m) = week_mean(anchor - back + 7 * k + 7) {
                let day = s.date(0) + chrono::Duration::days(anchor + 7 * k);
                yearly.push((day, (m / base).clamp(0.5, 2.0)));
            }
        }
    }
    Ok(TopDownBody {
        level,
        trend,
        phi: p.phi,
        season,
        last_day: s.date(days - 1),
        yearly,
        shares: shares(s, p.profile_weeks, minutes, p.pool_weekdays),
    })
}

impl TopDownBody {
    pub(super) fn day(&self, date: NaiveDate, n: usize) -> Vec<f64> {
        let w = date.weekday().num_days_from_monday() as usize;
        let h = (date - self.last_day).num_days().max(1);
        let damp: f64 = (1..=h.min(3650)).map(|i| self.phi.powi(i as i32)).sum();
        let year = self
            .yearly
            .iter()
            .rev()
            .find(|(d, _)| *d <= date)
            .map_or(1.0, |y| y.1);
        let total = ((self.level + self.trend * damp) * self.season[w]).max(0.0) * year;
        self.shares[w * n..(w + 1) * n]
            .iter()
            .map(|s| s * total)
            .collect()
    }
}
