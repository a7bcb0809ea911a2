//! /api/v1/schedules: build a roster and read it as JSON or CSV.

use super::body::{Json, OptionalJson};
use super::cache::{BodyCache, Encoded, Version};
use super::error::ApiError;
use super::{blocking, until_disconnect};
use crate::app::error::Refusal;
use crate::app::jobs::JobRunner;
use crate::app::schedule::{
    cancel_schedule, default_rule, engine_report, filtered_roster, paid_hours, roster_version,
    schedule_summary, submit_schedule, RosterFilter, RosterRead, ScheduleRequest, Solver,
    DEFAULT_TIME_LIMIT_SECONDS,
};
use crate::app::simulation::{simulate_schedule, SimulationOptions};
use crate::db::schedules::{RosterShift, ScheduleRun, StoredBreak};
use crate::db::Database;
use crate::domain::{AgentId, ForecastId, ScheduleId};
use crate::schedule::engine::{ShiftTemplate, Shortfall, Weights};
use crate::schedule::greedy::ShiftRule;
use crate::simulate::IntervalService;
use crate::staffing::QueueModel;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftBody {
    length_minutes: Option<u32>,
    earliest_start: Option<NaiveTime>,
    latest_start: Option<NaiveTime>,
    lunch_minutes: Option<u32>,
    min_rest_hours: Option<u32>,
    max_days_per_week: Option<u32>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleBody {
    forecast_id: i32,
    /// First local day of the roster (YYYY-MM-DD); default the forecast's first day.
    week_start: Option<NaiveDate>,
    #[serde(default = "default_days")]
    days: u32,
    /// The single shift rule (greedy, or the engine's only template).
    shift: Option<ShiftBody>,
    /// Shift templates for the engine (start window, length range, breaks).
    templates: Option<Vec<ShiftTemplate>>,
    weights: Option<Weights>,
    time_limit_seconds: Option<f64>,
    seed: Option<u64>,
    /// Deterministic mode: stop the engine's search after this many moves
    /// (time_limit_seconds still caps it); same seed and input, same roster.
    iteration_budget: Option<u64>,
    #[serde(default)]
    solver: Solver,
}

fn default_days() -> u32 {
    7
}

impl ShiftBody {
    fn into_rule(self) -> ShiftRule {
        let d = default_rule();
        ShiftRule {
            length_minutes: self.length_minutes.unwrap_or(d.length_minutes),
            earliest_start: self.earliest_start.unwrap_or(d.earliest_start),
            latest_start: self.latest_start.unwrap_or(d.latest_start),
            lunch_minutes: self.lunch_minutes.unwrap_or(d.lunch_minutes),
            min_rest_hours: self.min_rest_hours.unwrap_or(d.min_rest_hours),
            max_days_per_week: self.max_days_per_week.unwrap_or(d.max_days_per_week),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/schedules", tag = "schedules", request_body = ScheduleBody, responses((status = 202, description = "The job, queued", body = ScheduleRun, headers(("Location" = String, description = "The job's URL")))))]
pub async fn create(
    db: web::Data<Database>,
    jobs: web::Data<JobRunner>,
    body: Json<ScheduleBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    if body.shift.is_some() && body.templates.is_some() {
        return Err(Refusal::ShiftAndTemplates.into());
    }
    let request = ScheduleRequest {
        rule: body
            .shift
            .map(ShiftBody::into_rule)
            .unwrap_or_else(default_rule),
        templates: body.templates,
        weights: body.weights,
        time_limit_seconds: body
            .time_limit_seconds
            .unwrap_or(DEFAULT_TIME_LIMIT_SECONDS),
        seed: body.seed.unwrap_or(1),
        iteration_budget: body.iteration_budget,
        solver: body.solver,
        ..ScheduleRequest::new(ForecastId(body.forecast_id), body.week_start, body.days)
    };
    let db = db.into_inner();
    let run = blocking(move || submit_schedule(&db, &request)).await?;
    jobs.submit(run.id);
    tracing::info!(schedule = run.id.0, "schedule job queued");
    Ok(HttpResponse::Accepted()
        .insert_header(("Location", format!("/api/v1/schedules/{}", run.id)))
        .json(run))
}

/// Cancels a queued or running job; a running one keeps its best roster so far.
#[utoipa::path(delete, path = "/api/v1/schedules/{id}", tag = "schedules", params(("id" = i32, Path, description = "Schedule id")), responses((status = 202, description = "Cancelling (a running job keeps its best roster so far)", body = ScheduleRun)))]
pub async fn cancel(db: web::Data<Database>, id: web::Path<i32>) -> Result<HttpResponse, ApiError> {
    let id = ScheduleId(id.into_inner());
    let db = db.into_inner();
    let run = blocking(move || cancel_schedule(&db, id)).await?;
    Ok(HttpResponse::Accepted().json(run))
}

#[utoipa::path(get, path = "/api/v1/schedules/{id}", tag = "schedules", params(("id" = i32, Path, description = "Schedule id")), responses((status = 200, description = "The job: status, progress, report", body = ScheduleRun)))]
pub async fn get(db: web::Data<Database>, id: web::Path<i32>) -> Result<HttpResponse, ApiError> {
    let id = ScheduleId(id.into_inner());
    let db = db.into_inner();
    let run = blocking(move || schedule_summary(&db, id)).await?;
    Ok(HttpResponse::Ok().json(run))
}

/// Intervals the roster leaves short, each with the rule that binds.
#[utoipa::path(get, path = "/api/v1/schedules/{id}/shortfall", tag = "schedules", params(("id" = i32, Path, description = "Schedule id")), responses((status = 200, description = "Short intervals and the rule that binds", body = ShortfallView)))]
pub async fn shortfall(
    db: web::Data<Database>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = ScheduleId(id.into_inner());
    let db = db.into_inner();
    let report = blocking(move || engine_report(&db, id)).await?;
    Ok(HttpResponse::Ok().json(ShortfallView {
        schedule_id: id,
        short_intervals: report.short_intervals,
        binding_rules: report.binding_rules,
        shortfall: report.shortfall.unwrap_or_default(),
    }))
}

/// The short intervals of a run's report.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ShortfallView {
    schedule_id: ScheduleId,
    short_intervals: usize,
    binding_rules: BTreeMap<String, u32>,
    shortfall: Vec<Shortfall>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RosterQuery {
    #[serde(default)]
    format: Option<String>,
    /// Only this agent's shifts.
    agent_id: Option<i32>,
    /// Only shifts starting on this local date.
    date: Option<NaiveDate>,
}

#[utoipa::path(get, path = "/api/v1/schedules/{id}/roster", tag = "schedules", params(("id" = i32, Path, description = "Schedule id"), RosterQuery), responses((status = 200, description = "The roster: JSON, CSV (`format=csv`) or iCalendar (`format=ics`)", content((RosterView = "application/json"), (String = "text/csv"), (String = "text/calendar")), headers(("ETag" = String, description = "Strong tag of these bytes"))), (status = 304, description = "Not modified: `If-None-Match` names the current ETag")))]
pub async fn roster(
    req: HttpRequest,
    db: web::Data<Database>,
    cache: web::Data<BodyCache>,
    id: web::Path<i32>,
    query: web::Query<RosterQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = ScheduleId(id.into_inner());
    let query = query.into_inner();
    let format = query.format.unwrap_or_else(|| "json".into());
    if !["json", "csv", "ics"].contains(&format.as_str()) {
        return Err(ApiError::BadFormat(format));
    }
    let filter = RosterFilter {
        agent: query.agent_id.map(AgentId),
        date: query.date,
    };
    let db = db.into_inner();
    // A finished roster is served from its encoded body while its version holds.
    let resource = format!("roster:{id}");
    let version = {
        let db = db.clone();
        cache
            .version_of(&resource, move || {
                Ok(roster_version(&db, id)?.map(|v| Version {
                    tag: format!("{v:x}"),
                    modified: None,
                }))
            })
            .await?
    };
    let key = version.map(|v| {
        format!(
            "{resource}:{}:{format}:{:?}:{:?}",
            v.tag,
            filter.agent.map(|a| a.0),
            filter.date
        )
    });
    if let Some(hit) = key.as_deref().and_then(|k| cache.get(k)) {
        return Ok(hit.respond(&req));
    }
    let read = blocking(move || filtered_roster(&db, id, filter)).await?;
    let encoded = encode_roster(read, &format)?;
    if let Some(key) = key {
        cache.put(key, &encoded);
    }
    Ok(encoded.respond(&req))
}

/// A roster in one of its formats: `json`, `csv` or `ics`.
fn encode_roster(read: RosterRead, format: &str) -> Result<Encoded, ApiError> {
    let (run, tz, shifts) = (read.run, read.time_zone, read.shifts);
    Ok(match format {
        "csv" => Encoded::new("text/csv; charset=utf-8", roster_csv(&shifts, tz)),
        "ics" => {
            let stamped = run.finished_at.unwrap_or(run.created_at);
            Encoded::new(
                "text/calendar; charset=utf-8",
                super::ical::roster_ics(run.id, &shifts, tz, stamped),
            )
        }
        _ => Encoded::new(
            "application/json",
            serde_json::to_vec(&RosterView {
                shifts: shifts.iter().map(|s| ShiftView::new(s, tz)).collect(),
                time_zone: tz.name(),
                schedule: run,
            })
            .map_err(|e| ApiError::WorkerFailed(e.to_string()))?,
        ),
    })
}

/// A roster as JSON: the run, the queue's zone, the shifts.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RosterView {
    schedule: ScheduleRun,
    time_zone: &'static str,
    shifts: Vec<ShiftView>,
}

/// One shift with its local date and paid hours.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ShiftView {
    agent_id: AgentId,
    agent_name: String,
    external_id: String,
    date: NaiveDate,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    paid_hours: f64,
    breaks: Vec<StoredBreak>,
}

impl ShiftView {
    pub(super) fn new(s: &RosterShift, tz: Tz) -> Self {
        ShiftView {
            agent_id: s.agent_id,
            agent_name: s.agent_name.clone(),
            external_id: s.external_id.clone(),
            date: s.start.with_timezone(&tz).date_naive(),
            start: s.start,
            end: s.end,
            paid_hours: paid_hours(s),
            breaks: s.breaks.clone(),
        }
    }
}

/// One row per shift: times in UTC (RFC 3339) and the local date; breaks as
/// `start/end/paid|unpaid` joined by `;`.
pub(super) fn roster_csv(shifts: &[RosterShift], tz: Tz) -> String {
    let mut out =
        String::from("external_id,agent_name,date,shift_start,shift_end,paid_hours,breaks\n");
    for s in shifts {
        let breaks: Vec<String> = s
            .breaks
            .iter()
            .map(|b| {
                format!(
                    "{}/{}/{}",
                    b.start.to_rfc3339(),
                    b.end.to_rfc3339(),
                    if b.paid { "paid" } else { "unpaid" }
                )
            })
            .collect();
        out.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            csv_field(&s.external_id),
            csv_field(&s.agent_name),
            s.start.with_timezone(&tz).date_naive(),
            s.start.to_rfc3339(),
            s.end.to_rfc3339(),
            paid_hours(s),
            breaks.join(";")
        ));
    }
    out
}

