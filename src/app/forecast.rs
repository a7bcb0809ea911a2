//! Forecast a queue's window from its stored history and derive the
//! agents required per interval; both are stored as one run.

use super::error::Refusal;
use super::history::{parse_bound, queue};
use super::offered::{offered_share, staffed};
use super::staffing::{check_staffing_work_times, requirements_until, share_work};
use super::AppError;
use crate::db::fitted_models::StoredFit;
use crate::db::forecast_adjustments::StoredAdjustment;
use crate::db::forecasts::{
    ForecastInterval, ForecastRun, NewForecastRun, RequirementGoal, RequirementInterval,
};
use crate::db::Database;
use crate::domain::InvalidValue;
use crate::domain::{ForecastId, OpeningHours, QueueId, QueueSpec};
use crate::forecast::adjustments::{Adjustment, AdjustmentId, AdjustmentInput, Window};
use crate::forecast::realised::{realised, RealisedReport};
use crate::forecast::{
    candidate_specs, fit_work, forecast_with_specs, history_context, ChoiceRecord, FitWork,
    FittedModel, ForecastError, ForecastPoint, HistoryContext, ModelChoice, ModelSelection,
    ModelSpec, SpecialDay, SpecialDayKind,
};
use crate::staffing::offered::share_of;
use crate::staffing::uncertainty::channel_servers;
use crate::staffing::{
    heads_for_share, promise, ArrivalLaw, ChannelModel, Requirement, RiskInterval, StaffingTarget,
    VolumeBand, Workload,
};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use std::sync::atomic::{AtomicBool, Ordering};

/// Bumped when stored fits change shape, so older ones are refitted.
const FIT_FORMAT: u32 = 2;

/// What the planner asks for; missing bounds default to the week after the history.
#[derive(Debug, Clone, Default)]
pub struct ForecastRequest {
    /// The end of the history used; default: the end of the history, or
    /// `from` when the history runs past it.
    pub origin: Option<DateTime<Utc>>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Weeks the weekly-average candidate averages (its default otherwise).
    pub weeks: Option<usize>,
    /// `auto` (pick by backtest, the default) or a model name.
    pub model: Option<String>,
}

/// A request as received: bounds as text (an offset, or a local time in
/// the queue's zone).
#[derive(Debug, Clone, Default)]
pub struct ForecastInput {
    pub origin: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub weeks: Option<usize>,
    pub model: Option<String>,
}

/// Reads the bounds in the queue's zone, then forecasts.
pub fn create_forecast_from(
    db: &Database,
    id: QueueId,
    input: ForecastInput,
    stop: &AtomicBool,
) -> Result<CreatedForecast, AppError> {
    let tz = queue(db, id)?.spec.time_zone;
    let request = ForecastRequest {
        origin: parse_bound(input.origin.as_deref(), "origin", tz)?,
        from: parse_bound(input.from.as_deref(), "from", tz)?,
        to: parse_bound(input.to.as_deref(), "to", tz)?,
        weeks: input.weeks,
        model: input.model,
    };
    create_forecast(db, id, &request, stop)
}

/// A queue's forecast runs (404 for an unknown queue).
pub fn forecast_runs(db: &Database, id: QueueId) -> Result<Vec<ForecastRun>, AppError> {
    queue(db, id)?;
    Ok(db.forecast_runs(id)?)
}

/// A run's requirements with its queue's zone and the peak head count.
pub struct RequirementsRead {
    pub run: ForecastRun,
    pub time_zone: chrono_tz::Tz,
    pub peak_agents: i32,
    pub intervals: Vec<RequirementInterval>,
}

pub fn requirements_read(db: &Database, id: ForecastId) -> Result<RequirementsRead, AppError> {
    let (run, intervals) = requirements(db, id)?;
    let time_zone = queue(db, run.queue_id)?.spec.time_zone;
    let peak_agents = intervals
        .iter()
        .map(|r| r.agents_with_shrinkage)
        .max()
        .unwrap_or(0);
    Ok(RequirementsRead {
        run,
        time_zone,
        peak_agents,
        intervals,
    })
}

