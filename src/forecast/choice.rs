//! Model choice and the one-call entry point [`forecast_with`]: backtests
//! that look like the request (see [`super::backtest`]), the lowest WAPE
//! wins, p10/p90 calibrated per lead on the chosen model's backtests.
//!
//! * Auto keeps the ensemble unless another model beats it clearly: by
//!   more than [`ENSEMBLE_MARGIN`] and consistently over the backtest
//!   origins (see [`beats_the_ensemble`]). A few origins rarely show one
//!   model better than the mean of several, and picking on noise costs
//!   more than it wins.
//! * The origin (the end of the history used) is apart from the window: a
//!   window may start weeks or months after it, and the backtests then use
//!   the same lead. What the history looks like before the origin (where it
//!   ends, days missing) is reported with the outcome, never used silently.

use super::backtest::{
    backtest_origins, common_origins, residuals, run_model, score, BacktestReport, Horizon,
    ModelScore, Run, BACKTEST_ORIGINS, MIN_TRAINING_DAYS, SHORT_MIN_TRAINING_DAYS,
};
use super::calibration::Calibration;
use super::models::{CheckedModel, FittedModel, ModelName, ModelSelection, ModelSpec};
use super::series::Series;
use super::special_days::SpecialDay;
use super::{ForecastError, ForecastPoint};
use crate::domain::{Grid, HistoryRow};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::sync::atomic::{AtomicBool, Ordering};

/// Auto keeps the ensemble unless another model's backtest WAPE is lower
/// by more than this share (and [`SIGNIFICANT_T`] holds).
pub const ENSEMBLE_MARGIN: f64 = 0.02;
/// How many standard errors the mean per-origin WAPE gap to the ensemble
/// must clear: the usual two of a test of equal accuracy (Diebold–Mariano).
pub const SIGNIFICANT_T: f64 = 2.0;
/// Fewest common origins for that test; with fewer the ensemble stays.
pub const MIN_TEST_ORIGINS: usize = 3;
/// Days before the origin checked for missing history.
const RECENT_DAYS: i64 = 56;

/// The work [`forecast_with_specs`] will do, known before it runs: every
/// candidate is fitted (and predicts its window) at each backtest origin and
/// once more at the origin, each time on at most the whole history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitWork {
    pub candidates: usize,
    pub backtest_origins: usize,
    /// History rows before the origin.
    pub rows: usize,
    /// `candidates × (backtest_origins + 1) × (rows + window intervals)`:
    /// 0.2–0.35 µs each in a release build on a 2-core machine of 2026
    /// (measured on 1 to 10 years of 15-minute history, windows of a week
    /// to 18 months).
    pub units: f64,
}

/// [`FitWork`] of forecasting [from, to) from `history` (rows before
/// `origin` count) with `candidates` models.
pub fn fit_work(
    history: &[HistoryRow],
    grid: &Grid,
    candidates: usize,
    origin: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> FitWork {
    let rows = history.iter().filter(|r| r.start < origin).count();
    let days = history
        .first()
        .map_or(0, |r| (origin - r.start).num_days().max(1) as usize);
    let horizon = Horizon {
        lead_days: ((from - origin).num_minutes() / 1440).max(0) as usize,
        window_days: ((to - from).num_minutes() as f64 / 1440.0).ceil().max(1.0) as usize,
    };
    let cells_per_day = rows as f64 / days.max(1) as f64;
    let backtest_origins = backtest_origins(days, horizon, cells_per_day).days.len();
    let window = ((to - from).num_seconds() as f64 / grid.seconds()).max(0.0);
    FitWork {
        candidates,
        backtest_origins,
        rows,
        units: candidates as f64 * (backtest_origins + 1) as f64 * (rows as f64 + window),
    }
}

/// Which model was used and why; stored with the run.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModelChoice {
    pub requested: ModelSelection,
    pub chosen: ModelName,
    pub reason: String,
    pub report: BacktestReport,
}

/// How a run's model was chosen and where its window stood against the
/// history: what a forecast run keeps (stored with it as JSON).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ChoiceRecord {
    pub requested: ModelSelection,
    pub chosen: ModelName,
    pub reason: String,
    pub origin: DateTime<Utc>,
    pub lead_days: usize,
    pub window_days: usize,
    pub gap_days: usize,
    pub warnings: Vec<String>,
    /// Every candidate's backtest scores.
    pub backtest: BacktestReport,
    /// Whether a stored fit of the same history was reused.
    pub reused_fit: bool,
}

