//! What HR tools pull: schedules listed and filtered, a finished schedule
//! published as the roster of its queue's week(s), the published roster of
//! a week, and per-agent calendar feeds at a secret URL.
//!
//! Weeks are Monday to Sunday in the queue's local dates, named by their
//! Monday. A schedule may start on any day and run 1 to 31 days; it is
//! published for every week its days touch, and a week's roster is the
//! published schedule's shifts that start in that week.
//!
//! Calendar events keep one UID across re-publishing (agent, local date,
//! n-th shift of that day), so calendar apps update an event instead of
//! adding a second one; `SEQUENCE` and `LAST-MODIFIED` are derived from the
//! publication history (kept in full): they move when the shift's times or
//! breaks change from one publication of its week to the next.

use super::error::{Conflict, Refusal};
use super::history::queue;
use super::schedule::schedule_run;
use super::AppError;
use crate::auth::{FeedToken, KeyId};
use crate::db::publications::{CalendarFeed, Publication, PublicationSummary};
use crate::db::schedules::{
    JobStatus, ListStatus, RosterShift, ScheduleFilter, ScheduleListRow, ScheduleRun,
};
use crate::db::Database;
use crate::domain::{AgentId, InvalidValue, QueueId, ScheduleId};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Schedules per page: the default and the most one page may hold.
pub const SCHEDULE_PAGE: u32 = 50;
pub const MAX_SCHEDULE_PAGE: u32 = 500;

/// The `status` values a list takes: the job's statuses, then the
/// publication states.
pub const LIST_STATUSES: [&str; 8] = [
    "queued",
    "running",
    "done",
    "failed",
    "cancelled",
    "draft",
    "published",
    "superseded",
];

/// A list request as received (strings, so a bad value is refused naming
/// its query parameter).
#[derive(Debug, Clone, Default)]
pub struct ScheduleQuery {
    pub queue: Option<String>,
    pub status: Option<String>,
    pub week: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// One schedule of a list, with its publication state.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ScheduleListItem {
    #[serde(flatten)]
    pub schedule: ScheduleListRow,
    pub publication: PublicationSummary,
}

/// A page of schedules, newest first. `next` is the `cursor` of the next
/// (older) page, `None` on the last; `total` counts every match.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SchedulePage {
    pub items: Vec<ScheduleListItem>,
    pub next: Option<String>,
    pub total: i64,
}

fn parse_id(field: &'static str, raw: &str) -> Result<i32, InvalidValue> {
    raw.parse::<i32>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| InvalidValue::new(field, format!("'{raw}' is not an id")))
}

/// A week's Monday (`YYYY-MM-DD`), or a refusal naming `field`.
pub fn parse_week(field: &'static str, raw: &str) -> Result<NaiveDate, InvalidValue> {
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
        InvalidValue::new(
            field,
            format!("'{raw}' is not a date (YYYY-MM-DD, a Monday)"),
        )
    })?;
    if date.weekday() != Weekday::Mon {
        return Err(InvalidValue::new(
            field,
            format!(
                "{date} is a {}: weeks start on Monday (that week's is {})",
                date.format("%A"),
                monday_of(date)
            ),
        ));
    }
    Ok(date)
}

fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// The Mondays of the weeks that days `first..=last` touch.
pub fn weeks_of(first: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
    let mut weeks = Vec::new();
    let mut week = monday_of(first);
    while week <= last {
        weeks.push(week);
        week += Duration::days(7);
    }
    weeks
}

fn list_status(raw: &str) -> Result<ListStatus, InvalidValue> {
    let job = [
        JobStatus::Queued,
        JobStatus::Running,
        JobStatus::Done,
        JobStatus::Failed,
        JobStatus::Cancelled,
    ];
    if let Some(s) = job.into_iter().find(|s| s.as_str() == raw) {
        return Ok(ListStatus::Job(s));
    }
    match raw {
        "draft" => Ok(ListStatus::Draft),
        "published" => Ok(ListStatus::Published),
        "superseded" => Ok(ListStatus::Superseded),
        _ => Err(InvalidValue::new(
            "status",
            format!("'{raw}' is not a status (use {})", LIST_STATUSES.join(", ")),
        )),
    }
}

