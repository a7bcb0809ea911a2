//! Scheduling benchmarks.
//!
//! * `cargo bench --bench schedule -- curtois INSTANCE.txt --time-limit 10
//!   [--output ROSTER.txt]`: the same as `staffcast bench curtois …` (this
//!   file compiles `src/cli/bench.rs` in), used by `scripts/bench_schedule.sh`
//!   when the binary has no `bench` command.
//! * `cargo bench --bench schedule`: speed figures of the Curtois solver on
//!   instances 1, 5 and 12 (time to first feasible roster, objective after
//!   a short run).

use clap::Parser;

/// `crate::schedule` for the included CLI module.
mod schedule {
    pub use staffcast::schedule::*;
}

#[path = "../src/cli/bench.rs"]
#[allow(dead_code)]
mod bench;

#[derive(Parser, Debug)]
struct Cli {
    #[command(subcommand)]
    command: bench::BenchCommand,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().filter(|a| a != "--bench").collect();
    if args.len() > 1 {
        let cli = Cli::parse_from(args);
        return bench::run(bench::BenchArgs {
            command: cli.command,
        });
    }
    speed_figures();
    Ok(())
}

fn speed_figures() {
    use staffcast::schedule::curtois::{parse_instance, solve, SolveOptions};
    use std::time::Duration;
    let files = [
        (
            "Instance1",
            include_str!("../data/curtois-nrp/instances/Instance1.txt"),
        ),
        (
            "Instance5",
            include_str!("../data/curtois-nrp/instances/Instance5.txt"),
        ),
        (
            "Instance12",
            include_str!("../data/curtois-nrp/instances/Instance12.txt"),
        ),
    ];
    println!("| instance | time limit s | first feasible s | objective | iterations |");
    println!("|---|---|---|---|---|");
    for (name, text) in files {
        let inst = parse_instance(text).expect("bundled instance parses");
        let opts = SolveOptions {
            time_limit: Duration::from_secs(5),
            ..Default::default()
        };
        let r = solve(&inst, &opts, None, &mut |_| {});
        println!(
            "| {name} | 5 | {} | {} | {} |",
            r.time_to_first_feasible
                .map_or("-".into(), |t| format!("{:.3}", t.as_secs_f64())),
            if r.feasible {
                r.objective.to_string()
            } else {
                "infeasible".into()
            },
            r.iterations
        );
    }
}