/// A stored forecast run with where it stands against the history.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CreatedForecast {
    #[serde(flatten)]
    pub run: ForecastRun,
    /// The end of the history used (`history_end` is where it really ends).
    pub origin: DateTime<Utc>,
    /// Whole local days from the origin to the window.
    pub lead_days: usize,
    pub window_days: usize,
    /// Whole days without history between its end and the origin.
    pub gap_days: usize,
    /// Gaps and missing days before the origin, in words.
    pub warnings: Vec<String>,
    /// Why the model was chosen.
    pub model_reason: String,
}

/// Longest window a forecast may cover (18 months and a margin).
pub const MAX_WINDOW_DAYS: i64 = 550;

/// Fits (or reuses a fit), computes the requirements and stores the run.
/// Setting `stop` ends the work early with [`AppError::Stopped`], storing
/// nothing.
pub fn create_forecast(
    db: &Database,
    id: QueueId,
    request: &ForecastRequest,
    stop: &AtomicBool,
) -> Result<CreatedForecast, AppError> {
    let queue = queue(db, id)?;
    let grid = queue.spec.grid();
    if let (Some(origin), Some(from)) = (request.origin, request.from) {
        if origin > from {
            return Err(Refusal::OriginAfterFrom.into());
        }
    }
    let history = db.history(id, None, request.origin.or(request.from))?;
    let last = history.last().ok_or(Refusal::NoHistory { queue: id })?;
    // Default window: the seven local days after the last history interval.
    let from = match request.from {
        Some(t) => t,
        None => next_local_midnight(&grid, last.start + grid.step()),
    };
    let to = match request.to {
        Some(t) => t,
        None => grid.start_of_day(grid.local_date(from) + Duration::days(7)),
    };
    if !grid.is_aligned(from) || !grid.is_aligned(to) {
        return Err(Refusal::OffGrid {
            minutes: grid.minutes,
        }
        .into());
    }
    if to <= from {
        return Err(Refusal::EmptyWindow {
            max_days: MAX_WINDOW_DAYS,
        }
        .into());
    }
    if to - from > Duration::days(MAX_WINDOW_DAYS) {
        return Err(Refusal::WindowTooLong {
            max_days: MAX_WINDOW_DAYS,
        }
        .into());
    }
    let history_end = last.start + grid.step();
    // The end of the history, at day granularity (a queue closed at night
    // ends its history at closing time), unless the window starts earlier.
    let origin = request
        .origin
        .unwrap_or(next_local_midnight(&grid, history_end).min(from));
    let selection: ModelSelection = request.model.as_deref().unwrap_or("auto").parse()?;
    let specs = candidate_specs(selection, request.weeks);
    let special_days = special_days_of(db, id)?;
    let fit = fit_or_reuse(
        db,
        id,
        &grid,
        &history,
        &special_days,
        selection,
        &specs,
        origin,
        from,
        to,
        stop,
    )?;
    let mut context = fit.context;
    let mut points = fit.points;
    if let Some(warning) = fill_handle_time(&queue.spec, &mut points) {
        context.warnings.push(warning);
    }
    let (offered, line) = offered_share(db, id, &queue.spec, &history, context.origin)?;
    context.warnings.extend(line);
    let share = share_of(offered);
    let staffed_points: Vec<ForecastPoint> = points.iter().map(|&p| staffed(p, share)).collect();
    let hours = hours_of(&queue.spec, &special_days);
    let requirements = requirements_for(&queue.spec, &hours, &staffed_points, stop)?;
    let run = NewForecastRun {
        queue_id: id,
        from,
        to,
        model: fit.choice.chosen.as_str().into(),
        params: fit.fitted.spec,
        history_rows: history.len() as i32,
        history_end: context.history_end,
        goal: RequirementGoal {
            offered,
            ..requirement_goal(&queue.spec)
        },
        accuracy: Some(ChoiceRecord {
            requested: fit.choice.requested,
            chosen: fit.choice.chosen,
            reason: fit.choice.reason.clone(),
            origin: context.origin,
            lead_days: context.lead_days,
            window_days: context.window_days,
            gap_days: context.gap_days,
            warnings: context.warnings.clone(),
            backtest: fit.choice.report.clone(),
            reused_fit: fit.reused,
        }),
    };
    let intervals: Vec<ForecastInterval> = points
        .iter()
        .map(|p| ForecastInterval {
            start: p.start,
            volume: p.volume,
            volume_p10: p.volume_p10,
            volume_p90: p.volume_p90,
            aht_seconds: p.aht_seconds,
        })
        .collect();
    let run_id = db.insert_forecast(&run, &intervals, &requirements)?;
    Ok(CreatedForecast {
        run: forecast_run(db, run_id)?,
        origin: context.origin,
        lead_days: context.lead_days,
        window_days: context.window_days,
        gap_days: context.gap_days,
        warnings: context.warnings,
        model_reason: fit.choice.reason,
    })
}

