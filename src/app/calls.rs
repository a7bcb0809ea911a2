//! Per-call records of a queue: import (all or nothing, replacing the
//! window it covers) and what is stored.

use super::error::Refusal;
use super::history::queue;
use super::AppError;
use crate::db::call_records::{CallCounts, CallImport};
use crate::db::Database;
use crate::domain::calls::parse_calls_csv;
use crate::domain::QueueId;

/// Parses the whole CSV body first, then stores it in one transaction: one
/// bad row means nothing is written. The stored calls of the queue from the
/// import's first to its last arrival are replaced.
pub fn import_calls(db: &Database, id: QueueId, body: &[u8]) -> Result<CallImport, AppError> {
    let queue = queue(db, id)?;
    let calls = parse_calls_csv(body, queue.spec.time_zone)?;
    db.replace_calls(id, &calls)?.ok_or_else(|| {
        Refusal::Empty {
            message: "the import holds no calls",
        }
        .into()
    })
}

/// A queue's stored calls per outcome and the window they span, with the
/// queue's zone (404 for an unknown queue).
pub fn call_counts(db: &Database, id: QueueId) -> Result<(chrono_tz::Tz, CallCounts), AppError> {
    let tz = queue(db, id)?.spec.time_zone;
    Ok((tz, db.call_counts(id)?))
}
