//! Schedule runs and their roster (shifts with breaks).

use super::schema::{agents, roster_breaks, roster_publications, roster_shifts, schedule_runs};
use super::{
    to_naive, to_utc, with_conn, Database, DbClock, DbError, DbPool, WriteTransaction, BATCH_ROWS,
};
use crate::domain::{AgentId, ForecastId, QueueId, ScheduleId};
use crate::schedule::engine::EngineReport;
use crate::schedule::job::JobParams;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::dsl;
use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Nullable, Text, Timestamp};
use diesel::{PgConnection, SqliteConnection};
use serde::Serialize;
use std::collections::HashMap;
use std::time::Duration;

/// Where a schedule job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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

    pub fn parse(s: &str) -> Result<Self, DbError> {
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

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
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
    /// How many times a worker has claimed the job (more than 1 when a
    /// worker died or stalled and another took it over).
    pub attempts: i32,
    pub rostered_hours: f64,
    pub coverage_percent: f64,
    pub warnings: Vec<String>,
    pub error: Option<String>,
    /// The engine's report: objective parts, lower bound and gap, search
    /// statistics, and the short intervals with their binding rule.
    pub report: Option<EngineReport>,
    /// Draft, published or superseded, with the history (filled where a
    /// schedule is shown on its own; absent from job answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publication: Option<super::publications::PublicationSummary>,
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

impl ScheduleOutcome {
    /// A job cancelled before any roster was built.
    pub fn cancelled_before_start() -> Self {
        Self {
            status: JobStatus::Cancelled,
            rostered_hours: 0.0,
            coverage_percent: 0.0,
            best_objective: None,
            warnings: Vec::new(),
            report: None,
        }
    }
}

/// A worker's hold on a running job: the instance that claimed it and
/// which claim this is. Every write of the job is fenced by both, so a
/// worker whose lease ran out and was taken over (even by another worker of
/// the same instance) cannot write over the new attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub id: ScheduleId,
    /// The claiming instance's random id.
    pub owner: String,
    /// The job's claim count at this claim.
    pub attempt: i32,
}

/// A claimed job: its lease, and whether a cancel was already asked for
/// (a job taken over from a dead worker after a DELETE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub lease: Lease,
    pub cancel_requested: bool,
}

/// What a fenced write learns about a lease still held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaseState {
    pub cancel_requested: bool,
}

/// A job's lease as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseInfo {
    pub owner: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub attempts: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
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
    attempts: i32,
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
        attempts: row.attempts,
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
        publication: None,
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

/// `now + offset` on the database's clock, as a timestamp the lease column
/// compares with: every instance measures leases on one clock.
fn db_clock<C: DbClock>(_conn: &C, offset: Duration) -> DbNow {
    dsl::sql(&C::clock_sql(offset))
}

/// `now` on the database's clock, as SQL.
type DbNow = SqlLiteral<Nullable<Timestamp>>;

/// A running job's lease has run out (or it has none: rows from before
/// leases whose backfill found no heartbeat).
type LeaseExpired = dsl::Or<
    dsl::IsNull<schedule_runs::lease_expires_at>,
    dsl::Lt<schedule_runs::lease_expires_at, DbNow>,
>;

fn lease_expired(now: DbNow) -> LeaseExpired {
    schedule_runs::lease_expires_at
        .is_null()
        .or(schedule_runs::lease_expires_at.lt(now))
}

#[derive(QueryableByName)]
struct ClaimedRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Integer)]
    attempts: i32,
    #[diesel(sql_type = Bool)]
    cancel_requested: bool,
}

/// The claim of the oldest claimable job (queued and not cancelled, or
/// running with a lease run out) as one UPDATE; `owner` and `now` are the
/// placeholders of the owner and of the claim's timestamp, `lock` what
/// keeps two PostgreSQL instances off one row.
fn claim_sql<C: DbClock>(lease: Duration, owner: &str, now: &str, lock: &str) -> String {
    let (db_now, expires) = (C::clock_sql(Duration::ZERO), C::clock_sql(lease));
    format!(
        "UPDATE schedule_runs SET status = 'running', lease_owner = {owner}, \
         lease_expires_at = {expires}, attempts = attempts + 1, \
         started_at = {now}, heartbeat_at = {now} \
         WHERE id = (SELECT id FROM schedule_runs \
           WHERE (status = 'queued' AND NOT cancel_requested) \
              OR (status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < {db_now})) \
           ORDER BY id LIMIT 1 {lock}) \
         RETURNING id, attempts, cancel_requested"
    )
}