/// A history without handle time forecasts none: the queue's
/// `default_aht_seconds` fills the gap, else the forecast has volumes only
/// (its requirements are refused). Either way, a warning says so.
fn fill_handle_time(spec: &QueueSpec, points: &mut [ForecastPoint]) -> Option<String> {
    if points.iter().all(|p| p.aht_seconds.is_some()) {
        return None;
    }
    Some(match spec.default_aht_seconds {
        Some(aht) => {
            for p in points.iter_mut().filter(|p| p.aht_seconds.is_none()) {
                p.aht_seconds = Some(aht);
            }
            format!("handle time: the history has no aht_seconds, so the queue's default_aht_seconds ({aht} s) is forecast")
        }
        None => "handle time: the history has no aht_seconds and the queue no default_aht_seconds, so this forecast has volumes only and its requirements (and rosters) are refused: set default_aht_seconds on the queue or import history with aht_seconds, then forecast again".into(),
    })
}

/// The queue's calendar as the forecasting engine reads it.
pub fn special_days_of(db: &Database, id: QueueId) -> Result<Vec<SpecialDay>, AppError> {
    db.special_days(id)?
        .into_iter()
        .map(|d| {
            Ok(SpecialDay {
                date: d.day,
                kind: d.kind.parse().map_err(|m: String| {
                    AppError::Db(crate::db::DbError::Corrupt(format!(
                        "special day {}: {m}",
                        d.day
                    )))
                })?,
                name: d.name,
                effect: d.effect_percent.map(|p| 1.0 + p / 100.0),
            })
        })
        .collect()
}

struct Fit {
    points: Vec<ForecastPoint>,
    choice: ModelChoice,
    fitted: FittedModel,
    context: HistoryContext,
    reused: bool,
}

/// Fits (with backtests) or reuses the stored fit made on exactly the same
/// history, calendar, candidates and origin: refitting only when one changes.
#[allow(clippy::too_many_arguments)]
fn fit_or_reuse(
    db: &Database,
    id: QueueId,
    grid: &crate::domain::Grid,
    history: &[crate::domain::HistoryRow],
    special_days: &[SpecialDay],
    selection: ModelSelection,
    specs: &[ModelSpec],
    origin: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    stop: &AtomicBool,
) -> Result<Fit, AppError> {
    let fingerprint = fingerprint(history, special_days, specs, origin, from, to)?;
    if let Some(stored) = db.fitted_model(id, &fingerprint)? {
        let parsed = serde_json::from_str::<ModelChoice>(&stored.choice)
            .and_then(|c| Ok((c, serde_json::from_str::<FittedModel>(&stored.fitted)?)));
        // A fit stored by another version may not read back: then refit.
        if let Ok((choice, fitted)) = parsed {
            let points = fitted.predict(from, to)?;
            return Ok(Fit {
                points,
                choice,
                fitted,
                context: history_context(history, grid, origin, from, to)?,
                reused: true,
            });
        }
    }
    check_fit_work(fit_work(history, grid, specs.len(), origin, from, to))?;
    let outcome = forecast_with_specs(
        selection,
        specs,
        history,
        grid,
        special_days,
        origin,
        from,
        to,
        stop,
    )
    .map_err(|e| match e {
        ForecastError::Stopped => AppError::Stopped,
        e => e.into(),
    })?;
    let stored = StoredFit {
        model: outcome.choice.chosen.as_str().to_string(),
        choice: serde_json::to_string(&outcome.choice)
            .map_err(|e| AppError::corrupt("model choice", e))?,
        fitted: serde_json::to_string(&outcome.fitted)
            .map_err(|e| AppError::corrupt("fitted model", e))?,
    };
    db.store_fitted_model(id, &fingerprint, &stored)?;
    Ok(Fit {
        points: outcome.points,
        choice: outcome.choice,
        fitted: outcome.fitted,
        context: outcome.context,
        reused: false,
    })
}

