//! Replay a stored roster against the queue's real calls (per-call
//! records) and set the result beside what the roster promised (`/check`).

use super::error::{Conflict, Refusal};
use super::history::{parse_bound, queue};
use super::schedule::{agents_on, roster, service_check};
use super::simulation::MAX_SIMULATED_CALLS;
use super::AppError;
use crate::db::schedules::JobStatus;
use crate::db::Database;
use crate::domain::time::{format_timestamp, TimestampStyle};
use crate::domain::{HistoryRow, QueueId, ScheduleId};
use crate::simulate::{
    productive_agents, replay, IntervalService, PatienceModel, ReplayInput, ReplayedService,
};
use crate::staffing::QueueModel;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// How to replay; every field has a default.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayOptions {
    /// Start of the window (local time in the queue's zone, or with an
    /// offset); default the roster's first day.
    pub from: Option<String>,
    /// End of the window (excluded); default the end of the roster.
    pub to: Option<String>,
    pub seed: u64,
    pub replications: u32,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        Self {
            from: None,
            to: None,
            seed: 1,
            replications: 10,
        }
    }
}

/// What `/check` promised for an interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Promised {
    /// The forecast volume the promise was made for.
    pub volume: f64,
    pub service_level: f64,
    pub asa_seconds: f64,
    /// False when the queue was closed: stray calls then are not compared.
    pub open: bool,
    /// Under forecast uncertainty: the chance `/check` gives the interval
    /// of meeting the goal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal_probability: Option<f64>,
    /// Under forecast uncertainty: the most calls the roster serves to the
    /// goal there, by `/check`'s model. Real calls at or under it and the
    /// goal missed is the queue's own chance; over it, the forecast's miss.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staffed_volume: Option<f64>,
}

impl From<&IntervalService> for Promised {
    fn from(i: &IntervalService) -> Self {
        Promised {
            volume: i.volume,
            service_level: i.service_level,
            asa_seconds: i.asa_seconds,
            open: i.open,
            goal_probability: i.goal_probability,
            staffed_volume: i.staffed_volume,
        }
    }
}

/// One interval: the replay of its real calls, and the promise.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReplayInterval {
    pub start: DateTime<Utc>,
    /// `/check`'s figure for the interval; `None` where the check has none
    /// (no forecast handle time there).
    pub promised: Option<Promised>,
    #[serde(flatten)]
    pub replayed: ReplayedService,
}

/// The window as a whole, promised against replayed.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReplayTotals {
    #[serde(flatten)]
    pub replayed: ReplayedService,
    /// `/check`'s service level over the window (weighted by forecast volume).
    pub promised_service_level: f64,
    /// Intervals compared: with at least one real call and a promise.
    pub intervals_compared: usize,
    /// Share of the compared intervals whose promised service level meets the goal.
    pub promised_share_meeting_goal: f64,
    /// Share of the compared intervals whose replayed service level meets the goal.
    pub replayed_share_meeting_goal: f64,
    /// Under forecast uncertainty: the share of the compared intervals
    /// `/check` expects to meet the goal (the mean of their chances).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promised_expected_share_meeting_goal: Option<f64>,
    /// The imported history against the call records, over the window's
    /// intervals the history has (none: it has none there).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<HistoryAgainstCalls>,
}

/// What the history counted and the records offered over the same
/// intervals. A history above the calls offered counts contacts that never
/// reached the queue (voice-menu hang-ups, self-service): forecasts from it
/// staff for them too.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct HistoryAgainstCalls {
    pub intervals: usize,
    pub history_volume: f64,
    pub offered: u64,
}

/// The replay of a roster against real calls.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReplayReport {
    pub schedule_id: ScheduleId,
    pub queue_id: QueueId,
    pub time_zone: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The queue's goal: `service_level` of calls answered within
    /// `answer_within_seconds`.
    pub goal_service_level: f64,
    pub answer_within_seconds: f64,
    /// The model `/check`'s promise was computed with.
    pub promised_model: QueueModel,
    pub seed: u64,
    pub replications: u32,
    pub patience: PatienceModel,
    pub totals: ReplayTotals,
    pub intervals: Vec<ReplayInterval>,
}