/// Quotes a CSV field when it holds a comma, quote or newline. A field that
/// a spreadsheet would read as a formula (`= + - @`, tab, CR first) gets a
/// leading `'`, so `=HYPERLINK(…)` in a name opens as text, not as a link.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// What service level the roster gives, interval by interval (Erlang C check).
#[utoipa::path(get, path = "/api/v1/schedules/{id}/check", tag = "schedules", params(("id" = i32, Path, description = "Schedule id")), responses((status = 200, description = "Service level per interval", body = ServiceCheckView)))]
pub async fn check(db: web::Data<Database>, id: web::Path<i32>) -> Result<HttpResponse, ApiError> {
    let id = ScheduleId(id.into_inner());
    let db = db.into_inner();
    let (run, service, model) =
        blocking(move || crate::app::schedule::service_check(&db, id)).await?;
    Ok(HttpResponse::Ok().json(ServiceCheckView {
        schedule_id: run.id,
        model,
        service_level: service.service_level,
        intervals_below_goal: service.intervals_below_goal,
        expected_service_level: service.expected_service_level,
        expected_share_meeting_goal: service.expected_share_meeting_goal,
        intervals: service.intervals,
    }))
}

/// The service a roster gives, interval by interval.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ServiceCheckView {
    schedule_id: ScheduleId,
    model: QueueModel,
    service_level: f64,
    intervals_below_goal: usize,
    /// Under forecast uncertainty (the forecast's band as rate uncertainty,
    /// Poisson counts): the service level the open intervals' calls can
    /// expect, and the share of open intervals expected to meet the goal.
    #[serde(skip_serializing_if = "Option::is_none")]
    expected_service_level: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected_share_meeting_goal: Option<f64>,
    intervals: Vec<IntervalService>,
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulateBody {
    seed: Option<u64>,
    replications: Option<u32>,
    service_cv: Option<f64>,
    patience_seconds: Option<f64>,
}

