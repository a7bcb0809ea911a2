//! Backtests that look like the request: a forecast made `lead` days before
//! a window of `window` days is judged on past windows with the same lead
//! and length.
//!
//! * Origins (local midnights): the six most recent whose window ends by
//!   the forecast origin (`origin − lead − window − s·j`, j = 0..5, spaced
//!   by s = a week, or about half the lead when that is longer; more, up
//!   to 26, when a queue has so few intervals a day that six windows give
//!   fewer than 400 residuals for its bands; those extra ones are spread
//!   towards a year back so the bands see every season), and the
//!   same origin one and two years back (whole weeks, so weekdays line up),
//!   so that last year's peak is scored when the request covers it. A fit
//!   sees only history before its own origin; every scored day lies before
//!   the forecast origin. An origin has 35 days of history or more; when
//!   the history is too short for any such origin (5 weeks before a week's
//!   window), origins with 14 days or more are used instead, and the
//!   choice's reason and warnings say so.
//! * Models are compared on the origins where all of them could be fitted
//!   (one that needs more history drops the oldest origins for everyone,
//!   rather than being scored on easier ones).
//! * Scores (interval level unless said): WAPE = Σ|y − f| / Σy; bias =
//!   Σ(f − y) / Σy; MASE = MAE / in-sample MAE of the one-week seasonal
//!   naive; busiest-day error = |max daily forecast − max daily actual| /
//!   max daily actual; 95th-percentile-interval error = |q95(f) − q95(y)| /
//!   q95(y) over a window's intervals (the load staffing must meet at the
//!   busy end); the last two are averaged over origins. Coverage = share of
//!   actuals inside [p10, p90] with each origin's bands calibrated on the
//!   *other* origins (leave-one-origin-out). Outlier days and missing
//!   history are not scored.

use super::calendar_effects::{calendar, normal_days};
use super::calibration::{quantile, Calibration, Residual};
use super::models::{CheckedModel, ModelName};
use super::series::Series;
use super::special_days::{SpecialDay, SpecialDayKind};
use crate::domain::Grid;
use chrono::NaiveDate;
use std::sync::atomic::{AtomicBool, Ordering};

/// Recent backtest origins before each forecast (at least).
pub const BACKTEST_ORIGINS: usize = 6;
/// A queue with few intervals a day (a daily series) gets more origins,
/// up to this many, so that its bands rest on enough residuals.
pub const MAX_BACKTEST_ORIGINS: usize = 26;
/// Residuals the recent origins should give together.
const MIN_RESIDUALS: f64 = 400.0;
/// Origins a whole number of years back (1 and 2 years).
pub const YEAR_BACK_ORIGINS: usize = 2;
/// No backtest origin has less history than this (days) ...
pub const MIN_TRAINING_DAYS: usize = 35;
/// ... unless none would have it: then a short history (5 weeks, say) is
/// backtested on origins with at least this much, rather than not at all.
pub const SHORT_MIN_TRAINING_DAYS: usize = 14;

/// Lead and length of a request (whole local days).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct Horizon {
    pub lead_days: usize,
    pub window_days: usize,
}

/// One model's backtest scores.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ModelScore {
    pub model: ModelName,
    /// None when the model could not be fitted (e.g. too little history).
    pub wape: Option<f64>,
    #[serde(default)]
    pub bias: Option<f64>,
    pub mase: Option<f64>,
    #[serde(default)]
    pub busiest_day_error: Option<f64>,
    #[serde(default)]
    pub p95_interval_error: Option<f64>,
    /// Share of actuals inside [p10, p90] (target 0.80).
    pub coverage_p10_p90: Option<f64>,
    /// WAPE per origin, in the order of [`BacktestReport::origins`].
    pub wape_by_origin: Vec<Option<f64>>,
    /// Scored intervals.
    pub intervals: usize,
    /// Why it could not be fitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The scores of every candidate on the same origins.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct BacktestReport {
    /// Local dates of the backtest origins (history before each is used).
    pub origins: Vec<NaiveDate>,
    /// Days from each backtest origin to its scored window.
    #[serde(default)]
    pub lead_days: usize,
    /// Days scored after the lead (the request's window length).
    pub horizon_days: usize,
    /// How many of the origins are a year or more back.
    #[serde(default)]
    pub year_back_origins: usize,
    pub scores: Vec<ModelScore>,
}

