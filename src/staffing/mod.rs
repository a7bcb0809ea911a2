//! Staffing maths: how many agents an interval needs to meet its service goal.
//!
//! Pure Rust, no I/O: [`erlang`] holds the Erlang B / C formulas and the
//! per-interval queue metrics, [`erlang_a`] the Erlang A (M/M/c+M, callers
//! hang up) metrics, [`input`] holds what it is asked (a
//! [`Workload`] and a [`StaffingTarget`]), [`requirement`] turns them into an
//! Erlang C head count,
//! [`model`] does the same for any [`QueueModel`], and [`channel`] handles
//! voice, chat (concurrency) and deferred work (deadlines); [`cost`] says
//! how much work a computation will be before it runs; [`uncertainty`] puts
//! the forecast's error into the requirement and into what a roster promises;
//! [`offered`] says how much of a forecast's count reaches agents.

pub mod channel;
pub mod cost;
pub mod erlang;
pub mod erlang_a;
pub mod input;
pub mod model;
pub mod offered;
pub mod requirement;
pub mod share;
pub mod uncertainty;

pub use channel::{
    channel_requirements, channel_requirements_open, deferred_requirements, ChannelModel,
};
pub use cost::work_estimate;
pub use erlang::{erlang_b, erlang_c, erlang_c_metrics, QueueMetrics};
pub use erlang_a::erlang_a_metrics;
pub use input::{StaffingTarget, Workload};
pub use model::{queue_metrics, required_agents_for, QueueModel};
pub use offered::OfferedShare;
pub use requirement::{required_agents, Requirement, StaffingError, MAX_AGENTS};
pub use share::{heads_for_share, RiskInterval};
pub use uncertainty::{channel_servers, promise, ArrivalLaw, Promise, Servers, VolumeBand};