/// Discrete-event simulation of the stored roster against its forecast.
#[utoipa::path(post, path = "/api/v1/schedules/{id}/simulate", tag = "schedules", params(("id" = i32, Path, description = "Schedule id")), request_body(content = Option<SimulateBody>, description = "Optional: seed, replications, service CV, patience"), responses((status = 200, description = "Simulated service per interval", body = crate::app::simulation::SimulationReport)))]
pub async fn simulate(
    db: web::Data<Database>,
    id: web::Path<i32>,
    body: OptionalJson<SimulateBody>,
) -> Result<HttpResponse, ApiError> {
    let id = ScheduleId(id.into_inner());
    let body = body.0.unwrap_or_default();
    let defaults = SimulationOptions::default();
    let options = SimulationOptions {
        seed: body.seed.unwrap_or(defaults.seed),
        replications: body.replications.unwrap_or(defaults.replications),
        service_cv: body.service_cv.unwrap_or(defaults.service_cv),
        patience_seconds: body.patience_seconds,
        ..defaults
    };
    let db = db.into_inner();
    let report = until_disconnect(move |stop| simulate_schedule(&db, id, &options, stop)).await?;
    Ok(HttpResponse::Ok().json(report))
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_cells_never_start_a_formula() {
        assert_eq!(
            csv_field("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
        );
        for risky in ["+1", "-1+2", "@SUM(A1)", "\tx"] {
            assert!(csv_field(risky).starts_with('\''), "{risky}");
        }
        assert_eq!(csv_field("Ana, Lopez"), "\"Ana, Lopez\"");
        assert_eq!(csv_field("A-17"), "A-17");
    }
}
