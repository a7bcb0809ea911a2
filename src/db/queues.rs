//! Queues: create, read, list.

use super::schema::queues;
use super::{to_naive, to_utc, with_conn, Database, DbError};
use crate::domain::opening_hours::OpeningHoursDoc;
use crate::domain::queue::parse_time_zone;
use crate::domain::{
    Channel, OpeningHours, QueueId, QueueSpec, ServiceGoal, StaffingOptions, WeekendDays,
};
use chrono::{DateTime, Utc};
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub struct StoredQueue {
    pub id: QueueId,
    pub spec: QueueSpec,
    pub created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = queues)]
struct QueueRow {
    id: i32,
    name: String,
    channel: String,
    interval_minutes: i32,
    time_zone: String,
    service_level: f64,
    answer_within_seconds: f64,
    max_asa_seconds: Option<f64>,
    max_abandon_rate: Option<f64>,
    shrinkage: f64,
    max_occupancy: f64,
    created_at: chrono::NaiveDateTime,
    patience_seconds: Option<f64>,
    chat_concurrency: Option<i32>,
    deadline_seconds: Option<f64>,
    default_aht_seconds: Option<f64>,
    opening_hours: Option<String>,
    weekend_days: String,
    interval_confidence_percent: Option<f64>,
    offered_percent: Option<f64>,
}

#[derive(Insertable)]
#[diesel(table_name = queues, treat_none_as_default_value = false)]
struct NewQueueRow<'a> {
    name: &'a str,
    channel: &'a str,
    interval_minutes: i32,
    time_zone: &'a str,
    service_level: f64,
    answer_within_seconds: f64,
    max_asa_seconds: Option<f64>,
    max_abandon_rate: Option<f64>,
    shrinkage: f64,
    max_occupancy: f64,
    created_at: chrono::NaiveDateTime,
    patience_seconds: Option<f64>,
    chat_concurrency: Option<i32>,
    deadline_seconds: Option<f64>,
    default_aht_seconds: Option<f64>,
    opening_hours: Option<String>,
    weekend_days: String,
    interval_confidence_percent: Option<f64>,
    offered_percent: Option<f64>,
}

/// Queue settings to change; `None` leaves one as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueueSettingsChange {
    /// `Some(None)` clears it.
    pub default_aht_seconds: Option<Option<f64>>,
    pub weekend: Option<WeekendDays>,
    /// Percent; `Some(None)` clears it.
    pub interval_confidence_percent: Option<Option<f64>>,
    /// Percent; `Some(None)` clears it (learn it from call records).
    pub offered_percent: Option<Option<f64>>,
}

#[derive(AsChangeset)]
#[diesel(table_name = queues)]
struct SettingsRow {
    default_aht_seconds: Option<Option<f64>>,
    weekend_days: Option<String>,
    interval_confidence_percent: Option<Option<f64>>,
    offered_percent: Option<Option<f64>>,
}

/// Opening hours as stored: the JSON document, or NULL for 24 h every day.
fn hours_text(hours: &OpeningHours) -> Result<Option<String>, DbError> {
    if hours.is_always_open() {
        return Ok(None);
    }
    serde_json::to_string(&hours.to_doc())
        .map(Some)
        .map_err(|e| DbError::Corrupt(format!("opening hours: {e}")))
}

/// Weekend days as stored: names joined by commas (`sat,sun`).
fn weekend_text(weekend: &WeekendDays) -> String {
    weekend.names().join(",")
}

impl QueueRow {
    fn into_stored(self) -> Result<StoredQueue, DbError> {
        let corrupt =
            |e: crate::domain::InvalidValue| DbError::Corrupt(format!("queue {}: {e}", self.id));
        let channel: Channel = self.channel.parse().map_err(corrupt)?;
        let goal = ServiceGoal::new(
            self.service_level,
            self.answer_within_seconds,
            self.max_asa_seconds,
            self.max_abandon_rate,
        )
        .map_err(corrupt)?;
        parse_time_zone(&self.time_zone).map_err(corrupt)?;
        let spec = QueueSpec::new(
            &self.name,
            channel,
            self.interval_minutes as u32,
            &self.time_zone,
            goal,
            self.shrinkage,
            self.max_occupancy,
        )
        .and_then(|spec| {
            spec.with_staffing(StaffingOptions {
                patience_seconds: self.patience_seconds,
                chat_concurrency: self.chat_concurrency.map(|k| k as u32),
                deadline_seconds: self.deadline_seconds,
            })
        })
        .and_then(|spec| spec.with_default_aht(self.default_aht_seconds))
        .and_then(|spec| spec.with_interval_confidence(self.interval_confidence_percent))
        .and_then(|spec| spec.with_offered_percent(self.offered_percent))
        .map_err(corrupt)?;
        let hours = match &self.opening_hours {
            None => OpeningHours::default(),
            Some(text) => {
                let doc: OpeningHoursDoc = serde_json::from_str(text).map_err(|e| {
                    DbError::Corrupt(format!("queue {}: opening hours: {e}", self.id))
                })?;
                OpeningHours::from_doc(&doc).map_err(corrupt)?
            }
        };
        let names: Vec<String> = self.weekend_days.split(',').map(str::to_string).collect();
        let weekend = WeekendDays::parse(&names).map_err(corrupt)?;
        let spec = spec.with_hours(hours).with_weekend(weekend);
        Ok(StoredQueue {
            id: QueueId(self.id),
            spec,
            created_at: to_utc(self.created_at),
        })
    }
}

