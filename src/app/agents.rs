//! Agents as an HR system keeps them: by HR id (`external_id`), one at a
//! time (upsert) or a whole queue at once (sync).
//!
//! The rule: an HR id names one agent across ALL queues (the database's
//! UNIQUE on `agents.external_id`). An agent has one home queue; serving
//! others is what `skills` says. So `PUT /agents/by-external-id/{hr_id}`
//! needs no queue to find its agent, and a sync of one queue never takes
//! over an agent of another.

use super::error::{Conflict, Refusal};
use super::history::queue;
use super::AppError;
use crate::db::agents::{AgentChanges, AgentRecord, StoredAgent};
use crate::db::Database;
use crate::domain::{AgentId, InvalidValue, QueueId};
use serde::Serialize;
use std::collections::HashMap;

/// Where one agent sits in a request body, for errors: `label` for the
/// sentence ("agent 2", "row 3"), `path` for the field (`[1]`, or empty
/// for a single object).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub label: String,
    pub path: String,
}

impl Place {
    /// The whole body is this one agent.
    pub fn single() -> Self {
        Place {
            label: "agent".into(),
            path: String::new(),
        }
    }

    /// Entry `index` (0-based) of an array, called `noun` in messages.
    pub fn nth(noun: &str, index: usize) -> Self {
        Place {
            label: format!("{noun} {}", index + 1),
            path: format!("[{index}]"),
        }
    }

    /// The path of `field` of this agent: `external_id`, `[2].external_id`.
    pub fn field(&self, field: &str) -> String {
        if self.path.is_empty() {
            field.to_string()
        } else {
            format!("{}.{field}", self.path)
        }
    }
}

/// 422 when one HR id is given twice; 409 when an agent that `may_hold`
/// does not accept already holds one, naming the field and the value.
fn check_hr_ids<'a>(
    db: &Database,
    agents: impl IntoIterator<Item = (&'a Place, &'a AgentRecord)>,
    may_hold: impl Fn(&StoredAgent) -> bool,
) -> Result<(), AppError> {
    let agents: Vec<(&Place, &AgentRecord)> = agents.into_iter().collect();
    let mut first: HashMap<&str, &Place> = HashMap::new();
    for (place, record) in &agents {
        let hr_id = record.agent.external_id.as_str();
        if let Some(earlier) = first.insert(hr_id, place) {
            return Err(Refusal::DuplicateExternalId {
                label: place.label.clone(),
                path: place.field("external_id"),
                external_id: hr_id.to_string(),
                first: earlier.label.clone(),
            }
            .into());
        }
    }
    let hr_ids: Vec<&str> = first.keys().copied().collect();
    for holder in db.agents_by_external_ids(&hr_ids)? {
        if may_hold(&holder) {
            continue;
        }
        let place = agents
            .iter()
            .find(|(_, r)| r.agent.external_id == holder.external_id)
            .map_or_else(Place::single, |(p, _)| (*p).clone());
        return Err(Conflict::ExternalIdTaken {
            path: place.field("external_id"),
            external_id: holder.external_id,
            agent: holder.id,
            queue: holder.queue_id,
        }
        .into());
    }
    Ok(())
}

/// Adds agents to a queue, all or none; `places` locate each in the body.
pub fn add_agents(
    db: &Database,
    id: QueueId,
    agents: &[AgentRecord],
    places: &[Place],
) -> Result<Vec<StoredAgent>, AppError> {
    queue(db, id)?;
    if agents.is_empty() {
        return Err(Refusal::Empty {
            message: "no agents given",
        }
        .into());
    }
    check_hr_ids(db, places.iter().zip(agents), |_| false)?;
    Ok(db.create_agents(id, agents)?)
}

/// Replaces an agent as a whole, moving it to `to_queue` when one is given.
pub fn replace_agent(
    db: &Database,
    id: AgentId,
    to_queue: Option<QueueId>,
    record: &AgentRecord,
) -> Result<StoredAgent, AppError> {
    // An unknown agent is 404 whatever the body says.
    super::history::agent(db, id)?;
    if let Some(q) = to_queue {
        queue(db, q)?;
    }
    check_hr_ids(db, [(&Place::single(), record)], |a| a.id == id)?;
    db.update_agent(id, to_queue, record)?
        .ok_or_else(|| AppError::not_found("agent", id))
}

/// What an upsert did.
#[derive(Debug, Clone, PartialEq)]
pub enum Upserted {
    Created(StoredAgent),
    Replaced(StoredAgent),
}

