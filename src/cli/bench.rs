//! `staffcast bench …`: benchmark runs on public instance sets.
//!
//! `staffcast bench curtois INSTANCE.txt --time-limit 60 --output ROSTER.txt`
//! solves one Curtois & Qu instance and prints one line of
//! `key=value` fields (tab separated): instance, objective, best_known,
//! gap_pct (vs best known), lower_bound, lb_gap_pct, feasible, time_s,
//! first_feasible_s, iterations. Progress goes to stderr.
//!
//! `staffcast bench roster --agents N --days 28 --time-limit 60` builds and
//! solves a four-week interval roster from the Anonymous Bank's arrivals
//! (see `crate::benchmarks::bank_roster`).

use crate::benchmarks::curtois::{
    best_known, evaluate, format_roster, lower_bound, parse_instance, solve, BoundOptions,
    Progress, SolveOptions,
};
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub command: BenchCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum BenchCommand {
    /// Solve one Curtois & Qu instance (schedulingbenchmarks.org NRP 1–24).
    Curtois(CurtoisArgs),
    /// A four-week interval roster from the Anonymous Bank's arrivals.
    Roster(super::bench_roster::RosterArgs),
    /// Solve one DBAI shift-design instance (`data/shift-design-dbai`).
    ShiftDesign(super::bench_shift_design::ShiftDesignArgs),
}

#[derive(clap::Args, Debug)]
pub struct CurtoisArgs {
    /// Instance file (`InstanceN.txt`, Curtois & Qu text format).
    pub instance: PathBuf,
    /// Wall-clock limit of the search, in seconds.
    #[arg(long, default_value_t = 60.0)]
    pub time_limit: f64,
    /// Write the roster here: `EMPLOYEE_ID<TAB>s0 s1 …`, `-` = day off.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Random seed (runs are deterministic for a seed up to the time cut).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Best known objective to compare with (default: the built-in table
    /// when the file is named `InstanceN.txt`).
    #[arg(long)]
    pub best_known: Option<u64>,
    /// Seconds for the LP lower bound (0 = skip it).
    #[arg(long, default_value_t = 20.0)]
    pub bound_time_limit: f64,
    /// Print progress lines to stderr.
    #[arg(long)]
    pub progress: bool,
}

pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    match args.command {
        BenchCommand::Curtois(a) => run_curtois(a),
        BenchCommand::Roster(a) => super::bench_roster::run(a),
        BenchCommand::ShiftDesign(a) => super::bench_shift_design::run(a),
    }
}

pub fn run_curtois(args: CurtoisArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.instance)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.instance.display()))?;
    let inst =
        parse_instance(&text).map_err(|e| anyhow::anyhow!("{}: {e}", args.instance.display()))?;
    let name = args
        .instance
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let best = args.best_known.or_else(|| best_known(&name));
    let opts = SolveOptions {
        time_limit: Duration::from_secs_f64(args.time_limit.max(0.0)),
        seed: args.seed,
        ..Default::default()
    };
    let show = args.progress;
    let result = solve(&inst, &opts, None, &mut |p: &Progress| {
        if show {
            eprintln!(
                "{:5.1}% best={} iterations={} elapsed={:.1}s",
                p.percent,
                p.best_objective.map_or("-".into(), |b| b.to_string()),
                p.iterations,
                p.elapsed.as_secs_f64()
            );
        }
    });
    let ev = evaluate(&inst, &result.roster)?;
    anyhow::ensure!(
        ev.objective == result.objective,
        "internal error: solver objective {} but evaluator {}",
        result.objective,
        ev.objective
    );
    for v in ev.violations.iter().take(20) {
        eprintln!(
            "violation: employee {} {:?} day {} amount {}",
            inst.employees[v.employee].id, v.rule, v.day, v.amount
        );
    }
    let lb = if args.bound_time_limit > 0.0 {
        lower_bound(
            &inst,
            &BoundOptions {
                time_limit: Duration::from_secs_f64(args.bound_time_limit),
            },
        )
    } else {
        None
    };
    if let Some(out) = &args.output {
        std::fs::write(out, format_roster(&inst, &result.roster))
            .map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
    }
    let pct = |num: f64, den: f64| {
        if den > 0.0 {
            format!("{:.2}", 100.0 * num / den)
        } else {
            "-".to_string()
        }
    };
    let obj = ev.objective as f64;
    let cg = result.column_generation.as_ref();
    println!(
        "instance={name}\tobjective={}\tbest_known={}\tgap_pct={}\tlower_bound={}\tlb_gap_pct={}\tfeasible={}\tviolations={}\ttime_s={:.2}\tfirst_feasible_s={}\titerations={}\tunder={}\tover={}\ton_requests={}\toff_requests={}\tcg_root_lp={}\tdives={}\tdive_objective={}\twindows={}",
        ev.objective,
        best.map_or("-".into(), |b| b.to_string()),
        best.map_or("-".into(), |b| pct(obj - b as f64, b as f64)),
        lb.as_ref().map_or("-".into(), |l| l.value.to_string()),
        lb.as_ref().map_or("-".into(), |l| pct(obj - l.value as f64, obj)),
        ev.feasible,
        ev.violations.len(),
        result.elapsed.as_secs_f64(),
        result
            .time_to_first_feasible
            .map_or("-".into(), |t| format!("{:.2}", t.as_secs_f64())),
        result.iterations,
        ev.under_cover,
        ev.over_cover,
        ev.on_requests,
        ev.off_requests,
        cg.and_then(|c| c.root_lp)
            .map_or("-".into(), |v| format!("{v:.2}")),
        cg.map_or("-".into(), |c| c.dives.to_string()),
        cg.and_then(|c| c.dive_objective).map_or("-".into(), |o| o.to_string()),
        cg.map_or("-".into(), |c| c.windows.to_string()),
    );
    Ok(())
}
