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
    /// False once an HR sync left the agent out: kept for past rosters,
    /// skipped by scheduling.
    pub active: bool,
}

/// A validated new agent (see `domain::agent::NewAgent::new`).
pub use crate::domain::agent::NewAgent;

/// An agent to store: who and their weekly hours, and the engine's profile
/// (contract details, skills, availability, time off, requests, history).
#[derive(Debug, Clone, PartialEq)]
pub struct AgentRecord {
    pub agent: NewAgent,
    pub profile: AgentProfile,
    /// Whether scheduling may roster the agent.
    pub active: bool,
}

impl From<NewAgent> for AgentRecord {
    /// An agent with the default profile (the contract's defaults, no
    /// restrictions).
    fn from(agent: NewAgent) -> Self {
        AgentRecord {
            agent,
            profile: AgentProfile::default(),
            active: true,
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
    active: bool,
}

type AgentRow = (
    i32,
    i32,
    String,
    String,
    f64,
    f64,
    NaiveDateTime,
    String,
    bool,
);

fn stored(
    (id, queue_id, name, external_id, min_week_hours, max_week_hours, created_at, profile, active): AgentRow,
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
        active,
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
    agents::active,
) = (
    agents::id,
    agents::queue_id,
    agents::name,
    agents::external_id,
    agents::min_week_hours,
    agents::max_week_hours,
    agents::created_at,
    agents::profile,
    agents::active,
);

/// What an HR sync changes in one queue, decided by the app layer from the
/// queue's agents as they are inside the sync's transaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentChanges {
    pub create: Vec<AgentRecord>,
    pub update: Vec<(AgentId, AgentRecord)>,
    pub deactivate: Vec<AgentId>,
}

fn insert_row(
    queue: QueueId,
    r: &AgentRecord,
    now: NaiveDateTime,
) -> Result<AgentInsert<'_>, DbError> {
    Ok(AgentInsert {
        queue_id: queue.0,
        name: &r.agent.name,
        external_id: &r.agent.external_id,
        min_week_hours: r.agent.min_week_hours,
        max_week_hours: r.agent.max_week_hours,
        created_at: now,
        profile: profile_json(&r.profile)?,
        active: r.active,
    })
}

/// The 409 of a unique violation on external_id (a race past the app's
/// own check, which names the agent holding the id).
fn external_id_taken(e: diesel::result::Error, external_ids: &[&str]) -> DbError {
    let named = match external_ids {
        [one] => format!("external_id: an agent with external id '{one}' already exists"),
        _ => "external_id: an agent with one of these external ids already exists".to_string(),
    };
    unique_violation(e, named)
}

