//! Build a roster for a queue's agents from a forecast's requirements.

use super::error::{Conflict, Refusal};
use super::forecast::requirements;
use super::history::queue;
use super::jobs::{run_inline, JobControl, JobSettings, Stop};
use super::roster_share::{kept, next_share, ShareWindow, Tried, SHARE_PASSES};
use super::AppError;
use crate::db::schedules::{
    JobStatus, Lease, NewScheduleRun, RosterShift, ScheduleOutcome, ScheduleRun, StoredBreak,
    StoredShift,
};
use crate::db::{Database, DbError};
use crate::domain::{AgentId, ForecastId, ScheduleId};
use crate::schedule::engine::{
    self, Agent, AgentProfile, BreakRule, EngineReport, Problem, QueueDemand, ShiftTemplate,
    SolveOptions, Weights,
};
use crate::schedule::greedy::{solve_greedy, AgentContract, ScheduleProblem, ShiftRule};
pub use crate::schedule::job::{
    JobParams, Solver, DEFAULT_TIME_LIMIT_SECONDS, MAX_TIME_LIMIT_SECONDS,
};
use crate::simulate::RosterService;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct ScheduleRequest {
    pub forecast_id: ForecastId,
    /// First local day; defaults to the forecast's first day.
    pub week_start: Option<NaiveDate>,
    pub days: u32,
    /// The single shift rule (greedy; the engine's template when
    /// `templates` is `None`).
    pub rule: ShiftRule,
    pub templates: Option<Vec<ShiftTemplate>>,
    pub weights: Option<Weights>,
    pub time_limit_seconds: f64,
    pub seed: u64,
    /// Stop the engine's search after this many moves (deterministic).
    pub iteration_budget: Option<u64>,
    pub solver: Solver,
}

impl ScheduleRequest {
    /// The engine with the default template and limits.
    pub fn new(forecast_id: ForecastId, week_start: Option<NaiveDate>, days: u32) -> Self {
        Self {
            forecast_id,
            week_start,
            days,
            rule: default_rule(),
            templates: None,
            weights: None,
            time_limit_seconds: DEFAULT_TIME_LIMIT_SECONDS,
            seed: 1,
            iteration_budget: None,
            solver: Solver::Engine,
        }
    }
}

pub fn default_rule() -> ShiftRule {
    ShiftRule {
        length_minutes: 8 * 60 + 30,
        earliest_start: chrono::NaiveTime::from_hms_opt(7, 0, 0).unwrap_or_default(),
        latest_start: chrono::NaiveTime::from_hms_opt(15, 30, 0).unwrap_or_default(),
        lunch_minutes: 30,
        min_rest_hours: 11,
        max_days_per_week: 5,
    }
}

/// The engine's template for a single shift rule: one length, one unpaid
/// lunch from 2 h after the start to 1 h before the end.
pub fn template_from_rule(rule: &ShiftRule) -> ShiftTemplate {
    let breaks = if rule.lunch_minutes > 0 {
        vec![BreakRule {
            name: "lunch".into(),
            minutes: rule.lunch_minutes,
            earliest_start_minutes: crate::schedule::greedy::LUNCH_AFTER_START_MINUTES,
            latest_end_minutes: rule
                .length_minutes
                .saturating_sub(crate::schedule::greedy::LUNCH_BEFORE_END_MINUTES),
            paid: false,
            min_shift_minutes: 0,
        }]
    } else {
        Vec::new()
    };
    ShiftTemplate {
        name: "shift".into(),
        earliest_start: rule.earliest_start,
        latest_start: rule.latest_start,
        min_length_minutes: rule.length_minutes,
        max_length_minutes: rule.length_minutes,
        length_step_minutes: 0,
        breaks,
    }
}