impl ChoiceRecord {
    /// The chosen model's backtest scores, if it was scored.
    pub fn chosen_score(&self) -> Option<&ModelScore> {
        self.backtest.scores.iter().find(|s| s.model == self.chosen)
    }
}

/// Where the request stands against the history: stated with every
/// forecast so a lead or a gap is never silent.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HistoryContext {
    /// The end of the history used (history strictly before it).
    pub origin: DateTime<Utc>,
    /// The end of the last history interval before the origin.
    pub history_end: DateTime<Utc>,
    /// Whole days from the origin to the window's start.
    pub lead_days: usize,
    pub window_days: usize,
    /// Whole local days with no history between the last history day and
    /// the origin (an origin set after the history ends): a gap the models
    /// cannot see into.
    pub gap_days: usize,
    /// Days of the 8 weeks before the origin with no or partial history.
    pub missing_recent_days: usize,
    /// Plain-language warnings for the planner (gap, missing days).
    pub warnings: Vec<String>,
}

/// Everything a forecast run produces.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ForecastOutcome {
    pub points: Vec<ForecastPoint>,
    pub choice: ModelChoice,
    /// The fitted model (serialisable; store it under models/fitted/).
    pub fitted: FittedModel,
    pub context: HistoryContext,
}

/// The candidates: one model, or every model for `auto`; `weeks` tunes the
/// weekly average.
pub fn candidate_specs(selection: ModelSelection, weeks: Option<usize>) -> Vec<ModelSpec> {
    let names: Vec<ModelName> = match selection {
        ModelSelection::Auto => ModelName::ALL.to_vec(),
        ModelSelection::Model(m) => vec![m],
    };
    names
        .into_iter()
        .map(|m| match (m.default_spec(), weeks) {
            (ModelSpec::WeeklyAverage(p), Some(weeks)) => {
                ModelSpec::WeeklyAverage(crate::forecast::WeightedAverageParams { weeks, ..p })
            }
            (spec, _) => spec,
        })
        .collect()
}

