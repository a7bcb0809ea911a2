//! /api/v1/queues: queues and their interval history.

use super::blocking;
use super::body::{read_upload, Json};
use super::error::ApiError;
use crate::app::history::{
    create_queue, history_between, import_history as import, queue, queues, update_queue_settings,
};
use crate::db::queues::{QueueSettingsChange, StoredQueue};
use crate::db::Database;
use crate::domain::{Channel, QueueId, QueueSpec, ServiceGoal, StaffingOptions, WeekendDays};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueBody {
    #[schema(min_length = 1, max_length = 200, example = "Retail voice")]
    name: String,
    channel: Channel,
    #[serde(default = "default_interval")]
    #[schema(minimum = 15, maximum = 60, multiple_of = 15, example = 30)]
    interval_minutes: u32,
    #[serde(default = "default_zone")]
    #[schema(example = "Europe/Paris")]
    time_zone: String,
    #[serde(default = "default_sl")]
    #[schema(exclusive_minimum = 0, exclusive_maximum = 100, example = 80)]
    service_level_percent: f64,
    #[serde(default = "default_within")]
    #[schema(minimum = 0, example = 20)]
    answer_within_seconds: f64,
    #[schema(exclusive_minimum = 0)]
    max_asa_seconds: Option<f64>,
    #[schema(exclusive_minimum = 0, exclusive_maximum = 100)]
    max_abandon_percent: Option<f64>,
    #[serde(default = "default_shrinkage")]
    #[schema(minimum = 0, exclusive_maximum = 100, example = 30)]
    shrinkage_percent: f64,
    #[serde(default = "default_occupancy")]
    #[schema(exclusive_minimum = 0, maximum = 100, example = 85)]
    max_occupancy_percent: f64,
    /// Voice: mean caller patience; set it to staff with Erlang A.
    patience_seconds: Option<f64>,
    /// Chat: chats one agent holds at once.
    chat_concurrency: Option<u32>,
    /// Email/social: how long an item may wait for its answer.
    deadline_seconds: Option<f64>,
    /// Handle time forecast when the history has no aht_seconds; without
    /// it such a forecast has volumes only (no requirements).
    #[schema(exclusive_minimum = 0, maximum = 86400, example = 240)]
    default_aht_seconds: Option<f64>,
    /// The share (percent) of open intervals expected to meet the goal
    /// under the forecast's uncertainty (their mean chance): requirements
    /// add agents, from the point forecast's, where they raise the chance
    /// most until it is reached. Left out: staff for the point forecast.
    #[schema(minimum = 50, maximum = 99.9, example = 90)]
    interval_confidence_percent: Option<f64>,
    /// Contacts offered to agents per 100 the history counts (1–200; the
    /// history may count voice-menu hang-ups the queue never sees).
    /// Requirements, `/check` and `/simulate` staff this share of the
    /// forecast. Left out: each forecast learns it from the queue's call
    /// records before its origin (see the forecast's `offered`), else 100.
    #[schema(minimum = 1, maximum = 200, example = 94)]
    offered_percent: Option<f64>,
    /// The days `max_working_weekends` counts: one run of 1 to 6 weekdays
    /// (`mon` … `sun`); default `["sat", "sun"]`.
    #[schema(example = json!(["fri", "sat"]))]
    weekend_days: Option<Vec<String>>,
}

pub(super) fn default_interval() -> u32 {
    15
}
fn default_zone() -> String {
    "UTC".into()
}
pub(super) fn default_sl() -> f64 {
    80.0
}
pub(super) fn default_within() -> f64 {
    20.0
}
/// A queue's defaults, also /staffing/calculate's (one answer to "what if").
pub(super) fn default_shrinkage() -> f64 {
    30.0
}
pub(super) fn default_occupancy() -> f64 {
    85.0
}

