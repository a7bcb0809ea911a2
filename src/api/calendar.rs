//! /api/v1/queues/{id}/special-days: the calendar the forecast applies.

use super::blocking;
use super::body::read_upload;
use super::error::ApiError;
use crate::app::calendar::{delete_special_day, import_special_days, special_days};
use crate::db::Database;
use crate::domain::QueueId;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Serialize;

#[utoipa::path(get, path = "/api/v1/queues/{id}/special-days", tag = "calendar", params(("id" = i32, Path, description = "Queue id")), responses((status = 200, description = "The queue's special days", body = Vec<crate::db::special_days::StoredSpecialDay>)))]
pub async fn list(db: web::Data<Database>, id: web::Path<i32>) -> Result<HttpResponse, ApiError> {
    let id = QueueId(id.into_inner());
    let db = db.into_inner();
    let days = blocking(move || special_days(&db, id)).await?;
    Ok(HttpResponse::Ok().json(days))
}

/// CSV `date,kind,name[,effect_percent]` or a JSON array; all or none.
#[utoipa::path(post, path = "/api/v1/queues/{id}/special-days", tag = "calendar", params(("id" = i32, Path, description = "Queue id")), request_body(content((String = "text/csv", example = "date,kind,name,effect_percent\n2026-12-25,holiday,Christmas,-80\n"), (Vec<crate::app::calendar::JsonDay> = "application/json")), description = "CSV `date,kind,name[,effect_percent]` or a JSON array; all or none"), responses((status = 200, description = "How many days were stored", body = ImportedDays)))]
pub async fn import(
    req: HttpRequest,
    payload: web::Payload,
    db: web::Data<Database>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = QueueId(id.into_inner());
    let (format, body) = read_upload(&req, payload).await?;
    let db = db.into_inner();
    let rows = blocking(move || import_special_days(&db, id, &body, format)).await?;
    Ok(HttpResponse::Ok().json(ImportedDays { queue_id: id, rows }))
}

/// How many days an import stored.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ImportedDays {
    queue_id: QueueId,
    rows: usize,
}

#[utoipa::path(delete, path = "/api/v1/queues/{id}/special-days/{date}", tag = "calendar", params(("id" = i32, Path, description = "Queue id"), ("date" = chrono::NaiveDate, Path, description = "The day (YYYY-MM-DD)")), responses((status = 204, description = "Deleted")))]
pub async fn delete(
    db: web::Data<Database>,
    path: web::Path<(i32, NaiveDate)>,
) -> Result<HttpResponse, ApiError> {
    let (id, date) = path.into_inner();
    let db = db.into_inner();
    blocking(move || delete_special_day(&db, QueueId(id), date)).await?;
    Ok(HttpResponse::NoContent().finish())
}
