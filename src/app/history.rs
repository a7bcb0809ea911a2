//! Queues, history import and agents: the inputs of the pipeline.

use super::error::Refusal;
use super::AppError;
use crate::db::agents::{NewAgent, StoredAgent};
use crate::db::history::ImportSummary;
use crate::db::queues::StoredQueue;
use crate::db::Database;
use crate::domain::history::{parse_history_csv, parse_history_json, OffGrid};
use crate::domain::QueueId;

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

pub fn add_agents(
    db: &Database,
    id: QueueId,
    agents: &[NewAgent],
) -> Result<Vec<StoredAgent>, AppError> {
    queue(db, id)?;
    if agents.is_empty() {
        return Err(Refusal::Empty {
            message: "no agents given",
        }
        .into());
    }
    Ok(db.create_agents(id, agents)?)
}