/// One page of schedules matching the query, newest first.
pub fn list_schedules(db: &Database, query: &ScheduleQuery) -> Result<SchedulePage, AppError> {
    let filter = ScheduleFilter {
        queue: query
            .queue
            .as_deref()
            .map(|q| parse_id("queue", q).map(QueueId))
            .transpose()?,
        status: query.status.as_deref().map(list_status).transpose()?,
        week: query
            .week
            .as_deref()
            .map(|w| parse_week("week", w))
            .transpose()?,
    };
    let limit = match query.limit.as_deref() {
        None => SCHEDULE_PAGE,
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_SCHEDULE_PAGE).contains(n))
            .ok_or_else(|| Refusal::OutOfRange {
                field: "limit",
                message: format!("limit '{raw}' must be 1 to {MAX_SCHEDULE_PAGE}"),
            })?,
    };
    // The cursor is the last id of the previous page: pages stay put when
    // newer schedules arrive meanwhile.
    let before = query
        .cursor
        .as_deref()
        .map(|c| parse_id("cursor", c))
        .transpose()?;
    if let Some(queue_id) = filter.queue {
        queue(db, queue_id)?;
    }
    let (mut rows, total) = db.list_schedules(&filter, before, i64::from(limit) + 1)?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let ids: Vec<ScheduleId> = rows.iter().map(|r| r.id).collect();
    let mut by_schedule: HashMap<ScheduleId, Vec<Publication>> = HashMap::new();
    for p in db.publications_of(&ids)? {
        by_schedule.entry(p.schedule_id).or_default().push(p);
    }
    let next = if more {
        rows.last().map(|r| r.id.to_string())
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(|schedule| ScheduleListItem {
            publication: PublicationSummary::of(
                by_schedule.get(&schedule.id).map_or(&[][..], Vec::as_slice),
            ),
            schedule,
        })
        .collect();
    Ok(SchedulePage { items, next, total })
}

/// The publication state of a schedule.
pub fn publication_of(db: &Database, id: ScheduleId) -> Result<PublicationSummary, AppError> {
    Ok(PublicationSummary::of(&db.publications_of(&[id])?))
}

/// Publishes a done schedule as the roster of every week its days touch;
/// the schedules those weeks had are superseded (kept, still readable).
/// Publishing a schedule that already holds all its weeks changes nothing.
pub fn publish_schedule(
    db: &Database,
    id: ScheduleId,
    by: Option<KeyId>,
) -> Result<ScheduleRun, AppError> {
    let run = schedule_run(db, id)?;
    if run.status != JobStatus::Done {
        return Err(Conflict::NotPublishable {
            id,
            status: run.status.as_str(),
        }
        .into());
    }
    let first = run.params.first_day;
    let last = first + Duration::days(i64::from(run.days.max(1)) - 1);
    let weeks = weeks_of(first, last);
    let changed = db.publish_schedule(run.queue_id, id, &weeks, Utc::now(), by)?;
    tracing::info!(
        schedule = id.0,
        queue = run.queue_id.0,
        weeks = weeks.len(),
        changed,
        "roster published"
    );
    super::schedule::schedule_summary(db, id)
}

/// A shift as published: its calendar identity and version.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedShift {
    /// `shift-<agent>-<YYYYMMDD>-<n>@staffcast`: the agent, the local
    /// date, and which of the agent's shifts that day (from 0).
    pub uid: String,
    /// 0 when first published; one more each time a publication of its
    /// week changed its times or breaks.
    pub sequence: u32,
    /// When that last change was published.
    pub modified: DateTime<Utc>,
    pub shift: RosterShift,
}

/// The published roster of one queue and week.
#[derive(Debug, Clone)]
pub struct PublishedRoster {
    pub publication: Publication,
    pub time_zone: Tz,
    pub shifts: Vec<PublishedShift>,
}

/// The roster published for `week` (a Monday) of `queue`: the shifts of
/// the published schedule that start in that week, by start.
pub fn published_roster(
    db: &Database,
    queue_id: QueueId,
    week: NaiveDate,
) -> Result<PublishedRoster, AppError> {
    let q = queue(db, queue_id)?;
    let publication = db
        .current_publication(queue_id, week)?
        .ok_or(AppError::NotPublished {
            queue: queue_id,
            week,
        })?;
    let tz = q.spec.time_zone;
    let shifts = published_shifts(db, queue_id, tz, Some(week), None)?;
    Ok(PublishedRoster {
        publication,
        time_zone: tz,
        shifts,
    })
}

