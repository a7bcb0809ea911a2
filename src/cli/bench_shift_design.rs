//! `staffcast bench shift-design INSTANCE.dzn --time-limit 10 [--seed N]`
//! solves one DBAI shift-design instance (`data/shift-design-dbai`) and
//! prints one line of tab-separated `key=value` fields: instance, under and
//! over (staff-minutes), distinct_shifts, objective, lower_bound,
//! lb_gap_pct, feasible, time_s, then details (staff-slots, duties per
//! week, greedy objective, iterations). The objective is the one of
//! `crate::benchmarks::shift_design` (its module documentation).

use crate::benchmarks::shift_design::{
    evaluate, format_design, lower_bound, parse_instance, solve, BoundOptions, SolveOptions,
};
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct ShiftDesignArgs {
    /// Instance file (MiniZinc `.dzn`, DBAI shift-design subset).
    pub instance: PathBuf,
    /// Wall-clock limit of the search, in seconds.
    #[arg(long, default_value_t = 10.0)]
    pub time_limit: f64,
    /// Random seed (runs are deterministic for a seed up to the time cut).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Stop after this many annealing moves (fully reproducible runs).
    #[arg(long)]
    pub max_iterations: Option<u64>,
    /// Seconds for the LP lower bound (0 = skip it).
    #[arg(long, default_value_t = 30.0)]
    pub bound_time_limit: f64,
    /// Write the design here (`start minutes type workers-per-day`).
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// `12` for integral values, else two decimals.
fn num(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        format!("{x:.2}")
    }
}

pub fn run(args: ShiftDesignArgs) -> anyhow::Result<()> {
    let path = &args.instance;
    let text =
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let inst = parse_instance(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let res = solve(
        &inst,
        &SolveOptions {
            time_limit: Duration::from_secs_f64(args.time_limit.max(0.0)),
            seed: args.seed,
            max_iterations: args.max_iterations,
        },
    );
    let ev = evaluate(&inst, &res.design);
    anyhow::ensure!(
        (ev.objective - res.objective).abs() < 1e-6,
        "internal error: solver objective {} but evaluator {}",
        res.objective,
        ev.objective
    );
    for v in ev.violations.iter().take(20) {
        eprintln!("violation: {v:?}");
    }
    let lb = if args.bound_time_limit > 0.0 {
        Some(lower_bound(
            &inst,
            &BoundOptions {
                time_limit: Duration::from_secs_f64(args.bound_time_limit),
            },
        ))
    } else {
        None
    };
    if let Some(out) = &args.output {
        std::fs::write(out, format_design(&inst, &res.design))
            .map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
    }
    let lb_gap = lb.as_ref().map_or("-".into(), |l| {
        if ev.objective > 0.0 {
            format!("{:.2}", 100.0 * (ev.objective - l.value) / ev.objective)
        } else {
            "0.00".into()
        }
    });
    println!(
        "instance={name}\tunder={}\tover={}\tdistinct_shifts={}\tobjective={}\tlower_bound={}\tlb_gap_pct={lb_gap}\tfeasible={}\ttime_s={:.2}\tunder_slots={}\tover_slots={}\tduties={}\tduties_per_week={}\tduty_deviation={}\tgreedy_objective={}\tempty_objective={}\titerations={}\tseed={}",
        ev.under_minutes,
        ev.over_minutes,
        ev.distinct_shifts,
        num(ev.objective),
        lb.as_ref().map_or("-".into(), |l| num(l.value)),
        ev.feasible,
        res.elapsed.as_secs_f64(),
        ev.under_slots,
        ev.over_slots,
        ev.duties,
        ev.duties_per_week.map_or("-".into(), |a| format!("{a:.3}")),
        num(ev.duty_deviation),
        num(res.greedy_objective),
        num(inst.empty_objective()),
        res.iterations,
        args.seed,
    );
    Ok(())
}
