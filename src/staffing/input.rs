//! What the staffing maths is asked: a [`Workload`] (contacts, handle time,
//! interval length) to meet a [`StaffingTarget`] (a service goal, an
//! occupancy cap, shrinkage). Both are checked when built, so the entry
//! points take two named values instead of six positional numbers.

use super::requirement::{invalid, validate_goal, StaffingError};
use crate::domain::ServiceGoal;

/// The load of one interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Workload {
    volume: f64,
    aht_seconds: f64,
    interval_seconds: f64,
}

impl Workload {
    /// `volume` contacts (may be fractional: a forecast) of `aht_seconds`
    /// mean handle time, arriving over `interval_seconds`.
    pub fn new(
        volume: f64,
        aht_seconds: f64,
        interval_seconds: f64,
    ) -> Result<Self, StaffingError> {
        if !(volume.is_finite() && volume >= 0.0) {
            return Err(invalid("volume", "must be a finite number, 0 or more"));
        }
        if !(interval_seconds.is_finite() && interval_seconds > 0.0) {
            return Err(invalid(
                "interval_seconds",
                "must be a finite number above 0",
            ));
        }
        if !(aht_seconds.is_finite() && aht_seconds >= 0.0) {
            return Err(invalid("aht_seconds", "must be a finite number, 0 or more"));
        }
        if volume > 0.0 && aht_seconds <= 0.0 {
            return Err(invalid(
                "aht_seconds",
                "must be above 0 when there are contacts",
            ));
        }
        Ok(Self {
            volume,
            aht_seconds,
            interval_seconds,
        })
    }

    /// Consecutive intervals of one length from `(volume, aht_seconds)` pairs.
    pub fn series(
        load: impl IntoIterator<Item = (f64, f64)>,
        interval_seconds: f64,
    ) -> Result<Vec<Self>, StaffingError> {
        load.into_iter()
            .map(|(volume, aht)| Self::new(volume, aht, interval_seconds))
            .collect()
    }

    pub fn volume(&self) -> f64 {
        self.volume
    }

    pub fn aht_seconds(&self) -> f64 {
        self.aht_seconds
    }

    pub fn interval_seconds(&self) -> f64 {
        self.interval_seconds
    }

    /// Offered load in erlangs.
    pub fn erlangs(&self) -> f64 {
        self.volume * self.aht_seconds / self.interval_seconds
    }
}

/// What the head count must achieve, and what it is grossed up by.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StaffingTarget {
    goal: ServiceGoal,
    max_occupancy: f64,
    shrinkage: f64,
}

impl StaffingTarget {
    /// `max_occupancy` in (0, 1]; `shrinkage` (share of paid time not on
    /// contacts) in [0, 1).
    pub fn new(
        goal: ServiceGoal,
        max_occupancy: f64,
        shrinkage: f64,
    ) -> Result<Self, StaffingError> {
        if !(0.0..1.0).contains(&shrinkage) {
            return Err(invalid("shrinkage", "must be at least 0 and below 1"));
        }
        if !(max_occupancy > 0.0 && max_occupancy <= 1.0) {
            return Err(invalid("max_occupancy", "must be above 0 and at most 1"));
        }
        validate_goal(&goal)?;
        Ok(Self {
            goal,
            max_occupancy,
            shrinkage,
        })
    }

    /// A queue's target: its goal, occupancy cap and shrinkage.
    pub fn for_queue(spec: &crate::domain::QueueSpec) -> Result<Self, StaffingError> {
        Self::new(spec.goal, spec.max_occupancy, spec.shrinkage)
    }

    pub fn goal(&self) -> &ServiceGoal {
        &self.goal
    }

    pub fn max_occupancy(&self) -> f64 {
        self.max_occupancy
    }

    pub fn shrinkage(&self) -> f64 {
        self.shrinkage
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_checked_when_built() {
        let field = |e: StaffingError| match e {
            StaffingError::InvalidInput { field, .. } => field,
            other => panic!("{other}"),
        };
        assert_eq!(
            field(Workload::new(-1.0, 180.0, 900.0).unwrap_err()),
            "volume"
        );
        assert_eq!(
            field(Workload::new(1.0, 0.0, 900.0).unwrap_err()),
            "aht_seconds"
        );
        assert_eq!(
            field(Workload::new(1.0, 180.0, 0.0).unwrap_err()),
            "interval_seconds"
        );
        assert!(
            Workload::new(0.0, 0.0, 900.0).is_ok(),
            "no contacts, no handle time"
        );
        let goal = ServiceGoal::new(0.8, 20.0, None, None).unwrap();
        assert_eq!(
            field(StaffingTarget::new(goal, 0.85, 1.0).unwrap_err()),
            "shrinkage"
        );
        assert_eq!(
            field(StaffingTarget::new(goal, 0.0, 0.3).unwrap_err()),
            "max_occupancy"
        );
        let t = StaffingTarget::new(goal, 0.85, 0.3).unwrap();
        assert_eq!((t.max_occupancy(), t.shrinkage()), (0.85, 0.3));
        let w = Workload::new(100.0, 180.0, 1800.0).unwrap();
        assert!((w.erlangs() - 10.0).abs() < 1e-12);
    }
}