/// Most work ([`FitWork::units`]) one forecast request may do: about 2 s in
/// a release build on the 2-core machine it was measured on (0.2–0.35 µs a
/// unit); three years of 15-minute history forecast 18 months ahead with
/// `auto` is 7.6e6, just inside. Over the API the fit also stops, between
/// backtest fits, when its client hangs up.
pub const MAX_FORECAST_WORK: f64 = 8e6;

/// Refuses, before fitting, a forecast whose work is over [`MAX_FORECAST_WORK`]:
/// `auto` can name one model (a sixth of the work); one model can use less
/// history (an earlier `origin`).
fn check_fit_work(work: FitWork) -> Result<(), AppError> {
    if work.units <= MAX_FORECAST_WORK {
        return Ok(());
    }
    let (field, remedy) = if work.candidates > 1 {
        ("model", "name one model instead of auto")
    } else {
        ("origin", "forecast from an earlier origin (less history)")
    };
    Err(Refusal::TooCostly {
        field,
        message: format!(
            "{field}: fitting {} model(s) at {} backtest origins and the origin on {} history rows \
             (about {:.2e} row-fits) is more than one request may do ({MAX_FORECAST_WORK:.0e}); {remedy}",
            work.candidates,
            work.backtest_origins,
            work.rows,
            work.units
        ),
    }
    .into())
}

/// What a fit depends on, hashed: the history before the origin, the
/// calendar, the candidate specs, the origin, lead and window (backtests
/// use them), and this program's version.
fn fingerprint(
    history: &[crate::domain::HistoryRow],
    special_days: &[SpecialDay],
    specs: &[ModelSpec],
    origin: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<String, AppError> {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    FIT_FORMAT.hash(&mut h);
    origin.hash(&mut h);
    (from - origin).num_days().hash(&mut h);
    (to - from).num_days().hash(&mut h);
    for r in history {
        r.start.hash(&mut h);
        r.volume.to_bits().hash(&mut h);
        r.aht_seconds.map(f64::to_bits).hash(&mut h);
    }
    let json = serde_json::to_string(&(special_days, specs))
        .map_err(|e| AppError::corrupt("fit fingerprint", e))?;
    json.hash(&mut h);
    Ok(format!("{:016x}-{}", h.finish(), history.len()))
}

/// A run's accuracy: the stored model choice (every candidate's backtest
/// scores) with `promise`, the chosen model's backtest scores, and
/// `realised`, the same scores against the window's actuals (null until
/// one is imported), also for the adjusted forecast when there is one.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Accuracy {
    /// Left out for a run stored without a backtest.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub record: Option<ChoiceRecord>,
    pub promise: Option<Promise>,
    pub realised: Option<Realised>,
}

