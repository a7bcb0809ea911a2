//! Curtois & Qu employee shift scheduling benchmark ("NRP instances 1–24",
//! schedulingbenchmarks.org): model, parser, exact objective evaluator,
//! solver (simulated-annealing local search + ruin-and-recreate, with
//! column generation and diving when a whole-horizon DP fits) and an LP
//! lower bound (clarabel).
//!
//! Rules, as [`evaluate`] checks them (and as reproduced on the published
//! rosters of instances 1–4):
//! * hard: one shift a day (by construction); no shift on a day off; no
//!   forbidden succession (shift `t` on day `d`, `u` on `d+1`; nothing is
//!   assumed before day 0 or after the last day); per-type maximum count;
//!   total minutes within `[min, max]`; runs of working days at most
//!   `max_consecutive_shifts`; runs of working days at least
//!   `min_consecutive_shifts` and runs of days off at least
//!   `min_consecutive_days_off`, except runs touching the first or last day
//!   of the horizon; at most `max_weekends` weekends (days `7w+5`, `7w+6`)
//!   with a shift on either day;
//! * soft (the objective): unmet on-request weight + met off-request weight
//!   + under-cover × weight + over-cover × weight, per day and shift type.

mod bound;
mod colgen;
mod dp;
mod eval;
mod parse;
mod solve;
#[cfg(test)]
mod tests;

pub use bound::{lower_bound, BoundOptions, LowerBound};
pub use eval::{evaluate, Evaluation, Rule, Violation};
pub use parse::{format_roster, parse_instance, parse_roster};
pub use solve::{solve, ColumnGeneration, Progress, SolveOptions, SolveResult};

/// A shift type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftType {
    pub id: String,
    pub minutes: u32,
    /// Shift types (indexes) that may not be worked the day after this one.
    pub forbidden_next: Vec<usize>,
}

/// One employee's contract and days off (all hard).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Employee {
    pub id: String,
    /// Per shift type (index), the most shifts of that type; `u32::MAX` when
    /// the file does not mention the type.
    pub max_shifts: Vec<u32>,
    pub max_total_minutes: u32,
    pub min_total_minutes: u32,
    pub max_consecutive_shifts: u32,
    pub min_consecutive_shifts: u32,
    pub min_consecutive_days_off: u32,
    pub max_weekends: u32,
    /// `days_off[d]`: must not work on day `d`.
    pub days_off: Vec<bool>,
}

/// Cover requirement for one day and shift type (soft).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cover {
    pub requirement: u32,
    pub under_weight: u32,
    pub over_weight: u32,
}

impl Cover {
    /// Penalty when `count` employees work this day and shift.
    pub fn cost(&self, count: u32) -> u64 {
        if count < self.requirement {
            u64::from(self.requirement - count) * u64::from(self.under_weight)
        } else {
            u64::from(count - self.requirement) * u64::from(self.over_weight)
        }
    }
}

/// A parsed instance. Requests are kept as weights per (employee, day,
/// shift type); `on_weight[(e * days + d) * shifts + t]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurtoisInstance {
    pub days: usize,
    pub shifts: Vec<ShiftType>,
    pub employees: Vec<Employee>,
    pub on_weight: Vec<u32>,
    pub off_weight: Vec<u32>,
    /// `cover[d * shifts + t]`.
    pub cover: Vec<Cover>,
    pub on_request_count: usize,
    pub off_request_count: usize,
}

impl CurtoisInstance {
    pub fn employee_index(&self, id: &str) -> Option<usize> {
        self.employees.iter().position(|e| e.id == id)
    }

    pub fn shift_index(&self, id: &str) -> Option<usize> {
        self.shifts.iter().position(|s| s.id == id)
    }

    /// Request penalty of employee `e` on day `d` doing `v` (`None` = off).
    pub fn request_cost(&self, e: usize, d: usize, v: Option<usize>) -> u64 {
        let n = self.shifts.len();
        let base = (e * self.days + d) * n;
        let mut c = 0u64;
        for t in 0..n {
            if Some(t) != v {
                c += u64::from(self.on_weight[base + t]);
            }
        }
        if let Some(t) = v {
            c += u64::from(self.off_weight[base + t]);
        }
        c
    }

    pub fn cover_at(&self, d: usize, t: usize) -> Cover {
        self.cover[d * self.shifts.len() + t]
    }
}

/// A roster: `assignment[e][d]` is the shift type worked, `None` = off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurtoisRoster {
    pub assignment: Vec<Vec<Option<usize>>>,
}

impl CurtoisRoster {
    /// Everyone off every day.
    pub fn empty(inst: &CurtoisInstance) -> Self {
        Self {
            assignment: vec![vec![None; inst.days]; inst.employees.len()],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CurtoisError {
    #[error("line {line}: {message}")]
    Parse { line: usize, message: String },
    #[error("roster has {got} employees × days shape mismatch (expected {employees} × {days})")]
    Shape {
        got: String,
        employees: usize,
        days: usize,
    },
}

/// Best known objective (upper bound) of `InstanceN` (N = 1..=24), from the
/// wssuite/NurseScheduler benchmark config (see `data/curtois-nrp/SOURCE.md`).
pub const BEST_KNOWN: [u64; 24] = [
    607, 828, 1001, 1716, 1143, 1950, 1056, 1300, 439, 4631, 3443, 4040, 1348, 1278, 3829, 3225,
    5746, 4459, 3149, 4769, 21133, 30241, 17428, 42463,
];

/// Best known objective for an instance name such as `Instance7` or a path
/// ending in `Instance7.txt`.
pub fn best_known(name: &str) -> Option<u64> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let base = base.strip_suffix(".txt").unwrap_or(base);
    let n: usize = base.strip_prefix("Instance")?.parse().ok()?;
    BEST_KNOWN.get(n.checked_sub(1)?).copied()
}
