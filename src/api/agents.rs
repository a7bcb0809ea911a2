//! /api/v1/queues/{id}/agents: the people rosters are built for.

use super::blocking;
use super::body::{malformed, parse_json, parse_value, read_upload, Json};
use super::error::ApiError;
use crate::app::agents::{
    add_agents, replace_agent, sync_agents, upsert_agent, Place, SyncRow, Upserted,
};
use crate::app::error::Refusal;
use crate::app::history::{agent, agents, HistoryFormat};
use crate::db::agents::{AgentRecord, NewAgent};
use crate::db::Database;
use crate::domain::agent::parse_agents_csv;
use crate::domain::{AgentId, InvalidValue, QueueId};
use crate::schedule::engine::{AgentProfile, Availability, Contract, History, Request, TimeOff};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;

/// An agent: who, weekly hours, and (optional) what the rostering engine
/// needs to know: contract details, skills, templates, availability, hard
/// days off, approved time off, soft requests, and what was worked just
/// before the horizon. `queue_id` moves the agent (PUT) or must be the
/// queue of the path (POST, sync); `active: false` keeps it off rosters.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentBody {
    name: String,
    /// Required except in the upsert, whose path names it.
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default)]
    queue_id: Option<QueueId>,
    #[serde(default = "default_active")]
    active: bool,
    /// Default 0, or the contract's `min_week_minutes` / 60.
    #[serde(default)]
    min_week_hours: Option<f64>,
    /// Default 40, or the contract's `max_week_minutes` / 60.
    #[serde(default)]
    max_week_hours: Option<f64>,
    #[serde(default)]
    contract: Option<ContractBody>,
    #[serde(default)]
    skills: Vec<QueueId>,
    #[serde(default)]
    templates: Vec<String>,
    #[serde(default)]
    availability: Vec<Availability>,
    #[serde(default)]
    days_off: Vec<NaiveDate>,
    #[serde(default)]
    time_off: Vec<TimeOff>,
    #[serde(default)]
    requests: Vec<Request>,
    #[serde(default)]
    history: History,
}

/// The engine's [`Contract`] as sent: every field optional (the default
/// otherwise), so that week minutes given here can be checked against the
/// agent's weekly hours instead of being silently replaced by them.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractBody {
    min_day_minutes: Option<u32>,
    max_day_minutes: Option<u32>,
    /// Must agree with `min_week_hours` × 60 when both are given.
    min_week_minutes: Option<u32>,
    /// Must agree with `max_week_hours` × 60 when both are given.
    max_week_minutes: Option<u32>,
    min_shifts_per_week: Option<u32>,
    max_shifts_per_week: Option<u32>,
    max_consecutive_days: Option<u32>,
    min_consecutive_days_off: Option<u32>,
    max_working_weekends: Option<u32>,
    min_rest_minutes: Option<u32>,
}

impl ContractBody {
    /// The contract with the week minutes left for [`week_hours`] to set.
    fn into_contract(self) -> Contract {
        let d = Contract::default();
        Contract {
            min_day_minutes: self.min_day_minutes.unwrap_or(d.min_day_minutes),
            max_day_minutes: self.max_day_minutes.unwrap_or(d.max_day_minutes),
            min_week_minutes: d.min_week_minutes,
            max_week_minutes: d.max_week_minutes,
            min_shifts_per_week: self.min_shifts_per_week.unwrap_or(d.min_shifts_per_week),
            max_shifts_per_week: self.max_shifts_per_week.unwrap_or(d.max_shifts_per_week),
            max_consecutive_days: self.max_consecutive_days.unwrap_or(d.max_consecutive_days),
            min_consecutive_days_off: self
                .min_consecutive_days_off
                .unwrap_or(d.min_consecutive_days_off),
            max_working_weekends: self.max_working_weekends.or(d.max_working_weekends),
            min_rest_minutes: self.min_rest_minutes.unwrap_or(d.min_rest_minutes),
        }
    }
}