/// What the published roster of a week depends on: its current
/// publication (a new one re-versions its shifts) and the names and HR ids
/// of the queue's agents, which the shifts show; with the publication
/// time. `None` when nothing is published for the week.
pub fn published_roster_version(
    db: &Database,
    queue_id: QueueId,
    week: NaiveDate,
) -> Result<Option<(u64, DateTime<Utc>)>, AppError> {
    use std::hash::{Hash, Hasher};
    let Some(publication) = db.current_publication(queue_id, week)? else {
        return Ok(None);
    };
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    publication.schedule_id.0.hash(&mut hasher);
    publication.published_at.hash(&mut hasher);
    db.agent_names(queue_id)?.hash(&mut hasher);
    Ok(Some((hasher.finish(), publication.published_at)))
}

/// The shifts of the current publications of a queue (one week's or all),
/// of one agent or all, with UIDs and versions from the publication history.
fn published_shifts(
    db: &Database,
    queue_id: QueueId,
    tz: Tz,
    week: Option<NaiveDate>,
    agent: Option<AgentId>,
) -> Result<Vec<PublishedShift>, AppError> {
    let publications: Vec<Publication> = db
        .queue_publications(queue_id)?
        .into_iter()
        .filter(|p| week.is_none_or(|w| p.week_start == w))
        .collect();
    let mut ids: Vec<ScheduleId> = publications.iter().map(|p| p.schedule_id).collect();
    ids.sort();
    ids.dedup();
    let mut shifts: HashMap<ScheduleId, Vec<RosterShift>> = HashMap::new();
    for (schedule, shift) in db.rosters(&ids, agent)? {
        shifts.entry(schedule).or_default().push(shift);
    }
    // Each week's publications in the order they were made.
    let mut history: BTreeMap<NaiveDate, Vec<&Publication>> = BTreeMap::new();
    for p in &publications {
        history.entry(p.week_start).or_default().push(p);
    }
    let mut out = Vec::new();
    for (week, pubs) in history {
        let mut versions: HashMap<String, (u32, DateTime<Utc>, Fingerprint)> = HashMap::new();
        for p in &pubs {
            let events = week_events(shifts.get(&p.schedule_id), week, tz);
            for (uid, shift) in &events {
                let print = fingerprint(shift);
                versions
                    .entry(uid.clone())
                    .and_modify(|v| {
                        if v.2 != print {
                            *v = (v.0 + 1, p.published_at, print.clone());
                        }
                    })
                    .or_insert((0, p.published_at, print));
            }
            if p.is_current() {
                for (uid, shift) in events {
                    let (sequence, modified, _) = versions[&uid].clone();
                    out.push(PublishedShift {
                        uid,
                        sequence,
                        modified,
                        shift,
                    });
                }
            }
        }
    }
    // As the schedule's own roster lists them: by start, then agent name.
    out.sort_by(|a, b| {
        (a.shift.start, &a.shift.agent_name, &a.uid).cmp(&(
            b.shift.start,
            &b.shift.agent_name,
            &b.uid,
        ))
    });
    Ok(out)
}

/// What a calendar app shows of a shift: a change here is a new version.
type Fingerprint = (
    DateTime<Utc>,
    DateTime<Utc>,
    Vec<(DateTime<Utc>, DateTime<Utc>, bool)>,
);

fn fingerprint(s: &RosterShift) -> Fingerprint {
    (
        s.start,
        s.end,
        s.breaks.iter().map(|b| (b.start, b.end, b.paid)).collect(),
    )
}

