//! Per-call records: an import replaces its window, all or nothing; range
//! reads and a summary per outcome.

use super::schema::call_records;
use super::{to_naive, to_utc, with_conn, Database, DbError, WriteTransaction, BATCH_ROWS};
use crate::domain::calls::{CallOutcome, CallRecord};
use crate::domain::QueueId;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

#[derive(Insertable)]
#[diesel(table_name = call_records, treat_none_as_default_value = false)]
struct CallInsert {
    queue_id: i32,
    arrival: NaiveDateTime,
    seq: i32,
    outcome: &'static str,
    wait_seconds: f64,
    talk_seconds: Option<f64>,
}

/// What an import did: the calls stored, the window they span (first and
/// last arrival, both included) and how many stored calls of that window
/// they replaced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallImport {
    pub rows: usize,
    pub replaced: usize,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
}

/// Counts of a queue's stored calls, with the window they span.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CallCounts {
    pub answered: i64,
    pub abandoned: i64,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
}

impl Database {
    /// Stores `calls` in one transaction: every stored call of the queue
    /// arriving from the first to the last arrival of `calls` is deleted
    /// first, so an import is the whole record of its window and importing
    /// it again replaces it. `None` for no calls.
    pub fn replace_calls(
        &self,
        queue: QueueId,
        calls: &[CallRecord],
    ) -> Result<Option<CallImport>, DbError> {
        let mut sorted: Vec<&CallRecord> = calls.iter().collect();
        // Stable: calls at one instant keep the order of the file.
        sorted.sort_by_key(|c| c.arrival);
        let (Some(first), Some(last)) = (sorted.first(), sorted.last()) else {
            return Ok(None);
        };
        let (first, last) = (first.arrival, last.arrival);
        let mut rows = Vec::with_capacity(sorted.len());
        let mut seq = 0;
        for (i, c) in sorted.iter().enumerate() {
            seq = if i > 0 && sorted[i - 1].arrival == c.arrival {
                seq + 1
            } else {
                0
            };
            rows.push(CallInsert {
                queue_id: queue.0,
                arrival: to_naive(c.arrival),
                seq,
                outcome: c.outcome.as_str(),
                wait_seconds: c.wait_seconds,
                talk_seconds: c.talk_seconds,
            });
        }
        let replaced = with_conn!(self, conn => conn.write_transaction::<usize, DbError, _>(|conn| {
            let replaced = diesel::delete(
                call_records::table
                    .filter(call_records::queue_id.eq(queue.0))
                    .filter(call_records::arrival.between(to_naive(first), to_naive(last))),
            )
            .execute(conn)?;
            for chunk in rows.chunks(BATCH_ROWS) {
                diesel::insert_into(call_records::table)
                    .values(chunk)
                    .execute(conn)?;
            }
            Ok(replaced)
        })?);
        Ok(Some(CallImport {
            rows: rows.len(),
            replaced,
            first,
            last,
        }))
    }

    /// A queue's calls arriving in [from, to), in order of arrival.
    pub fn calls(
        &self,
        queue: QueueId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CallRecord>, DbError> {
        type Row = (NaiveDateTime, String, f64, Option<f64>);
        let rows: Vec<Row> = with_conn!(self, conn => call_records::table
            .filter(call_records::queue_id.eq(queue.0))
            .filter(call_records::arrival.ge(to_naive(from)))
            .filter(call_records::arrival.lt(to_naive(to)))
            .order((call_records::arrival, call_records::seq))
            .select((
                call_records::arrival,
                call_records::outcome,
                call_records::wait_seconds,
                call_records::talk_seconds,
            ))
            .load(conn)?);
        rows.into_iter()
            .map(|(arrival, outcome, wait_seconds, talk_seconds)| {
                let outcome = CallOutcome::parse(&outcome).ok_or_else(|| {
                    DbError::Corrupt(format!("call of queue {queue}: outcome '{outcome}'"))
                })?;
                Ok(CallRecord {
                    arrival: to_utc(arrival),
                    outcome,
                    wait_seconds,
                    talk_seconds,
                })
            })
            .collect()
    }

    /// The arrival times only of a queue's calls in [from, to) (what
    /// counting them per interval needs), in order.
    pub fn call_arrivals(
        &self,
        queue: QueueId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, DbError> {
        let rows: Vec<NaiveDateTime> = with_conn!(self, conn => call_records::table
            .filter(call_records::queue_id.eq(queue.0))
            .filter(call_records::arrival.ge(to_naive(from)))
            .filter(call_records::arrival.lt(to_naive(to)))
            .order(call_records::arrival)
            .select(call_records::arrival)
            .load(conn)?);
        Ok(rows.into_iter().map(to_utc).collect())
    }

    /// How many calls of each outcome a queue has stored, and their span.
    pub fn call_counts(&self, queue: QueueId) -> Result<CallCounts, DbError> {
        use diesel::dsl::{count_star, max, min};
        type Row = (String, i64, Option<NaiveDateTime>, Option<NaiveDateTime>);
        let rows: Vec<Row> = with_conn!(self, conn => call_records::table
            .filter(call_records::queue_id.eq(queue.0))
            .group_by(call_records::outcome)
            .select((
                call_records::outcome,
                count_star(),
                min(call_records::arrival),
                max(call_records::arrival),
            ))
            .load(conn)?);
        let mut counts = CallCounts::default();
        for (outcome, n, first, last) in rows {
            match CallOutcome::parse(&outcome) {
                Some(CallOutcome::Answered) => counts.answered = n,
                Some(CallOutcome::Abandoned) => counts.abandoned = n,
                None => {
                    return Err(DbError::Corrupt(format!(
                        "call of queue {queue}: outcome '{outcome}'"
                    )))
                }
            }
            let (first, last) = (first.map(to_utc), last.map(to_utc));
            counts.first = counts.first.into_iter().chain(first).min();
            counts.last = counts.last.into_iter().chain(last).max();
        }
        Ok(counts)
    }
}
