//! Plain types every layer shares. Values are parsed once at the edge
//! (`parse`/`new` return a typed error) so a bad value cannot travel inward.

pub mod agent;
pub mod calls;
pub mod csv_table;
pub mod grid;
pub mod history;
pub mod ids;
pub mod opening_hours;
pub mod queue;
pub mod text;
pub mod time;
pub mod weekend;

pub use grid::Grid;
pub use history::{HistoryRow, ImportError};
pub use ids::CapacityPlanId;
pub use ids::{AgentId, ForecastId, QueueId, ScheduleId};
pub use opening_hours::OpeningHours;
pub use queue::{Channel, QueueSpec, ServiceGoal, StaffingOptions};
pub use weekend::WeekendDays;

/// A value that failed validation: names the field and says why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InvalidValue {
    pub field: String,
    pub message: String,
}

impl InvalidValue {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}