/// The served shape for the OpenAPI document: the choice record's fields
/// when the run has one (`flatten` of an `Option` cannot say "absent").
impl utoipa::PartialSchema for Accuracy {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AllOfBuilder, AnyOfBuilder, ObjectBuilder, Type};
        use utoipa::openapi::Ref;
        let nullable = |name: &str| {
            AnyOfBuilder::new()
                .item(Ref::from_schema_name(name))
                .item(ObjectBuilder::new().schema_type(Type::Null))
        };
        let scores: utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> = ObjectBuilder::new()
            .property("promise", nullable("Promise"))
            .property("realised", nullable("Realised"))
            .required("promise")
            .required("realised")
            .build()
            .into();
        AnyOfBuilder::new()
            .item(
                AllOfBuilder::new()
                    .item(Ref::from_schema_name("ChoiceRecord"))
                    .item(scores.clone()),
            )
            .item(scores)
            .into()
    }
}

impl utoipa::ToSchema for Accuracy {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        for (name, schema) in [
            (
                "ChoiceRecord",
                <ChoiceRecord as utoipa::PartialSchema>::schema(),
            ),
            ("Promise", <Promise as utoipa::PartialSchema>::schema()),
            ("Realised", <Realised as utoipa::PartialSchema>::schema()),
        ] {
            schemas.push((name.to_string(), schema));
        }
        ChoiceRecord::schemas(schemas);
        Promise::schemas(schemas);
        Realised::schemas(schemas);
    }
}

/// What the backtest promised for the chosen model.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Promise {
    pub model: crate::forecast::ModelName,
    pub wape: Option<f64>,
    pub bias: Option<f64>,
    pub busiest_day_error: Option<f64>,
    pub p95_interval_error: Option<f64>,
    pub coverage_p10_p90: Option<f64>,
    pub lead_days: usize,
    pub horizon_days: usize,
    pub backtest_origins: usize,
}

/// Scores against the actuals of the window.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Realised {
    #[serde(flatten)]
    pub statistical: RealisedReport,
    pub adjusted: Option<RealisedReport>,
}

pub fn accuracy(db: &Database, id: ForecastId) -> Result<Accuracy, AppError> {
    let view = forecast_view(db, id)?;
    let actuals = db.history(view.run.queue_id, Some(view.run.from), Some(view.run.to))?;
    let step = Duration::minutes(i64::from(view.interval_minutes));
    let score = |points: &[ForecastPoint]| realised(points, &actuals, view.time_zone, step);
    let realised = score(&view.points).map(|statistical| Realised {
        statistical,
        adjusted: view.adjusted.as_deref().and_then(score),
    });
    let record = view.run.accuracy;
    let promise = record.as_ref().and_then(|r| {
        let score = r.chosen_score()?;
        Some(Promise {
            model: score.model,
            wape: score.wape,
            bias: score.bias,
            busiest_day_error: score.busiest_day_error,
            p95_interval_error: score.p95_interval_error,
            coverage_p10_p90: score.coverage_p10_p90,
            lead_days: r.backtest.lead_days,
            horizon_days: r.backtest.horizon_days,
            backtest_origins: r.backtest.origins.len(),
        })
    });
    Ok(Accuracy {
        record,
        promise,
        realised,
    })
}

/// A run with its statistical points, its adjustments and, when there are
/// any, the adjusted points (same starts, same order).
pub struct ForecastView {
    pub run: ForecastRun,
    pub time_zone: chrono_tz::Tz,
    pub interval_minutes: u32,
    pub points: Vec<ForecastPoint>,
    pub adjustments: Vec<StoredAdjustment>,
    pub adjusted: Option<Vec<ForecastPoint>>,
}

/// Statistical and adjusted volume of one local day.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct DailyTotal {
    pub date: chrono::NaiveDate,
    pub volume: f64,
    pub adjusted_volume: f64,
}

impl ForecastView {
    /// Statistical and adjusted volume per local day, in date order
    /// (`None` without adjustments).
    pub fn daily_totals(&self) -> Option<Vec<DailyTotal>> {
        let adjusted = self.adjusted.as_ref()?;
        let mut days: std::collections::BTreeMap<chrono::NaiveDate, (f64, f64)> =
            Default::default();
        for (p, a) in self.points.iter().zip(adjusted) {
            let day = days
                .entry(p.start.with_timezone(&self.time_zone).date_naive())
                .or_default();
            day.0 += p.volume;
            day.1 += a.volume;
        }
        Some(
            days.into_iter()
                .map(|(date, (volume, adjusted_volume))| DailyTotal {
                    date,
                    volume,
                    adjusted_volume,
                })
                .collect(),
        )
    }
}

