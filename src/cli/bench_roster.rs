//! `staffcast bench roster`: solves the bank roster bench
//! (`crate::benchmarks::bank_roster`, where the problem is described) with
//! the rostering engine.
//!
//! Prints one tab-separated `key=value` line: sizes, lower bound, time to
//! the first roster and its objective (the constructive baseline), the
//! best objective and gap at each `--checkpoints` second, and the final
//! objective, gap, coverage, under/over-cover hours, paid hours, moves.

use crate::benchmarks::bank_roster::{self, BankRoster};
use crate::schedule::engine::{self, SolveOptions};
use anyhow::Context;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct RosterArgs {
    /// Number of agents.
    #[arg(long, default_value_t = 200)]
    pub agents: u32,
    #[arg(long, default_value_t = 28)]
    pub days: u32,
    /// First day (a date in 1999 with arrival counts).
    #[arg(long, default_value = "1999-03-01")]
    pub first_day: NaiveDate,
    #[arg(long, default_value_t = 60.0)]
    pub time_limit: f64,
    /// Seconds for the LP bound (0 = skip).
    #[arg(long, default_value_t = 20.0)]
    pub bound_time_limit: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Stop the search after this many moves (deterministic for a seed;
    /// --time-limit still caps it).
    #[arg(long)]
    pub iteration_budget: Option<u64>,
    /// Report the best objective and gap at these seconds (comma separated).
    #[arg(long, default_value = "10")]
    pub checkpoints: String,
    /// Share of contracted hours the requirement asks for.
    #[arg(long, default_value_t = 0.85)]
    pub load: f64,
    #[arg(
        long,
        default_value = "data/anonymous-bank-1999/anonymous_bank_1999_6min_counts.csv"
    )]
    pub counts: PathBuf,
    #[arg(
        long,
        default_value = "data/anonymous-bank-1999/anonymous_bank_february_1999_calls.tsv"
    )]
    pub calls: PathBuf,
    /// Print progress lines to stderr.
    #[arg(long)]
    pub progress: bool,
}

pub fn run(args: RosterArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.agents > 0, "--agents must be at least 1");
    anyhow::ensure!((1..=56).contains(&args.days), "--days must be from 1 to 56");
    let BankRoster {
        problem,
        aht_seconds: aht,
        volume_scale: scale,
        required_agent_hours: required_hours,
    } = bank_roster::build(&bank_roster::Spec {
        agents: args.agents,
        days: args.days,
        first_day: args.first_day,
        seed: args.seed,
        load: args.load,
        counts: args.counts.clone(),
        calls: args.calls.clone(),
    })?;
    let options = SolveOptions {
        time_limit: std::time::Duration::from_secs_f64(args.time_limit),
        seed: args.seed,
        max_iterations: args.iteration_budget,
        bound_time_limit: std::time::Duration::from_secs_f64(args.bound_time_limit),
        progress_interval: std::time::Duration::from_millis(100),
    };
    let checkpoints: Vec<f64> = args
        .checkpoints
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .context("--checkpoints: seconds separated by commas")?;
    let mut trace: Vec<(f64, f64, Option<f64>)> = Vec::new();
    let mut last_print = 0.0;
    let solution = engine::solve(&problem, &options, None, &mut |p| {
        let t = p.elapsed.as_secs_f64();
        trace.push((t, p.best_objective, p.lower_bound));
        if args.progress && t - last_print >= 5.0 {
            last_print = t;
            eprintln!(
                "  {t:6.1} s  {:5.1}%  best {:.1}  bound {}  moves {}",
                p.percent,
                p.best_objective,
                p.lower_bound.map_or("-".into(), |b| format!("{b:.1}")),
                p.iterations
            );
        }
    })?;
    let broken = engine::check_solution(&problem, &solution);
    anyhow::ensure!(
        broken.is_empty(),
        "the roster breaks hard rules: {broken:?}"
    );
    let gap = |obj: f64| {
        solution.lower_bound.map(|lb| {
            if obj > 0.0 {
                100.0 * (obj - lb) / obj
            } else {
                0.0
            }
        })
    };
    let fmt = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.2}"));
    let mut fields: BTreeMap<usize, (String, String)> = BTreeMap::new();
    let mut push = |k: &str, v: String| {
        let n = fields.len();
        fields.insert(n, (k.to_string(), v));
    };
    push("agents", args.agents.to_string());
    push("days", args.days.to_string());
    push("intervals", (args.days * 96).to_string());
    push("aht_s", format!("{aht:.1}"));
    push("volume_scale", format!("{scale:.2}"));
    push("required_agent_hours", format!("{required_hours:.1}"));
    push("lower_bound", fmt(solution.lower_bound));
    push("bound_s", format!("{:.2}", solution.bound_seconds));
    push(
        "first_roster_s",
        format!("{:.2}", solution.first_roster_seconds),
    );
    push(
        "first_roster_objective",
        format!("{:.2}", solution.first_roster_objective),
    );
    push(
        "first_roster_gap_pct",
        fmt(gap(solution.first_roster_objective)),
    );
    push(
        "search_start_objective",
        format!("{:.2}", solution.search_start_objective),
    );
    for c in &checkpoints {
        let best = trace
            .iter()
            .rev()
            .find(|(t, _, _)| *t <= *c)
            .map(|(_, b, _)| *b);
        push(&format!("objective_at_{c}s"), fmt(best));
        push(&format!("gap_at_{c}s_pct"), fmt(best.and_then(gap)));
    }
    push("objective", format!("{:.2}", solution.objective.total));
    push("gap_pct", fmt(solution.gap_percent));
    push(
        "coverage_pct",
        format!("{:.2}", solution.coverage_percent()),
    );
    push(
        "under_agent_hours",
        format!("{:.1}", solution.objective.under_agent_hours),
    );
    push(
        "over_agent_hours",
        format!("{:.1}", solution.objective.over_agent_hours),
    );
    push(
        "paid_hours",
        format!("{:.1}", solution.objective.paid_hours),
    );
    push(
        "requests_missed",
        solution.objective.requests_missed.to_string(),
    );
    push(
        "contract_short_hours",
        format!("{:.1}", solution.objective.contract_short_hours),
    );
    push("short_intervals", solution.shortfall.len().to_string());
    let mut binding: BTreeMap<&str, u32> = BTreeMap::new();
    for x in &solution.shortfall {
        if let Some(rule) = x.binding {
            *binding.entry(rule.key()).or_default() += 1;
        }
    }
    push(
        "binding_rules",
        binding
            .iter()
            .map(|(k, v)| format!("{k}:{v}"))
            .collect::<Vec<_>>()
            .join(","),
    );
    push("iterations", solution.iterations.to_string());
    push(
        "moves_per_s",
        format!(
            "{:.0}",
            solution.iterations as f64
                / (solution.elapsed_seconds - solution.first_roster_seconds).max(1e-9)
        ),
    );
    push("time_s", format!("{:.2}", solution.elapsed_seconds));
    let line: Vec<String> = fields.values().map(|(k, v)| format!("{k}={v}")).collect();
    println!("{}", line.join("\t"));
    Ok(())
}