/// Weekly hours from `*_week_hours` or the contract's `*_week_minutes`
/// (either may be given; both must agree), else `default`.
fn week_hours(
    place: &Place,
    hours: Option<f64>,
    minutes: Option<u32>,
    (hours_field, minutes_field): (&str, &str),
    default: f64,
) -> Result<f64, ApiError> {
    match (hours, minutes) {
        (Some(h), Some(m)) if !h.is_finite() || (h * 60.0 - f64::from(m)).abs() >= 0.5 => {
            Err(invalid(
                place,
                InvalidValue::new(
                    format!("contract.{minutes_field}"),
                    format!(
                        "{m} disagrees with {hours_field} {h} ({} minutes): give one of them, or the same in both",
                        h * 60.0
                    ),
                ),
            ))
        }
        (Some(h), _) => Ok(h),
        (None, Some(m)) => Ok(f64::from(m) / 60.0),
        (None, None) => Ok(default),
    }
}

fn invalid(place: &Place, source: InvalidValue) -> ApiError {
    Refusal::InvalidAgent {
        label: place.label.clone(),
        path: place.field(&source.field),
        source,
    }
    .into()
}

impl AgentBody {
    /// The record to store; `hr_id` is the path's HR id in the upsert
    /// (the body's, if any, must be the same).
    fn into_record(self, place: &Place, hr_id: Option<&str>) -> Result<AgentRecord, ApiError> {
        let external_id = match (hr_id, self.external_id.as_deref()) {
            (Some(path), Some(body)) if body.trim() != path.trim() => {
                return Err(invalid(
                    place,
                    InvalidValue::new(
                        "external_id",
                        format!("'{body}' differs from the HR id in the path ('{path}'): leave it out or send the same"),
                    ),
                ))
            }
            (Some(path), _) => path.to_string(),
            (None, Some(body)) => body.to_string(),
            (None, None) => {
                return Err(invalid(
                    place,
                    InvalidValue::new("external_id", "required: the agent's HR id"),
                ))
            }
        };
        let (min_minutes, max_minutes) = self
            .contract
            .as_ref()
            .map_or((None, None), |c| (c.min_week_minutes, c.max_week_minutes));
        let min_week_hours = week_hours(
            place,
            self.min_week_hours,
            min_minutes,
            ("min_week_hours", "min_week_minutes"),
            0.0,
        )?;
        let max_week_hours = week_hours(
            place,
            self.max_week_hours,
            max_minutes,
            ("max_week_hours", "max_week_minutes"),
            default_max(),
        )?;
        let agent = NewAgent::new(&self.name, &external_id, min_week_hours, max_week_hours)
            .map_err(|source| invalid(place, source))?;
        let mut contract = self
            .contract
            .map(ContractBody::into_contract)
            .unwrap_or_default();
        // Stored as the engine will use them: the weekly hours.
        contract.min_week_minutes = (min_week_hours * 60.0).round() as u32;
        contract.max_week_minutes = (max_week_hours * 60.0).round() as u32;
        let profile = AgentProfile {
            contract,
            skills: self.skills,
            templates: self.templates,
            availability: self.availability,
            days_off: self.days_off,
            time_off: self.time_off,
            requests: self.requests,
            history: self.history,
        };
        Ok(AgentRecord {
            agent,
            profile,
            active: self.active,
        })
    }

    /// Refuses a `queue_id` other than the path's (POST and sync).
    fn check_queue(&self, place: &Place, queue: QueueId) -> Result<(), ApiError> {
        match self.queue_id {
            Some(q) if q != queue => Err(invalid(
                place,
                InvalidValue::new(
                    "queue_id",
                    format!("{} differs from the queue of the path ({})", q.0, queue.0),
                ),
            )),
            _ => Ok(()),
        }
    }
}

fn default_active() -> bool {
    true
}

