//! Shift design (the minimum shift design problem of Musliu, Schaerf &
//! Slany, EJOR 2004, and Di Gaspero et al., Ann. OR 2007) on the TU Wien
//! DBAI instances in MiniZinc form (`data/shift-design-dbai`).
//!
//! Given a staff demand per slot of a cyclic horizon (`days` days, 7 = a
//! week, Monday first; after the last slot of the last day comes the first
//! slot of day 0) and shift types (start window and length range, in
//! slots), choose shifts — a start slot and a length — and, for every
//! day, how many workers start each shift that day.
//!
//! * `parse`: [`parse_instance`] reads the `.dzn` subset of those files
//!   into an [`Instance`] ([`ParseError`] names the line and field);
//! * `eval`: [`evaluate`], an independent evaluator of a [`Design`];
//! * [`solve()`]: greedy construction + simulated annealing;
//! * `bound`: [`lower_bound`], an LP bound (clarabel).
//!
//! # Objective (what [`evaluate`] computes)
//!
//! ```text
//! objective = weightUnderCover     · under-cover in staff-minutes
//!           + weightOverCover      · over-cover  in staff-minutes
//!           + weightShiftInstances · number of distinct shifts
//!           + weightDutiesPerWeek  · duty deviation
//! ```
//!
//! * under-/over-cover: per slot `max(0, demand − staffed)` and
//!   `max(0, staffed − demand)`, summed over all slots and multiplied by
//!   the slot length `interval` (staff-minutes). Minutes, not slots, as in
//!   the course's own MILP over these files (over-cover × interval ×
//!   weight) and as `toy1`/`toy2` show: with 180-minute slots they differ
//!   only in `weightShiftInstances` = 179 / 181, i.e. just below / above
//!   one staff-slot of over-cover.
//! * distinct shifts: the number of `(start, length)` pairs used by at
//!   least one worker on at least one day (the MSD count; the same pair on
//!   seven days is one shift).
//! * duties per week (Musliu et al.): employees = worked minutes /
//!   `avgMinutes`, so the average number of duties per employee and week is
//!   `duties · avgMinutes / worked minutes` (independent of the horizon).
//!   The deviation is how far that lies outside `[minDuties, maxDuties]`
//!   (0 inside; 0 when nothing is worked). This is the only fractional
//!   term; the objective is an `f64` for that reason.
//!
//! Hard constraints: each shift's start lies in the start window of its
//! type and its length in the type's length range; worker counts are given
//! for every day. The demand need not be met (under-cover is soft).
//!
//! Plain Rust: no HTTP, no SQL, no I/O (the parser takes a `&str`).

mod bound;
mod eval;
mod parse;
mod solve;
#[cfg(test)]
mod tests;

pub use bound::{jump_bound, lower_bound, BoundOptions, LowerBound};
pub use eval::{evaluate, format_design, Evaluation, Violation};
pub use parse::{parse_instance, ParseError};
pub use solve::{solve, SolveOptions, SolveResult};

/// One shift type: start window `[min_start, max_start]` (slot of the day)
/// and length range `[min_length, max_length]` (slots).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShiftType {
    pub min_start: usize,
    pub max_start: usize,
    pub min_length: usize,
    pub max_length: usize,
}

impl ShiftType {
    pub fn allows(&self, start: usize, length: usize) -> bool {
        (self.min_start..=self.max_start).contains(&start)
            && (self.min_length..=self.max_length).contains(&length)
    }
}

/// Objective weights, as in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
pub struct Weights {
    /// Per staff-minute of under-cover.
    pub under_cover: u64,
    /// Per staff-minute of over-cover.
    pub over_cover: u64,
    /// Per unit of deviation of the average duties per week.
    pub duties_per_week: u64,
    /// Per distinct shift.
    pub shift_instances: u64,
}

/// A parsed instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// Slot length in minutes (divides 1440).
    pub interval: u32,
    pub days: usize,
    /// Required staff per slot, `days × slots_per_day`, day-major.
    pub demand: Vec<u32>,
    pub shift_types: Vec<ShiftType>,
    pub min_duties: f64,
    pub max_duties: f64,
    /// Average weekly working minutes of an employee.
    pub avg_minutes: u32,
    pub weights: Weights,
}

impl Instance {
    pub fn slots_per_day(&self) -> usize {
        (1440 / self.interval) as usize
    }

    pub fn total_slots(&self) -> usize {
        self.demand.len()
    }

    /// Every `(start, length)` pair some shift type allows, each once
    /// (sorted), with the first type that allows it.
    pub fn candidate_shifts(&self) -> Vec<(usize, usize, usize)> {
        let mut out: Vec<(usize, usize, usize)> = Vec::new();
        for (t, st) in self.shift_types.iter().enumerate() {
            for s in st.min_start..=st.max_start {
                for l in st.min_length..=st.max_length {
                    out.push((s, l, t));
                }
            }
        }
        out.sort();
        out.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        out
    }

    /// Objective of the empty design (nobody works).
    pub fn empty_objective(&self) -> f64 {
        let d: u64 = self.demand.iter().map(|&x| u64::from(x)).sum();
        (d * u64::from(self.interval) * self.weights.under_cover) as f64
    }
}

/// One shift of a design: its type, start slot (of the day), length
/// (slots) and the number of workers starting it on each day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    pub shift_type: usize,
    pub start: usize,
    pub length: usize,
    /// `workers[d]`: workers starting this shift on day `d`.
    pub workers: Vec<u32>,
}

/// A shift design: the shifts and their daily worker counts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Design {
    pub shifts: Vec<Shift>,
}
