//! /api/v1/queues/{id}/opening-hours: when a queue takes contacts.

use super::blocking;
use super::body::Json;
use super::error::ApiError;
use crate::app::history::{queue, set_opening_hours};
use crate::db::queues::StoredQueue;
use crate::db::Database;
use crate::domain::opening_hours::OpeningHoursDoc;
use crate::domain::{OpeningHours, QueueId};
use actix_web::{web, HttpResponse};
use serde::Serialize;

/// A queue's opening hours: every weekday and every date with hours of its
/// own, in the queue's local time.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OpeningHoursView {
    queue_id: QueueId,
    #[schema(example = "Asia/Jerusalem")]
    time_zone: &'static str,
    #[serde(flatten)]
    hours: OpeningHoursDoc,
}

impl From<StoredQueue> for OpeningHoursView {
    fn from(q: StoredQueue) -> Self {
        OpeningHoursView {
            queue_id: q.id,
            time_zone: q.spec.time_zone.name(),
            hours: q.spec.hours.to_doc(),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/queues/{id}/opening-hours", tag = "queues", params(("id" = i32, Path, description = "Queue id")), responses((status = 200, description = "The queue's opening hours (24 h every day unless set)", body = OpeningHoursView)))]
pub async fn get(db: web::Data<Database>, id: web::Path<i32>) -> Result<HttpResponse, ApiError> {
    let id = QueueId(id.into_inner());
    let db = db.into_inner();
    let stored = blocking(move || queue(&db, id)).await?;
    Ok(HttpResponse::Ok().json(OpeningHoursView::from(stored)))
}

/// Replaces the opening hours: ranges per weekday (left out: open 24 h;
/// `[]`: closed) and dates with their own hours or closed. Forecasts made
/// afterwards need no agents while the queue is closed; a calendar day of
/// kind `closed` is closed too unless `dates` gives it hours.
#[utoipa::path(put, path = "/api/v1/queues/{id}/opening-hours", tag = "queues", params(("id" = i32, Path, description = "Queue id")), request_body = OpeningHoursDoc, responses((status = 200, description = "The opening hours, stored", body = OpeningHoursView)))]
pub async fn replace(
    db: web::Data<Database>,
    id: web::Path<i32>,
    body: Json<OpeningHoursDoc>,
) -> Result<HttpResponse, ApiError> {
    let id = QueueId(id.into_inner());
    let hours = OpeningHours::from_doc(&body.into_inner())?;
    let db = db.into_inner();
    let stored = blocking(move || set_opening_hours(&db, id, &hours)).await?;
    Ok(HttpResponse::Ok().json(OpeningHoursView::from(stored)))
}
