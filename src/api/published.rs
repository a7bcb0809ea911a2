//! What HR tools pull: `GET /api/v1/schedules` (a filtered, paginated
//! list), `POST /api/v1/schedules/{id}/publish`, `GET /api/v1/rosters` (the
//! published roster of a queue and week, with `ETag` and `Last-Modified`),
//! and per-agent calendar feeds at a secret URL.

use super::blocking;
use super::cache::{BodyCache, Encoded, Version};
use super::error::ApiError;
use super::guard::Caller;
use super::ical::{events_ics, Event};
use super::schedules::{roster_csv, ShiftView};
use crate::app::publish::{
    create_feed, feed, list_schedules, parse_week, publish_schedule, published_roster,
    published_roster_version, revoke_feed, PublishedShift, ScheduleQuery,
};
use crate::auth::KeyId;
use crate::db::Database;
use crate::domain::{AgentId, InvalidValue, QueueId, ScheduleId};
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Query values are taken as text and parsed in the app, so a bad one is
/// refused naming its parameter (serde's messages do not).
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    queue: Option<String>,
    status: Option<String>,
    week: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/schedules", tag = "schedules", params(ListParams), responses((status = 200, description = "A page of schedules, newest first, with their publication state", body = crate::app::publish::SchedulePage)))]
pub async fn list(
    db: web::Data<Database>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let p = params.into_inner();
    let query = ScheduleQuery {
        queue: p.queue,
        status: p.status,
        week: p.week,
        limit: p.limit,
        cursor: p.cursor,
    };
    let db = db.into_inner();
    Ok(HttpResponse::Ok().json(blocking(move || list_schedules(&db, &query)).await?))
}

/// Publishes a done schedule; the answer is the schedule with its
/// publication state. Recorded with the key that asked.
#[utoipa::path(post, path = "/api/v1/schedules/{id}/publish", tag = "publishing", params(("id" = i32, Path, description = "Schedule id")), responses((status = 200, description = "The schedule, published for every week it touches", body = crate::db::schedules::ScheduleRun)))]
pub async fn publish(
    req: HttpRequest,
    db: web::Data<Database>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = ScheduleId(id.into_inner());
    let by: Option<KeyId> = req.extensions().get::<Caller>().map(|c| c.key);
    let db = db.into_inner();
    let run = blocking(move || publish_schedule(&db, id, by)).await?;
    Ok(HttpResponse::Ok().json(run))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RosterParams {
    queue: Option<String>,
    week: Option<String>,
    format: Option<String>,
    updated_since: Option<String>,
}

fn required<'a>(field: &'static str, value: &'a Option<String>) -> Result<&'a str, InvalidValue> {
    value
        .as_deref()
        .ok_or_else(|| InvalidValue::new(field, "is required"))
}

/// A published shift in JSON: the schedule roster's shape, plus its
/// calendar identity and version.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PublishedShiftView {
    #[serde(flatten)]
    shift: ShiftView,
    uid: String,
    sequence: u32,
    modified_at: DateTime<Utc>,
}

/// The roster published for a queue and week.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PublishedRosterView {
    queue_id: QueueId,
    week: NaiveDate,
    schedule_id: ScheduleId,
    published_at: DateTime<Utc>,
    published_by: Option<KeyId>,
    time_zone: &'static str,
    shifts: Vec<PublishedShiftView>,
}