pub fn forecast_view(db: &Database, id: ForecastId) -> Result<ForecastView, AppError> {
    let (run, spec, points) = statistical(db, id)?;
    let adjustments = db.forecast_adjustments(id)?;
    let adjusted = (!adjustments.is_empty()).then(|| {
        let list: Vec<Adjustment> = adjustments.iter().map(|a| a.adjustment.clone()).collect();
        Window::new(&points, spec.time_zone).apply(&list)
    });
    Ok(ForecastView {
        run,
        time_zone: spec.time_zone,
        interval_minutes: spec.interval_minutes,
        points,
        adjustments,
        adjusted,
    })
}

/// What the view of a stored forecast depends on besides the run itself
/// (which never changes): its adjustments. Equal versions, equal views.
pub fn forecast_version(db: &Database, id: ForecastId) -> Result<String, AppError> {
    let ids: Vec<String> = db
        .forecast_adjustments(id)?
        .iter()
        .map(|a| a.id.0.to_string())
        .collect();
    Ok(format!("adjustments={}", ids.join(",")))
}

/// A run, its queue and its statistical points.
fn statistical(
    db: &Database,
    id: ForecastId,
) -> Result<(ForecastRun, QueueSpec, Vec<ForecastPoint>), AppError> {
    let run = forecast_run(db, id)?;
    let spec = queue(db, run.queue_id)?.spec;
    let points = db
        .forecast_intervals(id)?
        .iter()
        .map(ForecastInterval::point)
        .collect();
    Ok((run, spec, points))
}

