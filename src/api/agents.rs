//! /api/v1/queues/{id}/agents: the people rosters are built for.

use super::blocking;
use super::body::Json;
use super::error::ApiError;
use crate::app::error::Refusal;
use crate::app::history::{add_agents, agent, agents, replace_agent};
use crate::db::agents::{AgentRecord, NewAgent};
use crate::db::Database;
use crate::domain::{AgentId, QueueId};
use crate::schedule::engine::{AgentProfile, Availability, Contract, History, Request, TimeOff};
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;

/// An agent: who, weekly hours, and (optional) what the rostering engine
/// needs to know: contract details, skills, templates, availability, hard
/// days off, approved time off, soft requests, and what was worked just
/// before the horizon.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentBody {
    name: String,
    external_id: String,
    #[serde(default)]
    min_week_hours: f64,
    #[serde(default = "default_max")]
    max_week_hours: f64,
    #[serde(default)]
    contract: Option<Contract>,
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

impl AgentBody {
    /// `index` is the agent's place in an array body (`None`: a single object).
    fn into_record(self, index: Option<usize>) -> Result<AgentRecord, ApiError> {
        let agent = NewAgent::new(
            &self.name,
            &self.external_id,
            self.min_week_hours,
            self.max_week_hours,
        )
        .map_err(|source| Refusal::InvalidAgent {
            label: index.map_or("agent".into(), |i| format!("agent {}", i + 1)),
            path: index.map_or(source.field.clone(), |i| format!("[{i}].{}", source.field)),
            source,
        })?;
        let profile = AgentProfile {
            contract: self.contract.unwrap_or_default(),
            skills: self.skills,
            templates: self.templates,
            availability: self.availability,
            days_off: self.days_off,
            time_off: self.time_off,
            requests: self.requests,
            history: self.history,
        };
        Ok(AgentRecord { agent, profile })
    }
}

fn default_max() -> f64 {
    40.0
}

/// One agent (an object) or several (an array), stored all or none.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum AgentsBody {
    Many(Vec<AgentBody>),
    One(Box<AgentBody>),
}

#[utoipa::path(post, path = "/api/v1/queues/{id}/agents", tag = "agents", params(("id" = i32, Path, description = "Queue id")), request_body = AgentsBody, responses((status = 201, description = "The agents, stored (all or none)", body = Vec<crate::db::agents::StoredAgent>)))]
pub async fn create(
    db: web::Data<Database>,
    id: web::Path<i32>,
    body: Json<AgentsBody>,
) -> Result<HttpResponse, ApiError> {
    let id = QueueId(id.into_inner());
    let bodies = match body.into_inner() {
        AgentsBody::Many(v) => v,
        AgentsBody::One(a) => vec![*a],
    };
    let agents = bodies
        .into_iter()
        .enumerate()
        .map(|(i, a)| a.into_record(Some(i)))
        .collect::<Result<Vec<_>, _>>()?;
    let db = db.into_inner();
    let stored = blocking(move || add_agents(&db, id, &agents)).await?;
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

/// Replaces an agent (name, HR id, weekly hours and profile) as a whole.
#[utoipa::path(put, path = "/api/v1/agents/{id}", tag = "agents", params(("id" = i32, Path, description = "Agent id")), request_body = AgentBody, responses((status = 200, description = "The agent, replaced", body = crate::db::agents::StoredAgent)))]
pub async fn replace(
    db: web::Data<Database>,
    id: web::Path<i32>,
    body: Json<AgentBody>,
) -> Result<HttpResponse, ApiError> {
    let id = AgentId(id.into_inner());
    let record = body.into_inner().into_record(None)?;
    let db = db.into_inner();
    let stored = blocking(move || replace_agent(&db, id, &record)).await?;
    Ok(HttpResponse::Ok().json(stored))
}