fn default_max() -> f64 {
    40.0
}

/// One agent (an object) or several (an array), stored all or none.
/// Documented as untagged, but read by [`AgentsBody::parse`]: serde's
/// untagged error names neither the field nor the value.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum AgentsBody {
    Many(Vec<AgentBody>),
    One(Box<AgentBody>),
}

impl AgentsBody {
    /// Array or object by the JSON's shape, then each agent read with its
    /// path, so an error says e.g. `[1].max_week_hours` and the value.
    fn parse(value: serde_json::Value) -> Result<Self, ApiError> {
        match value {
            serde_json::Value::Array(_) => Ok(Self::Many(parse_value(value)?)),
            serde_json::Value::Object(_) => Ok(Self::One(Box::new(parse_value(value)?))),
            other => Err(malformed(
                ".".into(),
                format!("expected an agent (object) or agents (array), got {other}"),
            )),
        }
    }
}

/// Adds one agent (an object) or several (an array), all or none.
#[utoipa::path(post, path = "/api/v1/queues/{id}/agents", tag = "agents", params(("id" = i32, Path, description = "Queue id")), request_body = AgentsBody, responses((status = 201, description = "The agents, stored (all or none)", body = Vec<crate::db::agents::StoredAgent>)))]
pub async fn create(
    db: web::Data<Database>,
    id: web::Path<i32>,
    body: Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let id = QueueId(id.into_inner());
    let bodies = match AgentsBody::parse(body.into_inner())? {
        AgentsBody::Many(v) => v
            .into_iter()
            .enumerate()
            .map(|(i, a)| (Place::nth("agent", i), a))
            .collect(),
        AgentsBody::One(a) => vec![(Place::single(), *a)],
    };
    let mut records = Vec::with_capacity(bodies.len());
    let mut places = Vec::with_capacity(bodies.len());
    for (place, body) in bodies {
        body.check_queue(&place, id)?;
        records.push(body.into_record(&place, None)?);
        places.push(place);
    }
    let db = db.into_inner();
    let stored = blocking(move || add_agents(&db, id, &records, &places)).await?;
    Ok(HttpResponse::Created().json(stored))
}

#[utoipa::path(get, path = "/api/v1/queues/{id}/agents", tag = "agents", params(("id" = i32, Path, description = "Queue id")), responses((status = 200, description = "The queue's agents", body = Vec<crate::db::agents::StoredAgent>)))]
pub async fn list(db: web::Data<Database>, id: web::Path<i32>) -> Result<HttpResponse, ApiError> {
    let id = QueueId(id.into_inner());
    let db = db.into_inner();
    let agents = blocking(move || agents(&db, id)).await?;
    Ok(HttpResponse::Ok().json(agents))
}

#[utoipa::path(get, path = "/api/v1/agents/{id}", tag = "agents", params(("id" = i32, Path, description = "Agent id")), responses((status = 200, description = "The agent", body = crate::db::agents::StoredAgent)))]
pub async fn get(db: web::Data<Database>, id: web::Path<i32>) -> Result<HttpResponse, ApiError> {
    let id = AgentId(id.into_inner());
    let db = db.into_inner();
    let agent = blocking(move || agent(&db, id)).await?;
    Ok(HttpResponse::Ok().json(agent))
}

/// Replaces an agent (name, HR id, weekly hours, profile, active) as a
/// whole; a `queue_id` moves it to that queue.
#[utoipa::path(put, path = "/api/v1/agents/{id}", tag = "agents", params(("id" = i32, Path, description = "Agent id")), request_body = AgentBody, responses((status = 200, description = "The agent, replaced", body = crate::db::agents::StoredAgent)))]
pub async fn replace(
    db: web::Data<Database>,
    id: web::Path<i32>,
    body: Json<AgentBody>,
) -> Result<HttpResponse, ApiError> {
    let id = AgentId(id.into_inner());
    let body = body.into_inner();
    let queue = body.queue_id;
    let record = body.into_record(&Place::single(), None)?;
    let db = db.into_inner();
    let stored = blocking(move || replace_agent(&db, id, queue, &record)).await?;
    Ok(HttpResponse::Ok().json(stored))
}

