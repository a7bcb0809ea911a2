//! The planner workspace's sign-in: an API key (typed into the login page,
//! or behind a one-time link that `staffcast demo` prints) opens a browser
//! session with the key's role. Sessions expire, and end at once when
//! their key is revoked: the key is checked on every request.

use super::access;
use super::AppError;
use crate::auth::{ApiKey, BrowserSecret};
use crate::db::api_keys::StoredKey;
use crate::db::workspace_sessions::SecretKind;
use crate::db::Database;
use chrono::{DateTime, Duration, Utc};

/// How long a session lasts after sign-in (a working day and then some).
pub const SESSION_HOURS: i64 = 12;
/// How long a one-time login link waits to be opened.
pub const LINK_HOURS: i64 = 24;

/// A session just opened: the secret for the cookie, and whose it is.
#[derive(Debug)]
pub struct Opened {
    pub secret: BrowserSecret,
    pub key: StoredKey,
    pub expires_at: DateTime<Utc>,
}

/// Opens a session for a valid, unrevoked key; `None` for any other text.
pub fn sign_in(db: &Database, raw_key: &str) -> Result<Option<Opened>, AppError> {
    let Some(secret) = ApiKey::parse(raw_key.trim()) else {
        return Ok(None);
    };
    match access::authenticate(db, &secret)? {
        Some(key) => open(db, key).map(Some),
        None => Ok(None),
    }
}

fn open(db: &Database, key: StoredKey) -> Result<Opened, AppError> {
    let now = Utc::now();
    db.purge_workspace_secrets(now)?;
    let secret = BrowserSecret::new_session();
    let expires_at = now + Duration::hours(SESSION_HOURS);
    db.insert_workspace_secret(SecretKind::Session, &secret.hash(), key.id, now, expires_at)?;
    tracing::info!(key_id = %key.id, role = %key.role, "workspace session opened");
    Ok(Opened {
        secret,
        key,
        expires_at,
    })
}

/// A one-time login link's token for `key` (opened once, within [`LINK_HOURS`]).
pub fn login_link(db: &Database, key: &StoredKey) -> Result<BrowserSecret, AppError> {
    let now = Utc::now();
    let token = BrowserSecret::new_link();
    db.insert_workspace_secret(
        SecretKind::Link,
        &token.hash(),
        key.id,
        now,
        now + Duration::hours(LINK_HOURS),
    )?;
    Ok(token)
}

/// Uses a login link: it is gone afterwards, whatever the outcome, and
/// opens a session only if it was live and its key still is.
pub fn follow_link(db: &Database, raw_token: &str) -> Result<Option<Opened>, AppError> {
    let Some(token) = BrowserSecret::parse_link(raw_token) else {
        return Ok(None);
    };
    let Some(key_id) = db.take_workspace_secret(SecretKind::Link, &token.hash(), Utc::now())?
    else {
        return Ok(None);
    };
    match live_key(db, key_id)? {
        Some(key) => open(db, key).map(Some),
        None => Ok(None),
    }
}

/// The key behind a session cookie, if the session is live and its key
/// is not revoked.
pub fn session_key(db: &Database, secret: &BrowserSecret) -> Result<Option<StoredKey>, AppError> {
    match db.workspace_secret_key(SecretKind::Session, &secret.hash(), Utc::now())? {
        Some(id) => live_key(db, id),
        None => Ok(None),
    }
}

fn live_key(db: &Database, id: crate::auth::KeyId) -> Result<Option<StoredKey>, AppError> {
    Ok(db.api_key(id)?.filter(|k| k.revoked_at.is_none()))
}

/// Ends a session (signing out); an unknown one is no error.
pub fn sign_out(db: &Database, secret: &BrowserSecret) -> Result<(), AppError> {
    db.take_workspace_secret(SecretKind::Session, &secret.hash(), Utc::now())?;
    Ok(())
}

/// One queue as the workspace's first page lists it.
#[derive(Debug, Clone)]
pub struct QueueOverview {
    pub queue: crate::db::queues::StoredQueue,
    pub history: crate::db::history::HistoryExtent,
    pub latest_forecast: Option<crate::db::forecasts::ForecastRun>,
    pub latest_schedule: Option<super::publish::ScheduleListItem>,
    pub latest_capacity_plan: Option<crate::domain::CapacityPlanId>,
}

/// Every queue with its history span and latest forecast, roster and
/// capacity plan. `planning`: whether the reader may see planning data
/// (forecasts, capacity plans); an HR key sees queues and rosters only.
pub fn overview(db: &Database, planning: bool) -> Result<Vec<QueueOverview>, AppError> {
    let mut out = Vec::new();
    for queue in db.queues()? {
        let history = db.history_extent(queue.id)?;
        let latest_forecast = if planning {
            super::forecast::forecast_runs(db, queue.id)?
                .into_iter()
                .max_by_key(|r| r.id.0)
        } else {
            None
        };
        let latest_capacity_plan = if planning {
            super::capacity::capacity_plans(db, queue.id)?
                .into_iter()
                .map(|p| p.id)
                .max_by_key(|id| id.0)
        } else {
            None
        };
        let page = super::publish::list_schedules(
            db,
            &super::publish::ScheduleQuery {
                queue: Some(queue.id.0.to_string()),
                limit: Some("1".into()),
                ..Default::default()
            },
        )?;
        out.push(QueueOverview {
            history,
            latest_forecast,
            latest_schedule: page.items.into_iter().next(),
            latest_capacity_plan,
            queue,
        });
    }
    Ok(out)
}

