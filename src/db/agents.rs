//! Agents and their contracts.

use super::queues::unique_violation;
use super::schema::agents;
use super::{to_naive, to_utc, with_conn, Database, DbError, WriteTransaction, BATCH_ROWS};
use crate::domain::{AgentId, QueueId};
use crate::schedule::engine::AgentProfile;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StoredAgent {
    pub id: AgentId,
    pub queue_id: QueueId,
    pub name: String,
    pub external_id: String,
    pub min_week_hours: f64,
    pub max_week_hours: f64,
    /// What the rostering engine knows of the agent (stored as JSON).
    pub profile: AgentProfile,
    pub created_at: DateTime<Utc>,
}

/// A validated new agent (see `domain::agent::NewAgent::new`).
pub use crate::domain::agent::NewAgent;

/// An agent to store: who and their weekly hours, and the engine's profile
/// (contract details, skills, availability, time off, requests, history).
#[derive(Debug, Clone, PartialEq)]
pub struct AgentRecord {
    pub agent: NewAgent,
    pub profile: AgentProfile,
}

impl From<NewAgent> for AgentRecord {
    /// An agent with the default profile (the contract's defaults, no
    /// restrictions).
    fn from(agent: NewAgent) -> Self {
        AgentRecord {
            agent,
            profile: AgentProfile::default(),
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = agents)]
struct AgentInsert<'a> {
    queue_id: i32,
    name: &'a str,
    external_id: &'a str,
    min_week_hours: f64,
    max_week_hours: f64,
    created_at: NaiveDateTime,
    profile: String,
}

type AgentRow = (i32, i32, String, String, f64, f64, NaiveDateTime, String);

fn stored(
    (id, queue_id, name, external_id, min_week_hours, max_week_hours, created_at, profile): AgentRow,
) -> Result<StoredAgent, DbError> {
    Ok(StoredAgent {
        id: AgentId(id),
        queue_id: QueueId(queue_id),
        name,
        external_id,
        min_week_hours,
        max_week_hours,
        profile: serde_json::from_str(&profile)
            .map_err(|e| DbError::Corrupt(format!("agent {id} profile: {e}")))?,
        created_at: to_utc(created_at),
    })
}

fn profile_json(profile: &AgentProfile) -> Result<String, DbError> {
    serde_json::to_string(profile).map_err(|e| DbError::Corrupt(format!("agent profile: {e}")))
}

const COLUMNS: (
    agents::id,
    agents::queue_id,
    agents::name,
    agents::external_id,
    agents::min_week_hours,
    agents::max_week_hours,
    agents::created_at,
    agents::profile,
) = (
    agents::id,
    agents::queue_id,
    agents::name,
    agents::external_id,
    agents::min_week_hours,
    agents::max_week_hours,
    agents::created_at,
    agents::profile,
);

impl Database {
    /// Adds agents to a queue in one transaction; a duplicate HR id rejects all.
    pub fn create_agents(
        &self,
        queue: QueueId,
        new: &[AgentRecord],
    ) -> Result<Vec<StoredAgent>, DbError> {
        let now = to_naive(Utc::now());
        let rows: Vec<AgentInsert> = new
            .iter()
            .map(|r| {
                Ok(AgentInsert {
                    queue_id: queue.0,
                    name: &r.agent.name,
                    external_id: &r.agent.external_id,
                    min_week_hours: r.agent.min_week_hours,
                    max_week_hours: r.agent.max_week_hours,
                    created_at: now,
                    profile: profile_json(&r.profile)?,
                })
            })
            .collect::<Result<_, DbError>>()?;
        let conflict = || "an agent with one of these external ids already exists".to_string();
        let ids: Vec<i32> = with_conn!(self, conn => conn.write_transaction::<Vec<i32>, DbError, _>(|conn| {
            let mut ids = Vec::with_capacity(rows.len());
            for chunk in rows.chunks(BATCH_ROWS) {
                ids.extend(
                    diesel::insert_into(agents::table)
                        .values(chunk)
                        .returning(agents::id)
                        .get_results::<i32>(conn)
                        .map_err(|e| unique_violation(e, conflict()))?,
                );
            }
            Ok(ids)
        })?);
        let rows: Vec<AgentRow> = with_conn!(self, conn => agents::table
            .filter(agents::id.eq_any(&ids))
            .order(agents::id)
            .select(COLUMNS)
            .load(conn)?);
        rows.into_iter().map(stored).collect()
    }

    pub fn agents(&self, queue: QueueId) -> Result<Vec<StoredAgent>, DbError> {
        let rows: Vec<AgentRow> = with_conn!(self, conn => agents::table
            .filter(agents::queue_id.eq(queue.0))
            .order(agents::id)
            .select(COLUMNS)
            .load(conn)?);
        rows.into_iter().map(stored).collect()
    }

    /// Id, name and HR id of a queue's agents: what a roster shows of
    /// them, without reading their profiles.
    pub fn agent_names(&self, queue: QueueId) -> Result<Vec<(i32, String, String)>, DbError> {
        Ok(with_conn!(self, conn => agents::table
            .filter(agents::queue_id.eq(queue.0))
            .order(agents::id)
            .select((agents::id, agents::name, agents::external_id))
            .load(conn)?))
    }

    pub fn agent(&self, id: AgentId) -> Result<Option<StoredAgent>, DbError> {
        let row: Option<AgentRow> = with_conn!(self, conn => agents::table
            .find(id.0)
            .select(COLUMNS)
            .first(conn)
            .optional()?);
        row.map(stored).transpose()
    }

    /// Replaces an agent's name, HR id, weekly hours and profile; `None`
    /// when there is no such agent.
    pub fn update_agent(
        &self,
        id: AgentId,
        record: &AgentRecord,
    ) -> Result<Option<StoredAgent>, DbError> {
        let (agent, profile) = (&record.agent, profile_json(&record.profile)?);
        let conflict = || format!("another agent has external id '{}'", agent.external_id);
        let n = with_conn!(self, conn => diesel::update(agents::table.find(id.0))
            .set((
                agents::name.eq(&agent.name),
                agents::external_id.eq(&agent.external_id),
                agents::min_week_hours.eq(agent.min_week_hours),
                agents::max_week_hours.eq(agent.max_week_hours),
                agents::profile.eq(&profile),
            ))
            .execute(conn)
            .map_err(|e| unique_violation(e, conflict()))?);
        if n == 0 {
            return Ok(None);
        }
        self.agent(id)
    }
}