/// A model's backtest on every origin (None where it could not be fitted).
pub(crate) struct Run {
    pub by_origin: Vec<Option<OriginResult>>,
    pub error: Option<String>,
}

/// What one origin produced: residuals by lead, and per-day sums.
pub(crate) struct OriginResult {
    pub residuals: Vec<Residual>,
    /// (forecast, actual) sums of each scored day's observed intervals.
    pub days: Vec<(f64, f64)>,
    /// In-sample scale of the one-week seasonal naive.
    pub scale: f64,
}

impl OriginResult {
    fn pairs(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.residuals.iter().map(|r| (r.forecast, r.actual))
    }
}

/// The backtest origins of a request, oldest first.
pub(crate) struct Origins {
    /// Day indices of the origins.
    pub days: Vec<usize>,
    /// Whether an origin takes part in the model choice (the six most
    /// recent and the year-back ones); the extra origins of a queue with
    /// few intervals a day only widen the residuals the bands rest on, so
    /// the choice stays the same as with six.
    pub for_choice: Vec<bool>,
    pub year_back: usize,
    /// True when the history was too short for [`MIN_TRAINING_DAYS`] and
    /// the origins have at least [`SHORT_MIN_TRAINING_DAYS`] instead.
    pub short_history: bool,
}

/// Day indices of the backtest origins for a request whose origin is day
/// `limit` of the series.
pub(crate) fn backtest_origins(limit: usize, h: Horizon, cells_per_day: f64) -> Origins {
    let span = h.lead_days + h.window_days;
    let per_origin = (h.window_days as f64 * cells_per_day).max(1.0);
    let recent = ((MIN_RESIDUALS / per_origin).ceil() as usize)
        .clamp(BACKTEST_ORIGINS, MAX_BACKTEST_ORIGINS);
    // Forecasts from origins closer together than the lead share most of
    // their information, so their errors move together and the bands come
    // out too narrow: space the origins by about half the lead (a week at
    // least; the short-lead spacing is unchanged).
    let spacing = 7 * (h.lead_days / 14).max(1);
    let offsets = recent_offsets(span, spacing, recent);
    let recent_origins = |min_training: usize| -> Vec<(usize, bool)> {
        offsets
            .iter()
            .enumerate()
            .filter_map(|(j, off)| limit.checked_sub(*off).map(|o| (o, j < BACKTEST_ORIGINS)))
            .filter(|(o, _)| *o >= min_training)
            .collect()
    };
    let mut origins = recent_origins(MIN_TRAINING_DAYS);
    let mut short_history = false;
    if origins.is_empty() {
        origins = recent_origins(SHORT_MIN_TRAINING_DAYS);
        short_history = !origins.is_empty();
    }
    let reach = offsets.last().copied().unwrap_or(span);
    let mut year_back = 0;
    for k in 1..=YEAR_BACK_ORIGINS {
        let shift = 7 * (k as f64 * 365.2425 / 7.0).round() as usize;
        // Only where it is older than every recent origin (else the recent
        // ones already cover that stretch).
        if shift <= reach {
            continue;
        }
        if let Some(o) = limit.checked_sub(shift).filter(|o| *o >= MIN_TRAINING_DAYS) {
            origins.push((o, true));
            year_back += 1;
        }
    }
    origins.sort_unstable();
    origins.dedup_by_key(|o| o.0);
    Origins {
        days: origins.iter().map(|o| o.0).collect(),
        for_choice: origins.iter().map(|o| o.1).collect(),
        year_back,
        short_history,
    }
}