/// The request's lead and window, and what the history looks like before
/// the origin. Errors when the window starts before the origin.
pub fn history_context(
    history: &[HistoryRow],
    grid: &Grid,
    origin: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<HistoryContext, ForecastError> {
    check_window(grid, origin, from, to)?;
    let series = Series::build(history, grid, Some(origin))?;
    Ok(context_of(&series, grid, origin, from, to))
}

/// The window must be non-empty and start at or after the origin.
fn check_window(
    grid: &Grid,
    origin: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(), ForecastError> {
    if from >= to {
        return Err(ForecastError::InvalidWindow {
            message: format!("from ({from}) must be before to ({to})"),
        });
    }
    if from < origin {
        return Err(ForecastError::InvalidWindow {
            message: format!(
                "the window starts ({}) before the origin ({}): history after the origin is not used",
                from.with_timezone(&grid.tz).to_rfc3339(),
                origin.with_timezone(&grid.tz).to_rfc3339()
            ),
        });
    }
    Ok(())
}

/// [`history_context`] on a series already built (forecasting builds it
/// once for the context and the models).
fn context_of(
    series: &Series,
    grid: &Grid,
    origin: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> HistoryContext {
    let history_end = (series.last_row + grid.step()).min(origin);
    let lead_days = ((from - origin).num_minutes() / 1440).max(0) as usize;
    let window_days = ((to - from).num_minutes() as f64 / 1440.0).ceil().max(1.0) as usize;
    let gap_days = (grid.local_date(origin - Duration::nanoseconds(1))
        - grid.local_date(series.last_row))
    .num_days()
    .max(0) as usize;
    let origin_idx = series.index(grid.local_date(origin - Duration::nanoseconds(1)));
    // Days with no total, and of those the ones with some hours: the
    // daily-total models complete these (see `Series::completed_totals`),
    // which the planner is told.
    let (mut missing_recent_days, mut partial_recent_days) = (0, 0);
    for d in (origin_idx - RECENT_DAYS + 1).max(0)..=origin_idx {
        let in_series = d >= 0 && (d as usize) < series.days();
        if in_series && series.day_total(d as usize, grid.minutes).is_some() {
            continue;
        }
        missing_recent_days += 1;
        if in_series && series.day(d as usize).iter().any(|v| !v.is_nan()) {
            partial_recent_days += 1;
        }
    }
    let mut warnings = Vec::new();
    if gap_days >= 1 {
        warnings.push(format!(
            "the history ends {gap_days} days before the origin: those days are a gap, not zero volume"
        ));
    }
    if missing_recent_days > 0 {
        let completed = if partial_recent_days > 0 {
            format!(
                " ({partial_recent_days} partial: a partial day's total is completed from its weekday's usual intraday shares when the hours it has carry half the day or more)"
            )
        } else {
            String::new()
        };
        warnings.push(format!(
            "{missing_recent_days} of the {RECENT_DAYS} days before the origin have no or partial history{completed}"
        ));
    }
    HistoryContext {
        origin,
        history_end,
        lead_days,
        window_days,
        gap_days,
        missing_recent_days: missing_recent_days.min(RECENT_DAYS as usize),
        warnings,
    }
}

/// Forecasts [from, to) from history before `origin` with one model or the
/// backtest-chosen one (`auto`), the queue's special days applied, p10/p90
/// calibrated per lead on the backtests.
pub fn forecast_with(
    selection: ModelSelection,
    history: &[HistoryRow],
    grid: &Grid,
    special_days: &[SpecialDay],
    origin: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<ForecastOutcome, ForecastError> {
    let specs = candidate_specs(selection, None);
    forecast_with_specs(
        selection,
        &specs,
        history,
        grid,
        special_days,
        origin,
        from,
        to,
        &AtomicBool::new(false),
    )
}

/// [`forecast_with`] with explicit candidate specs (e.g. read from
/// `models/*.json`): one spec = that model; several = pick by backtest.
/// `selection` is only recorded in the [`ModelChoice`]. Setting `stop`
/// ends the backtests within one model fit, with [`ForecastError::Stopped`].
#[allow(clippy::too_many_arguments)]
pub fn forecast_with_specs(
    selection: ModelSelection,
    specs: &[ModelSpec],
    history: &[HistoryRow],
    grid: &Grid,
    special_days: &[SpecialDay],
    origin: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    stop: &AtomicBool,
) -> Result<ForecastOutcome, ForecastError> {
    check_window(grid, origin, from, to)?;
    if specs.is_empty() {
        return Err(ForecastError::InvalidParams {
            field: "model",
            message: "no candidate model".to_string(),
        });
    }
    let series = Series::build(history, grid, Some(origin))?;
    let context = context_of(&series, grid, origin, from, to);
    let candidates: Vec<ModelName> = specs.iter().map(|s| s.name()).collect();
    let checked: Vec<CheckedModel> = specs.iter().map(|s| s.check()).collect::<Result<_, _>>()?;

    let limit = series
        .index(grid.local_date(origin))
        .clamp(0, series.days() as i64) as usize;
    let horizon = Horizon {
        lead_days: context.lead_days,
        window_days: context.window_days,
    };
    let cells_per_day = series.seen.iter().filter(|s| **s).count() as f64 / 7.0;
    let plan = backtest_origins(limit, horizon, cells_per_day);
    let origins = &plan.days;
    let runs: Vec<Run> = checked
        .iter()
        .map(|c| {
            run_model(
                c,
                &series,
                grid,
                special_days,
                origins,
                horizon,
                limit,
                stop,
            )
        })
        .collect();
    if stop.load(Ordering::Relaxed) {
        return Err(ForecastError::Stopped);
    }
    let use_origin: Vec<bool> = common_origins(&runs, origins.len())
        .into_iter()
        .zip(&plan.for_choice)
        .map(|(common, choice)| common && *choice)
        .collect();
    let scores: Vec<ModelScore> = candidates
        .iter()
        .zip(&runs)
        .map(|(m, r)| score(*m, r, &use_origin))
        .collect();
    let used: Vec<usize> = origins
        .iter()
        .zip(&use_origin)
        .filter(|(_, u)| **u)
        .map(|(o, _)| *o)
        .collect();
    let report = BacktestReport {
        origins: used.iter().map(|o| series.date(*o)).collect(),
        lead_days: horizon.lead_days,
        horizon_days: horizon.window_days,
        year_back_origins: used
            .iter()
            .filter(|o| limit - **o >= 364)
            .count()
            .min(plan.year_back),
        scores,
    };

    // Fit the candidates in order of backtest WAPE; the first that fits wins.
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by(|a, b| {
        let wa = report.scores[*a].wape.unwrap_or(f64::INFINITY);
        let wb = report.scores[*b].wape.unwrap_or(f64::INFINITY);
        wa.total_cmp(&wb)
    });
    // The ensemble goes first unless a model beats it clearly; those that
    // do keep their WAPE order ahead of it.
    if let Some(e) = candidates.iter().position(|m| *m == ModelName::Ensemble) {
        if report.scores[e].wape.is_some() {
            let ens = &report.scores[e];
            let at = order
                .iter()
                .position(|i| !beats_the_ensemble(&report.scores[*i], ens))
                .unwrap_or(order.len());
            order.retain(|i| *i != e);
            order.insert(at.min(order.len()), e);
        }
    }
    if specs.len() > 1 && report.scores.iter().all(|s| s.wape.is_none()) {
        // Too little history to backtest: the weekly average needs least.
        order.sort_by_key(|i| candidates[*i] != ModelName::WeeklyAverage);
    }
    let mut last_err = None;
    for i in order {
        match checked[i].fit_series(&series, grid, origin, special_days) {
            Ok(mut fitted) => {
                fitted.calibration = Calibration::from_residuals(&residuals(&runs[i]));
                let points = fitted.predict(from, to)?;
                let mut reason = reason(specs.len() > 1, &report, &report.scores[i]);
                let mut context = context;
                if plan.short_history && !report.origins.is_empty() {
                    let note = format!(
                        "short history ({limit} days before the origin): backtested on {} origin(s) with {SHORT_MIN_TRAINING_DAYS} or more days of history each, instead of up to {BACKTEST_ORIGINS} with {MIN_TRAINING_DAYS} or more, so the scores rest on little",
                        report.origins.len()
                    );
                    if specs.len() > 1 {
                        reason.push_str("; ");
                        reason.push_str(&note);
                    }
                    context.warnings.push(note);
                }
                context
                    .warnings
                    .extend(outlier_warning(&fitted.outlier_days, grid, origin));
                return Ok(ForecastOutcome {
                    points,
                    choice: ModelChoice {
                        requested: selection,
                        chosen: candidates[i],
                        reason,
                        report,
                    },
                    fitted,
                    context,
                });
            }
            Err(e) => last_err = Some(e),
        }
    }
    Err(last_err.unwrap_or(ForecastError::NoHistory { before: origin }))
}

/// Whether `model` beat the ensemble on the backtests by more than chance:
/// its WAPE lower by more than [`ENSEMBLE_MARGIN`], and the mean of its
/// per-origin WAPE gaps to the ensemble below zero by [`SIGNIFICANT_T`]
/// standard errors over at least [`MIN_TEST_ORIGINS`] common origins.
pub fn beats_the_ensemble(model: &ModelScore, ensemble: &ModelScore) -> bool {
    if model.model == ModelName::Ensemble {
        return false;
    }
    let (Some(w), Some(we)) = (model.wape, ensemble.wape) else {
        return false;
    };
    if w * (1.0 + ENSEMBLE_MARGIN) >= we {
        return false;
    }
    let gaps: Vec<f64> = model
        .wape_by_origin
        .iter()
        .zip(&ensemble.wape_by_origin)
        .filter_map(|(a, b)| Some((*a)? - (*b)?))
        .collect();
    let n = gaps.len() as f64;
    if gaps.len() < MIN_TEST_ORIGINS {
        return false;
    }
    let mean = gaps.iter().sum::<f64>() / n;
    let var = gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / (n - 1.0);
    -mean > SIGNIFICANT_T * (var / n).sqrt()
}

/// Names the one-off days of the last 8 weeks that the fit left out, so a
/// planner can mark a planned one (a campaign) in the calendar instead.
fn outlier_warning(days: &[NaiveDate], grid: &Grid, origin: DateTime<Utc>) -> Option<String> {
    let last = grid.local_date(origin - Duration::nanoseconds(1));
    let recent: Vec<String> = days
        .iter()
        .filter(|d| (last - **d).num_days() < RECENT_DAYS)
        .map(|d| d.to_string())
        .collect();
    (!recent.is_empty()).then(|| {
        format!(
            "{} day(s) of the {RECENT_DAYS} before the origin were far off their weekday's usual volume and were left out of the fit ({}); mark them in the calendar if they will recur",
            recent.len(),
            recent.join(", ")
        )
    })
}

fn reason(auto: bool, report: &BacktestReport, score: &ModelScore) -> String {
    let over = format!(
        "over {} origins ({} a year or more back) at lead {} d, window {} d",
        report.origins.len(),
        report.year_back_origins,
        report.lead_days,
        report.horizon_days
    );
    let lower = report
        .scores
        .iter()
        .filter(|s| s.wape.zip(score.wape).is_some_and(|(a, b)| a < b))
        .min_by(|a, b| a.wape.unwrap_or(0.0).total_cmp(&b.wape.unwrap_or(0.0)));
    match (auto, score.wape) {
        (false, _) => "requested".to_string(),
        (true, Some(w)) => match lower {
            Some(best) if score.model == ModelName::Ensemble => format!(
                "ensemble kept: backtest WAPE ({w:.4}) {over}; {} was lower ({:.4}) but not by more than chance over those origins",
                best.model.as_str(),
                best.wape.unwrap_or(0.0)
            ),
            _ if score.model == ModelName::Ensemble => {
                format!("lowest backtest WAPE ({w:.4}) {over}")
            }
            _ => format!(
                "lowest backtest WAPE ({w:.4}) {over}, beating the ensemble by more than chance"
            ),
        },
        (true, None) => format!(
            "no backtest possible at lead {} d, window {} d (too little history); fallback",
            report.lead_days, report.horizon_days
        ),
    }
}

/// One queue's inputs for [`forecast_many`].
#[derive(Debug, Clone, Copy)]
pub struct QueueInput<'a> {
    pub history: &'a [HistoryRow],
    pub grid: Grid,
    pub special_days: &'a [SpecialDay],
}

/// [`forecast_with`] for many queues on all cores (one thread per core,
/// queues shared out round-robin); results in input order.
pub fn forecast_many(
    selection: ModelSelection,
    queues: &[QueueInput<'_>],
    origin: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Result<ForecastOutcome, ForecastError>> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(queues.len().max(1));
    let mut out: Vec<Option<Result<ForecastOutcome, ForecastError>>> =
        (0..queues.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    queues
                        .iter()
                        .enumerate()
                        .skip(t)
                        .step_by(threads)
                        .map(|(i, q)| {
                            (
                                i,
                                forecast_with(
                                    selection,
                                    q.history,
                                    &q.grid,
                                    q.special_days,
                                    origin,
                                    from,
                                    to,
                                ),
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            for (i, r) in h.join().expect("forecast thread panicked") {
                out[i] = Some(r);
            }
        }
    });
    out.into_iter()
        .map(|r| r.expect("every queue forecast"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::backtest::BACKTEST_ORIGINS;
    use crate::forecast::special_days::SpecialDayKind;
    use crate::test_support::{bank_1999, israel_1999_special_days};
    use chrono::Duration;
    use chrono::NaiveDate;

    /// The bank's year and its calendar.
    fn bank() -> (Vec<HistoryRow>, Grid, Vec<SpecialDay>) {
        let (history, grid) = bank_1999();
        (history.rows, grid, israel_1999_special_days())
    }

    fn score_of(model: ModelName, by_origin: &[f64]) -> ModelScore {
        ModelScore {
            model,
            wape: Some(by_origin.iter().sum::<f64>() / by_origin.len() as f64),
            bias: None,
            mase: None,
            busiest_day_error: None,
            p95_interval_error: None,
            coverage_p10_p90: None,
            wape_by_origin: by_origin.iter().map(|w| Some(*w)).collect(),
            intervals: 0,
            error: None,
        }
    }

    #[test]
    fn partial_days_before_the_origin_are_told_apart_from_empty_ones() {
        let grid = Grid::new(60, chrono_tz::UTC);
        let start: DateTime<Utc> = "2025-01-06T00:00:00Z".parse().unwrap();
        // 70 days of hours; the 10th-last day keeps only its first 20
        // hours, the 20th-last and 21st-last have none.
        let rows: Vec<HistoryRow> = (0..70 * 24)
            .filter(|i| {
                let (d, h) = (i / 24, i % 24);
                !(d == 60 && h >= 20) && d != 50 && d != 49
            })
            .map(|i| HistoryRow {
                start: start + Duration::hours(i as i64),
                volume: 10.0 + (i % 24) as f64,
                aht_seconds: None,
            })
            .collect();
        let origin = start + Duration::days(70);
        let ctx =
            history_context(&rows, &grid, origin, origin, origin + Duration::days(7)).unwrap();
        assert_eq!(ctx.missing_recent_days, 3);
        let warning = ctx.warnings.join("; ");
        assert!(warning.contains("3 of the 56 days"), "{warning}");
        assert!(
            warning.contains("(1 partial: a partial day's total is completed"),
            "{warning}"
        );
    }

    #[test]
    fn only_a_consistent_win_leaves_the_ensemble() {
        let ens = score_of(ModelName::Ensemble, &[0.10, 0.12, 0.09, 0.11]);
        // Lower on every origin: chosen.
        let steady = score_of(ModelName::TopDown, &[0.08, 0.10, 0.08, 0.09]);
        assert!(beats_the_ensemble(&steady, &ens));
        // Lower on average thanks to one origin, worse on the others: noise.
        let lucky = score_of(ModelName::Regression, &[0.02, 0.13, 0.10, 0.12]);
        assert!(lucky.wape < ens.wape);
        assert!(!beats_the_ensemble(&lucky, &ens));
        // Too few origins to tell, however large the gap.
        let two = score_of(ModelName::TopDown, &[0.05, 0.06]);
        let ens2 = score_of(ModelName::Ensemble, &[0.10, 0.12]);
        assert!(!beats_the_ensemble(&two, &ens2));
        // Consistent but within the margin.
        let close = score_of(ModelName::TopDown, &[0.0995, 0.1195, 0.0895, 0.1095]);
        assert!(!beats_the_ensemble(&close, &ens));
        // Origins the model could not be fitted on do not count.
        let mut gappy = steady.clone();
        gappy.wape_by_origin[0] = None;
        gappy.wape_by_origin[1] = None;
        assert!(!beats_the_ensemble(&gappy, &ens));
    }

    #[test]
    fn fit_work_counts_the_fits_the_backtests_will_make() {
        let (rows, grid, _) = bank();
        let origin: DateTime<Utc> = "1999-11-07T00:00:00+02:00".parse().unwrap();
        let to = origin + Duration::days(7);
        let before = rows.iter().filter(|r| r.start < origin).count();
        let auto = candidate_specs(ModelSelection::Auto, None).len();
        let work = fit_work(&rows, &grid, auto, origin, origin, to);
        // The same origins as the backtests this request runs.
        let out =
            forecast_with(ModelSelection::Auto, &rows, &grid, &[], origin, origin, to).unwrap();
        assert_eq!(work.backtest_origins, out.choice.report.origins.len());
        assert_eq!((work.rows, work.candidates), (before, auto));
        let fits = (auto * (work.backtest_origins + 1)) as f64;
        assert_eq!(work.units, fits * (before + 7 * 48) as f64);
        // One model is that much less; no history, no work.
        let one = fit_work(&rows, &grid, 1, origin, origin, to);
        assert_eq!(one.units * auto as f64, work.units);
        assert_eq!(fit_work(&[], &grid, auto, origin, origin, to).rows, 0);
    }

    #[test]
    fn auto_on_the_bank_year_picks_a_clear_winner_or_keeps_the_ensemble() {
        let (rows, grid, sd) = bank();
        let origin: DateTime<Utc> = "1999-11-07T00:00:00+02:00".parse().unwrap();
        let to = origin + Duration::days(7);
        let out =
            forecast_with(ModelSelection::Auto, &rows, &grid, &sd, origin, origin, to).unwrap();
        let report = &out.choice.report;
        assert_eq!(report.scores.len(), ModelName::ALL.len());
        assert_eq!(report.origins.len(), BACKTEST_ORIGINS);
        assert_eq!(report.horizon_days, 7);
        assert!(report
            .origins
            .iter()
            .all(|d| *d + Duration::days(7) <= grid.local_date(origin)));
        let best = report
            .scores
            .iter()
            .filter(|s| s.wape.is_some())
            .min_by(|a, b| a.wape.unwrap().total_cmp(&b.wape.unwrap()))
            .unwrap();
        let ens = report
            .scores
            .iter()
            .find(|s| s.model == ModelName::Ensemble)
            .unwrap();
        let chosen = report
            .scores
            .iter()
            .find(|s| s.model == out.choice.chosen)
            .unwrap();
        // The best when it beat the ensemble clearly, else the ensemble.
        if beats_the_ensemble(best, ens) {
            assert_eq!(chosen.model, best.model);
        } else {
            assert_eq!(chosen.model, ModelName::Ensemble);
        }
        let best = chosen;
        assert_eq!(out.fitted.model(), best.model);
        for s in &report.scores {
            if s.model == ModelName::LongHorizon {
                // Less than a year and its base weeks of history.
                assert!(s.wape.is_none());
                assert!(s.error.as_deref().unwrap().contains("not enough history"));
                continue;
            }
            let w = s.wape.unwrap();
            assert!(w > 0.05 && w < 0.6, "{:?} {w}", s.model);
            assert!(s.mase.unwrap() > 0.0);
            assert!(s.coverage_p10_p90.unwrap() > 0.5);
        }
        assert_eq!(out.points.len(), 7 * 48);
        assert!(out
            .points
            .iter()
            .all(|p| p.volume_p10 <= p.volume && p.volume <= p.volume_p90 && p.volume_p10 >= 0.0));
        assert!(out.fitted.calibration.residuals > 1000);
        let json = serde_json::to_string(&out.choice).unwrap();
        let back: ModelChoice = serde_json::from_str(&json).unwrap();
        assert_eq!(back, out.choice);
    }

    #[test]
    fn history_after_the_origin_changes_nothing() {
        let (rows, grid, sd) = bank();
        let origin: DateTime<Utc> = "1999-10-10T00:00:00+02:00".parse().unwrap();
        let to = origin + Duration::days(3);
        let a = forecast_with(ModelSelection::Auto, &rows, &grid, &sd, origin, origin, to).unwrap();
        let changed: Vec<HistoryRow> = rows
            .iter()
            .map(|r| HistoryRow {
                volume: if r.start >= origin {
                    r.volume * 5.0 + 3.0
                } else {
                    r.volume
                },
                ..*r
            })
            .collect();
        let b = forecast_with(
            ModelSelection::Auto,
            &changed,
            &grid,
            &sd,
            origin,
            origin,
            to,
        )
        .unwrap();
        assert_eq!(a.points, b.points);
        assert_eq!(a.choice, b.choice);
        assert_eq!(a.choice.report.horizon_days, 3);
    }

    #[test]
    fn a_requested_model_is_used_and_closed_days_are_zero() {
        let (rows, grid, mut sd) = bank();
        sd.push(SpecialDay {
            date: NaiveDate::from_ymd_opt(1999, 11, 9).unwrap(),
            kind: SpecialDayKind::Closed,
            name: "Strike".into(),
            effect: None,
        });
        let origin: DateTime<Utc> = "1999-11-07T00:00:00+02:00".parse().unwrap();
        let to = origin + Duration::days(7);
        let sel: ModelSelection = "top_down".parse().unwrap();
        let out = forecast_with(sel, &rows, &grid, &sd, origin, origin, to).unwrap();
        assert_eq!(out.choice.chosen, ModelName::TopDown);
        assert_eq!(out.choice.report.scores.len(), 1);
        let strike = grid.start_of_day(NaiveDate::from_ymd_opt(1999, 11, 9).unwrap());
        let day: Vec<&ForecastPoint> = out
            .points
            .iter()
            .filter(|p| p.start >= strike && p.start < strike + Duration::days(1))
            .collect();
        assert_eq!(day.len(), 48);
        assert!(day.iter().all(|p| p.volume == 0.0 && p.volume_p90 == 0.0));
        assert!(out.points.iter().any(|p| p.volume > 10.0));
    }

    #[test]
    fn an_unmarked_spike_is_left_out_of_the_fit_and_named() {
        let (mut rows, grid, sd) = bank();
        let origin: DateTime<Utc> = "1999-11-07T00:00:00+02:00".parse().unwrap();
        let spike = NaiveDate::from_ymd_opt(1999, 11, 2).unwrap();
        let sel: ModelSelection = "seasonal_naive".parse().unwrap();
        let to = origin + Duration::days(7);
        let clean = forecast_with(sel, &rows, &grid, &sd, origin, origin, to).unwrap();
        // A call storm: 20× the calls on one Tuesday.
        for r in rows.iter_mut() {
            if grid.local_date(r.start) == spike {
                r.volume *= 20.0;
            }
        }
        let out = forecast_with(sel, &rows, &grid, &sd, origin, origin, to).unwrap();
        assert_eq!(out.fitted.outlier_days, vec![spike]);
        assert!(
            out.context
                .warnings
                .iter()
                .any(|w| w.contains("1999-11-02")),
            "{:?}",
            out.context.warnings
        );
        // Next Tuesday is forecast from the week before, not from the storm.
        let tuesday = grid.start_of_day(NaiveDate::from_ymd_opt(1999, 11, 9).unwrap());
        let sum = |o: &ForecastOutcome| -> f64 {
            o.points
                .iter()
                .filter(|p| p.start >= tuesday && p.start < tuesday + Duration::days(1))
                .map(|p| p.volume)
                .sum()
        };
        let (with_storm, without) = (sum(&out), sum(&clean));
        assert!(
            with_storm > 0.0 && with_storm < 2.0 * without,
            "{with_storm} vs {without}"
        );
    }

    #[test]
    fn short_history_falls_back_without_backtests() {
        let (rows, grid, sd) = bank();
        let origin: DateTime<Utc> = "1999-01-15T00:00:00+02:00".parse().unwrap();
        let to = origin + Duration::days(7);
        let out =
            forecast_with(ModelSelection::Auto, &rows, &grid, &sd, origin, origin, to).unwrap();
        assert!(out.choice.report.origins.is_empty());
        assert_eq!(out.choice.chosen, ModelName::WeeklyAverage);
        assert_eq!(out.fitted.calibration.residuals, 0);
        assert_eq!(out.points.len(), 7 * 48);
        let none = forecast_with(
            ModelSelection::Auto,
            &rows,
            &grid,
            &sd,
            "1998-06-01T00:00:00Z".parse().unwrap(),
            origin,
            to,
        );
        assert!(matches!(none, Err(ForecastError::NoHistory { .. })));
    }

    /// Five weeks of history: too short for the usual origins, so `auto`
    /// backtests on origins with two weeks or more, scores every model it
    /// can, and says the history was short.
    #[test]
    fn five_weeks_of_history_are_backtested_on_what_there_is() {
        let (rows, grid, sd) = bank();
        let first = grid.local_date(rows[0].start);
        let origin = grid.start_of_day(first + Duration::days(35));
        let to = origin + Duration::days(7);
        let out =
            forecast_with(ModelSelection::Auto, &rows, &grid, &sd, origin, origin, to).unwrap();
        let report = &out.choice.report;
        assert!(!report.origins.is_empty(), "{report:?}");
        let scored = report.scores.iter().filter(|s| s.wape.is_some()).count();
        assert!(scored >= 2, "{report:?}");
        assert!(out
            .choice
            .report
            .scores
            .iter()
            .any(|s| s.model == out.choice.chosen && s.wape.is_some()));
        assert!(
            out.choice.reason.contains("backtest WAPE"),
            "{}",
            out.choice.reason
        );
        assert!(
            out.choice.reason.contains("short history"),
            "{}",
            out.choice.reason
        );
        assert!(
            out.context
                .warnings
                .iter()
                .any(|w| w.contains("short history")),
            "{:?}",
            out.context.warnings
        );
        assert!(out.fitted.calibration.residuals > 0);
        // Six weeks and a day are not short: no such note.
        let later = origin + Duration::days(8);
        let long = forecast_with(
            ModelSelection::Auto,
            &rows,
            &grid,
            &sd,
            later,
            later,
            later + Duration::days(7),
        )
        .unwrap();
        assert!(!long.choice.reason.contains("short history"));
    }

    #[test]
    fn many_queues_match_one_by_one() {
        let (rows, grid, sd) = bank();
        let half: Vec<HistoryRow> = rows
            .iter()
            .map(|r| HistoryRow {
                volume: (r.volume / 2.0).floor(),
                ..*r
            })
            .collect();
        let origin: DateTime<Utc> = "1999-12-05T00:00:00+02:00".parse().unwrap();
        let to = origin + Duration::days(2);
        let inputs = [
            QueueInput {
                history: &rows,
                grid,
                special_days: &sd,
            },
            QueueInput {
                history: &half,
                grid,
                special_days: &[],
            },
        ];
        let many = forecast_many(ModelSelection::Auto, &inputs, origin, origin, to);
        for (q, m) in inputs.iter().zip(many) {
            let one = forecast_with(
                ModelSelection::Auto,
                q.history,
                &q.grid,
                q.special_days,
                origin,
                origin,
                to,
            )
            .unwrap();
            assert_eq!(m.unwrap().points, one.points);
        }
    }
}