/// Checks the request against what is stored and queues a job; the roster
/// is built by [`run_leased`] under a lease (by a worker, or inline).
pub fn submit_schedule(db: &Database, request: &ScheduleRequest) -> Result<ScheduleRun, AppError> {
    let (forecast, _) = requirements(db, request.forecast_id)?;
    let queue = queue(db, forecast.queue_id)?;
    let grid = queue.spec.grid();
    if db.active_agents(queue.id)?.is_empty() {
        return Err(Refusal::NoAgents { queue: queue.id }.into());
    }
    if !(1..=31).contains(&request.days) {
        return Err(Refusal::OutOfRange {
            field: "days",
            message: "days must be 1 to 31".into(),
        }
        .into());
    }
    if !(request.time_limit_seconds.is_finite()
        && (0.1..=MAX_TIME_LIMIT_SECONDS).contains(&request.time_limit_seconds))
    {
        return Err(Refusal::OutOfRange {
            field: "time_limit_seconds",
            message: format!(
                "time_limit_seconds {} must be from 0.1 to {MAX_TIME_LIMIT_SECONDS}",
                request.time_limit_seconds
            ),
        }
        .into());
    }
    let first_day = request
        .week_start
        .unwrap_or_else(|| grid.local_date(forecast.from));
    // Days without a forecast have no requirement: a roster there would
    // report full coverage of nothing.
    let roster_from = grid.start_of_day(first_day);
    let roster_to = grid.start_of_day(first_day + chrono::Duration::days(i64::from(request.days)));
    if roster_from < forecast.from || roster_to > forecast.to {
        let last_day = grid.local_date(forecast.to - chrono::Duration::seconds(1));
        return Err(Refusal::OutOfRange {
            field: if roster_from < forecast.from || roster_from >= forecast.to {
                "week_start"
            } else {
                "days"
            },
            message: format!(
                "the roster's {} day(s) from {first_day} must lie within forecast {}'s days {} to {last_day}",
                request.days,
                forecast.id,
                grid.local_date(forecast.from),
            ),
        }
        .into());
    }
    let params = JobParams {
        forecast_id: forecast.id,
        first_day,
        days: request.days,
        rule: request.rule.clone(),
        solver: request.solver,
        templates: request.templates.clone(),
        weights: request.weights.clone(),
        time_limit_seconds: request.time_limit_seconds,
        seed: request.seed,
        iteration_budget: request.iteration_budget,
    };
    match params.solver {
        Solver::Greedy => request.rule.check(&grid)?,
        // Refuse a bad template, contract or weight now (422), not in the job.
        Solver::Engine => engine::validate(&engine_problem(db, &params, queue.id)?)?,
    }
    let id = db.queue_schedule(&NewScheduleRun {
        queue_id: queue.id,
        forecast_id: forecast.id,
        week_start: grid.start_of_day(first_day),
        days: request.days as i32,
        params,
    })?;
    schedule_run(db, id)
}

/// How a run under a lease ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    /// The outcome is stored: done, cancelled (with its best roster) or failed.
    Finished(JobStatus),
    /// Given back to the queue unfinished (the instance is shutting down).
    Released,
    /// Another worker holds the job now: nothing of this run was stored.
    LeaseLost,
}

/// Builds the roster of a claimed job and stores how it went, every write
/// fenced by `lease`. `control` says why the search should stop early: a
/// cancel (the best roster is kept), a shutdown (the job is released) or a
/// lost lease (the result is dropped).
pub fn run_leased(db: &Database, lease: &Lease, control: &JobControl) -> Result<RunEnd, AppError> {
    let written = match control.reason() {
        Some(Stop::ShuttingDown) => return released(db, lease),
        // Cancelled while its worker was gone: nothing to build.
        Some(Stop::CancelRequested) => db
            .finish_schedule(lease, &ScheduleOutcome::cancelled_before_start(), &[])
            .map(|()| JobStatus::Cancelled),
        _ => match build_roster(db, lease, control) {
            Ok(built) => {
                let status = match (built.interrupted, control.reason()) {
                    (_, Some(Stop::LeaseLost)) => return Ok(RunEnd::LeaseLost),
                    (true, Some(Stop::ShuttingDown)) => return released(db, lease),
                    (true, _) => JobStatus::Cancelled,
                    (false, _) => JobStatus::Done,
                };
                let outcome = ScheduleOutcome {
                    status,
                    ..built.outcome
                };
                db.finish_schedule(lease, &outcome, &built.shifts)
                    .map(|()| status)
            }
            Err(e) => {
                if control.reason() == Some(Stop::LeaseLost) {
                    return Ok(RunEnd::LeaseLost);
                }
                tracing::warn!(schedule = lease.id.0, error = %e, "schedule job failed");
                db.fail_schedule(lease, &e.to_string())
                    .map(|()| JobStatus::Failed)
            }
        },
    };
    match written {
        Ok(status) => Ok(RunEnd::Finished(status)),
        Err(DbError::LeaseLost(_)) => Ok(RunEnd::LeaseLost),
        Err(e) => Err(e.into()),
    }
}

