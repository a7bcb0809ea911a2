#![allow(clippy::unwrap_used)] // benchmark harness: a failed unwrap is a failed run
//! Simulator speed, and (with `--replay`) the February 1999 replay table.
//!
//! `cargo bench --bench simulate` — calls per second on one core, with the
//! same arrivals under ample staffing (nobody queues) as the same-run
//! baseline.
//!
//! `cargo bench --bench simulate -- --replay [TSV] [--target SECONDS]
//! [--staffing distinct|presence]` —
//! for the Anonymous Bank, February 1999 (default
//! `data/anonymous-bank-1999/anonymous_bank_february_1999_calls.tsv`,
//! target 60 s), per 30-minute interval of Sun–Thu 07:00–23:00 (the Israeli
//! working week), the service level that Erlang A predicts against what the
//! simulator gives replaying the real calls at the same staffing, and what
//! the real calls got:
//! - calls = calls that reached the agent queue (answered, or hung up while
//!   queued), arriving in the interval (arrival = queue entry, or VRU exit);
//! - staffing (an estimate; the data have no agent log-in times):
//!   `distinct` (default) = number of distinct `server` names with a call in
//!   progress during the interval (agents idle all interval are missed, and
//!   an agent seen for one minute counts as on for all 30 — an upper-ish
//!   estimate); `presence` = for each server, first call start to last call
//!   end within the interval, summed over servers / 30 min, rounded (idle
//!   time before the first and after the last call is missed — a lower-ish
//!   estimate);
//! - Erlang A: that interval's calls, its mean talk time (month mean if no
//!   call was answered), mean patience `1/θ̂` with `θ̂ = hang-ups / total
//!   queue time` (exponential MLE with censoring), stationary per interval;
//! - replay: the simulator over the whole month with the real arrival times,
//!   real talk times (hang-ups get a talk time drawn from the answered calls),
//!   patience drawn from the Kaplan–Meier curve, FIFO (the bank gave priority
//!   customers precedence; the simulator does not), queues carried across
//!   intervals;
//! - real: answered within the target / calls.
//!
//! Rows aggregate the same clock slot over all Sun–Thu days (call-weighted).

use chrono::{Datelike, NaiveDate, Timelike, Weekday};
use rand::{Rng, SeedableRng};
use staffcast::benchmarks::bank::{parse_bank_calls, CallOutcome};
use staffcast::simulate::{kaplan_meier, simulate, ArrivalSource, Dist, SimulationInput};
use staffcast::staffing::erlang_a_metrics;
use std::collections::HashMap;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--replay") {
        let path = args
            .get(i + 1)
            .filter(|p| !p.starts_with("--"))
            .cloned()
            .unwrap_or_else(|| {
                "data/anonymous-bank-1999/anonymous_bank_february_1999_calls.tsv".to_string()
            });
        let target = args
            .iter()
            .position(|a| a == "--target")
            .and_then(|j| args.get(j + 1))
            .map(|t| t.parse().expect("--target takes seconds"))
            .unwrap_or(60.0);
        let presence = args
            .iter()
            .position(|a| a == "--staffing")
            .and_then(|j| args.get(j + 1))
            .is_some_and(|s| s == "presence");
        replay(&path, target, presence);
    } else {
        speed();
    }
}

type Case = (&'static str, usize, f64, u32, Dist, Option<Dist>);

fn speed() {
    println!("| case | calls | ms (best of 3) | calls / s |");
    println!("| --- | ---: | ---: | ---: |");
    // (label, intervals, volume per interval, agents, service, patience)
    let cases: [Case; 5] = [
        (
            "baseline: ample agents, nobody waits (arrivals + sampling)",
            200,
            10_000.0,
            20_000,
            Dist::Exponential { mean: 180.0 },
            Some(Dist::Exponential { mean: 300.0 }),
        ),
        (
            "1,000 erlangs, 1,010 agents, exp service, exp patience",
            200,
            10_000.0,
            1_010,
            Dist::Exponential { mean: 180.0 },
            Some(Dist::Exponential { mean: 300.0 }),
        ),
        (
            "1,000 erlangs, 1,010 agents, lognormal service (cv 1), no patience",
            200,
            10_000.0,
            1_010,
            Dist::LogNormal {
                mean: 180.0,
                cv: 1.0,
            },
            None,
        ),
        (
            "10 erlangs, 12 agents, exp service, exp patience",
            20_000,
            100.0,
            12,
            Dist::Exponential { mean: 180.0 },
            Some(Dist::Exponential { mean: 300.0 }),
        ),
        (
            "10 erlangs, 9 agents (overloaded), empirical service, exp patience",
            20_000,
            100.0,
            9,
            Dist::Empirical((1..=200).map(|i| f64::from(i) * 1.8).collect()),
            Some(Dist::Exponential { mean: 300.0 }),
        ),
    ];
    for (label, n, volume, agents, service, patience) in cases {
        let input = SimulationInput {
            interval_seconds: 1800.0,
            agents_per_interval: vec![agents; n],
            arrivals: ArrivalSource::Poisson {
                volumes: vec![volume; n],
            },
            service,
            patience,
            target_seconds: 20.0,
            seed: 42,
        };
        let mut best = f64::INFINITY;
        let mut calls = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let r = simulate(&input).unwrap();
            best = best.min(t.elapsed().as_secs_f64());
            calls = r.totals.offered;
        }
        println!(
            "| {label} | {calls} | {:.0} | {:.2} M |",
            best * 1e3,
            calls as f64 / best / 1e6
        );
    }
}