/// Days from the request's origin back to each recent backtest origin,
/// nearest first: the six for the choice `spacing` apart, then the extra
/// (bands-only) ones in whole weeks spread so that they reach towards a
/// year back but not past it (the year-back origins take it from there).
/// Residuals of half a year of weekly origins see one season only, and a
/// series whose swings come and go with the season then gets bands from
/// the wrong season; spread over the year, they see every season.
///
/// At a long lead the extras cannot all be `spacing` apart within the
/// year: then as many as fit are spread evenly over it, a week apart at
/// least. (Spaced by half the lead, they reached years back: older
/// seasons set the bands, and the year-back origins, which come after
/// the farthest extra, fell out of the choice.)
fn recent_offsets(span: usize, spacing: usize, recent: usize) -> Vec<usize> {
    let choice = recent.min(BACKTEST_ORIGINS);
    let last_choice = span + spacing * (choice.max(1) - 1);
    let year = 7 * (365.2425f64 / 7.0).round() as usize;
    let room = year.saturating_sub(last_choice + 1);
    let extra = (recent - choice).min(room / 7);
    let extras: Vec<usize> = if extra * spacing <= room {
        let wide = room
            .checked_div(extra)
            .map_or(spacing, |r| spacing.max(7 * (r / 7)));
        (1..=extra).map(|j| last_choice + wide * j).collect()
    } else {
        (1..=extra)
            .map(|j| last_choice + 7 * (j * (room / 7) / extra))
            .collect()
    };
    (0..choice)
        .map(|j| span + spacing * j)
        .chain(extras)
        .collect()
}

/// The mean |y(t) − y(t − 1 week)| on normal training cells.
fn naive_scale(s: &Series) -> f64 {
    let lag = 7 * s.slots;
    let mut sum = 0.0;
    let mut n = 0usize;
    for i in lag..s.vol.len() {
        let (a, b) = (s.vol[i], s.vol[i - lag]);
        if !a.is_nan() && !b.is_nan() {
            sum += (a - b).abs();
            n += 1;
        }
    }
    if n == 0 {
        f64::NAN
    } else {
        sum / n as f64
    }
}

pub(crate) fn wape(pairs: &[(f64, f64)]) -> Option<f64> {
    let actual: f64 = pairs.iter().map(|p| p.1).sum();
    (actual > 0.0).then(|| pairs.iter().map(|(f, y)| (y - f).abs()).sum::<f64>() / actual)
}

pub(crate) fn bias(pairs: &[(f64, f64)]) -> Option<f64> {
    let actual: f64 = pairs.iter().map(|p| p.1).sum();
    (actual > 0.0).then(|| pairs.iter().map(|(f, y)| f - y).sum::<f64>() / actual)
}

/// |max daily forecast − max daily actual| / max daily actual.
pub(crate) fn busiest_day_error(days: &[(f64, f64)]) -> Option<f64> {
    let f = days.iter().map(|d| d.0).fold(f64::NAN, f64::max);
    let y = days.iter().map(|d| d.1).fold(f64::NAN, f64::max);
    (y > 0.0).then(|| (f - y).abs() / y)
}