/// `GET /api/v1/rosters?queue=&week=`: the published roster of a week as
/// JSON, CSV or iCalendar. Conditional: `If-None-Match` with its `ETag`,
/// or `updated_since` (RFC 3339) against its publication time, answer 304
/// with no body when nothing changed.
#[utoipa::path(get, path = "/api/v1/rosters", tag = "publishing", params(RosterParams), responses((status = 200, description = "The roster published for the queue and week: JSON, CSV (`format=csv`) or iCalendar (`format=ics`)", content((PublishedRosterView = "application/json"), (String = "text/csv"), (String = "text/calendar")), headers(("ETag" = String, description = "Strong tag of these bytes"), ("Last-Modified" = String, description = "When the week was published"))), (status = 304, description = "Not modified: `If-None-Match` names the current ETag, or nothing was published after `updated_since`")))]
pub async fn roster(
    req: HttpRequest,
    db: web::Data<Database>,
    cache: web::Data<BodyCache>,
    params: web::Query<RosterParams>,
) -> Result<HttpResponse, ApiError> {
    let p = params.into_inner();
    let queue_raw = required("queue", &p.queue)?;
    let queue = queue_raw
        .parse::<i32>()
        .ok()
        .filter(|q| *q > 0)
        .map(QueueId)
        .ok_or_else(|| InvalidValue::new("queue", format!("'{queue_raw}' is not an id")))?;
    let week = parse_week("week", required("week", &p.week)?)?;
    let format = p.format.unwrap_or_else(|| "json".into());
    if !["json", "csv", "ics"].contains(&format.as_str()) {
        return Err(ApiError::BadFormat(format));
    }
    let since = p
        .updated_since
        .as_deref()
        .map(|raw| {
            DateTime::parse_from_rfc3339(raw)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| {
                    InvalidValue::new(
                        "updated_since",
                        format!("'{raw}' is not an RFC 3339 time (2026-02-16T08:00:00Z): {e}"),
                    )
                })
        })
        .transpose()?;
    let db = db.into_inner();
    // The published week is served from its encoded body while its version
    // (the publication and the agents' names) holds.
    let resource = format!("rosters:{queue}:{week}");
    let version = {
        let db = db.clone();
        cache
            .version_of(&resource, move || {
                Ok(
                    published_roster_version(&db, queue, week)?.map(|(v, at)| Version {
                        tag: format!("{v:x}"),
                        modified: Some(at),
                    }),
                )
            })
            .await?
    };
    let key = version
        .as_ref()
        .map(|v| format!("{resource}:{}:{format}", v.tag));
    if let (Some(v), Some(hit)) = (&version, key.as_deref().and_then(|k| cache.get(k))) {
        return Ok(hit.respond_since(&req, v.modified, since));
    }
    let read = blocking(move || published_roster(&db, queue, week)).await?;
    let publication = read.publication;
    let tz = read.time_zone;
    let encoded = match format.as_str() {
        "csv" => {
            let shifts: Vec<_> = read.shifts.iter().map(|s| s.shift.clone()).collect();
            Encoded::new("text/csv; charset=utf-8", roster_csv(&shifts, tz))
        }
        "ics" => Encoded::new("text/calendar; charset=utf-8", calendar(&read.shifts, tz)),
        _ => {
            let view = PublishedRosterView {
                queue_id: publication.queue_id,
                week: publication.week_start,
                schedule_id: publication.schedule_id,
                published_at: publication.published_at,
                published_by: publication.published_by,
                time_zone: tz.name(),
                shifts: read
                    .shifts
                    .iter()
                    .map(|s| PublishedShiftView {
                        shift: ShiftView::new(&s.shift, tz),
                        uid: s.uid.clone(),
                        sequence: s.sequence,
                        modified_at: s.modified,
                    })
                    .collect(),
            };
            let json = serde_json::to_vec(&view)
                .map_err(|e| ApiError::WorkerFailed(format!("roster JSON: {e}")))?;
            Encoded::new("application/json", json)
        }
    };
    if let Some(key) = key {
        cache.put(key, &encoded);
    }
    Ok(encoded.respond_since(&req, Some(publication.published_at), since))
}

/// The shifts as iCalendar events with their stable UIDs and versions.
fn calendar(shifts: &[PublishedShift], tz: Tz) -> String {
    let events: Vec<Event> = shifts
        .iter()
        .map(|s| Event {
            uid: s.uid.clone(),
            shift: &s.shift,
            stamped: s.modified,
            sequence: Some(s.sequence),
        })
        .collect();
    events_ics(&events, tz)
}

/// A new feed: the only answer that holds its secret URL.
#[derive(Serialize, utoipa::ToSchema)]
pub struct NewFeed {
    agent_id: AgentId,
    created_at: DateTime<Utc>,
    /// The feed's path, and its full URL as this request reached the server.
    path: String,
    url: String,
}