/// The shifts of one schedule that start in `week` (local dates), each with
/// its UID: agent, local date, and its rank among the agent's shifts that day.
fn week_events(
    shifts: Option<&Vec<RosterShift>>,
    week: NaiveDate,
    tz: Tz,
) -> Vec<(String, RosterShift)> {
    let mut rank: HashMap<(AgentId, NaiveDate), u32> = HashMap::new();
    let mut sorted: Vec<&RosterShift> = shifts.map(|s| s.iter().collect()).unwrap_or_default();
    sorted.sort_by_key(|s| (s.start, s.agent_id));
    sorted
        .into_iter()
        .filter_map(|s| {
            let date = s.start.with_timezone(&tz).date_naive();
            if date < week || date >= week + Duration::days(7) {
                return None;
            }
            let n = rank.entry((s.agent_id, date)).or_default();
            let uid = format!(
                "shift-{}-{}-{}@staffcast",
                s.agent_id,
                date.format("%Y%m%d"),
                n
            );
            *n += 1;
            Some((uid, s.clone()))
        })
        .collect()
}

/// A feed just made: the token, shown once in its URL.
#[derive(Debug)]
pub struct CreatedFeed {
    pub feed: CalendarFeed,
    pub token: FeedToken,
}

fn agent_exists(db: &Database, agent: AgentId) -> Result<crate::db::agents::StoredAgent, AppError> {
    db.agent(agent)?
        .ok_or_else(|| AppError::not_found("agent", agent))
}

/// A new secret feed URL for an agent; the previous one stops working.
pub fn create_feed(db: &Database, agent: AgentId) -> Result<CreatedFeed, AppError> {
    agent_exists(db, agent)?;
    let token = FeedToken::generate();
    let feed = db.replace_calendar_feed(agent, &token.hash(), Utc::now())?;
    tracing::info!(agent = agent.0, feed = feed.id, "calendar feed created");
    Ok(CreatedFeed { feed, token })
}

/// Revokes an agent's feed; whether one was live.
pub fn revoke_feed(db: &Database, agent: AgentId) -> Result<bool, AppError> {
    agent_exists(db, agent)?;
    let n = db.revoke_calendar_feeds(agent, Utc::now())?;
    tracing::info!(agent = agent.0, revoked = n, "calendar feed revoked");
    Ok(n > 0)
}

/// An agent's calendar as its feed serves it.
#[derive(Debug, Clone)]
pub struct AgentFeed {
    pub agent: AgentId,
    pub time_zone: Tz,
    pub shifts: Vec<PublishedShift>,
}

/// The shifts of the feed's agent in every roster published now (all
/// weeks). An unknown, malformed or revoked token is not found, all alike.
pub fn feed(db: &Database, raw_token: &str) -> Result<AgentFeed, AppError> {
    let gone = || AppError::not_found("calendar feed", "with this URL");
    let token = FeedToken::parse(raw_token).ok_or_else(gone)?;
    let feed = db.live_calendar_feed(&token.hash())?.ok_or_else(gone)?;
    let agent = agent_exists(db, feed.agent_id)?;
    let tz = queue(db, agent.queue_id)?.spec.time_zone;
    let shifts = published_shifts(db, agent.queue_id, tz, None, Some(agent.id))?;
    Ok(AgentFeed {
        agent: agent.id,
        time_zone: tz,
        shifts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_schedule_belongs_to_every_week_it_touches() {
        assert_eq!(
            weeks_of(d("2026-02-16"), d("2026-02-22")),
            [d("2026-02-16")]
        );
        assert_eq!(
            weeks_of(d("2026-02-18"), d("2026-02-24")),
            [d("2026-02-16"), d("2026-02-23")]
        );
        assert_eq!(
            weeks_of(d("2026-02-22"), d("2026-02-22")),
            [d("2026-02-16")]
        );
        assert_eq!(weeks_of(d("2026-02-16"), d("2026-03-16")).len(), 5);
    }

    #[test]
    fn weeks_are_named_by_their_monday() {
        assert_eq!(parse_week("week", "2026-02-16").unwrap(), d("2026-02-16"));
        let e = parse_week("week", "2026-02-18").unwrap_err();
        assert_eq!(e.field, "week");
        assert!(e.message.contains("2026-02-16"), "{}", e.message);
        assert_eq!(parse_week("week", "next week").unwrap_err().field, "week");
    }

    #[test]
    fn list_statuses_are_job_statuses_and_publication_states() {
        for s in LIST_STATUSES {
            assert!(list_status(s).is_ok(), "{s}");
        }
        assert_eq!(list_status("finished").unwrap_err().field, "status");
    }
}
