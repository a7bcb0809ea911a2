//! Schedule runs and their roster (shifts with breaks).

use super::schema::{agents, roster_breaks, roster_shifts, schedule_runs};
use super::{to_naive, to_utc, with_conn, Database, DbError, WriteTransaction, BATCH_ROWS};
use crate::domain::{AgentId, ForecastId, QueueId, ScheduleId};
use crate::schedule::engine::EngineReport;
use crate::schedule::job::JobParams;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use std::collections::HashMap;

/// Where a schedule job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    Queued,
    Running,
    Done,
    Failed,
    Cancelled,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Result<Self, DbError> {
        [
            Self::Queued,
            Self::Running,
            Self::Done,
            Self::Failed,
            Self::Cancelled,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
        .ok_or_else(|| DbError::Corrupt(format!("unknown schedule status '{s}'")))
    }

    pub fn is_finished(self) -> bool {
        matches!(
            self,
            JobStatus::Done | JobStatus::Failed | JobStatus::Cancelled
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduleRun {
    pub id: ScheduleId,
    pub queue_id: QueueId,
    pub forecast_id: ForecastId,
    pub status: JobStatus,
    pub progress_percent: f64,
    pub best_objective: Option<f64>,
    pub week_start: DateTime<Utc>,
    pub days: i32,
    pub params: JobParams,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub cancel_requested: bool,
    pub rostered_hours: f64,
    pub coverage_percent: f64,
    pub warnings: Vec<String>,
    pub error: Option<String>,
    /// The engine's report: objective parts, lower bound and gap, search
    /// statistics, and the short intervals with their binding rule.
    pub report: Option<EngineReport>,
}

/// A job as submitted: what to schedule, not yet how it went.
#[derive(Debug, Clone, PartialEq)]
pub struct NewScheduleRun {
    pub queue_id: QueueId,
    pub forecast_id: ForecastId,
    pub week_start: DateTime<Utc>,
    pub days: i32,
    pub params: JobParams,
}

/// How a finished run went.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleOutcome {
    pub status: JobStatus,
    pub rostered_hours: f64,
    pub coverage_percent: f64,
    pub best_objective: Option<f64>,
    pub warnings: Vec<String>,
    pub report: Option<EngineReport>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StoredBreak {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub paid: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredShift {
    pub agent_id: AgentId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub breaks: Vec<StoredBreak>,
}

/// A shift as read back, with who works it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RosterShift {
    pub agent_id: AgentId,
    pub agent_name: String,
    pub external_id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub breaks: Vec<StoredBreak>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = schedule_runs)]
struct RunRow {
    id: i32,
    queue_id: i32,
    forecast_id: i32,
    status: String,
    week_start: NaiveDateTime,
    days: i32,
    params: String,
    created_at: NaiveDateTime,
    rostered_hours: f64,
    coverage_percent: f64,
    warnings: String,
    progress_percent: f64,
    best_objective: Option<f64>,
    error: Option<String>,
    started_at: Option<NaiveDateTime>,
    finished_at: Option<NaiveDateTime>,
    cancel_requested: bool,
    report: Option<String>,
}

fn into_run(row: RunRow) -> Result<ScheduleRun, DbError> {
    let id = row.id;
    let corrupt = |e: serde_json::Error| DbError::Corrupt(format!("schedule {id}: {e}"));
    Ok(ScheduleRun {
        id: ScheduleId(row.id),
        queue_id: QueueId(row.queue_id),
        forecast_id: ForecastId(row.forecast_id),
        status: JobStatus::parse(&row.status)?,
        progress_percent: row.progress_percent,
        best_objective: row.best_objective,
        week_start: to_utc(row.week_start),
        days: row.days,
        params: serde_json::from_str(&row.params).map_err(corrupt)?,
        created_at: to_utc(row.created_at),
        started_at: row.started_at.map(to_utc),
        finished_at: row.finished_at.map(to_utc),
        cancel_requested: row.cancel_requested,
        rostered_hours: row.rostered_hours,
        coverage_percent: row.coverage_percent,
        warnings: serde_json::from_str(&row.warnings).map_err(corrupt)?,
        error: row.error,
        report: row
            .report
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(corrupt)?,
    })
}

#[derive(Insertable)]
#[diesel(table_name = roster_shifts)]
struct ShiftInsert {
    schedule_id: i32,
    shift_no: i32,
    agent_id: i32,
    shift_start: NaiveDateTime,
    shift_end: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = roster_breaks)]
struct BreakInsert {
    schedule_id: i32,
    shift_no: i32,
    break_start: NaiveDateTime,
    break_end: NaiveDateTime,
    paid: bool,
}

impl Database {
    /// Stores a new job, queued, with no roster yet.
    pub fn queue_schedule(&self, run: &NewScheduleRun) -> Result<ScheduleId, DbError> {
        let params = serde_json::to_string(&run.params)
            .map_err(|e| DbError::Corrupt(format!("schedule params: {e}")))?;
        let id: i32 = with_conn!(self, conn => diesel::insert_into(schedule_runs::table)
            .values((
                schedule_runs::queue_id.eq(run.queue_id.0),
                schedule_runs::forecast_id.eq(run.forecast_id.0),
                schedule_runs::status.eq(JobStatus::Queued.as_str()),
                schedule_runs::week_start.eq(to_naive(run.week_start)),
                schedule_runs::days.eq(run.days),
                schedule_runs::params.eq(&params),
                schedule_runs::created_at.eq(to_naive(Utc::now())),
                schedule_runs::rostered_hours.eq(0.0),
                schedule_runs::coverage_percent.eq(0.0),
                schedule_runs::warnings.eq("[]"),
            ))
            .returning(schedule_runs::id)
            .get_result(conn)?);
        Ok(ScheduleId(id))
    }

    /// Takes a queued job for this worker; false when another took it first
    /// or it was cancelled meanwhile.
    pub fn claim_schedule(&self, id: ScheduleId) -> Result<bool, DbError> {
        let now = to_naive(Utc::now());
        let n = with_conn!(self, conn => diesel::update(
            schedule_runs::table
                .filter(schedule_runs::id.eq(id.0))
                .filter(schedule_runs::status.eq(JobStatus::Queued.as_str())),
        )
        .set((
            schedule_runs::status.eq(JobStatus::Running.as_str()),
            schedule_runs::started_at.eq(now),
            schedule_runs::heartbeat_at.eq(now),
        ))
        .execute(conn)?);
        Ok(n == 1)
    }

    /// Records progress and answers whether a cancel was asked for.
    pub fn report_schedule_progress(
        &self,
        id: ScheduleId,
        percent: f64,
        best_objective: Option<f64>,
    ) -> Result<bool, DbError> {
        let cancel = with_conn!(self, conn => {
            diesel::update(schedule_runs::table.find(id.0))
                .set((
                    schedule_runs::progress_percent.eq(percent),
                    schedule_runs::best_objective.eq(best_objective),
                    schedule_runs::heartbeat_at.eq(to_naive(Utc::now())),
                ))
                .execute(conn)?;
            schedule_runs::table
                .find(id.0)
                .select(schedule_runs::cancel_requested)
                .first::<bool>(conn)?
        });
        Ok(cancel)
    }

    /// Stores the roster and the outcome in one transaction (replacing any
    /// roster a crashed earlier attempt left).
    pub fn finish_schedule(
        &self,
        id: ScheduleId,
        outcome: &ScheduleOutcome,
        shifts: &[StoredShift],
    ) -> Result<(), DbError> {
        let warnings = serde_json::to_string(&outcome.warnings)
            .map_err(|e| DbError::Corrupt(e.to_string()))?;
        let report = outcome
            .report
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| DbError::Corrupt(format!("schedule {id} report: {e}")))?;
        let shift_rows: Vec<ShiftInsert> = shifts
            .iter()
            .enumerate()
            .map(|(no, s)| ShiftInsert {
                schedule_id: id.0,
                shift_no: no as i32,
                agent_id: s.agent_id.0,
                shift_start: to_naive(s.start),
                shift_end: to_naive(s.end),
            })
            .collect();
        let break_rows: Vec<BreakInsert> = shifts
            .iter()
            .enumerate()
            .flat_map(|(no, s)| {
                s.breaks.iter().map(move |b| BreakInsert {
                    schedule_id: id.0,
                    shift_no: no as i32,
                    break_start: to_naive(b.start),
                    break_end: to_naive(b.end),
                    paid: b.paid,
                })
            })
            .collect();
        with_conn!(self, conn => conn.write_transaction::<(), DbError, _>(|conn| {
            diesel::delete(roster_breaks::table.filter(roster_breaks::schedule_id.eq(id.0))).execute(conn)?;
            diesel::delete(roster_shifts::table.filter(roster_shifts::schedule_id.eq(id.0))).execute(conn)?;
            for chunk in shift_rows.chunks(BATCH_ROWS) {
                diesel::insert_into(roster_shifts::table).values(chunk).execute(conn)?;
            }
            for chunk in break_rows.chunks(BATCH_ROWS) {
                diesel::insert_into(roster_breaks::table).values(chunk).execute(conn)?;
            }
            diesel::update(schedule_runs::table.find(id.0))
                .set((
                    schedule_runs::status.eq(outcome.status.as_str()),
                    schedule_runs::progress_percent.eq(100.0),
                    schedule_runs::best_objective.eq(outcome.best_objective),
                    schedule_runs::rostered_hours.eq(outcome.rostered_hours),
                    schedule_runs::coverage_percent.eq(outcome.coverage_percent),
                    schedule_runs::warnings.eq(&warnings),
                    schedule_runs::report.eq(&report),
                    schedule_runs::finished_at.eq(to_naive(Utc::now())),
                ))
                .execute(conn)?;
            Ok(())
        })?);
        Ok(())
    }

    pub fn fail_schedule(&self, id: ScheduleId, error: &str) -> Result<(), DbError> {
        with_conn!(self, conn => diesel::update(schedule_runs::table.find(id.0))
            .set((
                schedule_runs::status.eq(JobStatus::Failed.as_str()),
                schedule_runs::error.eq(error),
                schedule_runs::finished_at.eq(to_naive(Utc::now())),
            ))
            .execute(conn)?);
        Ok(())
    }

    /// A queued job is cancelled at once; a running one is asked to stop
    /// (it keeps its best roster). Finished jobs are left as they are.
    pub fn request_schedule_cancel(&self, id: ScheduleId) -> Result<(), DbError> {
        with_conn!(self, conn => {
            diesel::update(
                schedule_runs::table
                    .filter(schedule_runs::id.eq(id.0))
                    .filter(schedule_runs::status.eq(JobStatus::Queued.as_str())),
            )
            .set((
                schedule_runs::status.eq(JobStatus::Cancelled.as_str()),
                schedule_runs::cancel_requested.eq(true),
                schedule_runs::finished_at.eq(to_naive(Utc::now())),
            ))
            .execute(conn)?;
            diesel::update(
                schedule_runs::table
                    .filter(schedule_runs::id.eq(id.0))
                    .filter(schedule_runs::status.eq(JobStatus::Running.as_str())),
            )
            .set(schedule_runs::cancel_requested.eq(true))
            .execute(conn)?;
        });
        Ok(())
    }

    /// Jobs to (re)start: queued ones, and running ones whose worker has
    /// not reported since `stale_before` (it died), put back in the queue.
    pub fn pending_schedules(
        &self,
        stale_before: DateTime<Utc>,
    ) -> Result<Vec<ScheduleId>, DbError> {
        let ids: Vec<i32> = with_conn!(self, conn => {
            diesel::update(
                schedule_runs::table
                    .filter(schedule_runs::status.eq(JobStatus::Running.as_str()))
                    .filter(schedule_runs::heartbeat_at.lt(to_naive(stale_before))),
            )
            .set(schedule_runs::status.eq(JobStatus::Queued.as_str()))
            .execute(conn)?;
            schedule_runs::table
                .filter(schedule_runs::status.eq(JobStatus::Queued.as_str()))
                .order(schedule_runs::id)
                .select(schedule_runs::id)
                .load(conn)?
        });
        Ok(ids.into_iter().map(ScheduleId).collect())
    }

    pub fn schedule_run(&self, id: ScheduleId) -> Result<Option<ScheduleRun>, DbError> {
        let row: Option<RunRow> = with_conn!(self, conn => schedule_runs::table
            .find(id.0)
            .select(RunRow::as_select())
            .first(conn)
            .optional()?);
        row.map(into_run).transpose()
    }

    /// Every shift of a schedule, by start then agent.
    pub fn roster(&self, id: ScheduleId) -> Result<Vec<RosterShift>, DbError> {
        type ShiftRow = (i32, i32, String, String, NaiveDateTime, NaiveDateTime);
        type BreakRow = (i32, NaiveDateTime, NaiveDateTime, bool);
        let (shifts, breaks): (Vec<ShiftRow>, Vec<BreakRow>) = with_conn!(self, conn => {
            let shifts = roster_shifts::table
                .inner_join(agents::table)
                .filter(roster_shifts::schedule_id.eq(id.0))
                .order((roster_shifts::shift_start, agents::name, roster_shifts::shift_no))
                .select((
                    roster_shifts::shift_no,
                    agents::id,
                    agents::name,
                    agents::external_id,
                    roster_shifts::shift_start,
                    roster_shifts::shift_end,
                ))
                .load(conn)?;
            let breaks = roster_breaks::table
                .filter(roster_breaks::schedule_id.eq(id.0))
                .order((roster_breaks::shift_no, roster_breaks::break_start))
                .select((
                    roster_breaks::shift_no,
                    roster_breaks::break_start,
                    roster_breaks::break_end,
                    roster_breaks::paid,
                ))
                .load(conn)?;
            (shifts, breaks)
        });
        let mut by_shift: HashMap<i32, Vec<StoredBreak>> = HashMap::new();
        for (no, start, end, paid) in breaks {
            by_shift.entry(no).or_default().push(StoredBreak {
                start: to_utc(start),
                end: to_utc(end),
                paid,
            });
        }
        Ok(shifts
            .into_iter()
            .map(
                |(no, agent_id, agent_name, external_id, start, end)| RosterShift {
                    agent_id: AgentId(agent_id),
                    agent_name,
                    external_id,
                    start: to_utc(start),
                    end: to_utc(end),
                    breaks: by_shift.remove(&no).unwrap_or_default(),
                },
            )
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use crate::schedule::job::{JobParams, Solver, DEFAULT_TIME_LIMIT_SECONDS};

    #[test]
    fn job_params_stored_by_the_first_release_read_with_defaults() {
        let old = r#"{"forecast_id":3,"first_day":"2026-03-02","days":7,"solver":"greedy",
            "rule":{"length_minutes":510,"earliest_start":"07:00:00","latest_start":"15:30:00",
                    "lunch_minutes":30,"min_rest_hours":11,"max_days_per_week":5}}"#;
        let params: JobParams = serde_json::from_str(old).unwrap();
        assert_eq!(params.solver, Solver::Greedy);
        assert_eq!(params.time_limit_seconds, DEFAULT_TIME_LIMIT_SECONDS);
        assert_eq!(
            (
                params.templates.is_none(),
                params.weights.is_none(),
                params.seed
            ),
            (true, true, 0)
        );
        let again = serde_json::to_string(&params).unwrap();
        let back: JobParams = serde_json::from_str(&again).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), again);
    }
}
