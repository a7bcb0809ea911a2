#![allow(clippy::unwrap_used)] // benchmark harness: a failed unwrap is a failed run
//! Requirement speed: 10,000 intervals of a realistic day-shaped load
//! (2 to ~120 erlangs, AHT 150–300 s, 30-minute intervals, 80% in 20 s,
//! occupancy ≤ 85%, shrinkage 30%), Erlang C as the same-run baseline, then
//! Erlang A, chat and deferred work over the same intervals, and the agents
//! for a share of intervals meeting the goal under a ±30 % forecast band
//! (`interval_confidence_percent`), from the Erlang A point requirement.
//! Run: `cargo bench --bench staffing`.

use staffcast::domain::ServiceGoal;
use staffcast::staffing::{
    channel_requirements, heads_for_share, required_agents, required_agents_for, ArrivalLaw,
    ChannelModel, QueueModel, RiskInterval, StaffingTarget, VolumeBand, Workload,
};
use std::hint::black_box;
use std::time::Instant;

const N: usize = 10_000;

fn load() -> Vec<Workload> {
    let pairs = (0..N).map(|i| {
        let phase = (i % 48) as f64 / 48.0 * std::f64::consts::TAU;
        let volume = 20.0 + 600.0 * (0.5 - 0.5 * phase.cos()).powi(2) + (i * 7919 % 37) as f64;
        let aht = 150.0 + (i * 31 % 150) as f64;
        (volume, aht)
    });
    Workload::series(pairs, 1800.0).expect("valid load")
}

/// Best of `reps` runs, in milliseconds.
fn time<F: FnMut() -> u64>(reps: usize, mut f: F) -> (f64, u64) {
    let mut best = f64::INFINITY;
    let mut check = 0;
    for _ in 0..reps {
        let t = Instant::now();
        check = black_box(f());
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
    }
    (best, check)
}

fn main() {
    let load = load();
    let goal = ServiceGoal::new(0.8, 20.0, None, None).expect("a valid goal");
    let target = StaffingTarget::new(goal, 0.85, 0.3).expect("a valid target");
    let uncapped = StaffingTarget::new(goal, 1.0, 0.0).expect("a valid target");
    let erlangs: f64 = load.iter().map(Workload::erlangs).sum::<f64>() / N as f64;
    println!("{N} intervals of 30 min, mean load {erlangs:.1} erlangs; best of 5 runs");
    println!("| what | ms for {N} intervals | µs / interval | sum of agents |");
    println!("| --- | ---: | ---: | ---: |");
    let row = |label: &str, (ms, agents): (f64, u64)| {
        println!(
            "| {label} | {ms:.2} | {:.2} | {agents} |",
            ms * 1e3 / N as f64
        );
    };
    row(
        "Erlang C `required_agents` (baseline)",
        time(5, || {
            load.iter()
                .map(|w| u64::from(required_agents(w, &target).unwrap().agents_net))
                .sum()
        }),
    );
    for patience in [60.0, 300.0, 3600.0] {
        let model = QueueModel::ErlangA {
            patience_seconds: patience,
        };
        row(
            &format!("Erlang A `required_agents_for`, patience {patience} s"),
            time(5, || {
                load.iter()
                    .map(|w| u64::from(required_agents_for(model, w, &target).unwrap().agents_net))
                    .sum()
            }),
        );
    }
    let goal_ab = ServiceGoal::new(0.8, 20.0, Some(30.0), Some(0.03)).expect("a valid goal");
    let target_ab = StaffingTarget::new(goal_ab, 0.85, 0.3).expect("a valid target");
    row(
        "Erlang A, patience 300 s, + max ASA 30 s + max abandon 3%",
        time(5, || {
            load.iter()
                .map(|w| {
                    u64::from(
                        required_agents_for(
                            QueueModel::ErlangA {
                                patience_seconds: 300.0,
                            },
                            w,
                            &target_ab,
                        )
                        .unwrap()
                        .agents_net,
                    )
                })
                .sum()
        }),
    );
    let chat = ChannelModel::Chat {
        concurrency: 3,
        handle_time_factor: 1.4,
        queue: QueueModel::ErlangC,
    };
    row(
        "chat (3 at once, ×1.4 handle time, Erlang C on slots)",
        time(5, || {
            channel_requirements(&chat, &load, &target)
                .unwrap()
                .iter()
                .map(|r| u64::from(r.agents_net))
                .sum()
        }),
    );
    // Large loads: 1,000 intervals of 5,000–10,000 erlangs.
    let big = Workload::series(
        (0..1000).map(|i| (50_000.0 + 50.0 * (i % 1000) as f64, 180.0)),
        1800.0,
    )
    .expect("valid load");
    let big_row = |label: &str, (ms, agents): (f64, u64)| {
        println!(
            "| {label} | {ms:.2} (1,000 intervals) | {:.2} | {agents} |",
            ms * 1e3 / 1000.0
        );
    };
    big_row(
        "Erlang C, 5,000–10,000 erlangs",
        time(3, || {
            big.iter()
                .map(|w| u64::from(required_agents(w, &uncapped).unwrap().agents_net))
                .sum()
        }),
    );
    big_row(
        "Erlang A (patience 300 s), 5,000–10,000 erlangs",
        time(3, || {
            big.iter()
                .map(|w| {
                    let m = QueueModel::ErlangA {
                        patience_seconds: 300.0,
                    };
                    u64::from(required_agents_for(m, w, &uncapped).unwrap().agents_net)
                })
                .sum()
        }),
    );
    // Forecast risk: the point requirement (Erlang A, patience 300 s) is the
    // start; only the share's own work is timed.
    let voice = QueueModel::ErlangA {
        patience_seconds: 300.0,
    };
    let risk: Vec<RiskInterval> = load
        .iter()
        .map(|w| {
            let volume = w.volume();
            RiskInterval {
                law: ArrivalLaw::from_band(VolumeBand {
                    volume,
                    p10: volume * 0.7,
                    p90: volume * 1.3,
                }),
                aht_seconds: w.aht_seconds(),
                start_agents: required_agents_for(voice, w, &target).unwrap().agents_net,
            }
        })
        .collect();
    for share in [0.9, 0.999] {
        row(
            &format!(
                "share {:.1} % of intervals meeting the goal, ±30 % band (Erlang A 300 s)",
                share * 100.0
            ),
            time(3, || {
                heads_for_share(
                    &ChannelModel::Voice(voice),
                    &goal,
                    1800.0,
                    &risk,
                    share,
                    &mut || true,
                )
                .unwrap()
                .iter()
                .map(|&n| u64::from(n))
                .sum()
            }),
        );
    }
    let deferred = ChannelModel::Deferred {
        deadline_seconds: 4.0 * 3600.0,
    };
    row(
        "deferred (deadline 4 h, whole horizon at once)",
        time(5, || {
            channel_requirements(&deferred, &load, &target)
                .unwrap()
                .iter()
                .map(|r| u64::from(r.agents_net))
                .sum()
        }),
    );
}