/// History shown before a forecast on its page: 18 months (the page's
/// widest zoom), which bounds the points a page draws.
pub const HISTORY_DAYS: i64 = 548;

/// A forecast as its page shows it: the run with its points, the history
/// before it (and the actuals inside it, once imported), special days and
/// the backtest.
pub struct ForecastPage {
    pub view: super::forecast::ForecastView,
    pub queue: crate::db::queues::StoredQueue,
    pub history: Vec<crate::domain::HistoryRow>,
    pub special_days: Vec<crate::db::special_days::StoredSpecialDay>,
    pub accuracy: super::forecast::Accuracy,
}

pub fn forecast_page(
    db: &Database,
    id: crate::domain::ForecastId,
) -> Result<ForecastPage, AppError> {
    let view = super::forecast::forecast_view(db, id)?;
    let queue = super::history::queue(db, view.run.queue_id)?;
    let history = db.history(
        queue.id,
        Some(view.run.from - Duration::days(HISTORY_DAYS)),
        Some(view.run.to),
    )?;
    let special_days = super::calendar::special_days(db, queue.id)?;
    let accuracy = super::forecast::accuracy(db, id)?;
    Ok(ForecastPage {
        view,
        queue,
        history,
        special_days,
        accuracy,
    })
}

/// One interval of a roster against its requirement.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageInterval {
    pub start: DateTime<Utc>,
    /// Agents the forecast asks for (rostered heads, shrinkage included).
    pub required: f64,
    /// Agents on the phones (in a shift, not on a break).
    pub scheduled: u32,
    /// Service level the roster gives here (Erlang check), when there is load.
    pub service_level: Option<f64>,
    /// Chance the interval meets the goal with the volume anywhere in the
    /// forecast's band (the roster check's own figure), when there is load.
    pub chance_of_goal: Option<f64>,
    /// Agents short per the engine's shortfall report, with the rule that binds.
    pub short: Option<(f64, Option<String>)>,
}

/// A roster's coverage, interval by interval.
pub struct Coverage {
    pub run: crate::db::schedules::ScheduleRun,
    pub queue: crate::db::queues::StoredQueue,
    pub intervals: Vec<CoverageInterval>,
    /// Volume-weighted service level of the whole roster.
    pub service_level: f64,
}

pub fn coverage(db: &Database, id: crate::domain::ScheduleId) -> Result<Coverage, AppError> {
    let (run, service, _) = super::schedule::service_check(db, id)?;
    let (_, shifts) = super::schedule::roster(db, id)?;
    let queue = super::history::queue(db, run.queue_id)?;
    let grid = queue.spec.grid();
    let end =
        grid.start_of_day(grid.local_date(run.week_start) + Duration::days(i64::from(run.days)));
    let (_, requirements) = super::forecast::requirements(db, run.forecast_id)?;
    let on = super::schedule::agents_on(&shifts, &grid);
    // The same check as `GET /schedules/{id}/check`: expected service level
    // and the chance of meeting the goal under the forecast's band.
    let sl: std::collections::HashMap<DateTime<Utc>, (f64, Option<f64>)> = service
        .intervals
        .iter()
        .filter(|i| i.volume > 0.0)
        .map(|i| (i.start, (i.service_level, i.goal_probability)))
        .collect();
    let short: std::collections::HashMap<DateTime<Utc>, (f64, Option<String>)> = run
        .report
        .as_ref()
        .and_then(|r| r.shortfall.as_ref())
        .map(|list| {
            list.iter()
                .map(|s| {
                    (
                        s.start,
                        (s.short, s.binding_rule.as_ref().map(|r| r.to_string())),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let intervals = requirements
        .iter()
        .filter(|r| r.start >= run.week_start && r.start < end)
        .map(|r| CoverageInterval {
            start: r.start,
            required: f64::from(r.agents_with_shrinkage),
            scheduled: on.get(&r.start).copied().unwrap_or(0),
            service_level: sl.get(&r.start).map(|s| s.0),
            chance_of_goal: sl.get(&r.start).and_then(|s| s.1),
            short: short.get(&r.start).cloned(),
        })
        .collect();
    Ok(Coverage {
        service_level: service.service_level,
        run,
        queue,
        intervals,
    })
}

/// A roster for its Gantt chart: the shifts kept by the filter, and every
/// agent of the queue with their contract's weekly hours.
pub struct RosterPage {
    pub roster: super::schedule::RosterRead,
    pub agents: Vec<crate::db::agents::StoredAgent>,
}

pub fn roster_page(
    db: &Database,
    id: crate::domain::ScheduleId,
    filter: super::schedule::RosterFilter,
) -> Result<RosterPage, AppError> {
    let roster = super::schedule::filtered_roster(db, id, filter)?;
    let agents = super::history::agents(db, roster.run.queue_id)?;
    Ok(RosterPage { roster, agents })
}