/// The columns a claim sets: running, owned by `owner` until `now + lease`
/// on the database's clock, one more attempt.
#[allow(clippy::type_complexity)]
fn claim_values<C: DbClock>(
    conn: &C,
    owner: &str,
    lease: Duration,
    now: NaiveDateTime,
) -> (
    dsl::Eq<schedule_runs::status, &'static str>,
    dsl::Eq<schedule_runs::lease_owner, String>,
    dsl::Eq<schedule_runs::lease_expires_at, DbNow>,
    dsl::Eq<schedule_runs::attempts, dsl::Add<schedule_runs::attempts, i32>>,
    dsl::Eq<schedule_runs::started_at, NaiveDateTime>,
    dsl::Eq<schedule_runs::heartbeat_at, NaiveDateTime>,
) {
    (
        schedule_runs::status.eq(JobStatus::Running.as_str()),
        schedule_runs::lease_owner.eq(owner.to_string()),
        schedule_runs::lease_expires_at.eq(db_clock(conn, lease)),
        schedule_runs::attempts.eq(schedule_runs::attempts + 1),
        schedule_runs::started_at.eq(now),
        schedule_runs::heartbeat_at.eq(now),
    )
}

/// The job's row, only while `held` is its current lease (same owner, same
/// claim, still running).
#[allow(clippy::type_complexity)]
fn fenced(
    held: &Lease,
) -> dsl::Filter<
    dsl::Filter<
        dsl::Filter<
            dsl::Filter<schedule_runs::table, dsl::Eq<schedule_runs::id, i32>>,
            dsl::Eq<schedule_runs::lease_owner, String>,
        >,
        dsl::Eq<schedule_runs::attempts, i32>,
    >,
    dsl::Eq<schedule_runs::status, &'static str>,
