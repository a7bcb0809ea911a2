//! LP lower bound (placeholder until the clarabel model lands).

use super::CurtoisInstance;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct BoundOptions {
    pub time_limit: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LowerBound {
    /// Proven lower bound on the objective (rounded up to an integer).
    pub value: u64,
    pub elapsed: Duration,
}

/// Trivial bound 0 for now.
pub fn lower_bound(_inst: &CurtoisInstance, _opts: &BoundOptions) -> Option<LowerBound> {
    Some(LowerBound {
        value: 0,
        elapsed: Duration::ZERO,
    })
}