/// `PUT /agents/by-external-id/{hr_id}`: creates the agent with this HR id
/// in the body's `queue_id` (201 + Location), or replaces it (200).
#[utoipa::path(put, path = "/api/v1/agents/by-external-id/{hr_id}", tag = "agents", params(("hr_id" = String, Path, description = "The agent's HR id (external_id)")), request_body = AgentBody, responses((status = 201, description = "Created (the body's queue_id is its queue)", body = crate::db::agents::StoredAgent, headers(("Location" = String, description = "The agent's URL"))), (status = 200, description = "Replaced", body = crate::db::agents::StoredAgent)))]
pub async fn upsert(
    db: web::Data<Database>,
    hr_id: web::Path<String>,
    body: Json<AgentBody>,
) -> Result<HttpResponse, ApiError> {
    let hr_id = hr_id.into_inner();
    let body = body.into_inner();
    let queue = body.queue_id;
    let record = body.into_record(&Place::single(), Some(&hr_id))?;
    let db = db.into_inner();
    Ok(
        match blocking(move || upsert_agent(&db, queue, &record)).await? {
            Upserted::Created(a) => HttpResponse::Created()
                .insert_header(("Location", format!("/api/v1/agents/{}", a.id)))
                .json(a),
            Upserted::Replaced(a) => HttpResponse::Ok().json(a),
        },
    )
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SyncQuery {
    #[serde(default)]
    dry_run: bool,
}

/// `PUT /queues/{id}/agents`: the queue's whole set of agents from the HR
/// system (JSON array or CSV), applied in one transaction.
#[utoipa::path(put, path = "/api/v1/queues/{id}/agents", tag = "agents", params(("id" = i32, Path, description = "Queue id"), SyncQuery), request_body(content((Vec<AgentBody> = "application/json"), (String = "text/csv", example = "external_id,name,min_week_hours,max_week_hours\nHR-1,Ana,20,38\n")), description = "The queue's whole set of agents: created, updated, and the others deactivated; all or none"), responses((status = 200, description = "What the sync did (or would do, with dry_run)", body = crate::app::agents::SyncReport)))]
pub async fn sync(
    req: HttpRequest,
    db: web::Data<Database>,
    id: web::Path<i32>,
    query: web::Query<SyncQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = QueueId(id.into_inner());
    let (format, bytes) = read_upload(&req, payload).await?;
    let rows = match format {
        HistoryFormat::Json => {
            let bodies: Vec<AgentBody> = parse_json(&bytes)?;
            let mut rows = Vec::with_capacity(bodies.len());
            for (i, body) in bodies.into_iter().enumerate() {
                let place = Place::nth("row", i);
                body.check_queue(&place, id)?;
                let record = body.into_record(&place, None)?;
                rows.push(SyncRow {
                    place,
                    record,
                    keep_profile: false,
                });
            }
            rows
        }
        HistoryFormat::Csv => parse_agents_csv(&bytes)
            .map_err(crate::app::AppError::from)?
            .into_iter()
            .enumerate()
            .map(|(i, parsed)| {
                let place = Place {
                    label: format!("row {} (line {})", i + 1, parsed.line),
                    path: format!("[{i}]"),
                };
                let agent = parsed.agent.map_err(|source| invalid(&place, source))?;
                Ok(SyncRow {
                    place,
                    record: agent.into(),
                    keep_profile: true,
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?,
    };
    let dry_run = query.dry_run;
    let db = db.into_inner();
    let report = blocking(move || sync_agents(&db, id, &rows, dry_run)).await?;
    Ok(HttpResponse::Ok().json(report))
}