impl QueueBody {
    fn parse(self) -> Result<QueueSpec, ApiError> {
        let goal = ServiceGoal::new(
            self.service_level_percent / 100.0,
            self.answer_within_seconds,
            self.max_asa_seconds,
            self.max_abandon_percent.map(|p| p / 100.0),
        )?;
        Ok(QueueSpec::new(
            &self.name,
            self.channel,
            self.interval_minutes,
            &self.time_zone,
            goal,
            self.shrinkage_percent / 100.0,
            self.max_occupancy_percent / 100.0,
        )?
        .with_staffing(StaffingOptions {
            patience_seconds: self.patience_seconds,
            chat_concurrency: self.chat_concurrency,
            deadline_seconds: self.deadline_seconds,
        })?
        .with_default_aht(self.default_aht_seconds)?
        .with_weekend(match self.weekend_days {
            Some(names) => WeekendDays::parse(&names)?,
            None => WeekendDays::default(),
        })
        .with_interval_confidence(self.interval_confidence_percent)?
        .with_offered_percent(self.offered_percent)?)
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct QueueView {
    id: QueueId,
    name: String,
    channel: Channel,
    interval_minutes: u32,
    time_zone: String,
    service_level_percent: f64,
    answer_within_seconds: f64,
    max_asa_seconds: Option<f64>,
    max_abandon_percent: Option<f64>,
    shrinkage_percent: f64,
    max_occupancy_percent: f64,
    patience_seconds: Option<f64>,
    chat_concurrency: Option<u32>,
    deadline_seconds: Option<f64>,
    default_aht_seconds: Option<f64>,
    /// The days of the queue's weekend, first day first.
    #[schema(example = json!(["sat", "sun"]))]
    weekend_days: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    interval_confidence_percent: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    offered_percent: Option<f64>,
    created_at: DateTime<Utc>,
}

impl From<StoredQueue> for QueueView {
    fn from(q: StoredQueue) -> Self {
        let s = q.spec;
        QueueView {
            id: q.id,
            name: s.name,
            channel: s.channel,
            interval_minutes: s.interval_minutes,
            time_zone: s.time_zone.name().to_string(),
            service_level_percent: round6(s.goal.service_level() * 100.0),
            answer_within_seconds: s.goal.answer_within_seconds(),
            max_asa_seconds: s.goal.max_asa_seconds(),
            max_abandon_percent: s.goal.max_abandon_rate().map(|r| round6(r * 100.0)),
            shrinkage_percent: round6(s.shrinkage * 100.0),
            max_occupancy_percent: round6(s.max_occupancy * 100.0),
            patience_seconds: s.staffing.patience_seconds,
            chat_concurrency: s.staffing.chat_concurrency,
            deadline_seconds: s.staffing.deadline_seconds,
            default_aht_seconds: s.default_aht_seconds,
            weekend_days: s.weekend.names(),

            interval_confidence_percent: s.interval_confidence.map(|c| (c * 1000.0).round() / 10.0),
            offered_percent: s.offered_share.map(|o| round6(o * 100.0)),
            created_at: q.created_at,
        }
    }
}

/// Percent ↔ fraction round trips leave float dust (30.000000000000004).
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

#[utoipa::path(post, path = "/api/v1/queues", tag = "queues", request_body = QueueBody, responses((status = 201, description = "The queue, stored", body = QueueView)))]
pub async fn create(
    db: web::Data<Database>,
    body: Json<QueueBody>,
) -> Result<HttpResponse, ApiError> {
    let spec = body.into_inner().parse()?;
    let db = db.into_inner();
    let stored = blocking(move || create_queue(&db, &spec)).await?;
    Ok(HttpResponse::Created().json(QueueView::from(stored)))
}

#[utoipa::path(get, path = "/api/v1/queues", tag = "queues", responses((status = 200, description = "Every queue", body = Vec<QueueView>)))]
pub async fn list(db: web::Data<Database>) -> Result<HttpResponse, ApiError> {
    let db = db.into_inner();
    let queues = blocking(move || queues(&db)).await?;
    Ok(HttpResponse::Ok().json(queues.into_iter().map(QueueView::from).collect::<Vec<_>>()))
}

#[utoipa::path(get, path = "/api/v1/queues/{id}", tag = "queues", params(("id" = i32, Path, description = "Queue id")), responses((status = 200, description = "The queue", body = QueueView)))]
pub async fn get(db: web::Data<Database>, id: web::Path<i32>) -> Result<HttpResponse, ApiError> {
    let id = QueueId(id.into_inner());
    let db = db.into_inner();
    let stored = blocking(move || queue(&db, id)).await?;
    Ok(HttpResponse::Ok().json(QueueView::from(stored)))
}

/// The queue settings that may change after it is created.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueSettingsBody {
    /// Seconds, or null to clear; left out, unchanged.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<f64>, exclusive_minimum = 0, maximum = 86400, example = 240)]
    default_aht_seconds: Option<Option<f64>>,
    /// Percent (50–99.9), or null to staff for the point forecast again;
    /// left out, unchanged.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<f64>, minimum = 50, maximum = 99.9, example = 90)]
    interval_confidence_percent: Option<Option<f64>>,
    /// Percent (1–200), or null to learn it again from call records; left
    /// out, unchanged.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<f64>, minimum = 1, maximum = 200, example = 94)]
    offered_percent: Option<Option<f64>>,
    /// The weekend's days (one run of 1 to 6 of `mon` … `sun`); left out,
    /// unchanged. Rosters built after the change count these days.
    #[schema(example = json!(["fri", "sat"]))]
    weekend_days: Option<Vec<String>>,
}

/// A field that is present, even as null, is `Some`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<f64>>, D::Error> {
    Option::<f64>::deserialize(d).map(Some)
}