> {
    schedule_runs::table
        .filter(schedule_runs::id.eq(held.id.0))
        .filter(schedule_runs::lease_owner.eq(held.owner.clone()))
        .filter(schedule_runs::attempts.eq(held.attempt))
        .filter(schedule_runs::status.eq(JobStatus::Running.as_str()))
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
                schedule_runs::first_day.eq(run.params.first_day),
                schedule_runs::last_day.eq(run.params.first_day
                    + chrono::Duration::days(i64::from(run.days.max(1)) - 1)),
            ))
            .returning(schedule_runs::id)
            .get_result(conn)?);
        Ok(ScheduleId(id))
    }

    /// Claims the oldest job a worker may run: a queued one, or a running
    /// one whose lease has run out (its worker died or stalled). The claim
    /// holds a lease of `lease` on the database's clock. PostgreSQL skips
    /// rows another instance is claiming (`FOR UPDATE SKIP LOCKED`); SQLite
    /// has one writer, so its single UPDATE is atomic as it is.
    pub fn claim_next_schedule(
        &self,
        owner: &str,
        lease: Duration,
    ) -> Result<Option<Claim>, DbError> {
        let now = to_naive(Utc::now());
        // Diesel cannot filter a table by a subselect of itself, so this one
        // statement is SQL, with the same clock expressions as the rest.
        let claimed: Option<ClaimedRow> = match &self.pool {
            DbPool::Sqlite(pool) => {
                let conn = &mut *pool.get()?;
                diesel::sql_query(claim_sql::<SqliteConnection>(lease, "?", "?", ""))
                    .bind::<Text, _>(owner)
                    .bind::<Timestamp, _>(now)
                    .get_result(conn)
                    .optional()?
            }
            DbPool::Postgres(pool) => {
                let conn = &mut *pool.get()?;
                diesel::sql_query(claim_sql::<PgConnection>(
                    lease,
                    "$1",
                    "$2",
                    "FOR UPDATE SKIP LOCKED",
                ))
                .bind::<Text, _>(owner)
                .bind::<Timestamp, _>(now)
                .get_result(conn)
                .optional()?
            }
        };
        let claimed = claimed.map(|r| (r.id, r.attempts, r.cancel_requested));
        Ok(claimed.map(|(id, attempt, cancel_requested)| Claim {
            lease: Lease {
                id: ScheduleId(id),
                owner: owner.to_string(),
                attempt,
            },
            cancel_requested,
        }))
    }

    /// Claims one queued job (a run started inline, by the CLI or the
    /// demo); `None` when another worker took it first or it was cancelled.
    pub fn claim_schedule(
        &self,
        id: ScheduleId,
        owner: &str,
        lease: Duration,
    ) -> Result<Option<Lease>, DbError> {
        let now = to_naive(Utc::now());
        let attempt: Option<i32> = with_conn!(self, conn => diesel::update(
            schedule_runs::table
                .filter(schedule_runs::id.eq(id.0))
                .filter(schedule_runs::status.eq(JobStatus::Queued.as_str()))
                .filter(schedule_runs::cancel_requested.eq(false)),
        )
        .set(claim_values(conn, owner, lease, now))
        .returning(schedule_runs::attempts)
        .get_result(conn)
        .optional()?);
        Ok(attempt.map(|attempt| Lease {
            id,
            owner: owner.to_string(),
            attempt,
        }))
    }

    /// Extends a lease to `lease` from now (the database's clock). `None`
    /// when the lease is no longer held: the job was taken over, cancelled
    /// outright, or released.
    pub fn renew_schedule_lease(
        &self,
        held: &Lease,
        lease: Duration,
    ) -> Result<Option<LeaseState>, DbError> {
        let now = to_naive(Utc::now());
        let cancel: Option<bool> = with_conn!(self, conn => diesel::update(fenced(held))
            .set((
                schedule_runs::lease_expires_at.eq(db_clock(conn, lease)),
                schedule_runs::heartbeat_at.eq(now),
            ))
            .returning(schedule_runs::cancel_requested)
            .get_result(conn)
            .optional()?);
        Ok(cancel.map(|cancel_requested| LeaseState { cancel_requested }))
    }

    /// Records progress under the lease; `None` when the lease is lost.
    pub fn report_schedule_progress(
        &self,
        held: &Lease,
        percent: f64,
        best_objective: Option<f64>,
    ) -> Result<Option<LeaseState>, DbError> {
        let cancel: Option<bool> = with_conn!(self, conn => diesel::update(fenced(held))
            .set((
                schedule_runs::progress_percent.eq(percent),
                schedule_runs::best_objective.eq(best_objective),
                schedule_runs::heartbeat_at.eq(to_naive(Utc::now())),
            ))
            .returning(schedule_runs::cancel_requested)
            .get_result(conn)
            .optional()?);
        Ok(cancel.map(|cancel_requested| LeaseState { cancel_requested }))
    }

    /// Stores the roster and the outcome in one transaction (replacing any
    /// roster an earlier attempt left), if the lease is still held; else
    /// [`DbError::LeaseLost`] and nothing is written.
    pub fn finish_schedule(
        &self,
        held: &Lease,
        outcome: &ScheduleOutcome,
        shifts: &[StoredShift],
    ) -> Result<(), DbError> {
        let id = held.id;
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
            // The fenced update first: on PostgreSQL it locks the row, so a
            // claim cannot take the job while its roster is being written.
            let n = diesel::update(fenced(held))
                .set((
                    schedule_runs::status.eq(outcome.status.as_str()),
                    schedule_runs::progress_percent.eq(100.0),
                    schedule_runs::best_objective.eq(outcome.best_objective),
                    schedule_runs::rostered_hours.eq(outcome.rostered_hours),
                    schedule_runs::coverage_percent.eq(outcome.coverage_percent),
                    schedule_runs::warnings.eq(&warnings),
                    schedule_runs::report.eq(&report),
                    schedule_runs::finished_at.eq(to_naive(Utc::now())),
                    schedule_runs::lease_expires_at.eq(None::<NaiveDateTime>),
                ))
                .execute(conn)?;
            if n == 0 {
                return Err(DbError::LeaseLost(id.0));
            }
            diesel::delete(roster_breaks::table.filter(roster_breaks::schedule_id.eq(id.0))).execute(conn)?;
            diesel::delete(roster_shifts::table.filter(roster_shifts::schedule_id.eq(id.0))).execute(conn)?;
            for chunk in shift_rows.chunks(BATCH_ROWS) {
                diesel::insert_into(roster_shifts::table).values(chunk).execute(conn)?;
            }
            for chunk in break_rows.chunks(BATCH_ROWS) {
                diesel::insert_into(roster_breaks::table).values(chunk).execute(conn)?;
            }
            Ok(())
        })?);
        Ok(())
    }

    /// Marks the job failed, if the lease is still held ([`DbError::LeaseLost`] otherwise).
    pub fn fail_schedule(&self, held: &Lease, error: &str) -> Result<(), DbError> {
        let n = with_conn!(self, conn => diesel::update(fenced(held))
            .set((
                schedule_runs::status.eq(JobStatus::Failed.as_str()),
                schedule_runs::error.eq(error),
                schedule_runs::finished_at.eq(to_naive(Utc::now())),
                schedule_runs::lease_expires_at.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?);
        if n == 0 {
            return Err(DbError::LeaseLost(held.id.0));
        }
        Ok(())
    }

    /// Gives a job back to the queue (its worker is shutting down), so the
    /// next poll of any instance takes it without waiting for the lease to
    /// run out. [`DbError::LeaseLost`] when the lease was no longer held.
    pub fn release_schedule(&self, held: &Lease) -> Result<(), DbError> {
        let n = with_conn!(self, conn => diesel::update(fenced(held))
            .set((
                schedule_runs::status.eq(JobStatus::Queued.as_str()),
                schedule_runs::lease_owner.eq(None::<String>),
                schedule_runs::lease_expires_at.eq(None::<NaiveDateTime>),
                schedule_runs::progress_percent.eq(0.0),
                schedule_runs::best_objective.eq(None::<f64>),
            ))
            .execute(conn)?);
        if n == 0 {
            return Err(DbError::LeaseLost(held.id.0));
        }
        Ok(())
    }

    /// A queued job is cancelled at once, and so is a running one whose
    /// lease has run out (no live worker holds it; clearing the owner
    /// fences out a stalled one). A running job with a live lease is asked
    /// to stop: its worker sees the request at its next progress report or
    /// lease renewal and keeps its best roster. Finished jobs are left as
    /// they are.
    pub fn request_schedule_cancel(&self, id: ScheduleId) -> Result<(), DbError> {
        let now = to_naive(Utc::now());
        with_conn!(self, conn => conn.write_transaction::<(), DbError, _>(|conn| {
            let expired = schedule_runs::status
                .eq(JobStatus::Running.as_str())
                .and(lease_expired(db_clock(conn, Duration::ZERO)));
            diesel::update(
                schedule_runs::table
                    .filter(schedule_runs::id.eq(id.0))
                    .filter(schedule_runs::status.eq(JobStatus::Queued.as_str()).or(expired)),
            )
            .set((
                schedule_runs::status.eq(JobStatus::Cancelled.as_str()),
                schedule_runs::cancel_requested.eq(true),
                schedule_runs::finished_at.eq(now),
                schedule_runs::lease_owner.eq(None::<String>),
                schedule_runs::lease_expires_at.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
            diesel::update(
                schedule_runs::table
                    .filter(schedule_runs::id.eq(id.0))
                    .filter(schedule_runs::status.eq(JobStatus::Running.as_str())),
            )
            .set(schedule_runs::cancel_requested.eq(true))
            .execute(conn)?;
            Ok(())
        })?);
        Ok(())
    }

    /// Who holds a job's lease and until when (the database's clock), for
    /// operators and tests.
    pub fn schedule_lease(&self, id: ScheduleId) -> Result<Option<LeaseInfo>, DbError> {
        let row: Option<(Option<String>, Option<NaiveDateTime>, i32)> = with_conn!(self, conn => schedule_runs::table
            .find(id.0)
            .select((
                schedule_runs::lease_owner,
                schedule_runs::lease_expires_at,
                schedule_runs::attempts,
            ))
            .first(conn)
            .optional()?);
        Ok(row.map(|(owner, expires_at, attempts)| LeaseInfo {
            owner,
            expires_at: expires_at.map(to_utc),
            attempts,
        }))
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
        Ok(self
            .rosters(&[id], None)?
            .into_iter()
            .map(|(_, shift)| shift)
            .collect())
    }

    /// The shifts of several schedules (of one agent, when given), each
    /// with its schedule, by start then agent.
    pub fn rosters(
        &self,
        ids: &[ScheduleId],
        agent: Option<AgentId>,
    ) -> Result<Vec<(ScheduleId, RosterShift)>, DbError> {
        type ShiftRow = (i32, i32, i32, String, String, NaiveDateTime, NaiveDateTime);
        type BreakRow = (i32, i32, NaiveDateTime, NaiveDateTime, bool);
        let ids: Vec<i32> = ids.iter().map(|s| s.0).collect();
        let (shifts, breaks): (Vec<ShiftRow>, Vec<BreakRow>) = with_conn!(self, conn => {
            let mut shifts = roster_shifts::table
                .inner_join(agents::table)
                .filter(roster_shifts::schedule_id.eq_any(&ids))
                .order((roster_shifts::shift_start, agents::name, roster_shifts::schedule_id, roster_shifts::shift_no))
                .select((
                    roster_shifts::schedule_id,
                    roster_shifts::shift_no,
                    agents::id,
                    agents::name,
                    agents::external_id,
                    roster_shifts::shift_start,
                    roster_shifts::shift_end,
                ))
                .into_boxed();
            if let Some(a) = agent {
                shifts = shifts.filter(roster_shifts::agent_id.eq(a.0));
            }
            let shifts: Vec<ShiftRow> = shifts.load(conn)?;
            // Only the breaks of the shifts read (one agent's, when asked).
            let mut breaks = roster_breaks::table
                .inner_join(
                    roster_shifts::table.on(roster_shifts::schedule_id
                        .eq(roster_breaks::schedule_id)
                        .and(roster_shifts::shift_no.eq(roster_breaks::shift_no))),
                )
                .filter(roster_breaks::schedule_id.eq_any(&ids))
                .order((roster_breaks::schedule_id, roster_breaks::shift_no, roster_breaks::break_start))
                .select((
                    roster_breaks::schedule_id,
                    roster_breaks::shift_no,
                    roster_breaks::break_start,
                    roster_breaks::break_end,
                    roster_breaks::paid,
                ))
                .into_boxed();
            if let Some(a) = agent {
                breaks = breaks.filter(roster_shifts::agent_id.eq(a.0));
            }
            let breaks: Vec<BreakRow> = breaks.load(conn)?;
            (shifts, breaks)
        });
        let mut by_shift: HashMap<(i32, i32), Vec<StoredBreak>> = HashMap::new();
        for (schedule, no, start, end, paid) in breaks {
            by_shift
                .entry((schedule, no))
                .or_default()
                .push(StoredBreak {
                    start: to_utc(start),
                    end: to_utc(end),
                    paid,
                });
        }
        Ok(shifts
            .into_iter()
            .map(
                |(schedule, no, agent_id, agent_name, external_id, start, end)| {
                    (
                        ScheduleId(schedule),
                        RosterShift {
                            agent_id: AgentId(agent_id),
                            agent_name,
                            external_id,
                            start: to_utc(start),
                            end: to_utc(end),
                            breaks: by_shift.remove(&(schedule, no)).unwrap_or_default(),
                        },
                    )
                },
            )
            .collect())
    }

    /// One page of schedules, newest first: those matching `filter` with an
    /// id below `before` (the previous page's last), at most `limit`; and
    /// how many match `filter` in all.
    pub fn list_schedules(
        &self,
        filter: &ScheduleFilter,
        before: Option<i32>,
        limit: i64,
    ) -> Result<(Vec<ScheduleListRow>, i64), DbError> {
        // The same filters for the page and for the count (boxed queries
        // cannot be cloned).
        macro_rules! filtered {
            ($query:expr) => {{
                let mut q = $query;
                if let Some(queue) = filter.queue {
                    q = q.filter(schedule_runs::queue_id.eq(queue.0));
                }
                if let Some(week) = filter.week {
                    q = q
                        .filter(schedule_runs::first_day.le(week + chrono::Duration::days(6)))
                        .filter(schedule_runs::last_day.ge(week));
                }
                let current = roster_publications::table
                    .filter(roster_publications::superseded_at.is_null())
                    .select(roster_publications::schedule_id);
                let ever = roster_publications::table.select(roster_publications::schedule_id);
                match filter.status {
                    None => {}
                    Some(ListStatus::Job(s)) => q = q.filter(schedule_runs::status.eq(s.as_str())),
                    Some(ListStatus::Published) => q = q.filter(schedule_runs::id.eq_any(current)),
                    Some(ListStatus::Superseded) => {
                        q = q
                            .filter(schedule_runs::id.eq_any(ever))
                            .filter(dsl::not(schedule_runs::id.eq_any(current)))
                    }
                    Some(ListStatus::Draft) => {
                        q = q
                            .filter(schedule_runs::status.eq(JobStatus::Done.as_str()))
                            .filter(dsl::not(schedule_runs::id.eq_any(ever)))
                    }
                }
                q
            }};
        }
        type ListRow = (
            i32,
            i32,
            i32,
            String,
            NaiveDate,
            NaiveDate,
            i32,
            NaiveDateTime,
            Option<NaiveDateTime>,
            f64,
            f64,
        );
        let (rows, total): (Vec<ListRow>, i64) = with_conn!(self, conn => {
            let total: i64 = filtered!(schedule_runs::table.into_boxed())
                .count()
                .get_result(conn)?;
            let mut page = filtered!(schedule_runs::table.into_boxed());
            if let Some(before) = before {
                page = page.filter(schedule_runs::id.lt(before));
            }
            let rows = page
                .order(schedule_runs::id.desc())
                .limit(limit)
                .select((
                    schedule_runs::id,
                    schedule_runs::queue_id,
                    schedule_runs::forecast_id,
                    schedule_runs::status,
                    schedule_runs::first_day,
                    schedule_runs::last_day,
                    schedule_runs::days,
                    schedule_runs::created_at,
                    schedule_runs::finished_at,
                    schedule_runs::rostered_hours,
                    schedule_runs::coverage_percent,
                ))
                .load(conn)?;
            (rows, total)
        });
        let rows = rows
            .into_iter()
            .map(|r| {
                Ok(ScheduleListRow {
                    id: ScheduleId(r.0),
                    queue_id: QueueId(r.1),
                    forecast_id: ForecastId(r.2),
                    status: JobStatus::parse(&r.3)?,
                    first_day: r.4,
                    last_day: r.5,
                    days: r.6,
                    created_at: to_utc(r.7),
                    finished_at: r.8.map(to_utc),
                    rostered_hours: r.9,
                    coverage_percent: r.10,
                })
            })
            .collect::<Result<Vec<_>, DbError>>()?;
        Ok((rows, total))
    }
}

/// What a schedule list asks for: a job status, or a publication state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListStatus {
    Job(JobStatus),
    /// The current roster of at least one week.
    Published,
    /// Published once, every week since taken over by another schedule.
    Superseded,
    /// Done and never published.
    Draft,
}

/// Which schedules a list holds; `None` is no filter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScheduleFilter {
    pub queue: Option<QueueId>,
    pub status: Option<ListStatus>,
    /// A Monday: schedules with at least one local day in that week.
    pub week: Option<NaiveDate>,
}

/// A schedule as listed: what it covers and how it went, no report.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ScheduleListRow {
    pub id: ScheduleId,
    pub queue_id: QueueId,
    pub forecast_id: ForecastId,
    pub status: JobStatus,
    /// First and last local day of the roster (the queue's zone).
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub days: i32,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub rostered_hours: f64,
    pub coverage_percent: f64,
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
