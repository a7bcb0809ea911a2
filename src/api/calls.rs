//! Real calls: a queue's per-call records (`/queues/{id}/calls`), and a
//! roster replayed against them (`/schedules/{id}/replay`).

use super::blocking;
use super::body::{body_limit, read_limited, OptionalJson};
use super::error::ApiError;
use crate::app::calls::{call_counts, import_calls};
use crate::app::replay::{replay_schedule, ReplayOptions, ReplayReport};
use crate::db::Database;
use crate::domain::{QueueId, ScheduleId};
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a per-call import stored.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CallImportView {
    queue_id: QueueId,
    /// Calls stored.
    rows: usize,
    /// Calls stored before in the same window, now replaced.
    replaced: usize,
    /// The window the import covers: its first and last arrival (UTC).
    first_arrival: DateTime<Utc>,
    last_arrival: DateTime<Utc>,
}

/// Per-call records as CSV (`text/csv`): all rows or none. The import
/// replaces the queue's stored calls from its first to its last arrival.
#[utoipa::path(post, path = "/api/v1/queues/{id}/calls", tag = "calls", params(("id" = i32, Path, description = "Queue id")), request_body(content((String = "text/csv", example = "arrival,outcome,wait_seconds,talk_seconds\n2026-01-05T08:00:12+01:00,answered,14,182\n2026-01-05 08:00:40,abandoned,63,\n")), description = "One call a row: arrival (offset, or local time in the queue's zone), outcome answered|abandoned, wait_seconds, talk_seconds (empty for abandoned); all rows or none"), responses((status = 200, description = "What the import stored", body = CallImportView)))]
pub async fn import(
    req: HttpRequest,
    payload: web::Payload,
    db: web::Data<Database>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = QueueId(id.into_inner());
    let content_type = req.content_type();
    if !content_type.eq_ignore_ascii_case("text/csv") {
        return Err(ApiError::UnsupportedMediaType(format!(
            "Content-Type '{content_type}': send the calls as text/csv"
        )));
    }
    let body = read_limited(&req, payload, body_limit(&req)).await?;
    let db = db.into_inner();
    let stored = blocking(move || import_calls(&db, id, &body)).await?;
    tracing::info!(
        queue = id.0,
        rows = stored.rows,
        replaced = stored.replaced,
        "call records imported"
    );
    Ok(HttpResponse::Ok().json(CallImportView {
        queue_id: id,
        rows: stored.rows,
        replaced: stored.replaced,
        first_arrival: stored.first,
        last_arrival: stored.last,
    }))
}

/// A queue's stored calls: how many of each outcome, and the window.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CallSummaryView {
    queue_id: QueueId,
    time_zone: &'static str,
    calls: i64,
    answered: i64,
    abandoned: i64,
    /// First and last stored arrival (UTC); null with no calls.
    first_arrival: Option<DateTime<Utc>>,
    last_arrival: Option<DateTime<Utc>>,
}

#[utoipa::path(get, path = "/api/v1/queues/{id}/calls/summary", tag = "calls", params(("id" = i32, Path, description = "Queue id")), responses((status = 200, description = "Stored calls per outcome and the window they cover", body = CallSummaryView)))]
pub async fn summary(
    db: web::Data<Database>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = QueueId(id.into_inner());
    let db = db.into_inner();
    let (tz, counts) = blocking(move || call_counts(&db, id)).await?;
    Ok(HttpResponse::Ok().json(CallSummaryView {
        queue_id: id,
        time_zone: tz.name(),
        calls: counts.answered + counts.abandoned,
        answered: counts.answered,
        abandoned: counts.abandoned,
        first_arrival: counts.first,
        last_arrival: counts.last,
    }))
}

/// Optional settings of a replay.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayBody {
    /// Start of the window replayed (offset, or local time in the queue's
    /// zone; on the queue's grid); default the roster's first day.
    #[schema(example = "2026-01-05T00:00:00+01:00")]
    from: Option<String>,
    /// End of the window (excluded); default the end of the roster.
    to: Option<String>,
    /// Default 1.
    seed: Option<u64>,
    /// 1 to 1000, default 10; calls × replications is at most 1e7.
    replications: Option<u32>,
}

/// Replays the queue's real calls (stored per-call records) against the
/// roster and sets each interval beside what `/check` promised.
#[utoipa::path(post, path = "/api/v1/schedules/{id}/replay", tag = "schedules", params(("id" = i32, Path, description = "Schedule id")), request_body(content = Option<ReplayBody>, description = "Optional: window (from, to), seed, replications"), responses((status = 200, description = "Per interval: real calls offered, replayed answered/abandoned, SL, ASA, the records' own outcome and the promise; totals", body = ReplayReport)))]
pub async fn replay(
    db: web::Data<Database>,
    id: web::Path<i32>,
    body: OptionalJson<ReplayBody>,
) -> Result<HttpResponse, ApiError> {
    let id = ScheduleId(id.into_inner());
    let body = body.0.unwrap_or_default();
    let defaults = ReplayOptions::default();
    let options = ReplayOptions {
        from: body.from,
        to: body.to,
        seed: body.seed.unwrap_or(defaults.seed),
        replications: body.replications.unwrap_or(defaults.replications),
    };
    let db = db.into_inner();
    let report = blocking(move || replay_schedule(&db, id, &options)).await?;
    Ok(HttpResponse::Ok().json(report))
}