impl Database {
    pub fn create_queue(&self, spec: &QueueSpec) -> Result<StoredQueue, DbError> {
        let now = Utc::now();
        let tz = spec.time_zone.name();
        let row = NewQueueRow {
            name: &spec.name,
            channel: spec.channel.as_str(),
            interval_minutes: spec.interval_minutes as i32,
            time_zone: tz,
            service_level: spec.goal.service_level(),
            answer_within_seconds: spec.goal.answer_within_seconds(),
            max_asa_seconds: spec.goal.max_asa_seconds(),
            max_abandon_rate: spec.goal.max_abandon_rate(),
            shrinkage: spec.shrinkage,
            max_occupancy: spec.max_occupancy,
            created_at: to_naive(now),
            patience_seconds: spec.staffing.patience_seconds,
            chat_concurrency: spec.staffing.chat_concurrency.map(|k| k as i32),
            deadline_seconds: spec.staffing.deadline_seconds,
            default_aht_seconds: spec.default_aht_seconds,
            opening_hours: hours_text(&spec.hours)?,
            weekend_days: weekend_text(&spec.weekend),
            interval_confidence_percent: spec.interval_confidence.map(|c| c * 100.0),
            offered_percent: spec.offered_share.map(|s| s * 100.0),
        };
        let id: i32 = with_conn!(self, conn => diesel::insert_into(queues::table)
            .values(&row)
            .returning(queues::id)
            .get_result(conn)
            .map_err(|e| unique_violation(e, format!("a queue named '{}' already exists", spec.name)))?);
        self.queue(QueueId(id))?
            .ok_or_else(|| DbError::Corrupt(format!("queue {id} vanished after insert")))
    }

    pub fn queue(&self, id: QueueId) -> Result<Option<StoredQueue>, DbError> {
        let row: Option<QueueRow> = with_conn!(self, conn => queues::table
            .find(id.0)
            .select(QueueRow::as_select())
            .first(conn)
            .optional()?);
        row.map(QueueRow::into_stored).transpose()
    }

    /// Sets a queue's opening hours; false when there is no such queue.
    pub fn set_queue_hours(&self, id: QueueId, hours: &OpeningHours) -> Result<bool, DbError> {
        let text = hours_text(hours)?;
        let n = with_conn!(self, conn => diesel::update(queues::table.find(id.0))
            .set(queues::opening_hours.eq(&text))
            .execute(conn)?);
        Ok(n > 0)
    }

    /// Changes the settings given (a `None` is left as it is); false when
    /// there is no such queue.
    pub fn update_queue_settings(
        &self,
        id: QueueId,
        change: &QueueSettingsChange,
    ) -> Result<bool, DbError> {
        let row = SettingsRow {
            default_aht_seconds: change.default_aht_seconds,
            weekend_days: change.weekend.as_ref().map(weekend_text),
            interval_confidence_percent: change.interval_confidence_percent,
            offered_percent: change.offered_percent,
        };
        if row.default_aht_seconds.is_none()
            && row.weekend_days.is_none()
            && row.interval_confidence_percent.is_none()
            && row.offered_percent.is_none()
        {
            return Ok(self.queue(id)?.is_some());
        }
        let n = with_conn!(self, conn => diesel::update(queues::table.find(id.0))
            .set(&row)
            .execute(conn)?);
        Ok(n > 0)
    }

    pub fn queues(&self) -> Result<Vec<StoredQueue>, DbError> {
        let rows: Vec<QueueRow> = with_conn!(self, conn => queues::table
            .order(queues::id)
            .select(QueueRow::as_select())
            .load(conn)?);
        rows.into_iter().map(QueueRow::into_stored).collect()
    }
}

/// Turns a unique-key violation into a conflict the caller can explain.
pub(crate) fn unique_violation(e: diesel::result::Error, message: String) -> DbError {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => DbError::Conflict(message),
        other => DbError::Query(other),
    }
}