/// Writes one agent's whole record (expanded per backend inside `with_conn!`).
macro_rules! update_row {
    ($conn:expr, $id:expr, $queue:expr, $record:expr) => {{
        let record: &AgentRecord = $record;
        let profile = profile_json(&record.profile)?;
        diesel::update(agents::table.find($id.0))
            .set((
                agents::queue_id.eq($queue.0),
                agents::name.eq(&record.agent.name),
                agents::external_id.eq(&record.agent.external_id),
                agents::min_week_hours.eq(record.agent.min_week_hours),
                agents::max_week_hours.eq(record.agent.max_week_hours),
                agents::profile.eq(&profile),
                agents::active.eq(record.active),
            ))
            .execute($conn)
            .map_err(|e| external_id_taken(e, &[record.agent.external_id.as_str()]))
    }};
}

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
            .map(|r| insert_row(queue, r, now))
            .collect::<Result<_, DbError>>()?;
        let hr_ids: Vec<&str> = new.iter().map(|r| r.agent.external_id.as_str()).collect();
        let ids: Vec<i32> = with_conn!(self, conn => conn.write_transaction::<Vec<i32>, DbError, _>(|conn| {
            let mut ids = Vec::with_capacity(rows.len());
            for chunk in rows.chunks(BATCH_ROWS) {
                ids.extend(
                    diesel::insert_into(agents::table)
                        .values(chunk)
                        .returning(agents::id)
                        .get_results::<i32>(conn)
                        .map_err(|e| external_id_taken(e, &hr_ids))?,
                );
            }
            Ok(ids)
        })?);
        self.agents_by_ids(&ids)
    }

    fn agents_by_ids(&self, ids: &[i32]) -> Result<Vec<StoredAgent>, DbError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH_ROWS) {
            let rows: Vec<AgentRow> = with_conn!(self, conn => agents::table
                .filter(agents::id.eq_any(chunk))
                .order(agents::id)
                .select(COLUMNS)
                .load(conn)?);
            for row in rows {
                out.push(stored(row)?);
            }
        }
        out.sort_by_key(|a| a.id.0);
        Ok(out)
    }

    /// Every agent of a queue, active or not.
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

    /// The agents scheduling may roster: the queue's active ones.
    pub fn active_agents(&self, queue: QueueId) -> Result<Vec<StoredAgent>, DbError> {
        Ok(self
            .agents(queue)?
            .into_iter()
            .filter(|a| a.active)
            .collect())
    }

    pub fn agent(&self, id: AgentId) -> Result<Option<StoredAgent>, DbError> {
        let row: Option<AgentRow> = with_conn!(self, conn => agents::table
            .find(id.0)
            .select(COLUMNS)
            .first(conn)
            .optional()?);
        row.map(stored).transpose()
    }

    /// The agents (of any queue) holding any of these HR ids.
    pub fn agents_by_external_ids(&self, hr_ids: &[&str]) -> Result<Vec<StoredAgent>, DbError> {
        let mut out = Vec::new();
        for chunk in hr_ids.chunks(BATCH_ROWS) {
            let rows: Vec<AgentRow> = with_conn!(self, conn => agents::table
                .filter(agents::external_id.eq_any(chunk))
                .order(agents::id)
                .select(COLUMNS)
                .load(conn)?);
            for row in rows {
                out.push(stored(row)?);
            }
        }
        Ok(out)
    }

    /// Replaces an agent's name, HR id, weekly hours, profile and active
    /// flag, and moves it to `queue` when one is given; `None` when there is
    /// no such agent.
    pub fn update_agent(
        &self,
        id: AgentId,
        queue: Option<QueueId>,
        record: &AgentRecord,
    ) -> Result<Option<StoredAgent>, DbError> {
        let current = match self.agent(id)? {
            Some(a) => a,
            None => return Ok(None),
        };
        let queue = queue.unwrap_or(current.queue_id);
        let n = with_conn!(self, conn => update_row!(conn, id, queue, record)?);
        if n == 0 {
            return Ok(None);
        }
        self.agent(id)
    }

    /// An HR sync of one queue in ONE write transaction: `plan` sees the
    /// queue's agents as they are inside it and says what to change; unless
    /// `dry_run`, the changes are written before it commits. Returns the
    /// plan's answer (its error as is, nothing written) and the ids of the
    /// agents created, in the order of `changes.create`.
    #[allow(clippy::type_complexity)]
    pub fn sync_agents<T, E>(
        &self,
        queue: QueueId,
        dry_run: bool,
        plan: impl FnOnce(&[StoredAgent]) -> Result<(AgentChanges, T), E>,
    ) -> Result<Result<(AgentChanges, T, Vec<AgentId>), E>, DbError> {
        let now = to_naive(Utc::now());
        with_conn!(self, conn => conn.write_transaction::<_, DbError, _>(|conn| {
            let rows: Vec<AgentRow> = agents::table
                .filter(agents::queue_id.eq(queue.0))
                .order(agents::id)
                .select(COLUMNS)
                .load(conn)?;
            let current = rows.into_iter().map(stored).collect::<Result<Vec<_>, _>>()?;
            let (changes, extra) = match plan(&current) {
                Ok(c) => c,
                Err(e) => return Ok(Err(e)),
            };
            if dry_run {
                return Ok(Ok((changes, extra, Vec::new())));
            }
            let mut created = Vec::with_capacity(changes.create.len());
            for r in &changes.create {
                let row = insert_row(queue, r, now)?;
                let id: i32 = diesel::insert_into(agents::table)
                    .values(&row)
                    .returning(agents::id)
                    .get_result(conn)
                    .map_err(|e| external_id_taken(e, &[r.agent.external_id.as_str()]))?;
                created.push(AgentId(id));
            }
            for (id, r) in &changes.update {
                update_row!(conn, *id, queue, r)?;
            }
            for chunk in changes.deactivate.chunks(BATCH_ROWS) {
                let ids: Vec<i32> = chunk.iter().map(|a| a.0).collect();
                diesel::update(agents::table.filter(agents::id.eq_any(&ids)))
                    .set(agents::active.eq(false))
                    .execute(conn)?;
            }
            Ok(Ok((changes, extra, created)))
        }))
    }
}