/// Changes a queue's settings: `default_aht_seconds`, the handle time its
/// next forecasts use when the history has none, and `weekend_days`, the
/// days its next rosters count as weekend, and
/// `interval_confidence_percent`, the share of open intervals of its next
/// forecasts' requirements expected to meet the goal, and `offered_percent`,
/// the share of the history's counts its next forecasts staff. All are
/// checked before any is stored.
#[utoipa::path(patch, path = "/api/v1/queues/{id}", tag = "queues", params(("id" = i32, Path, description = "Queue id")), request_body = QueueSettingsBody, responses((status = 200, description = "The queue, changed", body = QueueView)))]
pub async fn update(
    db: web::Data<Database>,
    id: web::Path<i32>,
    body: Json<QueueSettingsBody>,
) -> Result<HttpResponse, ApiError> {
    let id = QueueId(id.into_inner());
    let body = body.into_inner();
    let change = QueueSettingsChange {
        default_aht_seconds: body.default_aht_seconds,
        weekend: body
            .weekend_days
            .map(|names| WeekendDays::parse(&names))
            .transpose()?,
        interval_confidence_percent: body.interval_confidence_percent,
        offered_percent: body.offered_percent,
    };
    let db = db.into_inner();
    let stored = blocking(move || update_queue_settings(&db, id, &change)).await?;
    Ok(HttpResponse::Ok().json(QueueView::from(stored)))
}

/// What an import did.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ImportView {
    queue_id: QueueId,
    rows: usize,
    inserted: usize,
    updated: usize,
}

/// CSV (`text/csv`) or JSON (`application/json`) history; all rows or none.
#[utoipa::path(post, path = "/api/v1/queues/{id}/history", tag = "history", params(("id" = i32, Path, description = "Queue id")), request_body(content((String = "text/csv", example = "interval_start,volume,aht_seconds\n2026-01-05T08:00:00Z,42,310\n"), (Vec<crate::domain::history::JsonRow> = "application/json")), description = "Interval history: CSV `interval_start,volume[,aht_seconds]` or a JSON array; all rows or none"), responses((status = 200, description = "What the import stored", body = ImportView)))]
pub async fn import_history(
    req: HttpRequest,
    payload: web::Payload,
    db: web::Data<Database>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = QueueId(id.into_inner());
    let (format, body) = read_upload(&req, payload).await?;
    let db = db.into_inner();
    let summary = blocking(move || import(&db, id, &body, format)).await?;
    tracing::info!(
        queue = id.0,
        rows = summary.rows,
        inserted = summary.inserted,
        updated = summary.updated,
        "history imported"
    );
    Ok(HttpResponse::Ok().json(ImportView {
        queue_id: id,
        rows: summary.rows,
        inserted: summary.inserted,
        updated: summary.updated,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct RangeQuery {
    from: Option<String>,
    to: Option<String>,
}

/// A queue's history in its zone.
#[derive(Serialize, utoipa::ToSchema)]
pub struct HistoryResponse {
    queue_id: QueueId,
    time_zone: &'static str,
    intervals: Vec<HistoryView>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct HistoryView {
    interval_start: DateTime<Utc>,
    volume: f64,
    aht_seconds: Option<f64>,
}

#[utoipa::path(get, path = "/api/v1/queues/{id}/history", tag = "history", params(("id" = i32, Path, description = "Queue id"), RangeQuery), responses((status = 200, description = "The history between the bounds, in the queue's zone", body = HistoryResponse)))]
pub async fn history(
    db: web::Data<Database>,
    id: web::Path<i32>,
    range: web::Query<RangeQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = QueueId(id.into_inner());
    let db = db.into_inner();
    let range = range.into_inner();
    let (tz, rows) =
        blocking(move || history_between(&db, id, range.from.as_deref(), range.to.as_deref()))
            .await?;
    Ok(HttpResponse::Ok().json(HistoryResponse {
        queue_id: id,
        time_zone: tz.name(),
        intervals: rows
            .into_iter()
            .map(|r| HistoryView {
                interval_start: r.start,
                volume: r.volume,
                aht_seconds: r.aht_seconds,
            })
            .collect(),
    }))
}
