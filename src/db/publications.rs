//! Published rosters: which schedule HR tools pull for each queue and week
//! (`roster_publications`, one current row per queue and week, earlier ones
//! kept as history), and the per-agent calendar feeds served at a secret URL
//! (`calendar_feeds`, stored by the SHA-256 of their token only).

use super::queues::unique_violation;
use super::schema::{calendar_feeds, roster_publications};
use super::{to_naive, to_utc, with_conn, Database, DbError, WriteTransaction};
use crate::auth::{KeyHash, KeyId};
use crate::domain::{AgentId, QueueId, ScheduleId};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

/// One publication of a schedule for one week of its queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Publication {
    pub id: i32,
    pub queue_id: QueueId,
    /// The Monday (the queue's local date) of the week.
    pub week_start: NaiveDate,
    pub schedule_id: ScheduleId,
    pub published_at: DateTime<Utc>,
    /// The key that published it (`None`: the command line or the demo).
    pub published_by: Option<KeyId>,
    /// When another schedule took the week over; `None` while current.
    pub superseded_at: Option<DateTime<Utc>>,
    pub superseded_by: Option<ScheduleId>,
}

impl Publication {
    pub fn is_current(&self) -> bool {
        self.superseded_at.is_none()
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = roster_publications)]
struct Row {
    id: i32,
    queue_id: i32,
    week_start: NaiveDate,
    schedule_id: i32,
    published_at: NaiveDateTime,
    published_by: Option<i32>,
    superseded_at: Option<NaiveDateTime>,
    superseded_by: Option<i32>,
}

impl From<Row> for Publication {
    fn from(r: Row) -> Self {
        Publication {
            id: r.id,
            queue_id: QueueId(r.queue_id),
            week_start: r.week_start,
            schedule_id: ScheduleId(r.schedule_id),
            published_at: to_utc(r.published_at),
            published_by: r.published_by.map(KeyId),
            superseded_at: r.superseded_at.map(to_utc),
            superseded_by: r.superseded_by.map(ScheduleId),
        }
    }
}

/// A live calendar feed of an agent (its token is never stored).
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarFeed {
    pub id: i32,
    pub agent_id: AgentId,
    pub created_at: DateTime<Utc>,
}

impl Database {
    /// Makes `schedule` the published roster of `queue` for each of
    /// `weeks`, in one transaction: the week's current publication (another
    /// schedule's) is superseded, kept as history, and a new one inserted.
    /// Weeks this schedule already holds are left as they are. Returns how
    /// many weeks changed hands. Two publications racing for one week on
    /// PostgreSQL: the partial unique index refuses the second
    /// ([`DbError::Conflict`]).
    pub fn publish_schedule(
        &self,
        queue: QueueId,
        schedule: ScheduleId,
        weeks: &[NaiveDate],
        at: DateTime<Utc>,
        by: Option<KeyId>,
    ) -> Result<usize, DbError> {
        let at = to_naive(at);
        let conflict = |e| {
            unique_violation(
                e,
                format!("another roster was published for queue {queue} at the same time: publish schedule {schedule} again"),
            )
        };
        Ok(
            with_conn!(self, conn => conn.write_transaction::<usize, DbError, _>(|conn| {
            let mut changed = 0;
            for week in weeks {
                let current = roster_publications::table
                    .filter(roster_publications::queue_id.eq(queue.0))
                    .filter(roster_publications::week_start.eq(week))
                    .filter(roster_publications::superseded_at.is_null());
                let holder: Option<i32> = current
                    .select(roster_publications::schedule_id)
                    .first(conn)
                    .optional()?;
                if holder == Some(schedule.0) {
                    continue;
                }
                diesel::update(current)
                    .set((
                        roster_publications::superseded_at.eq(Some(at)),
                        roster_publications::superseded_by.eq(Some(schedule.0)),
                    ))
                    .execute(conn)?;
                diesel::insert_into(roster_publications::table)
                    .values((
                        roster_publications::queue_id.eq(queue.0),
                        roster_publications::week_start.eq(week),
                        roster_publications::schedule_id.eq(schedule.0),
                        roster_publications::published_at.eq(at),
                        roster_publications::published_by.eq(by.map(|k| k.0)),
                    ))
                    .execute(conn)
                    .map_err(conflict)?;
                changed += 1;
            }
            Ok(changed)
        })?),
        )
    }

    /// Every publication of these schedules, current or superseded, oldest first.
    pub fn publications_of(&self, schedules: &[ScheduleId]) -> Result<Vec<Publication>, DbError> {
        let ids: Vec<i32> = schedules.iter().map(|s| s.0).collect();
        let rows: Vec<Row> = with_conn!(self, conn => roster_publications::table
            .filter(roster_publications::schedule_id.eq_any(&ids))
            .order(roster_publications::id)
            .select(Row::as_select())
            .load(conn)?);
        Ok(rows.into_iter().map(Publication::from).collect())
    }

    /// The current publication of a queue's week, if any.
    pub fn current_publication(
        &self,
        queue: QueueId,
        week: NaiveDate,
    ) -> Result<Option<Publication>, DbError> {
        let row: Option<Row> = with_conn!(self, conn => roster_publications::table
            .filter(roster_publications::queue_id.eq(queue.0))
            .filter(roster_publications::week_start.eq(week))
            .filter(roster_publications::superseded_at.is_null())
            .select(Row::as_select())
            .first(conn)
            .optional()?);
        Ok(row.map(Publication::from))
    }

