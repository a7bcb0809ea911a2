//! /api/v1/queues/{id}/agents: the people rosters are built for.

use super::blocking;
use super::body::Json;
use super::error::ApiError;
use crate::app::history::{add_agents, queue};
use crate::db::agents::NewAgent;
use crate::db::Database;
use crate::domain::QueueId;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentBody {
    name: String,
    external_id: String,
    #[serde(default)]
    min_week_hours: f64,
    #[serde(default = "default_max")]
    max_week_hours: f64,
}

fn default_max() -> f64 {
    40.0
}

/// One agent (an object) or several (an array), stored all or none.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum AgentsBody {
    Many(Vec<AgentBody>),
    One(AgentBody),
}

pub async fn create(
    db: web::Data<Database>,
    id: web::Path<i32>,
    body: Json<AgentsBody>,
) -> Result<HttpResponse, ApiError> {
    let id = QueueId(id.into_inner());
    let bodies = match body.into_inner() {
        AgentsBody::Many(v) => v,
        AgentsBody::One(a) => vec![a],
    };
    let agents = bodies
        .iter()
        .enumerate()
        .map(|(i, a)| {
            NewAgent::new(&a.name, &a.external_id, a.min_week_hours, a.max_week_hours)
                .map_err(|e| ApiError::Invalid(format!("agent {}: {e}", i + 1)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let db = db.into_inner();
    let stored = blocking(move || add_agents(&db, id, &agents)).await?;
    Ok(HttpResponse::Created().json(stored))
}

pub async fn list(db: web::Data<Database>, id: web::Path<i32>) -> Result<HttpResponse, ApiError> {
    let id = QueueId(id.into_inner());
    let db = db.into_inner();
    let agents = blocking(move || {
        queue(&db, id)?;
        Ok(db.agents(id)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(agents))
}
