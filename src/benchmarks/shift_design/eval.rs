//! Independent evaluator of a [`Design`]: coverage slot by slot from the
//! shifts as given (no state shared with the solver), the hard checks, and
//! the objective defined in the module documentation.

use super::{Design, Instance};
use std::collections::BTreeSet;

/// A broken hard constraint (`shift` is the index in `Design::shifts`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    UnknownType {
        shift: usize,
        shift_type: usize,
    },
    StartOutsideWindow {
        shift: usize,
        start: usize,
        min: usize,
        max: usize,
    },
    LengthOutOfRange {
        shift: usize,
        length: usize,
        min: usize,
        max: usize,
    },
    /// `workers` does not have one count per day.
    WrongDayCount {
        shift: usize,
        got: usize,
        expected: usize,
    },
}

/// What [`evaluate`] reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Σ over slots of `max(0, demand − staffed)` (staff-slots).
    pub under_slots: u64,
    /// Σ over slots of `max(0, staffed − demand)` (staff-slots).
    pub over_slots: u64,
    /// `under_slots × interval`.
    pub under_minutes: u64,
    /// `over_slots × interval`.
    pub over_minutes: u64,
    /// `(start, length)` pairs with at least one worker on some day.
    pub distinct_shifts: usize,
    /// Shift instances worked (Σ workers over shifts and days).
    pub duties: u64,
    pub worked_minutes: u64,
    /// `duties · avgMinutes / worked_minutes`; `None` when nothing is worked.
    pub duties_per_week: Option<f64>,
    /// Distance of `duties_per_week` outside `[minDuties, maxDuties]`.
    pub duty_deviation: f64,
    /// See the module documentation.
    pub objective: f64,
    /// Staff working in each slot (cyclic).
    pub staffed: Vec<u32>,
    pub violations: Vec<Violation>,
    pub feasible: bool,
}

/// Evaluate `design` on `inst`. Shifts breaking a hard constraint are still
/// counted in the cover (and reported in `violations`).
pub fn evaluate(inst: &Instance, design: &Design) -> Evaluation {
    let spd = inst.slots_per_day();
    let n = inst.total_slots();
    let mut staffed = vec![0u32; n];
    let mut violations = Vec::new();
    let mut used: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut duties = 0u64;
    let mut worked_slots = 0u64;
    for (i, sh) in design.shifts.iter().enumerate() {
        match inst.shift_types.get(sh.shift_type) {
            None => violations.push(Violation::UnknownType {
                shift: i,
                shift_type: sh.shift_type,
            }),
            Some(st) => {
                if !(st.min_start..=st.max_start).contains(&sh.start) {
                    violations.push(Violation::StartOutsideWindow {
                        shift: i,
                        start: sh.start,
                        min: st.min_start,
                        max: st.max_start,
                    });
                }
                if !(st.min_length..=st.max_length).contains(&sh.length) {
                    violations.push(Violation::LengthOutOfRange {
                        shift: i,
                        length: sh.length,
                        min: st.min_length,
                        max: st.max_length,
                    });
                }
            }
        }
        if sh.workers.len() != inst.days {
            violations.push(Violation::WrongDayCount {
                shift: i,
                got: sh.workers.len(),
                expected: inst.days,
            });
        }
        for (d, &w) in sh.workers.iter().enumerate().take(inst.days) {
            if w == 0 {
                continue;
            }
            used.insert((sh.start, sh.length));
            duties += u64::from(w);
            worked_slots += u64::from(w) * sh.length as u64;
            for k in 0..sh.length {
                // The week wraps: the slot after the last one is slot 0.
                let p = (d * spd + sh.start + k) % n;
                staffed[p] += w;
            }
        }
    }
    let (mut under_slots, mut over_slots) = (0u64, 0u64);
    for (p, &s) in staffed.iter().enumerate() {
        let dem = inst.demand[p];
        under_slots += u64::from(dem.saturating_sub(s));
        over_slots += u64::from(s.saturating_sub(dem));
    }
    let iv = u64::from(inst.interval);
    let worked_minutes = worked_slots * iv;
    let duties_per_week = (worked_minutes > 0)
        .then(|| duties as f64 * f64::from(inst.avg_minutes) / worked_minutes as f64);
    let duty_deviation = duties_per_week.map_or(0.0, |a| {
        if a < inst.min_duties {
            inst.min_duties - a
        } else if a > inst.max_duties {
            a - inst.max_duties
        } else {
            0.0
        }
    });
    let w = inst.weights;
    let integral = w.under_cover * under_slots * iv
        + w.over_cover * over_slots * iv
        + w.shift_instances * used.len() as u64;
    let objective = integral as f64 + w.duties_per_week as f64 * duty_deviation;
    Evaluation {
        under_slots,
        over_slots,
        under_minutes: under_slots * iv,
        over_minutes: over_slots * iv,
        distinct_shifts: used.len(),
        duties,
        worked_minutes,
        duties_per_week,
        duty_deviation,
        objective,
        staffed,
        feasible: violations.is_empty(),
        violations,
    }
}

/// The design as text: one line per shift with workers,
/// `start HH:MM<TAB>length minutes<TAB>type (1-based)<TAB>w_0 w_1 …`.
pub fn format_design(inst: &Instance, design: &Design) -> String {
    let mut out = String::from("# start\tminutes\ttype\tworkers per day (day 0 first)\n");
    for sh in &design.shifts {
        if sh.workers.iter().all(|&w| w == 0) {
            continue;
        }
        let m = sh.start as u32 * inst.interval;
        let ws: Vec<String> = sh.workers.iter().map(u32::to_string).collect();
        out.push_str(&format!(
            "{:02}:{:02}\t{}\t{}\t{}\n",
            m / 60,
            m % 60,
            sh.length as u32 * inst.interval,
            sh.shift_type + 1,
            ws.join(" ")
        ));
    }
    out
}
