//! A queue's calendar of special days, replaced or edited as a whole.

use super::schema::special_days;
use super::{with_conn, Database, DbError, WriteTransaction};
use crate::domain::QueueId;
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::upsert::excluded;
use serde::Serialize;

/// One stored day: `kind` is holiday|closed|campaign|outlier;
/// `effect_percent` (e.g. +30, -60) when the planner set the effect.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable, utoipa::ToSchema)]
#[diesel(table_name = special_days)]
pub struct StoredSpecialDay {
    #[serde(rename = "date")]
    pub day: NaiveDate,
    pub kind: String,
    pub name: String,
    pub effect_percent: Option<f64>,
}

#[derive(Insertable)]
#[diesel(table_name = special_days, treat_none_as_default_value = false)]
struct SpecialDayInsert<'a> {
    queue_id: i32,
    day: NaiveDate,
    kind: &'a str,
    name: &'a str,
    effect_percent: Option<f64>,
}

impl Database {
    /// Adds or replaces days (by date) in one transaction.
    pub fn upsert_special_days(
        &self,
        queue: QueueId,
        days: &[StoredSpecialDay],
    ) -> Result<usize, DbError> {
        let rows: Vec<SpecialDayInsert> = days
            .iter()
            .map(|d| SpecialDayInsert {
                queue_id: queue.0,
                day: d.day,
                kind: &d.kind,
                name: &d.name,
                effect_percent: d.effect_percent,
            })
            .collect();
        with_conn!(self, conn => conn.write_transaction::<(), DbError, _>(|conn| {
            for chunk in rows.chunks(super::BATCH_ROWS) {
                diesel::insert_into(special_days::table)
                    .values(chunk)
                    .on_conflict((special_days::queue_id, special_days::day))
                    .do_update()
                    .set((
                        special_days::kind.eq(excluded(special_days::kind)),
                        special_days::name.eq(excluded(special_days::name)),
                        special_days::effect_percent.eq(excluded(special_days::effect_percent)),
                    ))
                    .execute(conn)?;
            }
            Ok(())
        })?);
        Ok(rows.len())
    }

    pub fn special_days(&self, queue: QueueId) -> Result<Vec<StoredSpecialDay>, DbError> {
        Ok(with_conn!(self, conn => special_days::table
            .filter(special_days::queue_id.eq(queue.0))
            .order(special_days::day)
            .select(StoredSpecialDay::as_select())
            .load(conn)?))
    }

    /// Removes one day; false when it was not in the calendar.
    pub fn delete_special_day(&self, queue: QueueId, day: NaiveDate) -> Result<bool, DbError> {
        let n = with_conn!(self, conn => diesel::delete(
            special_days::table
                .filter(special_days::queue_id.eq(queue.0))
                .filter(special_days::day.eq(day)),
        )
        .execute(conn)?);
        Ok(n == 1)
    }
}