    /// Every publication of a queue, current or superseded, oldest first
    /// (the history calendar feeds derive their event versions from).
    pub fn queue_publications(&self, queue: QueueId) -> Result<Vec<Publication>, DbError> {
        let rows: Vec<Row> = with_conn!(self, conn => roster_publications::table
            .filter(roster_publications::queue_id.eq(queue.0))
            .order(roster_publications::id)
            .select(Row::as_select())
            .load(conn)?);
        Ok(rows.into_iter().map(Publication::from).collect())
    }

    /// Stores a new feed for an agent, revoking the live one (one live feed
    /// per agent, held by a partial unique index too).
    pub fn replace_calendar_feed(
        &self,
        agent: AgentId,
        hash: &KeyHash,
        at: DateTime<Utc>,
    ) -> Result<CalendarFeed, DbError> {
        let at = to_naive(at);
        let id: i32 = with_conn!(self, conn => conn.write_transaction::<i32, DbError, _>(|conn| {
            diesel::update(
                calendar_feeds::table
                    .filter(calendar_feeds::agent_id.eq(agent.0))
                    .filter(calendar_feeds::revoked_at.is_null()),
            )
            .set(calendar_feeds::revoked_at.eq(Some(at)))
            .execute(conn)?;
            diesel::insert_into(calendar_feeds::table)
                .values((
                    calendar_feeds::agent_id.eq(agent.0),
                    calendar_feeds::token_hash.eq(hash.as_str()),
                    calendar_feeds::created_at.eq(at),
                ))
                .returning(calendar_feeds::id)
                .get_result(conn)
                .map_err(|e| {
                    unique_violation(e, format!("agent {agent}'s feed was replaced at the same time: try again"))
                })
        })?);
        Ok(CalendarFeed {
            id,
            agent_id: agent,
            created_at: to_utc(at),
        })
    }

    /// Revokes an agent's live feed; how many were live (0 or 1).
    pub fn revoke_calendar_feeds(
        &self,
        agent: AgentId,
        at: DateTime<Utc>,
    ) -> Result<usize, DbError> {
        Ok(with_conn!(self, conn => diesel::update(
            calendar_feeds::table
                .filter(calendar_feeds::agent_id.eq(agent.0))
                .filter(calendar_feeds::revoked_at.is_null()),
        )
        .set(calendar_feeds::revoked_at.eq(Some(to_naive(at))))
        .execute(conn)?))
    }

    /// The live feed with this token hash; `None` for an unknown or revoked one.
    pub fn live_calendar_feed(&self, hash: &KeyHash) -> Result<Option<CalendarFeed>, DbError> {
        let row: Option<(i32, i32, NaiveDateTime)> = with_conn!(self, conn => calendar_feeds::table
            .filter(calendar_feeds::token_hash.eq(hash.as_str()))
            .filter(calendar_feeds::revoked_at.is_null())
            .select((calendar_feeds::id, calendar_feeds::agent_id, calendar_feeds::created_at))
            .first(conn)
            .optional()?);
        Ok(row.map(|(id, agent, created_at)| CalendarFeed {
            id,
            agent_id: AgentId(agent),
            created_at: to_utc(created_at),
        }))
    }
}

/// Where a schedule stands as a roster for HR tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PublicationState {
    /// Never published.
    Draft,
    /// The current roster of at least one week of its queue.
    Published,
    /// Published once; every week it held has since gone to another schedule.
    Superseded,
}

/// A schedule's publication state and history, as shown with the schedule.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct PublicationSummary {
    pub state: PublicationState,
    /// The latest time it was published, and by which key (`None`: the
    /// command line or the demo).
    pub published_at: Option<DateTime<Utc>>,
    pub published_by: Option<KeyId>,
    /// When it lost its last week (superseded only).
    pub superseded_at: Option<DateTime<Utc>>,
    /// The weeks (Mondays) it is the published roster of now.
    pub weeks: Vec<NaiveDate>,
    /// Every publication of it, oldest first.
    pub history: Vec<PublicationEntry>,
}

/// One publication of a schedule for one week.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct PublicationEntry {
    pub week: NaiveDate,
    pub published_at: DateTime<Utc>,
    pub published_by: Option<KeyId>,
    pub superseded_at: Option<DateTime<Utc>>,
    pub superseded_by: Option<ScheduleId>,
}

impl PublicationSummary {
    /// The summary of one schedule from its publications (oldest first).
    pub fn of(publications: &[Publication]) -> Self {
        let latest = publications.last();
        let weeks: Vec<NaiveDate> = publications
            .iter()
            .filter(|p| p.is_current())
            .map(|p| p.week_start)
            .collect();
        let state = match (latest, weeks.is_empty()) {
            (None, _) => PublicationState::Draft,
            (Some(_), false) => PublicationState::Published,
            (Some(_), true) => PublicationState::Superseded,
        };
        PublicationSummary {
            state,
            published_at: latest.map(|p| p.published_at),
            published_by: latest.and_then(|p| p.published_by),
            superseded_at: if state == PublicationState::Superseded {
                publications.iter().filter_map(|p| p.superseded_at).max()
            } else {
                None
            },
            weeks,
            history: publications
                .iter()
                .map(|p| PublicationEntry {
                    week: p.week_start,
                    published_at: p.published_at,
                    published_by: p.published_by,
                    superseded_at: p.superseded_at,
                    superseded_by: p.superseded_by,
                })
                .collect(),
        }
    }
}
