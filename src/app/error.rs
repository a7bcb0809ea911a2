//! One error type for every use case. It keeps the core's typed errors as
//! they are (no message text is parsed downstream); the API maps each to a
//! status and a machine-readable code in one place (`api::error`).

use crate::capacity::CapacityError;
use crate::db::DbError;
use crate::domain::{AgentId, ForecastId, ImportError, InvalidValue, QueueId, ScheduleId};
use crate::forecast::ForecastError;
use crate::schedule::ScheduleError;
use crate::simulate::SimError;
use crate::staffing::StaffingError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A value the caller sent breaks a rule.
    #[error("{0}")]
    Invalid(#[from] InvalidValue),
    /// An import body that cannot be read, naming line and column.
    #[error("{0}")]
    Import(#[from] ImportError),
    #[error("{0}")]
    Forecast(#[from] ForecastError),
    #[error("{0}")]
    Schedule(#[from] ScheduleError),
    #[error("{0}")]
    Staffing(#[from] StaffingError),
    #[error("{0}")]
    Capacity(#[from] CapacityError),
    #[error("{0}")]
    Simulation(#[from] SimError),
    /// The request cannot be carried out with what is stored.
    #[error("{0}")]
    Refused(#[from] Refusal),
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    /// The queue has no roster published for that week.
    #[error("queue {queue} has no roster published for the week of {week}: publish a finished schedule (POST /api/v1/schedules/{{id}}/publish)")]
    NotPublished {
        queue: QueueId,
        week: chrono::NaiveDate,
    },
    #[error("{0}")]
    Conflict(#[from] Conflict),
    /// Stored data that does not read back (or a value that cannot be
    /// written): our fault, never the caller's.
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Db(DbError),
    /// The work was stopped before its end because nobody waits for it any
    /// more (the client disconnected); nothing was stored.
    #[error("stopped before the end: the client went away")]
    Stopped,
}

/// Why a use case refuses a request that its values alone do not explain:
/// it depends on what is stored, or on several fields at once. Messages are
/// the ones clients have always read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error("queue {queue} has no agents to roster")]
    NoAgents { queue: QueueId },
    /// A number outside its range; `message` is the whole sentence.
    #[error("{message}")]
    OutOfRange {
        field: &'static str,
        message: String,
    },
    #[error("give either shift (one rule) or templates, not both")]
    ShiftAndTemplates,
    #[error("origin: must be at or before 'from' (the window starts after the history used)")]
    OriginAfterFrom,
    #[error("queue {queue} has no history before the forecast window")]
    NoHistory { queue: QueueId },
    #[error("from and to must be on the queue's {minutes}-minute grid")]
    OffGrid { minutes: u32 },
    /// `to` is not after `from`.
    #[error("the window must be after 'from' and at most {max_days} days")]
    EmptyWindow { max_days: i64 },
    #[error("the window must be after 'from' and at most {max_days} days")]
    WindowTooLong { max_days: i64 },
    #[error("default_aht_seconds: forecast {forecast} has no handle time (its history had no aht_seconds and its queue no default_aht_seconds): set default_aht_seconds on the queue or import history with aht_seconds, then forecast again")]
    NoHandleTime { forecast: ForecastId },
    #[error("forecast_id: forecast {forecast} belongs to queue {owner}, not to queue {queue}")]
    ForecastOfOtherQueue {
        forecast: ForecastId,
        owner: QueueId,
        queue: QueueId,
    },
    #[error("forecast_id: forecast {forecast} has no requirements (its history had no aht_seconds and its queue no default_aht_seconds): set default_aht_seconds on the queue or import history with aht_seconds, then forecast again")]
    NoRequirements { forecast: ForecastId },
    /// The work the request asks for is more than one request may do;
    /// `field` names what to shrink, `message` is the whole sentence.
    #[error("{message}")]
    TooCostly {
        field: &'static str,
        message: String,
    },
    /// A body that parsed but holds nothing to store or run.
    #[error("{message}")]
    Empty { message: &'static str },
    /// One agent of a batch: `label` names it ("agent 2"), `path` locates
    /// the field in the body (`[1].name`).
    #[error("{label}: {source}")]
    InvalidAgent {
        label: String,
        path: String,
        source: InvalidValue,
    },
    /// One HR id given twice in one body.
    #[error("{label}: {path}: external id '{external_id}' is already given for {first}")]
    DuplicateExternalId {
        label: String,
        path: String,
        external_id: String,
        first: String,
    },
    /// A replay over a window with no stored calls; `from` and `to` are
    /// written in the queue's zone.
    #[error("queue {queue} has no call records from {from} to {to} (the window replayed): import that window's calls first (POST /api/v1/queues/{queue}/calls)")]
    NoCallRecords {
        queue: QueueId,
        from: String,
        to: String,
    },
    /// An `Idempotency-Key` sent again with another request.
    #[error("Idempotency-Key: this key was first used for {method} {path} with another body; use a new key for a new request")]
    IdempotencyKeyReused { method: String, path: String },
}

/// The request clashes with the state of what is stored (409).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Conflict {
    /// A unique key (an external id) is taken.
    #[error("{0}")]
    Duplicate(String),
    /// An HR id held by another agent: names the field and the value.
    #[error("{path}: external id '{external_id}' is already agent {agent}'s (queue {queue}); HR ids are unique across all queues")]
    ExternalIdTaken {
        path: String,
        external_id: String,
        agent: AgentId,
        queue: QueueId,
    },
    /// The first request with this `Idempotency-Key` is still being served.
    #[error(
        "Idempotency-Key: a request with this key is still in progress; retry once it has answered"
    )]
    IdempotencyInFlight,
    #[error("schedule {id} is already {status}")]
    AlreadyFinished {
        id: ScheduleId,
        status: &'static str,
    },
    /// Only a done schedule becomes a published roster.
    #[error("schedule {id} is {status}: only a done schedule can be published")]
    NotPublishable {
        id: ScheduleId,
        status: &'static str,
    },
    /// Only a done schedule's roster is replayed against real calls.
    #[error("schedule {id} is {status}: only a done schedule's roster can be replayed")]
    NotDone {
        id: ScheduleId,
        status: &'static str,
    },
    #[error("schedule {id} has no engine report (status {status}, solver greedy or not finished)")]
    NoEngineReport {
        id: ScheduleId,
        status: &'static str,
    },
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Conflict(message) => AppError::Conflict(Conflict::Duplicate(message)),
            other => AppError::Db(other),
        }
    }
}

impl AppError {
    pub fn not_found(what: &'static str, id: impl ToString) -> Self {
        AppError::NotFound {
            what,
            id: id.to_string(),
        }
    }

    /// Stored data of `what` that does not read back.
    pub fn corrupt(what: impl std::fmt::Display, cause: impl std::fmt::Display) -> Self {
        AppError::Corrupt(format!("{what}: {cause}"))
    }
}
