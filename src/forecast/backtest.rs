//! Rolling-origin backtests, accuracy scores and the one-call entry point
//! [`forecast_with`] (model choice by backtest, calibrated p10/p90).
//!
//! * Origins: local midnights `H + 7j` days before the forecast origin
//!   (j = 0..6), H = the requested horizon in days; each backtest fit sees
//!   only history before its own origin, and every scored day lies before
//!   the forecast origin.
//! * Scores (interval level): WAPE = Σ|y − f| / Σy; MASE = MAE / in-sample
//!   MAE of the one-week seasonal naive; coverage = share of actuals inside
//!   [p10, p90] with the bands of each origin calibrated on the *other*
//!   origins (leave-one-origin-out). Outlier days and missing history are
//!   not scored.
//! * Auto picks the lowest WAPE, except that the ensemble is kept unless
//!   another model beats it by more than [`ENSEMBLE_MARGIN`]; the chosen
//!   model's p10/p90 are the empirical quantiles of its backtest residuals
//!   (per forecast level).

use super::engine::{
    calendar, Calibration, CheckedModel, FittedModel, ModelName, ModelSelection, ModelSpec,
};
use super::series::Series;
use super::special_days::{SpecialDay, SpecialDayKind};
use super::{ForecastError, ForecastPoint};
use crate::domain::{Grid, HistoryRow};
use chrono::{DateTime, NaiveDate, Utc};

/// Backtest origins used before each forecast.
pub const BACKTEST_ORIGINS: usize = 6;
/// Auto keeps the ensemble unless another model's backtest WAPE is lower
/// by more than this share.
pub const ENSEMBLE_MARGIN: f64 = 0.02;
/// Longest backtested horizon (longer requests are scored on this many days).
pub const MAX_BACKTEST_DAYS: usize = 35;

/// One model's backtest scores.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModelScore {
    pub model: ModelName,
    /// None when the model could not be fitted (e.g. too little history).
    pub wape: Option<f64>,
    pub mase: Option<f64>,
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

/// The scores of every candidate on the same rolling origins.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BacktestReport {
    /// Local dates of the backtest origins (history before each is used).
    pub origins: Vec<NaiveDate>,
    pub horizon_days: usize,
    pub scores: Vec<ModelScore>,
}

/// Which model was used and why; stored with the run.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModelChoice {
    pub requested: ModelSelection,
    pub chosen: ModelName,
    pub reason: String,
    pub report: BacktestReport,
}

/// Everything a forecast run produces.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ForecastOutcome {
    pub points: Vec<ForecastPoint>,
    pub choice: ModelChoice,
    /// The fitted model (serialisable; store it under models/fitted/).
    pub fitted: FittedModel,
}

struct Run {
    /// (forecast, actual) per origin.
    pairs: Vec<Vec<(f64, f64)>>,
    scale: Vec<f64>,
    error: Option<String>,
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

fn run_model(
    model: &CheckedModel,
    series: &Series,
    grid: &Grid,
    special_days: &[SpecialDay],
    origins: &[usize],
    horizon_days: usize,
    limit: usize,
) -> Run {
    let cal = calendar(special_days);
    let mut run = Run {
        pairs: vec![],
        scale: vec![],
        error: None,
    };
    for &o in origins {
        let train = series.truncated(o);
        let origin = grid.start_of_day(series.date(o));
        let fitted = match model.fit_series(&train, grid, origin, special_days) {
            Ok(f) => f,
            Err(e) => {
                run.error = Some(e.to_string());
                return run;
            }
        };
        let normal = super::engine::normal_days(&train, &cal);
        run.scale.push(naive_scale(&normal));
        let mut pairs = Vec::new();
        for d in o..(o + horizon_days).min(limit) {
            let date = series.date(d);
            if cal
                .get(&date)
                .is_some_and(|s| s.kind == SpecialDayKind::Outlier)
            {
                continue;
            }
            let f = fitted.day(date);
            for (fv, y) in f.iter().zip(series.day(d)) {
                if !y.is_nan() {
                    pairs.push((fv.max(0.0), *y));
                }
            }
        }
        run.pairs.push(pairs);
    }
    run
}

fn score(model: ModelName, run: &Run) -> ModelScore {
    if let Some(e) = &run.error {
        return ModelScore {
            model,
            wape: None,
            mase: None,
            coverage_p10_p90: None,
            wape_by_origin: vec![],
            intervals: 0,
            error: Some(e.clone()),
        };
    }
    let all: Vec<(f64, f64)> = run.pairs.iter().flatten().copied().collect();
    let mut mase_sum = 0.0;
    let mut mase_n = 0;
    for (pairs, scale) in run.pairs.iter().zip(&run.scale) {
        if pairs.is_empty() || !(scale.is_finite() && *scale > 0.0) {
            continue;
        }
        let mae = pairs.iter().map(|(f, y)| (y - f).abs()).sum::<f64>() / pairs.len() as f64;
        mase_sum += mae / scale;
        mase_n += 1;
    }
    // Leave-one-origin-out coverage.
    let mut inside = 0usize;
    let mut total = 0usize;
    if run.pairs.len() > 1 {
        for k in 0..run.pairs.len() {
            let others: Vec<(f64, f64)> = run
                .pairs
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != k)
                .flat_map(|(_, p)| p.iter().copied())
                .collect();
            let cal = Calibration::from_pairs(&others);
            for (f, y) in &run.pairs[k] {
                let (lo, hi) = cal.band(*f);
                total += 1;
                if *y >= lo && *y <= hi {
                    inside += 1;
                }
            }
        }
    }
    ModelScore {
        model,
        wape: wape(&all),
        mase: (mase_n > 0).then(|| mase_sum / mase_n as f64),
        coverage_p10_p90: (total > 0).then(|| inside as f64 / total as f64),
        wape_by_origin: run.pairs.iter().map(|p| wape(p)).collect(),
        intervals: all.len(),
        error: None,
    }
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

/// Forecasts [from, to) from history before `origin` with one model or the
/// backtest-chosen one (`auto`), the queue's special days applied, p10/p90
/// calibrated on the backtests. See the module docs for the backtests.
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
    )
}