/// Creates the agent with `record`'s HR id in `to_queue`, or replaces the
/// one that has it (moving it to `to_queue` when given: a transfer).
pub fn upsert_agent(
    db: &Database,
    to_queue: Option<QueueId>,
    record: &AgentRecord,
) -> Result<Upserted, AppError> {
    if let Some(q) = to_queue {
        queue(db, q)?;
    }
    let hr_id = record.agent.external_id.as_str();
    match db.agents_by_external_ids(&[hr_id])?.into_iter().next() {
        Some(existing) => {
            let stored = db
                .update_agent(existing.id, to_queue, record)?
                .ok_or_else(|| AppError::not_found("agent", existing.id))?;
            Ok(Upserted::Replaced(stored))
        }
        None => {
            let q = to_queue.ok_or_else(|| {
                InvalidValue::new(
                    "queue_id",
                    format!(
                        "no agent has external id '{hr_id}': give the queue_id to create it in"
                    ),
                )
            })?;
            let created = db.create_agents(q, std::slice::from_ref(record))?;
            let stored = created
                .into_iter()
                .next()
                .ok_or_else(|| AppError::corrupt("agent", "not stored"))?;
            Ok(Upserted::Created(stored))
        }
    }
}

/// One agent of a sync body.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncRow {
    pub place: Place,
    pub record: AgentRecord,
    /// CSV rows carry no profile: an existing agent keeps its stored one.
    pub keep_profile: bool,
}

/// An agent a sync touched (`id` is `None` for one a dry run would create).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SyncedAgent {
    pub id: Option<AgentId>,
    pub external_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SyncedAgents {
    pub created: Vec<SyncedAgent>,
    pub updated: Vec<SyncedAgent>,
    pub unchanged: Vec<SyncedAgent>,
    pub deactivated: Vec<SyncedAgent>,
}

/// The answer to a sync: counts, then the agents of each kind.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SyncReport {
    pub queue_id: QueueId,
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub deactivated: usize,
    pub agents: SyncedAgents,
}

/// Makes a queue's agents the set `rows` lists, keyed by HR id, in one
/// transaction: new ones created, changed ones replaced (an inactive one
/// listed again is reactivated), unchanged ones left, and active agents of
/// the queue that are not listed deactivated (kept for past rosters).
/// With `dry_run` it only says what it would do.
pub fn sync_agents(
    db: &Database,
    id: QueueId,
    rows: &[SyncRow],
    dry_run: bool,
) -> Result<SyncReport, AppError> {
    queue(db, id)?;
    if rows.is_empty() {
        // An empty file would deactivate everyone: far likelier a broken export.
        return Err(Refusal::Empty {
            message: "the sync lists no agents (it would deactivate every agent of the queue)",
        }
        .into());
    }
    // Agents of other queues are never taken over by a sync: transfer with the upsert.
    check_hr_ids(db, rows.iter().map(|r| (&r.place, &r.record)), |a| {
        a.queue_id == id
    })?;
    let outcome = db.sync_agents(id, dry_run, |current| {
        Ok::<_, AppError>(plan_sync(current, rows))
    })??;
    let (changes, mut listed, created_ids) = outcome;
    for (i, r) in changes.create.iter().enumerate() {
        listed.created.push(SyncedAgent {
            id: created_ids.get(i).copied(),
            external_id: r.agent.external_id.clone(),
        });
    }
    Ok(SyncReport {
        queue_id: id,
        dry_run,
        created: listed.created.len(),
        updated: listed.updated.len(),
        unchanged: listed.unchanged.len(),
        deactivated: listed.deactivated.len(),
        agents: listed,
    })
}

/// The changes that make `current` what `rows` list, and the agents kept
/// or deactivated (created ones are listed once they have ids).
fn plan_sync(current: &[StoredAgent], rows: &[SyncRow]) -> (AgentChanges, SyncedAgents) {
    let by_hr_id: HashMap<&str, &StoredAgent> = current
        .iter()
        .map(|a| (a.external_id.as_str(), a))
        .collect();
    let mut changes = AgentChanges::default();
    let mut listed = SyncedAgents::default();
    for row in rows {
        let hr_id = row.record.agent.external_id.as_str();
        let Some(existing) = by_hr_id.get(hr_id) else {
            changes.create.push(row.record.clone());
            continue;
        };
        let mut wanted = row.record.clone();
        if row.keep_profile {
            wanted.profile = existing.profile.clone();
        }
        let same = existing.name == wanted.agent.name
            && existing.min_week_hours == wanted.agent.min_week_hours
            && existing.max_week_hours == wanted.agent.max_week_hours
            && existing.profile == wanted.profile
            && existing.active == wanted.active;
        let entry = SyncedAgent {
            id: Some(existing.id),
            external_id: existing.external_id.clone(),
        };
        if same {
            listed.unchanged.push(entry);
        } else {
            changes.update.push((existing.id, wanted));
            listed.updated.push(entry);
        }
    }
    let wanted: std::collections::HashSet<&str> = rows
        .iter()
        .map(|r| r.record.agent.external_id.as_str())
        .collect();
    for a in current {
        if a.active && !wanted.contains(a.external_id.as_str()) {
            changes.deactivate.push(a.id);
            listed.deactivated.push(SyncedAgent {
                id: Some(a.id),
                external_id: a.external_id.clone(),
            });
        }
    }
    (changes, listed)
}