/// `POST /api/v1/agents/{id}/calendar-feed`: a new secret feed URL for the
/// agent (the previous one stops working).
#[utoipa::path(post, path = "/api/v1/agents/{id}/calendar-feed", tag = "publishing", params(("id" = i32, Path, description = "Agent id")), responses((status = 201, description = "The feed's secret URL, shown this once; the previous URL stops working", body = NewFeed)))]
pub async fn create_calendar_feed(
    req: HttpRequest,
    db: web::Data<Database>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let agent = AgentId(id.into_inner());
    let db = db.into_inner();
    let created = blocking(move || create_feed(&db, agent)).await?;
    let path = format!("{FEEDS}{}.ics", created.token.reveal());
    let info = req.connection_info();
    let url = format!("{}://{}{path}", info.scheme(), info.host());
    Ok(HttpResponse::Created().json(NewFeed {
        agent_id: created.feed.agent_id,
        created_at: created.feed.created_at,
        path,
        url,
    }))
}

/// What a revocation did.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RevokedFeed {
    agent_id: AgentId,
    /// Whether a live feed was revoked (false: there was none).
    revoked: bool,
}

/// `DELETE /api/v1/agents/{id}/calendar-feed`: the feed URL answers 404 from now on.
#[utoipa::path(delete, path = "/api/v1/agents/{id}/calendar-feed", tag = "publishing", params(("id" = i32, Path, description = "Agent id")), responses((status = 200, description = "Whether a live feed was revoked", body = RevokedFeed)))]
pub async fn revoke_calendar_feed(
    db: web::Data<Database>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let agent = AgentId(id.into_inner());
    let db = db.into_inner();
    let revoked = blocking(move || revoke_feed(&db, agent)).await?;
    Ok(HttpResponse::Ok().json(RevokedFeed {
        agent_id: agent,
        revoked,
    }))
}

/// `GET /api/v1/feeds/{token}.ics`, no key (the token is the secret): the
/// agent's shifts in every roster published now. `If-None-Match` works as
/// for `/rosters`.
#[utoipa::path(get, path = "/api/v1/feeds/{token}.ics", tag = "publishing", security(()), params(("token" = String, Path, description = "The feed's secret (the URL is the credential)")), responses((status = 200, description = "The agent's shifts in every roster published now, with stable UIDs", content_type = "text/calendar", body = String), (status = 304, description = "Not modified")))]
pub async fn calendar_feed(
    req: HttpRequest,
    db: web::Data<Database>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    let db = db.into_inner();
    let read = blocking(move || feed(&db, &token)).await?;
    let body = calendar(&read.shifts, read.time_zone);
    let modified = read.shifts.iter().map(|s| s.modified).max();
    Ok(Encoded::new("text/calendar; charset=utf-8", body).respond_since(&req, modified, None))
}

/// Where feed URLs live; the path's last segment is the secret.
const FEEDS: &str = "/api/v1/feeds/";

/// A path as it may be logged: a feed's token replaced by `[token]`, so the
/// request log never holds a working feed URL.
pub fn redact_feed_path(path: &str) -> String {
    match path.find(FEEDS) {
        Some(at) => {
            let rest = &path[at + FEEDS.len()..];
            let suffix = rest.find(['/', '?']).map_or("", |end| &rest[end..]);
            let ext = if rest
                .split(['/', '?'])
                .next()
                .is_some_and(|t| t.ends_with(".ics"))
            {
                ".ics"
            } else {
                ""
            };
            format!("{}{FEEDS}[token]{ext}{suffix}", &path[..at])
        }
        None => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_tokens_never_reach_the_request_log() {
        let token = crate::auth::FeedToken::generate();
        let path = format!("/api/v1/feeds/{}.ics", token.reveal());
        assert_eq!(redact_feed_path(&path), "/api/v1/feeds/[token].ics");
        assert_eq!(
            redact_feed_path(&format!("{path}?x=1")),
            "/api/v1/feeds/[token].ics?x=1"
        );
        assert_eq!(redact_feed_path("/api/v1/queues/1"), "/api/v1/queues/1");
    }
}
