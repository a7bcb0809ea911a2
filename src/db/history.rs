//! Interval history: transactional upsert and range reads.

use super::schema::history;
use super::{to_naive, to_utc, with_conn, Database, DbError, WriteTransaction, BATCH_ROWS};
use crate::domain::{HistoryRow, QueueId};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use serde::Serialize;
use std::collections::HashSet;

#[derive(Insertable)]
#[diesel(table_name = history, treat_none_as_default_value = false)]
struct HistoryInsert {
    queue_id: i32,
    interval_start: NaiveDateTime,
    volume: f64,
    aht_seconds: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub rows: usize,
    pub inserted: usize,
    pub updated: usize,
}

/// What a queue's stored history spans.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HistoryExtent {
    pub rows: i64,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
}

impl Database {
    /// Inserts or updates every row in one transaction: all or nothing.
    /// A row for an interval already stored replaces it (re-import is safe).
    pub fn upsert_history(
        &self,
        queue: QueueId,
        rows: &[HistoryRow],
    ) -> Result<ImportSummary, DbError> {
        let inserts: Vec<HistoryInsert> = rows
            .iter()
            .map(|r| HistoryInsert {
                queue_id: queue.0,
                interval_start: to_naive(r.start),
                volume: r.volume,
                aht_seconds: r.aht_seconds,
            })
            .collect();
        let (Some(first), Some(last)) = (
            inserts.iter().map(|r| r.interval_start).min(),
            inserts.iter().map(|r| r.interval_start).max(),
        ) else {
            return Ok(ImportSummary {
                rows: 0,
                inserted: 0,
                updated: 0,
            });
        };
        let updated = with_conn!(self, conn => conn.write_transaction::<usize, DbError, _>(|conn| {
            let existing: HashSet<NaiveDateTime> = history::table
                .filter(history::queue_id.eq(queue.0))
                .filter(history::interval_start.between(first, last))
                .select(history::interval_start)
                .load::<NaiveDateTime>(conn)?
                .into_iter()
                .collect();
            for chunk in inserts.chunks(BATCH_ROWS) {
                diesel::insert_into(history::table)
                    .values(chunk)
                    .on_conflict((history::queue_id, history::interval_start))
                    .do_update()
                    .set((
                        history::volume.eq(excluded(history::volume)),
                        history::aht_seconds.eq(excluded(history::aht_seconds)),
                    ))
                    .execute(conn)?;
            }
            Ok(inserts.iter().filter(|r| existing.contains(&r.interval_start)).count())
        })?);
        Ok(ImportSummary {
            rows: inserts.len(),
            inserted: inserts.len() - updated,
            updated,
        })
    }

    /// History rows in [from, to) (either end open when None), oldest first.
    pub fn history(
        &self,
        queue: QueueId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<HistoryRow>, DbError> {
        let rows: Vec<(NaiveDateTime, f64, Option<f64>)> = with_conn!(self, conn => {
            let mut query = history::table
                .filter(history::queue_id.eq(queue.0))
                .select((history::interval_start, history::volume, history::aht_seconds))
                .order(history::interval_start)
                .into_boxed();
            if let Some(from) = from {
                query = query.filter(history::interval_start.ge(to_naive(from)));
            }
            if let Some(to) = to {
                query = query.filter(history::interval_start.lt(to_naive(to)));
            }
            query.load(conn)?
        });
        Ok(rows
            .into_iter()
            .map(|(start, volume, aht_seconds)| HistoryRow {
                start: to_utc(start),
                volume,
                aht_seconds,
            })
            .collect())
    }

    pub fn history_extent(&self, queue: QueueId) -> Result<HistoryExtent, DbError> {
        use diesel::dsl::{count_star, max, min};
        let (rows, first, last): (i64, Option<NaiveDateTime>, Option<NaiveDateTime>) = with_conn!(self, conn => history::table
            .filter(history::queue_id.eq(queue.0))
            .select((count_star(), min(history::interval_start), max(history::interval_start)))
            .first(conn)?);
        Ok(HistoryExtent {
            rows,
            first: first.map(to_utc),
            last: last.map(to_utc),
        })
    }
}
