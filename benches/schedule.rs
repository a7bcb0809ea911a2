//! Scheduling benchmarks: `cargo bench --bench schedule` prints speed
//! figures of the Curtois solver on instances 1, 5 and 12 (time to first
//! feasible roster, objective after a short run). The instance runs
//! themselves are `staffcast bench curtois …` (`scripts/bench_schedule.sh`).

fn main() {
    speed_figures();
}

fn speed_figures() {
    use staffcast::benchmarks::curtois::{parse_instance, solve, SolveOptions};
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