fn released(db: &Database, lease: &Lease) -> Result<RunEnd, AppError> {
    match db.release_schedule(lease) {
        Ok(()) => Ok(RunEnd::Released),
        Err(DbError::LeaseLost(_)) => Ok(RunEnd::LeaseLost),
        Err(e) => Err(e.into()),
    }
}

/// A roster built, not yet stored.
struct Built {
    outcome: ScheduleOutcome,
    shifts: Vec<StoredShift>,
    /// The search stopped early on `control` (its best roster is here).
    interrupted: bool,
}

fn build_roster(db: &Database, lease: &Lease, control: &JobControl) -> Result<Built, AppError> {
    let run = schedule_run(db, lease.id)?;
    let params = run.params.clone();
    match params.solver {
        Solver::Greedy => build_greedy(db, &run, params),
        Solver::Engine => build_with_engine(db, lease, control, &run, &params),
    }
}

/// The engine's problem for a job: the queue's requirement (with
/// shrinkage), its agents with their profiles, the templates and weights.
fn engine_problem(
    db: &Database,
    params: &JobParams,
    queue_id: crate::domain::QueueId,
) -> Result<Problem, AppError> {
    let (_, reqs) = requirements(db, params.forecast_id)?;
    let queue = queue(db, queue_id)?;
    let grid = queue.spec.grid();
    let from_rule = params.templates.is_none();
    let agents = db
        .active_agents(queue.id)?
        .into_iter()
        .map(|a| {
            let profile: AgentProfile = a.profile.clone();
            let mut agent = Agent::from_profile(
                a.id,
                a.name.clone(),
                profile,
                (a.min_week_hours * 60.0).round() as u32,
                (a.max_week_hours * 60.0).round() as u32,
            );
            if from_rule {
                // A request with only the one shift rule keeps its rest and days.
                agent.contract.min_rest_minutes = params.rule.min_rest_hours * 60;
                agent.contract.max_shifts_per_week = params.rule.max_days_per_week;
            }
            Ok(agent)
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(Problem {
        grid,
        start: grid.start_of_day(params.first_day),
        days: params.days,
        queues: vec![QueueDemand {
            queue: queue.id,
            requirement: reqs
                .iter()
                .map(|r| (r.start, f64::from(r.agents_with_shrinkage)))
                .collect(),
        }],
        templates: params
            .templates
            .clone()
            .unwrap_or_else(|| vec![template_from_rule(&params.rule)]),
        agents,
        weights: params.weights.clone().unwrap_or_default(),
        weekend: queue.spec.weekend,
    })
}

/// Runs the engine; with the queue's interval confidence, up to
/// [`SHARE_PASSES`] times while the roster kept overshoots the share asked
/// (see [`super::roster_share`]): the first pass then has half the time
/// limit and the others share the rest (the iteration budget is per pass).
fn build_with_engine(
    db: &Database,
    lease: &Lease,
    control: &JobControl,
    run: &ScheduleRun,
    params: &JobParams,
) -> Result<Built, AppError> {
    let problem = engine_problem(db, params, run.queue_id)?;
    let queue = queue(db, run.queue_id)?;
    let asked = queue.spec.interval_confidence;
    let passes = if asked.is_some() {
        SHARE_PASSES as f64
    } else {
        1.0
    };
    // The first roster, the one that stands when no later one is kept, has
    // half the time; the later passes share the other half.
    let time_of = |pass: usize| match (asked, pass) {
        (None, _) => params.time_limit_seconds,
        (Some(_), 0) => params.time_limit_seconds / 2.0,
        (Some(_), _) => params.time_limit_seconds / (2.0 * (passes - 1.0)),
    };
    let solve = |problem: &Problem, pass: usize| {
        let options = SolveOptions {
            time_limit: std::time::Duration::from_secs_f64(time_of(pass)),
            seed: params.seed,
            max_iterations: params.iteration_budget,
            ..SolveOptions::default()
        };
        engine::solve(problem, &options, Some(control.flag()), &mut |p| match db
            .report_schedule_progress(
                lease,
                (pass as f64 * 100.0 + p.percent) / passes,
                Some(p.best_objective),
            ) {
            Ok(Some(state)) if state.cancel_requested => control.stop(Stop::CancelRequested),
            Ok(Some(_)) => {}
            Ok(None) => control.stop(Stop::LeaseLost),
            Err(e) => tracing::warn!(schedule = lease.id.0, error = %e, "progress not recorded"),
        })
    };
    let first = solve(&problem, 0)?;
    let (Some(asked), false) = (asked, first.stop == engine::StopReason::Cancelled) else {
        return Ok(built_from(first));
    };
    let window = ShareWindow::load(db, &queue, run)?;
    let hours = ShareWindow::opening_hours(db, &queue)?;
    let share_of = |s: &engine::Solution| {
        let on: HashMap<DateTime<Utc>, u32> =
            s.coverage.iter().map(|c| (c.start, c.scheduled)).collect();
        window
            .service(|t| on.get(&t).copied().unwrap_or(0))
            .expected_share_meeting_goal
    };
    let Some(share) = share_of(&first) else {
        return Ok(built_from(first));
    };
    let mut tried = vec![Tried {
        bought: asked,
        share,
        hours: first.rostered_hours(),
    }];
    let mut rosters = vec![first];
    let mut warnings = Vec::new();
    let mut cancelled = false;
    for pass in 1..SHARE_PASSES {
        let Some(next) = next_share(asked, &tried) else {
            break;
        };
        // A forecast made before the confidence was set may cost more than a
        // request may: then the rosters made stand, and say why.
        let requirement = match window.requirement(&hours, next, control.flag()) {
            Ok(requirement) => requirement,
            Err(e) => {
                warnings.push(format!(
                    "interval confidence: not re-rostered for the share {:.1} %: {e}",
                    next * 100.0
                ));
                break;
            }
        };
        let again = Problem {
            queues: vec![QueueDemand {
                queue: queue.id,
                requirement,
            }],
            ..problem.clone()
        };
        let roster = solve(&again, pass)?;
        if roster.stop == engine::StopReason::Cancelled {
            cancelled = true;
            break;
        }
        tried.push(Tried {
            bought: next,
            share: share_of(&roster).unwrap_or_default(),
            hours: roster.rostered_hours(),
        });
        rosters.push(roster);
    }
    let keep = kept(asked, &tried);
    let mut solution = rosters.swap_remove(keep);
    if tried.len() > 1 {
        let each: Vec<String> = tried
            .iter()
            .map(|t| {
                format!(
                    "{:.1} %: {:.1} % at {:.1} h",
                    t.bought * 100.0,
                    t.share * 100.0,
                    t.hours
                )
            })
            .collect();
        warnings.push(format!(
            "interval confidence {:.1} %: rosters made for requirement shares {}, as expected \
             shares of open intervals meeting the goal; kept the one for {:.1} %",
            asked * 100.0,
            each.join("; "),
            tried[keep].bought * 100.0
        ));
    }
    if cancelled {
        // Stopped during a later pass: the job was stopped.
        solution.stop = engine::StopReason::Cancelled;
    }
    solution.warnings.extend(warnings);
    Ok(built_from(solution))
}

/// What the job stores of the engine's roster.
fn built_from(solution: engine::Solution) -> Built {
    let shifts: Vec<StoredShift> = solution
        .shifts
        .iter()
        .map(|s| stored_shift(s.agent, s.start, s.end, &s.breaks))
        .collect();
    let interrupted = solution.stop == engine::StopReason::Cancelled;
    let outcome = ScheduleOutcome {
        status: JobStatus::Done,
        rostered_hours: solution.rostered_hours(),
        coverage_percent: solution.coverage_percent(),
        best_objective: Some(solution.objective.total),
        warnings: solution.warnings.clone(),
        report: Some(EngineReport::of(&solution)),
    };
    Built {
        outcome,
        shifts,
        interrupted,
    }
}

fn stored_shift(
    agent_id: crate::domain::AgentId,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    breaks: &[crate::schedule::Break],
) -> StoredShift {
    StoredShift {
        agent_id,
        start,
        end,
        breaks: breaks
            .iter()
            .map(|b| StoredBreak {
                start: b.start,
                end: b.end,
                paid: b.paid,
            })
            .collect(),
    }
}

fn build_greedy(db: &Database, run: &ScheduleRun, params: JobParams) -> Result<Built, AppError> {
    let (_, reqs) = requirements(db, params.forecast_id)?;
    let queue = queue(db, run.queue_id)?;
    let grid = queue.spec.grid();
    let agents = db.active_agents(queue.id)?;
    let problem = ScheduleProblem {
        grid,
        start: grid.start_of_day(params.first_day),
        days: params.days,
        requirement: reqs
            .iter()
            .map(|r| (r.start, f64::from(r.agents_with_shrinkage)))
            .collect(),
        agents: agents
            .iter()
            .map(|a| AgentContract {
                id: a.id,
                name: a.name.clone(),
                min_week_minutes: (a.min_week_hours * 60.0).round() as u32,
                max_week_minutes: (a.max_week_hours * 60.0).round() as u32,
            })
            .collect(),
        rule: params.rule,
    };
    let roster = solve_greedy(&problem)?;
    let shifts: Vec<StoredShift> = roster
        .shifts
        .iter()
        .map(|s| stored_shift(s.agent, s.start, s.end, &s.breaks))
        .collect();
    let outcome = ScheduleOutcome {
        status: JobStatus::Done,
        rostered_hours: roster.rostered_hours(),
        coverage_percent: roster.coverage_percent(),
        best_objective: None,
        warnings: roster.warnings.clone(),
        report: None,
    };
    Ok(Built {
        outcome,
        shifts,
        interrupted: false,
    })
}

/// Submits and runs at once (the CLI and demo, which have no worker pool).
pub fn create_schedule(db: &Database, request: &ScheduleRequest) -> Result<ScheduleRun, AppError> {
    let run = submit_schedule(db, request)?;
    run_inline(db, run.id, &JobSettings::default())?;
    schedule_run(db, run.id)
}

/// Asks a job to stop; a finished job is a conflict.
pub fn cancel_schedule(db: &Database, id: ScheduleId) -> Result<ScheduleRun, AppError> {
    let run = schedule_run(db, id)?;
    if run.status.is_finished() {
        return Err(Conflict::AlreadyFinished {
            id,
            status: run.status.as_str(),
        }
        .into());
    }
    db.request_schedule_cancel(id)?;
    schedule_run(db, id)
}

pub fn schedule_run(db: &Database, id: ScheduleId) -> Result<ScheduleRun, AppError> {
    db.schedule_run(id)?
        .ok_or_else(|| AppError::not_found("schedule", id))
}

/// A run as shown on its own: its report without the per-interval list,
/// and its publication state.
pub fn schedule_summary(db: &Database, id: ScheduleId) -> Result<ScheduleRun, AppError> {
    let mut run = schedule_run(db, id)?;
    run.report = run.report.map(EngineReport::summary);
    run.publication = Some(super::publish::publication_of(db, id)?);
    Ok(run)
}

/// The engine's report of a run, shortfall included; a conflict for a run
/// without one (greedy, or not finished).
pub fn engine_report(db: &Database, id: ScheduleId) -> Result<EngineReport, AppError> {
    let run = schedule_run(db, id)?;
    run.report.ok_or_else(|| {
        Conflict::NoEngineReport {
            id,
            status: run.status.as_str(),
        }
        .into()
    })
}

pub fn roster(db: &Database, id: ScheduleId) -> Result<(ScheduleRun, Vec<RosterShift>), AppError> {
    let run = schedule_run(db, id)?;
    let shifts = db.roster(id)?;
    Ok((run, shifts))
}

/// What a finished roster's answer depends on: the run as stored (status,
/// report, and anything later added to it) and the names and HR ids of
/// the queue's agents, which the shifts show. `None` while the job may
/// still change its shifts. Equal versions, equal answers.
pub fn roster_version(db: &Database, id: ScheduleId) -> Result<Option<u64>, AppError> {
    use std::hash::{Hash, Hasher};
    let run = schedule_run(db, id)?;
    if !run.status.is_finished() {
        return Ok(None);
    }
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(&run)
        .map_err(|e| AppError::Corrupt(format!("schedule {id} does not encode: {e}")))?
        .hash(&mut hasher);
    db.agent_names(run.queue_id)?.hash(&mut hasher);
    Ok(Some(hasher.finish()))
}

/// Which shifts of a roster to read: one agent's, one local day's, or all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RosterFilter {
    pub agent: Option<AgentId>,
    /// Shifts starting on this local date (the queue's zone).
    pub date: Option<NaiveDate>,
}

/// A roster as read: the run, the queue's zone, the shifts kept.
#[derive(Debug, Clone)]
pub struct RosterRead {
    pub run: ScheduleRun,
    pub time_zone: chrono_tz::Tz,
    pub shifts: Vec<RosterShift>,
}

/// The stored roster, filtered. An agent of another queue is not found
/// here, like an agent that does not exist.
pub fn filtered_roster(
    db: &Database,
    id: ScheduleId,
    filter: RosterFilter,
) -> Result<RosterRead, AppError> {
    let (run, mut shifts) = roster(db, id)?;
    let time_zone = queue(db, run.queue_id)?.spec.time_zone;
    if let Some(a) = filter.agent {
        let agent = db.agent(a)?;
        if agent.is_none_or(|x| x.queue_id != run.queue_id) {
            return Err(AppError::not_found("agent", a));
        }
        shifts.retain(|s| s.agent_id == a);
    }
    if let Some(d) = filter.date {
        shifts.retain(|s| s.start.with_timezone(&time_zone).date_naive() == d);
    }
    Ok(RosterRead {
        run,
        time_zone,
        shifts,
    })
}

/// Hours paid for a shift: its length less its unpaid breaks.
pub fn paid_hours(s: &RosterShift) -> f64 {
    let unpaid: i64 = s
        .breaks
        .iter()
        .filter(|b| !b.paid)
        .map(|b| (b.end - b.start).num_minutes())
        .sum();
    ((s.end - s.start).num_minutes() - unpaid) as f64 / 60.0
}

/// Agents on the phones per interval start: inside a shift and not on a break.
pub fn agents_on(
    shifts: &[RosterShift],
    grid: &crate::domain::Grid,
) -> HashMap<DateTime<Utc>, u32> {
    let mut on: HashMap<DateTime<Utc>, u32> = HashMap::new();
    for s in shifts {
        for t in grid.intervals(s.start, s.end) {
            if !s.breaks.iter().any(|b| b.start <= t && t < b.end) {
                *on.entry(t).or_default() += 1;
            }
        }
    }
    on
}

/// The service the stored roster gives against its forecast (Erlang per
/// interval, and under the forecast's uncertainty).
pub fn service_check(
    db: &Database,
    id: ScheduleId,
) -> Result<(ScheduleRun, RosterService, crate::staffing::QueueModel), AppError> {
    let (run, shifts) = roster(db, id)?;
    let queue = queue(db, run.queue_id)?;
    let on = agents_on(&shifts, &queue.spec.grid());
    let service =
        ShareWindow::load(db, &queue, &run)?.service(|t| on.get(&t).copied().unwrap_or(0));
    let model = crate::staffing::ChannelModel::for_queue(&queue.spec).roster_check_model();
    Ok((run, service, model))
}

/// The intervals a forecast's requirements found the queue closed in.
pub fn closed_intervals(
    db: &Database,
    forecast: ForecastId,
) -> Result<std::collections::HashSet<DateTime<Utc>>, AppError> {
    Ok(db
        .requirement_intervals(forecast)?
        .into_iter()
        .filter(|r| !r.open)
        .map(|r| r.start)
        .collect())
}