/// |q95 of forecasts − q95 of actuals| / q95 of actuals.
pub(crate) fn p95_error(pairs: &[(f64, f64)]) -> Option<f64> {
    if pairs.is_empty() {
        return None;
    }
    let mut f: Vec<f64> = pairs.iter().map(|p| p.0).collect();
    let mut y: Vec<f64> = pairs.iter().map(|p| p.1).collect();
    f.sort_by(f64::total_cmp);
    y.sort_by(f64::total_cmp);
    let (qf, qy) = (quantile(&f, 0.95), quantile(&y, 0.95));
    (qy > 0.0).then(|| (qf - qy).abs() / qy)
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn run_model(
    model: &CheckedModel,
    series: &Series,
    grid: &Grid,
    special_days: &[SpecialDay],
    origins: &[usize],
    h: Horizon,
    limit: usize,
    stop: &AtomicBool,
) -> Run {
    let cal = calendar(special_days);
    let mut run = Run {
        by_origin: Vec::with_capacity(origins.len()),
        error: None,
    };
    for &o in origins {
        // A fit per origin is the unit of work: checked between fits, the
        // caller's stop takes effect within one.
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let train = series.truncated(o);
        let origin = grid.start_of_day(series.date(o));
        let fitted = match model.fit_series(&train, grid, origin, special_days) {
            Ok(f) => f,
            Err(e) => {
                run.error = Some(e.to_string());
                run.by_origin.push(None);
                continue;
            }
        };
        let normal = normal_days(&train, &cal);
        let mut result = OriginResult {
            residuals: Vec::new(),
            days: Vec::new(),
            scale: naive_scale(&normal),
        };
        let first = o + h.lead_days;
        for d in first..(first + h.window_days).min(limit) {
            let date = series.date(d);
            if cal
                .get(&date)
                .is_some_and(|s| s.kind == SpecialDayKind::Outlier)
            {
                continue;
            }
            let f = fitted.day(date);
            let (mut fs, mut ys, mut seen) = (0.0, 0.0, false);
            for (fv, y) in f.iter().zip(series.day(d)) {
                if !y.is_nan() {
                    let fv = fv.max(0.0);
                    result.residuals.push(Residual {
                        origin: o,
                        lead_days: (d - o) as i64,
                        forecast: fv,
                        actual: *y,
                    });
                    fs += fv;
                    ys += y;
                    seen = true;
                }
            }
            if seen {
                result.days.push((fs, ys));
            }
        }
        run.by_origin.push(Some(result));
    }
    if run.by_origin.iter().any(Option::is_some) {
        run.error = None;
    }
    run
}

/// Scores a run on the origins marked in `use_origin`.
pub(crate) fn score(model: ModelName, run: &Run, use_origin: &[bool]) -> ModelScore {
    let used: Vec<&OriginResult> = run
        .by_origin
        .iter()
        .zip(use_origin)
        .filter(|(_, u)| **u)
        .filter_map(|(r, _)| r.as_ref())
        .collect();
    if used.is_empty() {
        return ModelScore {
            model,
            wape: None,
            bias: None,
            mase: None,
            busiest_day_error: None,
            p95_interval_error: None,
            coverage_p10_p90: None,
            wape_by_origin: vec![],
            intervals: 0,
            error: Some(
                run.error
                    .clone()
                    .unwrap_or_else(|| "no backtest origin".to_string()),
            ),
        };
    }
    let all: Vec<(f64, f64)> = used.iter().flat_map(|r| r.pairs()).collect();
    let mean_of = |f: &dyn Fn(&OriginResult) -> Option<f64>| {
        let v: Vec<f64> = used.iter().filter_map(|r| f(r)).collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    let mase = mean_of(&|r| {
        let n = r.residuals.len();
        (n > 0 && r.scale.is_finite() && r.scale > 0.0).then(|| {
            r.residuals
                .iter()
                .map(|x| (x.actual - x.forecast).abs())
                .sum::<f64>()
                / n as f64
                / r.scale
        })
    });
    let busiest = mean_of(&|r| busiest_day_error(&r.days));
    let p95 = mean_of(&|r| p95_error(&r.pairs().collect::<Vec<_>>()));
    // Leave-one-origin-out coverage, lead-aware.
    let mut inside = 0usize;
    let mut total = 0usize;
    if used.len() > 1 {
        for k in 0..used.len() {
            let others: Vec<Residual> = used
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != k)
                .flat_map(|(_, r)| r.residuals.iter().copied())
                .collect();
            let cal = Calibration::from_residuals(&others);
            for r in &used[k].residuals {
                let (lo, hi) = cal.band_at(r.forecast, r.lead_days);
                total += 1;
                inside += usize::from(r.actual >= lo && r.actual <= hi);
            }
        }
    }
    ModelScore {
        model,
        wape: wape(&all),
        bias: bias(&all),
        mase,
        busiest_day_error: busiest,
        p95_interval_error: p95,
        coverage_p10_p90: (total > 0).then(|| inside as f64 / total as f64),
        wape_by_origin: used
            .iter()
            .map(|r| wape(&r.pairs().collect::<Vec<_>>()))
            .collect(),
        intervals: all.len(),
        error: None,
    }
}

/// Origins where every model that fitted anywhere fitted (all origins when
/// no such common set exists).
pub(crate) fn common_origins(runs: &[Run], n: usize) -> Vec<bool> {
    let fitting: Vec<&Run> = runs
        .iter()
        .filter(|r| r.by_origin.iter().any(Option::is_some))
        .collect();
    let common: Vec<bool> = (0..n)
        .map(|i| fitting.iter().all(|r| r.by_origin[i].is_some()))
        .collect();
    if common.iter().any(|c| *c) {
        common
    } else {
        vec![true; n]
    }
}

/// Every residual of a run (all its origins), for the bands.
pub(crate) fn residuals(run: &Run) -> Vec<Residual> {
    run.by_origin
        .iter()
        .flatten()
        .flat_map(|r| r.residuals.iter().copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_origins_of_a_daily_series_spread_towards_a_year_back() {
        // A daily series, a week's window a week ahead: 26 recent origins.
        let h = Horizon {
            lead_days: 7,
            window_days: 7,
        };
        let plan = backtest_origins(3000, h, 1.0);
        let recent: Vec<usize> = plan
            .days
            .iter()
            .rev()
            .take(MAX_BACKTEST_ORIGINS + 1)
            .map(|o| 3000 - o)
            .collect();
        // The six for the choice a week apart, unchanged.
        assert_eq!(&recent[..6], &[14, 21, 28, 35, 42, 49]);
        // The extras reach most of a year but stop short of the year-back
        // origin (364 days), which is still there for the choice.
        let farthest_extra = recent.iter().filter(|d| **d < 364).max().unwrap();
        assert!((300..364).contains(farthest_extra), "{farthest_extra}");
        assert!(recent.contains(&364));
        assert_eq!(plan.year_back, 2);
        assert!(recent.windows(2).all(|w| (w[1] - w[0]) % 7 == 0));
        // At 12 weeks' lead the extras no longer fit a lead's spacing apart
        // within the year: they are spread over what is left of it, so the
        // year-back origins stay, for the choice too.
        let long = Horizon {
            lead_days: 84,
            window_days: 7,
        };
        let plan = backtest_origins(3000, long, 1.0);
        let offsets: Vec<usize> = plan.days.iter().rev().map(|o| 3000 - o).collect();
        assert_eq!(&offsets[..6], &[91, 133, 175, 217, 259, 301]);
        assert_eq!(plan.year_back, 2);
        assert!(offsets.ends_with(&[357, 364, 728]), "{offsets:?}");
        assert!(offsets
            .windows(2)
            .all(|w| w[1] > w[0] && (w[1] - w[0]) % 7 == 0));
        let chosen: Vec<usize> = plan
            .for_choice
            .iter()
            .rev()
            .zip(&offsets)
            .filter(|(c, _)| **c)
            .map(|(_, o)| *o)
            .collect();
        assert!(chosen.ends_with(&[364, 728]), "{chosen:?}");
        // An hourly queue keeps six weekly origins (and the year-back ones).
        let hourly = backtest_origins(3000, h, 24.0 * 5.0 / 7.0 * 7.0);
        let offsets: Vec<usize> = hourly.days.iter().rev().map(|o| 3000 - o).collect();
        assert_eq!(&offsets[..6], &[14, 21, 28, 35, 42, 49]);
        assert_eq!(offsets.len(), 8);
    }
}