fn replay(path: &str, target: f64, presence: bool) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let calls = parse_bank_calls(&text).expect("parse");
    let calls: Vec<_> = calls.into_iter().filter(|c| c.reached_agents).collect();
    let start = NaiveDate::from_ymd_opt(1999, 2, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let dt = 1800.0;
    let n_int = 28 * 48;
    let horizon = dt * n_int as f64;
    let offset = |t: chrono::NaiveDateTime| (t - start).num_seconds() as f64;
    let calls: Vec<_> = calls
        .into_iter()
        .filter(|c| (0.0..horizon).contains(&offset(c.arrival)))
        .collect();

    // Staffing per interval, from who was seen talking: per server, the span
    // from the start of their first to the end of their last call overlapping
    // the interval (clipped to it). `distinct` counts servers with any span;
    // `presence` sums spans / interval, rounded.
    let mut spans: Vec<HashMap<&str, (f64, f64)>> = vec![HashMap::new(); n_int];
    for c in &calls {
        if let (Some(s), Some(st)) = (c.server.as_deref(), c.service_start) {
            let a = offset(st);
            let b = a + c.service_seconds.max(1.0);
            let mut i = (a / dt).max(0.0) as usize;
            while i < n_int && (i as f64) * dt < b {
                let (lo, hi) = (a.max(i as f64 * dt), b.min((i + 1) as f64 * dt));
                let e = spans[i].entry(s).or_insert((lo, hi));
                *e = (e.0.min(lo), e.1.max(hi));
                i += 1;
            }
        }
    }
    let agents: Vec<u32> = spans
        .iter()
        .map(|m| {
            if presence {
                (m.values().map(|(lo, hi)| hi - lo).sum::<f64>() / dt).round() as u32
            } else {
                m.len() as u32
            }
        })
        .collect();

    // Patience: Kaplan–Meier and exponential MLE.
    let obs: Vec<(f64, bool)> = calls
        .iter()
        .filter_map(|c| c.patience_observation())
        .collect();
    let km = kaplan_meier(&obs);
    let theta = km.exponential_rate();
    let answered_talk: Vec<f64> = calls
        .iter()
        .filter(|c| c.outcome == CallOutcome::Answered)
        .map(|c| c.service_seconds)
        .collect();
    let month_aht = answered_talk.iter().sum::<f64>() / answered_talk.len() as f64;

    // Replay inputs.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1999);
    let service: Vec<f64> = calls
        .iter()
        .map(|c| match c.outcome {
            CallOutcome::Answered => c.service_seconds,
            CallOutcome::HungUp => answered_talk[rng.gen_range(0..answered_talk.len())],
        })
        .collect();
    let input = SimulationInput {
        interval_seconds: dt,
        agents_per_interval: agents.clone(),
        arrivals: ArrivalSource::Replay {
            arrival_offsets_seconds: calls.iter().map(|c| offset(c.arrival)).collect(),
        },
        service: Dist::Replay(service),
        patience: Some(Dist::KaplanMeier(km.clone())),
        target_seconds: target,
        seed: 7,
    };
    let sim = simulate(&input).expect("simulate");

    // Per interval: calls, talk time, real answered within target, real hang-ups.
    let mut n = vec![0u64; n_int];
    let mut talk = vec![(0.0, 0u64); n_int];
    let mut real_within = vec![0u64; n_int];
    let mut real_hang = vec![0u64; n_int];
    for c in &calls {
        let i = (offset(c.arrival) / dt) as usize;
        n[i] += 1;
        match c.outcome {
            CallOutcome::Answered => {
                talk[i].0 += c.service_seconds;
                talk[i].1 += 1;
                if c.wait_seconds <= target {
                    real_within[i] += 1;
                }
            }
            CallOutcome::HungUp => real_hang[i] += 1,
        }
    }

    // Aggregate Sun–Thu 07:00–23:00 by clock slot.
    #[derive(Default, Clone, Copy)]
    struct Slot {
        days: u32,
        calls: f64,
        agents: f64,
        ea_sl: f64,
        sim_sl: f64,
        real_sl: f64,
        ea_ab: f64,
        sim_ab: f64,
        real_ab: f64,
    }
    let mut slots = [Slot::default(); 48];
    let mut total = Slot::default();
    let mut abs_diff = 0.0;
    let mut abs_diff_real = 0.0;
    let mut counted = 0u32;
    for i in 0..n_int {
        let t = start + chrono::Duration::seconds((i as f64 * dt) as i64);
        let weekday = matches!(
            t.weekday(),
            Weekday::Sun | Weekday::Mon | Weekday::Tue | Weekday::Wed | Weekday::Thu
        );
        if !weekday || t.hour() < 7 || t.hour() >= 23 || n[i] == 0 {
            continue;
        }
        let aht = if talk[i].1 > 0 {
            talk[i].0 / talk[i].1 as f64
        } else {
            month_aht
        };
        let m = erlang_a_metrics(n[i] as f64, dt, aht, 1.0 / theta, agents[i], target);
        let s = &sim.intervals[i];
        let w = n[i] as f64;
        let real_sl = real_within[i] as f64 / w;
        let real_ab = real_hang[i] as f64 / w;
        let slot = &mut slots[t.hour() as usize * 2 + t.minute() as usize / 30];
        for x in [&mut *slot, &mut total] {
            x.days += 1;
            x.calls += w;
            x.agents += f64::from(agents[i]);
            x.ea_sl += w * m.service_level;
            x.sim_sl += w * s.service_level;
            x.real_sl += w * real_sl;
            x.ea_ab += w * m.prob_abandon;
            x.sim_ab += w * s.abandon_rate;
            x.real_ab += w * real_ab;
        }
        abs_diff += (m.service_level - s.service_level).abs();
        abs_diff_real += (m.service_level - real_sl).abs();
        counted += 1;
    }
    println!(
        "Anonymous Bank, February 1999, Sun–Thu 07:00–23:00, 30-min intervals; SL = answered within {target} s / calls reaching the queue; staffing = {}.",
        if presence {
            "agent presence (sum over servers of first-call-start to last-call-end within the interval, / 30 min, rounded)"
        } else {
            "distinct servers seen talking in the interval"
        }
    );
    println!(
        "Patience: {} observations, {} hang-ups; exponential MLE mean {:.1} s, KM restricted mean {:.1} s; mean talk time {:.1} s.",
        km.observations,
        km.total_events,
        1.0 / theta,
        km.restricted_mean(),
        month_aht
    );
    println!();
    println!("| slot | days | calls / day | agents (mean) | Erlang A SL | replay SL | real SL | Erlang A aband. | replay aband. | real aband. |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let print = |label: &str, x: &Slot| {
        println!(
            "| {label} | {} | {:.1} | {:.1} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
            x.days,
            x.calls / f64::from(x.days),
            x.agents / f64::from(x.days),
            x.ea_sl / x.calls,
            x.sim_sl / x.calls,
            x.real_sl / x.calls,
            x.ea_ab / x.calls,
            x.sim_ab / x.calls,
            x.real_ab / x.calls
        );
    };
    for (k, x) in slots.iter().enumerate() {
        if x.days > 0 {
            print(&format!("{:02}:{:02}", k / 2, (k % 2) * 30), x);
        }
    }
    print("**all**", &total);
    println!();
    println!(
        "Summary: {counted} intervals, {:.0} calls; SL Erlang A {:.3} vs replay {:.3} vs real {:.3} (call-weighted); mean |Erlang A − replay| per interval {:.3}, mean |Erlang A − real| {:.3}.",
        total.calls,
        total.ea_sl / total.calls,
        total.sim_sl / total.calls,
        total.real_sl / total.calls,
        abs_diff / f64::from(counted),
        abs_diff_real / f64::from(counted)
    );
}