/// Checks every adjustment against the run's window and stores them all,
/// or none: an error names the first bad one's field (`adjustments[1].percent`).
pub fn add_adjustments(
    db: &Database,
    id: ForecastId,
    inputs: Vec<AdjustmentInput>,
) -> Result<Vec<StoredAdjustment>, AppError> {
    let (_, spec, points) = statistical(db, id)?;
    if inputs.is_empty() {
        return Err(InvalidValue::new("adjustments", "give at least one adjustment").into());
    }
    let window = Window::new(&points, spec.time_zone);
    // Whole milliseconds: what both databases store and give back.
    let now = Utc::now().trunc_subsecs(3);
    let checked = inputs
        .into_iter()
        .enumerate()
        .map(|(i, input)| {
            window
                .check(input, now)
                .map_err(|e| InvalidValue::new(format!("adjustments[{i}].{}", e.field), e.message))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(db.insert_forecast_adjustments(id, &checked)?)
}

/// A run's adjustments, oldest first (404 for an unknown run).
pub fn adjustments(db: &Database, id: ForecastId) -> Result<Vec<StoredAdjustment>, AppError> {
    forecast_run(db, id)?;
    Ok(db.forecast_adjustments(id)?)
}

pub fn delete_adjustment(
    db: &Database,
    id: ForecastId,
    adjustment: AdjustmentId,
) -> Result<(), AppError> {
    forecast_run(db, id)?;
    if db.delete_forecast_adjustment(id, adjustment)? {
        Ok(())
    } else {
        Err(AppError::not_found(
            "adjustment",
            format!("{adjustment} of forecast {id}"),
        ))
    }
}

/// The queue's opening hours with its calendar's closed days closed too
/// (a date with hours of its own keeps them).
pub fn hours_of(spec: &QueueSpec, special_days: &[SpecialDay]) -> OpeningHours {
    spec.hours.clone().with_closed_dates(
        special_days
            .iter()
            .filter(|d| d.kind == SpecialDayKind::Closed)
            .map(|d| d.date),
    )
}

/// Agents per interval for the queue's goal under its channel's model, with
/// shrinkage and the occupancy cap; none where `hours` are closed (marked
/// `open: false`). Empty when the forecast has no handle time.
///
/// With the queue's interval confidence `c`, open intervals are staffed so
/// that the mean chance of meeting the goal over them reaches `c`, at the
/// fewest agents and never below the point forecast's requirement (see
/// [`crate::staffing::share`]); each reports the service level its calls
/// can expect, the chance the goal holds at that head count, and the most
/// calls it serves to the goal (under the band and Poisson noise, see
/// [`crate::staffing::uncertainty`]).
pub fn requirements_for(
    spec: &QueueSpec,
    hours: &OpeningHours,
    points: &[ForecastPoint],
    stop: &AtomicBool,
) -> Result<Vec<RequirementInterval>, AppError> {
    let Some(aht) = points
        .iter()
        .map(|p| p.aht_seconds)
        .collect::<Option<Vec<f64>>>()
    else {
        return Ok(Vec::new());
    };
    let interval_seconds = f64::from(spec.interval_minutes) * 60.0;
    let load = Workload::series(
        points.iter().map(|p| p.volume).zip(aht.iter().copied()),
        interval_seconds,
    )?;
    let (model, target) = (
        ChannelModel::for_queue(spec),
        StaffingTarget::for_queue(spec)?,
    );
    // The forecast's volumes decide the work; a shorter window is less of it.
    let promise_factor = spec.interval_confidence.map_or(1.0, share_work);
    check_staffing_work_times(&model, &load, &target, "to", promise_factor)?;
    let open = hours.open_mask(&spec.grid(), points.iter().map(|p| p.start));
    let mut reqs = requirements_until(&model, &load, &target, &open, stop)?;
    let laws: Option<Vec<ArrivalLaw>> = spec.interval_confidence.map(|_| {
        points
            .iter()
            .map(|p| {
                ArrivalLaw::from_band(VolumeBand {
                    volume: p.volume,
                    p10: p.volume_p10,
                    p90: p.volume_p90,
                })
            })
            .collect()
    });
    if let (Some(laws), Some(share)) = (&laws, spec.interval_confidence) {
        let counted: Vec<usize> = (0..points.len()).filter(|&i| open[i]).collect();
        let risk: Vec<RiskInterval> = counted
            .iter()
            .map(|&i| RiskInterval {
                law: laws[i].clone(),
                aht_seconds: aht[i],
                start_agents: reqs[i].agents_net,
            })
            .collect();
        let heads = heads_for_share(
            &model,
            target.goal(),
            interval_seconds,
            &risk,
            share,
            &mut || !stop.load(Ordering::Relaxed),
        )
        .ok_or(AppError::Stopped)?;
        for (&i, &n) in counted.iter().zip(&heads) {
            raise_to(
                &mut reqs[i],
                n,
                &model,
                spec,
                points[i].volume,
                interval_seconds,
                aht[i],
            );
        }
    }
    let mut out = Vec::with_capacity(points.len());
    for (i, (p, r)) in points.iter().zip(reqs).enumerate() {
        let promised = match &laws {
            Some(laws) if open[i] => {
                // Each promise sums some fifty queue evaluations: stop
                // between them when the client has gone.
                if stop.load(Ordering::Relaxed) {
                    return Err(AppError::Stopped);
                }
                channel_servers(&model, r.agents_net, interval_seconds, aht[i])
                    .map(|at| promise(&laws[i], &at, target.goal()))
            }
            _ => None,
        };
        out.push(RequirementInterval {
            start: p.start,
            workload_erlangs: r.workload_erlangs,
            agents_raw: r.agents_raw,
            agents_net: r.agents_net as i32,
            agents_with_shrinkage: r.agents_with_shrinkage as i32,
            service_level: r.metrics.service_level,
            asa_seconds: r.metrics.asa_seconds,
            occupancy: r.metrics.occupancy,
            prob_abandon: r.metrics.prob_abandon,
            open: open[i],
            staffed_volume: promised.map(|p| p.most_calls.max(0.0)),
            expected_service_level: promised.and_then(|p| p.expected_service_level),
            goal_probability: promised.map(|p| p.goal_probability),
        });
    }
    Ok(out)
}

/// `r` with `agents` on the phones when that is more than it had: paid
/// agents grossed up by the shrinkage, figures at the point forecast.
fn raise_to(
    r: &mut Requirement,
    agents: u32,
    model: &ChannelModel,
    spec: &QueueSpec,
    volume: f64,
    interval_seconds: f64,
    aht_seconds: f64,
) {
    if agents <= r.agents_net {
        return;
    }
    let Some(at) = channel_servers(model, agents, interval_seconds, aht_seconds) else {
        return;
    };
    r.agents_net = agents;
    r.agents_raw = f64::from(agents);
    // A whole number of paid agents; the epsilon keeps 7/(1 − 0.3) at 10.
    r.agents_with_shrinkage = (f64::from(agents) / (1.0 - spec.shrinkage) - 1e-9).ceil() as u32;
    r.metrics = at.metrics(volume, spec.goal.answer_within_seconds());
}

/// `t` itself when it is a local midnight, else the next one.
fn next_local_midnight(grid: &crate::domain::Grid, t: DateTime<Utc>) -> DateTime<Utc> {
    let day = grid.local_date(t);
    let midnight = grid.start_of_day(day);
    if midnight == t {
        t
    } else {
        grid.start_of_day(day + Duration::days(1))
    }
}

/// The goal a run's requirements are computed for, stored with the run.
fn requirement_goal(spec: &QueueSpec) -> RequirementGoal {
    RequirementGoal {
        channel: spec.channel,
        service_level: spec.goal.service_level(),
        answer_within_seconds: spec.goal.answer_within_seconds(),
        max_asa_seconds: spec.goal.max_asa_seconds(),
        shrinkage: spec.shrinkage,
        max_occupancy: spec.max_occupancy,
        staffing_model: Some(ChannelModel::for_queue(spec)),
        offered: None,
    }
}

pub fn forecast_run(db: &Database, id: ForecastId) -> Result<ForecastRun, AppError> {
    db.forecast_run(id)?
        .ok_or_else(|| AppError::not_found("forecast", id))
}

/// The stored requirements of a run; an error when its forecast had no handle time.
pub fn requirements(
    db: &Database,
    id: ForecastId,
) -> Result<(ForecastRun, Vec<RequirementInterval>), AppError> {
    let run = forecast_run(db, id)?;
    let reqs = db.requirement_intervals(id)?;
    let intervals = db.forecast_intervals(id)?;
    if reqs.is_empty() && !intervals.is_empty() {
        return Err(Refusal::NoHandleTime { forecast: id }.into());
    }
    Ok((run, reqs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work(candidates: usize, rows: usize) -> FitWork {
        let backtest_origins = 8;
        FitWork {
            candidates,
            backtest_origins,
            rows,
            units: (candidates * (backtest_origins + 1) * rows) as f64,
        }
    }

    fn refusal(work: FitWork) -> Option<(&'static str, String)> {
        match check_fit_work(work) {
            Ok(()) => None,
            Err(AppError::Refused(Refusal::TooCostly { field, message })) => Some((field, message)),
            Err(other) => panic!("{other}"),
        }
    }

    #[test]
    fn too_much_fitting_names_what_to_change() {
        // Three years of 15-minute history, auto: allowed.
        assert_eq!(refusal(work(6, 105_120)), None);
        // Ten years: auto is refused and told to name one model...
        let (field, message) = refusal(work(6, 350_400)).unwrap();
        assert_eq!(field, "model");
        assert!(message.contains("350400 history rows"), "{message}");
        // ...which fits; far more history than even one model may take
        // points at the origin.
        assert_eq!(refusal(work(1, 350_400)), None);
        assert_eq!(refusal(work(1, 2_000_000)).unwrap().0, "origin");
    }
}