/// [`forecast_with`] with explicit candidate specs (e.g. read from
/// `models/*.json`): one spec = that model; several = pick by backtest.
/// `selection` is only recorded in the [`ModelChoice`].
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
) -> Result<ForecastOutcome, ForecastError> {
    if from >= to {
        return Err(ForecastError::InvalidWindow {
            message: format!("from ({from}) must be before to ({to})"),
        });
    }
    if specs.is_empty() {
        return Err(ForecastError::InvalidParams {
            field: "model",
            message: "no candidate model".to_string(),
        });
    }
    let series = Series::build(history, grid, Some(origin))?;
    let candidates: Vec<ModelName> = specs.iter().map(|s| s.name()).collect();
    let checked: Vec<CheckedModel> = specs.iter().map(|s| s.check()).collect::<Result<_, _>>()?;

    // Backtest origins: whole local days before the forecast origin.
    let origin_date = grid.local_date(origin);
    let limit = series.index(origin_date).clamp(0, series.days() as i64) as usize;
    let horizon_days = ((to - origin).num_minutes() as f64 / 1440.0)
        .ceil()
        .clamp(1.0, MAX_BACKTEST_DAYS as f64) as usize;
    let origins: Vec<usize> = (0..BACKTEST_ORIGINS)
        .filter_map(|j| limit.checked_sub(horizon_days + 7 * j))
        .filter(|o| *o >= 35)
        .rev()
        .collect();

    let runs: Vec<Run> = checked
        .iter()
        .map(|c| {
            run_model(
                c,
                &series,
                grid,
                special_days,
                &origins,
                horizon_days,
                limit,
            )
        })
        .collect();
    let scores: Vec<ModelScore> = candidates
        .iter()
        .zip(&runs)
        .map(|(m, r)| score(*m, r))
        .collect();
    let report = BacktestReport {
        origins: origins.iter().map(|o| series.date(*o)).collect(),
        horizon_days,
        scores,
    };

    // Fit the candidates in order of backtest WAPE; the first that fits wins.
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by(|a, b| {
        let wa = report.scores[*a].wape.unwrap_or(f64::INFINITY);
        let wb = report.scores[*b].wape.unwrap_or(f64::INFINITY);
        wa.total_cmp(&wb)
    });
    // Ties go to the ensemble: another model must beat it by more than
    // ENSEMBLE_MARGIN (relative backtest WAPE) to be chosen.
    if let Some(e) = candidates.iter().position(|m| *m == ModelName::Ensemble) {
        if let (Some(we), Some(best)) = (report.scores[e].wape, report.scores[order[0]].wape) {
            if we <= best * (1.0 + ENSEMBLE_MARGIN) {
                order.retain(|i| *i != e);
                order.insert(0, e);
            }
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
                let pairs: Vec<(f64, f64)> = runs[i].pairs.iter().flatten().copied().collect();
                fitted.calibration = Calibration::from_pairs(&pairs);
                let points = fitted.predict(from, to)?;
                let reason = match (specs.len() > 1, report.scores[i].wape) {
                    (false, _) => "requested".to_string(),
                    (true, Some(w)) => format!(
                        "lowest backtest WAPE ({:.4}) over {} origins",
                        w,
                        report.origins.len()
                    ),
                    (true, None) => {
                        "no backtest possible (too little history); fallback".to_string()
                    }
                };
                return Ok(ForecastOutcome {
                    points,
                    choice: ModelChoice {
                        requested: selection,
                        chosen: candidates[i],
                        reason,
                        report,
                    },
                    fitted,
                });
            }
            Err(e) => last_err = Some(e),
        }
    }
    Err(last_err.unwrap_or(ForecastError::NoHistory { before: origin }))
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
    use crate::domain::history::{parse_history_csv, OffGrid};
    use crate::forecast::parse_special_days;
    use chrono::Duration;

    fn bank() -> (Vec<HistoryRow>, Grid, Vec<SpecialDay>) {
        let grid = Grid::new(30, "Asia/Jerusalem".parse().unwrap());
        let rows = parse_history_csv(
            include_bytes!("../../data/sample/bank_1999_30min.csv"),
            &grid,
            OffGrid::Reject,
        )
        .unwrap()
        .rows;
        let sd =
            parse_special_days(include_bytes!("../../data/special-days/israel_1999.csv")).unwrap();
        (rows, grid, sd)
    }

    #[test]
    fn auto_on_the_bank_year_picks_the_lowest_backtest_wape() {
        let (rows, grid, sd) = bank();
        let origin: DateTime<Utc> = "1999-11-07T00:00:00+02:00".parse().unwrap();
        let to = origin + Duration::days(7);
        let out =
            forecast_with(ModelSelection::Auto, &rows, &grid, &sd, origin, origin, to).unwrap();
        let report = &out.choice.report;
        assert_eq!(report.scores.len(), 5);
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
        // The best, or the ensemble within the margin.
        assert!(
            chosen.model == best.model
                || (chosen.model == ModelName::Ensemble
                    && ens.wape.unwrap() <= best.wape.unwrap() * (1.0 + ENSEMBLE_MARGIN))
        );
        let best = chosen;
        assert_eq!(out.fitted.model(), best.model);
        for s in &report.scores {
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
