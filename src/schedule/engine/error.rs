//! Why a problem cannot be scheduled: what validation refuses, for the
//! engine and for the baseline greedy.

use crate::domain::AgentId;
use chrono::{DateTime, Utc};

/// Why a problem cannot be scheduled.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScheduleError {
    #[error("a {minutes}-minute grid cannot be scheduled (it must divide an hour: 15, 30 or 60)")]
    InvalidGrid { minutes: u32 },
    /// The greedy's single shift rule.
    #[error("shift rule, {field}: {message}")]
    InvalidRule { field: String, message: String },
    #[error("agent {agent}: {message}")]
    InvalidContract { agent: AgentId, message: String },
    #[error("agent {0} is listed twice")]
    DuplicateAgent(AgentId),
    #[error("no agents to schedule")]
    NoAgents,
    #[error("horizon: {message}")]
    InvalidHorizon { message: String },
    #[error("requirement at {start}: {message}")]
    InvalidRequirement {
        start: DateTime<Utc>,
        message: String,
    },
    #[error("shift template '{template}': {message}")]
    InvalidTemplate { template: String, message: String },
    #[error("queues: {message}")]
    InvalidQueues { message: String },
    #[error("weights: {message}")]
    InvalidWeights { message: String },
}
