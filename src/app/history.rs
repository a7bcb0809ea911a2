//! Queues, history import and agents: the inputs of the pipeline.

use super::agents::Place;
use super::error::Refusal;
use super::AppError;
use crate::db::agents::{AgentRecord, StoredAgent};
use crate::db::history::ImportSummary;
use crate::db::queues::{QueueSettingsChange, StoredQueue};
use crate::db::Database;
use crate::domain::history::{parse_history_csv, parse_history_json, OffGrid};
use crate::domain::time::parse_timestamp;
use crate::domain::{AgentId, HistoryRow, InvalidValue, OpeningHours, QueueId, QueueSpec};
use chrono::{DateTime, Utc};

/// Body formats accepted for history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryFormat {
    Csv,
    Json,
}

pub fn queue(db: &Database, id: QueueId) -> Result<StoredQueue, AppError> {
    db.queue(id)?
        .ok_or_else(|| AppError::not_found("queue", id))
}

/// Parses the whole body first, then stores it in one transaction:
/// one bad row means nothing is written.
pub fn import_history(
    db: &Database,
    id: QueueId,
    body: &[u8],
    format: HistoryFormat,
) -> Result<ImportSummary, AppError> {
    let queue = queue(db, id)?;
    let grid = queue.spec.grid();
    let parsed = match format {
        HistoryFormat::Csv => parse_history_csv(body, &grid, OffGrid::Reject)?,
        HistoryFormat::Json => parse_history_json(body, &grid)?,
    };
    if parsed.rows.is_empty() {
        return Err(Refusal::Empty {
            message: "the import holds no rows",
        }
        .into());
    }
    Ok(db.upsert_history(id, &parsed.rows)?)
}

/// Adds agents to a queue, all or none (the demo's and the CLI's way in).
pub fn add_agents(
    db: &Database,
    id: QueueId,
    agents: &[AgentRecord],
) -> Result<Vec<StoredAgent>, AppError> {
    let places: Vec<Place> = (0..agents.len()).map(|i| Place::nth("agent", i)).collect();
    super::agents::add_agents(db, id, agents, &places)
}

/// A queue's agents (404 for an unknown queue).
pub fn agents(db: &Database, id: QueueId) -> Result<Vec<StoredAgent>, AppError> {
    queue(db, id)?;
    Ok(db.agents(id)?)
}

pub fn agent(db: &Database, id: AgentId) -> Result<StoredAgent, AppError> {
    db.agent(id)?
        .ok_or_else(|| AppError::not_found("agent", id))
}

/// Creates a queue from a checked spec.
pub fn create_queue(db: &Database, spec: &QueueSpec) -> Result<StoredQueue, AppError> {
    Ok(db.create_queue(spec)?)
}

/// Changes a queue's settings, all checked before any is stored:
/// `default_aht_seconds` (`Some(None)` clears it; forecasts already made
/// keep their handle time), the weekend days and the interval confidence.
pub fn update_queue_settings(
    db: &Database,
    id: QueueId,
    change: &QueueSettingsChange,
) -> Result<StoredQueue, AppError> {
    let current = queue(db, id)?.spec;
    if let Some(seconds) = change.default_aht_seconds {
        current.clone().with_default_aht(seconds)?;
    }
    if let Some(percent) = change.interval_confidence_percent {
        current.clone().with_interval_confidence(percent)?;
    }
    if let Some(percent) = change.offered_percent {
        current.with_offered_percent(percent)?;
    }
    if !db.update_queue_settings(id, change)? {
        return Err(AppError::not_found("queue", id));
    }
    queue(db, id)
}

/// Replaces a queue's opening hours (checked against nothing else: the
/// hours are plain local times). Forecasts already made keep theirs.
pub fn set_opening_hours(
    db: &Database,
    id: QueueId,
    hours: &OpeningHours,
) -> Result<StoredQueue, AppError> {
    if !db.set_queue_hours(id, hours)? {
        return Err(AppError::not_found("queue", id));
    }
    queue(db, id)
}

pub fn queues(db: &Database) -> Result<Vec<StoredQueue>, AppError> {
    Ok(db.queues()?)
}

/// A queue's history between two bounds (text, read in the queue's zone),
/// with that zone.
pub fn history_between(
    db: &Database,
    id: QueueId,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(chrono_tz::Tz, Vec<HistoryRow>), AppError> {
    let tz = queue(db, id)?.spec.time_zone;
    let from = parse_bound(from, "from", tz)?;
    let to = parse_bound(to, "to", tz)?;
    Ok((tz, db.history(id, from, to)?))
}

/// An optional timestamp bound, a local time read in the queue's zone.
pub fn parse_bound(
    raw: Option<&str>,
    field: &str,
    tz: chrono_tz::Tz,
) -> Result<Option<DateTime<Utc>>, AppError> {
    raw.map(|s| {
        parse_timestamp(s, tz)
            .map(|(t, _)| t)
            .map_err(|e| InvalidValue::new(field, e.to_string()).into())
    })
    .transpose()
}
