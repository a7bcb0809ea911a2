//! Schedule runs and their roster (shifts with breaks).

use super::schema::{agents, roster_breaks, roster_shifts, schedule_runs};
use super::{to_naive, to_utc, with_conn, Database, DbError, BATCH_ROWS};
use crate::domain::{AgentId, ForecastId, QueueId, ScheduleId};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduleRun {
    pub id: ScheduleId,
    pub queue_id: QueueId,
    pub forecast_id: ForecastId,
    pub status: String,
    pub week_start: DateTime<Utc>,
    pub days: i32,
    pub params: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub rostered_hours: f64,
    pub coverage_percent: f64,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewScheduleRun {
    pub queue_id: QueueId,
    pub forecast_id: ForecastId,
    pub status: String,
    pub week_start: DateTime<Utc>,
    pub days: i32,
    pub params: serde_json::Value,
    pub rostered_hours: f64,
    pub coverage_percent: f64,
    pub warnings: Vec<String>,
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

type RunRow = (
    i32,
    i32,
    i32,
    String,
    NaiveDateTime,
    i32,
    String,
    NaiveDateTime,
    f64,
    f64,
    String,
);

fn into_run(row: RunRow) -> Result<ScheduleRun, DbError> {
    let (
        id,
        queue_id,
        forecast_id,
        status,
        week_start,
        days,
        params,
        created_at,
        rostered_hours,
        coverage_percent,
        warnings,
    ) = row;
    let corrupt = |e: serde_json::Error| DbError::Corrupt(format!("schedule {id}: {e}"));
    Ok(ScheduleRun {
        id: ScheduleId(id),
        queue_id: QueueId(queue_id),
        forecast_id: ForecastId(forecast_id),
        status,
        week_start: to_utc(week_start),
        days,
        params: serde_json::from_str(&params).map_err(corrupt)?,
        created_at: to_utc(created_at),
        rostered_hours,
        coverage_percent,
        warnings: serde_json::from_str(&warnings).map_err(corrupt)?,
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
    /// Stores a run and its whole roster in one transaction.
    pub fn insert_schedule(
        &self,
        run: &NewScheduleRun,
        shifts: &[StoredShift],
    ) -> Result<ScheduleId, DbError> {
        let warnings =
            serde_json::to_string(&run.warnings).map_err(|e| DbError::Corrupt(e.to_string()))?;
        let id = with_conn!(self, conn => conn.transaction::<i32, DbError, _>(|conn| {
            let id: i32 = diesel::insert_into(schedule_runs::table)
                .values((
                    schedule_runs::queue_id.eq(run.queue_id.0),
                    schedule_runs::forecast_id.eq(run.forecast_id.0),
                    schedule_runs::status.eq(&run.status),
                    schedule_runs::week_start.eq(to_naive(run.week_start)),
                    schedule_runs::days.eq(run.days),
                    schedule_runs::params.eq(run.params.to_string()),
                    schedule_runs::created_at.eq(to_naive(Utc::now())),
                    schedule_runs::rostered_hours.eq(run.rostered_hours),
                    schedule_runs::coverage_percent.eq(run.coverage_percent),
                    schedule_runs::warnings.eq(&warnings),
                ))
                .returning(schedule_runs::id)
                .get_result(conn)?;
            let shift_rows: Vec<ShiftInsert> = shifts
                .iter()
                .enumerate()
                .map(|(no, s)| ShiftInsert {
                    schedule_id: id,
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
                        schedule_id: id,
                        shift_no: no as i32,
                        break_start: to_naive(b.start),
                        break_end: to_naive(b.end),
                        paid: b.paid,
                    })
                })
                .collect();
            for chunk in shift_rows.chunks(BATCH_ROWS) {
                diesel::insert_into(roster_shifts::table).values(chunk).execute(conn)?;
            }
            for chunk in break_rows.chunks(BATCH_ROWS) {
                diesel::insert_into(roster_breaks::table).values(chunk).execute(conn)?;
            }
            Ok(id)
        })?);
        Ok(ScheduleId(id))
    }

    pub fn schedule_run(&self, id: ScheduleId) -> Result<Option<ScheduleRun>, DbError> {
        let row: Option<RunRow> = with_conn!(self, conn => schedule_runs::table
            .find(id.0)
            .select((
                schedule_runs::id,
                schedule_runs::queue_id,
                schedule_runs::forecast_id,
                schedule_runs::status,
                schedule_runs::week_start,
                schedule_runs::days,
                schedule_runs::params,
                schedule_runs::created_at,
                schedule_runs::rostered_hours,
                schedule_runs::coverage_percent,
                schedule_runs::warnings,
            ))
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