/// Replays the calls stored for the roster's window (or the part `options`
/// names) against the agents the roster puts on the phones (breaks out,
/// shrinkage taken off as `/check` does), and compares with `/check`.
pub fn replay_schedule(
    db: &Database,
    id: ScheduleId,
    options: &ReplayOptions,
) -> Result<ReplayReport, AppError> {
    if !(1..=1000).contains(&options.replications) {
        return Err(Refusal::OutOfRange {
            field: "replications",
            message: "replications must be 1 to 1000".into(),
        }
        .into());
    }
    let (run, shifts) = roster(db, id)?;
    if run.status != JobStatus::Done {
        return Err(Conflict::NotDone {
            id,
            status: run.status.as_str(),
        }
        .into());
    }
    let queue = queue(db, run.queue_id)?;
    let spec = &queue.spec;
    let grid = spec.grid();
    let tz = spec.time_zone;
    let roster_from = run.week_start;
    let roster_to = grid.start_of_day(
        grid.local_date(run.week_start) + chrono::Duration::days(i64::from(run.days)),
    );
    let local = |t: DateTime<Utc>| format_timestamp(t, tz, TimestampStyle::Offset);
    let from = parse_bound(options.from.as_deref(), "from", tz)?.unwrap_or(roster_from);
    let to = parse_bound(options.to.as_deref(), "to", tz)?.unwrap_or(roster_to);
    if !grid.is_aligned(from) || !grid.is_aligned(to) {
        return Err(Refusal::OffGrid {
            minutes: grid.minutes,
        }
        .into());
    }
    if from < roster_from || to > roster_to || to <= from {
        return Err(Refusal::OutOfRange {
            field: if from < roster_from || to <= from {
                "from"
            } else {
                "to"
            },
            message: format!(
                "the window from {} to {} must be inside the roster's, from {} to {}, and not empty",
                local(from),
                local(to),
                local(roster_from),
                local(roster_to)
            ),
        }
        .into());
    }

    let calls = db.calls(run.queue_id, from, to)?;
    if calls.is_empty() {
        return Err(Refusal::NoCallRecords {
            queue: run.queue_id,
            from: local(from),
            to: local(to),
        }
        .into());
    }
    let work = calls.len() as f64 * f64::from(options.replications);
    if work > MAX_SIMULATED_CALLS {
        return Err(Refusal::TooCostly {
            field: "replications",
            message: format!(
                "replications: {} replications of {} calls is {work:.2e} replayed calls, more \
                 than one request may ({MAX_SIMULATED_CALLS:.0e}); ask for fewer replications \
                 or a shorter window",
                options.replications,
                calls.len()
            ),
        }
        .into());
    }

    let starts = grid.intervals(from, to);
    let on = agents_on(&shifts, &grid);
    let agents: Vec<u32> = starts
        .iter()
        .map(|t| productive_agents(on.get(t).copied().unwrap_or(0), spec.shrinkage))
        .collect();
    let replayed = replay(&ReplayInput {
        start: from,
        interval_seconds: grid.seconds(),
        agents_per_interval: &agents,
        calls: &calls,
        target_seconds: spec.goal.answer_within_seconds(),
        seed: options.seed,
        replications: options.replications,
    })?;

    let (_, check, promised_model) = service_check(db, id)?;
    let promised: HashMap<DateTime<Utc>, Promised> = check
        .intervals
        .iter()
        .map(|i| (i.start, Promised::from(i)))
        .collect();
    let intervals: Vec<ReplayInterval> = starts
        .iter()
        .zip(replayed.intervals)
        .map(|(&start, replayed)| ReplayInterval {
            start,
            promised: promised.get(&start).copied(),
            replayed,
        })
        .collect();
    let goal = spec.goal.service_level();
    let mut totals = compare(&intervals, replayed.totals, goal);
    totals.history =
        history_against_calls(&db.history(run.queue_id, Some(from), Some(to))?, &intervals);
    Ok(ReplayReport {
        schedule_id: id,
        queue_id: run.queue_id,
        time_zone: tz.name().to_string(),
        from,
        to,
        goal_service_level: goal,
        answer_within_seconds: spec.goal.answer_within_seconds(),
        promised_model,
        seed: options.seed,
        replications: options.replications,
        patience: replayed.patience,
        totals,
        intervals,
    })
}

/// The history's count against the calls offered, over the intervals the
/// history has.
fn history_against_calls(
    history: &[HistoryRow],
    intervals: &[ReplayInterval],
) -> Option<HistoryAgainstCalls> {
    let counted: HashMap<DateTime<Utc>, f64> =
        history.iter().map(|h| (h.start, h.volume)).collect();
    let mut out = HistoryAgainstCalls {
        intervals: 0,
        history_volume: 0.0,
        offered: 0,
    };
    for i in intervals {
        if let Some(volume) = counted.get(&i.start) {
            out.intervals += 1;
            out.history_volume += volume;
            out.offered += i.replayed.offered;
        }
    }
    (out.intervals > 0).then_some(out)
}

/// Totals of the window: the promise weighted by forecast volume, and the
/// share of intervals meeting the goal, promised and replayed, over the
/// open intervals that had real calls and a promise.
fn compare(intervals: &[ReplayInterval], replayed: ReplayedService, goal: f64) -> ReplayTotals {
    // A service level equal to the goal meets it, whatever the float dust.
    let meets = |sl: f64| sl >= goal - 1e-9;
    let (mut volume, mut answered) = (0.0, 0.0);
    let (mut compared, mut promised_ok, mut replayed_ok) = (0usize, 0usize, 0usize);
    let (mut chances, mut all_chances) = (0.0, true);
    for i in intervals {
        let Some(p) = i.promised.filter(|p| p.open) else {
            continue;
        };
        volume += p.volume;
        answered += p.volume * p.service_level;
        if i.replayed.offered > 0 {
            compared += 1;
            promised_ok += usize::from(meets(p.service_level));
            replayed_ok += usize::from(meets(i.replayed.service_level));
            match p.goal_probability {
                Some(c) => chances += c,
                None => all_chances = false,
            }
        }
    }
    let share = |n: usize| {
        if compared > 0 {
            n as f64 / compared as f64
        } else {
            0.0
        }
    };
    ReplayTotals {
        replayed,
        promised_service_level: if volume > 0.0 { answered / volume } else { 1.0 },
        intervals_compared: compared,
        promised_share_meeting_goal: share(promised_ok),
        replayed_share_meeting_goal: share(replayed_ok),
        promised_expected_share_meeting_goal: (all_chances && compared > 0)
            .then(|| chances / compared as f64),
        history: None,
    }
}
